/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The largest event data accepted by default: 1 MiB. */
#define FB_SSE_PARSER_DEFAULT_MAX_SIZE (1024 * 1024)

typedef struct _FbSseParser FbSseParser;

/**
 * FbSseEventFunc:
 * @type: the event type, "message" when the stream named none; valid UTF-8,
 *   NUL-terminated; it may also contain U+0000, so its length is
 *   fb_sse_parser_get_event_type_len()
 * @data: the event data, valid UTF-8, NUL-terminated; it may also contain U+0000
 * @data_len: length of @data in bytes
 * @last_event_id: the last event ID string (may be "")
 * @user_data: closure
 *
 * Called for every dispatched event. The strings belong to the parser and are
 * only valid during the call.
 */
typedef void (*FbSseEventFunc) (const char *type,
                                const char *data,
                                gsize       data_len,
                                const char *last_event_id,
                                gpointer    user_data);

/**
 * FbSseRetryFunc:
 * @retry_ms: the reconnection time the server asked for, in milliseconds
 *   (saturated at G_MAXUINT64)
 */
typedef void (*FbSseRetryFunc) (guint64  retry_ms,
                                gpointer user_data);

FbSseParser *fb_sse_parser_new                (gsize           max_size);
void         fb_sse_parser_free               (FbSseParser    *self);
void         fb_sse_parser_set_handlers       (FbSseParser    *self,
                                               FbSseEventFunc  event_func,
                                               FbSseRetryFunc  retry_func,
                                               gpointer        user_data);
void         fb_sse_parser_feed               (FbSseParser    *self,
                                               const char     *buf,
                                               gsize           len);
void         fb_sse_parser_reset              (FbSseParser    *self);
void         fb_sse_parser_interrupt          (FbSseParser    *self);
const char  *fb_sse_parser_get_last_event_id  (FbSseParser    *self);
void         fb_sse_parser_set_last_event_id  (FbSseParser    *self,
                                               const char     *last_event_id);
gboolean     fb_sse_parser_event_has_id       (FbSseParser    *self);
gsize        fb_sse_parser_get_event_type_len (FbSseParser    *self);
guint        fb_sse_parser_get_n_dropped      (FbSseParser    *self);
gsize        fb_sse_parser_get_max_size       (FbSseParser    *self);
void         fb_sse_parser_set_max_size       (FbSseParser    *self,
                                               gsize           max_size);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FbSseParser, fb_sse_parser_free)

G_END_DECLS
