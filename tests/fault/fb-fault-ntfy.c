/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "fb-fault-ntfy.h"

#include <string.h>

/* Ids are eight letters and digits: a number below 2^47 (< 62^8) in base
 * 62, that number a permutation of the message's (x ↦ a·x + b mod 2^47,
 * a odd, both drawn from the seed), so that ids look random, are never
 * given twice, and say which message they name without a table (a
 * firehose makes millions). Messages use the numbers below 2^46, ntfy's
 * own events those above. */
#define ID_LEN       8
#define ID_BITS      47
#define ID_MASK      ((G_GUINT64_CONSTANT (1) << ID_BITS) - 1)
#define EVENT_FIRST  (G_GUINT64_CONSTANT (1) << (ID_BITS - 1))
/* Messages share their second: ntfy's times alone cannot say which came
 * first (so a client that resumed by time would repeat or lose some). */
#define TIME_BASE    G_GUINT64_CONSTANT (1767225600)
#define PER_SECOND   10

static const char alphabet[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

struct _FbFaultNtfy
{
  guint64 a, a_inverse, b;
  guint64 n_given;      /* the last message given an id */
  guint64 n_events;     /* ids given to open and keepalive events */
};

FbFaultNtfy *
fb_fault_ntfy_new (guint32 seed)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  FbFaultNtfy *self = g_new0 (FbFaultNtfy, 1);

  self->a = ((((guint64) g_rand_int (rand)) << 32 | g_rand_int (rand)) & ID_MASK) | 1;
  self->b = (((guint64) g_rand_int (rand)) << 32 | g_rand_int (rand)) & ID_MASK;
  /* Newton's iteration: each step doubles the bits of a⁻¹ that are right. */
  self->a_inverse = self->a;
  for (guint i = 0; i < 6; i++)
    self->a_inverse *= 2 - self->a * self->a_inverse;
  self->a_inverse &= ID_MASK;
  g_assert_cmpuint ((self->a * self->a_inverse) & ID_MASK, ==, 1);

  return self;
}

void
fb_fault_ntfy_free (FbFaultNtfy *self)
{
  g_free (self);
}

static void
format_id (FbFaultNtfy *self,
           guint64      x,
           char         id[ID_LEN + 1])
{
  guint64 y = (self->a * x + self->b) & ID_MASK;

  for (guint i = 0; i < ID_LEN; i++, y /= 62)
    id[i] = alphabet[y % 62];
  id[ID_LEN] = '\0';
}

/* The message @id names, or 0 for none (an event's id, one never given). */
guint64
fb_fault_ntfy_lookup (FbFaultNtfy *self,
                      const char  *id)
{
  guint64 y = 0, x;

  if (strlen (id) != ID_LEN)
    return 0;
  for (guint i = ID_LEN; i > 0; i--)
    {
      const char *digit = strchr (alphabet, id[i - 1]);

      if (id[i - 1] == '\0' || digit == NULL)
        return 0;
      y = y * 62 + (guint64) (digit - alphabet);
    }
  if (y > ID_MASK)
    return 0;

  x = ((y - self->b) * self->a_inverse) & ID_MASK;
  return x >= 1 && x <= self->n_given ? x : 0;
}

static void
append_payload (FbFaultNtfy *self,
                GString     *out,
                guint64      n,
                const char  *quote)
{
  char id[ID_LEN + 1];

  format_id (self, n, id);
  g_string_append_printf (out,
                          "{%sid%s:%s%s%s,%stime%s:%" G_GUINT64_FORMAT ",%sevent%s:%smessage%s,"
                          "%stopic%s:%s" FB_FAULT_NTFY_TOPIC "%s,%smessage%s:%sevent %" G_GUINT64_FORMAT "%s}",
                          quote, quote, quote, id, quote,
                          quote, quote, TIME_BASE + n / PER_SECOND,
                          quote, quote, quote, quote,
                          quote, quote, quote, quote,
                          quote, quote, quote, n, quote);
}

/* Message @n (from 1) as ntfy sends it: no `id:` line, no `event:` line. */
void
fb_fault_ntfy_append_message (FbFaultNtfy *self,
                              GString     *out,
                              guint64      n)
{
  g_return_if_fail (n >= 1 && n < EVENT_FIRST);

  self->n_given = MAX (self->n_given, n);
  g_string_append (out, "data: ");
  append_payload (self, out, n, "\"");
  g_string_append (out, "\n\n");
}

/* One of ntfy's own events (open, keepalive), with a fresh id. */
void
fb_fault_ntfy_append_event (FbFaultNtfy *self,
                            GString     *out,
                            const char  *event)
{
  char id[ID_LEN + 1];

  format_id (self, EVENT_FIRST + self->n_events++, id);
  g_string_append_printf (out,
                          "event: %s\ndata: {\"id\":\"%s\",\"time\":%" G_GUINT64_FORMAT ","
                          "\"event\":\"%s\",\"topic\":\"" FB_FAULT_NTFY_TOPIC "\"}\n\n",
                          event, id, TIME_BASE, event);
}

/**
 * fb_fault_ntfy_resume_from:
 * @since: (nullable): the request's since=
 * @n_produced: the last message there is
 * @known: (out): whether @since named a message
 *
 * Returns: the first message a request with @since gets
 */
guint64
fb_fault_ntfy_resume_from (FbFaultNtfy *self,
                           const char  *since,
                           guint64      n_produced,
                           gboolean    *known)
{
  guint64 n;

  *known = FALSE;
  if (since == NULL)
    return n_produced + 1;
  if (g_str_equal (since, "all"))
    return 1;

  n = fb_fault_ntfy_lookup (self, since);
  *known = n != 0;
  return n + 1;
}

/**
 * fb_fault_ntfy_check_line:
 *
 * Returns: the message @line is feedbell-listen's exact line for, or 0
 */
guint64
fb_fault_ntfy_check_line (FbFaultNtfy *self,
                          const char  *line,
                          gsize        len)
{
  static const char marker[] = "\\\"message\\\":\\\"event ";
  g_autoptr(GString) expected = g_string_new ("{\"type\":\"message\",\"data\":\"");
  const char *at = strstr (line, marker);
  guint64 n;

  if (at == NULL || strlen (line) != len)
    return 0;
  n = g_ascii_strtoull (at + strlen (marker), NULL, 10);
  if (n == 0 || n > self->n_given)
    return 0;

  append_payload (self, expected, n, "\\\"");
  g_string_append (expected, "\",\"lastEventId\":\"\"}");
  return g_str_equal (line, expected->str) ? n : 0;
}
