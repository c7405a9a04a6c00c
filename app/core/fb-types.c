/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "fb-types.h"

#include "fb-enums.h"

G_DEFINE_QUARK (fb-sse-error-quark, fb_sse_error)

/**
 * fb_auth_from_nick:
 * @nick: (nullable): an `auth` setting's value, as a string ("token")
 *
 * Returns: the #FbAuth it names; %FB_AUTH_NONE for anything else
 */
FbAuth
fb_auth_from_nick (const char *nick)
{
  g_autoptr(GEnumClass) klass = g_type_class_ref (FB_TYPE_AUTH);
  GEnumValue *value = nick != NULL ? g_enum_get_value_by_nick (klass, nick) : NULL;

  return value != NULL ? (FbAuth) value->value : FB_AUTH_NONE;
}
