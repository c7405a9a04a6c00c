/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "fb-http-action"

#include "config.h"

#include "fb-http-action-private.h"

#include <glib/gi18n.h>
#include <string.h>

/*
 * Sending an http action: one request and nothing more. No redirect is
 * followed, the feed's credentials go only to the feed's own origin, at
 * most FB_HTTP_ACTION_MAX_RESPONSE bytes of the answer are read (nobody
 * shows them; a short body is read to its end so that the connection can
 * be used again), and the whole of it is bounded by a timeout on an
 * FbClock, as fb-image-cache-download.c does.
 */

#define READ_CHUNK (16 * 1024)

/* One request's task data. */
typedef struct
{
  SoupMessage  *message;
  GInputStream *stream;
  FbClock      *clock;
  guint         timeout_ms;
  guint         timeout_id;     /* on clock */
  gboolean      timed_out;
  GCancellable *cancellable;    /* the request's: cancelled by the timeout and the caller's */
  GSource      *caller_source;  /* (nullable): the caller's cancellable, cancelled */
  char         *host;           /* for the messages: never the path or query */
  guint         status;
  gsize         n_read;
  gboolean      at_end;         /* the whole body was read */
  guint8        buffer[READ_CHUNK];
} Run;

static void
forget_caller (Run *run)
{
  if (run->caller_source != NULL)
    g_source_destroy (run->caller_source);
  g_clear_pointer (&run->caller_source, g_source_unref);
}

static void
run_free (Run *run)
{
  fb_clock_clear_timeout (run->clock, &run->timeout_id);
  forget_caller (run);
  g_clear_object (&run->stream);
  g_clear_object (&run->message);
  g_clear_object (&run->clock);
  g_clear_object (&run->cancellable);
  g_free (run->host);
  g_free (run);
}

/* Ends the request with @error, or success. Takes @task and @error. */
static void
complete (GTask  *task,
          GError *error)
{
  Run *run = g_task_get_task_data (task);

  fb_clock_clear_timeout (run->clock, &run->timeout_id);
  forget_caller (run);
  /* A body left unread: libsoup closes the connection rather than read
   * the rest. A body read to its end leaves the connection for reuse. */
  if (!run->at_end)
    g_cancellable_cancel (run->cancellable);
  g_clear_object (&run->stream);
  g_clear_object (&run->message);

  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

/* libsoup's phrase for @status, or %NULL when it has none. */
static const char *
status_phrase (guint status)
{
  const char *phrase = soup_status_get_phrase (status);

  return phrase != NULL && strcmp (phrase, "Unknown Error") != 0 ? phrase : NULL;
}

/* The outcome once the status is known: only a 2xx is a success. */
static GError *
status_error (Run *run)
{
  g_autofree char *status = NULL;
  const char *phrase = status_phrase (run->status);

  if (SOUP_STATUS_IS_SUCCESSFUL (run->status))
    return NULL;

  /* The server's own reason phrase is never shown: it could say anything. */
  status = phrase != NULL ? g_strdup_printf ("%u %s", run->status, phrase)
                          : g_strdup_printf ("%u", run->status);
  if (SOUP_STATUS_IS_REDIRECTION (run->status))
    return g_error_new (FB_HTTP_ACTION_ERROR, FB_HTTP_ACTION_ERROR_STATUS,
                        /* Translators: a host, then a status such as “302 Found”. */
                        _("The server %s answered %s: action buttons do not follow redirects"),
                        run->host, status);

  return g_error_new (FB_HTTP_ACTION_ERROR, FB_HTTP_ACTION_ERROR_STATUS,
                      /* Translators: a host, then a status such as “404 Not Found”. */
                      _("The server %s answered %s"), run->host, status);
}

/* @error from the request before its status: a cancellation the timeout
 * made is said as such; the network's errors pass through. */
static void
fail (GTask  *task,
      GError *error)
{
  Run *run = g_task_get_task_data (task);
  guint seconds;

  if (run->timed_out && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_error_free (error);
      seconds = (run->timeout_ms + 999) / 1000;
      error = g_error_new (G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                           /* Translators: a host, then a number of seconds. */
                           ngettext ("No answer from %s within %u second",
                                     "No answer from %s within %u seconds", seconds),
                           run->host, seconds);
    }

  complete (task, error);
}

static gboolean
timeout_cb (gpointer user_data)
{
  Run *run = g_task_get_task_data (user_data);
  /* The request may end, and @run go, within the cancellation. */
  g_autoptr(GCancellable) cancellable = g_object_ref (run->cancellable);

  run->timeout_id = 0;
  run->timed_out = TRUE;
  /* The operation in flight fails with G_IO_ERROR_CANCELLED, and libsoup
   * closes its connection. */
  g_cancellable_cancel (cancellable);

  return G_SOURCE_REMOVE;
}

/* The caller's cancellable was cancelled. This runs from the main loop,
 * not within its "cancelled" signal: the request may end within the
 * cancellation below, and a cancellable must not be disconnected from
 * within its own signal. */
static gboolean
caller_cancelled_cb (GCancellable *caller_cancellable,
                     gpointer      user_data)
{
  g_autoptr(GCancellable) cancellable = g_object_ref (user_data);

  g_cancellable_cancel (cancellable);

  return G_SOURCE_REMOVE;
}

static void read_next (GTask *task);

static void
read_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  GTask *task = user_data;
  Run *run = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  gssize n;

  n = g_input_stream_read_finish (G_INPUT_STREAM (object), result, &error);
  if (n > 0)
    {
      run->n_read += n;
      if (run->n_read < FB_HTTP_ACTION_MAX_RESPONSE)
        {
          read_next (task);
          return;
        }
    }
  else if (n == 0)
    run->at_end = TRUE;
  else
    /* Nobody reads the body: the status has said how it went. */
    g_debug ("Reading the answer of %s: %s", run->host, error->message);

  complete (task, status_error (run));
}

static void
read_next (GTask *task)
{
  Run *run = g_task_get_task_data (task);
  /* Never past the limit: not even a byte to see whether more follows. */
  gsize count = MIN (sizeof run->buffer, FB_HTTP_ACTION_MAX_RESPONSE - run->n_read);

  g_input_stream_read_async (run->stream, run->buffer, count, G_PRIORITY_DEFAULT,
                             run->cancellable, read_cb, task);
}

static void
send_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  GTask *task = user_data;
  Run *run = g_task_get_task_data (task);
  GError *error = NULL;

  run->stream = soup_session_send_finish (SOUP_SESSION (object), result, &error);
  if (run->stream == NULL)
    {
      fail (task, error);
      return;
    }

  run->status = soup_message_get_status (run->message);
  g_debug ("%s answered %u", run->host, run->status);
  read_next (task);
}

static SoupMessage *
build_message (const FbHttpAction *action,
               GUri               *uri,
               const char         *feed_url,
               const char         *authorization)
{
  SoupMessage *message = soup_message_new_from_uri (action->method, uri);
  SoupMessageHeaders *headers = soup_message_get_request_headers (message);
  gboolean has_authorization = FALSE;

  /* A redirect is never followed: it would take the request, and the
   * feed's credentials with it, somewhere the action did not name. The
   * session's cached credentials stay out too: only those added here go. */
  soup_message_add_flags (message, SOUP_MESSAGE_NO_REDIRECT | SOUP_MESSAGE_DO_NOT_USE_AUTH_CACHE);

  for (guint i = 0; action->headers != NULL && action->headers[i] != NULL; i += 2)
    {
      soup_message_headers_append (headers, action->headers[i], action->headers[i + 1]);
      has_authorization |= g_ascii_strcasecmp (action->headers[i], "Authorization") == 0;
    }
  /* The feed's credentials only where the feed is, and never instead of
   * the action's own. */
  if (authorization != NULL && !has_authorization &&
      fb_http_action_same_origin (feed_url, action->url))
    soup_message_headers_replace (headers, "Authorization", authorization);

  /* No content type of Feedbell's: only the action's headers say one. */
  if (action->body != NULL)
    {
      g_autoptr(GBytes) body = g_bytes_new (action->body, strlen (action->body));

      soup_message_set_request_body_from_bytes (message, NULL, body);
    }

  return message;
}

/**
 * fb_http_action_run_async:
 * @action: the action to send
 * @session: the session of the feed the action came with
 * @feed_url: (nullable): the feed's address
 * @authorization: (nullable): the feed's `Authorization` header value,
 *   sent only to @feed_url's origin and only when @action sets none
 * @clock: (nullable): the clock of the timeout, %NULL for the system's
 * @timeout_ms: how long the request may take, 0 for
 *   %FB_HTTP_ACTION_DEFAULT_TIMEOUT_MS
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the outcome
 * @user_data: data for @callback
 *
 * Sends @action's request: its method, address, headers and body as they
 * are. A redirect is not followed; at most %FB_HTTP_ACTION_MAX_RESPONSE
 * bytes of the answer are read.
 */
void
fb_http_action_run_async (const FbHttpAction  *action,
                          SoupSession         *session,
                          const char          *feed_url,
                          const char          *authorization,
                          FbClock             *clock,
                          guint                timeout_ms,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GUri) uri = NULL;
  Run *run;

  g_return_if_fail (action != NULL);
  g_return_if_fail (SOUP_IS_SESSION (session));
  g_return_if_fail (clock == NULL || FB_IS_CLOCK (clock));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, fb_http_action_run_async);
  run = g_new0 (Run, 1);
  run->clock = g_object_ref (clock != NULL ? clock : fb_clock_get_default ());
  g_task_set_task_data (task, run, (GDestroyNotify) run_free);
  if (g_task_return_error_if_cancelled (task))
    return;

  if (!_fb_http_action_is_valid (action))
    {
      g_task_return_new_error (task, FB_HTTP_ACTION_ERROR, FB_HTTP_ACTION_ERROR_INVALID,
                               _("The action button’s request is not valid"));
      return;
    }

  uri = _fb_http_action_parse_url (action->url);
  run->host = _fb_http_action_host_key (uri, FALSE);
  run->message = build_message (action, uri, feed_url, authorization);
  run->timeout_ms = timeout_ms > 0 ? timeout_ms : FB_HTTP_ACTION_DEFAULT_TIMEOUT_MS;
  run->cancellable = g_cancellable_new ();
  if (cancellable != NULL)
    {
      run->caller_source = g_cancellable_source_new (cancellable);
      g_source_set_callback (run->caller_source, G_SOURCE_FUNC (caller_cancelled_cb),
                             run->cancellable, NULL);
      g_source_attach (run->caller_source, g_main_context_get_thread_default ());
    }
  run->timeout_id = fb_clock_timeout_add (run->clock, run->timeout_ms, timeout_cb, task);

  g_debug ("%s to %s", action->method, run->host);
  soup_session_send_async (session, run->message, G_PRIORITY_DEFAULT, run->cancellable,
                           send_cb, g_steal_pointer (&task));
}

/**
 * fb_http_action_run_finish:
 * @status: (out) (optional): the answer's HTTP status, 0 when none came
 *
 * Returns: %TRUE when the server answered 2xx; otherwise %FALSE with
 *   @error set: %FB_HTTP_ACTION_ERROR_STATUS for any other status (a
 *   redirect too), %G_IO_ERROR_TIMED_OUT, %G_IO_ERROR_CANCELLED, or the
 *   network's error
 */
gboolean
fb_http_action_run_finish (GAsyncResult  *result,
                           guint         *status,
                           GError       **error)
{
  Run *run;

  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == fb_http_action_run_async, FALSE);

  run = g_task_get_task_data (G_TASK (result));
  if (status != NULL)
    *status = run->status;

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * fb_http_action_dup_host:
 *
 * Returns: (transfer full) (nullable): the host @action's request goes to,
 *   as a feed's `action-hosts` lists it and as its errors name it: in lower
 *   case, with the port when it is not the scheme's; %NULL for an address
 *   that is not valid
 */
char *
fb_http_action_dup_host (const FbHttpAction *action)
{
  g_autoptr(GUri) uri = NULL;

  g_return_val_if_fail (action != NULL, NULL);

  uri = _fb_http_action_parse_url (action->url);
  return uri != NULL ? _fb_http_action_host_key (uri, FALSE) : NULL;
}
