/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <gio/gio.h>
#include <libsoup/soup.h>
#include <string.h>

#include "fb-backoff.h"
#include "fb-session.h"
#include "fb-sse-connection.h"
#include "fb-test-tls.h"
#include "fb-test-utils.h"

/* FbSseConnection against an https SoupServer on 127.0.0.1 whose
 * certificate was made when the test started (fb-test-tls.c): a
 * certificate that fails verification is a failure a person must fix, said
 * in words, tried once and then only slowly; one signed by the feed's own
 * certificate authority opens the stream. Certificates are never accepted
 * anyway: there is no such switch to test.
 *
 * Attempts are counted at the client (the session's "request-queued"): a
 * handshake that fails never becomes a request the server sees. */

#define WAIT_MS  30000

static FbTestCerts *certs;

typedef struct
{
  FbTestSseServer *server;
  SoupSession     *session;
  FbSseConnection *conn;
  guint            n_queued;      /* requests the session was given */
  guint            n_connecting;  /* times CONNECTING was entered */
  guint            n_events;
  char            *first_data;
} Fixture;

static void
server_cb (FbTestSseServer   *server,
           SoupServerMessage *msg,
           const char        *path,
           GHashTable        *query,
           guint              index,
           gpointer           user_data)
{
  FbTestStream *stream = fb_test_sse_server_stream (server, msg, "text/event-stream");

  fb_test_stream_write (stream, "id: 1\ndata: hello over TLS\n\n", -1);
}

static void
request_queued_cb (SoupSession *session,
                   SoupMessage *message,
                   Fixture     *f)
{
  f->n_queued++;
}

static void
state_cb (FbSseConnection *conn,
          GParamSpec      *pspec,
          Fixture         *f)
{
  if (fb_sse_connection_get_state (conn) == FB_SSE_STATE_CONNECTING)
    f->n_connecting++;
}

static void
event_cb (FbSseConnection *conn,
          FbSseEvent      *event,
          Fixture         *f)
{
  if (f->n_events++ == 0)
    f->first_data = g_strndup (event->data, event->data_len);
}

static double
no_jitter_cb (gpointer user_data)
{
  return 0.0;
}

/* A server with the certificate in @pem_file, and a connection to it whose
 * session trusts @ca_file (NULL: the system's authorities). */
static Fixture *
fixture_new (const char *pem_file,
             const char *ca_file)
{
  g_autoptr(GTlsCertificate) certificate = fb_test_certs_load (pem_file);
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  Fixture *f = g_new0 (Fixture, 1);

  f->server = fb_test_sse_server_new_tls (server_cb, f, certificate);
  url = fb_test_sse_server_url (f->server, "/events");
  g_assert_true (g_str_has_prefix (url, "https://127.0.0.1:"));

  /* The app's session, as a feed with (or without) a CA file has it. */
  f->session = fb_session_new (ca_file, &error);
  g_assert_no_error (error);
  g_signal_connect (f->session, "request-queued", G_CALLBACK (request_queued_cb), f);

  f->conn = g_object_new (FB_TYPE_SSE_CONNECTION, "url", url, "session", f->session, NULL);
  fb_sse_connection_set_random_func (f->conn, no_jitter_cb, NULL);
  g_signal_connect (f->conn, "notify::state", G_CALLBACK (state_cb), f);
  g_signal_connect (f->conn, "event", G_CALLBACK (event_cb), f);

  return f;
}

static void
fixture_free (Fixture *f)
{
  g_signal_handlers_disconnect_by_data (f->conn, f);
  g_signal_handlers_disconnect_by_data (f->session, f);
  g_clear_object (&f->conn);
  g_clear_object (&f->session);
  fb_test_flush_main_context ();
  g_clear_pointer (&f->server, fb_test_sse_server_free);
  g_free (f->first_data);
  g_free (f);
}

static gboolean
left_connecting_cb (gpointer user_data)
{
  Fixture *f = user_data;

  return fb_sse_connection_get_state (f->conn) != FB_SSE_STATE_CONNECTING;
}

static gboolean
got_event_cb (gpointer user_data)
{
  Fixture *f = user_data;

  return f->n_events > 0;
}

/* The feed's own certificate authority makes its server trusted. */
static void
test_trusted_ca (void)
{
  Fixture *f;

  if (certs == NULL)
    {
      g_test_skip ("no openssl command to make certificates");
      return;
    }

  f = fixture_new (certs->trusted, certs->ca_file);
  fb_sse_connection_start (f->conn);
  g_assert_true (fb_test_wait_until (got_event_cb, f, WAIT_MS));

  g_assert_cmpint (fb_sse_connection_get_state (f->conn), ==, FB_SSE_STATE_OPEN);
  g_assert_null (fb_sse_connection_get_last_error (f->conn));
  g_assert_cmpstr (f->first_data, ==, "hello over TLS");
  g_assert_cmpuint (fb_test_sse_server_get_requests (f->server)->len, ==, 1);

  fixture_free (f);
}

typedef struct
{
  const char *path;
  gsize       pem_offset;    /* of the server's file in FbTestCerts */
  gboolean    trust_ca;      /* the session trusts the test's authority */
  const char *message;
} CertificateCase;

#define PEM(member) G_STRUCT_OFFSET (FbTestCerts, member)

static const CertificateCase certificate_cases[] = {
  { "/sse/tls/self-signed", PEM (self_signed), FALSE,
    "The server’s certificate is self-signed: add its certificate authority in the feed’s settings" },
  { "/sse/tls/unknown-authority", PEM (trusted), FALSE,
    "The server’s certificate is signed by an unknown authority: "
    "add that certificate authority in the feed’s settings" },
  { "/sse/tls/wrong-host", PEM (wrong_host), TRUE,
    "The server’s certificate is for another name (wrong.example, not 127.0.0.1): "
    "check the feed address" },
  { "/sse/tls/expired", PEM (expired), TRUE,
    "The server’s certificate expired on 2000-01-02: the server’s administrator must renew it" },
  { "/sse/tls/not-yet-valid", PEM (not_yet_valid), TRUE,
    "The server’s certificate is not valid before 2099-01-01: "
    "check this computer’s date and time" },
  { "/sse/tls/insecure", PEM (insecure), TRUE,
    "The server’s certificate uses an insecure algorithm: "
    "the server’s administrator must replace it" },
};

/* Each is FAILED at the first attempt, says what is wrong and what to do,
 * and is not tried again when a transient failure would have been. */
static void
test_certificate_failure (gconstpointer data)
{
  const CertificateCase *c = data;
  const GError *error;
  gint64 started_us;
  gint64 failed_us;
  Fixture *f;

  if (certs == NULL)
    {
      g_test_skip ("no openssl command to make certificates");
      return;
    }

  f = fixture_new (G_STRUCT_MEMBER (char *, certs, c->pem_offset),
                   c->trust_ca ? certs->ca_file : NULL);
  started_us = g_get_monotonic_time ();
  fb_sse_connection_start (f->conn);
  g_assert_true (fb_test_wait_until (left_connecting_cb, f, WAIT_MS));
  failed_us = g_get_monotonic_time ();

  g_assert_cmpint (fb_sse_connection_get_state (f->conn), ==, FB_SSE_STATE_FAILED);
  error = fb_sse_connection_get_last_error (f->conn);
  g_assert_error ((GError *) error, FB_SSE_ERROR, FB_SSE_ERROR_CERTIFICATE);
  g_assert_cmpstr (error->message, ==, c->message);
  /* Tried again only as slowly as any failure a person must fix. */
  g_assert_cmpint (fb_sse_connection_get_retry_at (f->conn), >=,
                   started_us + (gint64) FB_BACKOFF_CAP_MS * 1000);
  g_assert_cmpuint (f->n_queued, ==, 1);
  g_assert_cmpuint (f->n_connecting, ==, 1);

  /* Past the time a transient failure would have been retried (3 s). */
  fb_test_run_until (failed_us + (FB_BACKOFF_DEFAULT_RETRY_MS + 500) * 1000);
  g_assert_cmpint (fb_sse_connection_get_state (f->conn), ==, FB_SSE_STATE_FAILED);
  g_assert_cmpuint (f->n_queued, ==, 1);
  g_assert_cmpuint (f->n_connecting, ==, 1);
  g_assert_cmpuint (f->n_events, ==, 0);
  g_assert_cmpuint (fb_test_sse_server_get_requests (f->server)->len, ==, 0);

  fixture_free (f);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);

  certs = fb_test_certs_new ();

  g_test_add_func ("/sse/tls/trusted-ca", test_trusted_ca);
  for (guint i = 0; i < G_N_ELEMENTS (certificate_cases); i++)
    g_test_add_data_func (certificate_cases[i].path, &certificate_cases[i], test_certificate_failure);

  status = g_test_run ();
  g_clear_pointer (&certs, fb_test_certs_free);

  return status;
}
