/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "fb-test-tls.h"

#include "fb-test-utils.h"

/* Keys are P-256: made in milliseconds, where RSA would take seconds. */
#define NEW_KEY "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"
#define LOOPBACK_NAMES "subjectAltName=IP:127.0.0.1,DNS:localhost"

/* `openssl ca` wants a configuration: its database, the extensions of the
 * request copied (the names), any subject. */
static const char ca_config[] =
  "[ca]\n"
  "default_ca = test\n"
  "[test]\n"
  "database = index.txt\n"
  "serial = serial\n"
  "new_certs_dir = .\n"
  "default_md = sha256\n"
  "policy = any\n"
  "copy_extensions = copy\n"
  "unique_subject = no\n"
  "[any]\n"
  "commonName = supplied\n";

/* Runs openssl in @dir with the arguments after @dir, NULL-terminated. */
static gboolean openssl (const char *dir,
                         ...) G_GNUC_NULL_TERMINATED;

static gboolean
openssl (const char *dir,
         ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  const char *arg;
  int status = 0;
  va_list ap;

  g_ptr_array_add (argv, (char *) "openssl");
  va_start (ap, dir);
  while ((arg = va_arg (ap, const char *)) != NULL)
    g_ptr_array_add (argv, (char *) arg);
  va_end (ap);
  g_ptr_array_add (argv, NULL);

  if (!g_spawn_sync (dir, (char **) argv->pdata, NULL,
                     G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL,
                     NULL, NULL, NULL, &err, &status, &error) ||
      !g_spawn_check_wait_status (status, &error))
    {
      g_test_message ("openssl %s: %s; %s", (char *) argv->pdata[1], error->message, err ? err : "");
      return FALSE;
    }

  return TRUE;
}

/* NAME.pem: the certificate, then its key. */
static char *
join_pem (const char *dir,
          const char *name)
{
  g_autofree char *crt = g_strdup_printf ("%s/%s.crt", dir, name);
  g_autofree char *key = g_strdup_printf ("%s/%s.key", dir, name);
  g_autofree char *crt_text = NULL;
  g_autofree char *key_text = NULL;
  g_autofree char *both = NULL;
  char *pem = g_strdup_printf ("%s/%s.pem", dir, name);

  g_assert_true (g_file_get_contents (crt, &crt_text, NULL, NULL));
  g_assert_true (g_file_get_contents (key, &key_text, NULL, NULL));
  both = g_strconcat (crt_text, key_text, NULL);
  g_assert_true (g_file_set_contents (pem, both, -1, NULL));

  return pem;
}

/* A certificate for @names signed by the test's CA, valid for a month or
 * from @start to @end (YYYYMMDDHHMMSSZ). */
static char *
make_signed_with (const char *dir,
                  const char *name,
                  const char *names,
                  const char *md,
                  const char *start,
                  const char *end)
{
  g_autofree char *key = g_strconcat (name, ".key", NULL);
  g_autofree char *csr = g_strconcat (name, ".csr", NULL);
  g_autofree char *crt = g_strconcat (name, ".crt", NULL);
  gboolean made;

  if (!openssl (dir, "req", "-new", NEW_KEY, "-keyout", key, "-out", csr,
                "-subj", "/CN=Feedbell test server", "-addext", names, NULL))
    return NULL;

  if (start != NULL)
    made = openssl (dir, "ca", "-batch", "-config", "ca.cnf", "-cert", "ca.pem", "-keyfile", "ca.key",
                    "-md", md, "-notext", "-in", csr, "-out", crt, "-startdate", start, "-enddate", end,
                    NULL);
  else
    made = openssl (dir, "ca", "-batch", "-config", "ca.cnf", "-cert", "ca.pem", "-keyfile", "ca.key",
                    "-md", md, "-notext", "-in", csr, "-out", crt, "-days", "30", NULL);

  return made ? join_pem (dir, name) : NULL;
}

static char *
make_signed (const char *dir,
             const char *name,
             const char *names,
             const char *start,
             const char *end)
{
  return make_signed_with (dir, name, names, "sha256", start, end);
}

static gboolean
make_ca (FbTestCerts *self)
{
  g_autofree char *config = g_build_filename (self->dir, "ca.cnf", NULL);
  g_autofree char *index = g_build_filename (self->dir, "index.txt", NULL);
  g_autofree char *serial = g_build_filename (self->dir, "serial", NULL);

  g_assert_true (g_file_set_contents (config, ca_config, -1, NULL));
  g_assert_true (g_file_set_contents (index, "", -1, NULL));
  g_assert_true (g_file_set_contents (serial, "1000\n", -1, NULL));

  if (!openssl (self->dir, "req", "-x509", NEW_KEY, "-keyout", "ca.key", "-out", "ca.pem",
                "-days", "30", "-subj", "/CN=Feedbell Test CA",
                "-addext", "basicConstraints=critical,CA:TRUE",
                "-addext", "keyUsage=critical,keyCertSign,cRLSign", NULL))
    return FALSE;

  self->ca_file = g_build_filename (self->dir, "ca.pem", NULL);
  return TRUE;
}

static gboolean
make_self_signed (FbTestCerts *self)
{
  if (!openssl (self->dir, "req", "-x509", NEW_KEY, "-keyout", "self.key", "-out", "self.crt",
                "-days", "30", "-subj", "/CN=Feedbell test server", "-addext", LOOPBACK_NAMES, NULL))
    return FALSE;

  self->self_signed = join_pem (self->dir, "self");
  self->self_signed_cert = g_build_filename (self->dir, "self.crt", NULL);
  return TRUE;
}

FbTestCerts *
fb_test_certs_new (void)
{
  g_autoptr(FbTestCerts) self = g_new0 (FbTestCerts, 1);
  g_autofree char *path = g_find_program_in_path ("openssl");
  g_autoptr(GError) error = NULL;

  if (path == NULL)
    {
      g_test_message ("no openssl command: no certificates");
      return NULL;
    }

  self->dir = g_dir_make_tmp ("feedbell-tls-XXXXXX", &error);
  g_assert_no_error (error);

  if (!make_ca (self) || !make_self_signed (self))
    return NULL;
  self->trusted = make_signed (self->dir, "trusted", LOOPBACK_NAMES, NULL, NULL);
  self->wrong_host = make_signed (self->dir, "wrong-host", "subjectAltName=DNS:wrong.example",
                                  NULL, NULL);
  self->expired = make_signed (self->dir, "expired", LOOPBACK_NAMES,
                               "20000101000000Z", "20000102000000Z");
  self->not_yet_valid = make_signed (self->dir, "not-yet-valid", LOOPBACK_NAMES,
                                     "20990101000000Z", "21000101000000Z");
  /* SHA-1 signatures are refused by GnuTLS's default verification. */
  self->insecure = make_signed_with (self->dir, "insecure", LOOPBACK_NAMES, "sha1", NULL, NULL);
  if (self->trusted == NULL || self->wrong_host == NULL || self->expired == NULL ||
      self->not_yet_valid == NULL || self->insecure == NULL)
    return NULL;

  return g_steal_pointer (&self);
}

void
fb_test_certs_free (FbTestCerts *self)
{
  if (self == NULL)
    return;

  if (self->dir != NULL)
    fb_test_delete_tree (self->dir);
  g_free (self->dir);
  g_free (self->ca_file);
  g_free (self->trusted);
  g_free (self->self_signed);
  g_free (self->self_signed_cert);
  g_free (self->wrong_host);
  g_free (self->expired);
  g_free (self->not_yet_valid);
  g_free (self->insecure);
  g_free (self);
}

GTlsCertificate *
fb_test_certs_load (const char *pem_file)
{
  g_autoptr(GError) error = NULL;
  GTlsCertificate *certificate;

  certificate = g_tls_certificate_new_from_file (pem_file, &error);
  g_assert_no_error (error);

  return certificate;
}
