/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <gio/gdesktopappinfo.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fb-autostart.h"

/*
 * Every test runs with its own empty XDG_CONFIG_HOME
 * (G_TEST_OPTION_ISOLATE_DIRS), and looks at the autostart entry from
 * outside: where the desktop session would find it, as it would read it.
 */

static char *
dup_autostart_dir (void)
{
  return g_build_filename (g_get_user_config_dir (), "autostart", NULL);
}

static char *
dup_entry_path (void)
{
  return g_build_filename (g_get_user_config_dir (), "autostart",
                           "io.github.feedbell.Feedbell.desktop", NULL);
}

static GKeyFile *
load_entry (void)
{
  g_autoptr(GKeyFile) file = g_key_file_new ();
  g_autofree char *path = dup_entry_path ();
  g_autoptr(GError) error = NULL;

  g_key_file_load_from_file (file, path, G_KEY_FILE_NONE, &error);
  g_assert_no_error (error);

  return g_steal_pointer (&file);
}

static void
write_entry (const char *contents)
{
  g_autofree char *dir = dup_autostart_dir ();
  g_autofree char *path = dup_entry_path ();
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
}

static void
enable (void)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (fb_autostart_set_enabled (TRUE, &error));
  g_assert_no_error (error);
}

static void
disable (void)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (fb_autostart_set_enabled (FALSE, &error));
  g_assert_no_error (error);
}

/* Exit status 0 and no error or warning; hints are only reported, so a
 * newer validator's advice does not fail the build. */
static void
assert_valid_desktop_file (const char *path)
{
  g_autofree char *validator = g_find_program_in_path ("desktop-file-validate");
  g_autofree char *output = NULL;
  g_autoptr(GError) error = NULL;
  const char *argv[] = { validator, path, NULL };
  int status;

  if (validator == NULL)
    {
      g_test_message ("desktop-file-validate is not installed: not validating");
      return;
    }

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL,
                NULL, NULL, &output, NULL, &status, &error);
  g_assert_no_error (error);
  if (*output != '\0')
    g_test_message ("desktop-file-validate: %s", output);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  g_assert_null (strstr (output, "error:"));
  g_assert_null (strstr (output, "warning:"));
}

static void
test_enable (void)
{
  g_autofree char *dir = dup_autostart_dir ();
  g_autofree char *path = dup_entry_path ();
  g_autoptr(GKeyFile) file = NULL;
  g_autofree char *exec = NULL;
  g_autofree char *type = NULL;
  g_autofree char *icon = NULL;
  GStatBuf st;

  g_setenv ("FEEDBELL_AUTOSTART_EXEC", "", TRUE);
  g_assert_false (g_file_test (dir, G_FILE_TEST_EXISTS));
  g_assert_false (fb_autostart_get_enabled ());

  enable ();

  g_assert_true (fb_autostart_get_enabled ());
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
  g_assert_cmpint (g_stat (dir, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0700);

  file = load_entry ();
  exec = g_key_file_get_string (file, "Desktop Entry", "Exec", NULL);
  g_assert_cmpstr (exec, ==, "feedbell --background");
  g_assert_true (g_key_file_get_boolean (file, "Desktop Entry",
                                         "X-GNOME-Autostart-enabled", NULL));
  type = g_key_file_get_value (file, "Desktop Entry", "Type", NULL);
  g_assert_cmpstr (type, ==, "Application");
  icon = g_key_file_get_value (file, "Desktop Entry", "Icon", NULL);
  g_assert_cmpstr (icon, ==, "io.github.feedbell.Feedbell");
  g_assert_false (g_key_file_get_boolean (file, "Desktop Entry", "Terminal", NULL));
  assert_valid_desktop_file (path);

  /* Turning it on twice is harmless. */
  enable ();
  g_assert_true (fb_autostart_get_enabled ());
}

static void
test_disable (void)
{
  g_autofree char *path = dup_entry_path ();

  enable ();
  disable ();

  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  g_assert_false (fb_autostart_get_enabled ());

  /* Already off: not an error. */
  disable ();
}

static void
test_deleted_by_user (void)
{
  g_autofree char *path = dup_entry_path ();

  enable ();
  g_assert_cmpint (g_unlink (path), ==, 0);

  g_assert_false (fb_autostart_get_enabled ());
}

static void
test_turned_off_in_file (void)
{
  write_entry ("[Desktop Entry]\nType=Application\nName=Feedbell\n"
               "Exec=feedbell --background\nHidden=true\n");
  g_assert_false (fb_autostart_get_enabled ());

  write_entry ("[Desktop Entry]\nType=Application\nName=Feedbell\n"
               "Exec=feedbell --background\nX-GNOME-Autostart-enabled=false\n");
  g_assert_false (fb_autostart_get_enabled ());

  write_entry ("this is not a desktop entry\n");
  g_assert_false (fb_autostart_get_enabled ());

  /* Turning it on replaces whatever was there. */
  enable ();
  g_assert_true (fb_autostart_get_enabled ());
}

/* The program and arguments of the entry's Exec key, as a desktop session
 * reads them: unescaped for the key file, split as a shell would, then
 * with %% turned back into %. */
static GStrv
parse_exec (void)
{
  g_autoptr(GKeyFile) file = load_entry ();
  g_autofree char *exec = NULL;
  g_autoptr(GError) error = NULL;
  char **argv = NULL;

  exec = g_key_file_get_string (file, "Desktop Entry", "Exec", &error);
  g_assert_no_error (error);
  g_shell_parse_argv (exec, NULL, &argv, &error);
  g_assert_no_error (error);

  for (guint i = 0; argv[i] != NULL; i++)
    {
      g_auto(GStrv) pieces = g_strsplit (argv[i], "%%", -1);

      g_free (argv[i]);
      argv[i] = g_strjoinv ("%", pieces);
    }

  return argv;
}

static void
test_exec_override (void)
{
  g_autofree char *path = dup_entry_path ();
  g_autofree char *self = g_file_read_link ("/proc/self/exe", NULL);
  g_autoptr(GDesktopAppInfo) info = NULL;
  g_auto(GStrv) argv = NULL;
  const char *program = "/opt/My Apps/100% \"feed$bell\"\\bin/feedbell";

  /* An absolute path with characters the Exec key must quote. */
  g_setenv ("FEEDBELL_AUTOSTART_EXEC", program, TRUE);
  enable ();
  assert_valid_desktop_file (path);
  argv = parse_exec ();
  g_assert_cmpuint (g_strv_length (argv), ==, 2);
  g_assert_cmpstr (argv[0], ==, program);
  g_assert_cmpstr (argv[1], ==, "--background");

  /* Any other value: the running binary. GDesktopAppInfo, as the session
   * uses it, accepts the entry only when that program exists. */
  g_setenv ("FEEDBELL_AUTOSTART_EXEC", "1", TRUE);
  enable ();
  assert_valid_desktop_file (path);
  info = g_desktop_app_info_new_from_filename (path);
  g_assert_nonnull (info);
  g_assert_cmpstr (g_app_info_get_executable (G_APP_INFO (info)), ==, self);

  g_setenv ("FEEDBELL_AUTOSTART_EXEC", "", TRUE);
}

static gboolean
skip_as_root (void)
{
  if (geteuid () != 0)
    return FALSE;

  g_test_skip ("root can write to any folder: permissions cannot be tested");
  return TRUE;
}

static void
test_unwritable_folder (void)
{
  g_autofree char *dir = dup_autostart_dir ();
  g_autoptr(GError) error = NULL;

  if (skip_as_root ())
    return;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_assert_cmpint (g_chmod (dir, 0500), ==, 0);

  g_assert_false (fb_autostart_set_enabled (TRUE, &error));
  g_assert_nonnull (error);
  g_test_message ("%s", error->message);
  g_assert_true (g_str_has_prefix (error->message,
                                   "Could not turn on starting at login: "));
  g_assert_nonnull (strstr (error->message, dir));
  g_assert_false (fb_autostart_get_enabled ());

  g_assert_cmpint (g_chmod (dir, 0700), ==, 0);
}

static void
test_unwritable_config_folder (void)
{
  const char *config = g_get_user_config_dir ();
  g_autoptr(GError) error = NULL;

  if (skip_as_root ())
    return;

  g_assert_cmpint (g_mkdir_with_parents (config, 0700), ==, 0);
  g_assert_cmpint (g_chmod (config, 0500), ==, 0);

  g_assert_false (fb_autostart_set_enabled (TRUE, &error));
  g_assert_nonnull (error);
  g_test_message ("%s", error->message);
  g_assert_true (g_str_has_prefix (error->message,
                                   "Could not turn on starting at login: "));
  g_assert_false (fb_autostart_get_enabled ());

  /* Turning off what is not there still works. */
  disable ();

  g_assert_cmpint (g_chmod (config, 0700), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/autostart/enable", test_enable);
  g_test_add_func ("/autostart/disable", test_disable);
  g_test_add_func ("/autostart/deleted-by-user", test_deleted_by_user);
  g_test_add_func ("/autostart/turned-off-in-file", test_turned_off_in_file);
  g_test_add_func ("/autostart/exec-override", test_exec_override);
  g_test_add_func ("/autostart/unwritable-folder", test_unwritable_folder);
  g_test_add_func ("/autostart/unwritable-config-folder",
                   test_unwritable_config_folder);

  return g_test_run ();
}
