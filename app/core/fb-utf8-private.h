/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

void _fb_utf8_append_decoded (GString    *out,
                              const char *in,
                              gsize       len);

G_END_DECLS
