/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "fb-window.h"

G_BEGIN_DECLS

typedef struct _FbWindowMessages FbWindowMessages;

/* Shared by fb-window.c (the window, the feed list, the actions) and
 * fb-window-general.c (the General page). */
struct _FbWindow
{
  GtkApplicationWindow  parent_instance;

  FbFeedManager        *manager;
  GSettings            *settings;
  FbHistory            *history;
  FbWindowMessages     *messages;
  GtkWidget            *editor;   /* unowned; NULL once destroyed */

  /* Template widgets */
  GtkStack             *stack;
  GtkStack             *feeds_stack;
  GtkListBox           *feed_list;
  GtkLabel             *example_label;
  GtkScrolledWindow    *general_scrolled;
  GtkContainer         *general_box;
  GtkSwitch            *pause_switch;
  GtkSwitch            *show_body_switch;
  GtkSwitch            *sounds_switch;
  GtkSpinButton        *threshold_spin;
  GtkSpinButton        *window_spin;
  GtkLabel             *coalesce_label;
  GtkSwitch            *quiet_switch;
  GtkWidget            *quiet_start_row;
  GtkSpinButton        *quiet_start_hour_spin;
  GtkSpinButton        *quiet_start_minute_spin;
  GtkWidget            *quiet_end_row;
  GtkSpinButton        *quiet_end_hour_spin;
  GtkSpinButton        *quiet_end_minute_spin;
  GtkSwitch            *urgent_switch;
  GtkSpinButton        *history_days_spin;
  GtkSpinButton        *history_max_spin;
  GtkSwitch            *autostart_switch;
  GtkInfoBar           *autostart_info_bar;
  GtkLabel             *autostart_error_label;
};

/* fb-window-general.c: the General page */
void _fb_window_general_class_init (GtkWidgetClass *widget_class);
void _fb_window_general_init       (FbWindow       *self);
void _fb_window_general_bind       (FbWindow       *self);
void _fb_window_sync_autostart     (FbWindow       *self);

/* fb-window-feed-row.c: a feed's row in the feed list */
GtkWidget *_fb_window_feed_row_new      (FbFeedManager *manager,
                                         FbFeed        *feed);
FbFeed    *_fb_window_feed_row_get_feed (GtkListBoxRow *list_row);
void       _fb_window_feed_row_update   (GtkListBoxRow *list_row);

/* fb-window-messages.c: the Messages page, its list, search and actions */
FbWindowMessages *_fb_window_messages_new        (FbWindow         *window,
                                                  GtkStack         *stack,
                                                  FbHistory        *history,
                                                  FbFeedManager    *manager);
void              _fb_window_messages_free       (FbWindowMessages *self);
gboolean          _fb_window_messages_handle_key (FbWindowMessages *self,
                                                  GdkEventKey      *event);
void              _fb_window_messages_show_entry (FbWindowMessages *self,
                                                  FbHistoryEntry   *entry);

/* fb-window-message-row.c: one message's row, the day headers, the words
 * the rows and the details share */
GtkWidget      *_fb_window_message_row_new        (FbHistoryEntry *entry);
void            _fb_window_message_row_set_entry  (GtkListBoxRow  *list_row,
                                                   FbHistoryEntry *entry);
FbHistoryEntry *_fb_window_message_row_get_entry  (GtkListBoxRow  *list_row);
gint64          _fb_window_message_row_get_id     (GtkListBoxRow  *list_row);
void            _fb_window_message_row_set_read   (GtkListBoxRow  *list_row);
gboolean        _fb_window_message_row_take_unseen (GtkListBoxRow *list_row);
void            _fb_window_message_row_header_cb  (GtkListBoxRow  *list_row,
                                                   GtkListBoxRow  *before,
                                                   gpointer        user_data);
char           *_fb_window_message_dup_tags       (FbMessage      *message);
const char     *_fb_window_message_priority_text  (int             priority);
char           *_fb_window_message_dup_day        (gint64          received_us);
char           *_fb_window_message_dup_time       (gint64          received_us);

/* fb-window-message-details.c: the pane beside the list */
typedef struct
{
  GtkStack  *stack;          /* "none" or "message" */
  GtkLabel  *feed;
  GtkLabel  *title;
  GtkLabel  *info;           /* when, priority, tags */
  GtkLabel  *body;
  GtkBox    *buttons;        /* the link, the attachment, the view actions */
} FbMessageDetails;

void _fb_window_message_details_show (FbMessageDetails *details,
                                      FbHistoryEntry   *entry);
char *_fb_window_message_body_markup (const char       *text);

G_END_DECLS
