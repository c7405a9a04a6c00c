/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "fb-http-action.h"

G_BEGIN_DECLS

/* The rules of fb-http-action.c, for the request in fb-http-action-run.c. */

/* @url as a GUri when it is an http(s) address with a plain host, else %NULL. */
GUri     *_fb_http_action_parse_url (const char         *url);
/* The host as a person reads it and as `action-hosts` lists it: in lower
 * case, an IPv6 address in brackets, with the port when it is not the
 * scheme's (or always, with @with_port). */
char     *_fb_http_action_host_key  (GUri               *uri,
                                     gboolean            with_port);
/* Whether @action's fields still pass fb_http_action_new()'s rules. */
gboolean  _fb_http_action_is_valid  (const FbHttpAction *action);

G_END_DECLS
