/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

#include "fb-clock.h"

G_BEGIN_DECLS

/* How many recent ids are remembered to drop replays. */
#define FB_EVENT_LOG_SEEN_MAX      256
/* Writes are debounced by this much: a burst costs a few writes a second, and a
 * crash loses at most this window of progress (those events are shown again). */
#define FB_EVENT_LOG_DEBOUNCE_MS   500

#define FB_TYPE_EVENT_LOG (fb_event_log_get_type ())
G_DECLARE_FINAL_TYPE (FbEventLog, fb_event_log, FB, EVENT_LOG, GObject)

/**
 * FbEventLogSaveFunc:
 * @self: the log
 * @data: its state, as the JSON its file would hold
 *
 * Stores the state somewhere else than the log's file (the app keeps it in
 * its history database, in the transaction of the messages it covers).
 *
 * Returns: whether @data is stored, or queued to be
 */
typedef gboolean (*FbEventLogSaveFunc) (FbEventLog  *self,
                                        const char  *data,
                                        gpointer     user_data,
                                        GError     **error);

FbEventLog *fb_event_log_new                (const char  *path);
FbEventLog *fb_event_log_new_with_clock     (const char  *path,
                                             FbClock     *clock);
const char *fb_event_log_get_last_event_id  (FbEventLog  *self);
gint64      fb_event_log_get_last_seen      (FbEventLog  *self);
gboolean    fb_event_log_has_seen           (FbEventLog  *self,
                                             const char  *id);
void        fb_event_log_record             (FbEventLog  *self,
                                             const char  *id,
                                             const char  *resume_param);
void        fb_event_log_remember_key       (FbEventLog  *self,
                                             const char  *key);
gboolean    fb_event_log_has_seen_key       (FbEventLog  *self,
                                             const char  *key);
const char *fb_event_log_get_resume_param   (FbEventLog  *self);
void        fb_event_log_forget             (FbEventLog  *self);
gboolean    fb_event_log_flush              (FbEventLog  *self,
                                             GError     **error);
guint       fb_event_log_get_n_writes       (FbEventLog  *self);

void        fb_event_log_set_save_func      (FbEventLog         *self,
                                             FbEventLogSaveFunc  func,
                                             gpointer            user_data,
                                             GDestroyNotify      destroy);
gboolean    fb_event_log_load_data          (FbEventLog  *self,
                                             const char  *data,
                                             GError     **error);
const char *fb_event_log_get_path           (FbEventLog  *self);
char       *fb_event_log_dup_data           (FbEventLog  *self);

char       *fb_event_log_path_for_feed      (const char  *feed_id);

G_END_DECLS
