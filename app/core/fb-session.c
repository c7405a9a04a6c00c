/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "fb-session"

#include "config.h"

#include "fb-session.h"

#include <glib/gi18n-lib.h>

/*
 * Every SoupSession Feedbell opens comes from here, so that every one of
 * them has what a long-lived event stream needs:
 *  - no I/O timeout: libsoup's default (60 s) would cut a quiet stream; the
 *    connection's own idle watchdog decides when a stream is dead;
 *  - Feedbell's user agent;
 *  - room for one stream per feed to the same host (ntfy.sh hosts many
 *    topics), where libsoup allows only 2 per host by default;
 *  - the system's certificate authorities, or a feed's own CA file.
 *    Certificates are always verified; a CA file only says against what.
 */

#define MAX_CONNS_PER_HOST 64
#define MAX_CONNS          256

/**
 * fb_session_new:
 * @ca_file: (nullable): a PEM file of certificate authorities to trust
 *   instead of the system's, for a self-hosted server with its own CA
 *
 * Returns: (transfer full): a session for event streams, or %NULL if
 *   @ca_file cannot be used
 */
SoupSession *
fb_session_new (const char  *ca_file,
                GError     **error)
{
  g_autoptr(SoupSession) session = NULL;
  g_autoptr(GTlsDatabase) database = NULL;
  g_autoptr(GError) local_error = NULL;

  session = g_object_new (SOUP_TYPE_SESSION,
                          "timeout", 0,
                          "user-agent", "Feedbell/" PACKAGE_VERSION " ",
                          "max-conns-per-host", MAX_CONNS_PER_HOST,
                          "max-conns", MAX_CONNS,
                          NULL);
  if (ca_file == NULL || ca_file[0] == '\0')
    return g_steal_pointer (&session);

  database = g_tls_file_database_new (ca_file, &local_error);
  if (database == NULL)
    {
      /* Translators: %s says why the file could not be read */
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("The certificate authority file cannot be used: %s"), local_error->message);
      return NULL;
    }
  g_object_set (session, "tls-database", database, NULL);

  return g_steal_pointer (&session);
}
