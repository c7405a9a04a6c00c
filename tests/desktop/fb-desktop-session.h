/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "fb-test-utils.h"

G_BEGIN_DECLS

/**
 * FbDesktopSession:
 * The desktop the app runs in, inside `xvfb-run dbus-run-session`: a fresh
 * directory for its settings and state, a notification daemon (dunst), and
 * the processes the test starts, which it ends when freed.
 *
 * Reads FEEDBELL (the executable), FEEDBELL_SCHEMA_DIR (compiled schemas)
 * and FEEDBELL_ICON_DIR from the environment.
 */
typedef struct _FbDesktopSession FbDesktopSession;

/* NULL (and a reason) when the environment cannot run the app. */
FbDesktopSession *fb_desktop_session_new              (char            **why_not);
void              fb_desktop_session_free             (FbDesktopSession *self);
GDBusConnection  *fb_desktop_session_get_bus          (FbDesktopSession *self);
const char       *fb_desktop_session_get_dir          (FbDesktopSession *self);

/* Like fb_test_wait_until(), but also re-checks @condition every few
 * milliseconds, for conditions that poll over D-Bus or on processes. */
gboolean          fb_desktop_session_wait             (FbTestCondition   condition,
                                                       gpointer          user_data,
                                                       guint             timeout_ms);

/* Apps started from now on register their widgets on the accessibility bus
 * (no NO_AT_BRIDGE), for tests that drive them over AT-SPI. */
void              fb_desktop_session_enable_accessibility (FbDesktopSession *self);

/* Starts dunst with a config of its own and waits until it, and not a
 * D-Bus-activated copy, owns org.freedesktop.Notifications. */
gboolean          fb_desktop_session_start_dunst      (FbDesktopSession *self,
                                                       GError          **error);
/* The unique bus name of the notification server. */
const char       *fb_desktop_session_get_dunst_name   (FbDesktopSession *self);
/* Has dunst invoke @action of notification @id, as a person choosing it in
 * its context menu does; dunst then sends ActionInvoked (id, @action). The
 * notification must be on screen. */
gboolean          fb_desktop_session_invoke_action    (FbDesktopSession *self,
                                                       guint32           id,
                                                       const char       *action,
                                                       GError          **error);

/* Starts the app with @argv (after the executable), stdout inherited,
 * stderr to a log; the session force-exits it when freed. */
GSubprocess      *fb_desktop_session_spawn_app        (FbDesktopSession   *self,
                                                       const char * const *argv,
                                                       GError            **error);
/* What every feedbell process of the session wrote on stderr so far. */
char             *fb_desktop_session_dup_app_log      (FbDesktopSession   *self);
/* Runs the app with @argv to its end (at most @timeout_ms): its exit status
 * (-1 when killed or timed out) and what it printed on stdout. */
int               fb_desktop_session_run_app          (FbDesktopSession   *self,
                                                       const char * const *argv,
                                                       guint               timeout_ms,
                                                       char              **stdout_text);
/* Waits as fb_desktop_session_wait() does; past @timeout_ms, runs @dump (a
 * statement that prints what the test knows) and fails the test, saying
 * what it waited for (the printf-style arguments after @timeout_ms). */
#define fb_desktop_session_wait_or_fail(dump, condition, data, timeout_ms, ...)              \
  G_STMT_START {                                                                       \
    if (!fb_desktop_session_wait ((condition), (data), (timeout_ms)))                  \
      {                                                                                \
        g_autofree char *_what = g_strdup_printf (__VA_ARGS__);                        \
        g_autofree char *_message = g_strdup_printf ("Timed out after %u ms: %s",      \
                                                     (guint) (timeout_ms), _what);     \
        dump;                                                                          \
        g_assertion_message (G_LOG_DOMAIN, __FILE__, __LINE__, G_STRFUNC, _message);   \
      }                                                                                \
  } G_STMT_END

/* Reads @process's stdout to its end and waits for it (at most
 * @timeout_ms, then it is killed): its exit status, -1 when it was killed
 * or timed out. */
int               fb_desktop_session_run_to_end       (GSubprocess       *process,
                                                       guint              timeout_ms,
                                                       char             **stdout_text);
/* Waits until @process has ended; its exit status, -1 when it was killed or
 * is still running at the deadline. */
int               fb_desktop_session_wait_exit        (GSubprocess       *process,
                                                       guint              timeout_ms);
gboolean          fb_desktop_session_is_running       (GSubprocess       *process);

/* Waits until @name has (or has no longer) an owner on the bus. */
gboolean          fb_desktop_session_wait_name        (FbDesktopSession *self,
                                                       const char       *name,
                                                       gboolean          owned,
                                                       guint             timeout_ms);
char             *fb_desktop_session_dup_name_owner   (FbDesktopSession *self,
                                                       const char       *name);

/* `import -window root` into the session dir, and a copy in
 * $FEEDBELL_SCREENSHOT_DIR/@file_name when that is set. Never fails a test. */
void              fb_desktop_session_screenshot       (FbDesktopSession *self,
                                                       const char       *file_name);
/* Output of a helper program (xwininfo …), NULL when it is not installed or fails. */
char             *fb_desktop_session_run_tool         (FbDesktopSession   *self,
                                                       const char * const *argv,
                                                       guint               timeout_ms);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FbDesktopSession, fb_desktop_session_free)

G_END_DECLS
