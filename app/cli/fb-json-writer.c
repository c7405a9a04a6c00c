/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "fb-json-writer.h"

#include <string.h>

#include "fb-markdown.h"

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

#define ONES  G_GUINT64_CONSTANT (0x0101010101010101)
#define HIGHS G_GUINT64_CONSTANT (0x8080808080808080)
/* Whether a byte of @v is below @n (at most 128): exact as a whole. */
#define HAS_LESS(v, n) (((v) - ONES * (n)) & ~(v) & HIGHS)

/* Past the bytes that need no escape, eight at a time while none of
 * them does: most text is long runs of them. */
static const guchar *
skip_plain (const guchar *p,
            const guchar *end)
{
  while (end - p >= 8)
    {
      guint64 w;

      memcpy (&w, p, sizeof w);
      if (HAS_LESS (w, 0x20) | HAS_LESS (w ^ (ONES * '"'), 1) | HAS_LESS (w ^ (ONES * '\\'), 1))
        break;
      p += 8;
    }
  return p;
}

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

      p = skip_plain (p, end);
      while (p < end && !needs_escape[*p])
        p++;
      g_string_append_len (out, (const char *) run, p - run);
      if (p < end)
        append_escape (out, *p++);
    }
  g_string_append_c (out, '"');
}

static void
append_member (GString    *out,
               const char *name,
               const char *value)
{
  g_string_append_c (out, '"');
  g_string_append (out, name);
  g_string_append_len (out, "\":", 2);
  if (value != NULL)
    fb_json_append_string (out, value, strlen (value));
  else
    g_string_append_len (out, "null", 4);
}

static const char *
urgency_to_string (FbUrgency urgency)
{
  switch (urgency)
    {
    case FB_URGENCY_LOW:
      return "low";
    case FB_URGENCY_NORMAL:
      return "normal";
    case FB_URGENCY_CRITICAL:
      return "critical";
    default:
      g_assert_not_reached ();
    }
}

/**
 * fb_json_append_notification:
 * @out: where to append
 * @message: (nullable): what would be shown, or %NULL for an ignored event
 * @reason: (nullable): why the event was ignored, when @message is %NULL
 * @format: the nick of the format that read the event
 *
 * Appends one line: the notification @message would make, or the reason
 * it makes none. Members are always there (null when empty) so that a
 * script can test them without checking for their presence first; only
 * key and group, which few feeds set, are left out when unset. A Markdown
 * message's body is its text as shown; "markdown": true and "body_markup",
 * the notification's markup, follow.
 */
void
fb_json_append_notification (GString    *out,
                             FbMessage  *message,
                             const char *reason,
                             const char *format)
{
  const char *key = message != NULL ? fb_message_get_key (message) : NULL;
  const char *group = message != NULL ? fb_message_get_group (message) : NULL;
  gboolean markdown = message != NULL && fb_message_is_markdown (message);
  g_autofree char *text = NULL;

  if (markdown)
    text = fb_markdown_to_text (fb_message_get_body (message), -1, FB_MARKDOWN_MAX_CHARS);

  g_string_append_c (out, '{');
  append_member (out, "title", message != NULL ? fb_message_get_title (message) : NULL);
  g_string_append_c (out, ',');
  append_member (out, "body", markdown ? text : message != NULL ? fb_message_get_body (message) : NULL);
  g_string_append_c (out, ',');
  append_member (out, "url", message != NULL ? fb_message_get_click_url (message) : NULL);
  g_string_append_c (out, ',');
  append_member (out, "icon", message != NULL ? fb_message_get_icon_url (message) : NULL);
  g_string_append_c (out, ',');
  append_member (out, "urgency",
                 message != NULL ? urgency_to_string (fb_message_get_urgency (message)) : NULL);
  g_string_append_c (out, ',');
  append_member (out, "ignored", message != NULL ? NULL : reason);
  g_string_append_c (out, ',');
  append_member (out, "format", format);
  if (key != NULL)
    {
      g_string_append_c (out, ',');
      append_member (out, "key", key);
    }
  if (group != NULL)
    {
      g_string_append_c (out, ',');
      append_member (out, "group", group);
    }
  if (markdown)
    {
      g_autofree char *markup = fb_markdown_to_markup (fb_message_get_body (message), -1,
                                                       FB_MARKDOWN_MAX_CHARS);

      g_string_append (out, ",\"markdown\":true,");
      append_member (out, "body_markup", markup);
    }
  g_string_append_len (out, "}\n", 2);
}
