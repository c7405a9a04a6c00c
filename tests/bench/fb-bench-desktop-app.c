/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "fb-bench-desktop"

#include "config.h"

#include "fb-bench-desktop-app.h"

#include <signal.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "fb-bench-desktop-bus.h"

static gboolean
tick_cb (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

gboolean
fb_bench_wait_until (FbBenchCondition condition,
            gpointer  user_data,
            guint     timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  guint tick = g_timeout_add (10, tick_cb, NULL);
  gboolean met;

  while (!(met = condition != NULL && condition (user_data)) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (tick);

  return met;
}

void
fb_bench_serve_for (guint ms)
{
  fb_bench_wait_until (NULL, NULL, ms);
}

static void
child_setup (gpointer user_data)
{
#ifdef __linux__
  /* Nothing outlives the benchmark, even if it dies. */
  prctl (PR_SET_PDEATHSIG, SIGKILL);
#endif
}

void
fb_bench_profile_free (FbBenchProfile *profile)
{
  g_free (profile->dir);
  g_strfreev (profile->environ);
  g_free (profile);
}

FbBenchProfile *
fb_bench_profile_new (const char     *parent,
                      const char     *name,
                      FbBenchEmitter *emitter,
                      guint           first_port,
                      guint           n_feeds,
                      const char     *settings)
{
  static const char * const xdg[][2] = {
    { "XDG_CONFIG_HOME", "config" }, { "XDG_DATA_HOME", "data" }, { "XDG_STATE_HOME", "state" },
    { "XDG_CACHE_HOME", "cache" }, { "XDG_RUNTIME_DIR", "runtime" }, { "HOME", "home" },
  };
  FbBenchProfile *profile = g_new0 (FbBenchProfile, 1);
  g_autoptr(GString) keyfile = g_string_new ("[io/github/feedbell/Feedbell]\nfeeds=[");
  g_autofree char *settings_dir = NULL;
  g_autofree char *keyfile_path = NULL;

  profile->dir = g_build_filename (parent, name, NULL);
  profile->environ = g_get_environ ();
  for (guint i = 0; i < G_N_ELEMENTS (xdg); i++)
    {
      g_autofree char *path = g_build_filename (profile->dir, xdg[i][1], NULL);

      g_mkdir_with_parents (path, 0700);
      profile->environ = g_environ_setenv (profile->environ, xdg[i][0], path, TRUE);
    }
  profile->environ = g_environ_setenv (profile->environ, "GSETTINGS_BACKEND", "keyfile", TRUE);
  profile->environ = g_environ_setenv (profile->environ, "GSETTINGS_SCHEMA_DIR",
                                       fb_bench_env_path ("FEEDBELL_SCHEMA_DIR", FB_BENCH_SCHEMA_DIR), TRUE);
  profile->environ = g_environ_setenv (profile->environ, "FEEDBELL_ICON_DIR",
                                       fb_bench_env_path ("FEEDBELL_ICON_DIR", FB_BENCH_ICON_DIR), TRUE);
  profile->environ = g_environ_setenv (profile->environ, "NO_AT_BRIDGE", "1", TRUE);
  profile->environ = g_environ_setenv (profile->environ, "GDK_BACKEND", "x11", TRUE);
  profile->environ = g_environ_unsetenv (profile->environ, "G_DEBUG");
  profile->environ = g_environ_unsetenv (profile->environ, "WAYLAND_DISPLAY");

  for (guint i = 0; i < n_feeds; i++)
    g_string_append_printf (keyfile, "%s'b%03u'", i ? ", " : "", i);
  g_string_append (keyfile, "]\n");
  if (settings != NULL)
    g_string_append (keyfile, settings);
  for (guint i = 0; i < n_feeds; i++)
    {
      g_autofree char *url = fb_bench_emitter_dup_url (emitter, first_port + i);

      g_string_append_printf (keyfile, "\n[io/github/feedbell/Feedbell/feeds/b%03u]\n"
                              "url='%s'\nname='bench %u'\n", i, url, i);
    }
  settings_dir = g_build_filename (profile->dir, "config", "glib-2.0", "settings", NULL);
  g_mkdir_with_parents (settings_dir, 0700);
  keyfile_path = g_build_filename (settings_dir, "keyfile", NULL);
  g_file_set_contents (keyfile_path, keyfile->str, keyfile->len, NULL);

  return profile;
}

GSubprocess *
fb_bench_profile_spawn (FbBenchProfile     *profile,
          const char * const *argv,
          const char         *log_name)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_autoptr(GError) error = NULL;
  g_autofree char *log = g_build_filename (profile->dir, log_name, NULL);
  GSubprocess *process;

  g_subprocess_launcher_set_environ (launcher, profile->environ);
  g_subprocess_launcher_set_cwd (launcher, profile->dir);
  g_subprocess_launcher_set_child_setup (launcher, child_setup, NULL, NULL);
  g_subprocess_launcher_set_stdout_file_path (launcher, log);
  g_subprocess_launcher_set_stderr_file_path (launcher, log);
  process = g_subprocess_launcher_spawnv (launcher, argv, &error);
  if (process == NULL)
    g_printerr ("fb-bench-desktop: %s: %s\n", argv[0], error->message);

  return process;
}

GSubprocess *
fb_bench_app_launch (FbBenchProfile *profile)
{
  g_auto(GStrv) wrapper = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();

  /* FB_BENCH_APP_WRAPPER="perf record -g -o …" profiles the app; the
   * process figures are then the wrapper's. */
  if (g_getenv ("FB_BENCH_APP_WRAPPER") != NULL)
    wrapper = g_strsplit (g_getenv ("FB_BENCH_APP_WRAPPER"), " ", -1);
  for (guint i = 0; wrapper != NULL && wrapper[i] != NULL; i++)
    if (wrapper[i][0] != '\0')
      g_ptr_array_add (argv, wrapper[i]);
  g_ptr_array_add (argv, (char *) fb_bench_env_path ("FEEDBELL", FB_BENCH_APP_PATH));
  g_ptr_array_add (argv, "--background");
  g_ptr_array_add (argv, NULL);

  return fb_bench_profile_spawn (profile, (const char * const *) argv->pdata, "feedbell.log");
}

static gboolean
app_name_gone_cb (gpointer user_data)
{
  g_autoptr(GVariant) reply = NULL;
  gboolean has_owner = FALSE;

  reply = g_dbus_connection_call_sync (fb_bench_bus_get (), "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "NameHasOwner",
                                       g_variant_new ("(s)", APP_ID), G_VARIANT_TYPE ("(b)"),
                                       G_DBUS_CALL_FLAGS_NONE, 5000, NULL, NULL);

  if (reply == NULL)
    return TRUE;
  g_variant_get (reply, "(b)", &has_owner);

  return !has_owner;
}

void
fb_bench_app_stop (GSubprocess *app)
{
  fb_bench_terminate (app);
  /* The next launch must be a primary instance, not a remote one. */
  fb_bench_wait_until (app_name_gone_cb, NULL, 5000);
}

gboolean
fb_bench_wait_accepts (FbBenchEmitter *emitter,
              guint           n,
              guint           timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *line = NULL;
      gint64 left = deadline - g_get_monotonic_time ();

      /* Keep serving the bus while the app connects. */
      while (line == NULL && left > 0)
        {
          fb_bench_serve_for (10);
          line = fb_bench_emitter_wait_line (emitter, "accept ", 10);
          left = deadline - g_get_monotonic_time ();
        }
      if (line == NULL)
        {
          g_printerr ("fb-bench-desktop: only %u of %u connections arrived\n", i, n);
          return FALSE;
        }
    }

  return TRUE;
}
