/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "fb-fault-lane-private.h"

#include <json-glib/json-glib.h>
#include <signal.h>
#include <string.h>

/*
 * A lane's client: the feedbell-listen process, restarted after each
 * SIGKILL with the same state file, and the checks of what it printed and
 * saved.
 */

/* The client's state file */

static guint64
read_saved_id (Lane *lane)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonObject *object;
  const char *id;

  if (!g_file_test (lane->state_path, G_FILE_TEST_EXISTS))
    return 0;

  if (!json_parser_load_from_file (parser, lane->state_path, &error) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      fb_fault_lane_error (lane, "the state file is not a JSON object: %s",
                           error ? error->message : "wrong type");
      return 0;
    }

  object = json_node_get_object (json_parser_get_root (parser));
  id = json_object_get_string_member_with_default (object, "lastEventId", "");
  if (lane->run->profile->ntfy && id[0] != '\0')
    {
      guint64 n = fb_fault_ntfy_lookup (fb_fault_server_get_ntfy (lane->server), id);

      if (n == 0)
        fb_fault_lane_error (lane, "the state file resumes after %s, no message's id", id);
      if (g_strcmp0 (json_object_get_string_member_with_default (object, "resumeParam", ""), "since") != 0)
        fb_fault_lane_error (lane, "the state file resumes after ntfy's %s, but not with since=", id);
      return n;
    }

  return g_ascii_strtoull (id, NULL, 10);
}

/* Output */

static gboolean
check_line (Lane       *lane,
            const char *line,
            gsize       len,
            guint64    *out_id)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *expected = NULL;
  g_autoptr(GList) members = NULL;
  JsonObject *object;
  const char *id;
  guint64 n;

  if (lane->run->profile->ntfy)
    {
      *out_id = fb_fault_ntfy_check_line (fb_fault_server_get_ntfy (lane->server), line, len);
      return *out_id != 0;
    }

  if (strlen (line) != len ||
      !json_parser_load_from_data (parser, line, len, NULL) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return FALSE;

  object = json_node_get_object (json_parser_get_root (parser));
  members = json_object_get_members (object);
  if (g_list_length (members) != 3)
    return FALSE;

  id = json_object_get_string_member_with_default (object, "lastEventId", "");
  n = g_ascii_strtoull (id, NULL, 10);
  expected = g_strdup_printf ("{\"type\":\"message\",\"data\":\"event %" G_GUINT64_FORMAT "\","
                              "\"lastEventId\":\"%" G_GUINT64_FORMAT "\"}", n, n);
  if (n == 0 || strcmp (line, expected) != 0)
    return FALSE;

  *out_id = n;
  return TRUE;
}

static void
line_cb (FbListenClient *client,
         const char     *line,
         gsize           len,
         gint64          read_at,
         gpointer        user_data)
{
  Lane *lane = user_data;
  Printed printed = { 0, read_at };

  lane->n_checked++;
  if (lane->resuming)
    {
      gint64 took = read_at - lane->killed_at;

      lane->resuming = FALSE;
      lane->n_resumes++;
      lane->resume_total_us += took;
      lane->resume_max_us = MAX (lane->resume_max_us, took);
    }
  if (!check_line (lane, line, len, &printed.id))
    {
      fb_fault_lane_error (lane, "not an event line: %s", line);
      return;
    }

  if (printed.id != lane->last_printed + 1)
    {
      if (printed.id <= lane->last_printed)
        fb_fault_lane_error (lane, "event %" G_GUINT64_FORMAT " printed again (last was %" G_GUINT64_FORMAT ")",
                             printed.id, lane->last_printed);
      else
        fb_fault_lane_error (lane, "events %" G_GUINT64_FORMAT "..%" G_GUINT64_FORMAT " missing",
                             lane->last_printed + 1, printed.id - 1);
    }
  lane->last_printed = printed.id;
  g_array_append_val (lane->printed, printed);
}

/* Processes */

static void client_done_cb (FbListenClient *client,
                            gpointer        user_data);

static gboolean respawn_cb (gpointer user_data);

static void
start_client (Lane *lane)
{
  g_autoptr(GError) error = NULL;
  const char *args[] = {
    "--state-file", lane->state_path,
    "--idle-timeout", G_STRINGIFY (IDLE_TIMEOUT_S),
    "--verbose",
    lane->url,
    NULL
  };

  lane->client = fb_listen_client_spawn (args, line_cb, client_done_cb, lane, &error);
  if (lane->client == NULL)
    {
      /* A build relinking the program in the same tree makes it briefly
       * impossible to run: try again in a moment. */
      g_assert_cmpuint (++lane->spawn_failures, <, 100);
      _fb_fault_lane_log (lane, "could not start: %s", error->message);
      lane->respawn_id = g_timeout_add (100, respawn_cb, lane);
      return;
    }

  lane->spawn_failures = 0;
  lane->kill_pending = FALSE;
  _fb_fault_lane_log (lane, "started pid %s, resuming after %" G_GUINT64_FORMAT,
                      fb_listen_client_get_identifier (lane->client), lane->base);
}

static gboolean
respawn_cb (gpointer user_data)
{
  Lane *lane = user_data;

  lane->respawn_id = 0;
  start_client (lane);

  return G_SOURCE_REMOVE;
}

/* A new client process, resuming from the state file. */
void
_fb_fault_lane_spawn (Lane *lane)
{
  g_clear_pointer (&lane->client, fb_listen_client_free);
  lane->gen++;
  lane->base = read_saved_id (lane);
  lane->last_printed = lane->base;
  g_array_set_size (lane->printed, 0);
  lane->current = NULL;
  lane->unchecked = NULL;
  /* Until it runs, as good as killed: no faults, not caught up. */
  lane->kill_pending = TRUE;
  fb_fault_model_restart (lane->model);
  start_client (lane);
}

static gint64
printed_at (Lane    *lane,
            guint64  id)
{
  for (guint i = 0; i < lane->printed->len; i++)
    if (g_array_index (lane->printed, Printed, i).id == id)
      return g_array_index (lane->printed, Printed, i).read_at;

  return 0;
}

/* After a SIGKILL: what was saved must have been printed, and what was
 * printed but not saved (shown again by the next process) must be recent. */
static void
check_after_kill (Lane *lane)
{
  guint64 saved = read_saved_id (lane);
  guint64 dups;

  if (fb_listen_client_get_status (lane->client) != -SIGKILL)
    fb_fault_lane_error (lane, "the client ended with %d, not by the SIGKILL",
                         fb_listen_client_get_status (lane->client));
  if (fb_listen_client_get_torn_bytes (lane->client) > 0)
    _fb_fault_lane_log (lane, "the kill tore a line (%" G_GSIZE_FORMAT " bytes)",
                        fb_listen_client_get_torn_bytes (lane->client));

  if (saved > lane->last_printed)
    {
      fb_fault_lane_error (lane, "the state file says %" G_GUINT64_FORMAT " but only events up to %"
                           G_GUINT64_FORMAT " were printed: %" G_GUINT64_FORMAT " event(s) lost",
                           saved, lane->last_printed, saved - lane->last_printed);
      return;
    }
  if (saved < lane->base)
    fb_fault_lane_error (lane, "the state file went back from %" G_GUINT64_FORMAT " to %" G_GUINT64_FORMAT,
                         lane->base, saved);

  dups = lane->last_printed - saved;
  /* Printed, not yet saved, and shown again: fine. How long it had been
   * on screen is a figure; the debounce is tested exactly in test-event-log. */
  if (saved < lane->last_printed)
    lane->max_unsaved_us = MAX (lane->max_unsaved_us, lane->killed_at - printed_at (lane, saved + 1));

  lane->n_kills++;
  lane->dups += dups;
  lane->max_dups = MAX (lane->max_dups, (guint) dups);
  _fb_fault_lane_log (lane, "killed: printed up to %" G_GUINT64_FORMAT ", saved %" G_GUINT64_FORMAT
                      ", %" G_GUINT64_FORMAT " to be shown again", lane->last_printed, saved, dups);
}

static void
check_after_term (Lane *lane)
{
  guint64 saved = read_saved_id (lane);
  int status = fb_listen_client_get_status (lane->client);

  if (status != 0)
    fb_fault_lane_error (lane, "feedbell-listen exited with %d after SIGTERM", status);
  if (lane->last_printed != lane->final_id)
    fb_fault_lane_error (lane, "printed up to %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT,
                         lane->last_printed, lane->final_id);
  if (saved != lane->final_id)
    fb_fault_lane_error (lane, "the state file says %" G_GUINT64_FORMAT " after a clean exit, not %" G_GUINT64_FORMAT,
                         saved, lane->final_id);
  lane->finished = TRUE;
}

static void
client_done_cb (FbListenClient *client,
                gpointer        user_data)
{
  Lane *lane = user_data;

  fb_fault_model_forget_pending (lane->model);
  if (lane->term_sent)
    {
      check_after_term (lane);
      return;
    }

  if (lane->kill_pending)
    {
      check_after_kill (lane);
      lane->resuming = TRUE;
    }
  else
    {
      fb_fault_lane_error (lane, "feedbell-listen exited by itself with %d",
                           fb_listen_client_get_status (client));
    }

  _fb_fault_lane_spawn (lane);
}

void
_fb_fault_lane_kill (Lane *lane)
{
  lane->kill_pending = TRUE;
  lane->killed_at = g_get_monotonic_time ();
  _fb_fault_lane_count_fault (lane, FB_FAULT_KIND_KILL);
  fb_listen_client_send_signal (lane->client, SIGKILL);
}
