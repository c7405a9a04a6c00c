/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

gboolean fb_url_is_http (const char *url);
gboolean fb_uri_is_http (GUri       *uri);

G_END_DECLS
