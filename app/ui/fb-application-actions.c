/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "fb-application"

#include "config.h"

#include "fb-application-private.h"

#include <glib/gi18n.h>

#include "fb-message.h"
#include "fb-url.h"
#include "fb-window.h"

/* The `app.*` actions: what the tray menu, the window and notification
 * buttons ask for. app.run-http-action is fb-application-http-action.c's. */

#define SNOOZE_SECONDS (60 * 60)

static FbFeed *
lookup_feed (FbApplication *self,
             GVariant      *parameter)
{
  return fb_feed_manager_lookup (self->manager, g_variant_get_string (parameter, NULL));
}

/* The window on its Feeds page: the settings, not the messages. */
static void
preferences_cb (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  FbApplication *self = user_data;

  _fb_application_show_window (self);
  g_action_group_activate_action (G_ACTION_GROUP (self->window), "page", g_variant_new_string ("feeds"));
}

static void
show_messages_cb (GSimpleAction *action,
                  GVariant      *parameter,
                  gpointer       user_data)
{
  FbApplication *self = user_data;

  _fb_application_show_window (self);
  fb_window_show_messages (FB_WINDOW (self->window), NULL);
}

/* A notification's click, for a message without a link: the message in the
 * Messages view. It may still wait for its commit: sync, which is cheap. */
static void
show_message_cb (GSimpleAction *action,
                 GVariant      *parameter,
                 gpointer       user_data)
{
  FbApplication *self = user_data;
  gint64 id = g_variant_get_int64 (parameter);
  g_autoptr(FbHistoryEntry) entry = fb_history_lookup (self->history, id);
  g_autoptr(GError) error = NULL;

  if (entry == NULL && id > 0)
    {
      if (!fb_history_sync (self->history, &error))
        g_message ("The message history could not be stored: %s", error->message);
      entry = fb_history_lookup (self->history, id);
    }
  if (entry == NULL)
    g_debug ("Message %" G_GINT64_FORMAT " is no longer in the history", id);

  _fb_application_show_window (self);
  fb_window_show_messages (FB_WINDOW (self->window), entry);
}

/* An ntfy http button of a notification: (feed id, history id, index). */
static void
run_http_action_cb (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  _fb_application_run_http_action (user_data, parameter);
}

static void
reconnect_all_cb (GSimpleAction *action,
                  GVariant      *parameter,
                  gpointer       user_data)
{
  FbApplication *self = user_data;

  fb_feed_manager_reconnect_all (self->manager);
}

static void
reconnect_feed_cb (GSimpleAction *action,
                   GVariant      *parameter,
                   gpointer       user_data)
{
  FbFeed *feed = lookup_feed (user_data, parameter);

  if (feed != NULL && fb_feed_get_connection (feed) != NULL)
    fb_sse_connection_reconnect_now (fb_feed_get_connection (feed));
}

static void
pause_change_state_cb (GSimpleAction *action,
                       GVariant      *value,
                       gpointer       user_data)
{
  FbApplication *self = user_data;

  g_settings_set_boolean (self->settings, "paused", g_variant_get_boolean (value));
}

static void
paused_changed_cb (GSettings     *settings,
                   const char    *key,
                   GSimpleAction *action)
{
  g_simple_action_set_state (action, g_variant_new_boolean (g_settings_get_boolean (settings, key)));
}

static void
quit_cb (GSimpleAction *action,
         GVariant      *parameter,
         gpointer       user_data)
{
  FbApplication *self = user_data;

  if (self->window != NULL)
    gtk_widget_destroy (self->window);
  g_application_quit (G_APPLICATION (self));
}

static void
open_url (FbApplication *self,
          const char    *url)
{
  g_autoptr(GError) error = NULL;
  GtkWindow *parent = self->window ? GTK_WINDOW (self->window) : NULL;

  /* URLs come from servers: only the web, never file:, javascript: or data:. */
  if (!fb_url_is_http (url))
    {
      g_message ("Not opening “%s”: only http and https addresses are opened", url);
      return;
    }

  if (!gtk_show_uri_on_window (parent, url, GDK_CURRENT_TIME, &error))
    g_message ("Could not open %s: %s", url, error->message);
}

static void
open_url_cb (GSimpleAction *action,
             GVariant      *parameter,
             gpointer       user_data)
{
  open_url (user_data, g_variant_get_string (parameter, NULL));
}

static void
open_urls_cb (GSimpleAction *action,
              GVariant      *parameter,
              gpointer       user_data)
{
  g_autofree const char **urls = g_variant_get_strv (parameter, NULL);

  for (guint i = 0; urls[i] != NULL; i++)
    open_url (user_data, urls[i]);
}

static void
open_recent_cb (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  FbApplication *self = user_data;
  GPtrArray *recent = fb_notifier_get_recent (self->notifier);
  guint index = g_variant_get_uint32 (parameter);
  FbMessage *message;

  if (index >= recent->len)
    return;

  message = g_ptr_array_index (recent, index);
  if (fb_message_get_click_url (message) != NULL)
    open_url (self, fb_message_get_click_url (message));
  else
    fb_notifier_show_again (self->notifier, index);
}

static void
snooze_feed_cb (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  FbApplication *self = user_data;

  fb_feed_manager_snooze_feed (self->manager, g_variant_get_string (parameter, NULL), SNOOZE_SECONDS);
}

static void
end_snooze_cb (GSimpleAction *action,
               GVariant      *parameter,
               gpointer       user_data)
{
  FbApplication *self = user_data;

  fb_feed_manager_end_snooze (self->manager, g_variant_get_string (parameter, NULL));
}

void
_fb_application_install_actions (FbApplication *self)
{
  static const GActionEntry entries[] = {
    { "preferences", preferences_cb },
    { "show-messages", show_messages_cb },
    { "show-message", show_message_cb, "x" },
    { "run-http-action", run_http_action_cb, "(sxu)" },
    { "reconnect-all", reconnect_all_cb },
    { "reconnect-feed", reconnect_feed_cb, "s" },
    { "quit", quit_cb },
    { "open-url", open_url_cb, "s" },
    { "open-urls", open_urls_cb, "as" },
    { "open-recent", open_recent_cb, "u" },
    { "snooze-feed", snooze_feed_cb, "s" },
    { "end-snooze", end_snooze_cb, "s" },
  };
  g_autoptr(GSimpleAction) pause = NULL;
  static const char *quit_accels[] = { "<Control>q", NULL };

  g_action_map_add_action_entries (G_ACTION_MAP (self), entries, G_N_ELEMENTS (entries), self);

  pause = g_simple_action_new_stateful ("pause", NULL,
                                        g_variant_new_boolean (g_settings_get_boolean (self->settings,
                                                                                       "paused")));
  g_signal_connect (pause, "change-state", G_CALLBACK (pause_change_state_cb), self);
  g_signal_connect_object (self->settings, "changed::paused", G_CALLBACK (paused_changed_cb), pause, 0);
  g_action_map_add_action (G_ACTION_MAP (self), G_ACTION (pause));

  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.quit", quit_accels);
}
