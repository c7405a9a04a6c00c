/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "fb-bench-messages-view"

#include "config.h"

#include <glib/gstdio.h>
#include <gtk/gtk.h>

#include "fb-bench-util.h"
#include "fb-history.h"
#include "fb-recent-store.h"
#include "fb-test-utils.h"
#include "fb-window.h"

/*
 * The main window's Messages page over a large history, in this process,
 * under `xvfb-run -a dbus-run-session --`:
 *
 *   fill    100,000 messages over 5 feeds and 30 days into a new history
 *           (fb_history_append(), then fb_history_sync())
 *   open    a new FbWindow on its Messages page → its list first drawn,
 *           with its first page of rows
 *   search  words typed in its search ("search-changed", which the entry
 *           sends 150 ms after the last key) → the results drawn
 *
 * Each of open and search is measured FB_BENCH_MESSAGES_RUNS times (5),
 * a new window each time; the median and the range are printed.
 *
 *   fb-bench-messages-view
 */

#define N_FEEDS        5
#define SPAN_DAYS      30
#define FRAME_MS       10000   /* a first frame that takes longer is a failure */

static const char * const subjects[] = {
  "Build", "Deploy", "Backup", "Disk", "Certificate", "Login", "Payment", "Sensor", "Job", "Mail",
};
static const char * const verbs[] = {
  "passed", "failed", "finished", "started", "expired", "renewed", "low", "recovered", "queued", "retried",
};
static const char * const hosts[] = {
  "alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet", "kilo",
};
static const char * const searches[] = { "backup fail", "certificate" };

typedef struct
{
  GtkWidget *list;
  gboolean   drawn;
  gint64     drawn_us;
} Frame;

static gboolean
list_draw_cb (GtkWidget *list,
              cairo_t   *cr,
              Frame     *frame)
{
  if (!frame->drawn && gtk_list_box_get_row_at_index (GTK_LIST_BOX (list), 0) != NULL)
    {
      frame->drawn = TRUE;
      frame->drawn_us = g_get_monotonic_time ();
    }

  return GDK_EVENT_PROPAGATE;
}

static gboolean
frame_drawn_cb (gpointer user_data)
{
  return ((Frame *) user_data)->drawn;
}

static gboolean
revealed_cb (gpointer user_data)
{
  return gtk_revealer_get_child_revealed (user_data);
}

/* The widget GtkBuilder named @name under @widget (the page's ids). */
static GtkWidget *
find_named (GtkWidget  *widget,
            const char *name)
{
  g_autoptr(GList) children = NULL;

  if (GTK_IS_BUILDABLE (widget) && g_strcmp0 (gtk_buildable_get_name (GTK_BUILDABLE (widget)), name) == 0)
    return widget;
  if (!GTK_IS_CONTAINER (widget))
    return NULL;

  children = gtk_container_get_children (GTK_CONTAINER (widget));
  for (GList *l = children; l != NULL; l = l->next)
    {
      GtkWidget *found = find_named (l->data, name);

      if (found != NULL)
        return found;
    }

  return NULL;
}

static guint
count_rows (GtkWidget *list)
{
  g_autoptr(GList) rows = gtk_container_get_children (GTK_CONTAINER (list));

  return g_list_length (rows);
}

static FbMessage *
make_message (guint i)
{
  const char *subject = subjects[i % G_N_ELEMENTS (subjects)];
  const char *verb = verbs[(i / G_N_ELEMENTS (subjects)) % G_N_ELEMENTS (verbs)];
  const char *host = hosts[i % G_N_ELEMENTS (hosts)];
  g_autofree char *feed = g_strdup_printf ("Feed %u", i % N_FEEDS + 1);
  g_autofree char *id = g_strdup_printf ("m%u", i);
  g_autofree char *title = g_strdup_printf ("%s %s on %s #%u", subject, verb, host, i);
  g_autofree char *body = g_strdup_printf ("Run %u of the %s job on %s took %u s. The previous run "
                                           "%s; see the log on https://ci.example/%u for details.",
                                           i, subject, host, i % 600, verbs[i % G_N_ELEMENTS (verbs)], i);

  return fb_recent_message_new (feed, id, title, body, i % 5 + 1, 0,
                                i % 3 == 0 ? "https://ci.example/run" : NULL);
}

static gboolean
fill (FbHistory *history,
      FbClock   *clock,
      guint      n_messages)
{
  gint64 now = g_get_real_time ();
  gint64 step = (gint64) SPAN_DAYS * G_TIME_SPAN_DAY / n_messages;
  gint64 start_us = g_get_monotonic_time ();
  g_autoptr(GError) error = NULL;
  g_autofree char *value = NULL;

  for (guint i = 0; i < n_messages; i++)
    {
      g_autoptr(FbMessage) message = make_message (i);
      g_autofree char *feed_id = g_strdup_printf ("f%u", i % N_FEEDS + 1);

      /* Oldest first, the last one now. */
      fb_clock_set_real (clock, now - (gint64) (n_messages - 1 - i) * step);
      fb_history_append (history, feed_id, message);
      if (i % 5000 == 4999)
        fb_test_flush_main_context ();
    }
  if (!fb_history_sync (history, &error))
    {
      g_printerr ("fb-bench-messages-view: %s\n", error->message);
      return FALSE;
    }

  value = g_strdup_printf ("%.1f s", (g_get_monotonic_time () - start_us) / 1e6);
  fb_bench_row ("Messages view", "fill: append and commit the history (not a target)", value, "", "", "");
  return TRUE;
}

/* A new window on its Messages page, until its list is drawn with rows. */
static GtkWidget *
open_window (GtkApplication *app,
             FbFeedManager  *manager,
             GSettings      *settings,
             FbHistory      *history,
             gint64         *elapsed_us,
             guint          *n_rows)
{
  Frame frame = { NULL, FALSE, 0 };
  gint64 start_us = g_get_monotonic_time ();
  FbWindow *window = fb_window_new (app, manager, settings, history);

  fb_window_show_messages (window, NULL);
  frame.list = find_named (GTK_WIDGET (window), "list");
  g_signal_connect_after (frame.list, "draw", G_CALLBACK (list_draw_cb), &frame);
  gtk_widget_show (GTK_WIDGET (window));

  if (!fb_test_wait_until (frame_drawn_cb, &frame, FRAME_MS))
    frame.drawn_us = 0;
  g_signal_handlers_disconnect_by_data (frame.list, &frame);
  *elapsed_us = frame.drawn_us > 0 ? frame.drawn_us - start_us : -1;
  *n_rows = count_rows (frame.list);

  return GTK_WIDGET (window);
}

/* "search-changed" at once, as the entry sends it after its debounce. */
static gint64
search (GtkWidget  *window,
        const char *words,
        guint      *n_rows)
{
  GtkWidget *entry = find_named (window, "search_entry");
  Frame frame = { find_named (window, "list"), FALSE, 0 };
  gint64 start_us;

  g_signal_connect_after (frame.list, "draw", G_CALLBACK (list_draw_cb), &frame);
  /* The search bar open, as when a person types: its opening animation
   * over before the clock starts. */
  g_action_group_activate_action (G_ACTION_GROUP (window), "find", NULL);
  if (!fb_test_wait_until (revealed_cb, gtk_bin_get_child (GTK_BIN (find_named (window, "search_bar"))),
                           FRAME_MS))
    return -1;

  frame.drawn = FALSE;
  start_us = g_get_monotonic_time ();
  gtk_entry_set_text (GTK_ENTRY (entry), words);
  g_signal_emit_by_name (entry, "search-changed");
  if (!fb_test_wait_until (frame_drawn_cb, &frame, FRAME_MS))
    frame.drawn_us = 0;
  g_signal_handlers_disconnect_by_data (frame.list, &frame);
  *n_rows = count_rows (frame.list);

  return frame.drawn_us > 0 ? frame.drawn_us - start_us : -1;
}

static char *
ms_range (GArray *values)
{
  return g_strdup_printf ("%.0f ms [%.0f–%.0f]", fb_bench_percentile (values, 50) / 1e3,
                          fb_bench_percentile (values, 0) / 1e3, fb_bench_percentile (values, 100) / 1e3);
}

static void
report (const char *measure,
        GArray     *values,
        guint       runs,
        double      target_ms,
        guint       n_rows)
{
  g_autofree char *what = g_strdup_printf ("%s, median of %u [min–max]; %u rows shown", measure, runs, n_rows);
  g_autofree char *value = values->len == runs ? ms_range (values) : g_strdup ("no frame drawn");
  g_autofree char *target = g_strdup_printf ("≤ %.0f ms", target_ms);
  gboolean met = values->len == runs && n_rows > 0 && fb_bench_percentile (values, 50) <= target_ms * 1e3;

  fb_bench_row ("Messages view", what, value, "", target, fb_bench_verdict (met));
}

typedef struct
{
  FbHistory *history;
  guint      runs;
  int        status;
} Bench;

static void
activate_cb (GtkApplication *app,
             Bench          *bench)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autoptr(FbFeedManager) manager = fb_feed_manager_new (settings, bench->history);
  g_autoptr(GArray) opens = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) searches_us = g_array_new (FALSE, FALSE, sizeof (gint64));
  guint open_rows = 0, search_rows = 0;

  for (guint run = 0; run < bench->runs; run++)
    {
      gint64 elapsed;
      GtkWidget *window = open_window (app, manager, settings, bench->history, &elapsed, &open_rows);

      if (elapsed >= 0)
        g_array_append_val (opens, elapsed);
      elapsed = search (window, searches[run % G_N_ELEMENTS (searches)], &search_rows);
      if (elapsed >= 0)
        g_array_append_val (searches_us, elapsed);
      gtk_widget_destroy (window);
      fb_test_flush_main_context ();
    }

  report ("open: new window → Messages list drawn with its first page", opens, bench->runs, 300, open_rows);
  report ("search: “search-changed” → results drawn", searches_us, bench->runs, 50, search_rows);
  bench->status = opens->len == bench->runs && searches_us->len == bench->runs ? 0 : 1;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("feedbell-bench-messages-XXXXXX", &error);
  g_autofree char *path = NULL;
  g_autoptr(FbClock) clock = NULL;
  g_autoptr(FbHistory) history = NULL;
  g_autoptr(GtkApplication) app = NULL;
  Bench bench = { NULL, fb_bench_env_uint ("FB_BENCH_MESSAGES_RUNS", 5), 1 };

  if (dir == NULL)
    {
      g_printerr ("fb-bench-messages-view: %s\n", error->message);
      return 1;
    }
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  g_setenv ("GSETTINGS_SCHEMA_DIR", FB_BENCH_SCHEMA_DIR, TRUE);
  g_setenv ("GDK_GL", "disable", FALSE);
  /* As fb-bench-desktop runs the app: no accessibility bridge. */
  g_setenv ("NO_AT_BRIDGE", "1", TRUE);
  /* As fb-bench-desktop runs the app: no accessibility bridge. */
  g_setenv ("NO_AT_BRIDGE", "1", TRUE);
  gtk_init (&argc, &argv);
  gtk_icon_theme_append_search_path (gtk_icon_theme_get_default (), FB_BENCH_ICON_DIR);

  path = g_build_filename (dir, "history.db", NULL);
  clock = fb_clock_new_manual (g_get_monotonic_time (), g_get_real_time ());
  history = fb_history_open (path, clock);
  fb_history_set_retention (history, 3650, 1000000);
  if (fill (history, clock, fb_bench_env_uint ("FB_BENCH_MESSAGES", 100000)))
    {
      bench.history = history;
      app = gtk_application_new ("io.github.feedbell.Feedbell.BenchMessages", G_APPLICATION_NON_UNIQUE);
      g_signal_connect (app, "activate", G_CALLBACK (activate_cb), &bench);
      g_application_run (G_APPLICATION (app), 0, NULL);
    }

  g_clear_object (&history);
  if (g_getenv ("FB_BENCH_KEEP_TMP") == NULL)
    fb_test_delete_tree (dir);
  else
    g_printerr ("fb-bench-messages-view: the history is in %s\n", dir);

  return bench.status;
}
