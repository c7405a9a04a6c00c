/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "fb-http-action"

#include "config.h"

#include "fb-http-action-private.h"

#include <glib/gi18n.h>
#include <string.h>

#include "fb-url.h"

/*
 * ntfy's `http` action buttons: a request a message asks the user to send.
 * The message comes from a server, so everything in it is checked before
 * it can become a request: an http(s) address whose host is a plain host
 * name, a method among the ordinary ones, a few headers that cannot split
 * the request or change its framing, a bounded body.
 *
 * Sending one is fb-http-action-run.c's. Whether the user is asked first
 * is fb_http_action_needs_confirmation()'s answer; the caller asks.
 */

G_DEFINE_QUARK (fb-http-action-error-quark, fb_http_action_error)

G_DEFINE_BOXED_TYPE (FbHttpAction, fb_http_action, fb_http_action_copy, fb_http_action_free)

/* The kinds of action fb_http_action_note_unsupported() remembers: a
 * server that makes up a new kind for every message fills no memory. */
#define MAX_KINDS_NOTED  16
#define MAX_KIND_BYTES   32

/* Headers that describe the connection or the message's framing, which
 * libsoup writes itself: one from a message could smuggle a second request
 * into the connection or make libsoup wait for an answer that never
 * comes. */
static const char * const forbidden_headers[] = {
  "Host", "Content-Length", "Transfer-Encoding", "Connection",
  "Keep-Alive", "Proxy-Connection", "TE", "Trailer", "Upgrade", "Expect",
};

/* CONNECT makes libsoup open a tunnel, not send a request; TRACE and TRACK
 * echo the request back, credentials included. */
static const char * const forbidden_methods[] = {
  "CONNECT", "TRACE", "TRACK",
};

/* --- the rules --------------------------------------------------------------- */

/* RFC 9110's tchar. */
static gboolean
is_token_char (char c)
{
  return g_ascii_isalnum (c) || (c != '\0' && strchr ("!#$%&'*+-.^_`|~", c) != NULL);
}

static gboolean
is_header_name (const char *name)
{
  gsize len = strlen (name);

  if (len == 0 || len > FB_HTTP_ACTION_MAX_HEADER_BYTES)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (!is_token_char (name[i]))
      return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (forbidden_headers); i++)
    if (g_ascii_strcasecmp (name, forbidden_headers[i]) == 0)
      return FALSE;

  return TRUE;
}

/* No CR or LF (a new header, or a body, in the request), nor any other
 * control character but the tab; the NUL ends the string anyway. */
static gboolean
is_header_value (const char *value)
{
  gsize len = strlen (value);

  if (len > FB_HTTP_ACTION_MAX_HEADER_BYTES)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    {
      guchar c = (guchar) value[i];

      if ((c < 0x20 && c != '\t') || c == 0x7f)
        return FALSE;
    }

  return TRUE;
}

static gboolean
is_method (const char *method)
{
  gsize len = strlen (method);

  if (len == 0 || len > FB_HTTP_ACTION_MAX_METHOD)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isupper (method[i]))
      return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (forbidden_methods); i++)
    if (strcmp (method, forbidden_methods[i]) == 0)
      return FALSE;

  return TRUE;
}

/* GUri decodes the host: "exa%0Ample.org" has a line break in it, which
 * a confirmation dialog would show. A host here is a DNS name (GUri has
 * made an international one ASCII), an IPv4 address or an IPv6 one. */
static gboolean
is_plain_host (const char *host)
{
  if (host == NULL || *host == '\0')
    return FALSE;
  for (const char *p = host; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '-' && *p != '.' && *p != '_' && *p != ':')
      return FALSE;

  return TRUE;
}

GUri *
_fb_http_action_parse_url (const char *url)
{
  g_autoptr(GUri) uri = NULL;

  if (url == NULL || strlen (url) > FB_HTTP_ACTION_MAX_URL || !fb_url_is_http (url))
    return NULL;
  uri = g_uri_parse (url, SOUP_HTTP_URI_FLAGS, NULL);
  if (uri == NULL || !fb_uri_is_http (uri) || !is_plain_host (g_uri_get_host (uri)))
    return NULL;

  return g_steal_pointer (&uri);
}

/* Valid UTF-8 with something to read in what is kept of it. */
static gboolean
is_label (const char *label)
{
  guint n = 0;

  if (!g_utf8_validate (label, -1, NULL))
    return FALSE;
  for (const char *p = label; *p != '\0' && n < FB_HTTP_ACTION_MAX_LABEL_CHARS;
       p = g_utf8_next_char (p), n++)
    if (!g_unichar_isspace (g_utf8_get_char (p)))
      return TRUE;

  return FALSE;
}

/* Why the fields make no action, for the debug log (never a value: a
 * header may hold a secret), or %NULL when they make one. */
static const char *
invalid_reason (const char         *label,
                const char         *url,
                const char         *method,
                const char * const *headers,
                const char         *body)
{
  g_autoptr(GUri) uri = NULL;
  guint n = headers != NULL ? g_strv_length ((GStrv) headers) : 0;

  if (label == NULL || !is_label (label))
    return "no label";
  uri = _fb_http_action_parse_url (url);
  if (uri == NULL)
    return "not an http or https address with a plain host";
  if (method == NULL || !is_method (method))
    return "not a method of capital letters, or a refused one";
  if (n % 2 != 0 || n / 2 > FB_HTTP_ACTION_MAX_HEADERS)
    return "too many headers";
  for (guint i = 0; i < n; i += 2)
    if (!is_header_name (headers[i]) || !is_header_value (headers[i + 1]))
      return "a header refused";
  if (body != NULL && strlen (body) > FB_HTTP_ACTION_MAX_BODY)
    return "a body too large";

  return NULL;
}

gboolean
_fb_http_action_is_valid (const FbHttpAction *action)
{
  return invalid_reason (action->label, action->url, action->method,
                         (const char * const *) action->headers, action->body) == NULL;
}

/* --- the boxed type ---------------------------------------------------------- */

/**
 * fb_http_action_new:
 * @label: the button's text
 * @url: the request's address
 * @method: (nullable): an HTTP method in capitals, %NULL for "POST"
 * @headers: (nullable): name, value, name, value…, %NULL-terminated
 * @body: (nullable): the request's body
 * @clear: whether the notification goes once the request succeeded
 *
 * Makes an action of fields that pass: a label that is not blank (cut to
 * %FB_HTTP_ACTION_MAX_LABEL_CHARS characters), an http or https @url,
 * a @method of at most %FB_HTTP_ACTION_MAX_METHOD capital letters
 * (not CONNECT, TRACE or TRACK), at most %FB_HTTP_ACTION_MAX_HEADERS
 * headers whose names are tokens and whose values hold no line break or
 * other control character, each at most %FB_HTTP_ACTION_MAX_HEADER_BYTES,
 * none of them Host, Content-Length, Transfer-Encoding, Connection or
 * another that libsoup writes itself, and a @body of at most
 * %FB_HTTP_ACTION_MAX_BODY bytes.
 *
 * Returns: (transfer full) (nullable): the action, or %NULL when a field
 *   does not pass
 */
FbHttpAction *
fb_http_action_new (const char         *label,
                    const char         *url,
                    const char         *method,
                    const char * const *headers,
                    const char         *body,
                    gboolean            clear)
{
  FbHttpAction *self;
  const char *reason;

  if (method == NULL)
    method = SOUP_METHOD_POST;
  reason = invalid_reason (label, url, method, headers, body);
  if (reason != NULL)
    {
      g_debug ("An http action refused: %s", reason);
      return NULL;
    }

  self = g_new0 (FbHttpAction, 1);
  self->label = g_utf8_substring (label, 0, MIN (g_utf8_strlen (label, -1),
                                                 FB_HTTP_ACTION_MAX_LABEL_CHARS));
  self->url = g_strdup (url);
  self->method = g_strdup (method);
  self->headers = headers != NULL && headers[0] != NULL ? g_strdupv ((GStrv) headers) : NULL;
  self->body = g_strdup (body);
  self->clear = clear;

  return self;
}

FbHttpAction *
fb_http_action_copy (const FbHttpAction *action)
{
  FbHttpAction *copy;

  g_return_val_if_fail (action != NULL, NULL);

  copy = g_new0 (FbHttpAction, 1);
  copy->label = g_strdup (action->label);
  copy->url = g_strdup (action->url);
  copy->method = g_strdup (action->method);
  copy->headers = g_strdupv (action->headers);
  copy->body = g_strdup (action->body);
  copy->clear = action->clear;

  return copy;
}

void
fb_http_action_free (FbHttpAction *action)
{
  if (action == NULL)
    return;

  g_free (action->label);
  g_free (action->url);
  g_free (action->method);
  g_strfreev (action->headers);
  g_free (action->body);
  g_free (action);
}

/* --- ntfy's JSON ------------------------------------------------------------- */

/* @name's string, or %NULL when it is missing or not a string. */
static const char *
get_string (JsonObject *object,
            const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;

  return json_node_get_string (node);
}

/* Whether @name is missing, null, or of @type. */
static gboolean
is_absent_or (JsonObject *object,
              const char *name,
              GType       type)
{
  JsonNode *node = json_object_get_member (object, name);

  return node == NULL || JSON_NODE_HOLDS_NULL (node) ||
         (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == type);
}

/* ntfy's "headers" object as name, value…, %NULL-terminated; %FALSE when
 * it is neither missing nor null nor an object of at most
 * FB_HTTP_ACTION_MAX_HEADERS strings. */
static gboolean
get_headers (JsonObject *object,
             GPtrArray  *headers)
{
  JsonNode *node = json_object_get_member (object, "headers");
  g_autoptr(GList) names = NULL;
  JsonObject *members = NULL;

  if (node != NULL && !JSON_NODE_HOLDS_NULL (node))
    {
      if (!JSON_NODE_HOLDS_OBJECT (node))
        return FALSE;
      members = json_node_get_object (node);
      if (json_object_get_size (members) > FB_HTTP_ACTION_MAX_HEADERS)
        return FALSE;
      names = json_object_get_members (members);
    }

  for (GList *l = names; l != NULL; l = l->next)
    {
      const char *value = get_string (members, l->data);

      if (value == NULL)
        return FALSE;
      g_ptr_array_add (headers, l->data);
      g_ptr_array_add (headers, (gpointer) value);
    }
  g_ptr_array_add (headers, NULL);

  return TRUE;
}

/**
 * fb_http_action_new_from_json:
 * @object: one member of an ntfy message's "actions"
 *
 * Reads an ntfy action: `action` must be "http"; `label` and `url` are
 * needed, `method` (default POST), `headers` (an object of strings), `body`
 * and `clear` may be missing or null. The fields must pass
 * fb_http_action_new()'s rules; a member of another type makes no action.
 *
 * Returns: (transfer full) (nullable): the action, or %NULL
 */
FbHttpAction *
fb_http_action_new_from_json (JsonObject *object)
{
  g_autoptr(GPtrArray) headers = g_ptr_array_new ();
  JsonNode *clear;

  g_return_val_if_fail (object != NULL, NULL);

  if (g_strcmp0 (get_string (object, "action"), "http") != 0)
    return NULL;
  if (!is_absent_or (object, "method", G_TYPE_STRING) ||
      !is_absent_or (object, "body", G_TYPE_STRING) ||
      !is_absent_or (object, "clear", G_TYPE_BOOLEAN) ||
      !get_headers (object, headers))
    {
      g_debug ("An http action refused: a member of the wrong type");
      return NULL;
    }

  clear = json_object_get_member (object, "clear");

  return fb_http_action_new (get_string (object, "label"), get_string (object, "url"),
                             get_string (object, "method"),
                             (const char * const *) headers->pdata,
                             get_string (object, "body"),
                             clear != NULL && JSON_NODE_HOLDS_VALUE (clear) &&
                             json_node_get_boolean (clear));
}

/**
 * fb_http_action_to_json:
 *
 * Returns: (transfer full): @action as ntfy writes it, which
 *   fb_http_action_new_from_json() reads back
 */
JsonNode *
fb_http_action_to_json (const FbHttpAction *action)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  g_return_val_if_fail (action != NULL, NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "action");
  json_builder_add_string_value (builder, "http");
  json_builder_set_member_name (builder, "label");
  json_builder_add_string_value (builder, action->label);
  json_builder_set_member_name (builder, "url");
  json_builder_add_string_value (builder, action->url);
  json_builder_set_member_name (builder, "method");
  json_builder_add_string_value (builder, action->method);
  if (action->headers != NULL)
    {
      json_builder_set_member_name (builder, "headers");
      json_builder_begin_object (builder);
      for (guint i = 0; action->headers[i] != NULL && action->headers[i + 1] != NULL; i += 2)
        {
          json_builder_set_member_name (builder, action->headers[i]);
          json_builder_add_string_value (builder, action->headers[i + 1]);
        }
      json_builder_end_object (builder);
    }
  if (action->body != NULL)
    {
      json_builder_set_member_name (builder, "body");
      json_builder_add_string_value (builder, action->body);
    }
  json_builder_set_member_name (builder, "clear");
  json_builder_add_boolean_value (builder, action->clear);
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

/* --- origins and the policy -------------------------------------------------- */

static gboolean
is_https (GUri *uri)
{
  return g_ascii_strcasecmp (g_uri_get_scheme (uri), "https") == 0;
}

static int
origin_port (GUri *uri)
{
  int port = g_uri_get_port (uri);

  if (port > 0)
    return port;

  return is_https (uri) ? 443 : 80;
}

char *
_fb_http_action_host_key (GUri     *uri,
                          gboolean  with_port)
{
  g_autofree char *host = g_ascii_strdown (g_uri_get_host (uri), -1);
  int port = origin_port (uri);
  gboolean ipv6 = strchr (host, ':') != NULL;

  if (!with_port && port == (is_https (uri) ? 443 : 80))
    return ipv6 ? g_strdup_printf ("[%s]", host) : g_steal_pointer (&host);

  return g_strdup_printf (ipv6 ? "[%s]:%d" : "%s:%d", host, port);
}

/**
 * fb_http_action_same_origin:
 * @feed_url: (nullable): the feed's address
 * @action_url: (nullable): an action's address
 *
 * Returns: whether both are http(s) addresses with the same scheme, host
 *   (in any case) and port (a missing one being the scheme's)
 */
gboolean
fb_http_action_same_origin (const char *feed_url,
                            const char *action_url)
{
  g_autoptr(GUri) a = _fb_http_action_parse_url (feed_url);
  g_autoptr(GUri) b = _fb_http_action_parse_url (action_url);

  return a != NULL && b != NULL &&
         g_ascii_strcasecmp (g_uri_get_scheme (a), g_uri_get_scheme (b)) == 0 &&
         g_ascii_strcasecmp (g_uri_get_host (a), g_uri_get_host (b)) == 0 &&
         origin_port (a) == origin_port (b);
}

/**
 * fb_http_action_needs_confirmation:
 * @feed_url: (nullable): the address of the feed the action came with
 * @action: an action
 * @trusted_hosts: (nullable): the feed's `action-hosts`: hosts in lower
 *   case ("example.org"), with the port when it is not the scheme's
 *   ("example.org:8080"; an explicit default port matches too), IPv6
 *   addresses in brackets, international names in their ASCII form
 *
 * Returns: %FALSE when @action goes to the feed's own origin or to a host
 *   in @trusted_hosts, %TRUE otherwise: the user is asked first
 */
gboolean
fb_http_action_needs_confirmation (const char         *feed_url,
                                   const FbHttpAction *action,
                                   const char * const *trusted_hosts)
{
  g_autoptr(GUri) uri = NULL;
  g_autofree char *host = NULL;
  g_autofree char *host_port = NULL;

  g_return_val_if_fail (action != NULL, TRUE);

  uri = _fb_http_action_parse_url (action->url);
  if (uri == NULL)
    return TRUE;
  if (fb_http_action_same_origin (feed_url, action->url))
    return FALSE;

  host = _fb_http_action_host_key (uri, FALSE);
  host_port = _fb_http_action_host_key (uri, TRUE);
  for (guint i = 0; trusted_hosts != NULL && trusted_hosts[i] != NULL; i++)
    if (g_ascii_strcasecmp (trusted_hosts[i], host) == 0 ||
        g_ascii_strcasecmp (trusted_hosts[i], host_port) == 0)
      return FALSE;

  return TRUE;
}

/**
 * fb_http_action_describe:
 *
 * Returns: (transfer full): what @action does, for the question asked
 *   before it is sent: its method and host ("POST to example.org"), never
 *   its path or query
 */
char *
fb_http_action_describe (const FbHttpAction *action)
{
  g_autoptr(GUri) uri = NULL;
  g_autofree char *host = NULL;

  g_return_val_if_fail (action != NULL, NULL);

  uri = _fb_http_action_parse_url (action->url);
  host = uri != NULL ? _fb_http_action_host_key (uri, FALSE)
                     : g_strdup (_("an address that is not valid"));

  /* Translators: what an action button of a notification does, asked
   * before it is sent: an HTTP method (POST, GET, PUT…) and a host, as
   * in “POST to example.org”. */
  return g_strdup_printf (_("%s to %s"), action->method, host);
}

/* --- other kinds ------------------------------------------------------------- */

/**
 * fb_http_action_note_unsupported:
 * @kind: the kind of an ntfy action Feedbell does not do ("broadcast")
 *
 * Says in the journal, once per kind and process, that such actions are
 * ignored.
 */
void
fb_http_action_note_unsupported (const char *kind)
{
  static GHashTable *noted;
  G_LOCK_DEFINE_STATIC (noted);
  g_autofree char *name = NULL;
  gboolean first;

  g_return_if_fail (kind != NULL);

  /* A name from a server: bounded, and nothing but letters, digits, "-"
   * and "_" in the journal. */
  name = g_strndup (kind, MAX_KIND_BYTES);
  g_strcanon (name, G_CSET_a_2_z G_CSET_A_2_Z G_CSET_DIGITS "-_", '?');

  G_LOCK (noted);
  if (noted == NULL)
    noted = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  first = g_hash_table_size (noted) < MAX_KINDS_NOTED && !g_hash_table_contains (noted, name);
  if (first)
    g_hash_table_add (noted, g_strdup (name));
  G_UNLOCK (noted);

  if (!first)
    return;
  if (strcmp (name, "broadcast") == 0)
    g_message ("broadcast actions are Android-only; ignored");
  else
    g_message ("%s actions are not supported; ignored", name);
}
