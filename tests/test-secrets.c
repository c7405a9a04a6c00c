/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <libsecret/secret.h>
#include <string.h>

#include "fb-secrets.h"
#include "fb-test-keyring.h"
#include "fb-test-utils.h"

/*
 * Three runs of this program (tests/meson.build):
 * - no FB_TEST_SECRET_SERVICE: the pure Authorization header (suite unit);
 * - FB_TEST_SECRET_SERVICE=keyring, under run-with-keyring.sh: a throwaway,
 *   unlocked gnome-keyring on a private bus, in a temporary HOME;
 * - FB_TEST_SECRET_SERVICE=none, under run-with-keyring.sh --no-keyring: a
 *   private bus without any Secret Service.
 *
 * Every test that handles a secret runs in a subprocess whose output is
 * captured, and fails if a secret shows up in it, with debug messages on.
 * Secrets are random but start with SECRET_MARKER, the only part of them an
 * assertion may print; comparisons use g_assert_true (strcmp), never
 * g_assert_cmpstr, which would print both strings.
 */

#define SECRET_MARKER "FbTestSecret"
#define UNAVAILABLE_MESSAGE \
  "No keyring (Secret Service) is available: " \
  "Feedbell will not store passwords or tokens in clear"

static const char *
secrets_root (void)
{
  const char *root = g_getenv ("FB_TEST_SECRETS_ROOT");

  g_assert_nonnull (root);
  return root;
}

static char *
new_secret (void)
{
  g_autofree char *uuid = g_uuid_string_random ();

  return g_strconcat (SECRET_MARKER, "-", uuid, NULL);
}

static void
result_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  GAsyncResult **slot = user_data;

  *slot = g_object_ref (result);
}

static GAsyncResult *
wait_for (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);

  return *slot;
}

static gboolean
store (const char  *feed_id,
       const char  *kind,
       const char  *secret,
       GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  fb_secrets_store_async (feed_id, kind, secret, "Test feed", NULL,
                          result_cb, &result);
  return fb_secrets_store_finish (wait_for (&result), error);
}

static char *
lookup_with (const char    *feed_id,
             const char    *kind,
             GCancellable  *cancellable,
             GError       **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  fb_secrets_lookup_async (feed_id, kind, cancellable, result_cb, &result);
  return fb_secrets_lookup_finish (wait_for (&result), error);
}

static char *
lookup (const char  *feed_id,
        const char  *kind,
        GError     **error)
{
  return lookup_with (feed_id, kind, NULL, error);
}

static gboolean
delete (const char  *feed_id,
        GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  fb_secrets_delete_async (feed_id, NULL, result_cb, &result);
  return fb_secrets_delete_finish (wait_for (&result), error);
}

static gboolean
is_available (GError **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  fb_secrets_is_available_async (NULL, result_cb, &result);
  return fb_secrets_is_available_finish (wait_for (&result), error);
}

static void
store_ok (const char *feed_id,
          const char *kind,
          const char *secret)
{
  g_autoptr(GError) error = NULL;
  gboolean stored = store (feed_id, kind, secret, &error);

  g_assert_no_error (error);
  g_assert_true (stored);
}

static void
delete_ok (const char *feed_id)
{
  g_autoptr(GError) error = NULL;
  gboolean deleted = delete (feed_id, &error);

  g_assert_no_error (error);
  g_assert_true (deleted);
}

static void
assert_stored (const char *feed_id,
               const char *kind,
               const char *expected)
{
  g_autoptr(GError) error = NULL;
  char *found = lookup (feed_id, kind, &error);

  g_assert_no_error (error);
  g_assert_nonnull (found);
  g_assert_true (strcmp (found, expected) == 0);
  fb_secrets_free (found);
}

static void
assert_none (const char *feed_id,
             const char *kind)
{
  g_autoptr(GError) error = NULL;
  char *found = lookup (feed_id, kind, &error);

  g_assert_no_error (error);
  g_assert_null (found);
}

static void
assert_unavailable (const GError *error)
{
  g_assert_error (error, FB_SECRETS_ERROR, FB_SECRETS_ERROR_UNAVAILABLE);
  g_assert_cmpstr (error->message, ==, UNAVAILABLE_MESSAGE);
}

/* Runs the current test again in a subprocess that logs everything, and
 * checks that it passed without a secret in its output. */
static void
run_checking_output (void)
{
  g_test_trap_subprocess (NULL, 60 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  /* The output was captured: the child's last words are in it. */
  g_test_trap_assert_stdout ("*secret test done*");
  g_test_trap_assert_stdout_unmatched ("*" SECRET_MARKER "*");
  g_test_trap_assert_stderr_unmatched ("*" SECRET_MARKER "*");
}

static void
done (void)
{
  g_print ("secret test done\n");
}

static gint64
keyring_file_size (void)
{
  g_autofree char *path = g_build_filename (g_get_user_data_dir (), "keyrings",
                                            "login.keyring", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileInfo) info = NULL;

  info = g_file_query_info (file, G_FILE_ATTRIBUTE_STANDARD_SIZE,
                            G_FILE_QUERY_INFO_NONE, NULL, NULL);
  return info != NULL ? g_file_info_get_size (info) : -1;
}

/* The keyring's items of one feed, found from outside (not through
 * FbSecrets): proves the schema name and the attributes. */
static GList *
search_items (const char *feed_id)
{
  g_autoptr(GError) error = NULL;
  GList *items;

  items = secret_password_search_sync (&fb_test_credentials_schema, SECRET_SEARCH_ALL, NULL, &error,
                                       "feed-id", feed_id, NULL);
  g_assert_no_error (error);
  return items;
}

static void
test_available (void)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (is_available (&error));
  g_assert_no_error (error);
}

static void
test_store_lookup (void)
{
  g_autofree char *first = new_secret ();
  g_autofree char *second = new_secret ();
  g_autofree char *label = NULL;
  GList *items;

  if (!g_test_subprocess ())
    {
      run_checking_output ();
      return;
    }

  store_ok ("feed-a", FB_SECRETS_KIND_TOKEN, first);
  assert_stored ("feed-a", FB_SECRETS_KIND_TOKEN, first);
  assert_none ("feed-a", FB_SECRETS_KIND_PASSWORD);
  assert_none ("no-such-feed", FB_SECRETS_KIND_TOKEN);

  /* Storing again replaces the item instead of adding one. */
  store_ok ("feed-a", FB_SECRETS_KIND_TOKEN, second);
  assert_stored ("feed-a", FB_SECRETS_KIND_TOKEN, second);

  items = search_items ("feed-a");
  g_assert_cmpuint (g_list_length (items), ==, 1);
  label = secret_retrievable_get_label (items->data);
  g_assert_cmpstr (label, ==, "Feedbell: Test feed");
  g_list_free_full (items, g_object_unref);

  delete_ok ("feed-a");
  done ();
}

static void
test_delete (void)
{
  g_autofree char *token_a = new_secret ();
  g_autofree char *password_a = new_secret ();
  g_autofree char *token_b = new_secret ();

  if (!g_test_subprocess ())
    {
      run_checking_output ();
      return;
    }

  store_ok ("feed-a", FB_SECRETS_KIND_TOKEN, token_a);
  store_ok ("feed-a", FB_SECRETS_KIND_PASSWORD, password_a);
  store_ok ("feed-b", FB_SECRETS_KIND_TOKEN, token_b);

  delete_ok ("feed-a");

  assert_none ("feed-a", FB_SECRETS_KIND_TOKEN);
  assert_none ("feed-a", FB_SECRETS_KIND_PASSWORD);
  assert_stored ("feed-b", FB_SECRETS_KIND_TOKEN, token_b);

  /* Nothing left to delete: still fine. */
  delete_ok ("feed-a");

  delete_ok ("feed-b");
  assert_none ("feed-b", FB_SECRETS_KIND_TOKEN);
  done ();
}

static void
test_not_in_clear_on_disk (void)
{
  g_autofree char *secret = new_secret ();
  gint64 size_before;

  if (!g_test_subprocess ())
    {
      run_checking_output ();
      return;
    }

  size_before = keyring_file_size ();

  store_ok ("feed-disk", FB_SECRETS_KIND_PASSWORD, secret);

  /* The keyring saved the item before answering: we look at real data. */
  g_assert_cmpint (size_before, >, 0);
  g_assert_cmpint (keyring_file_size (), >, size_before);

  /* HOME holds XDG_CONFIG_HOME, XDG_DATA_HOME (with the keyring's own,
   * encrypted store) and the rest of the test session's files. */
  g_assert_false (fb_test_file_under_contains (secrets_root (), secret));

  delete_ok ("feed-disk");
  done ();
}

static void
test_cancelled (void)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;

  g_cancellable_cancel (cancellable);
  g_assert_null (lookup_with ("feed-a", FB_SECRETS_KIND_TOKEN, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

static void
test_unavailable (void)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (is_available (&error));
  assert_unavailable (error);
}

static void
test_unavailable_refuses (void)
{
  g_autofree char *secret = new_secret ();
  g_autoptr(GError) error = NULL;

  if (!g_test_subprocess ())
    {
      run_checking_output ();
      return;
    }

  g_assert_false (store ("feed-a", FB_SECRETS_KIND_TOKEN, secret, &error));
  assert_unavailable (error);
  g_clear_error (&error);

  g_assert_null (lookup ("feed-a", FB_SECRETS_KIND_TOKEN, &error));
  assert_unavailable (error);
  g_clear_error (&error);

  g_assert_false (delete ("feed-a", &error));
  assert_unavailable (error);

  /* Refused means refused: not kept anywhere else either. */
  g_assert_false (fb_test_file_under_contains (secrets_root (), secret));
  done ();
}

static void
assert_header (const char *kind,
               const char *username,
               const char *secret,
               const char *expected)
{
  char *header = fb_secrets_authorization_header (kind, username, secret);

  g_assert_cmpstr (header, ==, expected);
  fb_secrets_free (header);
}

static void
test_header_bearer (void)
{
  assert_header (FB_SECRETS_KIND_TOKEN, NULL, "tk_abc.DEF-123", "Bearer tk_abc.DEF-123");
  /* The user name only matters for Basic. */
  assert_header (FB_SECRETS_KIND_TOKEN, "someone", "t0ken", "Bearer t0ken");

  /* A line break would end the header and start another one. */
  assert_header (FB_SECRETS_KIND_TOKEN, NULL, "abc\r\nX-Evil: 1", NULL);
  assert_header (FB_SECRETS_KIND_TOKEN, NULL, "abc\n", NULL);
  assert_header (FB_SECRETS_KIND_TOKEN, NULL, "a\tb", NULL);
  assert_header (FB_SECRETS_KIND_TOKEN, NULL, "", NULL);
}

static void
test_header_basic (void)
{
  /* RFC 7617's examples. */
  assert_header (FB_SECRETS_KIND_PASSWORD, "Aladdin", "open sesame",
                 "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
  assert_header (FB_SECRETS_KIND_PASSWORD, "test", "123\xc2\xa3",
                 "Basic dGVzdDoxMjPCow==");

  /* No user name; a password with a colon (only the first one splits). */
  assert_header (FB_SECRETS_KIND_PASSWORD, NULL, "pw", "Basic OnB3");
  assert_header (FB_SECRETS_KIND_PASSWORD, "u", "a:b", "Basic dTphOmI=");

  /* A user name with a colon cannot be sent. */
  assert_header (FB_SECRETS_KIND_PASSWORD, "a:b", "pw", NULL);
}

static void
test_header_bad_kind (void)
{
  char *header;

  g_assert_true (fb_secrets_kind_is_valid ("token"));
  g_assert_true (fb_secrets_kind_is_valid ("password"));
  g_assert_false (fb_secrets_kind_is_valid ("basic"));
  g_assert_false (fb_secrets_kind_is_valid (NULL));

  g_test_expect_message ("fb-secrets", G_LOG_LEVEL_CRITICAL, "*kind_is_valid*");
  header = fb_secrets_authorization_header ("basic", "u", "pw");
  g_test_assert_expected_messages ();
  g_assert_null (header);
}

int
main (int   argc,
      char *argv[])
{
  const char *mode = g_getenv ("FB_TEST_SECRET_SERVICE");

  g_test_init (&argc, &argv, NULL);
  /* A child logs everything, so that a secret in a debug message would
   * show; the parent's output stays plain TAP. */
  if (g_test_subprocess ())
    g_log_set_debug_enabled (TRUE);

  if (g_strcmp0 (mode, "keyring") == 0)
    {
      g_test_add_func ("/secrets/keyring/available", test_available);
      g_test_add_func ("/secrets/keyring/store-lookup", test_store_lookup);
      g_test_add_func ("/secrets/keyring/delete", test_delete);
      g_test_add_func ("/secrets/keyring/not-in-clear-on-disk", test_not_in_clear_on_disk);
      g_test_add_func ("/secrets/keyring/cancelled", test_cancelled);
    }
  else if (g_strcmp0 (mode, "none") == 0)
    {
      g_test_add_func ("/secrets/no-keyring/unavailable", test_unavailable);
      g_test_add_func ("/secrets/no-keyring/refuses", test_unavailable_refuses);
    }
  else
    {
      g_test_add_func ("/secrets/header/bearer", test_header_bearer);
      g_test_add_func ("/secrets/header/basic", test_header_basic);
      g_test_add_func ("/secrets/header/bad-kind", test_header_bad_kind);
    }

  return g_test_run ();
}
