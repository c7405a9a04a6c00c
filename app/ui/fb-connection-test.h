/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <libsoup/soup.h>

G_BEGIN_DECLS

/* The answer comes within this many seconds, whatever the server does. */
#define FB_CONNECTION_TEST_TIMEOUT 10

SoupSession *fb_session_new_for_ca_file (const char  *ca_file,
                                         GError     **error);
void     fb_connection_test_async  (const char           *url,
                                    const char           *authorization,
                                    const char           *ca_file,
                                    guint                 idle_timeout,
                                    GCancellable         *cancellable,
                                    GAsyncReadyCallback   callback,
                                    gpointer              user_data);
gboolean fb_connection_test_finish (GAsyncResult         *result,
                                    guint                *n_events,
                                    GError              **error);

G_END_DECLS
