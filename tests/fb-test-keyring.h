/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <libsecret/secret.h>

G_BEGIN_DECLS

/* Feedbell's credentials in the keyring, written out here instead of taken
 * from FbSecrets: the tests read the keyring from outside, so that a change
 * of the schema's name or attributes (which would orphan every stored
 * token) fails them. */
static const SecretSchema fb_test_credentials_schema = {
  .name = "io.github.feedbell.Feedbell.Credentials",
  .flags = SECRET_SCHEMA_NONE,
  .attributes = {
    { "feed-id", SECRET_SCHEMA_ATTRIBUTE_STRING },
    { "kind", SECRET_SCHEMA_ATTRIBUTE_STRING },
    { NULL, 0 },
  },
};

G_END_DECLS
