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
