/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/*
 * FbFaultProxy: a TCP proxy on 127.0.0.1 in front of one upstream port,
 * forwarding bytes both ways, that can break the server-to-client direction
 * of a connection on request:
 *
 * - a cut: forward a random prefix of the next event that comes from
 *   upstream, then close both sides, either with a reset (SO_LINGER 0) or
 *   with an orderly close in the middle of a line;
 * - a stall: stop forwarding, socket left open (only the client's watchdog
 *   can end it);
 * - a trickle: forward one byte per 50 ms for a while, then catch up.
 *
 * A connection the upstream refuses is reset at once. The proxy reports every
 * connection's start, the upstream port it uses (which the server sees as
 * the request's remote port), when the stream's `retry:` line went through,
 * and how the connection ended.
 */
typedef struct _FbFaultProxy FbFaultProxy;
typedef struct _FbFaultConn  FbFaultConn;

#define FB_FAULT_TRICKLE_INTERVAL_MS  50

typedef enum
{
  FB_FAULT_FLOW_PASS,
  FB_FAULT_FLOW_STALL,
  FB_FAULT_FLOW_TRICKLE,
} FbFaultFlow;

typedef enum
{
  FB_FAULT_CUT_NONE,
  FB_FAULT_CUT_RESET,       /* a prefix of an event, then RST */
  FB_FAULT_CUT_HALF_LINE,   /* up to the middle of one of its lines, then FIN */
} FbFaultCut;

typedef enum
{
  FB_FAULT_END_CLIENT,      /* the client closed its side (or died) */
  FB_FAULT_END_UPSTREAM,    /* the server closed: passed on once all was forwarded */
  FB_FAULT_END_REFUSED,     /* the server was not listening: client reset */
  FB_FAULT_END_CUT,         /* an injected cut */
  FB_FAULT_END_RESET,       /* fb_fault_conn_reset() */
} FbFaultEnd;

typedef struct
{
  void (*accepted)        (FbFaultConn *conn, gpointer user_data);
  void (*upstream_ready)  (FbFaultConn *conn, gpointer user_data);
  void (*retry_forwarded) (FbFaultConn *conn, gpointer user_data);
  void (*ended)           (FbFaultConn *conn, FbFaultEnd how, gpointer user_data);
} FbFaultProxyHooks;

FbFaultProxy *fb_fault_proxy_new          (guint16                  upstream_port,
                                           guint32                  seed,
                                           const FbFaultProxyHooks *hooks,
                                           gpointer                 user_data);
void          fb_fault_proxy_free         (FbFaultProxy            *self);
guint16       fb_fault_proxy_get_port     (FbFaultProxy            *self);
guint         fb_fault_proxy_get_n_conns  (FbFaultProxy            *self);

guint         fb_fault_conn_get_id              (FbFaultConn *conn);
gint64        fb_fault_conn_get_accepted_at     (FbFaultConn *conn);
gint64        fb_fault_conn_get_ended_at        (FbFaultConn *conn);
guint16       fb_fault_conn_get_upstream_port   (FbFaultConn *conn);
/* When the last write to the client began (it cannot have had a byte sooner). */
gint64        fb_fault_conn_get_last_forward_at (FbFaultConn *conn);
gint64        fb_fault_conn_get_retry_forwarded_at (FbFaultConn *conn);
FbFaultFlow   fb_fault_conn_get_flow            (FbFaultConn *conn);
FbFaultCut    fb_fault_conn_get_cut             (FbFaultConn *conn);
gboolean      fb_fault_conn_is_closed           (FbFaultConn *conn);
gpointer      fb_fault_conn_get_data            (FbFaultConn *conn);
void          fb_fault_conn_set_data            (FbFaultConn *conn,
                                                 gpointer     data);
void          fb_fault_conn_arm_cut             (FbFaultConn *conn,
                                                 FbFaultCut   cut);
void          fb_fault_conn_stall               (FbFaultConn *conn);
void          fb_fault_conn_trickle             (FbFaultConn *conn,
                                                 guint        duration_ms);
void          fb_fault_conn_reset               (FbFaultConn *conn);

G_END_DECLS
