/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "fb-window.h"

G_BEGIN_DECLS

/* fb-window-feed-row.c: a feed's row in the feed list */
GtkWidget *_fb_window_feed_row_new      (FbFeedManager *manager,
                                         FbFeed        *feed);
FbFeed    *_fb_window_feed_row_get_feed (GtkListBoxRow *list_row);
void       _fb_window_feed_row_update   (GtkListBoxRow *list_row);

G_END_DECLS
