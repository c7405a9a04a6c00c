/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/**
 * FbNotifyCall:
 * One org.freedesktop.Notifications.Notify call as seen on the bus, with the
 * id the server answered (0 until its reply has been seen).
 */
typedef struct
{
  char     *sender;
  guint32   serial;
  char     *app_name;
  guint32   replaces_id;
  char     *app_icon;
  char     *summary;
  char     *body;
  GStrv     actions;          /* flat: id, label, id, label, … */
  int       urgency;          /* the "urgency" hint byte, -1 without one */
  char     *desktop_entry;
  char     *category;
  gint32    expire_timeout;
  char     *sound_name;       /* the "sound-name" hint */
  gboolean  suppress_sound;   /* the "suppress-sound" hint, FALSE without one */
  char     *image_path;       /* the "image-path" hint */
  guint32   id;               /* from the server's reply */
} FbNotifyCall;

typedef struct _FbNotifyMonitor FbNotifyMonitor;

/* Watches the session bus (a second connection that becomes a monitor) for
 * Notify and CloseNotification calls, and for the replies and ActionInvoked
 * signals @server_name (the unique name owning
 * org.freedesktop.Notifications) sends. */
FbNotifyMonitor *fb_notify_monitor_new            (const char      *server_name,
                                                   GError         **error);
void             fb_notify_monitor_free           (FbNotifyMonitor *self);

/* A copy of every Notify call so far, oldest first: a GPtrArray of FbNotifyCall. */
GPtrArray       *fb_notify_monitor_dup_calls      (FbNotifyMonitor *self);
guint            fb_notify_monitor_get_n_calls    (FbNotifyMonitor *self);
guint            fb_notify_monitor_get_n_closes   (FbNotifyMonitor *self);
/* How many CloseNotification calls named notification @id. */
guint            fb_notify_monitor_count_closes   (FbNotifyMonitor *self,
                                                   guint32          id);
/* How many ActionInvoked signals the server sent for notification @id
 * and @action ("default": the notification itself was clicked). */
guint            fb_notify_monitor_count_actions  (FbNotifyMonitor *self,
                                                   guint32          id,
                                                   const char      *action);
/* The number of Notify calls whose summary contains @needle. */
guint            fb_notify_monitor_count_summary  (FbNotifyMonitor *self,
                                                   const char      *needle);
/* A copy of the newest call whose summary contains @needle, or NULL. */
FbNotifyCall    *fb_notify_monitor_dup_last       (FbNotifyMonitor *self,
                                                   const char      *needle);
/* Every call in one line each, for test logs. */
char            *fb_notify_monitor_describe       (FbNotifyMonitor *self);

void             fb_notify_call_free              (FbNotifyCall    *call);
/* Whether the flat action list has an action labelled @label. */
gboolean         fb_notify_call_has_action_label  (FbNotifyCall    *call,
                                                   const char      *label);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FbNotifyCall, fb_notify_call_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FbNotifyMonitor, fb_notify_monitor_free)

G_END_DECLS
