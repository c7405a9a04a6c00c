/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "fb-url"

#include "config.h"

#include "fb-url.h"

#include <string.h>

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

  if (!(g_ascii_strcasecmp (scheme, "http") == 0 || g_ascii_strcasecmp (scheme, "https") == 0) ||
      host == NULL || host[0] == '\0')
    return FALSE;

  /* GUri decodes a host's %-escapes: "exa%0Ample.org" is a host with a
   * line break in it. A host has no hidden characters, decoded or not. */
  for (const char *p = host; *p != '\0'; p++)
    if ((guchar) *p <= 0x20 || *p == 0x7f)
      return FALSE;

  return TRUE;
}

/* Whether @url is http or https with a host, told without GUri for an
 * ASCII URL that has no control, space or "%" (the caller checked),
 * or -1 when only g_uri_parse() can tell. A URL that does not start
 * with "http://" or "https://" (any case) is neither: GUri's scheme is
 * what precedes the first ":", and without "//" there is no host. For
 * one that does, with an authority that has no user ("@"), port (":")
 * or IP literal ("["), g_uri_parse() cannot fail: without "%" nothing
 * is decoded, and ASCII is valid UTF-8. Its host is then the
 * authority, which only needs to be non-empty. */
static int
is_plain_http (const char *url)
{
  const char *authority;
  gsize len;

  /* By hand, as ORing 0x20 lowercases the letters (and makes no other
   * byte into one): g_ascii_strncasecmp() was a measurable part. */
  if ((url[0] | 0x20) != 'h' || (url[1] | 0x20) != 't' || (url[2] | 0x20) != 't' ||
      (url[3] | 0x20) != 'p')
    return FALSE;
  authority = (url[4] | 0x20) == 's' ? url + 5 : url + 4;
  if (authority[0] != ':' || authority[1] != '/' || authority[2] != '/')
    return FALSE;
  authority += 3;

  len = strcspn (authority, "/?#");
  if (len == 0 || memchr (authority, '@', len) != NULL ||
      memchr (authority, ':', len) != NULL || memchr (authority, '[', len) != NULL)
    return -1;
  return TRUE;
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
  gboolean has_percent = FALSE;
  const char *p;

  if (url == NULL || *url == '\0')
    return FALSE;

  /* Most links are ASCII: there, the hidden ones are the controls and
   * the space. */
  for (p = url; (guchar) *p - 1u < 0x7fu; p++)
    {
      if ((guchar) *p <= 0x20 || *p == 0x7f)
        return FALSE;
      has_percent |= *p == '%';
    }
  if (*p == '\0' && !has_percent)
    {
      int plain = is_plain_http (url);

      if (plain >= 0)
        return plain;
    }

  /* The rest as before; the ASCII up to @p is valid and visible. */
  if (*p != '\0' && !g_utf8_validate (p, -1, NULL))
    return FALSE;
  for (; *p != '\0'; p = g_utf8_next_char (p))
    {
      guchar c = (guchar) *p;

      if (c < 0x80 ? (c <= 0x20 || c == 0x7f) : is_hidden_char (g_utf8_get_char (p)))
        return FALSE;
    }

  uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);

  return uri != NULL && fb_uri_is_http (uri);
}
