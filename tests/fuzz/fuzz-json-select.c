/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "fb-json-select.h"
#include "fb-mapping.h"

/*
 * Selective parsing against json-glib's full parse, behind the same check
 * (fb_mapping_parse_payload()), on arbitrary event data: whatever it reads,
 * json-glib must read too, and every template of a few fixed selections
 * must render the same text, or the same error, from either.
 */

int LLVMFuzzerTestOneInput (const unsigned char *data, size_t size);

static const char * const sources[] = {
  "{{ .a }}|{{ .b.c | default .d }}|{{ .a[1] }}|{{ .c[0].d }}|{{ . }}",
  "{{ .data.x }}/{{ .data.id | default \"-\" }}/{{ .data }}",
  "{{ .a | join \",\" }}|{{ .b | pairs }}|{{ .nothing | default .c | pairs }}",
  "{{ .b.c[2] | default .a | join \" \" }}{{ .b }}",
};

static char *
render (FbTemplate *template_,
        JsonNode   *payload)
{
  g_autoptr(GError) error = NULL;
  char *text = fb_template_render (template_, payload, "message", "1", 4096, &error);

  return text != NULL ? text : g_strdup (error->message);
}

int
LLVMFuzzerTestOneInput (const unsigned char *data,
                        size_t               size)
{
  static JsonParser *parser;
  static FbTemplate *templates[G_N_ELEMENTS (sources)];
  static FbJsonSelect *selects[G_N_ELEMENTS (sources)];
  g_autofree char *text = NULL;
  gsize len;

  if (parser == NULL)
    {
      parser = json_parser_new_immutable ();
      for (guint i = 0; i < G_N_ELEMENTS (sources); i++)
        {
          templates[i] = fb_template_parse (sources[i], NULL);
          selects[i] = fb_json_select_new ();
          fb_json_select_add_template (selects[i], templates[i]);
        }
    }

  /* Event data reaches the reader as valid UTF-8 (NULs become U+FFFD here;
   * the unit test has documents with NULs). */
  text = g_utf8_make_valid ((const char *) data, size);
  len = strlen (text);

  for (guint i = 0; i < G_N_ELEMENTS (sources); i++)
    {
      g_autoptr(JsonNode) got = fb_json_select_parse (selects[i], text, len);
      JsonNode *expected = fb_mapping_parse_payload (parser, text, len);
      g_autofree char *e = NULL;
      g_autofree char *g = NULL;

      if (got == NULL)
        continue;
      if (expected == NULL)
        abort ();
      e = render (templates[i], expected);
      g = render (templates[i], got);
      if (strcmp (e, g) != 0)
        abort ();
    }

  return 0;
}
