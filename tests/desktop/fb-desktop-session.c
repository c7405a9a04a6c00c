/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "fb-desktop-test"

#include "config.h"

#include "fb-desktop-session.h"

#include <glib/gstdio.h>

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

/*
 * Everything the app needs from a desktop, made fresh for each test: its
 * own XDG directories (so GSettings' keyfile backend and the state dir start
 * empty and are shared by every feedbell process of the test, which the
 * memory backend is not), a notification daemon, and bounded waits on
 * processes and bus names. Processes get SIGKILL if the test dies, so a
 * failed assertion leaves nothing behind.
 */

#define POLL_MS            25
#define DUNST_START_MS     60000
#define PROCESS_EXIT_MS    30000
#define NOTIFICATIONS_NAME "org.freedesktop.Notifications"

static const char dunstrc[] =
  "[global]\n"
  "    monitor = 0\n"
  "    follow = none\n"
  "    width = 420\n"
  "    height = 120\n"
  "    origin = top-right\n"
  "    offset = 10x10\n"
  "    notification_limit = 6\n"
  "    font = Monospace 9\n"
  "    markup = full\n"
  "    format = \"<b>%a</b>: %s\\n%b\"\n"
  "    idle_threshold = 0\n"
  "    show_age_threshold = -1\n"
  "    history_length = 0\n"
  "    sticky_history = no\n"
  "    show_indicators = no\n"
  "    dmenu = /bin/false\n"
  "    browser = /bin/false\n"
  "    mouse_left_click = close_current\n"
  "[urgency_low]\n"
  "    timeout = 20\n"
  "[urgency_normal]\n"
  "    timeout = 20\n"
  "[urgency_critical]\n"
  "    timeout = 0\n";

/* dunst's context menu program ("dmenu", given the actions of the
 * notifications on screen, one line each ending in "[ID,ACTION]"): it
 * picks the line that holds the text of the file "menu-choice" beside it,
 * and none while that file is missing or empty, as /bin/false did. */
static const char menu_script[] =
  "#!/bin/sh\n"
  "choice=$(cat \"$(dirname \"$0\")/menu-choice\" 2>/dev/null)\n"
  "if [ -z \"$choice\" ]; then cat >/dev/null; exit 1; fi\n"
  "exec grep -F -e \"$choice\"\n";

struct _FbDesktopSession
{
  char            *dir;
  char            *feedbell;
  char           **environ;
  GDBusConnection *bus;
  GSubprocess     *dunst;
  char            *dunst_name;
  GPtrArray       *processes;     /* GSubprocess: ended when the session is freed */
  GPtrArray       *app_logs;      /* char *: "command line\0path" of each app's stderr */
};

static gboolean
tick_cb (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

gboolean
fb_desktop_session_wait (FbTestCondition condition,
                         gpointer        user_data,
                         guint           timeout_ms)
{
  guint tick = g_timeout_add (POLL_MS, tick_cb, NULL);
  gboolean held = fb_test_wait_until (condition, user_data, timeout_ms);

  g_source_remove (tick);
  return held;
}

static char *
make_subdir (const char *dir,
             const char *name)
{
  char *path = g_build_filename (dir, name, NULL);

  g_assert_cmpint (g_mkdir_with_parents (path, 0700), ==, 0);
  return path;
}

static char **
app_environment (FbDesktopSession *self)
{
  static const char * const xdg[][2] = {
    { "XDG_CONFIG_HOME", "config" },
    { "XDG_DATA_HOME", "data" },
    { "XDG_STATE_HOME", "state" },
    { "XDG_CACHE_HOME", "cache" },
    { "XDG_RUNTIME_DIR", "runtime" },
  };
  char **env = g_get_environ ();

  for (guint i = 0; i < G_N_ELEMENTS (xdg); i++)
    {
      g_autofree char *path = make_subdir (self->dir, xdg[i][1]);

      env = g_environ_setenv (env, xdg[i][0], path, TRUE);
    }

  /* The memory backend is per process: `feedbell --status` would see nothing. */
  env = g_environ_setenv (env, "GSETTINGS_BACKEND", "keyfile", TRUE);
  env = g_environ_setenv (env, "GSETTINGS_SCHEMA_DIR", g_getenv ("FEEDBELL_SCHEMA_DIR"), TRUE);
  env = g_environ_setenv (env, "FEEDBELL_ICON_DIR", g_getenv ("FEEDBELL_ICON_DIR"), TRUE);
  env = g_environ_setenv (env, "NO_AT_BRIDGE", "1", TRUE);
  env = g_environ_setenv (env, "GDK_BACKEND", "x11", TRUE);
  env = g_environ_setenv (env, "LC_ALL", "C.UTF-8", TRUE);
  /* The test's own G_DEBUG (fatal-criticals under a debugger) is not the app's. */
  env = g_environ_setenv (env, "G_DEBUG", g_getenv ("FEEDBELL_APP_G_DEBUG") ? g_getenv ("FEEDBELL_APP_G_DEBUG")
                                                                            : "gc-friendly", TRUE);
  env = g_environ_unsetenv (env, "LANGUAGE");
  env = g_environ_unsetenv (env, "WAYLAND_DISPLAY");
  env = g_environ_unsetenv (env, "GTK_MODULES");

  return env;
}

FbDesktopSession *
fb_desktop_session_new (char **why_not)
{
  static const char * const needed[] = {
    "FEEDBELL", "FEEDBELL_SCHEMA_DIR", "FEEDBELL_ICON_DIR", "DISPLAY", "DBUS_SESSION_BUS_ADDRESS",
  };
  g_autoptr(FbDesktopSession) self = NULL;
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (needed); i++)
    if (g_getenv (needed[i]) == NULL)
      {
        *why_not = g_strdup_printf ("%s is not set (run through run-in-session.sh from meson test)",
                                    needed[i]);
        return NULL;
      }

  self = g_new0 (FbDesktopSession, 1);
  self->processes = g_ptr_array_new_with_free_func (g_object_unref);
  self->app_logs = g_ptr_array_new_with_free_func (g_free);
  self->feedbell = g_strdup (g_getenv ("FEEDBELL"));
  self->dir = g_dir_make_tmp ("feedbell-desktop-XXXXXX", &error);
  g_assert_no_error (error);
  self->environ = app_environment (self);
  self->bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error);
  g_assert_no_error (error);
  g_dbus_connection_set_exit_on_close (self->bus, FALSE);

  return g_steal_pointer (&self);
}

void
fb_desktop_session_enable_accessibility (FbDesktopSession *self)
{
  self->environ = g_environ_unsetenv (self->environ, "NO_AT_BRIDGE");
}

static void
end_process (GSubprocess *process)
{
  if (!fb_desktop_session_is_running (process))
    return;

  g_subprocess_force_exit (process);
  fb_desktop_session_wait_exit (process, PROCESS_EXIT_MS);
}

void
fb_desktop_session_free (FbDesktopSession *self)
{
  if (self == NULL)
    return;

  /* The app first: it would otherwise D-Bus-activate another notification server. */
  for (guint i = 0; i < self->processes->len; i++)
    end_process (g_ptr_array_index (self->processes, i));
  if (self->dunst != NULL)
    {
      end_process (self->dunst);
      fb_desktop_session_wait_name (self, NOTIFICATIONS_NAME, FALSE, PROCESS_EXIT_MS);
    }
  fb_desktop_session_wait_name (self, APP_ID, FALSE, PROCESS_EXIT_MS);

  if (self->dir != NULL && g_getenv ("FEEDBELL_KEEP_TMP") == NULL)
    fb_test_delete_tree (self->dir);

  g_clear_pointer (&self->processes, g_ptr_array_unref);
  g_clear_pointer (&self->app_logs, g_ptr_array_unref);
  g_clear_object (&self->dunst);
  g_clear_object (&self->bus);
  g_strfreev (self->environ);
  g_free (self->dunst_name);
  g_free (self->feedbell);
  g_free (self->dir);
  g_free (self);
}

GDBusConnection *
fb_desktop_session_get_bus (FbDesktopSession *self)
{
  return self->bus;
}

const char *
fb_desktop_session_get_dir (FbDesktopSession *self)
{
  return self->dir;
}

static void
child_setup (gpointer user_data)
{
#ifdef __linux__
  /* Async-signal-safe: nothing outlives a test that aborts. */
  prctl (PR_SET_PDEATHSIG, SIGKILL);
#endif
}

static GSubprocessLauncher *
new_launcher (FbDesktopSession *self,
              GSubprocessFlags  flags)
{
  GSubprocessLauncher *launcher = g_subprocess_launcher_new (flags);

  g_subprocess_launcher_set_environ (launcher, self->environ);
  g_subprocess_launcher_set_cwd (launcher, self->dir);
  g_subprocess_launcher_set_child_setup (launcher, child_setup, NULL, NULL);

  return launcher;
}

static GSubprocess *
spawn (FbDesktopSession    *self,
       GSubprocessLauncher *launcher,
       const char          *program,
       const char * const  *argv,
       GError             **error)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) full = NULL;
  GSubprocess *process;

  g_strv_builder_add (builder, program);
  if (argv != NULL)
    g_strv_builder_addv (builder, (const char **) argv);
  full = g_strv_builder_end (builder);

  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) full, error);
  if (process != NULL)
    g_ptr_array_add (self->processes, g_object_ref (process));

  return process;
}

gboolean
fb_desktop_session_is_running (GSubprocess *process)
{
  /* GSubprocess drops the identifier once the child has been reaped. */
  return g_subprocess_get_identifier (process) != NULL;
}

static gboolean
has_ended_cb (gpointer user_data)
{
  return !fb_desktop_session_is_running (user_data);
}

int
fb_desktop_session_wait_exit (GSubprocess *process,
                              guint        timeout_ms)
{
  if (!fb_desktop_session_wait (has_ended_cb, process, timeout_ms))
    return -1;

  g_subprocess_wait (process, NULL, NULL);
  if (!g_subprocess_get_if_exited (process))
    return -1;

  return g_subprocess_get_exit_status (process);
}

char *
fb_desktop_session_dup_name_owner (FbDesktopSession *self,
                                   const char       *name)
{
  g_autoptr(GVariant) reply = NULL;
  char *owner = NULL;

  reply = g_dbus_connection_call_sync (self->bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "GetNameOwner",
                                       g_variant_new ("(s)", name), G_VARIANT_TYPE ("(s)"),
                                       G_DBUS_CALL_FLAGS_NONE, 5000, NULL, NULL);
  if (reply != NULL)
    g_variant_get (reply, "(s)", &owner);

  return owner;
}

typedef struct
{
  FbDesktopSession *session;
  const char       *name;
  gboolean          owned;
} NameWait;

static gboolean
name_state_cb (gpointer user_data)
{
  NameWait *wait = user_data;
  g_autofree char *owner = fb_desktop_session_dup_name_owner (wait->session, wait->name);

  return (owner != NULL) == wait->owned;
}

gboolean
fb_desktop_session_wait_name (FbDesktopSession *self,
                              const char       *name,
                              gboolean          owned,
                              guint             timeout_ms)
{
  NameWait wait = { self, name, owned };

  return fb_desktop_session_wait (name_state_cb, &wait, timeout_ms);
}

static guint32
name_owner_pid (FbDesktopSession *self,
                const char       *name)
{
  g_autoptr(GVariant) reply = NULL;
  guint32 pid = 0;

  reply = g_dbus_connection_call_sync (self->bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "GetConnectionUnixProcessID",
                                       g_variant_new ("(s)", name), G_VARIANT_TYPE ("(u)"),
                                       G_DBUS_CALL_FLAGS_NONE, 5000, NULL, NULL);
  if (reply != NULL)
    g_variant_get (reply, "(u)", &pid);

  return pid;
}

static gboolean
dunst_ready_cb (gpointer user_data)
{
  FbDesktopSession *self = user_data;

  if (!fb_desktop_session_is_running (self->dunst))
    return TRUE;

  return name_owner_pid (self, NOTIFICATIONS_NAME) ==
         (guint32) atoi (g_subprocess_get_identifier (self->dunst));
}

gboolean
fb_desktop_session_start_dunst (FbDesktopSession  *self,
                                GError           **error)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autofree char *config = g_build_filename (self->dir, "dunstrc", NULL);
  g_autofree char *log = g_build_filename (self->dir, "dunst.log", NULL);
  g_autofree char *menu = g_build_filename (self->dir, "dunst-menu", NULL);
  g_autofree char *menu_line = g_strdup_printf ("dmenu = %s", menu);
  g_autoptr(GString) rc = g_string_new (dunstrc);
  g_autofree char *owner = fb_desktop_session_dup_name_owner (self, NOTIFICATIONS_NAME);
  const char *argv[] = { "-config", config, NULL };

  g_return_val_if_fail (self->dunst == NULL, FALSE);

  if (owner != NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS,
                   "%s is already owned by %s", NOTIFICATIONS_NAME, owner);
      return FALSE;
    }
  g_string_replace (rc, "dmenu = /bin/false", menu_line, 1);
  if (!g_file_set_contents (menu, menu_script, -1, error) ||
      !g_file_set_contents (config, rc->str, -1, error))
    return FALSE;
  g_assert_cmpint (g_chmod (menu, 0700), ==, 0);

  launcher = new_launcher (self, G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
  g_subprocess_launcher_set_stderr_file_path (launcher, log);
  self->dunst = spawn (self, launcher, "dunst", argv, error);
  if (self->dunst == NULL)
    return FALSE;
  /* Ended last, after the app, by fb_desktop_session_free(). */
  g_ptr_array_remove (self->processes, self->dunst);

  if (!fb_desktop_session_wait (dunst_ready_cb, self, DUNST_START_MS) ||
      !fb_desktop_session_is_running (self->dunst))
    {
      g_autofree char *text = NULL;

      g_file_get_contents (log, &text, NULL, NULL);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   "dunst did not take %s within %u ms; its log:\n%s",
                   NOTIFICATIONS_NAME, DUNST_START_MS, text ? text : "(none)");
      return FALSE;
    }

  self->dunst_name = fb_desktop_session_dup_name_owner (self, NOTIFICATIONS_NAME);
  return self->dunst_name != NULL;
}

const char *
fb_desktop_session_get_dunst_name (FbDesktopSession *self)
{
  return self->dunst_name;
}

/* dunst has no call for one action of one notification: its context menu
 * (ContextMenuCall, `dunstctl context`) lists them all, and our menu
 * program picks @action of notification @id. The menu runs in a thread of
 * dunst's: the ActionInvoked signal comes later. */
gboolean
fb_desktop_session_invoke_action (FbDesktopSession  *self,
                                  guint32            id,
                                  const char        *action,
                                  GError           **error)
{
  g_autofree char *path = g_build_filename (self->dir, "menu-choice", NULL);
  g_autofree char *choice = g_strdup_printf ("[%u,%s]", id, action);
  g_autoptr(GVariant) reply = NULL;

  g_return_val_if_fail (self->dunst_name != NULL, FALSE);

  if (!g_file_set_contents (path, choice, -1, error))
    return FALSE;

  reply = g_dbus_connection_call_sync (self->bus, self->dunst_name, "/org/freedesktop/Notifications",
                                       "org.dunstproject.cmd0", "ContextMenuCall", NULL, NULL,
                                       G_DBUS_CALL_FLAGS_NONE, 5000, NULL, error);
  return reply != NULL;
}

/* Each feedbell process writes its stderr to a file of its own, so that a
 * test can tell what the app logged. */
static GSubprocessLauncher *
new_app_launcher (FbDesktopSession   *self,
                  GSubprocessFlags    flags,
                  const char * const *argv)
{
  GSubprocessLauncher *launcher = new_launcher (self, flags);
  g_autofree char *name = g_strdup_printf ("feedbell-%u.log", self->app_logs->len);
  g_autofree char *path = g_build_filename (self->dir, name, NULL);
  g_autofree char *args = argv ? g_strjoinv (" ", (char **) argv) : g_strdup ("");
  g_autoptr(GString) entry = g_string_new (NULL);

  g_subprocess_launcher_set_stderr_file_path (launcher, path);
  g_string_append_printf (entry, "feedbell %s", args);
  g_string_append_c (entry, '\0');
  g_string_append (entry, path);
  g_ptr_array_add (self->app_logs, g_memdup2 (entry->str, entry->len + 1));

  return launcher;
}

GSubprocess *
fb_desktop_session_spawn_app (FbDesktopSession   *self,
                              const char * const *argv,
                              GError            **error)
{
  g_autoptr(GSubprocessLauncher) launcher = new_app_launcher (self, G_SUBPROCESS_FLAGS_NONE, argv);

  return spawn (self, launcher, self->feedbell, argv, error);
}

char *
fb_desktop_session_dup_app_log (FbDesktopSession *self)
{
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < self->app_logs->len; i++)
    {
      const char *command = g_ptr_array_index (self->app_logs, i);
      const char *path = command + strlen (command) + 1;
      g_autofree char *contents = NULL;

      if (g_file_get_contents (path, &contents, NULL, NULL) && contents[0] != '\0')
        g_string_append_printf (text, "--- stderr of `%s`:\n%s", command, contents);
    }

  return g_string_free (text, FALSE);
}

typedef struct
{
  gboolean  done;
  char     *stdout_text;
} Communication;

static void
communicate_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  Communication *communication = user_data;

  g_subprocess_communicate_utf8_finish (G_SUBPROCESS (source), result,
                                        &communication->stdout_text, NULL, NULL);
  communication->done = TRUE;
}

static gboolean
communication_done_cb (gpointer user_data)
{
  Communication *communication = user_data;

  return communication->done;
}

int
fb_desktop_session_run_to_end (GSubprocess  *process,
                               guint         timeout_ms,
                               char        **stdout_text)
{
  Communication communication = { FALSE, NULL };

  g_subprocess_communicate_utf8_async (process, NULL, NULL, communicate_cb, &communication);
  if (!fb_desktop_session_wait (communication_done_cb, &communication, timeout_ms))
    {
      g_test_message ("Process %s did not end within %u ms: killed",
                      g_subprocess_get_identifier (process), timeout_ms);
      /* Killed, its pipes close: the communication ends and @communication is free to go. */
      g_subprocess_force_exit (process);
      fb_test_wait_until (communication_done_cb, &communication, G_MAXINT);
    }

  if (stdout_text != NULL)
    *stdout_text = g_steal_pointer (&communication.stdout_text);
  g_free (communication.stdout_text);

  return fb_desktop_session_wait_exit (process, PROCESS_EXIT_MS);
}

int
fb_desktop_session_run_app (FbDesktopSession   *self,
                            const char * const *argv,
                            guint               timeout_ms,
                            char              **stdout_text)
{
  g_autoptr(GSubprocessLauncher) launcher = new_app_launcher (self, G_SUBPROCESS_FLAGS_STDOUT_PIPE, argv);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;

  process = spawn (self, launcher, self->feedbell, argv, &error);
  g_assert_no_error (error);

  return fb_desktop_session_run_to_end (process, timeout_ms, stdout_text);
}

char *
fb_desktop_session_run_tool (FbDesktopSession   *self,
                             const char * const *argv,
                             guint               timeout_ms)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autofree char *path = g_find_program_in_path (argv[0]);
  char *text = NULL;

  if (path == NULL)
    return NULL;

  launcher = new_launcher (self, G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  process = spawn (self, launcher, path, argv + 1, NULL);
  if (process == NULL)
    return NULL;

  if (fb_desktop_session_run_to_end (process, timeout_ms, &text) != 0)
    g_clear_pointer (&text, g_free);

  return text;
}

static gboolean
notification_shown_cb (gpointer user_data)
{
  const char *argv[] = { "xwininfo", "-name", "Dunst", NULL };
  g_autofree char *info = fb_desktop_session_run_tool (user_data, argv, 5000);

  return info != NULL && strstr (info, "IsViewable") != NULL;
}

void
fb_desktop_session_screenshot (FbDesktopSession *self,
                               const char       *file_name)
{
  g_autofree char *path = g_build_filename (self->dir, file_name, NULL);
  const char *argv[] = { "import", "-window", "root", path, NULL };
  g_autofree char *output = NULL;
  const char *copy_dir = g_getenv ("FEEDBELL_SCREENSHOT_DIR");
  g_autoptr(GError) error = NULL;

  /* dunst maps its window a moment after the Notify call; a picture without
   * it is still taken after a while. */
  if (!fb_desktop_session_wait (notification_shown_cb, self, 5000))
    g_test_message ("No notification window on screen for the screenshot");
  output = fb_desktop_session_run_tool (self, argv, 30000);

  if (output == NULL)
    {
      g_test_message ("No screenshot: ImageMagick's import is missing or failed");
      return;
    }

  if (copy_dir != NULL && copy_dir[0] != '\0')
    {
      g_autofree char *copy_path = g_build_filename (copy_dir, file_name, NULL);
      g_autoptr(GFile) from = g_file_new_for_path (path);
      g_autoptr(GFile) to = g_file_new_for_path (copy_path);

      if (g_file_copy (from, to, G_FILE_COPY_OVERWRITE, NULL, NULL, NULL, &error))
        g_test_message ("Screenshot saved as %s", copy_path);
      else
        g_test_message ("Could not save the screenshot: %s", error->message);
    }
}
