/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "fb-utf8"

#include "config.h"

#include "fb-utf8-private.h"

#include <string.h>

/*
 * Bytes from the network as valid UTF-8, following the Encoding standard's
 * UTF-8 decoder, which the event-stream format prescribes: each maximal
 * subpart of an ill-formed sequence becomes one U+FFFD, and the byte that
 * broke a sequence is read again. The common case, long runs of ASCII and
 * valid sequences, is copied in one piece, eight bytes at a time.
 */

static inline gboolean
is_ascii_word (const guchar *p)
{
  guint64 word;

  memcpy (&word, p, sizeof word);
  return (word & G_GUINT64_CONSTANT (0x8080808080808080)) == 0;
}

/* Returns the end of the run of valid UTF-8 that starts at @p. */
static inline const guchar *
skip_valid (const guchar *p,
            const guchar *end)
{
  while (end - p >= 8 && is_ascii_word (p))
    p += 8;

  while (p < end)
    {
      guchar c = *p;

      if (c < 0x80)
        p++;
      else if (c >= 0xC2 && c <= 0xDF && end - p >= 2 && (p[1] & 0xC0) == 0x80)
        p += 2;
      else if (c >= 0xE0 && c <= 0xEF && end - p >= 3 &&
               p[1] >= (c == 0xE0 ? 0xA0 : 0x80) &&
               p[1] <= (c == 0xED ? 0x9F : 0xBF) &&
               (p[2] & 0xC0) == 0x80)
        p += 3;
      else if (c >= 0xF0 && c <= 0xF4 && end - p >= 4 &&
               p[1] >= (c == 0xF0 ? 0x90 : 0x80) &&
               p[1] <= (c == 0xF4 ? 0x8F : 0xBF) &&
               (p[2] & 0xC0) == 0x80 && (p[3] & 0xC0) == 0x80)
        p += 4;
      else
        break;
    }

  return p;
}

/* @p starts an ill-formed or truncated sequence: returns the end of its
 * maximal subpart, which becomes one U+FFFD. */
static const guchar *
skip_ill_formed (const guchar *p,
                 const guchar *end)
{
  guint need;
  guchar lower = 0x80, upper = 0xBF;

  switch (*p)
    {
    case 0xC2 ... 0xDF: need = 1; break;
    case 0xE0: need = 2; lower = 0xA0; break;
    case 0xE1 ... 0xEC: need = 2; break;
    case 0xED: need = 2; upper = 0x9F; break;
    case 0xEE ... 0xEF: need = 2; break;
    case 0xF0: need = 3; lower = 0x90; break;
    case 0xF1 ... 0xF3: need = 3; break;
    case 0xF4: need = 3; upper = 0x8F; break;
    default: need = 0; break;
    }
  p++;
  while (need > 0 && p < end && *p >= lower && *p <= upper)
    {
      lower = 0x80;
      upper = 0xBF;
      need--;
      p++;
    }

  return p;
}

/**
 * _fb_utf8_append_decoded:
 *
 * Appends @len bytes of @in to @out as valid UTF-8.
 */
void
_fb_utf8_append_decoded (GString    *out,
                         const char *in,
                         gsize       len)
{
  const guchar *p = (const guchar *) in;
  const guchar *end = p + len;

  while (p < end)
    {
      const guchar *run = p;

      p = skip_valid (p, end);
      g_string_append_len (out, (const char *) run, p - run);
      if (p >= end)
        break;

      p = skip_ill_formed (p, end);
      g_string_append_len (out, "\357\277\275", 3);
    }
}
