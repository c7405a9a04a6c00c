/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "fb-feed-manager"

#include "config.h"

#include "fb-feed-manager.h"

#include "fb-event-log.h"
#include "fb-secrets.h"
#include "fb-sse-connection.h"

#include <glib/gstdio.h>
#include <string.h>

/*
 * Owns one FbSseConnection per enabled feed and follows GSettings live: the
 * feed list (`feeds`, a list of ids) and each feed's relocatable settings.
 * A change touches only the feed it concerns: its URL or timeout restarts
 * that one connection, its name only updates the UI.
 *
 * It is a GListModel of FbFeed, in the order of the `feeds` key, and
 * emits:
 *  - feed-changed (FbFeed): its state, error, name or snooze changed;
 *  - message (FbFeed, FbMessage, catch-up): an event that should reach the
 *    user; catch-up is TRUE for the backlog a server replays right after a
 *    stream resumes, so it can be summed up rather than shown one by one.
 *
 * Each feed has an FbEventLog: the stream resumes from its last id after a
 * restart (Last-Event-ID, or ntfy's since= for ntfy feeds), and an id seen
 * recently is dropped as a replay. The manager also follows the network
 * monitor and logind: feeds wait while the network is away and reconnect at
 * once when it is back or the machine wakes up.
 */

#define FEED_SCHEMA   APP_ID ".Feed"
#define FEEDS_PATH    "/io/github/feedbell/Feedbell/feeds/"
/* Events this soon after a resumed stream opens are its backlog. */
#define CATCH_UP_US   (2 * G_USEC_PER_SEC)

typedef struct
{
  FbFeedManager *manager;
  FbFeed        *feed;
  GSettings     *settings;
  FbEventLog    *log;
  GCancellable  *lookup;          /* the credentials being read from the keyring */
  gint64         catch_up_until;  /* monotonic µs */
} Entry;

struct _FbFeedManager
{
  GObject       parent_instance;

  GSettings    *settings;
  GPtrArray    *entries;     /* Entry *, in list order */
  SoupSession  *session;     /* shared by every feed: one connection pool */
  GNetworkMonitor *monitor;
  GDBusConnection *system_bus;
  guint         sleep_id;
  gboolean      network_available;
};

enum {
  FEED_CHANGED,
  MESSAGE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (FbFeedManager, fb_feed_manager, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

static void
entry_free (Entry *entry)
{
  FbSseConnection *connection = fb_feed_get_connection (entry->feed);

  g_signal_handlers_disconnect_by_data (entry->feed, entry->manager);
  if (connection != NULL)
    {
      g_signal_handlers_disconnect_matched (connection, G_SIGNAL_MATCH_DATA, 0, 0, NULL, NULL, entry->feed);
      fb_sse_connection_stop (connection);
    }
  fb_feed_set_connection (entry->feed, NULL);
  g_cancellable_cancel (entry->lookup);
  g_clear_object (&entry->lookup);
  g_signal_handlers_disconnect_by_data (entry->settings, entry);
  g_clear_object (&entry->log);
  g_clear_object (&entry->settings);
  g_clear_object (&entry->feed);
  g_free (entry);
}

static GType
fb_feed_manager_get_item_type (GListModel *model)
{
  return FB_TYPE_FEED;
}

static guint
fb_feed_manager_get_n_items (GListModel *model)
{
  return FB_FEED_MANAGER (model)->entries->len;
}

static gpointer
fb_feed_manager_get_item (GListModel *model,
                          guint       position)
{
  FbFeedManager *self = FB_FEED_MANAGER (model);

  if (position >= self->entries->len)
    return NULL;

  return g_object_ref (((Entry *) g_ptr_array_index (self->entries, position))->feed);
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = fb_feed_manager_get_item_type;
  iface->get_n_items = fb_feed_manager_get_n_items;
  iface->get_item = fb_feed_manager_get_item;
}

static void
emit_changed (FbFeed        *feed,
              FbFeedManager *self)
{
  g_signal_emit (self, signals[FEED_CHANGED], 0, feed);
}

static Entry *
entry_for_feed (FbFeedManager *self,
                FbFeed        *feed)
{
  for (guint i = 0; i < self->entries->len; i++)
    {
      Entry *entry = g_ptr_array_index (self->entries, i);

      if (entry->feed == feed)
        return entry;
    }

  return NULL;
}

static void
connection_notify_cb (FbSseConnection *connection,
                      GParamSpec      *pspec,
                      Entry           *entry)
{
  if (fb_sse_connection_get_state (connection) == FB_SSE_STATE_OPEN &&
      g_str_equal (g_param_spec_get_name (pspec), "state") &&
      fb_event_log_get_last_event_id (entry->log)[0] != '\0')
    entry->catch_up_until = g_get_monotonic_time () + CATCH_UP_US;

  emit_changed (entry->feed, entry->manager);
}

static void
connection_event_cb (FbSseConnection *connection,
                     FbSseEvent      *event,
                     Entry           *entry)
{
  g_autoptr(FbMessage) message = NULL;
  const char *key = NULL;
  gboolean ntfy;

  if (!fb_feed_accepts_type (entry->feed, event->type))
    return;

  message = fb_message_new_from_event (fb_feed_get_display_name (entry->feed),
                                       fb_feed_get_format (entry->feed),
                                       event->type,
                                       event->data,
                                       event->data_len,
                                       event->last_event_id);
  if (!fb_message_is_notification (message))
    return;

  /* ntfy sends no SSE ids: its messages are known by their JSON id. */
  ntfy = fb_message_is_ntfy (message) && fb_message_get_id (message)[0] != '\0';
  if (ntfy)
    key = fb_message_get_id (message);
  else if (event->has_id)
    key = event->last_event_id;

  if (fb_event_log_has_seen (entry->log, key))
    {
      g_debug ("%s: dropping a replay of %s", fb_feed_get_id (entry->feed), key);
      return;
    }
  fb_event_log_record (entry->log, key, ntfy ? "since" : NULL);
  if (ntfy)
    fb_sse_connection_set_query_param (connection, "since", key);

  g_signal_emit (entry->manager, signals[MESSAGE], 0, entry->feed, message,
                 g_get_monotonic_time () < entry->catch_up_until);
}

static void
resume_from_log (Entry           *entry,
                 FbSseConnection *connection)
{
  const char *id = fb_event_log_get_last_event_id (entry->log);
  const char *param = fb_event_log_get_resume_param (entry->log);

  if (id[0] == '\0')
    return;

  if (param != NULL)
    fb_sse_connection_set_query_param (connection, param, id);
  else
    fb_sse_connection_set_last_event_id (connection, id);
}

/* Values of the `auth` settings key. */
enum {
  FB_AUTH_NONE,
  FB_AUTH_TOKEN,
  FB_AUTH_BASIC,
};

static void
start_connection (Entry      *entry,
                  const char *authorization)
{
  FbFeedManager *self = entry->manager;
  FbFeed *feed = entry->feed;
  g_autoptr(FbSseConnection) connection = NULL;

  connection = g_object_new (FB_TYPE_SSE_CONNECTION,
                             "url", fb_feed_get_url (feed),
                             "session", self->session,
                             "idle-timeout", fb_feed_get_idle_timeout (feed),
                             NULL);
  resume_from_log (entry, connection);
  fb_sse_connection_set_network_available (connection, self->network_available ||
                                           fb_sse_connection_is_loopback (connection));
  if (authorization != NULL)
    fb_sse_connection_set_authorization (connection, authorization);

  g_signal_connect (connection, "event", G_CALLBACK (connection_event_cb), entry);
  g_signal_connect (connection, "notify::state", G_CALLBACK (connection_notify_cb), entry);
  g_signal_connect (connection, "notify::retry-at", G_CALLBACK (connection_notify_cb), entry);
  fb_feed_set_connection (feed, connection);
  fb_sse_connection_start (connection);
  emit_changed (feed, self);
}

static void
secret_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  Entry *entry;
  char *secret;
  char *header = NULL;

  secret = fb_secrets_lookup_finish (result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  entry = user_data;
  g_clear_object (&entry->lookup);

  if (secret != NULL)
    {
      g_autofree char *username = g_settings_get_string (entry->settings, "username");
      gboolean token = g_settings_get_enum (entry->settings, "auth") == FB_AUTH_TOKEN;

      header = fb_secrets_authorization_header (token ? FB_SECRETS_KIND_TOKEN : FB_SECRETS_KIND_PASSWORD,
                                                username, secret);
      fb_secrets_free (secret);
    }
  else
    {
      /* Connect anyway: the server's 401 then tells the user what is missing. */
      g_message ("%s: no credentials in the keyring%s%s", fb_feed_get_id (entry->feed),
                 error ? ": " : "", error ? error->message : "");
    }

  start_connection (entry, header);
  fb_secrets_free (header);
}

/* (Re)creates the feed's connection from its current settings. */
static void
restart_feed (FbFeedManager *self,
              Entry         *entry)
{
  FbFeed *feed = entry->feed;
  FbSseConnection *old = fb_feed_get_connection (feed);
  gboolean same_url = FALSE;

  if (old != NULL)
    {
      same_url = g_strcmp0 (fb_sse_connection_get_url (old), fb_feed_get_url (feed)) == 0;
      g_signal_handlers_disconnect_matched (old, G_SIGNAL_MATCH_DATA, 0, 0, NULL, NULL, entry);
      fb_sse_connection_stop (old);
      fb_feed_set_connection (feed, NULL);
    }

  /* A new address is a new stream: its ids mean nothing to the old one. */
  if (old != NULL && !same_url)
    fb_event_log_forget (entry->log);

  g_cancellable_cancel (entry->lookup);
  g_clear_object (&entry->lookup);

  if (!fb_feed_get_enabled (feed) || fb_feed_get_url (feed)[0] == '\0')
    {
      emit_changed (feed, self);
      return;
    }

  switch (g_settings_get_enum (entry->settings, "auth"))
    {
    case FB_AUTH_TOKEN:
    case FB_AUTH_BASIC:
      entry->lookup = g_cancellable_new ();
      fb_secrets_lookup_async (fb_feed_get_id (feed),
                               g_settings_get_enum (entry->settings, "auth") == FB_AUTH_TOKEN
                                 ? FB_SECRETS_KIND_TOKEN : FB_SECRETS_KIND_PASSWORD,
                               entry->lookup, secret_cb, entry);
      break;
    default:
      start_connection (entry, NULL);
      break;
    }
}

static void
feed_config_changed_cb (FbFeed        *feed,
                        GParamSpec    *pspec,
                        FbFeedManager *self)
{
  const char *name = g_param_spec_get_name (pspec);

  if (g_str_equal (name, "url") || g_str_equal (name, "enabled"))
    {
      restart_feed (self, entry_for_feed (self, feed));
    }
  else if (g_str_equal (name, "idle-timeout"))
    {
      FbSseConnection *connection = fb_feed_get_connection (feed);

      if (connection != NULL)
        fb_sse_connection_set_idle_timeout (connection, fb_feed_get_idle_timeout (feed));
    }
  else
    {
      emit_changed (feed, self);
    }
}

GSettings *
fb_feed_manager_dup_feed_settings (FbFeedManager *self,
                                   const char    *id)
{
  g_autofree char *path = g_strconcat (FEEDS_PATH, id, "/", NULL);

  return g_settings_new_with_path (FEED_SCHEMA, path);
}

static void
credentials_changed_cb (Entry *entry)
{
  restart_feed (entry->manager, entry);
}

static Entry *
entry_new (FbFeedManager *self,
           const char    *id)
{
  static const char * const keys[] = {
    "name", "url", "enabled", "format", "event-types", "idle-timeout", "muted",
  };
  g_autofree char *log_path = fb_event_log_path_for_feed (id);
  Entry *entry = g_new0 (Entry, 1);

  entry->manager = self;
  entry->feed = fb_feed_new (id);
  entry->settings = fb_feed_manager_dup_feed_settings (self, id);
  entry->log = fb_event_log_new (log_path);
  g_object_set_data (G_OBJECT (entry->feed), "fb-feed-manager", self);

  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    g_settings_bind (entry->settings, keys[i], entry->feed, keys[i], G_SETTINGS_BIND_GET);

  g_signal_connect (entry->feed, "notify", G_CALLBACK (feed_config_changed_cb), self);
  g_signal_connect_swapped (entry->settings, "changed::auth", G_CALLBACK (credentials_changed_cb), entry);
  g_signal_connect_swapped (entry->settings, "changed::username", G_CALLBACK (credentials_changed_cb), entry);
  restart_feed (self, entry);

  return entry;
}

static gint
find_entry (FbFeedManager *self,
            const char    *id)
{
  for (guint i = 0; i < self->entries->len; i++)
    {
      Entry *entry = g_ptr_array_index (self->entries, i);

      if (g_str_equal (fb_feed_get_id (entry->feed), id))
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

/* Brings the entries in line with the `feeds` key, touching only what changed. */
static void
sync_feeds (FbFeedManager *self)
{
  g_auto(GStrv) ids = g_settings_get_strv (self->settings, "feeds");

  for (guint i = self->entries->len; i > 0; i--)
    {
      Entry *entry = g_ptr_array_index (self->entries, i - 1);

      if (!g_strv_contains ((const char * const *) ids, fb_feed_get_id (entry->feed)))
        {
          g_ptr_array_remove_index (self->entries, i - 1);
          g_list_model_items_changed (G_LIST_MODEL (self), i - 1, 1, 0);
        }
    }

  for (guint i = 0; ids[i] != NULL; i++)
    {
      gint at = find_entry (self, ids[i]);

      if (at == (gint) i)
        continue;

      if (at < 0)
        {
          if (!is_valid_id (ids[i]))
            {
              g_message ("Ignoring a feed with an invalid id “%s”", ids[i]);
              continue;
            }
          g_ptr_array_insert (self->entries, MIN (i, self->entries->len), entry_new (self, ids[i]));
          g_list_model_items_changed (G_LIST_MODEL (self), MIN (i, self->entries->len - 1), 0, 1);
        }
      else
        {
          /* Moved: take it out and put it back where the list says. */
          Entry *entry = g_ptr_array_steal_index (self->entries, at);

          g_list_model_items_changed (G_LIST_MODEL (self), at, 1, 0);
          g_ptr_array_insert (self->entries, MIN (i, self->entries->len), entry);
          g_list_model_items_changed (G_LIST_MODEL (self), MIN (i, self->entries->len - 1), 0, 1);
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

/* Feeds the server told to stop, or that need a person, are left as they are. */
static void
reconnect_waiting (FbFeedManager *self)
{
  for (guint i = 0; i < self->entries->len; i++)
    {
      Entry *entry = g_ptr_array_index (self->entries, i);
      FbSseConnection *connection = fb_feed_get_connection (entry->feed);

      if (connection == NULL)
        continue;

      switch (fb_sse_connection_get_state (connection))
        {
        case FB_SSE_STATE_OPEN:
        case FB_SSE_STATE_CONNECTING:
        case FB_SSE_STATE_WAITING_RETRY:
        case FB_SSE_STATE_WAITING_NETWORK:
        case FB_SSE_STATE_DISCONNECTED:
          fb_sse_connection_reconnect_now (connection);
          break;
        case FB_SSE_STATE_FAILED:
        case FB_SSE_STATE_STOPPED:
          break;
        default:
          g_assert_not_reached ();
        }
    }
}

/**
 * fb_feed_manager_set_network_available:
 *
 * What the network monitor says (tests call it directly).
 */
void
fb_feed_manager_set_network_available (FbFeedManager *self,
                                       gboolean       available)
{
  g_return_if_fail (FB_IS_FEED_MANAGER (self));

  self->network_available = available;
  g_debug ("Network %s", available ? "available" : "gone");
  for (guint i = 0; i < self->entries->len; i++)
    {
      Entry *entry = g_ptr_array_index (self->entries, i);
      FbSseConnection *connection = fb_feed_get_connection (entry->feed);

      if (connection != NULL)
        fb_sse_connection_set_network_available (connection, available ||
                                                 fb_sse_connection_is_loopback (connection));
    }
}

static void
network_changed_cb (GNetworkMonitor *monitor,
                    gboolean         available,
                    FbFeedManager   *self)
{
  if (available != self->network_available)
    fb_feed_manager_set_network_available (self, available);
}

/**
 * fb_feed_manager_resumed:
 *
 * The machine woke up: a stream that looks open is most likely dead (the
 * server gave up on us while we slept), and what was missed should show
 * within seconds, not after the idle timeout. Reconnect now.
 */
void
fb_feed_manager_resumed (FbFeedManager *self)
{
  g_return_if_fail (FB_IS_FEED_MANAGER (self));

  g_debug ("Resumed from sleep: reconnecting");
  reconnect_waiting (self);
}

static void
flush_logs (FbFeedManager *self)
{
  for (guint i = 0; i < self->entries->len; i++)
    {
      Entry *entry = g_ptr_array_index (self->entries, i);
      g_autoptr(GError) error = NULL;

      if (!fb_event_log_flush (entry->log, &error))
        g_message ("%s", error->message);
    }
}

static void
prepare_for_sleep_cb (GDBusConnection *connection,
                      const char      *sender,
                      const char      *object_path,
                      const char      *interface,
                      const char      *signal,
                      GVariant        *parameters,
                      gpointer         user_data)
{
  FbFeedManager *self = user_data;
  gboolean going_to_sleep = FALSE;

  if (!g_variant_is_of_type (parameters, G_VARIANT_TYPE ("(b)")))
    return;

  g_variant_get (parameters, "(b)", &going_to_sleep);
  if (going_to_sleep)
    flush_logs (self);
  else
    fb_feed_manager_resumed (self);
}

static void
system_bus_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(FbFeedManager) self = user_data;
  g_autoptr(GError) error = NULL;
  GDBusConnection *bus = g_bus_get_finish (result, &error);

  if (bus == NULL)
    {
      g_debug ("No system bus, so no resume notices: %s", error->message);
      return;
    }
  if (self->entries == NULL)
    {
      g_object_unref (bus);
      return;
    }

  self->system_bus = bus;
  self->sleep_id = g_dbus_connection_signal_subscribe (bus, "org.freedesktop.login1",
                                                       "org.freedesktop.login1.Manager",
                                                       "PrepareForSleep",
                                                       "/org/freedesktop/login1",
                                                       NULL, G_DBUS_SIGNAL_FLAGS_NONE,
                                                       prepare_for_sleep_cb, self, NULL);
}

static void
fb_feed_manager_dispose (GObject *object)
{
  FbFeedManager *self = FB_FEED_MANAGER (object);

  if (self->monitor != NULL)
    g_signal_handlers_disconnect_by_data (self->monitor, self);
  g_clear_object (&self->monitor);
  if (self->system_bus != NULL && self->sleep_id != 0)
    g_dbus_connection_signal_unsubscribe (self->system_bus, self->sleep_id);
  self->sleep_id = 0;
  g_clear_object (&self->system_bus);

  if (self->entries != NULL)
    g_ptr_array_set_size (self->entries, 0);
  g_clear_object (&self->settings);
  g_clear_object (&self->session);

  G_OBJECT_CLASS (fb_feed_manager_parent_class)->dispose (object);
}

static void
fb_feed_manager_finalize (GObject *object)
{
  FbFeedManager *self = FB_FEED_MANAGER (object);

  g_clear_pointer (&self->entries, g_ptr_array_unref);

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
}

static void
fb_feed_manager_init (FbFeedManager *self)
{
  self->entries = g_ptr_array_new_with_free_func ((GDestroyNotify) entry_free);
  self->session = g_object_new (SOUP_TYPE_SESSION,
                                "timeout", 0,
                                "user-agent", "Feedbell/" PACKAGE_VERSION " ",
                                "max-conns-per-host", 64,
                                "max-conns", 256,
                                NULL);
}

/**
 * fb_feed_manager_new:
 * @settings: the app's settings (`io.github.feedbell.Feedbell`)
 *
 * Returns: (transfer full): a manager that has started every enabled feed
 */
FbFeedManager *
fb_feed_manager_new (GSettings *settings)
{
  FbFeedManager *self;

  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);

  self = g_object_new (FB_TYPE_FEED_MANAGER, NULL);
  self->settings = g_object_ref (settings);
  self->monitor = g_object_ref (g_network_monitor_get_default ());
  self->network_available = g_network_monitor_get_network_available (self->monitor);
  g_signal_connect (self->monitor, "network-changed", G_CALLBACK (network_changed_cb), self);
  g_bus_get (G_BUS_TYPE_SYSTEM, NULL, system_bus_cb, g_object_ref (self));
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

  at = find_entry (self, id);
  if (at < 0)
    return NULL;

  return ((Entry *) g_ptr_array_index (self->entries, at))->feed;
}

static FbFeed *
lookup_url (FbFeedManager *self,
            const char    *url)
{
  for (guint i = 0; i < self->entries->len; i++)
    {
      Entry *entry = g_ptr_array_index (self->entries, i);

      if (g_str_equal (fb_feed_get_url (entry->feed), url))
        return entry->feed;
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
  g_autoptr(GStrvBuilder) builder = NULL;
  g_auto(GStrv) ids = NULL;
  g_auto(GStrv) new_ids = NULL;
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

  id = g_strdup_printf ("f%08x", g_random_int ());
  feed_settings = fb_feed_manager_dup_feed_settings (self, id);
  g_settings_delay (feed_settings);
  g_settings_set_string (feed_settings, "url", url);
  g_settings_set_string (feed_settings, "name", name ? name : "");
  g_settings_apply (feed_settings);

  ids = g_settings_get_strv (self->settings, "feeds");
  builder = g_strv_builder_new ();
  g_strv_builder_addv (builder, (const char **) ids);
  g_strv_builder_add (builder, id);
  new_ids = g_strv_builder_end (builder);
  g_settings_set_strv (self->settings, "feeds", (const char * const *) new_ids);

  return fb_feed_manager_lookup (self, id);
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

  at = find_entry (self, id);
  if (at >= 0)
    restart_feed (self, g_ptr_array_index (self->entries, at));
}

void
fb_feed_manager_reconnect_all (FbFeedManager *self)
{
  g_return_if_fail (FB_IS_FEED_MANAGER (self));

  for (guint i = 0; i < self->entries->len; i++)
    {
      Entry *entry = g_ptr_array_index (self->entries, i);
      FbSseConnection *connection = fb_feed_get_connection (entry->feed);

      if (connection != NULL)
        fb_sse_connection_reconnect_now (connection);
    }
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
  g_ptr_array_set_size (self->entries, 0);
}
