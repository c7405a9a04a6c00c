/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "fb-url"

#include "config.h"

#include "fb-url.h"

/*
 * The one test for "an http or https address", used for feed addresses
 * (the CLI, --add-feed, the feed editor), redirect targets, and links in
 * messages before anything may open them.
 */

static gboolean
is_hidden_char (gunichar c)
{
  GUnicodeType type = g_unichar_type (c);

  return g_unichar_isspace (c) || type == G_UNICODE_CONTROL || type == G_UNICODE_FORMAT;
}

/**
 * fb_uri_is_http:
 *
 * Returns: whether @uri is http or https (any case) with a host
 */
gboolean
fb_uri_is_http (GUri *uri)
{
  const char *scheme = g_uri_get_scheme (uri);
  const char *host = g_uri_get_host (uri);

  return (g_ascii_strcasecmp (scheme, "http") == 0 || g_ascii_strcasecmp (scheme, "https") == 0) &&
         host != NULL && host[0] != '\0';
}

/**
 * fb_url_is_http:
 * @url: (nullable): a feed address, or a link from an event
 *
 * Whether @url is an absolute http or https URL with a host, with no
 * whitespace, control or invisible formatting characters anywhere (GUri
 * itself lets spaces and tabs through): such a link may be opened, such
 * an address may be subscribed to.
 *
 * Returns: %TRUE for a URL that passes
 */
gboolean
fb_url_is_http (const char *url)
{
  g_autoptr(GUri) uri = NULL;

  if (url == NULL || *url == '\0' || !g_utf8_validate (url, -1, NULL))
    return FALSE;

  for (const char *p = url; *p != '\0'; p = g_utf8_next_char (p))
    {
      guchar c = (guchar) *p;

      /* Most links are ASCII: there, the hidden ones are the controls
       * and the space. */
      if (c < 0x80 ? (c <= 0x20 || c == 0x7f) : is_hidden_char (g_utf8_get_char (p)))
        return FALSE;
    }

  uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);

  return uri != NULL && fb_uri_is_http (uri);
}
