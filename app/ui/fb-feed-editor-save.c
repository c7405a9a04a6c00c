/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "fb-feed-editor"

#include "config.h"

#include "fb-feed-editor-private.h"

#include <glib/gi18n.h>

#include "fb-secrets.h"

/*
 * The editor's side of the keyring, and Save. Settings are applied in one
 * batch; the token or password goes to the keyring only, and it is stored
 * first: a failure changes nothing. A new feed's id is chosen before, so
 * its secret is in the keyring by the time the feed joins the list.
 */

/* Keyring ---------------------------------------------------------------- */

/*
 * Keyring calls hold a reference on the editor: libsecret reads the feed id
 * (ours) after the call returns, so it must outlive the call.
 */
static void
keyring_available_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(FbFeedEditor) self = user_data;
  g_autoptr(GError) error = NULL;
  gboolean available = fb_secrets_is_available_finish (result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self->keyring = available ? FB_KEYRING_AVAILABLE : FB_KEYRING_MISSING;
  g_clear_pointer (&self->keyring_message, g_free);
  if (!available)
    self->keyring_message = g_strdup (error->message);
  _fb_feed_editor_update (self);
}

static void
stored_secret_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(FbFeedEditor) self = user_data;
  g_autoptr(GError) error = NULL;
  char *secret = fb_secrets_lookup_finish (result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  /* Only whether there is one: the editor never shows a saved secret. */
  self->has_stored_secret = secret != NULL;
  fb_secrets_free (secret);
  _fb_feed_editor_update (self);
}

void
_fb_feed_editor_probe_keyring (FbFeedEditor *self)
{
  const char *kind = _fb_feed_editor_secret_kind (self->stored_auth);

  fb_secrets_is_available_async (self->cancellable, keyring_available_cb, g_object_ref (self));

  self->has_stored_secret = kind != NULL;
  if (kind != NULL && self->feed_id != NULL)
    fb_secrets_lookup_async (self->feed_id, kind, self->cancellable, stored_secret_cb,
                             g_object_ref (self));
}

/* Saving ------------------------------------------------------------------- */

static void
secrets_deleted_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(FbFeedEditor) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!fb_secrets_delete_finish (result, &error))
    g_message ("%s", error->message);
}

/* Copies what was set in the memory-backed settings to the real feed's. */
static void
copy_user_values (GSettings *from,
                  GSettings *to)
{
  g_autoptr(GSettingsSchema) schema = NULL;
  g_auto(GStrv) keys = NULL;

  g_object_get (from, "settings-schema", &schema, NULL);
  keys = g_settings_schema_list_keys (schema);
  for (guint i = 0; keys[i] != NULL; i++)
    {
      g_autoptr(GVariant) value = g_settings_get_user_value (from, keys[i]);

      if (value != NULL)
        g_settings_set_value (to, keys[i], value);
    }
}

/* Applies the settings in one batch; a new feed is created first. */
static void
commit_settings (FbFeedEditor *self)
{
  /* GLib applies a delayed GSettings while holding its backend's lock, and
   * other GSettings on the feed's keys hear of the change right then: the
   * feed's runner re-reads and notifies "reading". Were the editor to follow
   * that, it would read its own (delayed) settings under that lock, and wait
   * on it forever. It is closing anyway: stop following the feed first. */
  if (self->feed != NULL)
    g_signal_handlers_disconnect_by_data (self->feed, self);

  if (self->new_feed)
    {
      g_autoptr(GSettings) feed_settings = NULL;

      if (self->feed_id == NULL)
        {
          g_autofree char *id = fb_feed_manager_new_feed_id (self->manager);

          _fb_feed_editor_set_feed_id (self, id);
        }
      /* Everything about the feed is written before it joins the list, so it
       * starts once, with all of it (and its secret, stored by now). */
      feed_settings = fb_feed_manager_dup_feed_settings (self->manager, self->feed_id);
      g_settings_delay (feed_settings);
      copy_user_values (self->settings, feed_settings);
      g_settings_apply (feed_settings);
      fb_feed_manager_insert_feed (self->manager, self->feed_id);
    }
  else
    {
      g_settings_apply (self->settings);
    }

  /* A feed that no longer signs in keeps no secret. */
  if (g_str_equal (_fb_feed_editor_get_auth (self), "none") && !g_str_equal (self->stored_auth, "none"))
    fb_secrets_delete_async (self->feed_id, NULL, secrets_deleted_cb, g_object_ref (self));

  g_debug ("Saved feed %s", self->feed_id);
}

static void
secret_stored_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(FbFeedEditor) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!fb_secrets_store_finish (result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      self->saving = FALSE;
      g_clear_pointer (&self->keyring_message, g_free);
      self->keyring_message = g_strdup (error->message);
      if (g_error_matches (error, FB_SECRETS_ERROR, FB_SECRETS_ERROR_UNAVAILABLE))
        self->keyring = FB_KEYRING_MISSING;
      _fb_feed_editor_update (self);
      gtk_widget_show (self->keyring_warning);
      return;
    }

  commit_settings (self);
  /* A new authentication or user name restarts the feed (with the secret,
   * stored by now); a new secret alone does not, so reconnect it here. A new
   * feed starts with its secret already in the keyring. */
  if (!self->new_feed &&
      g_str_equal (self->stored_auth, _fb_feed_editor_get_auth (self)) &&
      g_str_equal (self->stored_username, _fb_feed_editor_get_username (self)))
    fb_feed_manager_reload_credentials (self->manager, self->feed_id);
  gtk_widget_destroy (GTK_WIDGET (self));
}

void
_fb_feed_editor_save (FbFeedEditor *self)
{
  g_autofree char *url = _fb_feed_editor_dup_url (self);
  const char *kind = _fb_feed_editor_secret_kind (_fb_feed_editor_get_auth (self));
  g_autofree char *name = NULL;
  char *secret;

  if (!_fb_feed_editor_can_save (self))
    return;

  g_settings_set_string (self->settings, "url", url);

  if (kind == NULL || _fb_feed_editor_get_secret (self)[0] == '\0')
    {
      commit_settings (self);
      gtk_widget_destroy (GTK_WIDGET (self));
      return;
    }

  /* The settings change once the secret is safe; a new feed gets its id now,
   * the secret is stored under it, and only then does the feed exist. */
  if (self->new_feed && self->feed_id == NULL)
    {
      g_autofree char *id = fb_feed_manager_new_feed_id (self->manager);

      _fb_feed_editor_set_feed_id (self, id);
    }
  self->saving = TRUE;
  _fb_feed_editor_update (self);
  name = g_settings_get_string (self->settings, "name");
  secret = g_strdup (_fb_feed_editor_get_secret (self));
  fb_secrets_store_async (self->feed_id, kind, secret, name[0] != '\0' ? name : url,
                          self->cancellable, secret_stored_cb, g_object_ref (self));
  fb_secrets_free (secret);
}
