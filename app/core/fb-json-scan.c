/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "fb-json-select"

#include "config.h"

#include "fb-json-select-private.h"

#include <string.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

/*
 * The scanner of selective parsing (the selection is in fb-json-select.c):
 * the whole document is checked, byte by byte, but JsonNodes are made only
 * along the selected paths; everything else is skipped without allocating.
 *
 * What is built must be what json-glib (behind _fb_message_parse_node()'s
 * check) would have built at those paths, so this follows json-glib 1.6's
 * readings rather than the letter of RFC 8259 where they differ:
 *
 * - integers are read as an unsigned 64-bit number, saturated, then cast
 *   (and negated) to gint64, as json-glib's scanner does: 2^63 is
 *   -2^63 and 10^20 is -1; numbers with a fraction or an exponent are
 *   doubles (1e400 is infinity);
 * - raw control characters in strings are kept, a NUL (raw or \u0000)
 *   ends the text there, and a member named twice keeps the last value in
 *   the place of the first.
 *
 * Anything outside RFC 8259, or that json-glib reads differently (lone
 * UTF-16 surrogates, nesting deeper than MAX_DEPTH, comments, leading
 * zeros, a BOM…), gives NULL: the caller then parses the data with
 * json-glib as before, which may still accept it, so nothing is read
 * differently. The data is valid UTF-8 (the SSE parser sees to that), so
 * only ASCII is looked at outside strings.
 */

/* As _fb_message_parse_node()'s check: no recursion past this. */
#define MAX_DEPTH 128

typedef struct
{
  const char *p;
  const char *end;
  guint       depth;
  GString    *text;  /* a string being decoded */
} Scanner;

static void
skip_space (Scanner *s)
{
  while (s->p < s->end && (*s->p == ' ' || *s->p == '\n' || *s->p == '\r' || *s->p == '\t'))
    s->p++;
}

#define ONES  G_GUINT64_CONSTANT (0x0101010101010101)
#define HIGHS G_GUINT64_CONSTANT (0x8080808080808080)
#define HAS_ZERO(v) (((v) - ONES) & ~(v) & HIGHS)

/* The next '"', '\\' or NUL from @p, sixteen or eight bytes at a time:
 * most of a payload is the text of strings that nothing reads. */
static const char *
find_special (const char *p,
              const char *end)
{
#ifdef __SSE2__
  const __m128i quote = _mm_set1_epi8 ('"');
  const __m128i backslash = _mm_set1_epi8 ('\\');
  const __m128i zero = _mm_setzero_si128 ();

  /* Sixteen at a time where every x86-64 can. */
  while (end - p >= 16)
    {
      __m128i v;
      int mask;

      /* An unaligned load, without a cast that claims alignment. */
      memcpy (&v, p, sizeof v);
      mask = _mm_movemask_epi8 (_mm_or_si128 (_mm_or_si128 (_mm_cmpeq_epi8 (v, quote),
                                                            _mm_cmpeq_epi8 (v, backslash)),
                                              _mm_cmpeq_epi8 (v, zero)));
      if (mask != 0)
        return p + __builtin_ctz (mask);
      p += 16;
    }
#endif
  while (end - p >= 8)
    {
      guint64 w;

      memcpy (&w, p, sizeof w);
      if (HAS_ZERO (w ^ (ONES * '"')) | HAS_ZERO (w ^ (ONES * '\\')) | HAS_ZERO (w))
        break;
      p += 8;
    }
  while (p < end && *p != '"' && *p != '\\' && *p != '\0')
    p++;
  return p;
}

/* Four hex digits at @p, or -1. */
static int
read_hex4 (const char *p,
           const char *end)
{
  int value = 0;

  if (end - p < 4)
    return -1;
  for (int i = 0; i < 4; i++)
    {
      int digit = g_ascii_xdigit_value (p[i]);

      if (digit < 0)
        return -1;
      value = value * 16 + digit;
    }
  return value;
}

/* \uXXXX, @s on the "u"; a pair of surrogates makes one character. A lone
 * surrogate is refused: json-glib then swallows what follows it or writes
 * invalid UTF-8, which only its own parse reproduces. */
static gboolean
read_unicode_escape (Scanner  *s,
                     gunichar *c)
{
  int high = read_hex4 (s->p + 1, s->end);
  int low;

  if (high < 0)
    return FALSE;
  s->p += 5;
  if (high < 0xD800 || high > 0xDFFF)
    {
      *c = high;
      return TRUE;
    }
  if (high > 0xDBFF || s->end - s->p < 6 || s->p[0] != '\\' || s->p[1] != 'u')
    return FALSE;
  low = read_hex4 (s->p + 2, s->end);
  if (low < 0xDC00 || low > 0xDFFF)
    return FALSE;
  s->p += 6;
  *c = 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00);
  return TRUE;
}

/* An escape, @s on its backslash; appended to @out unless NULL. */
static gboolean
read_escape (Scanner *s,
             GString *out)
{
  static const char escapes[] = "\"\"\\\\//b\bf\fn\nr\rt\t";
  gunichar c;

  if (s->end - s->p < 2)
    return FALSE;
  s->p++;
  if (*s->p == 'u')
    {
      if (!read_unicode_escape (s, &c))
        return FALSE;
      if (out != NULL)
        g_string_append_unichar (out, c);
      return TRUE;
    }
  for (guint i = 0; i + 1 < sizeof escapes; i += 2)
    {
      if (*s->p == escapes[i])
        {
          if (out != NULL)
            g_string_append_c (out, escapes[i + 1]);
          s->p++;
          return TRUE;
        }
    }
  return FALSE;
}

/* A string, @s on its opening quote: decoded into @out unless NULL. Its
 * raw bytes are at *@raw for *@raw_len when it has no escape, else *@raw
 * is NULL. */
static gboolean
read_string (Scanner     *s,
             GString     *out,
             const char **raw,
             gsize       *raw_len)
{
  const char *start = ++s->p;
  gboolean escaped = FALSE;

  for (;;)
    {
      const char *q = find_special (s->p, s->end);

      if (out != NULL)
        g_string_append_len (out, s->p, q - s->p);
      s->p = q;
      if (q == s->end || *q == '\0')
        return FALSE;
      if (*q == '"')
        break;
      escaped = TRUE;
      if (!read_escape (s, out))
        return FALSE;
    }

  if (raw != NULL)
    {
      *raw = escaped ? NULL : start;
      *raw_len = s->p - start;
    }
  s->p++;
  return TRUE;
}

static gboolean
skip_digits (Scanner *s)
{
  const char *start = s->p;

  while (s->p < s->end && g_ascii_isdigit (*s->p))
    s->p++;
  return s->p > start;
}

/* The number in [@start, @end) without its sign, as json-glib reads it:
 * its scanner saturates at G_MAXUINT64 and casts. */
static JsonNode *
number_node (const char *start,
             const char *end,
             gboolean    negative,
             gboolean    integral)
{
  char stack[64];
  g_autofree char *heap = NULL;
  char *text = stack;
  gsize len = end - start;

  if (len >= sizeof stack)
    text = heap = g_malloc (len + 1);
  memcpy (text, start, len);
  text[len] = '\0';

  if (integral)
    {
      guint64 value = g_ascii_strtoull (text, NULL, 10);

      return json_node_init_int (json_node_alloc (), (gint64) (negative ? 0 - value : value));
    }
  return json_node_init_double (json_node_alloc (),
                                negative ? g_ascii_strtod (text, NULL) * -1.0
                                         : g_ascii_strtod (text, NULL));
}

/* -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? */
static gboolean
read_number (Scanner   *s,
             JsonNode **node)
{
  gboolean negative = *s->p == '-';
  const char *start;
  gboolean integral = TRUE;

  if (negative)
    s->p++;
  start = s->p;
  if (s->p < s->end && *s->p == '0')
    s->p++;
  else if (!skip_digits (s))
    return FALSE;
  if (s->p < s->end && *s->p == '.')
    {
      s->p++;
      integral = FALSE;
      if (!skip_digits (s))
        return FALSE;
    }
  if (s->p < s->end && (*s->p == 'e' || *s->p == 'E'))
    {
      s->p++;
      integral = FALSE;
      if (s->p < s->end && (*s->p == '+' || *s->p == '-'))
        s->p++;
      if (!skip_digits (s))
        return FALSE;
    }

  if (node != NULL)
    *node = number_node (start, s->p, negative, integral);
  return TRUE;
}

static gboolean
read_literal (Scanner   *s,
              JsonNode **node)
{
  static const char * const words[] = { "true", "false", "null" };

  for (guint i = 0; i < G_N_ELEMENTS (words); i++)
    {
      gsize len = strlen (words[i]);

      if ((gsize) (s->end - s->p) >= len && memcmp (s->p, words[i], len) == 0)
        {
          s->p += len;
          if (node == NULL)
            return TRUE;
          *node = i < 2 ? json_node_init_boolean (json_node_alloc (), i == 0)
                        : json_node_init_null (json_node_alloc ());
          return TRUE;
        }
    }
  return FALSE;
}

static gboolean read_value (Scanner          *s,
                            const FbJsonSel  *sel,
                            JsonNode        **node);

/* The child of @sel for the member whose name was just read, or NULL. */
static const FbJsonSel *
member_sel (Scanner         *s,
            const FbJsonSel *sel,
            const char      *raw,
            gsize            raw_len)
{
  if (sel == NULL || sel->deep)
    return sel;

  for (guint i = 0; sel->children != NULL && i < sel->children->len; i++)
    {
      const FbJsonSel *child = g_ptr_array_index (sel->children, i);

      if (child->name == NULL)
        continue;
      /* json-glib's names end at a NUL, as \u0000 may put one there. */
      if (raw != NULL ? child->name_len == raw_len && memcmp (child->name, raw, raw_len) == 0
                      : strcmp (child->name, s->text->str) == 0)
        return child;
    }
  return NULL;
}

/* One member, @s on its name. */
static gboolean
read_member (Scanner         *s,
             const FbJsonSel *sel,
             JsonObject      *object)
{
  gboolean decode = sel != NULL && (sel->deep || sel->children != NULL);
  g_autoptr(JsonNode) member = NULL;
  g_autofree char *name = NULL;
  const char *member_name = NULL;
  const char *start;
  const char *raw;
  gsize raw_len;
  const FbJsonSel *child;

  if (*s->p != '"')
    return FALSE;
  start = s->p;
  if (!read_string (s, NULL, &raw, &raw_len))
    return FALSE;
  /* Names are compared raw; only one with an escape, rare, is decoded
   * (which cannot fail the second time). */
  if (decode && raw == NULL)
    {
      const char *next = s->p;

      s->p = start;
      g_string_truncate (s->text, 0);
      read_string (s, s->text, NULL, NULL);
      s->p = next;
    }
  child = member_sel (s, sel, raw, raw_len);
  /* A selected member's name is its selection's; only a whole value's
   * members need theirs copied (reading the value reuses s->text). */
  if (child != NULL && child != sel)
    member_name = child->name;
  else if (child != NULL)
    member_name = name = raw != NULL ? g_strndup (raw, raw_len) : g_strdup (s->text->str);

  skip_space (s);
  if (s->p == s->end || *s->p != ':')
    return FALSE;
  s->p++;
  skip_space (s);
  if (!read_value (s, child, child != NULL ? &member : NULL))
    return FALSE;
  if (member != NULL)
    json_object_set_member (object, member_name, g_steal_pointer (&member));
  return TRUE;
}

/* An object, @s on its "{"; built into @node unless NULL. */
static gboolean
read_object (Scanner          *s,
             const FbJsonSel  *sel,
             JsonNode        **node)
{
  g_autoptr(JsonObject) object = node != NULL ? json_object_new () : NULL;

  s->p++;
  skip_space (s);
  if (s->p < s->end && *s->p == '}')
    s->p++;
  else
    {
      for (;;)
        {
          if (s->p == s->end || !read_member (s, sel, object))
            return FALSE;
          skip_space (s);
          if (s->p == s->end)
            return FALSE;
          if (*s->p++ == '}')
            break;
          if (s->p[-1] != ',')
            return FALSE;
          skip_space (s);
        }
    }

  if (node != NULL)
    *node = json_node_init_object (json_node_alloc (), object);
  return TRUE;
}

/* The child of @sel for item @index, or NULL. */
static const FbJsonSel *
item_sel (const FbJsonSel *sel,
          guint            index)
{
  if (sel == NULL || sel->deep)
    return sel;

  for (guint i = 0; sel->children != NULL && i < sel->children->len; i++)
    {
      const FbJsonSel *child = g_ptr_array_index (sel->children, i);

      if (child->name == NULL && child->index == index)
        return child;
    }
  return NULL;
}

/* An array, @s on its "[". Items that are not selected are nulls up to
 * the last that is, so that an index finds its item; the array is then
 * no longer than that, which only an index could tell. */
static gboolean
read_array (Scanner          *s,
            const FbJsonSel  *sel,
            JsonNode        **node)
{
  g_autoptr(JsonArray) array = node != NULL ? json_array_new () : NULL;
  guint index = 0;

  s->p++;
  skip_space (s);
  if (s->p < s->end && *s->p == ']')
    s->p++;
  else
    {
      for (;; index++)
        {
          const FbJsonSel *child = item_sel (sel, index);
          JsonNode *item = NULL;

          if (!read_value (s, child, child != NULL ? &item : NULL))
            return FALSE;
          if (item != NULL)
            json_array_add_element (array, item);
          else if (array != NULL && index < sel->n_items)
            json_array_add_null_element (array);
          skip_space (s);
          if (s->p == s->end)
            return FALSE;
          if (*s->p++ == ']')
            break;
          if (s->p[-1] != ',')
            return FALSE;
          skip_space (s);
        }
    }

  if (node != NULL)
    *node = json_node_init_array (json_node_alloc (), array);
  return TRUE;
}

/* Any value, @s on its first byte; built into @node unless NULL, as far
 * as @sel says. */
static gboolean
read_value (Scanner          *s,
            const FbJsonSel  *sel,
            JsonNode        **node)
{
  gboolean ok;

  if (s->p == s->end)
    return FALSE;

  switch (*s->p)
    {
    case '{':
    case '[':
      if (++s->depth > MAX_DEPTH)
        return FALSE;
      ok = *s->p == '{' ? read_object (s, sel, node) : read_array (s, sel, node);
      s->depth--;
      return ok;
    case '"':
      if (node == NULL)
        return read_string (s, NULL, NULL, NULL);
      g_string_truncate (s->text, 0);
      if (!read_string (s, s->text, NULL, NULL))
        return FALSE;
      *node = json_node_init_string (json_node_alloc (), s->text->str);
      return TRUE;
    case 't':
    case 'f':
    case 'n':
      return read_literal (s, node);
    default:
      return (*s->p == '-' || g_ascii_isdigit (*s->p)) && read_number (s, node);
    }
}

/* @data as far as @sel selects it, or NULL: see fb_json_select_parse(). */
JsonNode *
_fb_json_select_scan (const FbJsonSel *sel,
                      const char      *data,
                      gsize            data_len)
{
  g_autoptr(GString) text = NULL;
  JsonNode *root = NULL;
  Scanner s;

  if (data_len == 0 || data_len > G_MAXSSIZE)
    return NULL;

  text = g_string_sized_new (64);
  s.p = data;
  s.end = data + data_len;
  s.depth = 0;
  s.text = text;
  skip_space (&s);
  if (!read_value (&s, sel, &root))
    {
      g_clear_pointer (&root, json_node_unref);
      return NULL;
    }
  skip_space (&s);
  if (s.p != s.end)
    {
      json_node_unref (root);
      return NULL;
    }
  return root;
}
