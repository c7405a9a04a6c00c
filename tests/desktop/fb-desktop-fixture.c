/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "fb-desktop-test"

#include "config.h"

#include "fb-desktop-fixture.h"

#include "fb-sni-watcher.h"

/* Whether widgets can be looked at here: pyatspi, and an accessibility
 * bus (run-in-session.sh --try-a11y starts one when it can). */
static gboolean
can_drive_widgets (FbDesktopSession  *session,
                   char             **why_not)
{
  g_autofree char *owner = NULL;

  if (!fb_widget_driver_is_available (why_not))
    return FALSE;

  owner = fb_desktop_session_dup_name_owner (session, "org.a11y.Bus");
  if (owner == NULL)
    {
      *why_not = g_strdup ("no accessibility bus: run through `run-in-session.sh --try-a11y`");
      return FALSE;
    }

  return TRUE;
}

FbDesktopSession *
fb_desktop_fixture_new_session (gboolean with_a11y)
{
  g_autoptr(FbDesktopSession) session = NULL;
  g_autofree char *why_not = NULL;

  session = fb_desktop_session_new (&why_not);
  if (session == NULL || (with_a11y && !can_drive_widgets (session, &why_not)))
    {
      g_test_skip (why_not);
      return NULL;
    }
  if (with_a11y)
    fb_desktop_session_enable_accessibility (session);

  return g_steal_pointer (&session);
}

static gboolean
server_has_cap (FbDesktopSession *session,
                const char       *cap)
{
  g_autoptr(GVariant) reply = NULL;
  g_autofree const char **caps = NULL;
  g_autoptr(GError) error = NULL;

  reply = g_dbus_connection_call_sync (fb_desktop_session_get_bus (session),
                                       "org.freedesktop.Notifications", "/org/freedesktop/Notifications",
                                       "org.freedesktop.Notifications", "GetCapabilities",
                                       NULL, G_VARIANT_TYPE ("(as)"), G_DBUS_CALL_FLAGS_NONE,
                                       5000, NULL, &error);
  g_assert_no_error (error);
  g_variant_get (reply, "(^a&s)", &caps);

  return g_strv_contains (caps, cap);
}

FbNotifyMonitor *
fb_desktop_fixture_start_dunst (FbDesktopSession *session,
                                gboolean         *body_markup)
{
  g_autoptr(GError) error = NULL;
  FbNotifyMonitor *monitor;

  fb_desktop_session_start_dunst (session, &error);
  g_assert_no_error (error);
  monitor = fb_notify_monitor_new (fb_desktop_session_get_dunst_name (session), &error);
  g_assert_no_error (error);
  *body_markup = server_has_cap (session, "body-markup");
  /* Only the app's own calls count: GetCapabilities above is ours. */
  g_assert_cmpuint (fb_notify_monitor_get_n_calls (monitor), ==, 0);

  return monitor;
}

gboolean
fb_desktop_fixture_watcher_owns_name (gpointer watcher)
{
  return fb_sni_watcher_is_owner (watcher);
}

void
fb_desktop_fixture_end (FbWidgetDriver   **driver,
                        GSubprocess      **app,
                        FbDesktopSession **session)
{
  /* The driver before the app it looks at; the session last: it ends
   * the app before dunst, then waits for both names to go. */
  g_clear_pointer (driver, fb_widget_driver_free);
  g_clear_object (app);
  g_clear_pointer (session, fb_desktop_session_free);
}

void
fb_desktop_fixture_set_setting (GKeyFile   *keyfile,
                                const char *group,
                                const char *key,
                                GVariant   *value)
{
  g_autofree char *text = g_variant_print (g_variant_ref_sink (value), TRUE);

  g_key_file_set_string (keyfile, group, key, text);
  g_variant_unref (value);
}

char *
fb_desktop_fixture_set_feed (GKeyFile   *keyfile,
                             const char *id,
                             const char *url,
                             const char *name)
{
  const char * const feeds[] = { id, NULL };
  char *group = g_strconcat ("io/github/feedbell/Feedbell/feeds/", id, NULL);

  fb_desktop_fixture_set_setting (keyfile, "io/github/feedbell/Feedbell", "feeds",
                                  g_variant_new_strv (feeds, -1));
  fb_desktop_fixture_set_setting (keyfile, group, "url", g_variant_new_string (url));
  fb_desktop_fixture_set_setting (keyfile, group, "name", g_variant_new_string (name));

  return group;
}

void
fb_desktop_fixture_save_settings (FbDesktopSession *session,
                                  GKeyFile         *keyfile)
{
  g_autofree char *dir = g_build_filename (fb_desktop_session_get_dir (session),
                                           "config", "glib-2.0", "settings", NULL);
  g_autofree char *path = g_build_filename (dir, "keyfile", NULL);
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_key_file_save_to_file (keyfile, path, &error);
  g_assert_no_error (error);
}

FbMenuItem *
fb_desktop_fixture_get_menu (FbDesktopSession *session,
                             FbSniWatcher     *watcher)
{
  g_autofree char *path = NULL;

  if (!fb_sni_watcher_has_item (watcher))
    return NULL;

  path = fb_sni_watcher_dup_item_string (watcher, "Menu", NULL);
  if (path == NULL || g_str_equal (path, "/"))
    return NULL;

  return fb_dbusmenu_get_layout (fb_desktop_session_get_bus (session),
                                 fb_sni_watcher_get_item_name (watcher), path, NULL, NULL);
}

JsonObject *
fb_desktop_fixture_status_of (FbDesktopSession *session,
                              const char       *member,
                              const char       *value,
                              guint             timeout_ms)
{
  const char *argv[] = { "--status", NULL };
  g_autofree char *output = NULL;
  g_auto(GStrv) lines = NULL;
  JsonObject *found = NULL;
  int status = fb_desktop_session_run_app (session, argv, timeout_ms, &output);

  g_test_message ("feedbell --status printed:\n%s", output);
  g_assert_cmpint (status, ==, 0);
  g_assert_nonnull (output);

  lines = g_strsplit (output, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autoptr(GError) error = NULL;
      JsonObject *object;

      if (lines[i][0] == '\0')
        continue;

      json_parser_load_from_data (parser, lines[i], -1, &error);
      g_assert_no_error (error);
      g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
      object = json_node_get_object (json_parser_get_root (parser));
      if (g_strcmp0 (json_object_get_string_member_with_default (object, member, ""), value) != 0)
        continue;

      g_assert_null (found);
      found = json_object_ref (object);
    }
  g_assert_nonnull (found);

  return found;
}
