/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "fb-desktop-test"

#include "config.h"

#include "fb-dbusmenu.h"

#include <string.h>

/* What a tray host does with a StatusNotifierItem's Menu: read the tree
 * with GetLayout and send "clicked" events. */

#define DBUSMENU_IFACE "com.canonical.dbusmenu"

void
fb_menu_item_free (FbMenuItem *item)
{
  if (item == NULL)
    return;

  g_free (item->label);
  g_free (item->type);
  g_free (item->toggle_type);
  g_clear_pointer (&item->children, g_ptr_array_unref);
  g_free (item);
}

static char *
lookup_string (GVariant   *properties,
               const char *name)
{
  const char *value = NULL;

  if (g_variant_lookup (properties, name, "&s", &value))
    return g_strdup (value);

  return NULL;
}

/* (ia{sv}av) */
static FbMenuItem *
item_new_from_variant (GVariant *layout)
{
  FbMenuItem *item = g_new0 (FbMenuItem, 1);
  g_autoptr(GVariant) properties = NULL;
  g_autoptr(GVariant) children = NULL;
  GVariantIter iter;
  GVariant *child;

  g_variant_get (layout, "(i@a{sv}@av)", &item->id, &properties, &children);
  item->label = lookup_string (properties, "label");
  item->type = lookup_string (properties, "type");
  if (item->type == NULL)
    item->type = g_strdup ("standard");
  item->toggle_type = lookup_string (properties, "toggle-type");
  if (!g_variant_lookup (properties, "toggle-state", "i", &item->toggle_state))
    item->toggle_state = -1;
  if (!g_variant_lookup (properties, "enabled", "b", &item->enabled))
    item->enabled = TRUE;
  if (!g_variant_lookup (properties, "visible", "b", &item->visible))
    item->visible = TRUE;

  item->children = g_ptr_array_new_with_free_func ((GDestroyNotify) fb_menu_item_free);
  g_variant_iter_init (&iter, children);
  while ((child = g_variant_iter_next_value (&iter)) != NULL)
    {
      g_autoptr(GVariant) inner = g_variant_get_variant (child);

      if (g_variant_is_of_type (inner, G_VARIANT_TYPE ("(ia{sv}av)")))
        g_ptr_array_add (item->children, item_new_from_variant (inner));
      g_variant_unref (child);
    }

  return item;
}

FbMenuItem *
fb_dbusmenu_get_layout (GDBusConnection  *bus,
                        const char       *name,
                        const char       *path,
                        guint            *revision,
                        GError          **error)
{
  const char *all_properties[] = { NULL };
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) layout = NULL;
  guint32 rev;

  reply = g_dbus_connection_call_sync (bus, name, path, DBUSMENU_IFACE, "GetLayout",
                                       g_variant_new ("(ii^as)", 0, -1, all_properties),
                                       G_VARIANT_TYPE ("(u(ia{sv}av))"),
                                       G_DBUS_CALL_FLAGS_NONE, 5000, NULL, error);
  if (reply == NULL)
    return NULL;

  g_variant_get (reply, "(u@(ia{sv}av))", &rev, &layout);
  if (revision != NULL)
    *revision = rev;

  return item_new_from_variant (layout);
}

gboolean
fb_dbusmenu_click (GDBusConnection  *bus,
                   const char       *name,
                   const char       *path,
                   int               id,
                   GError          **error)
{
  g_autoptr(GVariant) reply = NULL;
  guint32 timestamp = (guint32) (g_get_monotonic_time () / 1000);

  reply = g_dbus_connection_call_sync (bus, name, path, DBUSMENU_IFACE, "Event",
                                       g_variant_new ("(isvu)", id, "clicked",
                                                      g_variant_new_int32 (0), timestamp),
                                       NULL, G_DBUS_CALL_FLAGS_NONE, 5000, NULL, error);

  return reply != NULL;
}

typedef gboolean (*Match) (const char *label,
                           const char *text);

static FbMenuItem *
find (FbMenuItem *item,
      Match       match,
      const char *text)
{
  if (item->label != NULL && match (item->label, text))
    return item;

  for (guint i = 0; i < item->children->len; i++)
    {
      FbMenuItem *found = find (g_ptr_array_index (item->children, i), match, text);

      if (found != NULL)
        return found;
    }

  return NULL;
}

static gboolean
match_prefix (const char *label,
              const char *prefix)
{
  return g_str_has_prefix (label, prefix);
}

static gboolean
match_substr (const char *label,
              const char *needle)
{
  return strstr (label, needle) != NULL;
}

FbMenuItem *
fb_menu_item_find_prefix (FbMenuItem *root,
                          const char *prefix)
{
  return find (root, match_prefix, prefix);
}

FbMenuItem *
fb_menu_item_find_substr (FbMenuItem *root,
                          const char *needle)
{
  return find (root, match_substr, needle);
}

static void
describe (FbMenuItem *item,
          guint       depth,
          GString    *text)
{
  g_string_append_printf (text, "%*s[%d] %s “%s”", (int) depth * 2, "", item->id, item->type,
                          item->label ? item->label : "");
  if (item->toggle_type != NULL)
    g_string_append_printf (text, " %s=%d", item->toggle_type, item->toggle_state);
  if (!item->enabled)
    g_string_append (text, " disabled");
  if (!item->visible)
    g_string_append (text, " hidden");
  g_string_append_c (text, '\n');

  for (guint i = 0; i < item->children->len; i++)
    describe (g_ptr_array_index (item->children, i), depth + 1, text);
}

char *
fb_menu_item_describe (FbMenuItem *root)
{
  GString *text = g_string_new (NULL);

  describe (root, 0, text);
  return g_string_free (text, FALSE);
}
