/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "fb-autostart"

#include "config.h"

#include "fb-autostart.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <string.h>

/*
 * Starting at login is an XDG autostart entry in the user's config
 * directory (XDG Autostart Specification). The file itself is the state:
 * nothing is cached or mirrored in GSettings, so a file the user deleted or
 * hid (Hidden=true, X-GNOME-Autostart-enabled=false) shows as "off".
 */

#define DESKTOP_FILE_NAME APP_ID ".desktop"

/* Reserved characters of the Exec key (Desktop Entry Specification). */
#define EXEC_RESERVED " \t\n\"'\\><~|&;$*?#()`"

static char *
dup_autostart_dir (void)
{
  return g_build_filename (g_get_user_config_dir (), "autostart", NULL);
}

static char *
dup_desktop_file_path (void)
{
  return g_build_filename (g_get_user_config_dir (), "autostart",
                           DESKTOP_FILE_NAME, NULL);
}

static gboolean
get_boolean (GKeyFile   *file,
             const char *key,
             gboolean    fallback)
{
  g_autoptr(GError) error = NULL;
  gboolean value;

  value = g_key_file_get_boolean (file, G_KEY_FILE_DESKTOP_GROUP, key, &error);

  return error == NULL ? value : fallback;
}

/**
 * fb_autostart_get_enabled:
 *
 * Returns: whether the session will start Feedbell at login: our autostart
 *   entry exists, can be read, and is neither hidden nor turned off
 */
gboolean
fb_autostart_get_enabled (void)
{
  g_autoptr(GKeyFile) file = g_key_file_new ();
  g_autofree char *path = dup_desktop_file_path ();

  if (!g_key_file_load_from_file (file, path, G_KEY_FILE_NONE, NULL) ||
      !g_key_file_has_group (file, G_KEY_FILE_DESKTOP_GROUP))
    return FALSE;

  return !get_boolean (file, G_KEY_FILE_DESKTOP_KEY_HIDDEN, FALSE) &&
         get_boolean (file, "X-GNOME-Autostart-enabled", TRUE);
}

/* The program to start: `feedbell` from $PATH, unless a development or
 * test run names another one (an absolute path, or any other value for
 * this very binary). */
static char *
dup_exec_program (void)
{
  const char *override = g_getenv ("FEEDBELL_AUTOSTART_EXEC");
  char *self;

  if (override == NULL || *override == '\0')
    return g_strdup ("feedbell");

  if (g_path_is_absolute (override))
    return g_strdup (override);

  self = g_file_read_link ("/proc/self/exe", NULL);
  return self != NULL ? self : g_strdup ("feedbell");
}

/* Quotes one argument for the Exec key. Escaping backslashes once more for
 * the key file itself is left to GKeyFile. */
static char *
quote_exec_argument (const char *arg)
{
  gboolean quote = arg[strcspn (arg, EXEC_RESERVED)] != '\0';
  GString *quoted = g_string_new (quote ? "\"" : "");

  for (const char *p = arg; *p != '\0'; p++)
    {
      if (quote && strchr ("\"`$\\", *p) != NULL)
        g_string_append_c (quoted, '\\');
      else if (*p == '%')
        g_string_append_c (quoted, '%');
      g_string_append_c (quoted, *p);
    }

  if (quote)
    g_string_append_c (quoted, '"');

  return g_string_free (quoted, FALSE);
}

static char *
build_desktop_entry (gsize *length)
{
  g_autoptr(GKeyFile) file = g_key_file_new ();
  g_autofree char *program = dup_exec_program ();
  g_autofree char *quoted = quote_exec_argument (program);
  g_autofree char *exec = g_strconcat (quoted, " --background", NULL);
  const char *group = G_KEY_FILE_DESKTOP_GROUP;

  g_key_file_set_string (file, group, G_KEY_FILE_DESKTOP_KEY_TYPE,
                         G_KEY_FILE_DESKTOP_TYPE_APPLICATION);
  g_key_file_set_string (file, group, G_KEY_FILE_DESKTOP_KEY_NAME, "Feedbell");
  /* The same string as the Comment of the app's own desktop file. */
  g_key_file_set_string (file, group, G_KEY_FILE_DESKTOP_KEY_COMMENT,
                         _("Desktop notifications from Server-Sent Events and ntfy feeds"));
  g_key_file_set_string (file, group, G_KEY_FILE_DESKTOP_KEY_EXEC, exec);
  g_key_file_set_string (file, group, G_KEY_FILE_DESKTOP_KEY_ICON, APP_ID);
  g_key_file_set_boolean (file, group, "X-GNOME-Autostart-enabled", TRUE);
  g_key_file_set_boolean (file, group, G_KEY_FILE_DESKTOP_KEY_NO_DISPLAY, FALSE);
  g_key_file_set_boolean (file, group, G_KEY_FILE_DESKTOP_KEY_TERMINAL, FALSE);

  return g_key_file_to_data (file, length, NULL);
}

static void
set_write_error (GError       **error,
                 const GError  *cause,
                 const char    *dir)
{
  g_autofree char *display = g_filename_display_name (dir);

  if (g_error_matches (cause, G_FILE_ERROR, G_FILE_ERROR_ACCES) ||
      g_error_matches (cause, G_FILE_ERROR, G_FILE_ERROR_PERM))
    g_set_error (error, cause->domain, cause->code,
                 _("Could not turn on starting at login: you are not allowed "
                   "to write to the folder “%s”: check its permissions"),
                 display);
  else
    g_set_error (error, cause->domain, cause->code,
                 _("Could not turn on starting at login: %s"), cause->message);
}

static gboolean
enable (GError **error)
{
  g_autofree char *dir = dup_autostart_dir ();
  g_autofree char *path = dup_desktop_file_path ();
  g_autofree char *contents = NULL;
  g_autoptr(GError) local_error = NULL;
  gsize length;

  /* A new autostart directory is private, as the config directory is. */
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved_errno = errno;
      g_autofree char *display = g_filename_display_name (dir);

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                   _("Could not turn on starting at login: could not create "
                     "the folder “%s”: %s"),
                   display, g_strerror (saved_errno));
      return FALSE;
    }

  /* Written to a temporary file, then renamed over the old one: a crash
   * or a full disk never leaves half an entry. */
  contents = build_desktop_entry (&length);
  if (!g_file_set_contents_full (path, contents, length,
                                 G_FILE_SET_CONTENTS_CONSISTENT, 0644,
                                 &local_error))
    {
      set_write_error (error, local_error, dir);
      return FALSE;
    }

  g_debug ("Wrote %s", path);
  return TRUE;
}

static gboolean
disable (GError **error)
{
  g_autofree char *path = dup_desktop_file_path ();
  int saved_errno;
  g_autofree char *display = NULL;

  if (g_unlink (path) == 0 || errno == ENOENT)
    return TRUE;

  saved_errno = errno;
  display = g_filename_display_name (path);
  g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
               _("Could not turn off starting at login: could not remove "
                 "“%s”: %s"),
               display, g_strerror (saved_errno));
  return FALSE;
}

/**
 * fb_autostart_set_enabled:
 * @enabled: whether Feedbell should start at login
 * @error: return location for a #GFileError with a message for the user
 *
 * Writes our autostart entry (`feedbell --background`), or deletes it.
 * Deleting an entry that is not there succeeds.
 *
 * Returns: %TRUE on success
 */
gboolean
fb_autostart_set_enabled (gboolean   enabled,
                          GError   **error)
{
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return enabled ? enable (error) : disable (error);
}
