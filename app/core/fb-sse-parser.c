/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "fb-sse-parser"

#include "config.h"

#include "fb-sse-parser.h"

#include "fb-utf8-private.h"

#include <string.h>

/*
 * A WHATWG "Server-sent events" stream parser (HTML § 9.2.5–9.2.6).
 *
 * Lines are split on the raw bytes: in UTF-8 a CR or LF byte is always that
 * character (the decoder never swallows an ASCII byte into an error), so
 * splitting before decoding gives exactly the result of decoding first. Field
 * values are then decoded line by line, with one U+FFFD per maximal subpart of
 * an ill-formed sequence as the Encoding standard's UTF-8 decoder does. A code
 * point split across reads is therefore whole again once its line is.
 *
 * A complete line inside one read is parsed in place; only a line cut by the
 * end of a read is copied, into @line. Nothing is allocated per line: @data,
 * @type and @id are reused buffers.
 */

#define SHRINK_ABOVE (64 * 1024)

/* The bound is on an event's data; a line may be longer by its field name:
 * "data: " followed by max_size bytes is one event of exactly max_size. */
#define FIELD_NAME_ROOM (sizeof "data: " - 1)

/* The type of an event that named none. */
#define DEFAULT_TYPE      "message"
#define DEFAULT_TYPE_LEN  (sizeof DEFAULT_TYPE - 1)

struct _FbSseParser
{
  GString        *line;   /* a line cut by the end of a read */
  GString        *data;   /* data buffer, each value followed by LF */
  GString        *type;   /* event type buffer */
  GString        *id;     /* last event ID buffer */
  GString        *last_event_id;  /* last event ID string (as of the last dispatch) */
  GString        *scratch;

  FbSseEventFunc  event_func;
  FbSseRetryFunc  retry_func;
  gpointer        user_data;

  gsize           max_size;
  guint           n_dropped;

  guint           at_stream_start : 1;  /* the next line is the stream's first: strip a BOM */
  guint           skip_lf : 1;          /* the last read ended in CR */
  guint           discarding : 1;       /* dropping an oversized event up to its blank line */
  guint           interrupted : 1;      /* a handler asked feed() to stop */
  guint           event_has_id : 1;     /* the event being built had an id field */
  guint           id_changed : 1;       /* an id field was applied since the last dispatch */
};

/**
 * fb_sse_parser_new:
 * @max_size: the largest event data accepted, in bytes (a longer event is
 *   dropped and counted); 0 for %FB_SSE_PARSER_DEFAULT_MAX_SIZE. A line is
 *   never kept longer than that and its field name.
 *
 * Returns: (transfer full): a new parser at the start of a stream
 */
FbSseParser *
fb_sse_parser_new (gsize max_size)
{
  FbSseParser *self = g_new0 (FbSseParser, 1);

  self->line = g_string_new (NULL);
  self->data = g_string_new (NULL);
  self->type = g_string_new (NULL);
  self->id = g_string_new (NULL);
  self->last_event_id = g_string_new (NULL);
  self->scratch = g_string_new (NULL);
  self->max_size = max_size ? max_size : FB_SSE_PARSER_DEFAULT_MAX_SIZE;
  self->at_stream_start = TRUE;

  return self;
}

void
fb_sse_parser_free (FbSseParser *self)
{
  if (self == NULL)
    return;

  g_string_free (self->line, TRUE);
  g_string_free (self->data, TRUE);
  g_string_free (self->type, TRUE);
  g_string_free (self->id, TRUE);
  g_string_free (self->last_event_id, TRUE);
  g_string_free (self->scratch, TRUE);
  g_free (self);
}

void
fb_sse_parser_set_handlers (FbSseParser    *self,
                            FbSseEventFunc  event_func,
                            FbSseRetryFunc  retry_func,
                            gpointer        user_data)
{
  g_return_if_fail (self != NULL);

  self->event_func = event_func;
  self->retry_func = retry_func;
  self->user_data = user_data;
}

/* g_string_truncate (buf, 0) without the call and its checks: per event. */
static inline void
clear (GString *buf)
{
  buf->len = 0;
  buf->str[0] = '\0';
}

/* Give back the memory a big event needed, so one burst does not pin it. */
static inline void
shrink (GString **buf)
{
  if (G_UNLIKELY ((*buf)->allocated_len > SHRINK_ABOVE))
    {
      g_string_free (*buf, TRUE);
      *buf = g_string_new (NULL);
    }
  else
    clear (*buf);
}

/**
 * fb_sse_parser_reset:
 *
 * Starts a new stream (a reconnection): anything half-received is discarded,
 * a BOM is stripped again, and the last event ID string is kept.
 */
void
fb_sse_parser_reset (FbSseParser *self)
{
  g_return_if_fail (self != NULL);

  shrink (&self->line);
  shrink (&self->data);
  g_string_truncate (self->type, 0);
  g_string_assign (self->id, self->last_event_id->str);
  self->id_changed = FALSE;
  self->at_stream_start = TRUE;
  self->skip_lf = FALSE;
  self->discarding = FALSE;
  self->interrupted = FALSE;
  self->event_has_id = FALSE;
}

/**
 * fb_sse_parser_interrupt:
 *
 * Called from a handler: fb_sse_parser_feed() returns right after it,
 * leaving the rest of its input unparsed, so the last event ID is that of
 * the last event delivered. Only a reset makes the parser usable again: the
 * stream it was parsing is gone.
 */
void
fb_sse_parser_interrupt (FbSseParser *self)
{
  g_return_if_fail (self != NULL);

  self->interrupted = TRUE;
}

const char *
fb_sse_parser_get_last_event_id (FbSseParser *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->last_event_id->str;
}

void
fb_sse_parser_set_last_event_id (FbSseParser *self,
                                 const char  *last_event_id)
{
  g_return_if_fail (self != NULL);

  g_string_assign (self->last_event_id, last_event_id ? last_event_id : "");
  g_string_assign (self->id, self->last_event_id->str);
  self->id_changed = FALSE;
}

/**
 * fb_sse_parser_event_has_id:
 *
 * Only meaningful inside the event handler.
 *
 * Returns: whether the event being dispatched carried an `id` field of its
 *   own (otherwise its last event id is inherited from an earlier event)
 */
gboolean
fb_sse_parser_event_has_id (FbSseParser *self)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return self->event_has_id;
}

/**
 * fb_sse_parser_get_event_type_len:
 *
 * Only meaningful inside the event handler. The type is NUL-terminated, but
 * a NUL in the stream's `event:` field is kept (WHATWG): only this length
 * says where the type ends.
 *
 * Returns: the length in bytes of the type of the event being dispatched
 */
gsize
fb_sse_parser_get_event_type_len (FbSseParser *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->type->len ? self->type->len : DEFAULT_TYPE_LEN;
}

guint
fb_sse_parser_get_n_dropped (FbSseParser *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->n_dropped;
}

gsize
fb_sse_parser_get_max_size (FbSseParser *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->max_size;
}

/**
 * fb_sse_parser_set_max_size:
 * @max_size: the largest event data accepted, in bytes; 0 for
 *   %FB_SSE_PARSER_DEFAULT_MAX_SIZE
 *
 * Applies to the lines that come next: a connection's setting that
 * changes while a stream is open.
 */
void
fb_sse_parser_set_max_size (FbSseParser *self,
                            gsize        max_size)
{
  g_return_if_fail (self != NULL);

  self->max_size = max_size ? max_size : FB_SSE_PARSER_DEFAULT_MAX_SIZE;
}

static inline gsize
max_line (FbSseParser *self)
{
  return self->max_size + FIELD_NAME_ROOM;
}

static void
dispatch (FbSseParser *self)
{
  /* Most events carry no id, or one per event: copy only a new one. */
  if (self->id_changed)
    {
      g_string_assign (self->last_event_id, self->id->str);
      self->id_changed = FALSE;
    }

  if (self->data->len == 0 || self->discarding)
    {
      self->discarding = FALSE;
      self->event_has_id = FALSE;
      shrink (&self->data);
      clear (self->type);
      return;
    }

  /* Remove the LF that followed the last data line. */
  g_string_truncate (self->data, self->data->len - 1);

  if (self->event_func != NULL)
    self->event_func (self->type->len ? self->type->str : DEFAULT_TYPE,
                      self->data->str,
                      self->data->len,
                      self->last_event_id->str,
                      self->user_data);

  shrink (&self->data);
  clear (self->type);
  self->event_has_id = FALSE;
}

static void
drop_event (FbSseParser *self)
{
  if (self->discarding)
    return;

  self->discarding = TRUE;
  /* The dropped line was the stream's first: a BOM after it is no longer leading. */
  self->at_stream_start = FALSE;
  self->n_dropped++;
  shrink (&self->data);
  g_debug ("Dropped an event larger than %" G_GSIZE_FORMAT " bytes", self->max_size);
}

static void
set_retry (FbSseParser *self,
           const char  *value,
           gsize        len)
{
  guint64 ms = 0;

  if (len == 0)
    return;

  for (gsize i = 0; i < len; i++)
    {
      guint digit;

      if (value[i] < '0' || value[i] > '9')
        return;
      digit = value[i] - '0';
      if (ms > (G_MAXUINT64 - digit) / 10)
        ms = G_MAXUINT64;
      else
        ms = ms * 10 + digit;
    }

  if (self->retry_func != NULL)
    self->retry_func (ms, self->user_data);
}

static void
process_field (FbSseParser *self,
               const char  *name,
               gsize        name_len,
               const char  *value,
               gsize        value_len)
{
  if (name_len == 4 && memcmp (name, "data", 4) == 0)
    {
      /* Each earlier line's LF stays in the event; this one's goes if it is the last. */
      if (self->data->len + value_len > self->max_size)
        {
          drop_event (self);
          return;
        }
      _fb_utf8_append_decoded (self->data, value, value_len);
      g_string_append_c (self->data, '\n');
    }
  else if (name_len == 5 && memcmp (name, "event", 5) == 0)
    {
      clear (self->type);
      _fb_utf8_append_decoded (self->type, value, value_len);
    }
  else if (name_len == 2 && memcmp (name, "id", 2) == 0)
    {
      if (memchr (value, '\0', value_len) == NULL)
        {
          clear (self->id);
          _fb_utf8_append_decoded (self->id, value, value_len);
          self->event_has_id = TRUE;
          self->id_changed = TRUE;
        }
    }
  else if (name_len == 5 && memcmp (name, "retry", 5) == 0)
    {
      set_retry (self, value, value_len);
    }
}

static void
process_line (FbSseParser *self,
              const char  *line,
              gsize        len)
{
  const char *colon;

  if (self->at_stream_start)
    {
      self->at_stream_start = FALSE;
      if (len >= 3 && memcmp (line, "\357\273\277", 3) == 0)
        {
          line += 3;
          len -= 3;
        }
    }

  if (len == 0)
    {
      dispatch (self);
      return;
    }

  if (self->discarding || line[0] == ':')
    return;

  colon = memchr (line, ':', len);
  if (colon == NULL)
    {
      process_field (self, line, len, "", 0);
    }
  else
    {
      const char *value = colon + 1;
      gsize value_len = len - (value - line);

      if (value_len > 0 && *value == ' ')
        {
          value++;
          value_len--;
        }
      process_field (self, line, colon - line, value, value_len);
    }
}

/* Adds a piece of a line that continues past this read. */
static void
keep_partial (FbSseParser *self,
              const char  *buf,
              gsize        len)
{
  if (self->discarding)
    {
      /* Only an empty line matters while dropping: remember that this one is not. */
      if (self->line->len == 0 && len > 0)
        g_string_append_c (self->line, 'x');
      return;
    }

  if (self->line->len + len > max_line (self))
    {
      drop_event (self);
      shrink (&self->line);
      g_string_append_c (self->line, 'x');
      return;
    }

  g_string_append_len (self->line, buf, len);
}

/* Where the line at @buf ends: at the next CR or LF, or at @end when it
 * goes on past this read. The next LF and CR are cached, each searched for
 * over the rest of the read: a stream that uses only one of them is scanned
 * once for the other, not at every line. */
static inline const char *
find_eol (const char  *buf,
          const char  *end,
          const char **next_lf,
          const char **next_cr)
{
  if (*next_lf < buf)
    {
      *next_lf = memchr (buf, '\n', end - buf);
      if (*next_lf == NULL)
        *next_lf = end;
    }
  if (*next_cr < buf)
    {
      *next_cr = memchr (buf, '\r', end - buf);
      if (*next_cr == NULL)
        *next_cr = end;
    }

  return MIN (*next_lf, *next_cr);
}

/* Processes the line that ends at @eol, in place unless it began in an
 * earlier read. */
static inline void
take_line (FbSseParser *self,
           const char  *buf,
           const char  *eol)
{
  if (self->line->len > 0)
    {
      keep_partial (self, buf, eol - buf);
      process_line (self, self->line->str, self->line->len);
      clear (self->line);
    }
  else if ((gsize) (eol - buf) > max_line (self))
    {
      drop_event (self);
    }
  else
    {
      process_line (self, buf, eol - buf);
    }
}

/* Where the line after the one ending at @eol starts: a CRLF is one line
 * end, even when the read ends between its CR and its LF. */
static inline const char *
skip_eol (FbSseParser *self,
          const char  *eol,
          const char  *end)
{
  if (*eol == '\r')
    {
      if (eol + 1 == end)
        self->skip_lf = TRUE;
      else if (eol[1] == '\n')
        eol++;
    }

  return eol + 1;
}

/**
 * fb_sse_parser_feed:
 * @buf: bytes as received
 * @len: their count
 *
 * Parses the next bytes of the stream, calling the handlers for every event
 * and retry field completed by them. Any split of a stream into reads gives
 * the same calls.
 */
void
fb_sse_parser_feed (FbSseParser *self,
                    const char  *buf,
                    gsize        len)
{
  const char *end = buf + len;
  const char *next_lf = NULL;
  const char *next_cr = NULL;

  g_return_if_fail (self != NULL);
  g_return_if_fail (buf != NULL || len == 0);

  while (buf < end && !self->interrupted)
    {
      const char *eol;

      /* The last read ended in CR: an LF that starts this one ends no line. */
      if (self->skip_lf)
        {
          self->skip_lf = FALSE;
          if (*buf == '\n')
            {
              buf++;
              continue;
            }
        }

      eol = find_eol (buf, end, &next_lf, &next_cr);
      if (eol == end)
        {
          keep_partial (self, buf, end - buf);
          break;
        }

      take_line (self, buf, eol);
      buf = skip_eol (self, eol, end);
    }
}
