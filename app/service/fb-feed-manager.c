/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "fb-feed-manager"

#include "config.h"

#include "fb-feed-manager-private.h"

#include "fb-event-log.h"
#include "fb-secrets.h"
#include "fb-session.h"
#include "fb-sse-connection.h"

#include <glib/gstdio.h>
#include <string.h>

/*
 * Owns one FbFeedRunner per feed and follows the feed list (`feeds`, a list
 * of ids) in GSettings live. Each runner follows its feed's relocatable
 * settings: a change touches only the feed it concerns (a new URL or
 * credentials restart that one stream, a new idle timeout applies to the
 * open one, a new name only updates the UI).
 *
 * It is a GListModel of FbFeed, in the order of the `feeds` key, and
 * emits:
 *  - feed-changed (FbFeed): its state, error, name or snooze changed;
 *  - message (FbFeed, FbMessage, catch-up): an event that should reach the
 *    user; catch-up is TRUE for the backlog a server replays right after a
 *    stream resumes, so it can be summed up rather than shown one by one;
 *  - note (FbFeed, FbMessage): Feedbell's own word about a feed (an
 *    outage), for Recent only.
 *
 * Each feed has an FbEventLog: the stream resumes from its last id after a
 * restart (Last-Event-ID, or ntfy's since= for ntfy feeds), and an id seen
 * recently is dropped as a replay. The manager also follows the network
 * monitor and logind: feeds wait while the network is away and reconnect at
 * once when it is back or the machine wakes up.
 *
 * Each feed's pipeline (connection, credentials, events, outages, snooze)
 * is an FbFeedRunner; the manager forwards its signals with the feed. The
 * network monitor and logind are in fb-feed-manager-system.c.
 */

enum {
  FEED_CHANGED,
  MESSAGE,
  NOTE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (FbFeedManager, fb_feed_manager, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

static GType
fb_feed_manager_get_item_type (GListModel *model)
{
  return FB_TYPE_FEED;
}

static guint
fb_feed_manager_get_n_items (GListModel *model)
{
  return FB_FEED_MANAGER (model)->runners->len;
}

static gpointer
fb_feed_manager_get_item (GListModel *model,
                          guint       position)
{
  FbFeedManager *self = FB_FEED_MANAGER (model);

  if (position >= self->runners->len)
    return NULL;

  return g_object_ref (fb_feed_runner_get_feed (g_ptr_array_index (self->runners, position)));
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = fb_feed_manager_get_item_type;
  iface->get_n_items = fb_feed_manager_get_n_items;
  iface->get_item = fb_feed_manager_get_item;
}

static void
runner_changed_cb (FbFeedRunner  *runner,
                   FbFeedManager *self)
{
  g_signal_emit (self, signals[FEED_CHANGED], 0, fb_feed_runner_get_feed (runner));
}

static void
runner_message_cb (FbFeedRunner  *runner,
                   FbMessage     *message,
                   gboolean       catch_up,
                   FbFeedManager *self)
{
  g_signal_emit (self, signals[MESSAGE], 0, fb_feed_runner_get_feed (runner), message, catch_up);
}

static void
runner_note_cb (FbFeedRunner  *runner,
                FbMessage     *note,
                FbFeedManager *self)
{
  g_signal_emit (self, signals[NOTE], 0, fb_feed_runner_get_feed (runner), note);
}

static FbFeedRunner *
runner_new (FbFeedManager *self,
            const char    *id)
{
  g_autoptr(GSettings) feed_settings = fb_feed_manager_dup_feed_settings (self, id);
  FbFeedRunner *runner;

  runner = fb_feed_runner_new (id, feed_settings, self->settings, self->session, self->clock,
                               self->history);
  fb_feed_runner_set_network_available (runner, self->network_available);
  g_signal_connect (runner, "changed", G_CALLBACK (runner_changed_cb), self);
  g_signal_connect (runner, "message", G_CALLBACK (runner_message_cb), self);
  g_signal_connect (runner, "note", G_CALLBACK (runner_note_cb), self);
  fb_feed_runner_restart (runner);

  return runner;
}

/* A runner leaving the list goes quiet before anything else happens to it. */
static void
runner_free (FbFeedRunner *runner)
{
  fb_feed_runner_shutdown (runner);
  g_object_unref (runner);
}

GSettings *
fb_feed_manager_dup_feed_settings (FbFeedManager *self,
                                   const char    *id)
{
  g_autofree char *path = g_strconcat (FB_FEED_SETTINGS_PATH, id, "/", NULL);

  return g_settings_new_with_path (FB_FEED_SCHEMA_ID, path);
}

static gint
find_runner (FbFeedManager *self,
             const char    *id)
{
  for (guint i = 0; i < self->runners->len; i++)
    {
      FbFeed *feed = fb_feed_runner_get_feed (g_ptr_array_index (self->runners, i));

      if (g_str_equal (fb_feed_get_id (feed), id))
        return i;
    }

  return -1;
}

/* Ids become part of a settings path: letters, digits, '-' and '_' only. */
static gboolean
is_valid_id (const char *id)
{
  if (id[0] == '\0' || strlen (id) > 64)
    return FALSE;

  for (const char *p = id; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '-' && *p != '_')
      return FALSE;

  return TRUE;
}

/* Brings the runners in line with the `feeds` key, touching only what changed. */
static void
sync_feeds (FbFeedManager *self)
{
  g_auto(GStrv) ids = g_settings_get_strv (self->settings, "feeds");

  for (guint i = self->runners->len; i > 0; i--)
    {
      FbFeed *feed = fb_feed_runner_get_feed (g_ptr_array_index (self->runners, i - 1));

      if (!g_strv_contains ((const char * const *) ids, fb_feed_get_id (feed)))
        {
          g_ptr_array_remove_index (self->runners, i - 1);
          g_list_model_items_changed (G_LIST_MODEL (self), i - 1, 1, 0);
        }
    }

  for (guint i = 0; ids[i] != NULL; i++)
    {
      gint at = find_runner (self, ids[i]);

      if (at == (gint) i)
        continue;

      if (at < 0)
        {
          if (!is_valid_id (ids[i]))
            {
              g_message ("Ignoring a feed with an invalid id “%s”", ids[i]);
              continue;
            }
          g_ptr_array_insert (self->runners, MIN (i, self->runners->len), runner_new (self, ids[i]));
          g_list_model_items_changed (G_LIST_MODEL (self), MIN (i, self->runners->len - 1), 0, 1);
        }
      else
        {
          /* Moved: take it out and put it back where the list says. */
          FbFeedRunner *runner = g_ptr_array_steal_index (self->runners, at);

          g_list_model_items_changed (G_LIST_MODEL (self), at, 1, 0);
          g_ptr_array_insert (self->runners, MIN (i, self->runners->len), runner);
          g_list_model_items_changed (G_LIST_MODEL (self), MIN (i, self->runners->len - 1), 0, 1);
        }
    }
}

static void
feeds_changed_cb (GSettings     *settings,
                  const char    *key,
                  FbFeedManager *self)
{
  sync_feeds (self);
}

static void
fb_feed_manager_dispose (GObject *object)
{
  FbFeedManager *self = FB_FEED_MANAGER (object);

  _fb_feed_manager_unwatch_system (self);

  if (self->runners != NULL)
    g_ptr_array_set_size (self->runners, 0);
  g_clear_object (&self->settings);
  g_clear_object (&self->history);
  g_clear_object (&self->session);
  g_clear_object (&self->clock);

  G_OBJECT_CLASS (fb_feed_manager_parent_class)->dispose (object);
}

static void
fb_feed_manager_finalize (GObject *object)
{
  FbFeedManager *self = FB_FEED_MANAGER (object);

  g_clear_pointer (&self->runners, g_ptr_array_unref);

  G_OBJECT_CLASS (fb_feed_manager_parent_class)->finalize (object);
}

static void
fb_feed_manager_class_init (FbFeedManagerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = fb_feed_manager_dispose;
  object_class->finalize = fb_feed_manager_finalize;

  signals[FEED_CHANGED] =
    g_signal_new ("feed-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, FB_TYPE_FEED);
  signals[MESSAGE] =
    g_signal_new ("message", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 3, FB_TYPE_FEED, FB_TYPE_MESSAGE, G_TYPE_BOOLEAN);
  /* Feedbell's own word about a feed, for Recent (not for the screen). */
  signals[NOTE] =
    g_signal_new ("note", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2, FB_TYPE_FEED, FB_TYPE_MESSAGE);
}

static void
fb_feed_manager_init (FbFeedManager *self)
{
  self->runners = g_ptr_array_new_with_free_func ((GDestroyNotify) runner_free);
  self->session = fb_session_new (NULL, NULL);
  self->clock = g_object_ref (fb_clock_get_default ());
}

/**
 * fb_feed_manager_new:
 * @settings: the app's settings (`io.github.feedbell.Feedbell`)
 * @history: (nullable): where the feeds' resume positions are kept, with
 *   their messages; %NULL: in each feed's own file
 *
 * Returns: (transfer full): a manager that has started every enabled feed
 */
FbFeedManager *
fb_feed_manager_new (GSettings *settings,
                     FbHistory *history)
{
  FbFeedManager *self;

  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);
  g_return_val_if_fail (history == NULL || FB_IS_HISTORY (history), NULL);

  self = g_object_new (FB_TYPE_FEED_MANAGER, NULL);
  self->settings = g_object_ref (settings);
  self->history = history != NULL ? g_object_ref (history) : NULL;
  _fb_feed_manager_watch_system (self);
  g_signal_connect_object (settings, "changed::feeds", G_CALLBACK (feeds_changed_cb), self, 0);
  sync_feeds (self);

  return self;
}

/**
 * fb_feed_manager_lookup:
 *
 * Returns: (transfer none) (nullable): the feed with that id
 */
FbFeed *
fb_feed_manager_lookup (FbFeedManager *self,
                        const char    *id)
{
  gint at;

  g_return_val_if_fail (FB_IS_FEED_MANAGER (self), NULL);
  g_return_val_if_fail (id != NULL, NULL);

  at = find_runner (self, id);
  if (at < 0)
    return NULL;

  return fb_feed_runner_get_feed (g_ptr_array_index (self->runners, at));
}

static FbFeed *
lookup_url (FbFeedManager *self,
            const char    *url)
{
  for (guint i = 0; i < self->runners->len; i++)
    {
      FbFeed *feed = fb_feed_runner_get_feed (g_ptr_array_index (self->runners, i));

      if (g_str_equal (fb_feed_get_url (feed), url))
        return feed;
    }

  return NULL;
}

/**
 * fb_feed_manager_add_feed:
 * @url: an http or https URL
 * @name: (nullable): what to call it
 *
 * Adds a feed to the settings, or enables (and renames) the one that
 * already has this URL.
 *
 * Returns: (transfer none): the feed
 */
FbFeed *
fb_feed_manager_add_feed (FbFeedManager *self,
                          const char    *url,
                          const char    *name)
{
  g_autoptr(GSettings) feed_settings = NULL;
  g_autofree char *id = NULL;
  FbFeed *existing;

  g_return_val_if_fail (FB_IS_FEED_MANAGER (self), NULL);
  g_return_val_if_fail (url != NULL, NULL);

  existing = lookup_url (self, url);
  if (existing != NULL)
    {
      g_autoptr(GSettings) s = fb_feed_manager_dup_feed_settings (self, fb_feed_get_id (existing));

      if (name != NULL && name[0] != '\0')
        g_settings_set_string (s, "name", name);
      g_settings_set_boolean (s, "enabled", TRUE);
      return existing;
    }

  id = fb_feed_manager_new_feed_id (self);
  feed_settings = fb_feed_manager_dup_feed_settings (self, id);
  g_settings_delay (feed_settings);
  g_settings_set_string (feed_settings, "url", url);
  g_settings_set_string (feed_settings, "name", name ? name : "");
  g_settings_apply (feed_settings);

  return fb_feed_manager_insert_feed (self, id);
}

static void
secret_deleted_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autofree char *id = user_data;
  g_autoptr(GError) error = NULL;

  if (!fb_secrets_delete_finish (result, &error))
    g_message ("%s: %s", id, error->message);
}

/**
 * fb_feed_manager_new_feed_id:
 *
 * Returns: (transfer full): an id no feed has, for a feed about to be
 *   configured (its settings and secret) before it joins the list
 */
char *
fb_feed_manager_new_feed_id (FbFeedManager *self)
{
  g_return_val_if_fail (FB_IS_FEED_MANAGER (self), NULL);

  for (;;)
    {
      char *id = g_strdup_printf ("f%08x", g_random_int ());

      if (fb_feed_manager_lookup (self, id) == NULL)
        return id;
      g_free (id);
    }
}

/**
 * fb_feed_manager_insert_feed:
 * @id: a feed whose settings are written
 *
 * Adds the feed to the list, which starts it.
 *
 * Returns: (transfer none): the feed
 */
FbFeed *
fb_feed_manager_insert_feed (FbFeedManager *self,
                             const char    *id)
{
  g_autoptr(GStrvBuilder) builder = NULL;
  g_auto(GStrv) ids = NULL;
  g_auto(GStrv) new_ids = NULL;

  g_return_val_if_fail (FB_IS_FEED_MANAGER (self), NULL);
  g_return_val_if_fail (id != NULL, NULL);

  ids = g_settings_get_strv (self->settings, "feeds");
  if (!g_strv_contains ((const char * const *) ids, id))
    {
      builder = g_strv_builder_new ();
      g_strv_builder_addv (builder, (const char **) ids);
      g_strv_builder_add (builder, id);
      new_ids = g_strv_builder_end (builder);
      g_settings_set_strv (self->settings, "feeds", (const char * const *) new_ids);
    }

  return fb_feed_manager_lookup (self, id);
}

/**
 * fb_feed_manager_remove_feed:
 *
 * Removes the feed from the list and resets its settings.
 */
void
fb_feed_manager_remove_feed (FbFeedManager *self,
                             const char    *id)
{
  g_autoptr(GSettings) feed_settings = NULL;
  g_autoptr(GStrvBuilder) builder = NULL;
  g_auto(GStrv) ids = NULL;
  g_auto(GStrv) new_ids = NULL;
  g_autoptr(GSettingsSchema) schema = NULL;
  g_auto(GStrv) keys = NULL;
  g_autofree char *log_path = NULL;

  g_return_if_fail (FB_IS_FEED_MANAGER (self));
  g_return_if_fail (id != NULL);

  ids = g_settings_get_strv (self->settings, "feeds");
  builder = g_strv_builder_new ();
  for (guint i = 0; ids[i] != NULL; i++)
    if (!g_str_equal (ids[i], id))
      g_strv_builder_add (builder, ids[i]);
  new_ids = g_strv_builder_end (builder);
  g_settings_set_strv (self->settings, "feeds", (const char * const *) new_ids);

  feed_settings = fb_feed_manager_dup_feed_settings (self, id);
  g_object_get (feed_settings, "settings-schema", &schema, NULL);
  keys = g_settings_schema_list_keys (schema);
  for (guint i = 0; keys[i] != NULL; i++)
    g_settings_reset (feed_settings, keys[i]);

  /* Nothing of a removed feed stays behind: not its secret, not its state. */
  fb_secrets_delete_async (id, NULL, secret_deleted_cb, g_strdup (id));
  log_path = fb_event_log_path_for_feed (id);
  g_unlink (log_path);
  if (self->history != NULL)
    fb_history_forget_position (self->history, id);
}

/**
 * fb_feed_manager_reload_credentials:
 *
 * The feed's secret changed in the keyring: reconnect with it.
 */
void
fb_feed_manager_reload_credentials (FbFeedManager *self,
                                    const char    *id)
{
  gint at;

  g_return_if_fail (FB_IS_FEED_MANAGER (self));

  at = find_runner (self, id);
  if (at >= 0)
    fb_feed_runner_restart (g_ptr_array_index (self->runners, at));
}

void
fb_feed_manager_reconnect_all (FbFeedManager *self)
{
  g_return_if_fail (FB_IS_FEED_MANAGER (self));

  for (guint i = 0; i < self->runners->len; i++)
    fb_feed_runner_reconnect_now (g_ptr_array_index (self->runners, i));
}

static FbFeedRunner *
lookup_runner (FbFeedManager *self,
               const char    *id)
{
  gint at = find_runner (self, id);

  return at >= 0 ? g_ptr_array_index (self->runners, at) : NULL;
}

/**
 * fb_feed_manager_get_runner:
 *
 * Returns: (transfer none) (nullable): the pipeline of feed @id: its
 *   session and credentials, for requests made on its behalf
 */
FbFeedRunner *
fb_feed_manager_get_runner (FbFeedManager *self,
                            const char    *id)
{
  g_return_val_if_fail (FB_IS_FEED_MANAGER (self), NULL);

  return id != NULL ? lookup_runner (self, id) : NULL;
}

/**
 * fb_feed_manager_snooze_feed:
 * @seconds: for how long the feed notifies nothing
 */
void
fb_feed_manager_snooze_feed (FbFeedManager *self,
                             const char    *id,
                             guint          seconds)
{
  FbFeedRunner *runner;

  g_return_if_fail (FB_IS_FEED_MANAGER (self));
  g_return_if_fail (id != NULL);

  runner = lookup_runner (self, id);
  if (runner != NULL)
    fb_feed_runner_snooze (runner, seconds);
}

void
fb_feed_manager_end_snooze (FbFeedManager *self,
                            const char    *id)
{
  FbFeedRunner *runner;

  g_return_if_fail (FB_IS_FEED_MANAGER (self));
  g_return_if_fail (id != NULL);

  runner = lookup_runner (self, id);
  if (runner != NULL)
    fb_feed_runner_end_snooze (runner);
}

/**
 * fb_feed_manager_shutdown:
 *
 * Stops every connection, for a clean exit.
 */
void
fb_feed_manager_shutdown (FbFeedManager *self)
{
  g_return_if_fail (FB_IS_FEED_MANAGER (self));

  g_signal_handlers_disconnect_by_data (self->settings, self);
  g_ptr_array_set_size (self->runners, 0);
}
