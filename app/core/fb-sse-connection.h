/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <libsoup/soup.h>

#include "fb-types.h"

G_BEGIN_DECLS

/* Seconds without a single byte (event or comment) after which a stream is presumed dead. */
#define FB_SSE_DEFAULT_IDLE_TIMEOUT     90
#define FB_SSE_DEFAULT_CONNECT_TIMEOUT  30

/* The bounds of #FbSseConnection:max-event-size, in bytes of an event's
 * data (a feed's `max-event-size` setting has the same): 1 MiB by default. */
#define FB_SSE_MIN_EVENT_SIZE          1024
#define FB_SSE_MAX_EVENT_SIZE          (64 * 1024 * 1024)
#define FB_SSE_DEFAULT_MAX_EVENT_SIZE  (1024 * 1024)

/**
 * FbSseEvent:
 * @type: UTF-8 event type ("message" by default), NUL-terminated (may contain
 *   U+0000 before @type_len)
 * @type_len: bytes in @type
 * @data: UTF-8 data, NUL-terminated (may contain U+0000 before @data_len)
 * @data_len: bytes in @data
 * @last_event_id: the last event id after this event ("" when none)
 * @has_id: whether the event carried an id of its own (else @last_event_id is inherited)
 *
 * One dispatched event. Only valid during the call of the event function
 * (fb_sse_connection_set_event_func()) or the #FbSseConnection::event emission.
 */
typedef struct
{
  const char *type;
  gsize       type_len;
  const char *data;
  gsize       data_len;
  const char *last_event_id;
  gboolean    has_id;
} FbSseEvent;

GType fb_sse_event_get_type (void) G_GNUC_CONST;
#define FB_TYPE_SSE_EVENT (fb_sse_event_get_type ())

#define FB_TYPE_SSE_CONNECTION (fb_sse_connection_get_type ())
G_DECLARE_FINAL_TYPE (FbSseConnection, fb_sse_connection, FB, SSE_CONNECTION, GObject)

/**
 * FbSseConnectionEventFunc:
 * @connection: the connection
 * @event: the event, valid during the call only
 * @user_data: closure
 *
 * A direct event handler, see fb_sse_connection_set_event_func().
 */
typedef void (*FbSseConnectionEventFunc) (FbSseConnection  *connection,
                                          const FbSseEvent *event,
                                          gpointer          user_data);

/**
 * FbSseConnectionReadDoneFunc:
 * @connection: the connection
 * @user_data: closure
 *
 * Called once per read, after all the events it completed were delivered.
 */
typedef void (*FbSseConnectionReadDoneFunc) (FbSseConnection *connection,
                                             gpointer         user_data);

FbSseConnection *fb_sse_connection_new               (const char       *url);
void             fb_sse_connection_start             (FbSseConnection  *self);
void             fb_sse_connection_stop              (FbSseConnection  *self);
void             fb_sse_connection_reconnect_now     (FbSseConnection  *self);
void             fb_sse_connection_fail              (FbSseConnection  *self,
                                                      GError           *error);
void             fb_sse_connection_set_network_available (FbSseConnection *self,
                                                          gboolean         available);
gboolean         fb_sse_connection_is_loopback       (FbSseConnection  *self);
FbSseState       fb_sse_connection_get_state         (FbSseConnection  *self);
const GError    *fb_sse_connection_get_last_error    (FbSseConnection  *self);
const char      *fb_sse_connection_get_url           (FbSseConnection  *self);
const char      *fb_sse_connection_get_last_event_id (FbSseConnection  *self);
void             fb_sse_connection_set_last_event_id (FbSseConnection  *self,
                                                      const char       *last_event_id);
gint64           fb_sse_connection_get_retry_at      (FbSseConnection  *self);
void             fb_sse_connection_set_idle_timeout  (FbSseConnection  *self,
                                                      guint             seconds);
void             fb_sse_connection_set_connect_timeout (FbSseConnection *self,
                                                        guint            seconds);
void             fb_sse_connection_set_query_param   (FbSseConnection  *self,
                                                      const char       *name,
                                                      const char       *value);
void             fb_sse_connection_add_header        (FbSseConnection  *self,
                                                      const char       *name,
                                                      const char       *value);
void             fb_sse_connection_set_authorization (FbSseConnection  *self,
                                                      const char       *value);
void             fb_sse_connection_set_random_func   (FbSseConnection  *self,
                                                      double          (*random_func) (gpointer),
                                                      gpointer          random_data);
guint            fb_sse_connection_get_max_event_size (FbSseConnection *self);
void             fb_sse_connection_set_max_event_size (FbSseConnection *self,
                                                       guint            max_event_size);
guint            fb_sse_connection_get_n_dropped     (FbSseConnection  *self);
void             fb_sse_connection_set_event_func    (FbSseConnection  *self,
                                                      FbSseConnectionEventFunc func,
                                                      gpointer          user_data,
                                                      GDestroyNotify    destroy);
void             fb_sse_connection_set_read_done_func (FbSseConnection *self,
                                                       FbSseConnectionReadDoneFunc func,
                                                       gpointer         user_data,
                                                       GDestroyNotify   destroy);
const char      *fb_sse_state_to_string              (FbSseState        state);

G_END_DECLS
