/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "fb-indicator.h"

G_BEGIN_DECLS

/* fb-indicator-summary.c: what the icon says, in an icon name and in words */
char *_fb_indicator_summarise          (FbFeedManager  *manager,
                                        FbNotifier     *notifier,
                                        FbHistory      *history,
                                        GSettings      *settings,
                                        const char    **icon_name);
char *_fb_indicator_dup_quiet_until    (GSettings      *settings);

G_END_DECLS
