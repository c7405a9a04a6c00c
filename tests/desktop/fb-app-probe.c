/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "fb-desktop-test"

#include "config.h"

#include "fb-app-probe.h"

#include <string.h>

/*
 * Looking at a running app from outside: its memory in /proc, and how fast
 * its main loop answers D-Bus while a test floods it.
 */

#define PROBE_TIMEOUT_MS 5000

/* A "… kB" field of /proc/PID/status; 0 when there is none. */
static guint64
proc_status_kib (const char *text,
                 const char *field)
{
  g_autofree char *key = g_strconcat ("\n", field, ":", NULL);
  const char *line = strstr (text, key);

  return line ? g_ascii_strtoull (line + strlen (key), NULL, 10) : 0;
}

void
fb_proc_memory_read (const char   *pid,
                     FbProcMemory *memory)
{
  g_autofree char *path = g_strdup_printf ("/proc/%s/status", pid);
  g_autofree char *text = NULL;

  memset (memory, 0, sizeof *memory);
  if (!g_file_get_contents (path, &text, NULL, NULL))
    return;

  memory->rss_kib = proc_status_kib (text, "VmRSS");
  memory->anon_kib = proc_status_kib (text, "RssAnon");
  memory->peak_kib = proc_status_kib (text, "VmHWM");
}

/* Linux ≥ 4.0. Written in place: /proc takes no renames. */
gboolean
fb_proc_reset_peak (const char *pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%s/clear_refs", pid);
  g_autoptr(GError) error = NULL;

  if (!g_file_set_contents_full (path, "5", 1, G_FILE_SET_CONTENTS_NONE, 0600, &error))
    {
      g_test_message ("VmHWM stays the peak since the process started: %s", error->message);
      return FALSE;
    }

  return TRUE;
}

struct _FbProber
{
  GDBusConnection *bus;
  char            *name;
  char            *path;
  char            *interface;
  char            *property;
  guint            every_ms;
  GThread         *thread;
  GMutex           lock;
  GCond            cond;
  gboolean         stop;
  GArray          *round_trips_us;    /* gint64; the thread's until it has been joined */
  char            *first_error;
};

/* The test's main thread blocks in synchronous calls of its own, which
 * would otherwise count against the app: hence a thread. A properties Get
 * is answered from the app's main loop; Peer.Ping would not do, GDBus
 * answers it from its worker thread. */
static gpointer
prober_thread (gpointer user_data)
{
  FbProber *self = user_data;

  g_mutex_lock (&self->lock);
  while (!self->stop)
    {
      g_autoptr(GVariant) reply = NULL;
      g_autoptr(GError) error = NULL;
      gint64 sent, round_trip;

      g_mutex_unlock (&self->lock);
      sent = g_get_monotonic_time ();
      reply = g_dbus_connection_call_sync (self->bus, self->name, self->path,
                                           "org.freedesktop.DBus.Properties", "Get",
                                           g_variant_new ("(ss)", self->interface, self->property),
                                           G_VARIANT_TYPE ("(v)"), G_DBUS_CALL_FLAGS_NONE,
                                           PROBE_TIMEOUT_MS, NULL, &error);
      round_trip = g_get_monotonic_time () - sent;
      g_array_append_val (self->round_trips_us, round_trip);
      if (reply == NULL && self->first_error == NULL)
        self->first_error = g_strdup (error->message);

      /* One probe in flight at a time, one every every_ms at most. */
      g_mutex_lock (&self->lock);
      while (!self->stop &&
             g_cond_wait_until (&self->cond, &self->lock, sent + self->every_ms * G_TIME_SPAN_MILLISECOND))
        ;
    }
  g_mutex_unlock (&self->lock);

  return NULL;
}

FbProber *
fb_prober_start (GDBusConnection *bus,
                 const char      *name,
                 const char      *path,
                 const char      *interface,
                 const char      *property,
                 guint            every_ms)
{
  FbProber *self = g_new0 (FbProber, 1);

  self->bus = g_object_ref (bus);
  self->name = g_strdup (name);
  self->path = g_strdup (path);
  self->interface = g_strdup (interface);
  self->property = g_strdup (property);
  self->every_ms = every_ms;
  self->round_trips_us = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
  self->thread = g_thread_new ("prober", prober_thread, self);

  return self;
}

static int
compare_gint64 (gconstpointer a,
                gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return (x > y) - (x < y);
}

void
fb_prober_stop (FbProber *self)
{
  if (self->thread == NULL)
    return;

  g_mutex_lock (&self->lock);
  self->stop = TRUE;
  g_cond_signal (&self->cond);
  g_mutex_unlock (&self->lock);
  g_clear_pointer (&self->thread, g_thread_join);
  g_array_sort (self->round_trips_us, compare_gint64);
}

void
fb_prober_free (FbProber *self)
{
  fb_prober_stop (self);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);
  g_array_unref (self->round_trips_us);
  g_object_unref (self->bus);
  g_free (self->first_error);
  g_free (self->name);
  g_free (self->path);
  g_free (self->interface);
  g_free (self->property);
  g_free (self);
}

GArray *
fb_prober_get_round_trips (FbProber *self)
{
  g_assert (self->thread == NULL);
  return self->round_trips_us;
}

const char *
fb_prober_get_first_error (FbProber *self)
{
  g_assert (self->thread == NULL);
  return self->first_error;
}

double
fb_prober_percentile_ms (FbProber *self,
                         guint     percent)
{
  GArray *sorted = fb_prober_get_round_trips (self);
  guint i;

  if (sorted->len == 0)
    return 0;

  i = MIN (sorted->len - 1, sorted->len * percent / 100);
  return g_array_index (sorted, gint64, i) / 1000.0;
}
