/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/*
 * The emoji short codes ntfy shows in front of a title (its tags), as
 * fb_emoji_for_tag() looks them up. Exposed so that tests can check the
 * table stays sorted.
 */
typedef struct
{
  const char *tag;
  const char *emoji;
} FbEmoji;

const FbEmoji *_fb_emoji_get_table (gsize *n_entries);

G_END_DECLS
