/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "fb-feed-manager.h"

G_BEGIN_DECLS

#define FB_TYPE_FEED_EDITOR (fb_feed_editor_get_type ())
G_DECLARE_FINAL_TYPE (FbFeedEditor, fb_feed_editor, FB, FEED_EDITOR, GtkDialog)

FbFeedEditor *fb_feed_editor_new (GtkWindow     *parent,
                                  FbFeedManager *manager,
                                  const char    *feed_id);

G_END_DECLS
