/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "fb-json-writer.h"

/*
 * JSON string escaping for the CLI's output. The input is already valid
 * UTF-8 (the parser replaced anything else), so only '"', '\\' and the
 * control characters need escaping; a table says which bytes do, and runs
 * of plain bytes are copied at once.
 */

static const char needs_escape[256] = {
  [0x00] = 1, [0x01] = 1, [0x02] = 1, [0x03] = 1, [0x04] = 1, [0x05] = 1, [0x06] = 1, [0x07] = 1,
  [0x08] = 1, [0x09] = 1, [0x0a] = 1, [0x0b] = 1, [0x0c] = 1, [0x0d] = 1, [0x0e] = 1, [0x0f] = 1,
  [0x10] = 1, [0x11] = 1, [0x12] = 1, [0x13] = 1, [0x14] = 1, [0x15] = 1, [0x16] = 1, [0x17] = 1,
  [0x18] = 1, [0x19] = 1, [0x1a] = 1, [0x1b] = 1, [0x1c] = 1, [0x1d] = 1, [0x1e] = 1, [0x1f] = 1,
  ['"'] = 1, ['\\'] = 1,
};

static void
append_escape (GString *out,
               guchar   c)
{
  static const char hex[] = "0123456789abcdef";
  char u[6] = { '\\', 'u', '0', '0', 0, 0 };

  switch (c)
    {
    case '"': g_string_append_len (out, "\\\"", 2); return;
    case '\\': g_string_append_len (out, "\\\\", 2); return;
    case '\n': g_string_append_len (out, "\\n", 2); return;
    case '\r': g_string_append_len (out, "\\r", 2); return;
    case '\t': g_string_append_len (out, "\\t", 2); return;
    case '\b': g_string_append_len (out, "\\b", 2); return;
    case '\f': g_string_append_len (out, "\\f", 2); return;
    default:
      u[4] = hex[c >> 4];
      u[5] = hex[c & 0xf];
      g_string_append_len (out, u, 6);
      return;
    }
}

/**
 * fb_json_append_string:
 * @out: where to append
 * @str: UTF-8 text
 * @len: its length in bytes (it may contain NUL)
 *
 * Appends @str as a quoted JSON string.
 */
void
fb_json_append_string (GString    *out,
                       const char *str,
                       gsize       len)
{
  const guchar *p = (const guchar *) str;
  const guchar *end = p + len;

  g_string_append_c (out, '"');
  while (p < end)
    {
      const guchar *run = p;

      while (p < end && !needs_escape[*p])
        p++;
      g_string_append_len (out, (const char *) run, p - run);
      if (p < end)
        append_escape (out, *p++);
    }
  g_string_append_c (out, '"');
}
