/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "fb-feed-editor"

#include "config.h"

#include "fb-feed-editor-private.h"

#include <glib/gi18n.h>
#include <string.h>

#include "fb-secrets.h"
#include "fb-url.h"
#include "fb-gtk-util.h"

/*
 * What the form says: the address, the authentication and its secret as
 * typed, whether the credentials can be sent (a colon in a user name, a
 * token that is no valid header value) and kept (a keyring to hold the
 * secret), and so whether Save can be pressed; the hint under the secret.
 */
char *
_fb_feed_editor_dup_url (FbFeedEditor *self)
{
  return g_strstrip (g_strdup (gtk_entry_get_text (GTK_ENTRY (self->url_entry))));
}

const char *
_fb_feed_editor_get_auth (FbFeedEditor *self)
{
  const char *id = gtk_combo_box_get_active_id (GTK_COMBO_BOX (self->auth_combo));

  return id != NULL ? id : "none";
}

/* The kind of secret the chosen authentication needs, or NULL. */
const char *
_fb_feed_editor_secret_kind (const char *auth)
{
  return fb_secrets_kind_for_auth (fb_auth_from_nick (auth));
}

static GtkEntry *
secret_entry (FbFeedEditor *self)
{
  const char *kind = _fb_feed_editor_secret_kind (_fb_feed_editor_get_auth (self));

  if (kind == NULL)
    return NULL;

  return GTK_ENTRY (g_str_equal (kind, FB_SECRETS_KIND_TOKEN) ? self->token_entry : self->password_entry);
}

const char *
_fb_feed_editor_get_secret (FbFeedEditor *self)
{
  GtkEntry *entry = secret_entry (self);

  return entry != NULL ? gtk_entry_get_text (entry) : "";
}

/* An empty secret field keeps the one already in the keyring. */
gboolean
_fb_feed_editor_keeps_stored_secret (FbFeedEditor *self)
{
  return !self->new_feed && self->has_stored_secret &&
         g_strcmp0 (self->stored_auth, _fb_feed_editor_get_auth (self)) == 0 &&
         _fb_feed_editor_get_secret (self)[0] == '\0';
}

const char *
_fb_feed_editor_get_username (FbFeedEditor *self)
{
  return gtk_entry_get_text (GTK_ENTRY (self->username_entry));
}

/* Returns: (nullable): why the credentials cannot be used, or NULL */
static const char *
credentials_problem (FbFeedEditor *self)
{
  const char *kind = _fb_feed_editor_secret_kind (_fb_feed_editor_get_auth (self));
  const char *secret = _fb_feed_editor_get_secret (self);
  const char *username = _fb_feed_editor_get_username (self);
  char *header;

  if (kind == NULL)
    return NULL;

  if (g_str_equal (kind, FB_SECRETS_KIND_PASSWORD) && strchr (username, ':') != NULL)
    return _("A user name cannot contain a colon (:)");

  if (secret[0] == '\0')
    return NULL;

  header = fb_secrets_authorization_header (kind, username, secret);
  if (header == NULL)
    return _("The token contains characters that cannot be sent");
  fb_secrets_free (header);

  return NULL;
}

gboolean
_fb_feed_editor_can_save (FbFeedEditor *self)
{
  g_autofree char *url = _fb_feed_editor_dup_url (self);
  const char *kind = _fb_feed_editor_secret_kind (_fb_feed_editor_get_auth (self));
  const char *secret = _fb_feed_editor_get_secret (self);

  if (self->saving || !fb_url_is_http (url) || credentials_problem (self) != NULL ||
      self->n_content_errors > 0)
    return FALSE;

  if (kind == NULL)
    return TRUE;

  if (g_str_equal (kind, FB_SECRETS_KIND_PASSWORD) && _fb_feed_editor_get_username (self)[0] == '\0')
    return FALSE;

  /* Never a secret without a keyring to keep it in. */
  if (secret[0] != '\0')
    return self->keyring != FB_KEYRING_MISSING;

  return _fb_feed_editor_keeps_stored_secret (self);
}

/* The hint under the secret's field: what is wrong with it, or where it is kept. */
void
_fb_feed_editor_update_secret_hint (FbFeedEditor *self)
{
  const char *problem = credentials_problem (self);
  const char *text;

  if (problem != NULL)
    text = problem;
  else if (!self->new_feed && self->has_stored_secret &&
           g_strcmp0 (self->stored_auth, _fb_feed_editor_get_auth (self)) == 0)
    text = _("Saved in the keyring. Leave the field empty to keep it.");
  else
    text = _("Kept in the keyring, never in Feedbell’s settings.");

  gtk_label_set_text (GTK_LABEL (self->secret_hint_label), text);
  fb_widget_set_style_class (self->secret_hint_label, "dim-label", problem == NULL);
  fb_widget_set_style_class (self->secret_hint_label, "fb-failed", problem != NULL);
}
