/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/**
 * FbTestCerts:
 * @dir: the temporary directory that holds them
 * @ca_file: the test's certificate authority (PEM), for a CA setting
 * @trusted: signed by that authority for 127.0.0.1 and localhost
 * @self_signed: for 127.0.0.1 and localhost, signed by itself
 * @self_signed_cert: that certificate alone, without its key (PEM): what a
 *   person puts in a feed's CA setting to trust it
 * @wrong_host: signed by the authority for wrong.example only
 * @expired: signed by the authority for 127.0.0.1, valid from 2000-01-01
 *   to 2000-01-02
 * @not_yet_valid: signed by the authority for 127.0.0.1, valid from
 *   2099-01-01
 * @insecure: signed by the authority for 127.0.0.1 with SHA-1, which
 *   GnuTLS no longer accepts in a signature
 *
 * Certificates made when the test runs, with the `openssl` command, so
 * that none is kept in the repository (nor expires there). Each server
 * file holds the certificate and its key, for fb_test_certs_load().
 */
typedef struct
{
  char *dir;
  char *ca_file;
  char *trusted;
  char *self_signed;
  char *self_signed_cert;
  char *wrong_host;
  char *expired;
  char *not_yet_valid;
  char *insecure;
} FbTestCerts;

/* NULL, having said why with g_test_message(), when there is no openssl
 * command or it fails: the caller skips (g_test_skip()). */
FbTestCerts     *fb_test_certs_new  (void);
void             fb_test_certs_free (FbTestCerts *self);
/* A server's certificate and key; aborts the test when the file is bad. */
GTlsCertificate *fb_test_certs_load (const char  *pem_file);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FbTestCerts, fb_test_certs_free)

G_END_DECLS
