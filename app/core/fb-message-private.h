/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

#include "fb-message.h"

G_BEGIN_DECLS

#define MAX_TITLE_CHARS 200
#define MAX_BODY_CHARS  4000
#define MAX_ACTIONS     3

/* Bounds an http action's JSON (ntfy allows a body and headers). */
#define MAX_HTTP_ACTION_BYTES (80 * 1024)

typedef struct
{
  char *label;
  char *url;
  char *http;   /* an http action: ntfy's action object as JSON; NULL: a view action */
} FbMessageAction;

struct _FbMessage
{
  GObject          parent_instance;

  char            *feed_name;
  char            *event_type;
  char            *id;
  char            *title;
  char            *body;
  GStrv            tags;
  char            *click_url;
  char            *icon_url;
  char            *attachment_url;
  char            *attachment_name;
  char            *attachment_type;
  gint64           attachment_size;
  gint64           attachment_expires;
  char            *key;
  char            *group;
  FbMessageAction  actions[MAX_ACTIONS];
  guint            n_actions;
  gint64           time;
  gint64           history_id;
  int              priority;
  FbMessageKind    kind;
  guint            is_notification : 1;
  guint            is_ntfy : 1;
  guint            is_markdown : 1;
};

/* fb-message.c: making messages */
FbMessage  *_fb_message_new             (const char *feed_name,
                                         const char *event_type,
                                         const char *event_id);
FbMessage  *_fb_message_new_read        (const char      *feed_name,
                                         FbMessageFormat  format,
                                         const char      *event_type,
                                         const char      *data,
                                         gsize            data_len,
                                         JsonObject      *object,
                                         const char      *event_id);

/* fb-message-text.c: bounded text, safe links and plain text */
char       *_fb_message_bound_text      (const char *text,
                                         gsize       len,
                                         gsize       max_chars);
char       *_fb_message_bound_string    (const char *text,
                                         gsize       max_chars);
char       *_fb_message_safe_url_dup    (const char *url);
char       *_fb_message_fallback_title  (FbMessage  *self,
                                         const char *fallback);
void        _fb_message_set_plain       (FbMessage  *self,
                                         const char *data,
                                         gsize       data_len);

/* fb-message-ntfy.c: parsing JSON safely, and ntfy's JSON messages */
JsonObject *_fb_message_parse_object    (JsonParser *parser,
                                         const char *data,
                                         gsize       data_len);
JsonNode   *_fb_message_parse_node      (JsonParser *parser,
                                         const char *data,
                                         gsize       data_len);
const char *_fb_message_node_get_string (JsonNode   *node);
gboolean    _fb_message_looks_like_ntfy (JsonObject *object);
void        _fb_message_set_ntfy        (FbMessage  *self,
                                         JsonObject *object,
                                         const char *event_id);
void        _fb_message_set_actions_json (FbMessage  *self,
                                          const char *json);

/* fb-message-json.c: any other JSON object */
void        _fb_message_set_json        (FbMessage  *self,
                                         JsonObject *object,
                                         const char *event_id);

G_END_DECLS
