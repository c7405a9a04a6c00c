/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "fb-bench-desktop"

#include "config.h"

#include "fb-bench-desktop-bus.h"

#include "fb-bench-util.h"
#include "fb-sni-watcher.h"

/*
 * What the app sees of a desktop on the bus, recording what matters for
 * the benchmarks:
 *  - org.freedesktop.Notifications: answers Notify at once, closes every
 *    notification after a few seconds (NotificationClosed, "expired") as a
 *    real server does, so the app may let go of it; the time each Notify
 *    comes off the bus is taken by a connection filter, on GDBus's worker
 *    thread, before any dispatching;
 *  - org.kde.StatusNotifierWatcher: the desktop tests' FbSniWatcher, which
 *    accepts the tray item and says a host is there; the filter timestamps
 *    RegisterStatusNotifierItem the same way.
 */

#define NOTIFY_NAME    "org.freedesktop.Notifications"
#define NOTIFY_PATH    "/org/freedesktop/Notifications"
/* How long the watcher may take to own its name. */
#define OWN_MS         5000

static const char bus_xml[] =
  "<node>"
  "  <interface name='org.freedesktop.Notifications'>"
  "    <method name='Notify'>"
  "      <arg type='s' direction='in'/><arg type='u' direction='in'/><arg type='s' direction='in'/>"
  "      <arg type='s' direction='in'/><arg type='s' direction='in'/><arg type='as' direction='in'/>"
  "      <arg type='a{sv}' direction='in'/><arg type='i' direction='in'/>"
  "      <arg type='u' direction='out'/>"
  "    </method>"
  "    <method name='CloseNotification'><arg type='u' direction='in'/></method>"
  "    <method name='GetCapabilities'><arg type='as' direction='out'/></method>"
  "    <method name='GetServerInformation'>"
  "      <arg type='s' direction='out'/><arg type='s' direction='out'/>"
  "      <arg type='s' direction='out'/><arg type='s' direction='out'/>"
  "    </method>"
  "    <signal name='NotificationClosed'><arg type='u'/><arg type='u'/></signal>"
  "    <signal name='ActionInvoked'><arg type='u'/><arg type='s'/></signal>"
  "  </interface>"
  "</node>";

/* What the bus filter (GDBus's worker thread) records, under the lock. */
static struct
{
  GMutex   mutex;
  GArray  *notices;          /* Notice */
  gint64   registered_ns;    /* last RegisterStatusNotifierItem, 0 if none */
  guint    n_registrations;
} record;

static struct
{
  GDBusConnection *bus;
  GDBusNodeInfo   *info;
  GHashTable      *expiries;       /* notification id → source id */
  guint            next_id;
  guint            expire_ms;
  FbSniWatcher    *watcher;
} desktop;

/* --- the recording bus services ---------------------------------------- */

static void
record_notify (GDBusMessage *message,
               gint64        now)
{
  GVariant *body = g_dbus_message_get_body (message);
  FbBenchNotice notice = { now, -1, -1 };
  const char *summary = "", *text = "";

  if (body != NULL && g_variant_is_of_type (body, G_VARIANT_TYPE ("(susssasa{sv}i)")))
    g_variant_get (body, "(&su&s&s&s@as@a{sv}i)", NULL, NULL, NULL, &summary, &text, NULL, NULL, NULL);

  /* A plain event's title is its first line; a summary names the latest. */
  notice.sent_ns = fb_bench_parse_sent_ns (summary);
  notice.seq = fb_bench_parse_field (summary, "seq");
  if (notice.sent_ns < 0)
    {
      notice.sent_ns = fb_bench_parse_sent_ns (text);
      notice.seq = fb_bench_parse_field (text, "seq");
    }

  g_mutex_lock (&record.mutex);
  g_array_append_val (record.notices, notice);
  g_mutex_unlock (&record.mutex);
}

/* Runs on GDBus's worker thread as each message is read off the socket: the
 * receive time, before any dispatching to our main loop. */
static GDBusMessage *
filter_cb (GDBusConnection *connection,
           GDBusMessage    *message,
           gboolean         incoming,
           gpointer         user_data)
{
  const char *member;
  gint64 now = fb_bench_now_ns ();

  if (!incoming || g_dbus_message_get_message_type (message) != G_DBUS_MESSAGE_TYPE_METHOD_CALL)
    return message;

  member = g_dbus_message_get_member (message);
  if (g_strcmp0 (member, "Notify") == 0 &&
      g_strcmp0 (g_dbus_message_get_interface (message), NOTIFY_NAME) == 0)
    record_notify (message, now);
  else if (g_strcmp0 (member, "RegisterStatusNotifierItem") == 0)
    {
      g_mutex_lock (&record.mutex);
      record.registered_ns = now;
      record.n_registrations++;
      g_mutex_unlock (&record.mutex);
    }

  return message;
}

void
fb_bench_bus_reset (void)
{
  g_mutex_lock (&record.mutex);
  g_array_set_size (record.notices, 0);
  record.registered_ns = 0;
  g_mutex_unlock (&record.mutex);
}

GArray *
fb_bench_bus_dup_notices (void)
{
  GArray *copy;

  g_mutex_lock (&record.mutex);
  copy = g_array_copy (record.notices);
  g_mutex_unlock (&record.mutex);

  return copy;
}

gint64
fb_bench_bus_get_registered_ns (void)
{
  gint64 t;

  g_mutex_lock (&record.mutex);
  t = record.registered_ns;
  g_mutex_unlock (&record.mutex);

  return t;
}

static gboolean
expire_cb (gpointer user_data)
{
  guint id = GPOINTER_TO_UINT (user_data);

  g_hash_table_remove (desktop.expiries, user_data);
  /* Reason 1: expired. */
  g_dbus_connection_emit_signal (desktop.bus, NULL, NOTIFY_PATH, NOTIFY_NAME, "NotificationClosed",
                                 g_variant_new ("(uu)", id, 1), NULL);

  return G_SOURCE_REMOVE;
}

static void
schedule_expiry (guint id)
{
  guint source = g_timeout_add (desktop.expire_ms, expire_cb, GUINT_TO_POINTER (id));

  g_hash_table_replace (desktop.expiries, GUINT_TO_POINTER (id), GUINT_TO_POINTER (source));
}

static void
notify_call (GVariant              *parameters,
             GDBusMethodInvocation *invocation)
{
  guint replaces = 0;
  guint id;

  g_variant_get_child (parameters, 1, "u", &replaces);
  id = replaces != 0 ? replaces : ++desktop.next_id;
  schedule_expiry (id);
  g_dbus_method_invocation_return_value (invocation, g_variant_new ("(u)", id));
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
  if (g_str_equal (method_name, "Notify"))
    notify_call (parameters, invocation);
  else if (g_str_equal (method_name, "CloseNotification"))
    {
      guint id;

      g_variant_get (parameters, "(u)", &id);
      if (g_hash_table_remove (desktop.expiries, GUINT_TO_POINTER (id)))
        g_dbus_connection_emit_signal (connection, NULL, NOTIFY_PATH, NOTIFY_NAME, "NotificationClosed",
                                       g_variant_new ("(uu)", id, 3), NULL);
      g_dbus_method_invocation_return_value (invocation, NULL);
    }
  else if (g_str_equal (method_name, "GetCapabilities"))
    {
      const char *caps[] = { "actions", "body", "body-markup", "icon-static", NULL };

      g_dbus_method_invocation_return_value (invocation, g_variant_new ("(^as)", caps));
    }
  else if (g_str_equal (method_name, "GetServerInformation"))
    g_dbus_method_invocation_return_value (invocation,
                                           g_variant_new ("(ssss)", "fb-bench-desktop", "Feedbell",
                                                          "1.0", "1.2"));
  else
    g_dbus_method_invocation_return_value (invocation, NULL);
}

static const GDBusInterfaceVTable vtable = {
  .method_call = method_call_cb,
};

static gboolean
own_name (const char *name)
{
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;
  guint result = 0;

  /* DO_NOT_QUEUE: fail at once if another server already has it. */
  reply = g_dbus_connection_call_sync (desktop.bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "RequestName",
                                       g_variant_new ("(su)", name, 4), G_VARIANT_TYPE ("(u)"),
                                       G_DBUS_CALL_FLAGS_NONE, 5000, NULL, &error);
  if (reply != NULL)
    g_variant_get (reply, "(u)", &result);
  if (result != 1)
    g_printerr ("fb-bench-desktop: could not own %s: %s\n", name,
                error ? error->message : "another process has it");

  return result == 1;
}

static gboolean
deadline_cb (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

static gboolean
start_watcher (void)
{
  gboolean expired = FALSE;
  guint deadline = g_timeout_add (OWN_MS, deadline_cb, &expired);

  desktop.watcher = fb_sni_watcher_new (desktop.bus);
  while (!fb_sni_watcher_is_owner (desktop.watcher) && !expired)
    g_main_context_iteration (NULL, TRUE);
  if (!expired)
    g_source_remove (deadline);
  if (!fb_sni_watcher_is_owner (desktop.watcher))
    g_printerr ("fb-bench-desktop: could not own org.kde.StatusNotifierWatcher\n");

  return fb_sni_watcher_is_owner (desktop.watcher);
}

static void
remove_source (gpointer source_id)
{
  g_source_remove (GPOINTER_TO_UINT (source_id));
}

gboolean
fb_bench_bus_start (guint expire_ms)
{
  g_autoptr(GError) error = NULL;

  g_mutex_init (&record.mutex);
  record.notices = g_array_new (FALSE, FALSE, sizeof (FbBenchNotice));
  desktop.expiries = g_hash_table_new_full (NULL, NULL, NULL, remove_source);
  desktop.expire_ms = expire_ms;

  desktop.bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error);
  if (desktop.bus == NULL)
    {
      g_printerr ("fb-bench-desktop: no session bus (run me under dbus-run-session): %s\n", error->message);
      return FALSE;
    }
  g_dbus_connection_set_exit_on_close (desktop.bus, FALSE);
  g_dbus_connection_add_filter (desktop.bus, filter_cb, NULL, NULL);

  desktop.info = g_dbus_node_info_new_for_xml (bus_xml, &error);
  g_assert_no_error (error);
  if (!g_dbus_connection_register_object (desktop.bus, NOTIFY_PATH, desktop.info->interfaces[0],
                                          &vtable, NULL, NULL, &error))
    {
      g_printerr ("fb-bench-desktop: %s\n", error->message);
      return FALSE;
    }

  return own_name (NOTIFY_NAME) && start_watcher ();
}

GDBusConnection *
fb_bench_bus_get (void)
{
  return desktop.bus;
}

guint
fb_bench_bus_get_expire_ms (void)
{
  return desktop.expire_ms;
}

gint64
fb_bench_bus_find_notice (gint64 seq)
{
  gint64 found = 0;

  g_mutex_lock (&record.mutex);
  for (guint i = 0; i < record.notices->len && found == 0; i++)
    {
      FbBenchNotice *n = &g_array_index (record.notices, FbBenchNotice, i);

      if (n->sent_ns > 0 && (seq < 0 || n->seq == seq))
        found = n->received_ns;
    }
  g_mutex_unlock (&record.mutex);

  return found;
}

