/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <libsoup/soup.h>

#include "fb-fault-ntfy.h"

G_BEGIN_DECLS

/*
 * FbFaultServer: a loopback SSE server whose events are numbered from 1
 * (`id: N`, `data: event N`), produced on a clock whether anyone listens or
 * not, like a real feed. A request resumes after its Last-Event-ID (a backlog
 * first, then live events); every stream starts with `retry: 100` and gets a
 * keep-alive comment regularly. On request it answers the next requests with
 * an HTTP error, replays the last event a client already has, or restarts:
 * drops every connection and refuses new ones for a while (by closing and
 * reopening its listening socket on the same port).
 *
 * In ntfy mode (fb_fault_server_use_ntfy()) the same numbered events are
 * ntfy's messages (fb-fault-ntfy.h): resumed by since= alone, each stream
 * opening with ntfy's open event after the retry line (which real ntfy
 * does not send: kept so that reconnections are timed as in the SSE
 * mode), keep-alives sent as ntfy's keepalive events, and a replay
 * resending up to four messages the client has.
 */
typedef struct _FbFaultServer FbFaultServer;

#define FB_FAULT_SERVER_RETRY_MS  100
/* The line a stream starts with (the proxy watches for it). */
#define FB_FAULT_SERVER_RETRY_LINE  "retry: 100\n"

typedef struct
{
  guint16     remote_port;    /* the connection's peer: the proxy's upstream socket */
  gint64      time_us;
  const char *last_event_id;  /* the request header, NULL when absent */
  const char *since;          /* the query's since=, NULL when absent */
  gboolean    since_known;    /* ntfy: since named a message */
  guint       status;         /* 200: a stream follows */
  guint       retry_after_s;  /* for errors: the Retry-After sent, 0 for none */
  gboolean    replayed;       /* the stream starts by resending event last_event_id
                               * (ntfy: up to four messages, since's the last) */
  guint64     first_id;       /* the first event id sent (streams) */
} FbFaultRequest;

typedef void (*FbFaultRequestFunc) (FbFaultServer        *server,
                                    const FbFaultRequest *request,
                                    gpointer              user_data);

FbFaultServer *fb_fault_server_new               (guint               interval_ms,
                                                  guint               keepalive_ms,
                                                  guint32             seed);
void           fb_fault_server_free              (FbFaultServer      *self);
void           fb_fault_server_use_ntfy          (FbFaultServer      *self);
FbFaultNtfy   *fb_fault_server_get_ntfy          (FbFaultServer      *self);
guint16        fb_fault_server_get_port          (FbFaultServer      *self);
void           fb_fault_server_set_request_func  (FbFaultServer      *self,
                                                  FbFaultRequestFunc  func,
                                                  gpointer            user_data);
void           fb_fault_server_set_producing     (FbFaultServer      *self,
                                                  gboolean            producing);
guint64        fb_fault_server_get_n_produced    (FbFaultServer      *self);
void           fb_fault_server_queue_error       (FbFaultServer      *self,
                                                  guint               status,
                                                  guint               retry_after_s);
guint          fb_fault_server_get_n_queued_errors (FbFaultServer    *self);
void           fb_fault_server_set_replay_chance (FbFaultServer      *self,
                                                  double              chance);
void           fb_fault_server_restart           (FbFaultServer      *self,
                                                  guint               down_ms);
gboolean       fb_fault_server_is_down           (FbFaultServer      *self);
guint          fb_fault_server_get_n_streams     (FbFaultServer      *self);

G_END_DECLS
