/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/*
 * FbFaultNtfy: the fault suite's ntfy. Messages are numbered from 1, as in
 * the SSE mode, but ntfy knows them by string ids (`aB3kd9xQ`: eight
 * letters and digits, scrambled by a seed), sends them without `id:` lines
 * as JSON (`{"id","time","event":"message","topic","message"}`), gives its
 * own events (open, keepalive) ids of their own, ignores Last-Event-ID,
 * and resumes only through `since=`: the messages after that id; `all`, or
 * an id it does not know, gives every message it has; no since, none of
 * them. This file has the text of each and the line feedbell-listen prints
 * for a message, for the checks.
 */
typedef struct _FbFaultNtfy FbFaultNtfy;

#define FB_FAULT_NTFY_TOPIC  "fault"

FbFaultNtfy *fb_fault_ntfy_new            (guint32      seed);
void         fb_fault_ntfy_free           (FbFaultNtfy *self);
guint64      fb_fault_ntfy_lookup         (FbFaultNtfy *self,
                                           const char  *id);
void         fb_fault_ntfy_append_message (FbFaultNtfy *self,
                                           GString     *out,
                                           guint64      n);
void         fb_fault_ntfy_append_event   (FbFaultNtfy *self,
                                           GString     *out,
                                           const char  *event);
guint64      fb_fault_ntfy_resume_from    (FbFaultNtfy *self,
                                           const char  *since,
                                           guint64      n_produced,
                                           gboolean    *known);
guint64      fb_fault_ntfy_check_line     (FbFaultNtfy *self,
                                           const char  *line,
                                           gsize        len);

G_END_DECLS
