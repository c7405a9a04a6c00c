/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "fb-connection-probe"

#include "config.h"

#include "fb-connection-probe.h"

#include <glib/gi18n.h>

#include "fb-session.h"
#include "fb-sse-connection.h"

/*
 * "Test Connection": one stream opened with exactly a feed's settings, on a
 * session of its own (so a certificate authority file applies to it alone),
 * and a verdict within FB_CONNECTION_PROBE_TIMEOUT seconds: how many events
 * the server sent in the first seconds after the stream opened, or the
 * connection's own error, which already says what to do about it ("The
 * server answered 401 Unauthorized: check the access token or password").
 */

/* How long to count events once the stream is open. */
#define LISTEN_MS 3000

typedef struct
{
  FbSseConnection *connection;
  GCancellable    *cancellable;   /* the task's */
  gulong           cancelled_id;
  guint            timeout_id;
  guint            listen_id;
  guint            done_id;
  guint            n_events;
  gboolean         opened;
  gint64           deadline;      /* monotonic µs */
} TestData;

static void
test_data_free (TestData *data)
{
  g_assert (data->connection == NULL);
  g_free (data);
}

/* Ends the test and drops the operation's reference on @task. Never called
 * from a signal of the connection, which it stops and drops. */
static void
finish (GTask  *task,
        GError *error)
{
  TestData *data = g_task_get_task_data (task);

  g_clear_handle_id (&data->timeout_id, g_source_remove);
  g_clear_handle_id (&data->listen_id, g_source_remove);
  g_clear_handle_id (&data->done_id, g_source_remove);
  g_clear_signal_handler (&data->cancelled_id, data->cancellable);
  if (data->connection != NULL)
    {
      g_signal_handlers_disconnect_by_data (data->connection, task);
      fb_sse_connection_stop (data->connection);
      g_clear_object (&data->connection);
    }

  /* A cancelled task returns G_IO_ERROR_CANCELLED whatever is passed here. */
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_int (task, data->n_events);
  g_object_unref (task);
}

static gboolean
listen_cb (gpointer user_data)
{
  GTask *task = user_data;
  TestData *data = g_task_get_task_data (task);

  data->listen_id = 0;
  finish (task, NULL);

  return G_SOURCE_REMOVE;
}

static gboolean
timeout_cb (gpointer user_data)
{
  GTask *task = user_data;
  TestData *data = g_task_get_task_data (task);

  data->timeout_id = 0;
  if (data->opened)
    finish (task, NULL);
  else
    finish (task, g_error_new (G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                               ngettext ("No answer within %u second", "No answer within %u seconds",
                                         FB_CONNECTION_PROBE_TIMEOUT),
                               FB_CONNECTION_PROBE_TIMEOUT));

  return G_SOURCE_REMOVE;
}

/* The stream ended, failed or was cancelled: say why. */
static gboolean
done_cb (gpointer user_data)
{
  GTask *task = user_data;
  TestData *data = g_task_get_task_data (task);
  const GError *error = fb_sse_connection_get_last_error (data->connection);

  data->done_id = 0;

  if (data->opened || g_cancellable_is_cancelled (data->cancellable))
    finish (task, NULL);
  else if (error != NULL)
    finish (task, g_error_copy (error));
  else if (fb_sse_connection_get_state (data->connection) == FB_SSE_STATE_WAITING_NETWORK)
    finish (task, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_NETWORK_UNREACHABLE,
                                       _("No network connection")));
  else
    finish (task, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED,
                                       _("The server closed the connection")));

  return G_SOURCE_REMOVE;
}

static void
schedule_done (GTask *task)
{
  TestData *data = g_task_get_task_data (task);

  if (data->done_id == 0)
    data->done_id = g_idle_add (done_cb, task);
}

static void
event_cb (FbSseConnection *connection,
          FbSseEvent      *event,
          GTask           *task)
{
  TestData *data = g_task_get_task_data (task);

  data->n_events++;
}

static void
state_cb (FbSseConnection *connection,
          GParamSpec      *pspec,
          GTask           *task)
{
  TestData *data = g_task_get_task_data (task);
  gint64 left_ms;

  switch (fb_sse_connection_get_state (connection))
    {
    case FB_SSE_STATE_DISCONNECTED:
    case FB_SSE_STATE_CONNECTING:
      break;
    case FB_SSE_STATE_OPEN:
      if (data->opened)
        break;
      data->opened = TRUE;
      /* Count events for a while, still answering in time. */
      left_ms = (data->deadline - g_get_monotonic_time ()) / 1000;
      data->listen_id = g_timeout_add (CLAMP (left_ms, 0, LISTEN_MS), listen_cb, task);
      break;
    case FB_SSE_STATE_WAITING_RETRY:
    case FB_SSE_STATE_WAITING_NETWORK:
    case FB_SSE_STATE_FAILED:
    case FB_SSE_STATE_STOPPED:
      /* No retries here: the first answer is the verdict. The connection is
       * still notifying, so it is dropped a moment later. */
      schedule_done (task);
      break;
    default:
      g_assert_not_reached ();
    }
}

static void
cancelled_cb (GCancellable *cancellable,
              GTask        *task)
{
  schedule_done (task);
}

/**
 * fb_connection_probe_async:
 * @url: the feed's address
 * @authorization: (nullable): the `Authorization` header value, if any
 * @ca_file: (nullable): a PEM file of certificate authorities to trust
 *   instead of the system's
 * @idle_timeout: the feed's idle timeout, in seconds
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the verdict, within %FB_CONNECTION_PROBE_TIMEOUT seconds
 * @user_data: data for @callback
 *
 * Connects to the feed once and reports what happened.
 */
void
fb_connection_probe_async (const char          *url,
                           const char          *authorization,
                           const char          *ca_file,
                           guint                idle_timeout,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(SoupSession) session = NULL;
  GError *error = NULL;
  TestData *data;

  g_return_if_fail (url != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, fb_connection_probe_async);
  data = g_new0 (TestData, 1);
  data->cancellable = cancellable;
  g_task_set_task_data (task, data, (GDestroyNotify) test_data_free);

  if (g_task_return_error_if_cancelled (task))
    return;

  session = fb_session_new (ca_file, &error);
  if (session == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  data->connection = g_object_new (FB_TYPE_SSE_CONNECTION,
                                   "url", url,
                                   "session", session,
                                   "idle-timeout", idle_timeout,
                                   NULL);
  fb_sse_connection_set_connect_timeout (data->connection, FB_CONNECTION_PROBE_TIMEOUT);
  if (authorization != NULL)
    fb_sse_connection_set_authorization (data->connection, authorization);

  data->deadline = g_get_monotonic_time () + FB_CONNECTION_PROBE_TIMEOUT * G_USEC_PER_SEC;
  data->timeout_id = g_timeout_add_seconds (FB_CONNECTION_PROBE_TIMEOUT, timeout_cb, task);
  g_signal_connect (data->connection, "event", G_CALLBACK (event_cb), task);
  g_signal_connect (data->connection, "notify::state", G_CALLBACK (state_cb), task);
  if (cancellable != NULL)
    data->cancelled_id = g_signal_connect (cancellable, "cancelled", G_CALLBACK (cancelled_cb), task);

  fb_sse_connection_start (data->connection);

  /* The operation's own reference, dropped by finish(). */
  g_steal_pointer (&task);
}

/**
 * fb_connection_probe_finish:
 * @result: the result given to the callback
 * @n_events: (out): how many events the server sent in the first seconds
 * @error: where the reason goes when the feed could not be read
 *
 * Returns: %TRUE when the stream opened
 */
gboolean
fb_connection_probe_finish (GAsyncResult  *result,
                            guint         *n_events,
                            GError       **error)
{
  gssize n;

  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == fb_connection_probe_async, FALSE);

  n = g_task_propagate_int (G_TASK (result), error);
  if (n < 0)
    return FALSE;

  if (n_events != NULL)
    *n_events = n;

  return TRUE;
}
