/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "fb-window-private.h"

G_BEGIN_DECLS

/* Rows read at a time. Laying out a row's text is most of what showing it
 * costs (a search's results are laid out anew): 50 rows keep a search
 * under 50 ms, and fill a tall window; a taller one reads more at once
 * (see fill_cb() in fb-window-messages-list.c). */
#define FB_MESSAGES_PAGE_SIZE 50

/* The Messages page, shared by fb-window-messages.c (the page, its filter,
 * search and actions) and fb-window-messages-list.c (its rows, read from
 * the history). */
struct _FbWindowMessages
{
  FbWindow          *window;        /* unowned: it owns us */
  GtkStack          *stack;         /* the window's pages */
  FbHistory         *history;
  FbFeedManager     *manager;

  GtkWidget         *page;
  GtkComboBoxText   *feed_combo;
  GtkToggleButton   *search_button;
  GtkSearchBar      *search_bar;
  GtkSearchEntry    *search_entry;
  GtkStack          *list_stack;
  GtkScrolledWindow *scroll;
  GtkListBox        *list;
  GtkLabel          *empty_label;
  GtkWidget         *dialog;        /* the confirmation shown, or NULL */
  FbMessageDetails   details;

  char              *feed_id;       /* the filter; NULL: every feed */
  char              *search;        /* NULL: no search */
  char              *combo_shape;   /* the feeds the combo lists, ids and names */
  gint64             newest_id;     /* the range loaded; 0 before anything was */
  gint64             oldest_id;
  gboolean           complete;      /* the oldest entry is loaded */
  gint64             read_up_to;    /* given to fb_history_mark_read() for this filter */
  guint              refresh_id;
  guint              fill_id;
};

/* fb-window-messages-list.c */
void           _fb_window_messages_init_list     (FbWindowMessages *self);
void           _fb_window_messages_dispose_list  (FbWindowMessages *self);
void           _fb_window_messages_reload        (FbWindowMessages *self);
void           _fb_window_messages_load_more     (FbWindowMessages *self);
void           _fb_window_messages_refresh       (FbWindowMessages *self);
void           _fb_window_messages_queue_refresh (FbWindowMessages *self);
void           _fb_window_messages_mark_seen     (FbWindowMessages *self);
void           _fb_window_messages_update_empty  (FbWindowMessages *self);
void           _fb_window_messages_clear_rows    (FbWindowMessages *self);
GtkListBoxRow *_fb_window_messages_find_row      (FbWindowMessages *self,
                                                  gint64            id);

G_END_DECLS
