/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "fb-event-log.h"
#include "fb-mapping.h"
#include "fb-reader.h"
#include "fb-sse-connection.h"

G_BEGIN_DECLS

/* Shared by the files of feedbell-listen: fb-listen.c (options, messages,
 * the main loop), fb-listen-output.c (what is printed and recorded) and
 * fb-listen-ntfy.c (which events are ntfy's). */

#define FLUSH_ABOVE (64 * 1024)
/* Bigger reads than the connection's default: fewer wakeups on a busy stream. */
#define READ_SIZE   (64 * 1024)

typedef struct
{
  GMainLoop       *loop;
  FbSseConnection *connection;
  FbEventLog      *log;
  FbReader        *reader;       /* with --notification; without, for ntfy (not with sse, plain) */
  GString         *out;
  GPtrArray       *unsaved;      /* ListenId: the ids of the lines in out, in order */
  GHashTable      *unsaved_set;  /* their ids, to look up */
  gint64           count;
  gint64           received;
  gboolean         quiet;
  gboolean         verbose;
  gboolean         notification;
  int              status;
} Listen;

/* An id whose line waits to be written: an SSE id, or ntfy's message id
 * (resumed with since=). */
typedef struct
{
  char     *id;
  gboolean  ntfy;
} ListenId;

typedef struct
{
  gint64    count;
  int       idle_timeout;
  gboolean  quiet;
  gboolean  verbose;
  char     *last_event_id;
  char     *state_file;
  char     *ca_file;
  gint64    max_event_size;  /* 0: the default */
  GStrv     headers;
  gboolean  notification;
  char     *format;
  char     *templates[FB_MAPPING_N_FIELDS];
  GStrv     ignore;
  gboolean  skip_first;
} Options;

void _fb_listen_options_clear (Options *options);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Options, _fb_listen_options_clear)

gboolean    _fb_listen_write_all       (const char       *buf,
                                        gsize             len);
void        _fb_listen_append_event    (GString          *out,
                                        const FbSseEvent *event);
void        _fb_listen_remember_id     (Listen           *listen,
                                        const FbSseEvent *event);
void        _fb_listen_remember_ntfy   (Listen           *listen,
                                        const char       *key);
void        _fb_listen_record_unsaved  (Listen           *listen);
gboolean    _fb_listen_has_seen        (Listen           *listen,
                                        const char       *id);
FbEventLog *_fb_listen_open_log        (FbSseConnection  *connection,
                                        const Options    *options);
void        _fb_listen_init            (Listen           *listen,
                                        FbSseConnection  *connection,
                                        FbEventLog       *log,
                                        const Options    *options);
void        _fb_listen_clear           (Listen           *listen);

/* fb-listen-ntfy.c: which events are ntfy's */
gboolean         _fb_listen_is_raw_format    (const char       *name);
gboolean         _fb_listen_format_from_name (const char       *name,
                                              FbMessageFormat  *format);
FbReader        *_fb_listen_new_raw_reader   (const char       *url,
                                              const char       *format);
FbMappingResult  _fb_listen_read_event       (Listen           *listen,
                                              const FbSseEvent *event,
                                              FbMessage       **message,
                                              char            **reason);
const char      *_fb_listen_get_ntfy_key     (FbMessage        *message);

G_END_DECLS
