/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "fb-feed-manager.h"
#include "fb-history.h"
#include "fb-notifier.h"

G_BEGIN_DECLS

#define FB_TYPE_INDICATOR (fb_indicator_get_type ())
G_DECLARE_FINAL_TYPE (FbIndicator, fb_indicator, FB, INDICATOR, GObject)

FbIndicator *fb_indicator_new (GApplication  *app,
                               FbFeedManager *manager,
                               FbNotifier    *notifier,
                               FbHistory     *history,
                               GSettings     *settings);

G_END_DECLS
