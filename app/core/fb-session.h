/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <libsoup/soup.h>

G_BEGIN_DECLS

SoupSession *fb_session_new (const char  *ca_file,
                             GError     **error);

G_END_DECLS
