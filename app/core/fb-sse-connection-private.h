/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "fb-sse-connection.h"

#include "fb-backoff.h"
#include "fb-sse-parser.h"

G_BEGIN_DECLS

struct _FbSseConnection
{
  GObject        parent_instance;

  char          *url;
  GUri          *uri;
  SoupSession   *session;
  FbSseParser   *parser;
  FbBackoff      backoff;
  GPtrArray     *headers;        /* alternating name, value */
  char          *query_name;     /* a resume parameter, e.g. ntfy's since= */
  char          *query_value;
  char          *authorization;

  FbSseState     state;
  guint          generation;     /* bumped by every set_state(): a callback tells
                                    whether the state it ran in is still on */
  guint          pending_notify; /* FbSseNotify, until set_state() is done */
  GError        *last_error;
  gint64         retry_at;
  guint64        next_delay_ms;
  guint          idle_timeout;
  guint          connect_timeout;
  gboolean       network_available;

  /* What a state has running, by the state that owns it: its entry action
   * starts it and its exit action ends it (fb-sse-connection-state.c). */
  GCancellable  *cancellable;    /* CONNECTING and OPEN: the request */
  SoupMessage   *message;        /* CONNECTING and OPEN */
  GUri          *current_uri;    /* CONNECTING: where, after redirects */
  guint          n_redirects;    /* CONNECTING */
  guint          connect_timeout_id; /* CONNECTING */
  GError        *certificate_error;  /* CONNECTING: why the handshake refused
                                        the server's certificate */
  GInputStream  *stream;         /* OPEN: the response body */
  gint64         last_byte_at;   /* OPEN */
  guint          retry_id;       /* WAITING_RETRY and FAILED, with retry_at */
  /* Lives as long as the object, armed only while OPEN (fb-sse-connection-read.c). */
  GSource       *watchdog;

  char          *notified_id;    /* last-event-id as last notified */
  guint8        *buffer;
  gsize          read_size;      /* of @buffer */

  /* Direct handlers: a signal emission per event costs more than parsing it. */
  FbSseConnectionEventFunc    event_func;
  gpointer                    event_data;
  GDestroyNotify              event_destroy;
  FbSseConnectionReadDoneFunc read_done_func;
  gpointer                    read_done_data;
  GDestroyNotify              read_done_destroy;
};

/* Properties set_state() notifies, in FbSseConnection:pending_notify. */
typedef enum
{
  FB_SSE_NOTIFY_STATE      = 1 << 0,
  FB_SSE_NOTIFY_RETRY_AT   = 1 << 1,
  FB_SSE_NOTIFY_LAST_ERROR = 1 << 2,
} FbSseNotify;

/* fb-sse-connection.c: the type, its properties and its signal */
void     _fb_sse_connection_flush_notify         (FbSseConnection *self);
void     _fb_sse_connection_notify_last_event_id (FbSseConnection *self);
void     _fb_sse_connection_emit_event           (FbSseConnection *self,
                                                  FbSseEvent      *event);

/* fb-sse-connection-state.c: the state machine */
void     _fb_sse_connection_teardown             (FbSseConnection *self);
void     _fb_sse_connection_set_state            (FbSseConnection *self,
                                                  FbSseState       state,
                                                  GInputStream    *stream);
void     _fb_sse_connection_fail_transient       (FbSseConnection *self,
                                                  GError          *error,
                                                  guint64          retry_after_ms);
void     _fb_sse_connection_fail_permanent       (FbSseConnection *self,
                                                  GError          *error);

/* fb-sse-connection-http.c: the request and its response */
void     _fb_sse_connection_send_request         (FbSseConnection *self);

/* fb-sse-connection-read.c: the read loop, event delivery, the idle watchdog */
void     _fb_sse_connection_init_parser          (FbSseConnection *self);
void     _fb_sse_connection_read_next            (FbSseConnection *self);
void     _fb_sse_connection_watchdog_arm         (FbSseConnection *self);
void     _fb_sse_connection_watchdog_reschedule  (FbSseConnection *self);
void     _fb_sse_connection_watchdog_disarm      (FbSseConnection *self);
void     _fb_sse_connection_watchdog_destroy     (FbSseConnection *self);

G_END_DECLS
