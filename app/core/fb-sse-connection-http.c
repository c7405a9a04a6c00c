/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "fb-sse-connection"

#include "config.h"

#include "fb-sse-connection-private.h"

#include "fb-backoff.h"
#include "fb-sse-parser.h"
#include "fb-url.h"

#include <glib/gi18n-lib.h>

/*
 * The HTTP side of FbSseConnection: building the request (headers, the
 * resume parameter), following redirects without leaking credentials, and
 * reading the response's status and headers into what the state machine in
 * fb-sse-connection-state.c does next: open (handing it the response body),
 * retry, fail or stop. Sending is CONNECTING's entry action.
 */

#define MAX_REDIRECTS  10

static gboolean
content_type_is_event_stream (SoupMessage *message)
{
  const char *type;

  type = soup_message_headers_get_content_type (soup_message_get_response_headers (message), NULL);

  return type != NULL && g_ascii_strcasecmp (type, "text/event-stream") == 0;
}

static gboolean
same_origin (GUri *a,
             GUri *b)
{
  return g_ascii_strcasecmp (g_uri_get_scheme (a), g_uri_get_scheme (b)) == 0 &&
         g_ascii_strcasecmp (g_uri_get_host (a), g_uri_get_host (b)) == 0 &&
         g_uri_get_port (a) == g_uri_get_port (b);
}

static void
follow_redirect (FbSseConnection *self)
{
  g_autoptr(GUri) target = NULL;
  g_autoptr(GError) error = NULL;
  const char *location;

  location = soup_message_headers_get_one (soup_message_get_response_headers (self->message),
                                           "Location");
  if (location != NULL)
    target = g_uri_parse_relative (self->current_uri, location, SOUP_HTTP_URI_FLAGS, &error);

  if (target == NULL || !fb_uri_is_http (target))
    {
      _fb_sse_connection_fail_permanent (self,
                                         g_error_new (FB_SSE_ERROR, FB_SSE_ERROR_REDIRECT,
                                                      _("The server redirected to an address "
                                                        "that is not http or https (%s)"),
                                                      location ? location : _("none given")));
      return;
    }

  if (g_ascii_strcasecmp (g_uri_get_scheme (self->current_uri), "https") == 0 &&
      g_ascii_strcasecmp (g_uri_get_scheme (target), "http") == 0)
    {
      _fb_sse_connection_fail_permanent (self,
                                         g_error_new_literal (FB_SSE_ERROR, FB_SSE_ERROR_REDIRECT,
                                                              _("The server redirected from a secure "
                                                                "https address to an insecure http "
                                                                "one; Feedbell refuses to follow it")));
      return;
    }

  if (++self->n_redirects > MAX_REDIRECTS)
    {
      _fb_sse_connection_fail_permanent (self,
                                         g_error_new_literal (FB_SSE_ERROR, FB_SSE_ERROR_REDIRECT,
                                                              _("The server redirected too many times")));
      return;
    }

  g_clear_object (&self->message);
  g_clear_pointer (&self->current_uri, g_uri_unref);
  self->current_uri = g_steal_pointer (&target);
  _fb_sse_connection_send_request (self);
}

static GError *
error_for_status (guint       status,
                  const char *reason)
{
  switch (status)
    {
    case SOUP_STATUS_UNAUTHORIZED:
      return g_error_new_literal (FB_SSE_ERROR, FB_SSE_ERROR_UNAUTHORIZED,
                                  _("The server answered 401 Unauthorized: check the access token or password"));
    case SOUP_STATUS_FORBIDDEN:
      return g_error_new_literal (FB_SSE_ERROR, FB_SSE_ERROR_FORBIDDEN,
                                  _("The server answered 403 Forbidden: this account may not read this feed"));
    case SOUP_STATUS_NOT_FOUND:
      return g_error_new_literal (FB_SSE_ERROR, FB_SSE_ERROR_NOT_FOUND,
                                  _("The server answered 404 Not Found: check the feed address"));
    case SOUP_STATUS_GONE:
      return g_error_new_literal (FB_SSE_ERROR, FB_SSE_ERROR_GONE,
                                  _("The server answered 410 Gone: this feed no longer exists"));
    default:
      return g_error_new (FB_SSE_ERROR, FB_SSE_ERROR_HTTP,
                          _("The server answered %u %s"), status, reason ? reason : "");
    }
}

static guint64
retry_after_ms (SoupMessage *message)
{
  const char *value;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  guint64 ms = 0;

  value = soup_message_headers_get_one (soup_message_get_response_headers (message), "Retry-After");
  if (!fb_backoff_parse_retry_after (value, now, &ms))
    return 0;

  return ms;
}

static gboolean
response_opens_stream (SoupMessage *message)
{
  return soup_message_get_status (message) == SOUP_STATUS_OK &&
         content_type_is_event_stream (message);
}

/* What a response that does not open the stream leads to. */
static void
handle_response (FbSseConnection *self)
{
  guint status = soup_message_get_status (self->message);
  const char *reason = soup_message_get_reason_phrase (self->message);
  const char *type;

  switch (status)
    {
    case SOUP_STATUS_OK:
      /* Not an event stream: that would have opened. */
      type = soup_message_headers_get_content_type (soup_message_get_response_headers (self->message), NULL);
      _fb_sse_connection_fail_permanent (self,
                                         g_error_new (FB_SSE_ERROR, FB_SSE_ERROR_CONTENT_TYPE,
                                                      _("This address answers with %s, not an "
                                                        "event stream (text/event-stream): "
                                                        "check the feed address"),
                                                      type ? type : _("no content type")));
      return;

    case SOUP_STATUS_NO_CONTENT:
      _fb_sse_connection_set_state (self, FB_SSE_STATE_STOPPED, NULL);
      return;

    case SOUP_STATUS_MOVED_PERMANENTLY:
    case SOUP_STATUS_FOUND:
    case SOUP_STATUS_SEE_OTHER:
    case SOUP_STATUS_TEMPORARY_REDIRECT:
    case SOUP_STATUS_PERMANENT_REDIRECT:
      follow_redirect (self);
      return;

    case SOUP_STATUS_UNAUTHORIZED:
    case SOUP_STATUS_FORBIDDEN:
    case SOUP_STATUS_NOT_FOUND:
    case SOUP_STATUS_GONE:
      _fb_sse_connection_fail_permanent (self, error_for_status (status, reason));
      return;

    default:
      _fb_sse_connection_fail_transient (self, error_for_status (status, reason),
                                         retry_after_ms (self->message));
      return;
    }
}

static void
send_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  FbSseConnection *self;
  GInputStream *stream;

  stream = soup_session_send_finish (SOUP_SESSION (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_clear_object (&stream);
      return;
    }

  self = FB_SSE_CONNECTION (user_data);
  g_assert (self->state == FB_SSE_STATE_CONNECTING);

  if (stream == NULL)
    {
      gboolean tls = error->domain == G_TLS_ERROR ||
                     soup_message_get_tls_peer_certificate_errors (self->message) != 0;

      /* GIO's own message already reads "Could not connect to host: why". */
      _fb_sse_connection_fail_transient (self,
                                         tls ? g_error_new (FB_SSE_ERROR, FB_SSE_ERROR_TLS,
                                                            _("The secure connection failed: %s"),
                                                            error->message)
                                             : g_error_new_literal (FB_SSE_ERROR, FB_SSE_ERROR_NETWORK,
                                                                    error->message),
                                         0);
      return;
    }

  if (response_opens_stream (self->message))
    {
      _fb_sse_connection_set_state (self, FB_SSE_STATE_OPEN, stream);
      return;
    }

  /* Any other answer is judged by its status and headers alone. */
  g_object_unref (stream);
  handle_response (self);
}

static void
add_request_headers (FbSseConnection    *self,
                     SoupMessageHeaders *headers)
{
  const char *last_event_id = fb_sse_parser_get_last_event_id (self->parser);

  soup_message_headers_replace (headers, "Accept", "text/event-stream");
  soup_message_headers_replace (headers, "Cache-Control", "no-cache");
  if (last_event_id[0] != '\0')
    soup_message_headers_replace (headers, "Last-Event-ID", last_event_id);

  /* Credentials, and anything else the user configured, go only to the
   * origin they were configured for, never to where a redirect points. */
  if (!same_origin (self->uri, self->current_uri))
    return;

  for (guint i = 0; i + 1 < self->headers->len; i += 2)
    soup_message_headers_append (headers,
                                 g_ptr_array_index (self->headers, i),
                                 g_ptr_array_index (self->headers, i + 1));
  if (self->authorization != NULL)
    soup_message_headers_replace (headers, "Authorization", self->authorization);
}

/* The feed's URL with the resume parameter set (replacing any the URL had). */
static GUri *
uri_with_query_param (GUri       *uri,
                      const char *name,
                      const char *value)
{
  g_autoptr(GString) query = g_string_new (NULL);
  g_auto(GStrv) parts = NULL;
  g_autofree char *prefix = g_strconcat (name, "=", NULL);
  g_autofree char *escaped = g_uri_escape_string (value, NULL, FALSE);

  if (g_uri_get_query (uri) != NULL)
    parts = g_strsplit (g_uri_get_query (uri), "&", -1);
  for (guint i = 0; parts != NULL && parts[i] != NULL; i++)
    {
      if (parts[i][0] == '\0' || g_str_has_prefix (parts[i], prefix) || g_str_equal (parts[i], name))
        continue;
      g_string_append_printf (query, "%s%s", query->len ? "&" : "", parts[i]);
    }
  g_string_append_printf (query, "%s%s=%s", query->len ? "&" : "", name, escaped);

  return g_uri_build (g_uri_get_flags (uri), g_uri_get_scheme (uri), g_uri_get_userinfo (uri),
                      g_uri_get_host (uri), g_uri_get_port (uri), g_uri_get_path (uri),
                      query->str, g_uri_get_fragment (uri));
}

void
_fb_sse_connection_send_request (FbSseConnection *self)
{
  g_assert (self->state == FB_SSE_STATE_CONNECTING);
  g_assert (self->message == NULL);

  if (self->n_redirects == 0 && self->query_name != NULL)
    {
      GUri *with_param = uri_with_query_param (self->uri, self->query_name, self->query_value);

      g_uri_unref (self->current_uri);
      self->current_uri = with_param;
    }

  self->message = soup_message_new_from_uri (SOUP_METHOD_GET, self->current_uri);
  /* Redirects are ours to follow: libsoup would carry credentials along. */
  soup_message_add_flags (self->message, SOUP_MESSAGE_NO_REDIRECT);
  add_request_headers (self, soup_message_get_request_headers (self->message));

  soup_session_send_async (self->session,
                           self->message,
                           G_PRIORITY_DEFAULT,
                           self->cancellable,
                           send_cb,
                           self);
}
