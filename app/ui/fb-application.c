/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "fb-application"

#include "config.h"

#include "fb-application-private.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "fb-libnotify-display.h"
#include "fb-message.h"
#include "fb-recent-store.h"
#include "fb-url.h"
#include "fb-window.h"

/*
 * The app: one instance per session that runs without a window (held) and
 * quits only when asked. A second `feedbell` opens the first one's window;
 * `--add-feed` and `--status` are handled by the running instance;
 * `--history` reads the database without it (fb-application-history.c).
 */

G_DEFINE_FINAL_TYPE (FbApplication, fb_application, GTK_TYPE_APPLICATION)

static const GOptionEntry command_line_options[] = {
  { "background", 'b', 0, G_OPTION_ARG_NONE, NULL,
    N_("Start without a window (for starting at login)"), NULL },
  { "add-feed", 0, 0, G_OPTION_ARG_STRING, NULL,
    N_("Subscribe to the feed at URL"), N_("URL") },
  { "name", 0, 0, G_OPTION_ARG_STRING, NULL,
    N_("Name for the feed added with --add-feed"), N_("NAME") },
  { "status", 0, 0, G_OPTION_ARG_NONE, NULL,
    N_("Print every feed’s state as JSON lines and exit"), NULL },
  { "history", 0, 0, G_OPTION_ARG_NONE, NULL,
    N_("Print the stored messages, newest first, and exit"), NULL },
  { "feed", 0, 0, G_OPTION_ARG_STRING, NULL,
    N_("With --history: only this feed’s messages (its name or id)"), N_("NAME") },
  { "search", 0, 0, G_OPTION_ARG_STRING, NULL,
    N_("With --history: only messages with these words"), N_("TEXT") },
  { "since", 0, 0, G_OPTION_ARG_STRING, NULL,
    N_("With --history: only messages since TIME (2026-12-01, 2026-12-01T08:00, 2h, 7d)"), N_("TIME") },
  { "limit", 0, 0, G_OPTION_ARG_STRING, NULL,
    N_("With --history: at most N messages (default 50)"), N_("N") },
  { "json", 0, 0, G_OPTION_ARG_NONE, NULL,
    N_("With --history: print JSON lines"), NULL },
  G_OPTION_ENTRY_NULL
};

static void
message_cb (FbFeedManager *manager,
            FbFeed        *feed,
            FbMessage     *message,
            gboolean       catch_up,
            FbApplication *self)
{
  fb_notifier_post (self->notifier, feed, message, catch_up);
}

static void
note_cb (FbFeedManager *manager,
         FbFeed        *feed,
         FbMessage     *note,
         FbApplication *self)
{
  fb_notifier_add_note (self->notifier, feed, note);
}

static void
retention_changed_cb (GSettings     *settings,
                      const char    *key,
                      FbApplication *self)
{
  fb_history_set_retention (self->history,
                            g_settings_get_uint (settings, "history-days"),
                            g_settings_get_uint (settings, "history-max-messages"));
}

static FbHistory *
open_history (FbApplication *self)
{
  g_autofree char *path = fb_history_default_path ();
  FbHistory *history = fb_history_open (path, fb_clock_get_default ());

  g_signal_connect_object (self->settings, "changed::history-days",
                           G_CALLBACK (retention_changed_cb), self, 0);
  g_signal_connect_object (self->settings, "changed::history-max-messages",
                           G_CALLBACK (retention_changed_cb), self, 0);
  self->history = history;
  retention_changed_cb (self->settings, NULL, self);

  return history;
}

/* Recent lived in recent.json before the history: brought over once, then
 * the file goes. Its entries name their feed, not its id. */
static void
import_recent (FbApplication *self)
{
  g_autoptr(GHashTable) ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autofree char *path = fb_recent_store_default_path ();
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->manager));

  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    return;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(FbFeed) feed = g_list_model_get_item (G_LIST_MODEL (self->manager), i);

      g_hash_table_replace (ids, g_strdup (fb_feed_get_display_name (feed)), g_strdup (fb_feed_get_id (feed)));
    }
  if (fb_history_import_recent (self->history, path, ids))
    fb_notifier_reload_recent (self->notifier);
}

static void
fb_application_startup (GApplication *app)
{
  FbApplication *self = FB_APPLICATION (app);

  G_APPLICATION_CLASS (fb_application_parent_class)->startup (app);

  gtk_window_set_default_icon_name (APP_ID);
  if (g_getenv ("FEEDBELL_ICON_DIR") != NULL)
    gtk_icon_theme_append_search_path (gtk_icon_theme_get_default (), g_getenv ("FEEDBELL_ICON_DIR"));

  self->settings = g_settings_new (APP_ID);
  self->history = open_history (self);
  self->manager = fb_feed_manager_new (self->settings, self->history);
  self->display = fb_libnotify_display_new (self->settings, self->manager);
  self->notifier = fb_notifier_new (self->settings, FB_NOTIFICATION_DISPLAY (self->display),
                                    fb_clock_get_default (), self->history);
  self->requests = g_cancellable_new ();
  import_recent (self);
  g_signal_connect_object (self->manager, "message", G_CALLBACK (message_cb), self, 0);
  g_signal_connect_object (self->manager, "note", G_CALLBACK (note_cb), self, 0);
  _fb_application_install_actions (self);
  self->indicator = fb_indicator_new (app, self->manager, self->notifier, self->history, self->settings);

  /* A notification app lives on without windows, until Quit. */
  g_application_hold (app);
}

static void
fb_application_shutdown (GApplication *app)
{
  FbApplication *self = FB_APPLICATION (app);
  g_autoptr(GError) error = NULL;

  g_cancellable_cancel (self->requests);
  g_clear_object (&self->requests);
  if (self->manager != NULL)
    fb_feed_manager_shutdown (self->manager);
  g_clear_object (&self->indicator);
  g_clear_object (&self->notifier);
  g_clear_object (&self->display);
  g_clear_object (&self->manager);
  if (self->history != NULL && !fb_history_sync (self->history, &error))
    g_warning ("The last messages could not be stored: %s", error->message);
  g_clear_object (&self->history);
  g_clear_object (&self->settings);

  G_APPLICATION_CLASS (fb_application_parent_class)->shutdown (app);
}

static void
fb_application_activate (GApplication *app)
{
  _fb_application_show_window (FB_APPLICATION (app));
}

void
_fb_application_show_window (FbApplication *self)
{
  if (self->window == NULL)
    {
      self->window = GTK_WIDGET (fb_window_new (GTK_APPLICATION (self), self->manager,
                                                self->settings, self->history));
      g_object_add_weak_pointer (G_OBJECT (self->window), (gpointer *) &self->window);
    }

  gtk_window_present (GTK_WINDOW (self->window));
}

static void
print_status (FbApplication           *self,
              GApplicationCommandLine *cmdline)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->manager));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(FbFeed) feed = g_list_model_get_item (G_LIST_MODEL (self->manager), i);
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonGenerator) generator = json_generator_new ();
      g_autoptr(JsonNode) root = NULL;
      g_autofree char *status = fb_feed_dup_status_text (feed);
      g_autofree char *line = NULL;
      FbSseConnection *connection = fb_feed_get_connection (feed);
      const GError *error = connection ? fb_sse_connection_get_last_error (connection) : NULL;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "id");
      json_builder_add_string_value (builder, fb_feed_get_id (feed));
      json_builder_set_member_name (builder, "name");
      json_builder_add_string_value (builder, fb_feed_get_display_name (feed));
      json_builder_set_member_name (builder, "url");
      json_builder_add_string_value (builder, fb_feed_get_url (feed));
      json_builder_set_member_name (builder, "state");
      json_builder_add_string_value (builder, fb_feed_state_to_nick (feed));
      json_builder_set_member_name (builder, "status");
      json_builder_add_string_value (builder, status);
      /* Why the last attempt failed (cleared when a stream opens), or null. */
      json_builder_set_member_name (builder, "error");
      if (error != NULL)
        json_builder_add_string_value (builder, error->message);
      else
        json_builder_add_null_value (builder);
      json_builder_set_member_name (builder, "unread");
      json_builder_add_int_value (builder, fb_history_get_unread (self->history, fb_feed_get_id (feed)));
      json_builder_end_object (builder);

      root = json_builder_get_root (builder);
      json_generator_set_root (generator, root);
      line = json_generator_to_data (generator, NULL);
      g_application_command_line_print (cmdline, "%s\n", line);
    }
}

static int
fb_application_command_line (GApplication            *app,
                             GApplicationCommandLine *cmdline)
{
  FbApplication *self = FB_APPLICATION (app);
  GVariantDict *dict = g_application_command_line_get_options_dict (cmdline);
  const char *url = NULL;
  const char *name = NULL;

  if (g_variant_dict_contains (dict, "status"))
    {
      print_status (self, cmdline);
      return 0;
    }

  if (g_variant_dict_lookup (dict, "add-feed", "&s", &url))
    {
      if (!fb_url_is_http (url))
        {
          g_application_command_line_printerr (cmdline, _("“%s” is not an http or https address\n"), url);
          return 2;
        }
      g_variant_dict_lookup (dict, "name", "&s", &name);
      fb_feed_manager_add_feed (self->manager, url, name);
      return 0;
    }

  if (!g_variant_dict_contains (dict, "background"))
    g_application_activate (app);

  return 0;
}

static int
fb_application_handle_local_options (GApplication *app,
                                     GVariantDict *options)
{
  g_autoptr(GError) error = NULL;
  int status;

  /* --history reads the database itself: it never registers, so it never
   * talks to (or starts) the running instance. */
  status = _fb_application_print_history (options);
  if (status >= 0)
    return status;

  if (!g_variant_dict_contains (options, "status"))
    return -1;

  /* --status asks the running instance; it never starts one. */
  if (!g_application_register (app, NULL, &error))
    {
      g_printerr ("feedbell: %s\n", error->message);
      return 1;
    }
  if (!g_application_get_is_remote (app))
    {
      g_printerr ("%s\n", _("Feedbell is not running"));
      return 1;
    }

  return -1;
}

static void
fb_application_class_init (FbApplicationClass *klass)
{
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  app_class->startup = fb_application_startup;
  app_class->shutdown = fb_application_shutdown;
  app_class->activate = fb_application_activate;
  app_class->command_line = fb_application_command_line;
  app_class->handle_local_options = fb_application_handle_local_options;
}

static void
fb_application_init (FbApplication *self)
{
  g_application_add_main_option_entries (G_APPLICATION (self), command_line_options);
}

FbApplication *
fb_application_new (void)
{
  return g_object_new (FB_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", G_APPLICATION_HANDLES_COMMAND_LINE,
                       NULL);
}
