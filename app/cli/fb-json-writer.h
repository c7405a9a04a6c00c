/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "fb-message.h"

G_BEGIN_DECLS

void fb_json_append_string (GString    *out,
                            const char *str,
                            gsize       len);

void fb_json_append_notification (GString    *out,
                                  FbMessage  *message,
                                  const char *reason,
                                  const char *format);

G_END_DECLS
