/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/*
 * FbListenClient: one run of the real feedbell-listen ($FEEDBELL_LISTEN) as a
 * child process. Its stdout is read asynchronously in large blocks and split
 * into lines, each handed to a callback with the time it was read; stderr is
 * kept (the tail of it) for diagnostics.
 */
typedef struct _FbListenClient FbListenClient;

/* @line is NUL-terminated without its newline; @len may be larger than
 * strlen (@line) if it holds a raw NUL (which feedbell-listen must never print). */
typedef void (*FbListenLineFunc) (FbListenClient *client,
                                  const char     *line,
                                  gsize           len,
                                  gint64          read_at_us,
                                  gpointer        user_data);
/* Called once the process has exited and both pipes reached their end. */
typedef void (*FbListenDoneFunc) (FbListenClient *client,
                                  gpointer        user_data);

FbListenClient *fb_listen_client_spawn          (const char * const *args,
                                                 FbListenLineFunc    line_func,
                                                 FbListenDoneFunc    done_func,
                                                 gpointer            user_data,
                                                 GError            **error);
void            fb_listen_client_free           (FbListenClient     *self);
gboolean        fb_listen_client_is_done        (FbListenClient     *self);
gboolean        fb_listen_client_has_exited     (FbListenClient     *self);
/* Valid once exited: the exit status, or -signal when a signal ended it. */
int             fb_listen_client_get_status     (FbListenClient     *self);
const char     *fb_listen_client_get_identifier (FbListenClient     *self);
void            fb_listen_client_send_signal    (FbListenClient     *self,
                                                 int                 signum);
const char     *fb_listen_client_get_stderr     (FbListenClient     *self);
/* Bytes after the last newline when stdout ended (a line torn by a kill). */
gsize           fb_listen_client_get_torn_bytes (FbListenClient     *self);
guint64         fb_listen_client_get_n_lines    (FbListenClient     *self);
/* The peak resident set (VmHWM) in KiB, read from /proc while it runs; 0 if gone. */
guint64         fb_listen_client_read_vm_hwm_kb (FbListenClient     *self);
gint64          fb_listen_client_get_started_at (FbListenClient     *self);

/* GSocketClient's debug output for each of thousands of connections drowns
 * a test's report: this drops GIO's debug messages. */
void            fb_listen_client_silence_gio_debug (void);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FbListenClient, fb_listen_client_free)

G_END_DECLS
