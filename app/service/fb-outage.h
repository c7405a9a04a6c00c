/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "fb-message.h"

G_BEGIN_DECLS

FbMessage *fb_outage_note_down (const char *feed_name,
                                gint64      since,
                                gint64      now,
                                const char *error);
FbMessage *fb_outage_note_up   (const char *feed_name,
                                gint64      since,
                                gint64      now,
                                gboolean    resumable);

G_END_DECLS
