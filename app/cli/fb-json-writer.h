/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

void fb_json_append_string (GString    *out,
                            const char *str,
                            gsize       len);

G_END_DECLS
