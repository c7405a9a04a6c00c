/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "fb-feed-manager.h"
#include "fb-history.h"

G_BEGIN_DECLS

#define FB_TYPE_WINDOW (fb_window_get_type ())
G_DECLARE_FINAL_TYPE (FbWindow, fb_window, FB, WINDOW, GtkApplicationWindow)

FbWindow *fb_window_new           (GtkApplication *application,
                                   FbFeedManager  *manager,
                                   GSettings      *settings,
                                   FbHistory      *history);
void      fb_window_show_messages (FbWindow       *self,
                                   FbHistoryEntry *entry);

G_END_DECLS
