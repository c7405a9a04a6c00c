/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "fb-event-log.h"
#include "fb-mapping.h"
#include "fb-reader.h"
#include "fb-sse-connection.h"

G_BEGIN_DECLS

/* Shared by the files of feedbell-listen: fb-listen.c (options, messages,
 * the main loop) and fb-listen-output.c (what is printed and recorded). */

#define FLUSH_ABOVE (64 * 1024)
/* Bigger reads than the connection's default: fewer wakeups on a busy stream. */
#define READ_SIZE   (64 * 1024)

typedef struct
{
  GMainLoop       *loop;
  FbSseConnection *connection;
  FbEventLog      *log;
  FbReader        *reader;       /* with --notification */
  GString         *out;
  GPtrArray       *unsaved;      /* ids of the lines in out, in order */
  GHashTable      *unsaved_set;  /* the same, to look up */
  gint64           count;
  gint64           received;
  gboolean         quiet;
  gboolean         verbose;
  int              status;
} Listen;

typedef struct
{
  gint64    count;
  int       idle_timeout;
  gboolean  quiet;
  gboolean  verbose;
  char     *last_event_id;
  char     *state_file;
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
FbEventLog *_fb_listen_open_log        (FbSseConnection  *connection,
                                        const Options    *options);
void        _fb_listen_init            (Listen           *listen,
                                        FbSseConnection  *connection,
                                        FbEventLog       *log,
                                        const Options    *options);
void        _fb_listen_clear           (Listen           *listen);

G_END_DECLS
