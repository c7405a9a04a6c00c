/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "fb-format.h"
#include "fb-mapping.h"
#include "fb-reader.h"
#include "fb-template.h"
#include "fb-url.h"

/*
 * Templates, rules and the built-in formats on arbitrary input. The input
 * is a mode byte, a source, a NUL byte and an event's data:
 *
 *   mode % 4 == 0: the source is one template, rendered on the data;
 *   mode % 4 == 1: the source is one rule, of a mapping applied to the data;
 *   mode % 4 == 2: the source's lines are a custom mapping: seven templates
 *                  (title, body, link, icon, priority, key, group), then rules;
 *   mode % 4 == 3: the source's first line is the event type, read by a
 *                  built-in format ((mode / 4) picks which) or Automatic.
 *
 * Whatever the input, what comes out must be safe to show: valid UTF-8,
 * bounded, and no link but http(s).
 */

int LLVMFuzzerTestOneInput (const unsigned char *data, size_t size);

static void
check_text (const char *text,
            glong       max_chars)
{
  if (text == NULL)
    return;
  if (!g_utf8_validate (text, -1, NULL) || g_utf8_strlen (text, -1) > max_chars)
    abort ();
}

static void
check_url (const char *url)
{
  if (url != NULL && !fb_url_is_http (url))
    abort ();
}

static void
check (FbMappingResult  result,
       FbMessage       *message,
       const char      *reason)
{
  check_text (reason, G_MAXLONG);
  if ((result == FB_MAPPING_SHOW) != (message != NULL))
    abort ();
  if (result == FB_MAPPING_FAIL && reason == NULL)
    abort ();
  if (message == NULL)
    return;

  if (fb_message_get_title (message) == NULL || fb_message_get_body (message) == NULL)
    abort ();
  check_text (fb_message_get_title (message), 200);
  check_text (fb_message_get_body (message), 4000);
  check_text (fb_message_get_key (message), 256);
  check_text (fb_message_get_group (message), 256);
  check_url (fb_message_get_click_url (message));
  check_url (fb_message_get_icon_url (message));
  check_url (fb_message_get_attachment_url (message));
  if (fb_message_get_priority (message) < 1 || fb_message_get_priority (message) > 5)
    abort ();
}

static void
fuzz_template (const char *source,
               JsonNode   *payload,
               gsize       max_len)
{
  g_autoptr(FbTemplate) template = fb_template_parse (source, NULL);
  g_autofree char *text = NULL;

  if (template == NULL)
    return;
  text = fb_template_render (template, payload, "message", "id", max_len, NULL);
  if (text != NULL && (!g_utf8_validate (text, -1, NULL) || strlen (text) > max_len))
    abort ();
}

static void
apply (FbMapping  *mapping,
       const char *event_type,
       const char *text,
       JsonNode   *payload)
{
  g_autoptr(FbMessage) message = NULL;
  g_autofree char *reason = NULL;
  FbMappingResult result;

  result = fb_mapping_apply (mapping, "Fuzz", event_type, text, strlen (text), payload, "id",
                             &message, &reason);
  check (result, message, reason);
}

static void
fuzz_rule (const char *source,
           const char *text,
           JsonNode   *payload)
{
  const char *rules[] = { source, NULL };
  const char *templates[FB_MAPPING_N_FIELDS] = { "{{ .title | default .event }}", "{{ . }}", };
  g_autoptr(FbMapping) mapping = fb_mapping_new_custom (templates, rules, FALSE, NULL);

  /* fb_mapping_new_custom() skips an empty rule; any other must agree. */
  if (*source != '\0' && fb_mapping_check_rule (source, NULL) != (mapping != NULL))
    abort ();
  if (mapping == NULL)
    return;
  apply (mapping, "message", text, payload);
  apply (mapping, "put", text, payload);
  /* And as a variant's condition. */
  if (fb_mapping_add_variant (mapping, source, templates, NULL))
    apply (mapping, "update", text, payload);
}

static void
fuzz_custom (const char *source,
             const char *text,
             JsonNode   *payload)
{
  g_auto(GStrv) lines = g_strsplit (source, "\n", FB_MAPPING_N_FIELDS + 40);
  guint n = g_strv_length (lines);
  const char *templates[FB_MAPPING_N_FIELDS] = { NULL, };
  g_autoptr(FbMapping) mapping = NULL;

  for (guint i = 0; i < FB_MAPPING_N_FIELDS && i < n; i++)
    templates[i] = lines[i];
  mapping = fb_mapping_new_custom (templates,
                                   n > FB_MAPPING_N_FIELDS ? (const char * const *) lines + FB_MAPPING_N_FIELDS
                                                           : NULL,
                                   TRUE, NULL);
  if (mapping == NULL)
    return;
  apply (mapping, "message", text, payload);
  apply (mapping, NULL, text, payload);
}

static void
fuzz_reader (guint       choice,
             const char *source,
             const char *text)
{
  static const FbMessageFormat formats[] = {
    FB_MESSAGE_FORMAT_AUTO, FB_MESSAGE_FORMAT_MASTODON, FB_MESSAGE_FORMAT_WIKIMEDIA,
    FB_MESSAGE_FORMAT_HOME_ASSISTANT, FB_MESSAGE_FORMAT_FIREBASE, FB_MESSAGE_FORMAT_MERCURE,
    FB_MESSAGE_FORMAT_WOODPECKER, FB_MESSAGE_FORMAT_JSON,
  };
  g_autofree char *event_type = g_strndup (source, strcspn (source, "\n"));
  g_autoptr(FbReader) reader = fb_reader_new (formats[choice % G_N_ELEMENTS (formats)], NULL, NULL);
  g_autofree char *name = fb_format_default_feed_name (FB_MESSAGE_FORMAT_AUTO, source);

  check_text (name, 80);
  fb_reader_connected (reader);
  /* Twice: the first may be skipped (Firebase), or recognise the format. */
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(FbMessage) message = NULL;
      g_autofree char *reason = NULL;
      FbMappingResult result;

      if (!g_utf8_validate (event_type, -1, NULL))
        break;
      result = fb_reader_read (reader, "Fuzz", event_type, text, strlen (text), "id",
                               &message, &reason);
      check (result, message, reason);
    }
}

int
LLVMFuzzerTestOneInput (const unsigned char *data,
                        size_t               size)
{
  g_autofree char *source = NULL;
  g_autofree char *text = NULL;
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(JsonNode) text_node = NULL;
  const unsigned char *nul;
  JsonNode *payload;
  guint mode;

  if (size < 1)
    return 0;
  mode = data[0];
  data++, size--;

  /* Source up to the first NUL, as a setting holds it; the data after it,
   * valid UTF-8 as the SSE parser hands it over. */
  nul = memchr (data, '\0', size);
  source = g_strndup ((const char *) data, nul != NULL ? (gsize) (nul - data) : size);
  text = nul != NULL ? g_utf8_make_valid ((const char *) nul + 1, (gssize) (size - (nul + 1 - data)))
                     : g_strdup ("");

  payload = fb_mapping_parse_payload (parser, text, strlen (text));
  if (payload == NULL)
    payload = text_node = json_node_init_string (json_node_alloc (), text);

  switch (mode % 4)
    {
    case 0:
      fuzz_template (source, payload, 1 + mode * 4);
      fuzz_template (source, payload, 4096);
      break;
    case 1:
      fuzz_rule (source, text, payload);
      break;
    case 2:
      fuzz_custom (source, text, payload);
      break;
    case 3:
      fuzz_reader (mode / 4, source, text);
      break;
    default:
      g_assert_not_reached ();
    }

  return 0;
}
