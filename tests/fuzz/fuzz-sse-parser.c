/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fb-sse-parser.h"

/*
 * Feeds the input whole, then split in two at a position taken from its first
 * byte, then (for short inputs) byte by byte, and aborts when the transcripts
 * differ. A small size limit makes the drop path reachable.
 */
#define FUZZ_MAX_SIZE 64

int LLVMFuzzerInitialize    (int            *argc,
                            char         ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

/* Drops are expected by the thousand here: keep the log for warnings and worse. */
static GLogWriterOutput
quiet_writer (GLogLevelFlags   log_level,
              const GLogField *fields,
              gsize            n_fields,
              gpointer         user_data)
{
  if (log_level & (G_LOG_LEVEL_MESSAGE | G_LOG_LEVEL_INFO | G_LOG_LEVEL_DEBUG))
    return G_LOG_WRITER_HANDLED;

  return g_log_writer_default (log_level, fields, n_fields, user_data);
}

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  g_log_set_writer_func (quiet_writer, NULL, NULL);
  return 0;
}

static void
check_utf8 (const char *s,
            gsize       len)
{
  const char *end = s + len;

  /* g_utf8_validate_len() stops at U+0000, which the data may contain. */
  while (s < end)
    {
      const char *stop = NULL;

      if (!g_utf8_validate_len (s, end - s, &stop) && *stop != '\0')
        abort ();
      s = stop + 1;
    }
}

static void
event_cb (const char *type,
          const char *data,
          gsize       data_len,
          const char *last_event_id,
          gpointer    user_data)
{
  GString *out = user_data;

  if (data[data_len] != '\0')
    abort ();
  check_utf8 (type, strlen (type));
  check_utf8 (data, data_len);
  check_utf8 (last_event_id, strlen (last_event_id));

  g_string_append_printf (out, "E%s|%" G_GSIZE_FORMAT "|", type, data_len);
  g_string_append_len (out, data, data_len);
  g_string_append_printf (out, "|%s\n", last_event_id);
}

static void
retry_cb (guint64  retry_ms,
          gpointer user_data)
{
  GString *out = user_data;

  g_string_append_printf (out, "R%" G_GUINT64_FORMAT "\n", retry_ms);
}

/* Feeds @data in pieces ending at the @n_cuts positions in @cuts; NULL @cuts
 * means byte by byte. */
static GString *
run (const char  *data,
     gsize        size,
     const gsize *cuts,
     guint        n_cuts)
{
  FbSseParser *parser = fb_sse_parser_new (FUZZ_MAX_SIZE);
  GString *out = g_string_new (NULL);
  const char *last_id;
  gsize start = 0;

  fb_sse_parser_set_handlers (parser, event_cb, retry_cb, out);
  if (cuts == NULL)
    {
      for (gsize i = 0; i < size; i++)
        fb_sse_parser_feed (parser, data + i, 1);
    }
  else
    {
      for (guint i = 0; i < n_cuts; i++)
        {
          fb_sse_parser_feed (parser, data + start, cuts[i] - start);
          start = cuts[i];
        }
      fb_sse_parser_feed (parser, data + start, size - start);
    }

  last_id = fb_sse_parser_get_last_event_id (parser);
  check_utf8 (last_id, strlen (last_id));
  g_string_append_printf (out, "L%s\nD%u\n", last_id, fb_sse_parser_get_n_dropped (parser));

  /* Resetting from whatever state the input left must be safe too. */
  fb_sse_parser_reset (parser);
  fb_sse_parser_feed (parser, "data: after reset\n\n", 19);
  fb_sse_parser_free (parser);

  return out;
}

static void
compare (GString *expected,
         GString *got)
{
  if (expected->len != got->len || memcmp (expected->str, got->str, got->len) != 0)
    abort ();
  g_string_free (got, TRUE);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  const char *input = (const char *) data;
  GString *whole;
  gsize cut = 0;

  whole = run (input, size, &cut, 0);
  if (size > 0)
    {
      cut = data[0] % (size + 1);
      compare (whole, run (input, size, &cut, 1));
      cut = size - cut;
      compare (whole, run (input, size, &cut, 1));
    }
  if (size <= 4096)
    compare (whole, run (input, size, NULL, 0));

  g_string_free (whole, TRUE);
  return 0;
}
