/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "fb-clock.h"

G_BEGIN_DECLS

/* The bounds of an action, as it arrives in a message. */
#define FB_HTTP_ACTION_MAX_LABEL_CHARS    100
#define FB_HTTP_ACTION_MAX_URL            8192
#define FB_HTTP_ACTION_MAX_METHOD         16
#define FB_HTTP_ACTION_MAX_HEADERS        16
#define FB_HTTP_ACTION_MAX_HEADER_BYTES   4096
#define FB_HTTP_ACTION_MAX_BODY           (64 * 1024)
/* How much of a response body is read at most: nobody shows it. */
#define FB_HTTP_ACTION_MAX_RESPONSE       (64 * 1024)
/* How long a request may take when the caller does not say. */
#define FB_HTTP_ACTION_DEFAULT_TIMEOUT_MS 15000

#define FB_HTTP_ACTION_ERROR (fb_http_action_error_quark ())

/**
 * FbHttpActionError:
 * @FB_HTTP_ACTION_ERROR_INVALID: the action breaks the rules of
 *   fb_http_action_new() (its fields were changed after it was made)
 * @FB_HTTP_ACTION_ERROR_STATUS: the server answered with a status other
 *   than 2xx, a redirect included
 *
 * Besides these: %G_IO_ERROR_TIMED_OUT, %G_IO_ERROR_CANCELLED and the
 * network's errors as libsoup gives them.
 */
typedef enum
{
  FB_HTTP_ACTION_ERROR_INVALID,
  FB_HTTP_ACTION_ERROR_STATUS,
} FbHttpActionError;

GQuark fb_http_action_error_quark (void);

/**
 * FbHttpAction:
 * @label: the button's text, never empty
 * @url: where the request goes, http or https
 * @method: an HTTP method in capitals ("POST" unless the action says)
 * @headers: (nullable): the request's own headers: name, value, name,
 *   value…, %NULL-terminated
 * @body: (nullable): the request's body, sent as it is
 * @clear: whether the notification goes away once the request succeeded
 *
 * An ntfy `http` action button: a request the user may send from a
 * notification.
 */
typedef struct
{
  char     *label;
  char     *url;
  char     *method;
  GStrv     headers;
  char     *body;
  gboolean  clear;
} FbHttpAction;

#define FB_TYPE_HTTP_ACTION (fb_http_action_get_type ())
GType         fb_http_action_get_type          (void) G_GNUC_CONST;

FbHttpAction *fb_http_action_new               (const char          *label,
                                                const char          *url,
                                                const char          *method,
                                                const char * const  *headers,
                                                const char          *body,
                                                gboolean             clear);
FbHttpAction *fb_http_action_new_from_json     (JsonObject          *object);
FbHttpAction *fb_http_action_copy              (const FbHttpAction  *action);
void          fb_http_action_free              (FbHttpAction        *action);
JsonNode     *fb_http_action_to_json           (const FbHttpAction  *action);

char         *fb_http_action_describe          (const FbHttpAction  *action);
char         *fb_http_action_dup_host          (const FbHttpAction  *action);

gboolean      fb_http_action_same_origin       (const char          *feed_url,
                                                const char          *action_url);
gboolean      fb_http_action_needs_confirmation (const char         *feed_url,
                                                 const FbHttpAction *action,
                                                 const char * const *trusted_hosts);

void          fb_http_action_run_async         (const FbHttpAction  *action,
                                                SoupSession         *session,
                                                const char          *feed_url,
                                                const char          *authorization,
                                                FbClock             *clock,
                                                guint                timeout_ms,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data);
gboolean      fb_http_action_run_finish        (GAsyncResult        *result,
                                                guint               *status,
                                                GError             **error);

void          fb_http_action_note_unsupported  (const char          *kind);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FbHttpAction, fb_http_action_free)

G_END_DECLS
