/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/*
 * FbFaultClient: one run of the real feedbell-listen ($FEEDBELL_LISTEN) as a
 * child process. Its stdout is read asynchronously in large blocks and split
 * into lines, each handed to a callback with the time it was read; stderr is
 * kept (the tail of it) for diagnostics.
 */
typedef struct _FbFaultClient FbFaultClient;

/* @line is NUL-terminated without its newline; @len may be larger than
 * strlen (@line) if it holds a raw NUL (which feedbell-listen must never print). */
typedef void (*FbFaultLineFunc) (FbFaultClient *client,
                                 const char    *line,
                                 gsize          len,
                                 gint64         read_at_us,
                                 gpointer       user_data);
/* Called once the process has exited and both pipes reached their end. */
typedef void (*FbFaultDoneFunc) (FbFaultClient *client,
                                 gpointer       user_data);

FbFaultClient *fb_fault_client_spawn          (const char * const *args,
                                               FbFaultLineFunc     line_func,
                                               FbFaultDoneFunc     done_func,
                                               gpointer            user_data,
                                               GError            **error);
void           fb_fault_client_free           (FbFaultClient      *self);
gboolean       fb_fault_client_is_done        (FbFaultClient      *self);
gboolean       fb_fault_client_has_exited     (FbFaultClient      *self);
/* Valid once exited: the exit status, or -signal when a signal ended it. */
int            fb_fault_client_get_status     (FbFaultClient      *self);
const char    *fb_fault_client_get_identifier (FbFaultClient      *self);
void           fb_fault_client_send_signal    (FbFaultClient      *self,
                                               int                 signum);
const char    *fb_fault_client_get_stderr     (FbFaultClient      *self);
/* Bytes after the last newline when stdout ended (a line torn by a kill). */
gsize          fb_fault_client_get_torn_bytes (FbFaultClient      *self);
guint64        fb_fault_client_get_n_lines    (FbFaultClient      *self);
/* The peak resident set (VmHWM) in KiB, read from /proc while it runs; 0 if gone. */
guint64        fb_fault_client_read_vm_hwm_kb (FbFaultClient      *self);
gint64         fb_fault_client_get_started_at (FbFaultClient      *self);

/* GSocketClient's debug output for each of thousands of connections drowns
 * a test's report: this drops GIO's debug messages. */
void           fb_fault_silence_gio_debug     (void);

G_END_DECLS
