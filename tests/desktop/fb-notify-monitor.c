/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "fb-desktop-test"

#include "config.h"

#include "fb-notify-monitor.h"

#include <string.h>

/*
 * What the app sends to the notification server, seen from outside: a
 * second connection to the session bus calls BecomeMonitor, after which the
 * bus daemon sends it a copy of every matching message. Monitors must never
 * send anything (the daemon drops them if they do), so the filter swallows
 * every copy before GDBus could answer a method call it has no object for.
 *
 * The server's ActionInvoked signals are seen too (a click, or a keyboard
 * shortcut, that the server passes on to the app).
 *
 * Filters run in GDBus's worker thread: the records are behind a mutex and
 * each new one wakes the main context, where the tests wait.
 */

#define NOTIFY_IFACE "org.freedesktop.Notifications"

struct _FbNotifyMonitor
{
  GDBusConnection *connection;
  guint            filter_id;
  char            *server_name;

  GMutex           lock;
  GPtrArray       *calls;       /* FbNotifyCall, under lock */
  GArray          *closes;      /* guint32: the id of each CloseNotification, under lock */
  GPtrArray       *actions;     /* "id action" of each ActionInvoked, under lock */
};

void
fb_notify_call_free (FbNotifyCall *call)
{
  if (call == NULL)
    return;

  g_free (call->sender);
  g_free (call->app_name);
  g_free (call->app_icon);
  g_free (call->summary);
  g_free (call->body);
  g_strfreev (call->actions);
  g_free (call->desktop_entry);
  g_free (call->category);
  g_free (call->sound_name);
  g_free (call->image_path);
  g_free (call);
}

static FbNotifyCall *
call_copy (const FbNotifyCall *call)
{
  FbNotifyCall *copy = g_memdup2 (call, sizeof *call);

  copy->sender = g_strdup (call->sender);
  copy->app_name = g_strdup (call->app_name);
  copy->app_icon = g_strdup (call->app_icon);
  copy->summary = g_strdup (call->summary);
  copy->body = g_strdup (call->body);
  copy->actions = g_strdupv (call->actions);
  copy->desktop_entry = g_strdup (call->desktop_entry);
  copy->category = g_strdup (call->category);
  copy->sound_name = g_strdup (call->sound_name);
  copy->image_path = g_strdup (call->image_path);

  return copy;
}

gboolean
fb_notify_call_has_action_label (FbNotifyCall *call,
                                 const char   *label)
{
  guint n = call->actions ? g_strv_length (call->actions) : 0;

  for (guint i = 1; i < n; i += 2)
    if (g_str_equal (call->actions[i], label))
      return TRUE;

  return FALSE;
}

static char *
lookup_hint_string (GVariant   *hints,
                    const char *name)
{
  const char *value = NULL;

  if (g_variant_lookup (hints, name, "&s", &value))
    return g_strdup (value);

  return NULL;
}

static FbNotifyCall *
parse_notify (GDBusMessage *message)
{
  GVariant *body = g_dbus_message_get_body (message);
  g_autoptr(GVariant) hints = NULL;
  FbNotifyCall *call;
  guchar urgency;

  if (body == NULL || !g_variant_is_of_type (body, G_VARIANT_TYPE ("(susssasa{sv}i)")))
    return NULL;

  call = g_new0 (FbNotifyCall, 1);
  call->sender = g_strdup (g_dbus_message_get_sender (message));
  call->serial = g_dbus_message_get_serial (message);
  g_variant_get (body, "(susss^as@a{sv}i)",
                 &call->app_name, &call->replaces_id, &call->app_icon,
                 &call->summary, &call->body, &call->actions, &hints,
                 &call->expire_timeout);
  call->urgency = g_variant_lookup (hints, "urgency", "y", &urgency) ? urgency : -1;
  call->desktop_entry = lookup_hint_string (hints, "desktop-entry");
  call->category = lookup_hint_string (hints, "category");
  call->sound_name = lookup_hint_string (hints, "sound-name");
  call->image_path = lookup_hint_string (hints, "image-path");
  if (!g_variant_lookup (hints, "suppress-sound", "b", &call->suppress_sound))
    call->suppress_sound = FALSE;

  return call;
}

/* Under lock: gives the Notify call this reply answers its id. */
static void
match_reply (FbNotifyMonitor *self,
             GDBusMessage    *message)
{
  GVariant *body = g_dbus_message_get_body (message);
  const char *destination = g_dbus_message_get_destination (message);
  guint32 reply_serial = g_dbus_message_get_reply_serial (message);

  if (body == NULL || !g_variant_is_of_type (body, G_VARIANT_TYPE ("(u)")))
    return;

  for (guint i = self->calls->len; i > 0; i--)
    {
      FbNotifyCall *call = g_ptr_array_index (self->calls, i - 1);

      if (call->serial == reply_serial && g_strcmp0 (call->sender, destination) == 0)
        {
          g_variant_get (body, "(u)", &call->id);
          return;
        }
    }
}

static void
record (FbNotifyMonitor *self,
        GDBusMessage    *message)
{
  GDBusMessageType type = g_dbus_message_get_message_type (message);
  const char *member = g_dbus_message_get_member (message);

  g_mutex_lock (&self->lock);
  if (type == G_DBUS_MESSAGE_TYPE_METHOD_CALL &&
      g_strcmp0 (g_dbus_message_get_interface (message), NOTIFY_IFACE) == 0)
    {
      if (g_strcmp0 (member, "Notify") == 0)
        {
          FbNotifyCall *call = parse_notify (message);

          if (call != NULL)
            g_ptr_array_add (self->calls, call);
        }
      else if (g_strcmp0 (member, "CloseNotification") == 0)
        {
          GVariant *body = g_dbus_message_get_body (message);
          guint32 id = 0;

          if (body != NULL && g_variant_is_of_type (body, G_VARIANT_TYPE ("(u)")))
            g_variant_get (body, "(u)", &id);
          g_array_append_val (self->closes, id);
        }
    }
  else if (type == G_DBUS_MESSAGE_TYPE_METHOD_RETURN &&
           g_strcmp0 (g_dbus_message_get_sender (message), self->server_name) == 0)
    {
      match_reply (self, message);
    }
  else if (type == G_DBUS_MESSAGE_TYPE_SIGNAL && g_strcmp0 (member, "ActionInvoked") == 0 &&
           g_strcmp0 (g_dbus_message_get_sender (message), self->server_name) == 0)
    {
      GVariant *body = g_dbus_message_get_body (message);
      guint32 id;
      const char *action;

      if (body != NULL && g_variant_is_of_type (body, G_VARIANT_TYPE ("(us)")))
        {
          g_variant_get (body, "(u&s)", &id, &action);
          g_ptr_array_add (self->actions, g_strdup_printf ("%u %s", id, action));
        }
    }
  g_mutex_unlock (&self->lock);

  g_main_context_wakeup (NULL);
}

static GDBusMessage *
filter_cb (GDBusConnection *connection,
           GDBusMessage    *message,
           gboolean         incoming,
           gpointer         user_data)
{
  FbNotifyMonitor *self = user_data;
  const char *own_name = g_dbus_connection_get_unique_name (connection);

  if (!incoming)
    return message;

  /* Our own traffic (the answer to BecomeMonitor, NameLost) goes on to GDBus. */
  if (own_name != NULL && g_strcmp0 (g_dbus_message_get_destination (message), own_name) == 0)
    return message;

  record (self, message);
  g_object_unref (message);

  return NULL;
}

FbNotifyMonitor *
fb_notify_monitor_new (const char  *server_name,
                       GError     **error)
{
  g_autoptr(FbNotifyMonitor) self = NULL;
  g_autofree char *address = NULL;
  g_autofree char *reply_rule = NULL;
  g_autofree char *action_rule = NULL;
  g_autoptr(GVariant) reply = NULL;
  const char *rules[] = {
    "type='method_call',interface='" NOTIFY_IFACE "',member='Notify'",
    "type='method_call',interface='" NOTIFY_IFACE "',member='CloseNotification'",
    NULL,
    NULL,
    NULL,
  };

  g_return_val_if_fail (server_name != NULL, NULL);

  self = g_new0 (FbNotifyMonitor, 1);
  g_mutex_init (&self->lock);
  self->calls = g_ptr_array_new_with_free_func ((GDestroyNotify) fb_notify_call_free);
  self->actions = g_ptr_array_new_with_free_func (g_free);
  self->closes = g_array_new (FALSE, FALSE, sizeof (guint32));
  self->server_name = g_strdup (server_name);

  address = g_dbus_address_get_for_bus_sync (G_BUS_TYPE_SESSION, NULL, error);
  if (address == NULL)
    return NULL;
  self->connection = g_dbus_connection_new_for_address_sync (address,
                                                             G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                             G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                             NULL, NULL, error);
  if (self->connection == NULL)
    return NULL;
  g_dbus_connection_set_exit_on_close (self->connection, FALSE);

  /* Before BecomeMonitor: no copy may ever reach GDBus's own dispatch. */
  self->filter_id = g_dbus_connection_add_filter (self->connection, filter_cb, self, NULL);

  reply_rule = g_strdup_printf ("type='method_return',sender='%s'", server_name);
  rules[2] = reply_rule;
  action_rule = g_strdup_printf ("type='signal',sender='%s',interface='" NOTIFY_IFACE "',member='ActionInvoked'",
                                 server_name);
  rules[3] = action_rule;
  reply = g_dbus_connection_call_sync (self->connection,
                                       "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus.Monitoring", "BecomeMonitor",
                                       g_variant_new ("(^asu)", rules, 0),
                                       NULL, G_DBUS_CALL_FLAGS_NONE, 5000, NULL, error);
  if (reply == NULL)
    return NULL;

  return g_steal_pointer (&self);
}

void
fb_notify_monitor_free (FbNotifyMonitor *self)
{
  if (self == NULL)
    return;

  if (self->connection != NULL)
    {
      /* Closing first: no filter call can still be running once it returns. */
      g_dbus_connection_close_sync (self->connection, NULL, NULL);
      if (self->filter_id != 0)
        g_dbus_connection_remove_filter (self->connection, self->filter_id);
      g_clear_object (&self->connection);
    }
  g_clear_pointer (&self->calls, g_ptr_array_unref);
  g_clear_pointer (&self->actions, g_ptr_array_unref);
  g_clear_pointer (&self->closes, g_array_unref);
  g_free (self->server_name);
  g_mutex_clear (&self->lock);
  g_free (self);
}

GPtrArray *
fb_notify_monitor_dup_calls (FbNotifyMonitor *self)
{
  GPtrArray *copy = g_ptr_array_new_with_free_func ((GDestroyNotify) fb_notify_call_free);

  g_mutex_lock (&self->lock);
  for (guint i = 0; i < self->calls->len; i++)
    g_ptr_array_add (copy, call_copy (g_ptr_array_index (self->calls, i)));
  g_mutex_unlock (&self->lock);

  return copy;
}

guint
fb_notify_monitor_get_n_calls (FbNotifyMonitor *self)
{
  guint n;

  g_mutex_lock (&self->lock);
  n = self->calls->len;
  g_mutex_unlock (&self->lock);

  return n;
}

guint
fb_notify_monitor_get_n_closes (FbNotifyMonitor *self)
{
  guint n;

  g_mutex_lock (&self->lock);
  n = self->closes->len;
  g_mutex_unlock (&self->lock);

  return n;
}

guint
fb_notify_monitor_count_closes (FbNotifyMonitor *self,
                                guint32          id)
{
  guint n = 0;

  g_mutex_lock (&self->lock);
  for (guint i = 0; i < self->closes->len; i++)
    if (g_array_index (self->closes, guint32, i) == id)
      n++;
  g_mutex_unlock (&self->lock);

  return n;
}

guint
fb_notify_monitor_count_actions (FbNotifyMonitor *self,
                                 guint32          id,
                                 const char      *action)
{
  g_autofree char *wanted = g_strdup_printf ("%u %s", id, action);
  guint n = 0;

  g_mutex_lock (&self->lock);
  for (guint i = 0; i < self->actions->len; i++)
    if (g_str_equal (g_ptr_array_index (self->actions, i), wanted))
      n++;
  g_mutex_unlock (&self->lock);

  return n;
}

guint
fb_notify_monitor_count_summary (FbNotifyMonitor *self,
                                 const char      *needle)
{
  guint n = 0;

  g_mutex_lock (&self->lock);
  for (guint i = 0; i < self->calls->len; i++)
    {
      FbNotifyCall *call = g_ptr_array_index (self->calls, i);

      if (strstr (call->summary, needle) != NULL)
        n++;
    }
  g_mutex_unlock (&self->lock);

  return n;
}

FbNotifyCall *
fb_notify_monitor_dup_last (FbNotifyMonitor *self,
                            const char      *needle)
{
  FbNotifyCall *found = NULL;

  g_mutex_lock (&self->lock);
  for (guint i = self->calls->len; i > 0 && found == NULL; i--)
    {
      FbNotifyCall *call = g_ptr_array_index (self->calls, i - 1);

      if (strstr (call->summary, needle) != NULL)
        found = call_copy (call);
    }
  g_mutex_unlock (&self->lock);

  return found;
}

char *
fb_notify_monitor_describe (FbNotifyMonitor *self)
{
  g_autoptr(GPtrArray) calls = fb_notify_monitor_dup_calls (self);
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < calls->len; i++)
    {
      FbNotifyCall *call = g_ptr_array_index (calls, i);

      g_string_append_printf (text, "  Notify #%u: id %u replaces %u urgency %d expire %d summary “%s” body “%s”%s%s%s%s%s\n",
                              i, call->id, call->replaces_id, call->urgency, call->expire_timeout,
                              call->summary, call->body,
                              call->sound_name ? " sound-name " : "", call->sound_name ? call->sound_name : "",
                              call->suppress_sound ? " suppress-sound" : "",
                              call->image_path ? " image-path " : "", call->image_path ? call->image_path : "");
    }

  return g_string_free (text, FALSE);
}
