/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/**
 * FbSseState:
 * @FB_SSE_STATE_DISCONNECTED: never started
 * @FB_SSE_STATE_CONNECTING: request sent, waiting for the response headers
 * @FB_SSE_STATE_OPEN: a healthy event stream is being read
 * @FB_SSE_STATE_WAITING_RETRY: the stream broke; a reconnect is scheduled at #FbSseConnection:retry-at
 * @FB_SSE_STATE_WAITING_NETWORK: no network; reconnects as soon as it is back
 * @FB_SSE_STATE_FAILED: the server refused us for a reason a person must fix; retried slowly
 * @FB_SSE_STATE_STOPPED: stopped for good (by the user, or a 204 from the server)
 */
typedef enum
{
  FB_SSE_STATE_DISCONNECTED,
  FB_SSE_STATE_CONNECTING,
  FB_SSE_STATE_OPEN,
  FB_SSE_STATE_WAITING_RETRY,
  FB_SSE_STATE_WAITING_NETWORK,
  FB_SSE_STATE_FAILED,
  FB_SSE_STATE_STOPPED,
} FbSseState;

/**
 * FbSseError:
 * @FB_SSE_ERROR_HTTP: the server answered with an error it may get over
 *   (429, a 5xx): retried
 * @FB_SSE_ERROR_UNAUTHORIZED: 401
 * @FB_SSE_ERROR_FORBIDDEN: 403
 * @FB_SSE_ERROR_NOT_FOUND: 404
 * @FB_SSE_ERROR_GONE: 410
 * @FB_SSE_ERROR_CONTENT_TYPE: a 200 that is not `text/event-stream`
 * @FB_SSE_ERROR_REDIRECT: a redirect Feedbell does not follow
 * @FB_SSE_ERROR_TIMED_OUT: no answer within the connect timeout
 * @FB_SSE_ERROR_IDLE: nothing received within the idle timeout
 * @FB_SSE_ERROR_CLOSED: the server ended the stream
 * @FB_SSE_ERROR_NETWORK: the connection failed or was lost
 * @FB_SSE_ERROR_TLS: the secure connection failed, for another reason
 *   than the certificate
 * @FB_SSE_ERROR_INVALID_URL: the feed's address is not http(s)
 * @FB_SSE_ERROR_REFUSED: the service ended the stream in an event
 * @FB_SSE_ERROR_STATUS: any other status than those above (a 2xx other
 *   than 200 and 204, a 4xx): not an event stream, as the HTML standard's
 *   EventSource judges it
 * @FB_SSE_ERROR_CERTIFICATE: the server's certificate is not trusted
 *   (unknown authority, self-signed, another name, expired…)
 *
 * Why a connection failed: the code of #FbSseConnection:last-error in the
 * %FB_SSE_ERROR domain.
 */
typedef enum
{
  FB_SSE_ERROR_HTTP,
  FB_SSE_ERROR_UNAUTHORIZED,
  FB_SSE_ERROR_FORBIDDEN,
  FB_SSE_ERROR_NOT_FOUND,
  FB_SSE_ERROR_GONE,
  FB_SSE_ERROR_CONTENT_TYPE,
  FB_SSE_ERROR_REDIRECT,
  FB_SSE_ERROR_TIMED_OUT,
  FB_SSE_ERROR_IDLE,
  FB_SSE_ERROR_CLOSED,
  FB_SSE_ERROR_NETWORK,
  FB_SSE_ERROR_TLS,
  FB_SSE_ERROR_INVALID_URL,
  FB_SSE_ERROR_REFUSED,
  FB_SSE_ERROR_STATUS,
  FB_SSE_ERROR_CERTIFICATE,
} FbSseError;

/**
 * FbMessageFormat:
 * @FB_MESSAGE_FORMAT_AUTO: the format is recognised from the feed's address,
 *   else from its first events; until then ntfy JSON when the data looks
 *   like it, any other JSON object read generically, plain text otherwise
 * @FB_MESSAGE_FORMAT_PLAIN: always plain text: first line title, the rest body
 * @FB_MESSAGE_FORMAT_NTFY: ntfy's JSON message objects
 * @FB_MESSAGE_FORMAT_MASTODON: Mastodon's streaming API
 * @FB_MESSAGE_FORMAT_WIKIMEDIA: Wikimedia EventStreams (recent changes)
 * @FB_MESSAGE_FORMAT_HOME_ASSISTANT: Home Assistant's event stream
 * @FB_MESSAGE_FORMAT_FIREBASE: Firebase Realtime Database REST streaming
 * @FB_MESSAGE_FORMAT_MERCURE: a Mercure hub's updates (JSON-LD)
 * @FB_MESSAGE_FORMAT_WOODPECKER: Woodpecker CI's event stream
 * @FB_MESSAGE_FORMAT_JSON: any JSON object: title, body and link from
 *   commonly used members
 * @FB_MESSAGE_FORMAT_CUSTOM: the feed's own templates and rules
 *
 * The values of a feed's `format` setting, whose enum in the settings
 * schema must match this one (a unit test checks it).
 */
typedef enum
{
  FB_MESSAGE_FORMAT_AUTO,
  FB_MESSAGE_FORMAT_PLAIN,
  FB_MESSAGE_FORMAT_NTFY,
  FB_MESSAGE_FORMAT_MASTODON,
  FB_MESSAGE_FORMAT_WIKIMEDIA,
  FB_MESSAGE_FORMAT_HOME_ASSISTANT,
  FB_MESSAGE_FORMAT_FIREBASE,
  FB_MESSAGE_FORMAT_MERCURE,
  FB_MESSAGE_FORMAT_WOODPECKER,
  FB_MESSAGE_FORMAT_JSON,
  FB_MESSAGE_FORMAT_CUSTOM,
} FbMessageFormat;

/**
 * FbAuth:
 * @FB_AUTH_NONE: no credentials
 * @FB_AUTH_TOKEN: an access token, sent as `Authorization: Bearer …`
 * @FB_AUTH_BASIC: a user name and password, sent as `Authorization: Basic …`
 *
 * How a feed authenticates: the values of its `auth` setting, whose enum in
 * the settings schema must match this one (a unit test checks it).
 */
typedef enum
{
  FB_AUTH_NONE,
  FB_AUTH_TOKEN,
  FB_AUTH_BASIC,
} FbAuth;

typedef enum
{
  FB_URGENCY_LOW,
  FB_URGENCY_NORMAL,
  FB_URGENCY_CRITICAL,
} FbUrgency;

/**
 * FbMessageKind:
 * @FB_MESSAGE_KIND_MESSAGE: something to show
 * @FB_MESSAGE_KIND_DELETE: the server deleted the messages of a sequence
 *   (ntfy's `message_delete`): close their notification, hide them
 * @FB_MESSAGE_KIND_CLEAR: the server cleared them (ntfy's
 *   `message_clear`): close their notification, mark them read
 *
 * What a message asks for. The sequence is the message's group.
 */
typedef enum
{
  FB_MESSAGE_KIND_MESSAGE,
  FB_MESSAGE_KIND_DELETE,
  FB_MESSAGE_KIND_CLEAR,
} FbMessageKind;

#define FB_SSE_ERROR (fb_sse_error_quark ())
GQuark fb_sse_error_quark (void);

FbAuth fb_auth_from_nick  (const char *nick);

G_END_DECLS
