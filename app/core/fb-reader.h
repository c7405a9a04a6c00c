/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

#include "fb-mapping.h"
#include "fb-message.h"

G_BEGIN_DECLS

#define FB_TYPE_READER (fb_reader_get_type ())
G_DECLARE_FINAL_TYPE (FbReader, fb_reader, FB, READER, GObject)

FbReader        *fb_reader_new              (FbMessageFormat   format,
                                             FbMapping        *custom,
                                             const char       *url);
void             fb_reader_connected        (FbReader         *self);
FbMappingResult  fb_reader_read             (FbReader         *self,
                                             const char       *feed_name,
                                             const char       *event_type,
                                             const char       *data,
                                             gsize             data_len,
                                             const char       *event_id,
                                             FbMessage       **message,
                                             char            **reason);
FbMessageFormat  fb_reader_get_format       (FbReader         *self);
FbMessageFormat  fb_reader_get_effective_format (FbReader     *self);

G_END_DECLS
