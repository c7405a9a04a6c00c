/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "fb-window"

#include "config.h"

#include "fb-window-private.h"

#include <glib/gi18n.h>

#include "fb-feed-editor.h"

/*
 * The app's main window, shown when Feedbell is launched from the menu and
 * by the tray's Preferences and Show Messages items: the messages received
 * (first, once there is a feed), the feeds with their live state (the same
 * words as the tray), and the app's general settings.
 *
 * Its buttons activate window actions (win.add-feed, win.edit-feed,
 * win.remove-feed, win.page, win.about, and the Messages page's);
 * GtkApplicationWindow exports them on D-Bus next to the app's, so tests
 * and the screenshot script drive the window the way a person does.
 *
 * The Messages page is fb-window-messages.c; each feed's row is built in
 * fb-window-feed-row.c; the General page's settings are fb-window-general.c.
 */

#define EXAMPLE_URL "https://ntfy.sh/mytopic/sse"

enum {
  PROP_0,
  PROP_MANAGER,
  PROP_SETTINGS,
  PROP_HISTORY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (FbWindow, fb_window, GTK_TYPE_APPLICATION_WINDOW)

/* Feed list ------------------------------------------------------------- */

static GtkWidget *
create_row_cb (gpointer item,
               gpointer user_data)
{
  FbWindow *self = user_data;

  return _fb_window_feed_row_new (self->manager, item);
}

static void
feed_changed_cb (FbWindow *self,
                 FbFeed   *feed)
{
  g_autoptr(GList) children = gtk_container_get_children (GTK_CONTAINER (self->feed_list));

  for (GList *l = children; l != NULL; l = l->next)
    {
      if (_fb_window_feed_row_get_feed (l->data) == feed)
        _fb_window_feed_row_update (l->data);
    }
}

static void
row_activated_cb (FbWindow      *self,
                  GtkListBoxRow *list_row)
{
  FbFeed *feed = _fb_window_feed_row_get_feed (list_row);

  if (feed != NULL)
    g_action_group_activate_action (G_ACTION_GROUP (self), "edit-feed",
                                    g_variant_new_string (fb_feed_get_id (feed)));
}

static void
items_changed_cb (FbWindow *self)
{
  gboolean empty = g_list_model_get_n_items (G_LIST_MODEL (self->manager)) == 0;

  gtk_stack_set_visible_child_name (self->feeds_stack, empty ? "empty" : "list");
}

/* Feed actions ---------------------------------------------------------- */

static void
open_editor (FbWindow   *self,
             const char *feed_id)
{
  /* One editor at a time. (It may outlive its destruction a little, while
   * a keyring call returns: hence "destroy", not a weak pointer.) */
  if (self->editor != NULL)
    gtk_widget_destroy (self->editor);

  self->editor = GTK_WIDGET (fb_feed_editor_new (GTK_WINDOW (self), self->manager, feed_id));
  g_signal_connect (self->editor, "destroy", G_CALLBACK (gtk_widget_destroyed), &self->editor);
  gtk_window_present (GTK_WINDOW (self->editor));
}

static void
add_feed_action_cb (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  open_editor (user_data, NULL);
}

static void
edit_feed_action_cb (GSimpleAction *action,
                     GVariant      *parameter,
                     gpointer       user_data)
{
  FbWindow *self = user_data;
  const char *id = g_variant_get_string (parameter, NULL);

  if (fb_feed_manager_lookup (self->manager, id) != NULL)
    open_editor (self, id);
}

static void
remove_response_cb (GtkDialog *dialog,
                    int        response,
                    FbWindow  *self)
{
  /* Interned: deleting the feed's secret reads the id after this returns. */
  const char *id = g_intern_string (g_object_get_data (G_OBJECT (dialog), "fb-feed-id"));

  if (response == GTK_RESPONSE_ACCEPT && fb_feed_manager_lookup (self->manager, id) != NULL)
    {
      g_debug ("Removing feed %s", id);
      /* This also deletes its secret from the keyring. */
      fb_feed_manager_remove_feed (self->manager, id);
    }

  gtk_widget_destroy (GTK_WIDGET (dialog));
}

static void
remove_feed_action_cb (GSimpleAction *action,
                       GVariant      *parameter,
                       gpointer       user_data)
{
  FbWindow *self = user_data;
  const char *id = g_variant_get_string (parameter, NULL);
  FbFeed *feed = fb_feed_manager_lookup (self->manager, id);
  GtkWidget *dialog;
  GtkWidget *button;

  if (feed == NULL)
    return;

  dialog = gtk_message_dialog_new (GTK_WINDOW (self),
                                   GTK_DIALOG_MODAL | GTK_DIALOG_DESTROY_WITH_PARENT,
                                   GTK_MESSAGE_QUESTION, GTK_BUTTONS_NONE,
                                   _("Remove “%s”?"), fb_feed_get_display_name (feed));
  gtk_message_dialog_format_secondary_text (GTK_MESSAGE_DIALOG (dialog), "%s",
                                            _("Feedbell will stop listening to this feed and forget "
                                              "its settings and its saved password or token."));
  gtk_dialog_add_button (GTK_DIALOG (dialog), _("_Cancel"), GTK_RESPONSE_CANCEL);
  button = gtk_dialog_add_button (GTK_DIALOG (dialog), _("_Remove"), GTK_RESPONSE_ACCEPT);
  gtk_style_context_add_class (gtk_widget_get_style_context (button), "destructive-action");
  gtk_dialog_set_default_response (GTK_DIALOG (dialog), GTK_RESPONSE_CANCEL);

  g_object_set_data_full (G_OBJECT (dialog), "fb-feed-id", g_strdup (id), g_free);
  g_signal_connect_object (dialog, "response", G_CALLBACK (remove_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
about_action_cb (GSimpleAction *action,
                 GVariant      *parameter,
                 gpointer       user_data)
{
  gtk_show_about_dialog (GTK_WINDOW (user_data),
                         "program-name", _("Feedbell"),
                         "version", PACKAGE_VERSION,
                         "comments", _("Desktop notifications from server-sent events and ntfy topics"),
                         "website", "https://github.com/feedbell/feedbell",
                         "website-label", _("Website"),
                         "license-type", GTK_LICENSE_GPL_3_0,
                         "logo-icon-name", APP_ID,
                         "translator-credits", _("translator-credits"),
                         NULL);
}

static void
page_action_cb (GSimpleAction *action,
                GVariant      *value,
                gpointer       user_data)
{
  FbWindow *self = user_data;
  const char *page = g_variant_get_string (value, NULL);

  if (gtk_stack_get_child_by_name (self->stack, page) != NULL)
    gtk_stack_set_visible_child_name (self->stack, page);
}

static void
visible_page_cb (FbWindow *self)
{
  GAction *action = g_action_map_lookup_action (G_ACTION_MAP (self), "page");

  g_simple_action_set_state (G_SIMPLE_ACTION (action),
                             g_variant_new_string (gtk_stack_get_visible_child_name (self->stack)));
}

/* GObject ---------------------------------------------------------------- */

static gboolean
fb_window_key_press_event (GtkWidget   *widget,
                           GdkEventKey *event)
{
  FbWindow *self = FB_WINDOW (widget);

  if (GTK_WIDGET_CLASS (fb_window_parent_class)->key_press_event (widget, event))
    return GDK_EVENT_STOP;
  if (self->messages != NULL && _fb_window_messages_handle_key (self->messages, event))
    return GDK_EVENT_STOP;

  if (event->keyval == GDK_KEY_Escape && (event->state & gtk_accelerator_get_default_mod_mask ()) == 0)
    {
      gtk_window_close (GTK_WINDOW (widget));
      return GDK_EVENT_STOP;
    }

  return GDK_EVENT_PROPAGATE;
}

static void
fb_window_map (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (fb_window_parent_class)->map (widget);

  _fb_window_sync_autostart (FB_WINDOW (widget));
}

static void
fb_window_constructed (GObject *object)
{
  FbWindow *self = FB_WINDOW (object);

  G_OBJECT_CLASS (fb_window_parent_class)->constructed (object);

  g_assert (self->manager != NULL && self->settings != NULL && self->history != NULL);

  gtk_list_box_bind_model (self->feed_list, G_LIST_MODEL (self->manager), create_row_cb, self, NULL);
  g_signal_connect_object (self->manager, "items-changed", G_CALLBACK (items_changed_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->manager, "feed-changed", G_CALLBACK (feed_changed_cb), self,
                           G_CONNECT_SWAPPED);
  items_changed_cb (self);

  _fb_window_general_bind (self);

  /* Messages first, once there is a feed to send any. */
  self->messages = _fb_window_messages_new (self, self->stack, self->history, self->manager);
  gtk_stack_set_visible_child_name (self->stack,
                                    g_list_model_get_n_items (G_LIST_MODEL (self->manager)) > 0
                                      ? "messages" : "feeds");
}

static void
fb_window_dispose (GObject *object)
{
  FbWindow *self = FB_WINDOW (object);

  if (self->editor != NULL)
    gtk_widget_destroy (self->editor);
  if (self->feed_list != NULL)
    gtk_list_box_bind_model (self->feed_list, NULL, NULL, NULL, NULL);
  g_clear_pointer (&self->messages, _fb_window_messages_free);

  G_OBJECT_CLASS (fb_window_parent_class)->dispose (object);

  g_clear_object (&self->manager);
  g_clear_object (&self->settings);
  g_clear_object (&self->history);
}

static void
fb_window_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  FbWindow *self = FB_WINDOW (object);

  switch (prop_id)
    {
    case PROP_MANAGER:
      g_value_set_object (value, self->manager);
      break;
    case PROP_SETTINGS:
      g_value_set_object (value, self->settings);
      break;
    case PROP_HISTORY:
      g_value_set_object (value, self->history);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fb_window_set_property (GObject      *object,
                        guint         prop_id,
                        const GValue *value,
                        GParamSpec   *pspec)
{
  FbWindow *self = FB_WINDOW (object);

  switch (prop_id)
    {
    case PROP_MANAGER:
      self->manager = g_value_dup_object (value);
      break;
    case PROP_SETTINGS:
      self->settings = g_value_dup_object (value);
      break;
    case PROP_HISTORY:
      self->history = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fb_window_class_init (FbWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = fb_window_constructed;
  object_class->dispose = fb_window_dispose;
  object_class->get_property = fb_window_get_property;
  object_class->set_property = fb_window_set_property;
  widget_class->key_press_event = fb_window_key_press_event;
  widget_class->map = fb_window_map;

  properties[PROP_MANAGER] =
    g_param_spec_object ("manager", NULL, NULL, FB_TYPE_FEED_MANAGER,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SETTINGS] =
    g_param_spec_object ("settings", NULL, NULL, G_TYPE_SETTINGS,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_HISTORY] =
    g_param_spec_object ("history", NULL, NULL, FB_TYPE_HISTORY,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/feedbell/Feedbell/ui/fb-window.ui");
  gtk_widget_class_bind_template_child (widget_class, FbWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, FbWindow, feeds_stack);
  gtk_widget_class_bind_template_child (widget_class, FbWindow, feed_list);
  gtk_widget_class_bind_template_child (widget_class, FbWindow, example_label);
  gtk_widget_class_bind_template_callback (widget_class, row_activated_cb);
  _fb_window_general_class_init (widget_class);
}

static void
install_css (void)
{
  static gboolean installed;
  g_autoptr(GtkCssProvider) provider = NULL;

  if (installed)
    return;
  installed = TRUE;

  provider = gtk_css_provider_new ();
  gtk_css_provider_load_from_data (provider,
                                   ".fb-failed { color: @error_color; }\n"
                                   "image.fb-connected { color: @success_color; }\n"
                                   /* Adwaita's 100 px would keep the window from 360 px. */
                                   "stackswitcher.fb-pages button { min-width: 80px; }\n",
                                   -1, NULL);
  gtk_style_context_add_provider_for_screen (gdk_screen_get_default (), GTK_STYLE_PROVIDER (provider),
                                             GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
}

static void
install_actions (FbWindow *self)
{
  static const GActionEntry entries[] = {
    { "add-feed", add_feed_action_cb },
    { "edit-feed", edit_feed_action_cb, "s" },
    { "remove-feed", remove_feed_action_cb, "s" },
    { "page", NULL, "s", "'feeds'", page_action_cb },
    { "about", about_action_cb },
  };

  g_action_map_add_action_entries (G_ACTION_MAP (self), entries, G_N_ELEMENTS (entries), self);
}

static void
fb_window_init (FbWindow *self)
{
  g_autofree char *example = NULL;

  gtk_widget_init_template (GTK_WIDGET (self));
  install_css ();
  install_actions (self);

  /* Translators: %s is an example address */
  example = g_strdup_printf (_("For example, an ntfy topic: %s"), EXAMPLE_URL);
  gtk_label_set_text (self->example_label, example);

  g_signal_connect_object (self->stack, "notify::visible-child-name", G_CALLBACK (visible_page_cb), self,
                           G_CONNECT_SWAPPED);
  _fb_window_general_init (self);
}

/**
 * fb_window_new:
 * @application: the app
 * @manager: the feeds to show
 * @settings: the app's settings (`io.github.feedbell.Feedbell`)
 * @history: the messages to show
 *
 * Returns: (transfer none): a new main window, owned by GTK
 */
FbWindow *
fb_window_new (GtkApplication *application,
               FbFeedManager  *manager,
               GSettings      *settings,
               FbHistory      *history)
{
  g_return_val_if_fail (GTK_IS_APPLICATION (application), NULL);
  g_return_val_if_fail (FB_IS_FEED_MANAGER (manager), NULL);
  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);
  g_return_val_if_fail (FB_IS_HISTORY (history), NULL);

  return g_object_new (FB_TYPE_WINDOW,
                       "application", application,
                       "manager", manager,
                       "settings", settings,
                       "history", history,
                       NULL);
}

/**
 * fb_window_show_messages:
 * @entry: (nullable): the message to select
 *
 * Shows the Messages page, with @entry selected and beside the list (its
 * feed and the search no longer filter it out).
 */
void
fb_window_show_messages (FbWindow       *self,
                         FbHistoryEntry *entry)
{
  g_return_if_fail (FB_IS_WINDOW (self));
  g_return_if_fail (entry == NULL || FB_IS_HISTORY_ENTRY (entry));

  if (entry != NULL)
    _fb_window_messages_show_entry (self->messages, entry);
  else
    gtk_stack_set_visible_child_name (self->stack, "messages");
}
