/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "fb-fault-lane-private.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>

/*
 * One lane of the fault run: the real `feedbell-listen --state-file F
 * --idle-timeout 1` talking through an FbFaultProxy to its own
 * FbFaultServer. The lane injects faults at random while the server
 * produces numbered events, and checks as it goes:
 *
 * - every line is exactly the next event (JSON: type, data, lastEventId);
 *   in ntfy mode, the next message (ntfy's JSON in data, no lastEventId),
 *   and every request resumes with since= from the last message printed;
 * - after a SIGKILL, every id saved was printed first, and what the next
 *   process shows again is only what was printed but not yet saved;
 * - each reconnection comes no sooner than the backoff policy allows
 *   (FbFaultModel), and does come: a lane that never catches up fails the
 *   run;
 * - a stall ends by the client's watchdog, IDLE_TIMEOUT_S after the last
 *   byte, not sooner; a trickle (a byte every 50 ms) never does.
 *
 * How late things came on a loaded machine (an unsaved line at a kill, an
 * old connection outliving the next, a stall until the watchdog) is
 * reported, never asserted.
 *
 * Faults come in short chains, because the policy makes consecutive
 * failures slow (2 s, 4 s, 8 s…) and only a stream open for 30 s resets the
 * count: a chain ends with a SIGKILL (a new process starts afresh) or, now
 * and then, a 30 s rest.
 */

static const char * const kind_names[FB_FAULT_N_KINDS] = {
  "reset mid-event", "half line + close", "stall", "slow trickle", "server restart",
  "SIGKILL + restart", "replayed last event",
  "HTTP 500", "HTTP 500 + Retry-After", "HTTP 502", "HTTP 502 + Retry-After",
  "HTTP 503", "HTTP 503 + Retry-After", "HTTP 429", "HTTP 429 + Retry-After",
};

static const guint http_statuses[] = { 500, 502, 503, 429 };

/* Diagnostics */

void
_fb_fault_lane_log (Lane       *lane,
                    const char *format,
                    ...)
{
  g_autofree char *text = NULL;
  va_list args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);

  g_queue_push_tail (&lane->log,
                     g_strdup_printf ("%8.3f gen %u: %s",
                                      (g_get_monotonic_time () - lane->run->started_at) / 1e6,
                                      lane->gen, text));
  while (g_queue_get_length (&lane->log) > LOG_LINES)
    g_free (g_queue_pop_head (&lane->log));
}

void
fb_fault_lane_error (Lane       *lane,
                     const char *format,
                     ...)
{
  g_autofree char *text = NULL;
  Run *run = lane->run;
  va_list args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);

  _fb_fault_lane_log (lane, "ERROR %s", text);
  if (run->n_errors++ < MAX_ERRORS)
    {
      g_autoptr(GString) report = g_string_new (NULL);

      g_string_append_printf (report, "lane %u: %s\n  recent events of this lane:", lane->index, text);
      for (GList *l = lane->log.head; l != NULL; l = l->next)
        g_string_append_printf (report, "\n    %s", (char *) l->data);
      if (lane->client != NULL)
        g_string_append_printf (report, "\n  stderr (tail): %s",
                                fb_listen_client_get_stderr (lane->client));
      g_ptr_array_add (run->errors, g_string_free (g_steal_pointer (&report), FALSE));
    }
}

void
_fb_fault_lane_count_fault (Lane *lane,
                            Kind  kind)
{
  lane->run->faults[kind]++;
  lane->run->n_faults++;
  _fb_fault_lane_log (lane, "fault: %s", kind_names[kind]);
}

/* Faults */

static void schedule_fault (Lane  *lane,
                            guint  delay_ms);

static void
queue_http_error (Lane *lane)
{
  guint which = g_rand_int_range (lane->rand, 0, G_N_ELEMENTS (http_statuses));
  guint retry_after = 0;

  /* Retry-After: 1 is what servers under load say; but this error follows
   * a failure, so the backoff already waits 2 s or more and 1 s never
   * decides: 3 s does, and shows whether it is honoured. */
  if (g_rand_boolean (lane->rand))
    retry_after = g_rand_boolean (lane->rand) ? 1 : 3;
  fb_fault_server_queue_error (lane->server, http_statuses[which], retry_after);
}

static void
inject (Lane    *lane,
        Attempt *attempt,
        Kind     kind)
{
  switch (kind)
    {
    case FB_FAULT_KIND_RESET:
      fb_fault_conn_arm_cut (attempt->conn, FB_FAULT_CUT_RESET);
      break;

    case FB_FAULT_KIND_HALF_LINE:
      fb_fault_conn_arm_cut (attempt->conn, FB_FAULT_CUT_HALF_LINE);
      break;

    case FB_FAULT_KIND_STALL:
      _fb_fault_lane_count_fault (lane, kind);
      attempt->stalled = TRUE;
      fb_fault_conn_stall (attempt->conn);
      break;

    case FB_FAULT_KIND_TRICKLE:
      {
        guint duration = g_rand_int_range (lane->rand, 1200, 2500);

        _fb_fault_lane_count_fault (lane, kind);
        fb_fault_conn_trickle (attempt->conn, duration);
        schedule_fault (lane, duration + g_rand_int_range (lane->rand, 300, 1200));
      }
      break;

    case FB_FAULT_KIND_RESTART:
      _fb_fault_lane_count_fault (lane, kind);
      fb_fault_server_restart (lane->server, g_rand_int_range (lane->rand, 200, 1500));
      break;

    case FB_FAULT_KIND_KILL:
      _fb_fault_lane_kill (lane);
      break;

    case FB_FAULT_KIND_REPLAY:
    case FB_FAULT_KIND_HTTP_500:
    case FB_FAULT_KIND_HTTP_500_RA:
    case FB_FAULT_KIND_HTTP_502:
    case FB_FAULT_KIND_HTTP_502_RA:
    case FB_FAULT_KIND_HTTP_503:
    case FB_FAULT_KIND_HTTP_503_RA:
    case FB_FAULT_KIND_HTTP_429:
    case FB_FAULT_KIND_HTTP_429_RA:
    case FB_FAULT_N_KINDS:
    default:
      g_assert_not_reached ();
    }
}

static Kind
pick_kind (Lane *lane)
{
  static const struct { Kind kind; guint weight; } table[] = {
    { FB_FAULT_KIND_RESET, 18 }, { FB_FAULT_KIND_HALF_LINE, 14 }, { FB_FAULT_KIND_STALL, 12 },
    { FB_FAULT_KIND_TRICKLE, 10 }, { FB_FAULT_KIND_RESTART, 8 }, { FB_FAULT_KIND_KILL, 8 },
  };
  guint total = 0;
  guint pick;

  for (guint i = 0; i < G_N_ELEMENTS (table); i++)
    total += table[i].weight;

  pick = g_rand_int_range (lane->rand, 0, total);
  for (guint i = 0; i < G_N_ELEMENTS (table); i++)
    {
      if (pick < table[i].weight)
        return table[i].kind;
      pick -= table[i].weight;
    }

  g_assert_not_reached ();
}

static guint
pick_chain_max (Lane *lane)
{
  double r = g_rand_double (lane->rand);

  /* Each further failure doubles the wait: 2 s, 4 s, 8 s… */
  if (lane->run->profile->max_chain >= 4)
    return r < 0.5 ? 2 : r < 0.85 ? 3 : 4;

  return r < 0.75 ? 2 : 3;
}

static gboolean
fault_cb (gpointer user_data)
{
  Lane *lane = user_data;
  Attempt *attempt = lane->current;
  guint failures = fb_fault_model_get_max_failures (lane->model);
  Kind kind;

  lane->fault_id = 0;
  if (lane->run->finishing || lane->kill_pending || attempt == NULL ||
      attempt->conn == NULL || attempt->opened_at == 0 || attempt->failed ||
      fb_fault_conn_get_flow (attempt->conn) != FB_FAULT_FLOW_PASS)
    return G_SOURCE_REMOVE;

  if (failures >= lane->chain_max && !lane->rested)
    {
      lane->chain_max = pick_chain_max (lane);
      if (g_rand_double (lane->rand) < lane->run->profile->rest_chance)
        {
          /* A stream open 30 s counts as healthy: the next failure starts over. */
          _fb_fault_lane_log (lane, "resting");
          lane->rested = TRUE;
          schedule_fault (lane, REST_MS);
        }
      else
        {
          _fb_fault_lane_kill (lane);
        }
      return G_SOURCE_REMOVE;
    }

  lane->rested = FALSE;
  kind = pick_kind (lane);
  /* Now and then the reconnection this fault causes meets an HTTP error
   * first (one more failure in the chain). */
  if (kind != FB_FAULT_KIND_TRICKLE && kind != FB_FAULT_KIND_KILL &&
      failures + 2 <= lane->chain_max && g_rand_double (lane->rand) < 0.5)
    queue_http_error (lane);
  inject (lane, attempt, kind);

  return G_SOURCE_REMOVE;
}

static void
schedule_fault (Lane  *lane,
                guint  delay_ms)
{
  g_clear_handle_id (&lane->fault_id, g_source_remove);
  if (!lane->run->finishing)
    lane->fault_id = g_timeout_add (delay_ms, fault_cb, lane);
}

/* What the proxy and the server see */

static Kind
http_kind (guint status,
           guint retry_after_s)
{
  Kind kind;

  switch (status)
    {
    case 500: kind = FB_FAULT_KIND_HTTP_500; break;
    case 502: kind = FB_FAULT_KIND_HTTP_502; break;
    case 503: kind = FB_FAULT_KIND_HTTP_503; break;
    case 429: kind = FB_FAULT_KIND_HTTP_429; break;
    default: g_assert_not_reached ();
    }

  return retry_after_s > 0 ? kind + 1 : kind;
}

static void
check_attempt (Lane    *lane,
               Attempt *attempt)
{
  g_autoptr(GString) complaint = g_string_new (NULL);

  if (!fb_fault_model_attempt (lane->model, attempt->accepted_at, complaint))
    fb_fault_lane_error (lane, "%s", complaint->str);
}

/* Tells the model of @attempt's failure, and checks the attempt that
 * already followed it, if one did. */
static void
model_failure (Lane    *lane,
               Attempt *attempt)
{
  Attempt *next = lane->unchecked;

  /* The stream's retry: was parsed before the failure if it went through
   * well before; if only just before, perhaps. */
  if (attempt->retry_at != 0)
    fb_fault_model_learn_retry (lane->model, FB_FAULT_SERVER_RETRY_MS,
                                attempt->failed_at - attempt->retry_at >= 50 * 1000);

  fb_fault_model_fail (lane->model, attempt->failed_at, attempt->open_us, attempt->retry_after_ms);
  if (next == NULL)
    return;

  lane->unchecked = NULL;
  check_attempt (lane, next);
  /* That one may have failed already too (all of it seen in one go). */
  if (next->failed && next->deferred)
    {
      next->deferred = FALSE;
      model_failure (lane, next);
    }
}

/* A failure as the client's backoff counts it, at @failed_at (never later
 * than the client can have noticed it). */
static void
attempt_failed (Attempt *attempt,
                gint64   failed_at,
                guint64  retry_after_ms)
{
  Lane *lane = attempt->lane;

  g_assert (!attempt->failed);
  attempt->failed = TRUE;
  attempt->failed_at = failed_at;
  attempt->open_us = attempt->opened_at ? failed_at - attempt->opened_at : -1;
  attempt->retry_after_ms = retry_after_ms;

  if (attempt->gen != lane->gen || lane->kill_pending || lane->term_sent)
    return;

  /* It came before the end of the connection it follows was known: that
   * failure goes first. */
  if (attempt == lane->unchecked)
    {
      attempt->deferred = TRUE;
      return;
    }

  model_failure (lane, attempt);
}

static void
accepted_cb (FbFaultConn *conn,
             gpointer     user_data)
{
  Lane *lane = user_data;
  Attempt *attempt = g_new0 (Attempt, 1);
  Attempt *previous = lane->current;

  attempt->lane = lane;
  attempt->gen = lane->gen;
  attempt->conn = conn;
  attempt->accepted_at = fb_fault_conn_get_accepted_at (conn);
  fb_fault_conn_set_data (conn, attempt);
  g_ptr_array_add (lane->attempts, attempt);
  lane->current = attempt;
  _fb_fault_lane_log (lane, "connection %u", fb_fault_conn_get_id (conn));

  if (previous != NULL && !previous->failed)
    {
      /* Its end is on its way (both were ready in one main loop iteration),
       * or the client keeps two connections, which ended_cb() tells. */
      if (previous->conn != NULL)
        previous->superseded_at = attempt->accepted_at;
      if (lane->unchecked != NULL)
        fb_fault_lane_error (lane, "a third connection while the first (%u) had not ended",
                             previous->conn ? fb_fault_conn_get_id (previous->conn) : 0);
      lane->unchecked = attempt;
      return;
    }

  check_attempt (lane, attempt);
}

static void
upstream_ready_cb (FbFaultConn *conn,
                   gpointer     user_data)
{
  Lane *lane = user_data;

  g_hash_table_insert (lane->by_port, GUINT_TO_POINTER (fb_fault_conn_get_upstream_port (conn)),
                       fb_fault_conn_get_data (conn));
}

static void
retry_forwarded_cb (FbFaultConn *conn,
                    gpointer     user_data)
{
  Attempt *attempt = fb_fault_conn_get_data (conn);

  attempt->retry_at = fb_fault_conn_get_retry_forwarded_at (conn);
}

static void
ended_cb (FbFaultConn *conn,
          FbFaultEnd   how,
          gpointer     user_data)
{
  Lane *lane = user_data;
  Attempt *attempt = fb_fault_conn_get_data (conn);
  gint64 ended_at = fb_fault_conn_get_ended_at (conn);
  gboolean expected = lane->kill_pending || lane->term_sent || attempt->gen != lane->gen;

  attempt->conn = NULL;
  g_hash_table_remove (lane->by_port, GUINT_TO_POINTER (fb_fault_conn_get_upstream_port (conn)));
  _fb_fault_lane_log (lane, "connection %u ended (%d)", fb_fault_conn_get_id (conn), how);
  if (attempt->superseded_at != 0)
    lane->max_superseded_us = MAX (lane->max_superseded_us, ended_at - attempt->superseded_at);
  if (attempt->stalled)
    lane->max_stalled_us = MAX (lane->max_stalled_us, ended_at - fb_fault_conn_get_last_forward_at (conn));
  if (attempt->failed)
    return;

  switch (how)
    {
    case FB_FAULT_END_CUT:
      _fb_fault_lane_count_fault (lane, fb_fault_conn_get_cut (conn) == FB_FAULT_CUT_RESET ? FB_FAULT_KIND_RESET
                                                                           : FB_FAULT_KIND_HALF_LINE);
      attempt_failed (attempt, ended_at, 0);
      break;

    case FB_FAULT_END_REFUSED:
    case FB_FAULT_END_UPSTREAM:
    case FB_FAULT_END_RESET:
      attempt_failed (attempt, ended_at, 0);
      break;

    case FB_FAULT_END_CLIENT:
      if (expected)
        {
          attempt_failed (attempt, ended_at, 0);
        }
      else if (attempt->stalled)
        {
          gint64 deadline = fb_fault_conn_get_last_forward_at (conn) + IDLE_TIMEOUT_S * G_USEC_PER_SEC;

          if (ended_at < deadline)
            fb_fault_lane_error (lane, "the watchdog fired %.3f s after the last byte, before its %d s",
                                 (ended_at - fb_fault_conn_get_last_forward_at (conn)) / 1e6, IDLE_TIMEOUT_S);
          attempt_failed (attempt, MIN (deadline, ended_at), 0);
        }
      else
        {
          if (fb_fault_conn_get_flow (conn) == FB_FAULT_FLOW_TRICKLE)
            fb_fault_lane_error (lane, "the client dropped a stream trickling a byte every %d ms",
                                 FB_FAULT_TRICKLE_INTERVAL_MS);
          else
            fb_fault_lane_error (lane, "the client dropped a healthy stream");
          attempt_failed (attempt, ended_at, 0);
        }
      break;

    default:
      g_assert_not_reached ();
    }
}

/* ntfy resumes only with since=: after the last message printed (lines
 * this process read from the client were flushed before it moved since=,
 * and a new process starts from its state file's). */
static void
check_ntfy_request (Lane                 *lane,
                    Attempt              *attempt,
                    const FbFaultRequest *request)
{
  guint64 since = 0;

  if (request->last_event_id != NULL)
    fb_fault_lane_error (lane, "Last-Event-ID %s sent to ntfy, which has no SSE ids", request->last_event_id);
  if (request->since == NULL)
    {
      fb_fault_lane_error (lane, "a request without since=: ntfy sends only new messages then");
      return;
    }
  if (!g_str_equal (request->since, "all"))
    {
      since = fb_fault_ntfy_lookup (fb_fault_server_get_ntfy (lane->server), request->since);
      if (since == 0)
        fb_fault_lane_error (lane, "since=%s names no message (ntfy sends everything again then)",
                             request->since);
    }
  if (attempt->gen == lane->gen && since < lane->last_printed)
    fb_fault_lane_error (lane, "resumed with since=%s (message %" G_GUINT64_FORMAT ") after message %"
                         G_GUINT64_FORMAT " was printed", request->since, since, lane->last_printed);
}

static void
request_cb (FbFaultServer        *server,
            const FbFaultRequest *request,
            gpointer              user_data)
{
  Lane *lane = user_data;
  Attempt *attempt = g_hash_table_lookup (lane->by_port, GUINT_TO_POINTER (request->remote_port));

  if (attempt == NULL)
    {
      fb_fault_lane_error (lane, "a request from port %u, which is no connection of the proxy's",
                           request->remote_port);
      return;
    }

  _fb_fault_lane_log (lane, "request, Last-Event-ID %s, since %s: %u", request->last_event_id,
                      request->since, request->status);
  if (lane->run->profile->ntfy)
    check_ntfy_request (lane, attempt, request);
  if (request->status != SOUP_STATUS_OK)
    {
      _fb_fault_lane_count_fault (lane, http_kind (request->status, request->retry_after_s));
      attempt_failed (attempt, request->time_us, request->retry_after_s * 1000);
      return;
    }

  if (request->replayed)
    _fb_fault_lane_count_fault (lane, FB_FAULT_KIND_REPLAY);
  attempt->opened_at = request->time_us;
  if (attempt == lane->current)
    schedule_fault (lane, g_rand_int_range (lane->rand, 300, 1200));
}

static const FbFaultProxyHooks proxy_hooks = {
  .accepted = accepted_cb,
  .upstream_ready = upstream_ready_cb,
  .retry_forwarded = retry_forwarded_cb,
  .ended = ended_cb,
};

/* Lanes */

static void
attempt_free (Attempt *attempt)
{
  g_free (attempt);
}

/**
 * fb_fault_lane_new:
 * @index: its number, for reports; it draws its seeds from @run's generator
 */
FbFaultLane *
fb_fault_lane_new (FbFaultRun *run,
                   guint       index)
{
  Lane *lane = g_new0 (Lane, 1);
  g_autofree char *name = g_strdup_printf ("lane-%u.json", index);

  lane->run = run;
  lane->index = index;
  lane->rand = g_rand_new_with_seed (g_rand_int (run->rand));
  lane->server = fb_fault_server_new (run->profile->interval_ms, KEEPALIVE_MS, g_rand_int (run->rand));
  fb_fault_server_set_request_func (lane->server, request_cb, lane);
  fb_fault_server_set_replay_chance (lane->server, 0.3);
  lane->proxy = fb_fault_proxy_new (fb_fault_server_get_port (lane->server), g_rand_int (run->rand),
                                    &proxy_hooks, lane);
  /* ntfy: a topic's stream, from its first message; since= replaces that. */
  if (run->profile->ntfy)
    {
      fb_fault_server_use_ntfy (lane->server);
      lane->url = g_strdup_printf ("http://127.0.0.1:%u/" FB_FAULT_NTFY_TOPIC "/sse?since=all",
                                   fb_fault_proxy_get_port (lane->proxy));
    }
  else
    lane->url = g_strdup_printf ("http://127.0.0.1:%u/events", fb_fault_proxy_get_port (lane->proxy));
  lane->state_path = g_build_filename (run->dir, name, NULL);
  lane->model = fb_fault_model_new ();
  lane->attempts = g_ptr_array_new_with_free_func ((GDestroyNotify) attempt_free);
  lane->by_port = g_hash_table_new (NULL, NULL);
  lane->printed = g_array_new (FALSE, FALSE, sizeof (Printed));
  lane->chain_max = pick_chain_max (lane);
  g_queue_init (&lane->log);

  return lane;
}

void
fb_fault_lane_free (FbFaultLane *lane)
{
  g_clear_handle_id (&lane->fault_id, g_source_remove);
  g_clear_handle_id (&lane->respawn_id, g_source_remove);
  g_clear_pointer (&lane->client, fb_listen_client_free);
  fb_fault_proxy_free (lane->proxy);
  fb_fault_server_free (lane->server);
  g_ptr_array_unref (lane->attempts);
  g_hash_table_unref (lane->by_port);
  g_array_unref (lane->printed);
  fb_fault_model_free (lane->model);
  g_queue_clear_full (&lane->log, g_free);
  g_rand_free (lane->rand);
  g_unlink (lane->state_path);
  g_free (lane->state_path);
  g_free (lane->url);
  g_free (lane);
}

/**
 * fb_fault_lane_start:
 *
 * Starts producing events and the first client.
 */
void
fb_fault_lane_start (FbFaultLane *lane)
{
  fb_fault_server_set_producing (lane->server, TRUE);
  _fb_fault_lane_spawn (lane);
}

/**
 * fb_fault_lane_wind_down:
 *
 * No more faults (the run is finishing) and no more events: from now on the
 * client only has to catch up with the last one.
 */
void
fb_fault_lane_wind_down (FbFaultLane *lane)
{
  g_assert (lane->run->finishing);

  g_clear_handle_id (&lane->fault_id, g_source_remove);
  fb_fault_server_set_producing (lane->server, FALSE);
  lane->final_id = fb_fault_server_get_n_produced (lane->server);
}

gboolean
fb_fault_lane_is_caught_up (FbFaultLane *lane)
{
  return !lane->kill_pending && lane->last_printed == lane->final_id;
}

/**
 * fb_fault_lane_terminate:
 *
 * Ends the client with SIGTERM, after which it must exit 0 with every
 * event printed and the last one saved.
 */
void
fb_fault_lane_terminate (FbFaultLane *lane)
{
  lane->term_sent = TRUE;
  if (lane->client == NULL)
    {
      g_clear_handle_id (&lane->respawn_id, g_source_remove);
      fb_fault_lane_error (lane, "no client to stop: it could not be started again");
      lane->finished = TRUE;
      return;
    }
  fb_listen_client_send_signal (lane->client, SIGTERM);
}

gboolean
fb_fault_lane_is_finished (FbFaultLane *lane)
{
  return lane->finished;
}

FbFaultModel *
fb_fault_lane_get_model (FbFaultLane *lane)
{
  return lane->model;
}

void
fb_fault_lane_get_stats (FbFaultLane      *lane,
                         FbFaultLaneStats *stats)
{
  stats->n_checked = lane->n_checked;
  stats->last_printed = lane->last_printed;
  stats->final_id = lane->final_id;
  stats->dups = lane->dups;
  stats->n_kills = lane->n_kills;
  stats->max_dups = lane->max_dups;
  stats->n_resumes = lane->n_resumes;
  stats->resume_total_us = lane->resume_total_us;
  stats->resume_max_us = lane->resume_max_us;
  stats->max_unsaved_us = lane->max_unsaved_us;
  stats->max_superseded_us = lane->max_superseded_us;
  stats->max_stalled_us = lane->max_stalled_us;
}

const char *
fb_fault_kind_get_name (FbFaultKind kind)
{
  g_return_val_if_fail (kind < FB_FAULT_N_KINDS, NULL);

  return kind_names[kind];
}
