/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "fb-message"

#include "config.h"

#include "fb-message-private.h"
#include "fb-url.h"

#include <string.h>

/*
 * Text as a notification shows it: bounded, trimmed, made valid, with
 * U+0000 shown as U+FFFD; links checked before anything opens them; and
 * plain text read as a message, its first line the title. The helpers
 * every reader of a message uses, in C or from templates.
 */

/* Longer links are dropped rather than handed to a browser. */
#define MAX_URL_LEN     8192

#define ELLIPSIS "\u2026"

/* ASCII whitespace only, so trimming never splits a character. */
static void
trim (const char **text,
      gsize       *len)
{
  while (*len > 0 && g_ascii_isspace ((*text)[0]))
    {
      (*text)++;
      (*len)--;
    }
  while (*len > 0 && g_ascii_isspace ((*text)[*len - 1]))
    (*len)--;
}

/* Whether the @len bytes at @text are ASCII without NUL: valid text
 * whose every character is a byte. */
static gboolean
is_plain_ascii (const char *text,
                gsize       len)
{
  const guint64 ones = G_GUINT64_CONSTANT (0x0101010101010101);
  const guint64 highs = G_GUINT64_CONSTANT (0x8080808080808080);
  gsize i = 0;

  /* Eight at a time: a high bit, or a zero byte (a borrow into its
   * high bit), stops it. */
  for (; len - i >= 8; i += 8)
    {
      guint64 word;

      memcpy (&word, text + i, sizeof word);
      if ((word | ((word - ones) & ~word)) & highs)
        return FALSE;
    }
  for (; i < len; i++)
    {
      if ((guchar) text[i] - 1u >= 0x7fu)
        return FALSE;
    }
  return TRUE;
}

/*
 * @text (@len bytes) as notification text: trimmed, U+0000 and any invalid
 * byte replaced by U+FFFD, and at most @max_chars characters, the last one
 * "…" when it was cut. Reads about 4 × @max_chars bytes of @text at most.
 */
static char *
bound_text (const char *text,
            gsize       len,
            gsize       max_chars)
{
  g_autofree char *valid = NULL;
  const char *cut;

  g_assert (max_chars > 1);

  if (len == 0)
    return g_strdup ("");

  trim (&text, &len);
  /* Enough bytes for max_chars + 1 characters, however they are encoded. */
  len = MIN (len, 4 * (max_chars + 1));
  if (len <= max_chars && is_plain_ascii (text, len))
    return g_strndup (text, len);
  /* Valid text, the usual case, is copied as it is; make_valid() would
   * build it up piece by piece. (A NUL byte makes it invalid here.) */
  if (g_utf8_validate_len (text, len, NULL))
    valid = g_strndup (text, len);
  else
    valid = g_utf8_make_valid (text, len);
  /* No more bytes than characters allowed: no need to count them. */
  if (strlen (valid) <= max_chars || g_utf8_strlen (valid, -1) <= (glong) max_chars)
    return g_steal_pointer (&valid);

  cut = g_utf8_offset_to_pointer (valid, max_chars - 1);
  return g_strdup_printf ("%.*s" ELLIPSIS, (int) (cut - valid), valid);
}

char *
_fb_message_bound_text (const char *text,
                        gsize       len,
                        gsize       max_chars)
{
  return bound_text (text, len, max_chars);
}

char *
_fb_message_bound_string (const char *text,
                          gsize       max_chars)
{
  return bound_text (text, strlen (text), max_chars);
}

char *
_fb_message_safe_url_dup (const char *url)
{
  if (url == NULL || strlen (url) > MAX_URL_LEN || !fb_url_is_http (url))
    return NULL;

  return g_strdup (url);
}

/* The feed's name as a title, or @fallback when it has none. */
char *
_fb_message_fallback_title (FbMessage  *self,
                            const char *fallback)
{
  if (*self->feed_name != '\0')
    return _fb_message_bound_string (self->feed_name, MAX_TITLE_CHARS);

  return _fb_message_bound_string (fallback, MAX_TITLE_CHARS);
}

/* First line title, the rest body. */
void
_fb_message_set_plain (FbMessage  *self,
                       const char *data,
                       gsize       data_len)
{
  const char *newline = data_len > 0 ? memchr (data, '\n', data_len) : NULL;
  gsize title_len = newline != NULL ? (gsize) (newline - data) : data_len;

  self->title = bound_text (data, title_len, MAX_TITLE_CHARS);
  if (*self->title == '\0')
    {
      g_free (self->title);
      self->title = _fb_message_fallback_title (self, "Feedbell");
    }

  if (newline != NULL)
    self->body = bound_text (newline + 1, data_len - title_len - 1, MAX_BODY_CHARS);
  else
    self->body = g_strdup ("");
}
