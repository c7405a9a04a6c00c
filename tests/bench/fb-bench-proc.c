/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "fb-bench"

#include "config.h"

#include "fb-bench-util.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* What a process costs, from /proc, and waiting for processes. */

static char *
read_proc (const char *path)
{
  char *contents = NULL;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return NULL;

  return contents;
}

static guint64
status_value (const char *status,
              const char *field)
{
  g_autofree char *needle = g_strconcat ("\n", field, ":", NULL);
  const char *p = strstr (status, needle);

  if (p == NULL)
    return 0;

  return g_ascii_strtoull (p + strlen (needle), NULL, 10);
}

static gboolean
stat_ticks (GPid     pid,
            guint64 *ticks_ns)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", pid);
  g_autofree char *stat = NULL;
  g_auto(GStrv) fields = NULL;
  const char *after_comm;
  guint64 ticks;

  if (!g_file_get_contents (path, &stat, NULL, NULL) || (after_comm = strrchr (stat, ')')) == NULL)
    return FALSE;

  /* Fields after "(comm)": state is field 3, utime 14, stime 15. */
  fields = g_strsplit (after_comm + 2, " ", -1);
  if (g_strv_length (fields) < 13)
    return FALSE;

  ticks = g_ascii_strtoull (fields[11], NULL, 10) + g_ascii_strtoull (fields[12], NULL, 10);
  *ticks_ns = ticks * (G_GUINT64_CONSTANT (1000000000) / (guint64) sysconf (_SC_CLK_TCK));
  return TRUE;
}

/* utime + stime of the whole process (dead threads included), in ns; the
 * kernel counts them in clock ticks (10 ms here). */
guint64
fb_bench_proc_cpu_ns (GPid pid)
{
  guint64 ns = 0;

  stat_ticks (pid, &ns);
  return ns;
}

gint64
fb_bench_proc_status_kib (GPid        pid,
                          const char *field)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/status", pid);
  g_autofree char *status = read_proc (path);
  g_autofree char *needle = g_strconcat ("\n", field, ":", NULL);

  if (status == NULL || strstr (status, needle) == NULL)
    return -1;

  return (gint64) status_value (status, field);
}

GArray *
fb_bench_proc_threads_snapshot (GPid pid)
{
  g_autofree char *task_dir = g_strdup_printf ("/proc/%d/task", pid);
  g_autoptr(GDir) dir = g_dir_open (task_dir, 0, NULL);
  GArray *threads = g_array_new (FALSE, TRUE, sizeof (FbBenchThread));
  const char *tid;

  while (dir != NULL && (tid = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *status_path = g_strdup_printf ("%s/%s/status", task_dir, tid);
      g_autofree char *sched_path = g_strdup_printf ("%s/%s/schedstat", task_dir, tid);
      g_autofree char *status = read_proc (status_path);
      g_autofree char *sched = read_proc (sched_path);
      FbBenchThread thread = { 0 };
      const char *p;

      if (status == NULL)
        continue;
      thread.tid = atoi (tid);
      p = status + strlen ("Name:\t");
      g_strlcpy (thread.name, p, MIN (sizeof thread.name, strcspn (p, "\n") + 1));
      thread.voluntary = status_value (status, "voluntary_ctxt_switches");
      thread.involuntary = status_value (status, "nonvoluntary_ctxt_switches");
      thread.run_ns = sched ? g_ascii_strtoull (sched, NULL, 10) : 0;
      g_array_append_val (threads, thread);
    }

  return threads;
}

static FbBenchThread *
find_thread (GArray *threads,
             int     tid)
{
  for (guint i = 0; i < threads->len; i++)
    if (g_array_index (threads, FbBenchThread, i).tid == tid)
      return &g_array_index (threads, FbBenchThread, i);

  return NULL;
}

void
fb_bench_threads_diff (GArray       *start,
                       GArray       *end,
                       FbBenchUsage *usage,
                       GString      *report)
{
  for (guint i = 0; i < end->len; i++)
    {
      FbBenchThread *now = &g_array_index (end, FbBenchThread, i);
      FbBenchThread zero = { 0 };
      FbBenchThread *then = find_thread (start, now->tid);
      guint64 vol, invol;

      if (then == NULL)
        then = &zero;
      vol = now->voluntary - then->voluntary;
      invol = now->involuntary - then->involuntary;
      usage->voluntary += vol;
      usage->involuntary += invol;
      usage->run_ns += now->run_ns - then->run_ns;
      usage->n_threads++;
      if (report != NULL)
        g_string_append_printf (report, "%s%s%s %" G_GUINT64_FORMAT "+%" G_GUINT64_FORMAT,
                                report->len ? ", " : "", now->name, then == &zero ? " (new)" : "",
                                vol, invol);
    }

  for (guint i = 0; i < start->len; i++)
    {
      FbBenchThread *then = &g_array_index (start, FbBenchThread, i);

      if (find_thread (end, then->tid) == NULL && report != NULL)
        g_string_append_printf (report, "%s%s (exited: at least 1)", report->len ? ", " : "", then->name);
      if (find_thread (end, then->tid) == NULL)
        usage->voluntary++;
    }
}

GPid
fb_bench_subprocess_pid (GSubprocess *process)
{
  const char *id = g_subprocess_get_identifier (process);

  return id != NULL ? (GPid) atoi (id) : 0;
}

static void
wait_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  gboolean *done = user_data;

  g_subprocess_wait_finish (G_SUBPROCESS (object), result, NULL);
  *done = TRUE;
}

static gboolean
wait_timeout_cb (gpointer user_data)
{
  gboolean *timed_out = user_data;

  *timed_out = TRUE;
  return G_SOURCE_REMOVE;
}

/* Iterates the thread-default main context while it waits. */
gboolean
fb_bench_wait_exit (GSubprocess *process,
                    guint        timeout_ms)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  GMainContext *context = g_main_context_get_thread_default ();
  gboolean done = FALSE;
  gboolean timed_out = FALSE;
  guint timeout_id;

  g_subprocess_wait_async (process, cancellable, wait_done_cb, &done);
  timeout_id = g_timeout_add (timeout_ms, wait_timeout_cb, &timed_out);
  while (!done && !timed_out)
    g_main_context_iteration (context, TRUE);

  if (!timed_out)
    g_source_remove (timeout_id);
  if (!done)
    {
      g_cancellable_cancel (cancellable);
      while (!done)
        g_main_context_iteration (context, TRUE);
      return FALSE;
    }

  return TRUE;
}

void
fb_bench_terminate (GSubprocess *process)
{
  if (process == NULL || g_subprocess_get_identifier (process) == NULL)
    return;

  g_subprocess_send_signal (process, SIGTERM);
  if (!fb_bench_wait_exit (process, 5000))
    {
      g_subprocess_force_exit (process);
      fb_bench_wait_exit (process, 5000);
    }
}

