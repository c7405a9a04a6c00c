/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

#include "fb-types.h"

G_BEGIN_DECLS

/**
 * FbMessageFields:
 *
 * A message's parts as a store kept them, for fb_message_new_stored().
 * Every member may be %NULL or 0; @time is in Unix seconds; @markdown,
 * whether @body is Markdown (fb_message_is_markdown()).
 */
typedef struct
{
  const char         *feed_name;
  const char         *key;
  const char         *group;
  const char         *title;
  const char         *body;
  int                 priority;
  gint64              time;
  const char * const *tags;
  const char         *click_url;
  const char         *icon_url;
  const char         *attachment_url;
  const char         *attachment_name;
  guint               n_actions;
  const char         *action_labels[3];
  const char         *action_urls[3];
  const char         *actions_json;
  gboolean            markdown;
} FbMessageFields;

#define FB_TYPE_MESSAGE (fb_message_get_type ())
G_DECLARE_FINAL_TYPE (FbMessage, fb_message, FB, MESSAGE, GObject)

FbMessage          *fb_message_new_from_event      (const char      *feed_name,
                                                    FbMessageFormat  format,
                                                    const char      *event_type,
                                                    const char      *data,
                                                    gsize            data_len,
                                                    const char      *event_id);
FbMessage          *fb_message_new_stored          (const FbMessageFields *fields);
gboolean            fb_message_is_notification     (FbMessage       *self);
gboolean            fb_message_is_ntfy             (FbMessage       *self);
gboolean            fb_message_is_markdown         (FbMessage       *self);
const char         *fb_message_get_feed_name       (FbMessage       *self);
const char         *fb_message_get_event_type      (FbMessage       *self);
const char         *fb_message_get_id              (FbMessage       *self);
const char         *fb_message_get_title           (FbMessage       *self);
const char         *fb_message_get_body            (FbMessage       *self);
FbUrgency           fb_message_get_urgency         (FbMessage       *self);
int                 fb_message_get_priority        (FbMessage       *self);
const char * const *fb_message_get_tags            (FbMessage       *self);
const char         *fb_message_get_click_url       (FbMessage       *self);
const char         *fb_message_get_icon_url        (FbMessage       *self);
const char         *fb_message_get_attachment_url  (FbMessage       *self);
const char         *fb_message_get_attachment_name (FbMessage       *self);
guint               fb_message_get_n_actions       (FbMessage       *self);
gboolean            fb_message_get_action          (FbMessage       *self,
                                                    guint            index,
                                                    const char     **label,
                                                    const char     **url);
const char         *fb_message_get_key             (FbMessage       *self);
const char         *fb_message_get_group           (FbMessage       *self);
gint64              fb_message_get_time            (FbMessage       *self);
FbMessageKind       fb_message_get_kind            (FbMessage       *self);
gint64              fb_message_get_history_id      (FbMessage       *self);
const char         *fb_message_get_action_http     (FbMessage       *self,
                                                    guint            index);
char               *fb_message_dup_actions_json    (FbMessage       *self);
const char         *fb_message_get_attachment_type (FbMessage       *self);
gint64              fb_message_get_attachment_size (FbMessage       *self);
gint64              fb_message_get_attachment_expires (FbMessage    *self);
void                fb_message_set_history_id      (FbMessage       *self,
                                                    gint64           id);

const char         *fb_emoji_for_tag               (const char      *tag);

G_END_DECLS
