/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "fb-indicator"

#include "config.h"

#include "fb-indicator-private.h"

#include <glib/gi18n.h>
#include <libayatana-appindicator/app-indicator.h>

/*
 * The tray icon (a StatusNotifierItem) and its menu. The only file that
 * includes AppIndicator. The icon sums up every feed, a pause or quiet
 * hours, and says when messages are unread (FbHistory's count), in
 * fb-indicator-summary.c; the menu has a row per feed with its state in
 * words, Show Messages with the unread count, the recent messages, when
 * quiet hours end, and the app's actions. Menu items only activate `app.*`
 * actions.
 *
 * Rebuilding is rate-limited: a burst of state changes or messages costs
 * one rebuild per REFRESH_MS, so a flapping feed cannot thrash the menu.
 */

#define REFRESH_MS        250
#define COUNTDOWN_SECONDS 10
#define RECENT_IN_MENU    10
#define WATCHER_NAME      "org.kde.StatusNotifierWatcher"
/* At login the panel may come up after us: give it this long before saying there is no tray. */
#define TRAY_GRACE_SECONDS 10

struct _FbIndicator
{
  GObject        parent_instance;

  GApplication  *app;
  FbFeedManager *manager;
  FbNotifier    *notifier;
  FbHistory     *history;
  GSettings     *settings;
  AppIndicator  *indicator;
  GtkWidget     *menu;
  GPtrArray     *feed_rows;     /* GtkMenuItem per feed, in list order */
  GtkWidget     *recent_items[RECENT_IN_MENU];
  GtkWidget     *no_recent_item;
  GtkWidget     *messages_item;
  GtkWidget     *quiet_item;    /* "Quiet until 07:00", shown during quiet hours */
  char          *menu_shape;    /* what a rebuild would change; else labels are updated in place */
  guint          refresh_id;
  guint          countdown_id;
  guint          watch_id;
  guint          no_host_id;
  gboolean       has_host;
  gboolean       told_no_host;
};

G_DEFINE_FINAL_TYPE (FbIndicator, fb_indicator, G_TYPE_OBJECT)

static GtkWidget *
append_item (GtkWidget  *menu,
             const char *label,
             const char *action,
             GVariant   *target)
{
  GtkWidget *item = gtk_menu_item_new_with_mnemonic (label);

  gtk_actionable_set_action_name (GTK_ACTIONABLE (item), action);
  if (target != NULL)
    gtk_actionable_set_action_target_value (GTK_ACTIONABLE (item), target);
  gtk_menu_shell_append (GTK_MENU_SHELL (menu), item);

  return item;
}

static char *
feed_row_label (FbFeed *feed)
{
  g_autofree char *status = fb_feed_dup_status_text (feed);

  /* TRANSLATORS: a feed's row in the tray menu: "Builds — connected" */
  return g_strdup_printf (_("%s — %s"), fb_feed_get_display_name (feed), status);
}

static GtkWidget *
feed_row (FbFeed *feed)
{
  g_autofree char *label = feed_row_label (feed);
  GtkWidget *item, *submenu;
  GVariant *id = g_variant_new_string (fb_feed_get_id (feed));

  g_variant_ref_sink (id);
  /* No mnemonic: names and errors come from users and servers. */
  item = gtk_menu_item_new_with_label (label);
  submenu = gtk_menu_new ();
  append_item (submenu, _("_Reconnect"), "app.reconnect-feed", id);
  if (fb_feed_is_snoozed (feed))
    append_item (submenu, _("_End Snooze"), "app.end-snooze", id);
  else
    append_item (submenu, _("_Snooze for 1 Hour"), "app.snooze-feed", id);
  gtk_menu_item_set_submenu (GTK_MENU_ITEM (item), submenu);
  g_variant_unref (id);

  return item;
}

static GtkWidget *
recent_menu (FbIndicator *self)
{
  GtkWidget *menu = gtk_menu_new ();

  self->no_recent_item = gtk_menu_item_new_with_label (_("No messages yet"));
  gtk_widget_set_sensitive (self->no_recent_item, FALSE);
  gtk_menu_shell_append (GTK_MENU_SHELL (menu), self->no_recent_item);

  /* Fixed slots, relabelled as messages come: the menu keeps its shape,
   * so a host showing it does not close it under the user's pointer. */
  for (guint i = 0; i < RECENT_IN_MENU; i++)
    {
      self->recent_items[i] = gtk_menu_item_new_with_label ("");
      gtk_actionable_set_action_name (GTK_ACTIONABLE (self->recent_items[i]), "app.open-recent");
      gtk_actionable_set_action_target_value (GTK_ACTIONABLE (self->recent_items[i]),
                                              g_variant_new_uint32 (i));
      gtk_menu_shell_append (GTK_MENU_SHELL (menu), self->recent_items[i]);
    }

  return menu;
}

static void
update_recent (FbIndicator *self)
{
  GPtrArray *recent = fb_notifier_get_recent (self->notifier);

  gtk_widget_set_visible (self->no_recent_item, recent->len == 0);
  for (guint i = 0; i < RECENT_IN_MENU; i++)
    {
      FbMessage *message;
      g_autofree char *label = NULL;

      if (i >= recent->len)
        {
          gtk_widget_set_visible (self->recent_items[i], FALSE);
          continue;
        }

      message = g_ptr_array_index (recent, i);
      label = g_strdup_printf ("%s: %s", fb_message_get_feed_name (message),
                               fb_message_get_title (message));
      if (g_utf8_strlen (label, -1) > 60)
        {
          g_autofree char *cut = g_utf8_substring (label, 0, 59);

          g_free (label);
          label = g_strconcat (cut, "…", NULL);
        }
      gtk_menu_item_set_label (GTK_MENU_ITEM (self->recent_items[i]), label);
      gtk_widget_set_visible (self->recent_items[i], TRUE);
    }
}

/* "Show Messages (3)": relabelled in place, as the menu keeps its shape. */
static void
update_messages_item (FbIndicator *self)
{
  guint unread = fb_history_get_unread (self->history, NULL);
  g_autofree char *label = NULL;

  if (unread > 0)
    /* TRANSLATORS: the tray menu's item, with the number of unread messages */
    label = g_strdup_printf (_("Show _Messages (%u)"), unread);
  else
    label = g_strdup (_("Show _Messages"));
  gtk_menu_item_set_label (GTK_MENU_ITEM (self->messages_item), label);
}

/* Quiet hours come and go without changing the menu's shape: the item is
 * always there, shown only while they last. */
static void
update_quiet_item (FbIndicator *self)
{
  gboolean quiet = fb_notifier_is_quiet (self->notifier);

  if (quiet)
    {
      g_autofree char *label = _fb_indicator_dup_quiet_until (self->settings);

      gtk_menu_item_set_label (GTK_MENU_ITEM (self->quiet_item), label);
    }
  gtk_widget_set_visible (self->quiet_item, quiet);
}

/* Shows the summary of every feed as the icon and its title. */
static void
update_icon (FbIndicator *self)
{
  const char *icon_name;
  g_autofree char *title = _fb_indicator_summarise (self->manager, self->notifier, self->history,
                                                    self->settings, &icon_name);

  app_indicator_set_icon_full (self->indicator, icon_name, title);
  app_indicator_set_title (self->indicator, title);
}

static gboolean
any_waiting (FbIndicator *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->manager));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(FbFeed) feed = g_list_model_get_item (G_LIST_MODEL (self->manager), i);

      if (fb_feed_get_state (feed) == FB_SSE_STATE_WAITING_RETRY)
        return TRUE;
    }

  return FALSE;
}

static gboolean countdown_cb (gpointer user_data);

/* Which feeds, and whether each is snoozed: all that changes the menu's shape. */
static char *
dup_menu_shape (FbIndicator *self)
{
  GString *shape = g_string_new (NULL);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->manager));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(FbFeed) feed = g_list_model_get_item (G_LIST_MODEL (self->manager), i);

      g_string_append_printf (shape, "%s:%d;", fb_feed_get_id (feed), fb_feed_is_snoozed (feed));
    }

  return g_string_free (shape, FALSE);
}

static void
build_menu (FbIndicator *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->manager));
  GtkWidget *menu = gtk_menu_new ();
  GtkWidget *old_menu;
  GtkWidget *item;

  g_ptr_array_set_size (self->feed_rows, 0);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(FbFeed) feed = g_list_model_get_item (G_LIST_MODEL (self->manager), i);

      item = feed_row (feed);
      g_ptr_array_add (self->feed_rows, item);
      gtk_menu_shell_append (GTK_MENU_SHELL (menu), item);
    }
  if (n == 0)
    {
      item = gtk_menu_item_new_with_label (_("No feeds yet"));
      gtk_widget_set_sensitive (item, FALSE);
      gtk_menu_shell_append (GTK_MENU_SHELL (menu), item);
    }

  gtk_menu_shell_append (GTK_MENU_SHELL (menu), gtk_separator_menu_item_new ());
  self->messages_item = append_item (menu, _("Show _Messages"), "app.show-messages", NULL);
  item = gtk_menu_item_new_with_mnemonic (_("Re_cent"));
  gtk_menu_item_set_submenu (GTK_MENU_ITEM (item), recent_menu (self));
  gtk_menu_shell_append (GTK_MENU_SHELL (menu), item);

  /* Says something, does nothing: no mnemonic, no action. */
  self->quiet_item = gtk_menu_item_new_with_label ("");
  gtk_widget_set_sensitive (self->quiet_item, FALSE);
  gtk_menu_shell_append (GTK_MENU_SHELL (menu), self->quiet_item);
  item = gtk_check_menu_item_new_with_mnemonic (_("_Pause Notifications"));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (item), "app.pause");
  gtk_menu_shell_append (GTK_MENU_SHELL (menu), item);
  append_item (menu, _("Reconnect _All"), "app.reconnect-all", NULL);
  gtk_menu_shell_append (GTK_MENU_SHELL (menu), gtk_separator_menu_item_new ());
  append_item (menu, _("P_references…"), "app.preferences", NULL);
  append_item (menu, _("_Quit"), "app.quit", NULL);

  /* Menu items find `app.*` through the widget tree; a tray menu has no window. */
  gtk_widget_insert_action_group (menu, "app", G_ACTION_GROUP (self->app));
  gtk_widget_show_all (menu);
  update_recent (self);
  update_messages_item (self);
  update_quiet_item (self);

  old_menu = g_steal_pointer (&self->menu);
  self->menu = g_object_ref (menu);
  app_indicator_set_menu (self->indicator, GTK_MENU (menu));
  if (old_menu != NULL)
    {
      gtk_widget_destroy (old_menu);
      g_object_unref (old_menu);
    }
}

static void
rebuild (FbIndicator *self)
{
  g_autofree char *shape = dup_menu_shape (self);

  if (self->menu == NULL || g_strcmp0 (shape, self->menu_shape) != 0)
    {
      build_menu (self);
      g_free (self->menu_shape);
      self->menu_shape = g_steal_pointer (&shape);
    }
  else
    {
      for (guint i = 0; i < self->feed_rows->len; i++)
        {
          g_autoptr(FbFeed) feed = g_list_model_get_item (G_LIST_MODEL (self->manager), i);
          g_autofree char *label = feed_row_label (feed);

          gtk_menu_item_set_label (g_ptr_array_index (self->feed_rows, i), label);
        }
      update_recent (self);
      update_messages_item (self);
      update_quiet_item (self);
    }

  update_icon (self);

  /* Only while a feed counts down to its retry does the menu need a refresh of its own. */
  if (any_waiting (self) && self->countdown_id == 0)
    self->countdown_id = g_timeout_add_seconds (COUNTDOWN_SECONDS, countdown_cb, self);
}

static gboolean
countdown_cb (gpointer user_data)
{
  FbIndicator *self = user_data;

  self->countdown_id = 0;
  rebuild (self);

  return G_SOURCE_REMOVE;
}

static gboolean
refresh_cb (gpointer user_data)
{
  FbIndicator *self = user_data;

  self->refresh_id = 0;
  rebuild (self);

  return G_SOURCE_REMOVE;
}

static void
queue_refresh (FbIndicator *self)
{
  if (self->refresh_id == 0)
    self->refresh_id = g_timeout_add (REFRESH_MS, refresh_cb, self);
}

static void
items_changed_cb (GListModel  *model,
                  guint        position,
                  guint        removed,
                  guint        added,
                  FbIndicator *self)
{
  queue_refresh (self);
}

static void
watcher_appeared_cb (GDBusConnection *connection,
                     const char      *name,
                     const char      *owner,
                     gpointer         user_data)
{
  FbIndicator *self = user_data;

  self->has_host = TRUE;
  g_clear_handle_id (&self->no_host_id, g_source_remove);
  g_debug ("Tray host %s appeared", owner);
}

static gboolean
no_host_cb (gpointer user_data)
{
  FbIndicator *self = user_data;

  self->no_host_id = 0;
  if (self->has_host || self->told_no_host)
    return G_SOURCE_REMOVE;

  self->told_no_host = TRUE;
  g_message ("No tray (StatusNotifierWatcher) on the session bus");
  fb_notifier_notice (self->notifier,
                      _("Feedbell is running without a tray icon"),
                      _("Your desktop shows no tray icons. On GNOME, install the "
                        "“AppIndicator and KStatusNotifierItem Support” extension to see "
                        "Feedbell’s status. Until then, open Feedbell from the "
                        "applications menu to see your feeds."));

  return G_SOURCE_REMOVE;
}

static void
watcher_vanished_cb (GDBusConnection *connection,
                     const char      *name,
                     gpointer         user_data)
{
  FbIndicator *self = user_data;

  self->has_host = FALSE;
  if (self->told_no_host || self->no_host_id != 0)
    return;

  self->no_host_id = g_timeout_add_seconds (TRAY_GRACE_SECONDS, no_host_cb, self);
}

static void
fb_indicator_dispose (GObject *object)
{
  FbIndicator *self = FB_INDICATOR (object);

  g_clear_handle_id (&self->refresh_id, g_source_remove);
  g_clear_handle_id (&self->countdown_id, g_source_remove);
  g_clear_handle_id (&self->watch_id, g_bus_unwatch_name);
  g_clear_handle_id (&self->no_host_id, g_source_remove);
  if (self->manager != NULL)
    g_signal_handlers_disconnect_by_data (self->manager, self);
  if (self->notifier != NULL)
    g_signal_handlers_disconnect_by_data (self->notifier, self);
  if (self->history != NULL)
    g_signal_handlers_disconnect_by_data (self->history, self);
  if (self->settings != NULL)
    g_signal_handlers_disconnect_by_data (self->settings, self);
  if (self->indicator != NULL)
    app_indicator_set_status (self->indicator, APP_INDICATOR_STATUS_PASSIVE);
  g_clear_object (&self->indicator);
  if (self->menu != NULL)
    gtk_widget_destroy (self->menu);
  g_clear_object (&self->menu);
  g_clear_pointer (&self->feed_rows, g_ptr_array_unref);
  g_clear_pointer (&self->menu_shape, g_free);
  g_clear_object (&self->manager);
  g_clear_object (&self->notifier);
  g_clear_object (&self->history);
  g_clear_object (&self->settings);
  self->app = NULL;

  G_OBJECT_CLASS (fb_indicator_parent_class)->dispose (object);
}

static void
fb_indicator_class_init (FbIndicatorClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = fb_indicator_dispose;
}

static void
fb_indicator_init (FbIndicator *self)
{
  self->feed_rows = g_ptr_array_new ();
}

/* Installed icons come from the theme; an uninstalled run brings its own. */
static void
set_icon_theme_path (FbIndicator *self)
{
  const char *dir = g_getenv ("FEEDBELL_ICON_DIR");

  if (dir != NULL)
    app_indicator_set_icon_theme_path (self->indicator, dir);
}

/**
 * fb_indicator_new:
 * @history: for the unread count
 *
 * Returns: (transfer full): the tray icon and its menu, shown at once
 */
FbIndicator *
fb_indicator_new (GApplication  *app,
                  FbFeedManager *manager,
                  FbNotifier    *notifier,
                  FbHistory     *history,
                  GSettings     *settings)
{
  FbIndicator *self;
  const char *icon_name;
  g_autofree char *title = NULL;

  g_return_val_if_fail (G_IS_APPLICATION (app), NULL);
  g_return_val_if_fail (FB_IS_HISTORY (history), NULL);

  self = g_object_new (FB_TYPE_INDICATOR, NULL);
  self->app = app;
  self->manager = g_object_ref (manager);
  self->notifier = g_object_ref (notifier);
  self->history = g_object_ref (history);
  self->settings = g_object_ref (settings);

  /* It starts with the right icon; rebuild() gives it its title too. */
  title = _fb_indicator_summarise (manager, notifier, history, settings, &icon_name);
  self->indicator = app_indicator_new (APP_ID, icon_name,
                                       APP_INDICATOR_CATEGORY_COMMUNICATIONS);
  set_icon_theme_path (self);
  app_indicator_set_status (self->indicator, APP_INDICATOR_STATUS_ACTIVE);
  rebuild (self);

  g_signal_connect_swapped (manager, "feed-changed", G_CALLBACK (queue_refresh), self);
  g_signal_connect (manager, "items-changed", G_CALLBACK (items_changed_cb), self);
  g_signal_connect_swapped (notifier, "recent-changed", G_CALLBACK (queue_refresh), self);
  g_signal_connect_swapped (settings, "changed::paused", G_CALLBACK (queue_refresh), self);
  g_signal_connect_swapped (settings, "changed::quiet-hours-end", G_CALLBACK (queue_refresh), self);
  g_signal_connect_swapped (notifier, "notify::quiet", G_CALLBACK (queue_refresh), self);
  g_signal_connect_swapped (history, "unread-changed", G_CALLBACK (queue_refresh), self);

  self->watch_id = g_bus_watch_name (G_BUS_TYPE_SESSION, WATCHER_NAME, G_BUS_NAME_WATCHER_FLAGS_NONE,
                                     watcher_appeared_cb, watcher_vanished_cb, self, NULL);

  return self;
}
