/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "fb-message.h"
#include "fb-url.h"

/*
 * FbMessage on arbitrary event data, read as plain text, as ntfy JSON and
 * automatically. Whatever the input, what comes out must be safe to show:
 * valid UTF-8, bounded, and no URL but http(s).
 */

int LLVMFuzzerTestOneInput (const unsigned char *data, size_t size);

static void
check_url (const char *url)
{
  if (url != NULL && !fb_url_is_http (url))
    abort ();
}

static void
check (FbMessage *message)
{
  const char *label, *url;

  if (!g_utf8_validate (fb_message_get_title (message), -1, NULL) ||
      !g_utf8_validate (fb_message_get_body (message), -1, NULL))
    abort ();
  if (g_utf8_strlen (fb_message_get_title (message), -1) > 1000 ||
      g_utf8_strlen (fb_message_get_body (message), -1) > 10000)
    abort ();
  check_url (fb_message_get_click_url (message));
  check_url (fb_message_get_icon_url (message));
  check_url (fb_message_get_attachment_url (message));
  for (guint i = 0; i < fb_message_get_n_actions (message); i++)
    {
      if (!fb_message_get_action (message, i, &label, &url))
        abort ();
      check_url (url);
    }
  if (fb_message_get_urgency (message) > FB_URGENCY_CRITICAL)
    abort ();
}

int
LLVMFuzzerTestOneInput (const unsigned char *data,
                        size_t               size)
{
  static const FbMessageFormat formats[] = {
    FB_MESSAGE_FORMAT_AUTO, FB_MESSAGE_FORMAT_PLAIN, FB_MESSAGE_FORMAT_NTFY,
  };
  g_autofree char *text = NULL;

  /* Event data reaches FbMessage as valid UTF-8, NUL-terminated. */
  text = g_utf8_make_valid ((const char *) data, size);

  for (guint i = 0; i < G_N_ELEMENTS (formats); i++)
    {
      g_autoptr(FbMessage) message = fb_message_new_from_event ("Fuzz", formats[i], "message",
                                                                text, strlen (text), "id");

      check (message);
    }

  return 0;
}
