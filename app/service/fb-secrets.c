/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "fb-secrets"

#include "config.h"

#include "fb-secrets.h"

#include <glib/gi18n.h>
#include <libsecret/secret.h>
#include <string.h>

/*
 * Access tokens and passwords live in the Secret Service (GNOME Keyring,
 * KWallet, KeePassXC…), never in GSettings or a file of ours. This is the
 * only file that talks to libsecret. Items are keyed by feed id and kind, so
 * one feed can hold a token and a password side by side and removing the feed
 * removes both.
 *
 * Secrets only pass through here: they are never logged, never put into an
 * error message, and every copy we make is wiped before it is freed
 * (fb_secrets_free()). The GLib strings we hand out are not in locked memory;
 * libsecret's own copies are.
 */

G_DEFINE_QUARK (fb-secrets-error-quark, fb_secrets_error)

#define ATTR_FEED_ID "feed-id"
#define ATTR_KIND    "kind"

/* A feed id no feed has: looked up to find out whether the keyring answers. */
#define PROBE_FEED_ID "feedbell-availability-probe"

static const SecretSchema schema = {
  .name = APP_ID ".Credentials",
  .flags = SECRET_SCHEMA_NONE,
  .attributes = {
    { ATTR_FEED_ID, SECRET_SCHEMA_ATTRIBUTE_STRING },
    { ATTR_KIND, SECRET_SCHEMA_ATTRIBUTE_STRING },
    { NULL, 0 },
  },
};

/**
 * fb_secrets_kind_for_auth:
 *
 * Returns: (nullable): the kind of secret @auth needs, %NULL for none
 */
const char *
fb_secrets_kind_for_auth (FbAuth auth)
{
  switch (auth)
    {
    case FB_AUTH_NONE:
      return NULL;
    case FB_AUTH_TOKEN:
      return FB_SECRETS_KIND_TOKEN;
    case FB_AUTH_BASIC:
      return FB_SECRETS_KIND_PASSWORD;
    default:
      g_return_val_if_reached (NULL);
    }
}

/**
 * fb_secrets_kind_is_valid:
 * @kind: (nullable): a kind of secret
 *
 * Returns: whether @kind is %FB_SECRETS_KIND_TOKEN or %FB_SECRETS_KIND_PASSWORD
 */
gboolean
fb_secrets_kind_is_valid (const char *kind)
{
  return g_strcmp0 (kind, FB_SECRETS_KIND_TOKEN) == 0 ||
         g_strcmp0 (kind, FB_SECRETS_KIND_PASSWORD) == 0;
}

/**
 * fb_secrets_free:
 * @secret: (nullable) (transfer full): a secret from this module
 *
 * Overwrites @secret with zeros, then frees it.
 */
void
fb_secrets_free (char *secret)
{
  if (secret == NULL)
    return;

  explicit_bzero (secret, strlen (secret));
  g_free (secret);
}

static GHashTable *
build_attributes (const char *feed_id,
                  const char *kind)
{
  GHashTable *attributes = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);

  /* libsecret keeps a reference to the table and reads it after the call
   * returns: the table owns copies of the values. */
  g_hash_table_insert (attributes, (char *) ATTR_FEED_ID, g_strdup (feed_id));
  if (kind != NULL)
    g_hash_table_insert (attributes, (char *) ATTR_KIND, g_strdup (kind));

  return attributes;
}

static const char *
unavailable_message (void)
{
  return _("No keyring (Secret Service) is available: "
           "Feedbell will not store passwords or tokens in clear");
}

static gboolean
is_unavailable_error (const GError *error)
{
  static const int dbus_codes[] = {
    G_DBUS_ERROR_SERVICE_UNKNOWN,
    G_DBUS_ERROR_NAME_HAS_NO_OWNER,
    G_DBUS_ERROR_NO_SERVER,
    G_DBUS_ERROR_DISCONNECTED,
    G_DBUS_ERROR_SPAWN_EXEC_FAILED,
    G_DBUS_ERROR_SPAWN_CHILD_EXITED,
    G_DBUS_ERROR_SPAWN_CHILD_SIGNALED,
    G_DBUS_ERROR_SPAWN_FAILED,
    G_DBUS_ERROR_SPAWN_SERVICE_NOT_FOUND,
  };

  for (guint i = 0; i < G_N_ELEMENTS (dbus_codes); i++)
    if (g_error_matches (error, G_DBUS_ERROR, dbus_codes[i]))
      return TRUE;

  /* No session bus at all (g_bus_get() failed). */
  return g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND) ||
         g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CLOSED);
}

/*
 * Returns @error (consumed) to @task in FB_SECRETS_ERROR, prefixed by @what.
 * libsecret's and D-Bus's messages never carry the secret itself: a secret
 * travels in its own D-Bus argument, never in a message text.
 */
static void
return_error (GTask      *task,
              GError     *error,
              const char *what)
{
  g_autoptr(GError) owned = error;
  GCancellable *cancellable = g_task_get_cancellable (task);

  g_debug ("%s: %s", what, error->message);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) &&
      g_cancellable_is_cancelled (cancellable))
    g_task_return_error (task, g_steal_pointer (&owned));
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    /* Nobody cancelled us: the user dismissed the keyring's unlock prompt. */
    g_task_return_new_error (task, FB_SECRETS_ERROR, FB_SECRETS_ERROR_LOCKED,
                             /* Translators: %s is a "Could not … keyring" message */
                             _("%s: the keyring was not unlocked"), what);
  else if (g_error_matches (error, SECRET_ERROR, SECRET_ERROR_IS_LOCKED))
    g_task_return_new_error (task, FB_SECRETS_ERROR, FB_SECRETS_ERROR_LOCKED,
                             /* Translators: %s is a "Could not … keyring" message */
                             _("%s: the keyring is locked: unlock it and try again"),
                             what);
  else if (is_unavailable_error (error))
    g_task_return_new_error (task, FB_SECRETS_ERROR, FB_SECRETS_ERROR_UNAVAILABLE,
                             "%s", unavailable_message ());
  else
    g_task_return_new_error (task, FB_SECRETS_ERROR, FB_SECRETS_ERROR_FAILED,
                             "%s: %s", what, error->message);
}

static void
store_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (secret_password_store_finish (result, &error))
    g_task_return_boolean (task, TRUE);
  else
    return_error (task, error,
                  _("Could not save the password or token in the keyring"));
}

/**
 * fb_secrets_store_async:
 * @feed_id: the feed's id
 * @kind: %FB_SECRETS_KIND_TOKEN or %FB_SECRETS_KIND_PASSWORD
 * @secret: the token or password
 * @feed_name: the feed's name, for the item's label ("Feedbell: @feed_name")
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the secret is stored
 * @user_data: data for @callback
 *
 * Stores @secret in the default keyring, replacing the feed's previous
 * secret of the same kind. Never falls back to storing it anywhere else.
 */
void
fb_secrets_store_async (const char          *feed_id,
                        const char          *kind,
                        const char          *secret,
                        const char          *feed_name,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GHashTable) attributes = NULL;
  g_autofree char *label = NULL;

  g_return_if_fail (feed_id != NULL && *feed_id != '\0');
  g_return_if_fail (fb_secrets_kind_is_valid (kind));
  g_return_if_fail (secret != NULL);
  g_return_if_fail (feed_name != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, fb_secrets_store_async);

  attributes = build_attributes (feed_id, kind);
  /* Translators: the name of a keyring item, as shown in Seahorse */
  label = g_strdup_printf (_("Feedbell: %s"), feed_name);
  secret_password_storev (&schema, attributes, SECRET_COLLECTION_DEFAULT,
                          label, secret, cancellable,
                          store_cb, g_steal_pointer (&task));
}

/**
 * fb_secrets_store_finish:
 * @result: the result given to the callback
 * @error: return location for an error in %FB_SECRETS_ERROR
 *
 * Returns: %TRUE when the secret is in the keyring
 */
gboolean
fb_secrets_store_finish (GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        fb_secrets_store_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
lookup_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  char *found;

  found = secret_password_lookup_finish (result, &error);
  if (error != NULL)
    {
      return_error (task, error,
                    _("Could not read the password or token from the keyring"));
      return;
    }

  /* libsecret's copy is in locked memory and must go back through
   * secret_password_free(), which callers of ours cannot reach. */
  g_task_return_pointer (task, g_strdup (found), (GDestroyNotify) fb_secrets_free);
  secret_password_free (found);
}

/**
 * fb_secrets_lookup_async:
 * @feed_id: the feed's id
 * @kind: %FB_SECRETS_KIND_TOKEN or %FB_SECRETS_KIND_PASSWORD
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the result
 * @user_data: data for @callback
 *
 * Looks up the feed's secret of @kind. The keyring may ask the user to
 * unlock it first.
 */
void
fb_secrets_lookup_async (const char          *feed_id,
                         const char          *kind,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GHashTable) attributes = NULL;

  g_return_if_fail (feed_id != NULL && *feed_id != '\0');
  g_return_if_fail (fb_secrets_kind_is_valid (kind));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, fb_secrets_lookup_async);

  attributes = build_attributes (feed_id, kind);
  secret_password_lookupv (&schema, attributes, cancellable,
                           lookup_cb, g_steal_pointer (&task));
}

/**
 * fb_secrets_lookup_finish:
 * @result: the result given to the callback
 * @error: return location for an error in %FB_SECRETS_ERROR
 *
 * Returns: (transfer full) (nullable): the secret, to be freed with
 *   fb_secrets_free(), or %NULL with @error unset when the feed has none
 */
char *
fb_secrets_lookup_finish (GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        fb_secrets_lookup_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
delete_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  /* FALSE without an error means there was nothing to delete: fine. */
  secret_password_clear_finish (result, &error);
  if (error != NULL)
    return_error (task, error,
                  _("Could not remove the feed’s password or token from the keyring"));
  else
    g_task_return_boolean (task, TRUE);
}

/**
 * fb_secrets_delete_async:
 * @feed_id: the feed's id
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: data for @callback
 *
 * Deletes every secret of the feed, whatever its kind. A feed without
 * secrets is not an error.
 */
void
fb_secrets_delete_async (const char          *feed_id,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GHashTable) attributes = NULL;

  g_return_if_fail (feed_id != NULL && *feed_id != '\0');
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, fb_secrets_delete_async);

  attributes = build_attributes (feed_id, NULL);
  secret_password_clearv (&schema, attributes, cancellable,
                          delete_cb, g_steal_pointer (&task));
}

/**
 * fb_secrets_delete_finish:
 * @result: the result given to the callback
 * @error: return location for an error in %FB_SECRETS_ERROR
 *
 * Returns: %TRUE when the feed has no secret left
 */
gboolean
fb_secrets_delete_finish (GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        fb_secrets_delete_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
probe_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  char *found;

  found = secret_password_lookup_finish (result, &error);
  secret_password_free (found);

  if (error == NULL)
    g_task_return_boolean (task, TRUE);
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) &&
           g_cancellable_is_cancelled (g_task_get_cancellable (task)))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    {
      g_debug ("The keyring does not answer: %s", error->message);
      g_task_return_new_error (task, FB_SECRETS_ERROR, FB_SECRETS_ERROR_UNAVAILABLE,
                               "%s", unavailable_message ());
    }
}

/**
 * fb_secrets_is_available_async:
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the result
 * @user_data: data for @callback
 *
 * Finds out whether secrets can be stored: a trial lookup of an item no
 * feed has, through the same libsecret path as storing (so it also starts
 * a keyring daemon that D-Bus can activate). A keyring without a default
 * collection still counts: storing then asks the user to create one.
 */
void
fb_secrets_is_available_async (GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GHashTable) attributes = NULL;

  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, fb_secrets_is_available_async);

  attributes = build_attributes (PROBE_FEED_ID, FB_SECRETS_KIND_TOKEN);
  secret_password_lookupv (&schema, attributes, cancellable,
                           probe_cb, g_steal_pointer (&task));
}

/**
 * fb_secrets_is_available_finish:
 * @result: the result given to the callback
 * @error: return location for an error: %FB_SECRETS_ERROR_UNAVAILABLE with
 *   a message to show the user when no keyring can be reached
 *
 * Returns: %TRUE when the keyring answers
 */
gboolean
fb_secrets_is_available_finish (GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        fb_secrets_is_available_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static gboolean
has_control_character (const char *s)
{
  for (; *s != '\0'; s++)
    if ((guchar) *s < 0x20 || *s == 0x7f)
      return TRUE;

  return FALSE;
}

static char *
basic_header (const char *username,
              const char *password)
{
  char *user_pass;
  char *encoded;
  char *header;

  /* RFC 7617: the user-id ends at the first colon. */
  if (strchr (username, ':') != NULL)
    return NULL;

  user_pass = g_strconcat (username, ":", password, NULL);
  encoded = g_base64_encode ((const guchar *) user_pass, strlen (user_pass));
  header = g_strconcat ("Basic ", encoded, NULL);
  fb_secrets_free (user_pass);
  fb_secrets_free (encoded);

  return header;
}

/**
 * fb_secrets_authorization_header:
 * @kind: %FB_SECRETS_KIND_TOKEN or %FB_SECRETS_KIND_PASSWORD
 * @username: (nullable): the user name, for %FB_SECRETS_KIND_PASSWORD
 * @secret: the token or password
 *
 * Builds the value of the `Authorization` request header: `Bearer <token>`,
 * or `Basic <base64 of username:password>` (UTF-8, RFC 7617).
 *
 * Returns: (transfer full) (nullable): the header value, to be freed with
 *   fb_secrets_free(); %NULL when it cannot be sent: an empty token or one
 *   with a control character (a line break would split the header), or a
 *   user name with a colon
 */
char *
fb_secrets_authorization_header (const char *kind,
                                 const char *username,
                                 const char *secret)
{
  g_return_val_if_fail (fb_secrets_kind_is_valid (kind), NULL);
  g_return_val_if_fail (secret != NULL, NULL);

  if (g_str_equal (kind, FB_SECRETS_KIND_PASSWORD))
    return basic_header (username != NULL ? username : "", secret);

  if (*secret == '\0' || has_control_character (secret))
    return NULL;

  return g_strconcat ("Bearer ", secret, NULL);
}
