/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "fb-sse-connection"

#include "config.h"

#include "fb-sse-connection-private.h"

#include "fb-backoff.h"
#include "fb-sse-parser.h"
#include "fb-url.h"

#include <glib/gi18n-lib.h>
#include <string.h>

/*
 * The HTTP side of FbSseConnection: building the request (headers, the
 * resume parameter), following redirects without leaking credentials, and
 * reading the response's status and headers into what the state machine in
 * fb-sse-connection-state.c does next: open (handing it the response body),
 * retry, fail or stop; and a certificate that fails verification into the
 * words of what is wrong with it. Sending is CONNECTING's entry action.
 */

#define MAX_REDIRECTS  10

/* libsoup 3 has no name for it. */
#define STATUS_TOO_MANY_REQUESTS  429

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

/* A server that is busy or broken for now may get over it: anything else
 * it answers instead of 200 is, as for a browser's EventSource, not an
 * event stream, and asking again will not make it one. */
static gboolean
status_is_transient (guint status)
{
  return status == STATUS_TOO_MANY_REQUESTS || SOUP_STATUS_IS_SERVER_ERROR (status);
}

/* "202 Accepted", or "202" alone when the server gave no reason (HTTP/2). */
static char *
describe_status (guint       status,
                 const char *reason)
{
  if (reason == NULL || reason[0] == '\0')
    return g_strdup_printf ("%u", status);

  return g_strdup_printf ("%u %s", status, reason);
}

static GError *
error_for_status (guint       status,
                  const char *reason)
{
  g_autofree char *described = NULL;

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
      described = describe_status (status, reason);
      if (status_is_transient (status))
        return g_error_new (FB_SSE_ERROR, FB_SSE_ERROR_HTTP,
                            /* Translators: %s is the status, e.g. "503 Service Unavailable" */
                            _("The server answered %s"), described);
      return g_error_new (FB_SSE_ERROR, FB_SSE_ERROR_STATUS,
                          /* Translators: %s is the status, e.g. "202 Accepted" */
                          _("The server answered %s instead of an event stream: "
                            "check the feed address"), described);
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

    default:
      if (status_is_transient (status))
        _fb_sse_connection_fail_transient (self, error_for_status (status, reason),
                                           retry_after_ms (self->message));
      else
        _fb_sse_connection_fail_permanent (self, error_for_status (status, reason));
      return;
    }
}

/* Certificates. TLS is never turned off: a certificate that fails
 * verification fails the request, and no retry will change that until a
 * person does something (trusts its authority, or has the server's
 * administrator renew or fix it). What remains is to say which. */

#define MAX_CERTIFICATE_NAMES  3

static gboolean
is_self_signed (GTlsCertificate *certificate)
{
  g_autofree char *subject = NULL;
  g_autofree char *issuer = NULL;

  if (certificate == NULL)
    return FALSE;

  subject = g_tls_certificate_get_subject_name (certificate);
  issuer = g_tls_certificate_get_issuer_name (certificate);

  return subject != NULL && issuer != NULL && g_str_equal (subject, issuer);
}

/* A name from the certificate, shown only when it is plain printable
 * ASCII: the server chose it. */
static void
append_certificate_name (GString    *names,
                         const char *name,
                         gsize       len)
{
  if (len == 0 || len > 253)
    return;
  for (gsize i = 0; i < len; i++)
    if (name[i] <= ' ' || name[i] > '~')
      return;

  g_string_append_printf (names, "%s%.*s", names->len ? ", " : "", (int) len, name);
}

/* The names the certificate is for, at most MAX_CERTIFICATE_NAMES of
 * them; NULL when it shows none. */
static char *
dup_certificate_names (GTlsCertificate *certificate)
{
  g_autoptr(GPtrArray) dns_names = NULL;
  g_autoptr(GPtrArray) addresses = NULL;
  g_autoptr(GString) names = g_string_new (NULL);
  guint n = 0;

  if (certificate == NULL)
    return NULL;

  dns_names = g_tls_certificate_get_dns_names (certificate);
  addresses = g_tls_certificate_get_ip_addresses (certificate);
  for (guint i = 0; dns_names != NULL && i < dns_names->len && n < MAX_CERTIFICATE_NAMES; i++, n++)
    {
      gsize len;
      const char *name = g_bytes_get_data (dns_names->pdata[i], &len);

      append_certificate_name (names, name, len);
    }
  for (guint i = 0; addresses != NULL && i < addresses->len && n < MAX_CERTIFICATE_NAMES; i++, n++)
    {
      g_autofree char *address = g_inet_address_to_string (addresses->pdata[i]);

      append_certificate_name (names, address, strlen (address));
    }

  return names->len > 0 ? g_strdup (names->str) : NULL;
}

/* The day a certificate stops or starts being valid, "2024-05-31"; NULL
 * when the TLS backend does not say. */
static char *
dup_certificate_date (GTlsCertificate *certificate,
                      gboolean         not_after)
{
  g_autoptr(GDateTime) date = NULL;

  if (certificate == NULL)
    return NULL;

  date = not_after ? g_tls_certificate_get_not_valid_after (certificate)
                   : g_tls_certificate_get_not_valid_before (certificate);

  return date != NULL ? g_date_time_format (date, "%Y-%m-%d") : NULL;
}

static GError *
certificate_error (const char *message)
{
  return g_error_new_literal (FB_SSE_ERROR, FB_SSE_ERROR_CERTIFICATE, message);
}

static GError *
bad_identity_error (GTlsCertificate *certificate,
                    const char      *host)
{
  g_autofree char *names = dup_certificate_names (certificate);

  if (names != NULL)
    return g_error_new (FB_SSE_ERROR, FB_SSE_ERROR_CERTIFICATE,
                        /* Translators: the first %s is the names the certificate
                         * is for, the second the host of the feed's address */
                        _("The server’s certificate is for another name (%s, not %s): "
                          "check the feed address"), names, host);

  return g_error_new (FB_SSE_ERROR, FB_SSE_ERROR_CERTIFICATE,
                      /* Translators: %s is the host of the feed's address */
                      _("The server’s certificate is for another name (expected %s): "
                        "check the feed address"), host);
}

static GError *
validity_error (GTlsCertificate *certificate,
                gboolean         expired)
{
  g_autofree char *date = dup_certificate_date (certificate, expired);

  if (expired && date != NULL)
    return g_error_new (FB_SSE_ERROR, FB_SSE_ERROR_CERTIFICATE,
                        /* Translators: %s is a date, 2024-05-31 */
                        _("The server’s certificate expired on %s: "
                          "the server’s administrator must renew it"), date);
  if (expired)
    return certificate_error (_("The server’s certificate has expired: "
                                "the server’s administrator must renew it"));
  if (date != NULL)
    return g_error_new (FB_SSE_ERROR, FB_SSE_ERROR_CERTIFICATE,
                        /* Translators: %s is a date, 2024-05-31 */
                        _("The server’s certificate is not valid before %s: "
                          "check this computer’s date and time"), date);
  return certificate_error (_("The server’s certificate is not valid yet: "
                              "check this computer’s date and time"));
}

/* What is wrong with @certificate, from the first of @errors a person
 * would fix first; @tls_error, if any, is GIO's word for the rest. */
static GError *
certificate_error_new (FbSseConnection      *self,
                       GTlsCertificate      *certificate,
                       GTlsCertificateFlags  errors,
                       const GError         *tls_error)
{
  if (errors & G_TLS_CERTIFICATE_UNKNOWN_CA)
    return certificate_error (is_self_signed (certificate)
                              ? _("The server’s certificate is self-signed: add its "
                                  "certificate authority in the feed’s settings")
                              : _("The server’s certificate is signed by an unknown authority: "
                                  "add that certificate authority in the feed’s settings"));
  if (errors & G_TLS_CERTIFICATE_BAD_IDENTITY)
    return bad_identity_error (certificate, g_uri_get_host (self->current_uri));
  if (errors & (G_TLS_CERTIFICATE_EXPIRED | G_TLS_CERTIFICATE_NOT_ACTIVATED))
    return validity_error (certificate, (errors & G_TLS_CERTIFICATE_EXPIRED) != 0);
  if (errors & G_TLS_CERTIFICATE_REVOKED)
    return certificate_error (_("The server’s certificate has been revoked: "
                                "the server’s administrator must replace it"));
  if (errors & G_TLS_CERTIFICATE_INSECURE)
    return certificate_error (_("The server’s certificate uses an insecure algorithm: "
                                "the server’s administrator must replace it"));
  if (tls_error != NULL)
    return g_error_new (FB_SSE_ERROR, FB_SSE_ERROR_CERTIFICATE,
                        /* Translators: %s says why, in GLib's words */
                        _("The server’s certificate could not be verified: %s"),
                        tls_error->message);
  return certificate_error (_("The server’s certificate could not be verified"));
}

/* Never accepts: this is only where libsoup says what verification found,
 * with the certificate, before the request fails with
 * G_TLS_ERROR_BAD_CERTIFICATE. */
static gboolean
accept_certificate_cb (SoupMessage          *message,
                       GTlsCertificate      *certificate,
                       GTlsCertificateFlags  errors,
                       FbSseConnection      *self)
{
  g_clear_error (&self->certificate_error);
  self->certificate_error = certificate_error_new (self, certificate, errors, NULL);

  return FALSE;
}

/* The request failed before any answer: a certificate is a person's to
 * fix; anything else (no route, a reset, a TLS handshake cut short) may
 * pass. */
static void
fail_request (FbSseConnection *self,
              const GError    *error)
{
  GTlsCertificateFlags errors = soup_message_get_tls_peer_certificate_errors (self->message);

  if (self->certificate_error != NULL)
    {
      _fb_sse_connection_fail_permanent (self, g_steal_pointer (&self->certificate_error));
      return;
    }

  if (errors != 0 || g_error_matches (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE))
    {
      GTlsCertificate *certificate = soup_message_get_tls_peer_certificate (self->message);

      _fb_sse_connection_fail_permanent (self, certificate_error_new (self, certificate, errors, error));
      return;
    }

  /* GIO's own message already reads "Could not connect to host: why". */
  _fb_sse_connection_fail_transient (self,
                                     error->domain == G_TLS_ERROR
                                     ? g_error_new (FB_SSE_ERROR, FB_SSE_ERROR_TLS,
                                                    _("The secure connection failed: %s"),
                                                    error->message)
                                     : g_error_new_literal (FB_SSE_ERROR, FB_SSE_ERROR_NETWORK,
                                                            error->message),
                                     0);
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
      fail_request (self, error);
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

  g_clear_error (&self->certificate_error);
  self->message = soup_message_new_from_uri (SOUP_METHOD_GET, self->current_uri);
  /* Redirects are ours to follow: libsoup would carry credentials along. */
  soup_message_add_flags (self->message, SOUP_MESSAGE_NO_REDIRECT);
  g_signal_connect_object (self->message, "accept-certificate",
                           G_CALLBACK (accept_certificate_cb), self, 0);
  add_request_headers (self, soup_message_get_request_headers (self->message));

  soup_session_send_async (self->session,
                           self->message,
                           G_PRIORITY_DEFAULT,
                           self->cancellable,
                           send_cb,
                           self);
}
