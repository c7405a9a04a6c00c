/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "fb-desktop-test"

#include "config.h"

#include "fb-sni-watcher.h"

/*
 * The tray side of StatusNotifierItem, as far as an app can tell: a watcher
 * that accepts registrations and claims a host is there. libayatana-
 * appindicator registers with its object path (/org/ayatana/NotificationItem/…),
 * other libraries with a bus name; both forms are understood.
 */

#define WATCHER_NAME  "org.kde.StatusNotifierWatcher"
#define WATCHER_PATH  "/StatusNotifierWatcher"
#define WATCHER_IFACE "org.kde.StatusNotifierWatcher"
#define ITEM_IFACE    "org.kde.StatusNotifierItem"
#define ITEM_PATH     "/StatusNotifierItem"

static const char watcher_xml[] =
  "<node>"
  "  <interface name='" WATCHER_IFACE "'>"
  "    <method name='RegisterStatusNotifierItem'><arg type='s' name='service' direction='in'/></method>"
  "    <method name='RegisterStatusNotifierHost'><arg type='s' name='service' direction='in'/></method>"
  "    <property name='RegisteredStatusNotifierItems' type='as' access='read'/>"
  "    <property name='IsStatusNotifierHostRegistered' type='b' access='read'/>"
  "    <property name='ProtocolVersion' type='i' access='read'/>"
  "    <signal name='StatusNotifierItemRegistered'><arg type='s' name='service'/></signal>"
  "    <signal name='StatusNotifierItemUnregistered'><arg type='s' name='service'/></signal>"
  "    <signal name='StatusNotifierHostRegistered'/>"
  "    <signal name='StatusNotifierHostUnregistered'/>"
  "  </interface>"
  "</node>";

struct _FbSniWatcher
{
  GDBusConnection *bus;
  GDBusNodeInfo   *info;
  guint            own_id;
  guint            object_id;
  guint            item_watch_id;
  gboolean         is_owner;
  gboolean         item_present;
  guint            n_registrations;
  char            *item_name;
  char            *item_path;
};

static char *
item_service (FbSniWatcher *self)
{
  return g_strconcat (self->item_name, self->item_path, NULL);
}

static void
emit (FbSniWatcher *self,
      const char   *signal,
      GVariant     *parameters)
{
  g_dbus_connection_emit_signal (self->bus, NULL, WATCHER_PATH, WATCHER_IFACE,
                                 signal, parameters, NULL);
}

static void
item_vanished_cb (GDBusConnection *connection,
                  const char      *name,
                  gpointer         user_data)
{
  FbSniWatcher *self = user_data;
  g_autofree char *service = item_service (self);

  self->item_present = FALSE;
  emit (self, "StatusNotifierItemUnregistered", g_variant_new ("(s)", service));
  g_main_context_wakeup (NULL);
}

static void
register_item (FbSniWatcher *self,
               const char   *sender,
               const char   *service)
{
  g_autofree char *full = NULL;

  g_clear_handle_id (&self->item_watch_id, g_bus_unwatch_name);
  g_free (self->item_name);
  g_free (self->item_path);
  if (service[0] == '/')
    {
      self->item_name = g_strdup (sender);
      self->item_path = g_strdup (service);
    }
  else
    {
      self->item_name = g_strdup (service);
      self->item_path = g_strdup (ITEM_PATH);
    }
  self->item_present = TRUE;
  self->n_registrations++;
  self->item_watch_id = g_bus_watch_name_on_connection (self->bus, self->item_name,
                                                        G_BUS_NAME_WATCHER_FLAGS_NONE,
                                                        NULL, item_vanished_cb, self, NULL);
  full = item_service (self);
  emit (self, "StatusNotifierItemRegistered", g_variant_new ("(s)", full));
}

static void
method_call_cb (GDBusConnection       *connection,
                const char            *sender,
                const char            *object_path,
                const char            *interface_name,
                const char            *method_name,
                GVariant              *parameters,
                GDBusMethodInvocation *invocation,
                gpointer               user_data)
{
  FbSniWatcher *self = user_data;
  const char *service;

  g_variant_get (parameters, "(&s)", &service);
  if (g_str_equal (method_name, "RegisterStatusNotifierItem"))
    register_item (self, sender, service);
  else
    emit (self, "StatusNotifierHostRegistered", NULL);

  g_dbus_method_invocation_return_value (invocation, NULL);
  g_main_context_wakeup (NULL);
}

static GVariant *
get_property_cb (GDBusConnection  *connection,
                 const char       *sender,
                 const char       *object_path,
                 const char       *interface_name,
                 const char       *property_name,
                 GError          **error,
                 gpointer          user_data)
{
  FbSniWatcher *self = user_data;

  if (g_str_equal (property_name, "IsStatusNotifierHostRegistered"))
    return g_variant_new_boolean (TRUE);
  if (g_str_equal (property_name, "ProtocolVersion"))
    return g_variant_new_int32 (0);

  if (self->item_present)
    {
      g_autofree char *service = item_service (self);
      const char *items[] = { service, NULL };

      return g_variant_new_strv (items, -1);
    }

  return g_variant_new_strv (NULL, 0);
}

static const GDBusInterfaceVTable vtable = {
  .method_call = method_call_cb,
  .get_property = get_property_cb,
};

static void
name_acquired_cb (GDBusConnection *connection,
                  const char      *name,
                  gpointer         user_data)
{
  FbSniWatcher *self = user_data;

  self->is_owner = TRUE;
  g_main_context_wakeup (NULL);
}

static void
name_lost_cb (GDBusConnection *connection,
              const char      *name,
              gpointer         user_data)
{
  FbSniWatcher *self = user_data;

  self->is_owner = FALSE;
}

FbSniWatcher *
fb_sni_watcher_new (GDBusConnection *bus)
{
  FbSniWatcher *self = g_new0 (FbSniWatcher, 1);
  g_autoptr(GError) error = NULL;

  self->bus = g_object_ref (bus);
  self->info = g_dbus_node_info_new_for_xml (watcher_xml, &error);
  g_assert_no_error (error);
  self->object_id = g_dbus_connection_register_object (bus, WATCHER_PATH, self->info->interfaces[0],
                                                       &vtable, self, NULL, &error);
  g_assert_no_error (error);
  self->own_id = g_bus_own_name_on_connection (bus, WATCHER_NAME, G_BUS_NAME_OWNER_FLAGS_NONE,
                                               name_acquired_cb, name_lost_cb, self, NULL);

  return self;
}

void
fb_sni_watcher_free (FbSniWatcher *self)
{
  if (self == NULL)
    return;

  g_clear_handle_id (&self->own_id, g_bus_unown_name);
  g_clear_handle_id (&self->item_watch_id, g_bus_unwatch_name);
  if (self->object_id != 0)
    g_dbus_connection_unregister_object (self->bus, self->object_id);
  g_clear_pointer (&self->info, g_dbus_node_info_unref);
  g_clear_object (&self->bus);
  g_free (self->item_name);
  g_free (self->item_path);
  g_free (self);
}

gboolean
fb_sni_watcher_is_owner (FbSniWatcher *self)
{
  return self->is_owner;
}

gboolean
fb_sni_watcher_has_item (FbSniWatcher *self)
{
  return self->item_present;
}

guint
fb_sni_watcher_get_n_registrations (FbSniWatcher *self)
{
  return self->n_registrations;
}

const char *
fb_sni_watcher_get_item_name (FbSniWatcher *self)
{
  return self->item_name;
}

const char *
fb_sni_watcher_get_item_path (FbSniWatcher *self)
{
  return self->item_path;
}

char *
fb_sni_watcher_dup_item_string (FbSniWatcher  *self,
                                const char    *property,
                                GError       **error)
{
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) value = NULL;

  g_return_val_if_fail (self->item_name != NULL, NULL);

  reply = g_dbus_connection_call_sync (self->bus, self->item_name, self->item_path,
                                       "org.freedesktop.DBus.Properties", "Get",
                                       g_variant_new ("(ss)", ITEM_IFACE, property),
                                       G_VARIANT_TYPE ("(v)"), G_DBUS_CALL_FLAGS_NONE,
                                       5000, NULL, error);
  if (reply == NULL)
    return NULL;

  g_variant_get (reply, "(v)", &value);
  if (!g_variant_is_of_type (value, G_VARIANT_TYPE_STRING) &&
      !g_variant_is_of_type (value, G_VARIANT_TYPE_OBJECT_PATH))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "%s is a %s, not a string", property, g_variant_get_type_string (value));
      return NULL;
    }

  return g_variant_dup_string (value, NULL);
}
