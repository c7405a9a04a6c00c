/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "fb-application"

#include "config.h"

#include "fb-application-private.h"

#include <glib/gi18n.h>

#include "fb-http-action.h"

/*
 * app.run-http-action (feed id, history id, index): an ntfy http button
 * pressed in a notification. The request is read back from the history,
 * never taken from the parameter, which anything on the session bus may
 * send: only a request the feed's server asked for is ever sent, and the
 * notification may be long gone. A request to another origin than the
 * feed's, to a host the feed's `action-hosts` does not list, is asked
 * about first, in a dialog of its own; its "Always allow" adds the host to
 * the list. The request goes through the feed's session, with the feed's
 * credentials only at the feed's own origin (fb_http_action_run_async()).
 * A success with `clear` closes the notification; a failure is one notice
 * that names the host and what went wrong.
 */

typedef struct
{
  FbApplication *app;
  FbHttpAction  *action;
  char          *feed_id;
  gint64         history_id;
} Request;

static void
request_free (Request *request)
{
  g_object_unref (request->app);
  fb_http_action_free (request->action);
  g_free (request->feed_id);
  g_free (request);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Request, request_free)

static void
notify_failure (FbApplication *self,
                const char    *why)
{
  fb_notification_display_show_notice (FB_NOTIFICATION_DISPLAY (self->display), NULL,
                                       _("Action failed"), why);
}

static void
run_cb (GObject      *object,
        GAsyncResult *result,
        gpointer      user_data)
{
  g_autoptr(Request) request = user_data;
  g_autoptr(GError) error = NULL;

  if (!fb_http_action_run_finish (result, NULL, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        notify_failure (request->app, error->message);
      return;
    }

  if (request->action->clear)
    fb_libnotify_display_close_message (request->app->display, request->history_id);
}

static void
send_request (Request *request)
{
  FbApplication *self = request->app;
  FbFeedRunner *runner = fb_feed_manager_get_runner (self->manager, request->feed_id);

  if (runner == NULL || self->requests == NULL)
    {
      request_free (request);
      return;
    }

  fb_http_action_run_async (request->action, fb_feed_runner_get_session (runner),
                            fb_feed_get_url (fb_feed_runner_get_feed (runner)),
                            fb_feed_runner_get_authorization (runner),
                            NULL, 0, self->requests, run_cb, request);
}

/* "Always allow": the host as `action-hosts` lists it, added once. */
static void
trust_host (Request *request)
{
  g_autoptr(GSettings) settings = fb_feed_manager_dup_feed_settings (request->app->manager,
                                                                     request->feed_id);
  g_auto(GStrv) hosts = g_settings_get_strv (settings, "action-hosts");
  g_autofree char *host = fb_http_action_dup_host (request->action);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) trusted = NULL;

  if (host == NULL || g_strv_contains ((const char * const *) hosts, host))
    return;

  g_strv_builder_addv (builder, (const char **) hosts);
  g_strv_builder_add (builder, host);
  trusted = g_strv_builder_end (builder);
  g_settings_set_strv (settings, "action-hosts", (const char * const *) trusted);
}

static void
confirm_response_cb (GtkDialog *dialog,
                     int        response,
                     gpointer   user_data)
{
  GtkToggleButton *always = g_object_get_data (G_OBJECT (dialog), "always");
  Request *request = g_object_steal_data (G_OBJECT (dialog), "request");

  if (request != NULL && response == GTK_RESPONSE_ACCEPT)
    {
      if (gtk_toggle_button_get_active (always))
        trust_host (request);
      send_request (request);
    }
  else if (request != NULL)
    {
      request_free (request);
    }

  gtk_widget_destroy (GTK_WIDGET (dialog));
}

/* The "Always allow" check button: the host is a server's, and a "_" in
 * it must not become a mnemonic. */
static GtkWidget *
always_button_new (const FbHttpAction *action)
{
  g_autofree char *host = fb_http_action_dup_host (action);
  g_auto(GStrv) parts = g_strsplit (host != NULL ? host : "", "_", -1);
  g_autofree char *escaped = g_strjoinv ("__", parts);
  g_autofree char *label = g_strdup_printf (_("_Always allow requests to %s from this feed"), escaped);

  return gtk_check_button_new_with_mnemonic (label);
}

/* Asks before a request goes to a host the feed's server does not vouch
 * for. Cancel is the default: Enter or Escape sends nothing. */
static void
confirm (Request    *request,
         FbFeed     *feed,
         const char *label)
{
  g_autofree char *description = fb_http_action_describe (request->action);
  GtkWidget *dialog;
  GtkWidget *always;

  dialog = gtk_message_dialog_new (NULL, GTK_DIALOG_MODAL, GTK_MESSAGE_QUESTION, GTK_BUTTONS_NONE,
                                   "%s", _("Send this request?"));
  gtk_message_dialog_format_secondary_text (GTK_MESSAGE_DIALOG (dialog),
                                            /* Translators: a button's label, a feed's name, then
                                             * what it sends, such as “POST to example.org”. */
                                            _("The button “%s” of a message from %s sends a request "
                                              "to another server than the feed’s: %s."),
                                            label, fb_feed_get_display_name (feed), description);
  gtk_window_set_title (GTK_WINDOW (dialog), _("Send this request?"));
  gtk_window_set_position (GTK_WINDOW (dialog), GTK_WIN_POS_CENTER);
  gtk_window_set_keep_above (GTK_WINDOW (dialog), TRUE);
  /* Named by its question, not by GTK's "Question", for a screen reader. */
  atk_object_set_name (gtk_widget_get_accessible (dialog), _("Send this request?"));
  gtk_dialog_add_buttons (GTK_DIALOG (dialog), _("_Cancel"), GTK_RESPONSE_CANCEL,
                          _("_Send"), GTK_RESPONSE_ACCEPT, NULL);
  gtk_dialog_set_default_response (GTK_DIALOG (dialog), GTK_RESPONSE_CANCEL);

  always = always_button_new (request->action);
  gtk_container_add (GTK_CONTAINER (gtk_message_dialog_get_message_area (GTK_MESSAGE_DIALOG (dialog))),
                     always);
  gtk_widget_show (always);
  /* Focus on Cancel, not on the check button GTK would pick: Enter must
   * neither send nor trust. */
  gtk_widget_grab_focus (gtk_dialog_get_widget_for_response (GTK_DIALOG (dialog), GTK_RESPONSE_CANCEL));

  g_object_set_data (G_OBJECT (dialog), "always", always);
  g_object_set_data_full (G_OBJECT (dialog), "request", request, (GDestroyNotify) request_free);
  g_signal_connect (dialog, "response", G_CALLBACK (confirm_response_cb), NULL);
  gtk_window_set_application (GTK_WINDOW (dialog), GTK_APPLICATION (request->app));
  gtk_window_present (GTK_WINDOW (dialog));
}

/* The message of history entry @id: it may still wait for its commit. */
static FbHistoryEntry *
lookup_entry (FbApplication *self,
              gint64         id)
{
  FbHistoryEntry *entry = fb_history_lookup (self->history, id);
  g_autoptr(GError) error = NULL;

  if (entry == NULL && id > 0)
    {
      if (!fb_history_sync (self->history, &error))
        g_message ("The message history could not be stored: %s", error->message);
      entry = fb_history_lookup (self->history, id);
    }

  return entry;
}

static FbHttpAction *
action_from_json (const char *json)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonNode *root;

  if (json == NULL || !json_parser_load_from_data (parser, json, -1, NULL))
    return NULL;
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return NULL;

  return fb_http_action_new_from_json (json_node_get_object (root));
}

void
_fb_application_run_http_action (FbApplication *self,
                                 GVariant      *parameter)
{
  g_autoptr(FbHistoryEntry) entry = NULL;
  g_autoptr(GSettings) settings = NULL;
  g_auto(GStrv) trusted = NULL;
  const char *feed_id, *label;
  Request *request;
  FbMessage *message;
  FbFeed *feed;
  gint64 id;
  guint index;

  g_variant_get (parameter, "(&sxu)", &feed_id, &id, &index);
  entry = lookup_entry (self, id);
  if (entry == NULL || (feed_id[0] != '\0' && g_strcmp0 (feed_id, fb_history_entry_get_feed_id (entry)) != 0))
    {
      g_message ("Message %" G_GINT64_FORMAT " is no longer in the history: its button does nothing", id);
      return;
    }

  feed_id = fb_history_entry_get_feed_id (entry);
  feed = fb_feed_manager_lookup (self->manager, feed_id);
  message = fb_history_entry_get_message (entry);
  if (feed == NULL || !fb_message_get_action (message, index, &label, NULL))
    return;

  request = g_new0 (Request, 1);
  request->app = g_object_ref (self);
  request->action = action_from_json (fb_message_get_action_http (message, index));
  request->feed_id = g_strdup (feed_id);
  request->history_id = id;
  if (request->action == NULL)
    {
      /* fb-http-action.c has said why, in the journal. */
      notify_failure (self, _("The action button’s request is not valid"));
      request_free (request);
      return;
    }

  settings = fb_feed_manager_dup_feed_settings (self->manager, feed_id);
  trusted = g_settings_get_strv (settings, "action-hosts");
  if (fb_http_action_needs_confirmation (fb_feed_get_url (feed), request->action,
                                         (const char * const *) trusted))
    confirm (request, feed, label);
  else
    send_request (request);
}
