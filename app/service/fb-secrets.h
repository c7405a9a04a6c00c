/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "fb-types.h"

G_BEGIN_DECLS

/* The kinds of secret a feed can have; stored as the `kind` attribute. */
#define FB_SECRETS_KIND_TOKEN    "token"     /* sent as "Authorization: Bearer …" */
#define FB_SECRETS_KIND_PASSWORD "password"  /* sent as "Authorization: Basic …" */

/**
 * FbSecretsError:
 * @FB_SECRETS_ERROR_UNAVAILABLE: no Secret Service (keyring) can be reached
 * @FB_SECRETS_ERROR_LOCKED: the keyring is locked and was not unlocked
 * @FB_SECRETS_ERROR_FAILED: the keyring refused or failed for another reason
 */
typedef enum
{
  FB_SECRETS_ERROR_UNAVAILABLE,
  FB_SECRETS_ERROR_LOCKED,
  FB_SECRETS_ERROR_FAILED,
} FbSecretsError;

#define FB_SECRETS_ERROR (fb_secrets_error_quark ())
GQuark    fb_secrets_error_quark          (void);

void      fb_secrets_store_async          (const char          *feed_id,
                                           const char          *kind,
                                           const char          *secret,
                                           const char          *feed_name,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data);
gboolean  fb_secrets_store_finish         (GAsyncResult        *result,
                                           GError             **error);

void      fb_secrets_lookup_async         (const char          *feed_id,
                                           const char          *kind,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data);
char     *fb_secrets_lookup_finish        (GAsyncResult        *result,
                                           GError             **error);

void      fb_secrets_delete_async         (const char          *feed_id,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data);
gboolean  fb_secrets_delete_finish        (GAsyncResult        *result,
                                           GError             **error);

void      fb_secrets_is_available_async   (GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data);
gboolean  fb_secrets_is_available_finish  (GAsyncResult        *result,
                                           GError             **error);

char     *fb_secrets_authorization_header (const char          *kind,
                                           const char          *username,
                                           const char          *secret);
gboolean  fb_secrets_kind_is_valid        (const char          *kind);
const char *fb_secrets_kind_for_auth      (FbAuth               auth);
void      fb_secrets_free                 (char                *secret);

G_END_DECLS
