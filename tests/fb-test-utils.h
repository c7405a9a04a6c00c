/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <libsoup/soup.h>

#include "fb-clock.h"

G_BEGIN_DECLS

typedef gboolean (*FbTestCondition) (gpointer user_data);

/* Iterates the default main context until @condition holds or @timeout_ms passes.
 * Returns whether the condition held. Never sleeps blindly. */
gboolean    fb_test_wait_until      (FbTestCondition condition,
                                     gpointer        user_data,
                                     guint           timeout_ms);

/* Iterates the default main context until @monotonic_us has passed and a
 * timer due then has run. Every source due earlier has run by then (timers
 * run in the order they fall due), so "nothing happened although its time
 * came" holds whatever the machine's load; never use it to say that
 * something happened in time. */
void        fb_test_run_until       (gint64          monotonic_us);

/* A SoupServer listening on 127.0.0.1 on a free port. */
SoupServer *fb_test_server_new      (void);
/* The same over https with @certificate (and its key); plain http when NULL. */
SoupServer *fb_test_server_new_tls  (GTlsCertificate *certificate);
/* "http://127.0.0.1:PORT" + @path, or https:// for a server over TLS */
char       *fb_test_server_url      (SoupServer     *server,
                                     const char     *path);

/* Dispatches whatever is ready in the default main context, without blocking. */
void        fb_test_flush_main_context (void);

/**
 * FbTestRequest:
 * A copy of what the server saw of one request, kept after the message is gone.
 */
typedef struct
{
  char               *method;
  char               *path;
  SoupMessageHeaders *headers;
  gint64              time_us;
} FbTestRequest;

FbTestRequest *fb_test_request_new    (SoupServerMessage *msg);
void           fb_test_request_free   (FbTestRequest     *self);
const char    *fb_test_request_header (FbTestRequest     *self,
                                       const char        *name);

/* Keeps an FbTestRequest of @msg at the end of @requests and returns its
 * index there (0 for a server's first request). */
guint          fb_test_record_request (GPtrArray         *requests,
                                       SoupServerMessage *msg);
/* The first event id a resuming server sends to @msg's client: its
 * Last-Event-ID + 1, or 1 when it sent none. */
guint          fb_test_resume_from    (SoupServerMessage *msg);

/* The resume scenario: a server keeps events 1..20 and sends each client
 * those after its Last-Event-ID; its first stream breaks after event 7. */
#define FB_TEST_RESUME_N_EVENTS  20
#define FB_TEST_RESUME_BREAK      7

/**
 * FbTestStream:
 * A 200 response with a chunked body that stays open: each write is sent as
 * one chunk at once; the body ends with fb_test_stream_end() (a clean last
 * chunk) or fb_test_stream_abort() (the socket is shut down once the chunks
 * written so far have gone out).
 *
 * libsoup reads a connection closed between two chunks as a clean end of the
 * body. For a read error, use fb_test_stream_new_with_length(): a body that
 * promises @content_length bytes (never reached) and is not chunked, so that
 * fb_test_stream_abort() ends it short.
 */
typedef struct _FbTestStream FbTestStream;

FbTestStream      *fb_test_stream_new         (SoupServerMessage *msg,
                                               const char        *content_type);
FbTestStream      *fb_test_stream_new_with_length (SoupServerMessage *msg,
                                                   const char        *content_type,
                                                   goffset            content_length);
/* fb_test_stream_new(), kept at the end of @streams (which frees it). */
FbTestStream      *fb_test_stream_new_in      (GPtrArray         *streams,
                                               SoupServerMessage *msg,
                                               const char        *content_type);
void               fb_test_stream_write       (FbTestStream      *self,
                                               const char        *data,
                                               gssize             len);
void               fb_test_stream_printf      (FbTestStream      *self,
                                               const char        *format,
                                               ...) G_GNUC_PRINTF (2, 3);
/* The body of the resume scenario's @index-th response (from 0): "retry: 200",
 * then events "id: N" / "data: event N", a chunk each, from
 * fb_test_resume_from() on. The first stops after FB_TEST_RESUME_BREAK, in
 * the middle of the next event (its id line whole, its data line not), for
 * the caller to end or abort; the others go on to FB_TEST_RESUME_N_EVENTS. */
void               fb_test_stream_write_resume (FbTestStream      *self,
                                                guint              index);
void               fb_test_stream_end         (FbTestStream      *self);
void               fb_test_stream_abort       (FbTestStream      *self);
/* Whether the message finished (ended, aborted, or the client went away). */
gboolean           fb_test_stream_is_done     (FbTestStream      *self);
SoupServerMessage *fb_test_stream_get_message (FbTestStream      *self);
void               fb_test_stream_free        (FbTestStream      *self);

/**
 * FbTestSseServer:
 * The one SSE server fixture of the network tests: a SoupServer on
 * 127.0.0.1 that records every request (FbTestRequest, in order) and hands
 * each to the test's handler with its index (0 for the first), and keeps the
 * streams the handler opens with fb_test_sse_server_stream(). Freeing it
 * ends the streams and closes the server.
 */
typedef struct _FbTestSseServer FbTestSseServer;

typedef void (*FbTestSseHandler) (FbTestSseServer   *server,
                                  SoupServerMessage *msg,
                                  const char        *path,
                                  GHashTable        *query,
                                  guint              index,
                                  gpointer           user_data);

FbTestSseServer *fb_test_sse_server_new          (FbTestSseHandler   handler,
                                                  gpointer           user_data);
/* The same over https with @certificate (fb_test_certs_load()). */
FbTestSseServer *fb_test_sse_server_new_tls      (FbTestSseHandler   handler,
                                                  gpointer           user_data,
                                                  GTlsCertificate   *certificate);
void             fb_test_sse_server_free         (FbTestSseServer   *self);
SoupServer      *fb_test_sse_server_get_soup     (FbTestSseServer   *self);
/* "http://127.0.0.1:PORT" + @path (https:// over TLS) */
char            *fb_test_sse_server_url          (FbTestSseServer   *self,
                                                  const char        *path);
/* FbTestRequest, oldest first; owned by the server. */
GPtrArray       *fb_test_sse_server_get_requests (FbTestSseServer   *self);
FbTestRequest   *fb_test_sse_server_get_request  (FbTestSseServer   *self,
                                                  guint              index);
/* FbTestStream, oldest first; owned by the server. */
GPtrArray       *fb_test_sse_server_get_streams  (FbTestSseServer   *self);
/* A streaming 200 answer to @msg, kept with the others. */
FbTestStream    *fb_test_sse_server_stream       (FbTestSseServer   *self,
                                                  SoupServerMessage *msg,
                                                  const char        *content_type);
/* Ends every stream that is still open, cleanly. */
void             fb_test_sse_server_end_streams  (FbTestSseServer   *self);
/* Closes every connection at once and stops listening: a server gone. Its
 * streams can no longer be written or ended. */
void             fb_test_sse_server_disconnect   (FbTestSseServer   *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FbTestSseServer, fb_test_sse_server_free)

/* Deletes @path and everything under it, never following a symbolic link
 * out of it; whatever cannot be deleted is left. The one way the tests
 * clean up their temporary directories. */
void               fb_test_delete_tree        (const char        *path);

/* Whether any regular file under @dir (symlinks not followed) holds @needle:
 * a secret that must never reach the disk in clear. Names the file on
 * stderr when one does; never prints @needle. */
gboolean           fb_test_file_under_contains (const char       *dir,
                                                const char       *needle);

/* Watches the server's side of @msg's connection for its client closing
 * it: a server waiting (to write, or for nothing) does not read its socket,
 * so it would not notice. */
typedef struct _FbTestPeerWatch FbTestPeerWatch;

FbTestPeerWatch *fb_test_peer_watch_new    (SoupServerMessage *msg);
gboolean         fb_test_peer_watch_closed (gpointer           watch);
void             fb_test_peer_watch_free   (FbTestPeerWatch   *watch);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FbTestPeerWatch, fb_test_peer_watch_free)

/**
 * FbTestNetFixture:
 * What the tests of the app's own requests (images, action buttons) share:
 * two servers on 127.0.0.1, two origins, that hand every request to the
 * test's handler; a SoupSession made as the app makes it; a manual clock,
 * so that no timeout fires unless the test moves it; and the one message a
 * server may hold without an answer, with a watch on its connection.
 */
typedef struct
{
  FbTestSseServer   *server;
  FbTestSseServer   *other;       /* another origin: another port */
  SoupSession       *session;
  FbClock           *clock;
  SoupServerMessage *paused;      /* fb_test_net_fixture_hold()'s */
  FbTestPeerWatch   *peer_watch;  /* the server's side of a message's connection */
} FbTestNetFixture;

void     fb_test_net_fixture_set_up    (FbTestNetFixture  *self,
                                        FbTestSseHandler   handler,
                                        gpointer           user_data);
void     fb_test_net_fixture_tear_down (FbTestNetFixture  *self);
/* Watches the connection of @msg (in peer_watch): one message a test. */
void     fb_test_net_fixture_watch     (FbTestNetFixture  *self,
                                        SoupServerMessage *msg);
/* Keeps @msg (in paused) and never answers it, a server that hangs, and
 * watches its connection. */
void     fb_test_net_fixture_hold      (FbTestNetFixture  *self,
                                        SoupServerMessage *msg);
/* An FbTestCondition: whether @fixture, an FbTestNetFixture, holds a message. */
gboolean fb_test_net_fixture_holds     (gpointer           fixture);
/* An FbTestCondition: whether @clock, an FbClock, has no timeout left. */
gboolean fb_test_clock_has_no_timeouts (gpointer           clock);

G_END_DECLS
