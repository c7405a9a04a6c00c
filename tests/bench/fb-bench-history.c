/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "fb-bench-history"

#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>
#include <time.h>

#include "fb-bench-util.h"
#include "fb-clock.h"
#include "fb-history.h"
#include "fb-message.h"

/*
 * The message history (FbHistory, SQLite) at the size a busy user reaches:
 *
 * (a) 100,000 messages over 5 feeds, made from templates and a vocabulary
 *     whose words are common, rare or absent: opening the history and
 *     reading the window's first page of 100; `feedbell --history` as a
 *     whole process; about 20 searches of the kinds a person types (common
 *     word, rare word, prefix, two words, one feed, nothing found).
 * (b) the file's size per 10,000 messages, the write-ahead log included,
 *     while the history is open and after it is closed.
 * (c) a flood of 10,000 messages appended in one main-loop burst, on top of
 *     that history: the main thread's time in fb_history_append(), the
 *     longest single call, the longest main-loop dispatch until the flood
 *     is committed (time in poll() left out), and the transactions it took.
 *
 *   fb-bench-history [--messages N] [--flood N] [--dir DIR]
 *
 * The database is made in DIR (default: the temporary directory), on
 * whatever disk that is; the page cache is warm (the figures are those of
 * an app that has run before, not of the first start after a boot).
 */

#define N_FEEDS      5
#define PAGE         100
#define VOCABULARY   20000
#define FILL_BURST   5000

typedef struct
{
  const char *id;
  const char *name;
} BenchFeed;

static const BenchFeed feeds[N_FEEDS] = {
  { "fci000001", "CI builds" },
  { "fhome00002", "Home Assistant" },
  { "fbackup003", "Backups" },
  { "falerts004", "Server alerts" },
  { "fnews00005", "News" },
};

static char *vocabulary[VOCABULARY];

/* "History, 100000 messages": the rows' first column. */
static char *benchmark_name;

/* Pronounceable made-up words, all different: vocabulary[0] is drawn most
 * often, the last ones almost never (draw_word()). */
static void
make_vocabulary (GRand *rand)
{
  static const char * const onsets[] = { "b", "c", "d", "f", "g", "k", "l", "m", "n", "p", "r", "s", "t", "v", "z", "br", "st", "tr" };
  static const char * const vowels[] = { "a", "e", "i", "o", "u", "ai", "ou" };
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < VOCABULARY; )
    {
      GString *word = g_string_new (NULL);
      guint syllables = 2 + g_rand_int_range (rand, 0, 3);

      for (guint s = 0; s < syllables; s++)
        {
          g_string_append (word, onsets[g_rand_int_range (rand, 0, G_N_ELEMENTS (onsets))]);
          g_string_append (word, vowels[g_rand_int_range (rand, 0, G_N_ELEMENTS (vowels))]);
        }
      if (g_hash_table_contains (seen, word->str))
        {
          g_string_free (word, TRUE);
          continue;
        }
      vocabulary[i] = g_string_free (word, FALSE);
      g_hash_table_add (seen, vocabulary[i++]);
    }
}

/* Zipf-like: the rank is log-uniform, so word k is drawn about 1/k as often
 * as the first. */
static const char *
draw_word (GRand *rand)
{
  double u = g_rand_double (rand);
  guint rank = (guint) floor (exp (u * log (VOCABULARY + 1.0))) - 1;

  return vocabulary[MIN (rank, VOCABULARY - 1)];
}

static void
append_words (GString *text,
              GRand   *rand,
              guint    n)
{
  for (guint i = 0; i < n; i++)
    g_string_append_printf (text, "%s%s", i > 0 ? " " : "", draw_word (rand));
}

#define PICK(rand, array) ((array)[g_rand_int_range ((rand), 0, G_N_ELEMENTS (array))])

static void
make_text (GRand   *rand,
           guint    feed,
           guint    serial,
           GString *title,
           GString *body)
{
  static const char * const ci_status[] = { "passed", "passed", "passed", "failed", "cancelled" };
  static const char * const branches[] = { "main", "release-2.4", "feature-login", "fix-memory-leak", "docs" };
  static const char * const entities[] = { "Kitchen light", "Front door", "Thermostat", "Washing machine", "Garage door" };
  static const char * const states[] = { "on", "off", "open", "closed", "unavailable" };
  static const char * const backup_status[] = { "finished", "finished", "finished", "failed" };
  static const char * const hosts[] = { "nas-01", "nas-02", "laptop", "db-primary", "web-03" };
  static const char * const alerts[] = { "High CPU load", "Disk almost full", "Certificate expires soon", "Service restarted", "Memory pressure" };

  switch (feed)
    {
    case 0:
      g_string_printf (title, "Build #%u %s on %s", serial, PICK (rand, ci_status), PICK (rand, branches));
      g_string_printf (body, "%u tests, %u failures. Commit %06x: ", g_rand_int_range (rand, 100, 3000),
                       g_rand_int_range (rand, 0, 4), g_rand_int (rand) & 0xffffff);
      break;
    case 1:
      g_string_printf (title, "%s is %s", PICK (rand, entities), PICK (rand, states));
      g_string_printf (body, "Temperature %d.%d °C, humidity %d%%. ", g_rand_int_range (rand, 15, 30),
                       g_rand_int_range (rand, 0, 10), g_rand_int_range (rand, 30, 70));
      break;
    case 2:
      g_string_printf (title, "Backup %s on %s", PICK (rand, backup_status), PICK (rand, hosts));
      g_string_printf (body, "%u files, %u MiB in %u s. ", g_rand_int_range (rand, 10, 90000),
                       g_rand_int_range (rand, 1, 20000), g_rand_int_range (rand, 5, 4000));
      break;
    case 3:
      g_string_printf (title, "%s on %s", PICK (rand, alerts), PICK (rand, hosts));
      g_string_printf (body, "Threshold crossed at %02u:%02u. ", g_rand_int_range (rand, 0, 24), g_rand_int_range (rand, 0, 60));
      break;
    default:
      g_string_truncate (title, 0);
      append_words (title, rand, 5 + g_rand_int_range (rand, 0, 6));
      title->str[0] = g_ascii_toupper (title->str[0]);
      g_string_truncate (body, 0);
      break;
    }
  append_words (body, rand, 12 + g_rand_int_range (rand, 0, 30));
}

static FbMessage *
make_message (GRand *rand,
              guint  feed,
              guint  serial)
{
  g_autoptr(GString) title = g_string_new (NULL);
  g_autoptr(GString) body = g_string_new (NULL);
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *json = NULL;

  make_text (rand, feed, serial, title, body);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "title");
  json_builder_add_string_value (builder, title->str);
  json_builder_set_member_name (builder, "message");
  json_builder_add_string_value (builder, body->str);
  json_builder_set_member_name (builder, "priority");
  json_builder_add_int_value (builder, 1 + g_rand_int_range (rand, 0, 5));
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  json = json_generator_to_data (generator, NULL);

  return fb_message_new_from_event (feeds[feed].name, FB_MESSAGE_FORMAT_NTFY, "message",
                                    json, strlen (json), "");
}

/* ------------------------------------------------------------------------- */

static void
sync_or_die (FbHistory *history)
{
  g_autoptr(GError) error = NULL;

  if (!fb_history_sync (history, &error))
    g_error ("The history could not be written: %s", error->message);
}

/* @n messages over the last 30 days, oldest first, in bursts as a busy
 * app would write them; a few messages carry the word "zeppelin". */
static void
fill (FbHistory *history,
      FbClock   *clock,
      GRand     *rand,
      guint      n)
{
  gint64 start = fb_clock_get_real (clock) - 30 * G_TIME_SPAN_DAY;
  gint64 began = fb_bench_now_ns ();

  for (guint i = 0; i < n; i++)
    {
      guint feed = g_rand_int_range (rand, 0, N_FEEDS);
      g_autoptr(FbMessage) message = NULL;

      if (i % 20000 == 19999)
        message = fb_message_new_from_event (feeds[feed].name, FB_MESSAGE_FORMAT_PLAIN, "message",
                                             "Zeppelin spotted\nOver the harbour", 33, "");
      else
        message = make_message (rand, feed, i);
      fb_clock_set_real (clock, start + (gint64) i * (30 * G_TIME_SPAN_DAY / n));
      fb_history_append (history, feeds[feed].id, message);
      if (i % FILL_BURST == FILL_BURST - 1)
        sync_or_die (history);
    }
  sync_or_die (history);
  g_printerr ("fb-bench-history: %u messages written in %.1f s\n", n, (fb_bench_now_ns () - began) / 1e9);
}

static gint64
file_size (const char *path)
{
  GStatBuf st;

  return g_stat (path, &st) == 0 ? (gint64) st.st_size : 0;
}

static gint64
db_and_wal_size (const char *path,
                 gint64     *wal)
{
  g_autofree char *wal_path = g_strconcat (path, "-wal", NULL);

  *wal = file_size (wal_path);
  return file_size (path) + *wal;
}

/* ------------------------------------------------------------------------- */

typedef struct
{
  const char *kind;
  const char *feed_id;
  char       *search;
} Search;

static GPtrArray *
make_searches (void)
{
  GPtrArray *searches = g_ptr_array_new ();
  const struct { const char *kind; const char *feed_id; const char *search; } fixed[] = {
    { "common word", NULL, "failed" },
    { "common word", NULL, "door" },
    { "common word", NULL, "temperature" },
    { "rare word", NULL, "zeppelin" },
    { "prefix", NULL, "temp" },
    { "prefix", NULL, "back" },
    { "prefix", NULL, "cert" },
    { "two words", NULL, "backup failed" },
    { "two words", NULL, "front door" },
    { "one feed", feeds[0].id, "failed" },
    { "one feed", feeds[1].id, "door" },
    { "one feed", feeds[2].id, NULL },
    { "nothing found", NULL, "xylophone" },
    { "nothing found", NULL, "qqzzx" },
    { "nothing found", feeds[1].id, "backup" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (fixed); i++)
    {
      Search *s = g_new0 (Search, 1);

      *s = (Search) { fixed[i].kind, fixed[i].feed_id, g_strdup (fixed[i].search) };
      g_ptr_array_add (searches, s);
    }
  /* From the vocabulary: the most common word, two rare ones, a prefix,
   * one feed's common word. */
  {
    const struct { const char *kind; const char *feed_id; char *search; } drawn[] = {
      { "common word", NULL, g_strdup (vocabulary[0]) },
      { "rare word", NULL, g_strdup (vocabulary[VOCABULARY - 1]) },
      { "rare word", NULL, g_strdup (vocabulary[VOCABULARY / 2]) },
      { "prefix", NULL, g_strndup (vocabulary[3], 3) },
      { "one feed", feeds[4].id, g_strdup (vocabulary[1]) },
    };

    for (guint i = 0; i < G_N_ELEMENTS (drawn); i++)
      {
        Search *s = g_new0 (Search, 1);

        *s = (Search) { drawn[i].kind, drawn[i].feed_id, drawn[i].search };
        g_ptr_array_add (searches, s);
      }
  }

  return searches;
}

static gint64
timed_query (FbHistory            *history,
             const FbHistoryQuery *query,
             guint                *n_found)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  gint64 start = fb_bench_now_ns ();
  gint64 elapsed;

  entries = fb_history_query (history, query, &error);
  elapsed = fb_bench_now_ns () - start;
  if (entries == NULL)
    g_error ("Query failed: %s", error->message);
  *n_found = entries->len;

  return elapsed;
}

static void
bench_searches (FbHistory *history)
{
  g_autoptr(GPtrArray) searches = make_searches ();
  g_autoptr(GArray) all = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autofree char *value = NULL;
  g_autofree char *worst_name = NULL;
  g_autofree char *measure = NULL;
  gint64 worst = 0;

  for (guint i = 0; i < searches->len; i++)
    {
      Search *s = g_ptr_array_index (searches, i);
      FbHistoryQuery query = { .feed_id = s->feed_id, .search = s->search, .limit = PAGE };
      guint n_found;
      gint64 ns = timed_query (history, &query, &n_found);

      g_array_append_val (all, ns);
      g_printerr ("fb-bench-history: search %-13s %-10s \"%s\": %u found in %.2f ms\n", s->kind,
                  s->feed_id ? s->feed_id : "", s->search ? s->search : "", n_found, ns / 1e6);
      if (ns > worst)
        {
          worst = ns;
          g_free (worst_name);
          worst_name = g_strdup_printf ("%s “%s”", s->kind, s->search ? s->search : "(none)");
        }
    }

  value = g_strdup_printf ("median %.1f ms · worst %.1f ms (%s)", fb_bench_percentile (all, 50) / 1e6,
                           worst / 1e6, worst_name);
  measure = g_strdup_printf ("%u searches, first page of %u", all->len, PAGE);
  fb_bench_row (benchmark_name, measure, value, "", "≤ 50 ms",
                fb_bench_verdict (worst <= 50 * 1000000));
  for (guint i = 0; i < searches->len; i++)
    g_free (((Search *) g_ptr_array_index (searches, i))->search);
  g_ptr_array_set_free_func (searches, g_free);
}

/* ------------------------------------------------------------------------- */

/* Opening as the window does: the history, then its first page. */
static gint64
bench_open (const char *path,
            FbClock    *clock,
            gboolean    read_only)
{
  g_autoptr(FbHistory) history = NULL;
  g_autoptr(GError) error = NULL;
  FbHistoryQuery query = { .limit = PAGE };
  gint64 start = fb_bench_now_ns ();
  guint n_found;

  history = read_only ? fb_history_open_read_only (path, &error) : fb_history_open (path, clock);
  if (history == NULL)
    g_error ("Could not open %s: %s", path, error->message);
  timed_query (history, &query, &n_found);
  g_assert (n_found == PAGE);

  return fb_bench_now_ns () - start;
}

/* `feedbell --history --json --limit 100`, a whole process, as a person or
 * a script runs it. */
static gint64
bench_cli (const char *data_home)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                                                       G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  gint64 start;

  g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", data_home, TRUE);
  g_subprocess_launcher_setenv (launcher, "GSETTINGS_BACKEND", "memory", TRUE);
  g_subprocess_launcher_setenv (launcher, "GSETTINGS_SCHEMA_DIR", FB_BENCH_SCHEMA_DIR, TRUE);
  g_subprocess_launcher_unsetenv (launcher, "DISPLAY");
  g_subprocess_launcher_unsetenv (launcher, "WAYLAND_DISPLAY");
  start = fb_bench_now_ns ();
  process = g_subprocess_launcher_spawn (launcher, &error, FB_BENCH_APP_PATH, "--history", "--json",
                                         "--limit", "100", NULL);
  if (process == NULL || !g_subprocess_wait_check (process, NULL, &error))
    {
      g_printerr ("fb-bench-history: feedbell --history: %s\n", error->message);
      return -1;
    }

  return fb_bench_now_ns () - start;
}

static void
bench_opening (const char *path,
               const char *data_home,
               FbClock    *clock)
{
  g_autoptr(GArray) window = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) read_only = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) cli = g_array_new (FALSE, FALSE, sizeof (gint64));
  gint64 first;
  g_autofree char *value = NULL;
  g_autofree char *value_ro = NULL;
  g_autofree char *value_cli = NULL;

  first = bench_open (path, clock, FALSE);
  for (guint i = 0; i < 5; i++)
    {
      gint64 ns = bench_open (path, clock, FALSE);
      gint64 ro = bench_open (path, clock, TRUE);
      gint64 whole = bench_cli (data_home);

      g_array_append_val (window, ns);
      g_array_append_val (read_only, ro);
      if (whole > 0)
        g_array_append_val (cli, whole);
    }
  value = g_strdup_printf ("first %.1f ms · median of 5 %.1f ms", first / 1e6, fb_bench_percentile (window, 50) / 1e6);
  value_ro = g_strdup_printf ("median of 5 %.1f ms", fb_bench_percentile (read_only, 50) / 1e6);
  value_cli = cli->len > 0 ? g_strdup_printf ("median of %u %.1f ms", cli->len, fb_bench_percentile (cli, 50) / 1e6)
                           : g_strdup ("failed, see the log");
  fb_bench_row (benchmark_name, "open (writer, reader, checks) + first page of 100", value, "",
                "≤ 300 ms", fb_bench_verdict (MAX (first, fb_bench_percentile (window, 100)) <= 300 * 1000000));
  fb_bench_row (benchmark_name, "open read-only + first page of 100 (`--history`)", value_ro, "", "", "");
  fb_bench_row (benchmark_name, "`feedbell --history --json --limit 100`, whole process", value_cli, "", "", "");
}

static void
report_size (const char *path,
             guint       n_messages,
             FbHistory  *open_history)
{
  gint64 wal = 0;
  gint64 open_total = db_and_wal_size (path, &wal);
  gint64 open_wal = wal;
  gint64 closed_total;
  g_autofree char *value = NULL;

  g_object_unref (open_history);
  closed_total = db_and_wal_size (path, &wal);
  value = g_strdup_printf ("%.2f MiB open (WAL %.1f MiB) · %.2f MiB closed (WAL %.1f MiB)",
                           open_total / FB_BENCH_MIB * 10000.0 / n_messages, open_wal / FB_BENCH_MIB,
                           closed_total / FB_BENCH_MIB * 10000.0 / n_messages, wal / FB_BENCH_MIB);
  g_printerr ("fb-bench-history: %u messages: %" G_GINT64_FORMAT " bytes open, %" G_GINT64_FORMAT " closed\n",
              n_messages, open_total, closed_total);
  fb_bench_row (benchmark_name, "file size per 10,000 messages (database + WAL)", value, "", "", "");
}

/* ------------------------------------------------------------------------- */

/* The main thread's own CPU time: a call that took long on the wall clock
 * but not on this one was preempted (by the writer thread, or anything
 * else on the machine), not busy. */
static gint64
thread_cpu_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return (gint64) ts.tv_sec * G_GINT64_CONSTANT (1000000000) + ts.tv_nsec;
}

typedef struct
{
  gint64 poll_ns;      /* time in poll() since it was last read */
} PollClock;

static PollClock poll_clock;

static gint
timed_poll (GPollFD *fds,
            guint    n_fds,
            gint     timeout)
{
  gint64 start = fb_bench_now_ns ();
  gint ret = g_poll (fds, n_fds, timeout);

  poll_clock.poll_ns += fb_bench_now_ns () - start;
  return ret;
}

static void
changed_cb (FbHistory *history,
            gboolean  *changed)
{
  *changed = TRUE;
}

/* Iterates the main loop until @last_id is committed; returns the longest
 * single iteration's time outside poll() and adds them all to @total. */
static gint64
drain (FbHistory *history,
       gint64     last_id,
       gint64    *total)
{
  gboolean changed = FALSE;
  gint64 longest = 0;
  gint64 deadline = fb_bench_now_ns () + 120 * G_GINT64_CONSTANT (1000000000);
  gulong handler = g_signal_connect (history, "changed", G_CALLBACK (changed_cb), &changed);
  gboolean committed = FALSE;

  g_main_context_set_poll_func (NULL, timed_poll);
  while (!committed && fb_bench_now_ns () < deadline)
    {
      gint64 start = fb_bench_now_ns ();
      gint64 busy;

      poll_clock.poll_ns = 0;
      g_main_context_iteration (NULL, TRUE);
      busy = fb_bench_now_ns () - start - poll_clock.poll_ns;
      longest = MAX (longest, busy);
      *total += busy;
      if (changed)
        {
          g_autoptr(FbHistoryEntry) entry = fb_history_lookup (history, last_id);

          changed = FALSE;
          committed = entry != NULL;
        }
    }
  g_main_context_set_poll_func (NULL, g_poll);
  g_signal_handler_disconnect (history, handler);
  if (!committed)
    g_error ("The flood was not committed within two minutes");

  return longest;
}

static void
bench_flood (const char *path,
             FbClock    *clock,
             GRand      *rand,
             guint       n)
{
  g_autoptr(FbHistory) history = fb_history_open (path, clock);
  g_autoptr(GPtrArray) messages = g_ptr_array_new_with_free_func (g_object_unref);
  gint64 in_append = 0, longest_append = 0, longest_cpu = 0, in_loop = 0, longest_dispatch, last_id = 0;
  gint64 began;
  guint transactions, longest_index = 0;
  g_autofree char *append_value = NULL;
  g_autofree char *loop_value = NULL;
  g_autofree char *tx_value = NULL;
  g_autofree char *name = g_strdup_printf ("History, a flood of %u messages", n);

  for (guint i = 0; i < n; i++)
    g_ptr_array_add (messages, make_message (rand, i % N_FEEDS, i));
  /* Whatever opening queued is done before the flood begins. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  transactions = fb_history_get_n_transactions (history);

  began = fb_bench_now_ns ();
  for (guint i = 0; i < n; i++)
    {
      gint64 cpu_start = thread_cpu_ns ();
      gint64 start = fb_bench_now_ns ();
      gint64 ns, cpu;

      last_id = fb_history_append (history, feeds[i % N_FEEDS].id, g_ptr_array_index (messages, i));
      ns = fb_bench_now_ns () - start;
      cpu = thread_cpu_ns () - cpu_start;
      in_append += ns;
      longest_cpu = MAX (longest_cpu, cpu);
      if (ns > longest_append)
        {
          longest_append = ns;
          longest_index = i;
        }
    }
  longest_dispatch = drain (history, last_id, &in_loop);
  transactions = fb_history_get_n_transactions (history) - transactions;
  g_printerr ("fb-bench-history: flood of %u committed %.1f ms after its first append; "
              "the longest append was number %u\n", n, (fb_bench_now_ns () - began) / 1e6, longest_index);

  append_value = g_strdup_printf ("%.1f ms in all (%.2f µs each) · longest call %.2f ms · "
                                  "most CPU in one call %.2f ms", in_append / 1e6, in_append / 1e3 / n,
                                  longest_append / 1e6, longest_cpu / 1e6);
  loop_value = g_strdup_printf ("longest %.2f ms · %.1f ms in all", longest_dispatch / 1e6, in_loop / 1e6);
  tx_value = g_strdup_printf ("%u", transactions);
  fb_bench_row (name, "main thread in fb_history_append()", append_value, "", "≤ 5 ms a call",
                fb_bench_verdict (longest_append <= 5 * 1000000));
  fb_bench_row (name, "main-loop dispatch until committed (poll left out)", loop_value, "", "≤ 5 ms",
                fb_bench_verdict (longest_dispatch <= 5 * 1000000));
  fb_bench_row (name, "transactions", tx_value, "", "≤ 10", fb_bench_verdict (transactions <= 10));
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (20261202);
  g_autoptr(FbClock) clock = fb_clock_new_manual (0, g_get_real_time ());
  g_autofree char *dir = NULL;
  g_autofree char *data_home = NULL;
  g_autofree char *db_dir = NULL;
  g_autofree char *path = NULL;
  char *parent = NULL;
  int n_messages = 100000;
  int n_flood = 10000;
  gboolean keep = fb_bench_env_uint ("FB_BENCH_KEEP_TMP", 0) != 0;
  FbHistory *history;
  const GOptionEntry entries[] = {
    { "messages", 'n', 0, G_OPTION_ARG_INT, &n_messages, "Messages in the history", "N" },
    { "flood", 0, 0, G_OPTION_ARG_INT, &n_flood, "Messages in the flood", "N" },
    { "dir", 0, 0, G_OPTION_ARG_FILENAME, &parent, "Where to make the database", "DIR" },
    G_OPTION_ENTRY_NULL
  };

  context = g_option_context_new ("— the message history at 100,000 messages");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || n_messages < PAGE || n_flood < 1)
    {
      g_printerr ("fb-bench-history: %s\n", error ? error->message : "--messages or --flood out of range");
      return 2;
    }

  dir = parent != NULL ? g_build_filename (parent, "fb-bench-history-XXXXXX", NULL)
                       : g_build_filename (g_get_tmp_dir (), "fb-bench-history-XXXXXX", NULL);
  g_free (parent);
  if (g_mkdtemp (dir) == NULL)
    g_error ("Could not make %s", dir);
  data_home = g_build_filename (dir, "data", NULL);
  db_dir = g_build_filename (data_home, "feedbell", NULL);
  path = g_build_filename (db_dir, "history.db", NULL);
  g_mkdir_with_parents (db_dir, 0700);
  g_printerr ("fb-bench-history: database %s\n", path);

  benchmark_name = g_strdup_printf ("History, %d messages", n_messages);
  make_vocabulary (rand);
  history = fb_history_open (path, clock);
  /* Nothing is pruned: the benchmark wants every message it wrote. */
  fb_history_set_retention (history, 3650, 1000000);
  fill (history, clock, rand, n_messages);
  report_size (path, n_messages, history);

  bench_opening (path, data_home, clock);
  history = fb_history_open (path, clock);
  bench_searches (history);
  g_object_unref (history);
  bench_flood (path, clock, rand, n_flood);

  if (keep)
    g_printerr ("fb-bench-history: kept %s\n", dir);
  else
    {
      g_autofree char *wal = g_strconcat (path, "-wal", NULL);
      g_autofree char *shm = g_strconcat (path, "-shm", NULL);

      g_unlink (wal);
      g_unlink (shm);
      g_unlink (path);
      g_rmdir (db_dir);
      g_rmdir (data_home);
      g_rmdir (dir);
    }
  for (guint i = 0; i < VOCABULARY; i++)
    g_free (vocabulary[i]);
  g_free (benchmark_name);

  return 0;
}
