/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "fb-feed-editor"

#include "config.h"

#include "fb-feed-editor-private.h"

#include <glib/gi18n.h>

#include "fb-connection-probe.h"
#include "fb-secrets.h"
#include "fb-gtk-util.h"

/*
 * The connection probe behind the "Test Connection" button: connects with
 * exactly what the form says, the secret typed or (left empty) the one in
 * the keyring, and shows the verdict.
 */

void
_fb_feed_editor_stop_probe (FbFeedEditor *self)
{
  g_cancellable_cancel (self->probe_cancellable);
  g_clear_object (&self->probe_cancellable);
  gtk_spinner_stop (GTK_SPINNER (self->probe_spinner));
  gtk_widget_hide (self->probe_spinner);
}

static void
show_probe_result (FbFeedEditor *self,
                   const char   *icon_name,
                   const char   *text,
                   gboolean      failed)
{
  gtk_image_set_from_icon_name (GTK_IMAGE (self->probe_icon), icon_name, GTK_ICON_SIZE_BUTTON);
  gtk_widget_set_visible (self->probe_icon, icon_name != NULL);
  gtk_label_set_text (GTK_LABEL (self->probe_label), text);
  fb_widget_set_style_class (self->probe_label, "fb-failed", failed);
  fb_widget_set_style_class (self->probe_icon, "fb-failed", failed);
  fb_widget_set_style_class (self->probe_icon, "fb-connected", icon_name != NULL && !failed);
  gtk_widget_show (self->probe_result);
  _fb_feed_editor_queue_fit_height (self);
}

static void
show_probe_error (FbFeedEditor *self,
                  const char   *message)
{
  _fb_feed_editor_stop_probe (self);
  show_probe_result (self, "dialog-error-symbolic", message, TRUE);
}

static void
probe_done_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(FbFeedEditor) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  guint n = 0;

  if (!fb_connection_probe_finish (result, &n, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        show_probe_error (self, error->message);
      return;
    }

  _fb_feed_editor_stop_probe (self);
  if (n == 0)
    text = g_strdup (_("Connected. The server sent no events yet: the feed is quiet."));
  else
    text = g_strdup_printf (ngettext ("Connected, the server sent %u event",
                                      "Connected, the server sent %u events", n), n);
  show_probe_result (self, "emblem-ok-symbolic", text, FALSE);
}

/* Connects with what the form says now, @secret included. */
static void
start_probe (FbFeedEditor *self,
             const char   *secret)
{
  g_autofree char *url = _fb_feed_editor_dup_url (self);
  g_autofree char *ca_file = g_settings_get_string (self->settings, "ca-file");
  const char *kind = _fb_feed_editor_secret_kind (_fb_feed_editor_get_auth (self));
  char *authorization = NULL;

  if (kind != NULL && secret != NULL)
    authorization = fb_secrets_authorization_header (kind, _fb_feed_editor_get_username (self),
                                                     secret);

  fb_connection_probe_async (url, authorization, ca_file,
                            gtk_spin_button_get_value_as_int (GTK_SPIN_BUTTON (self->idle_spin)),
                            self->probe_cancellable, probe_done_cb, g_object_ref (self));
  fb_secrets_free (authorization);
}

static void
probe_secret_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(FbFeedEditor) self = user_data;
  g_autoptr(GError) error = NULL;
  char *secret = fb_secrets_lookup_finish (result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (error != NULL)
    show_probe_error (self, error->message);
  else if (secret == NULL)
    show_probe_error (self, _("The keyring has no token or password for this feed: enter it again"));
  else
    start_probe (self, secret);

  fb_secrets_free (secret);
}

void
_fb_feed_editor_probe_clicked_cb (FbFeedEditor *self)
{
  const char *kind = _fb_feed_editor_secret_kind (_fb_feed_editor_get_auth (self));

  _fb_feed_editor_stop_probe (self);
  self->probe_cancellable = g_cancellable_new ();
  gtk_widget_show (self->probe_spinner);
  gtk_spinner_start (GTK_SPINNER (self->probe_spinner));
  show_probe_result (self, NULL, _("Connecting…"), FALSE);

  if (kind == NULL)
    start_probe (self, NULL);
  else if (_fb_feed_editor_keeps_stored_secret (self))
    fb_secrets_lookup_async (self->feed_id, kind, self->probe_cancellable, probe_secret_cb,
                             g_object_ref (self));
  else if (_fb_feed_editor_get_secret (self)[0] == '\0')
    show_probe_error (self, g_str_equal (kind, FB_SECRETS_KIND_TOKEN) ? _("Enter the access token first")
                                                                      : _("Enter the password first"));
  else
    start_probe (self, _fb_feed_editor_get_secret (self));
}
