/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* What a notification's body may show of a Markdown message: as many
 * characters as FbMessage keeps of a body. */
#define FB_MARKDOWN_MAX_CHARS 4000

char *fb_markdown_to_markup (const char *markdown,
                             gssize      length,
                             gsize       max_chars);
char *fb_markdown_to_text   (const char *markdown,
                             gssize      length,
                             gsize       max_chars);

G_END_DECLS
