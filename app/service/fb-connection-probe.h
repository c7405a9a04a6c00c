/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <libsoup/soup.h>

G_BEGIN_DECLS

/* The answer comes within this many seconds, whatever the server does. */
#define FB_CONNECTION_PROBE_TIMEOUT 10

void     fb_connection_probe_async  (const char           *url,
                                    const char           *authorization,
                                    const char           *ca_file,
                                    guint                 idle_timeout,
                                    GCancellable         *cancellable,
                                    GAsyncReadyCallback   callback,
                                    gpointer              user_data);
gboolean fb_connection_probe_finish (GAsyncResult         *result,
                                    guint                *n_events,
                                    GError              **error);

G_END_DECLS
