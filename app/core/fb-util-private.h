/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/*
 * Small helpers shared by the core's types.
 */

/**
 * _fb_set_str:
 * @str_pointer: a pointer to the string to update
 * @new_str: (nullable): the new value, copied
 *
 * Replaces *@str_pointer with a copy of @new_str unless they are equal:
 * g_set_str(), which arrived in GLib 2.76 (Debian 12 has 2.74).
 *
 * Returns: %TRUE if the value changed, so that a property is notified only then
 */
static inline gboolean
_fb_set_str (char       **str_pointer,
             const char  *new_str)
{
  if (g_strcmp0 (*str_pointer, new_str) == 0)
    return FALSE;

  g_free (*str_pointer);
  *str_pointer = g_strdup (new_str);
  return TRUE;
}

G_END_DECLS
