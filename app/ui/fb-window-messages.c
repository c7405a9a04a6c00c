/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "fb-window"

#include "config.h"

#include "fb-window-messages-private.h"

#include <glib/gi18n.h>

#include "fb-url.h"

/*
 * The main window's Messages page (fb-window-messages.ui): the history,
 * newest first, grouped by day, the selected message beside the list. Its
 * rows are read from the history in fb-window-messages-list.c, which also
 * says what reading them marks read.
 *
 * Its buttons and keys activate window actions: win.find (Ctrl+F; typing
 * in the page opens the search too), win.mark-all-read, win.delete-message
 * (Delete in the list) and win.clear-feed-history (with a feed chosen).
 */

/* How far back the list reads to show a message asked for by its id. */
#define REACH_MAX FB_HISTORY_QUERY_MAX

/* The page's tab shows a dot while something is unread elsewhere. */
static void
update_attention (FbWindowMessages *self)
{
  gboolean attention = gtk_stack_get_visible_child (self->stack) != self->page &&
                       fb_history_get_unread (self->history, NULL) > 0;

  gtk_container_child_set (GTK_CONTAINER (self->stack), self->page, "needs-attention", attention, NULL);
}

static void
seen_changed_cb (FbWindowMessages *self)
{
  update_attention (self);
  _fb_window_messages_mark_seen (self);
}

/* --- the filter and the search ----------------------------------------------- */

static void
set_filter (FbWindowMessages *self,
            const char       *feed_id,
            const char       *search)
{
  GAction *clear = g_action_map_lookup_action (G_ACTION_MAP (self->window), "clear-feed-history");

  if (g_strcmp0 (feed_id, self->feed_id) == 0 && g_strcmp0 (search, self->search) == 0)
    return;

  g_free (self->feed_id);
  self->feed_id = g_strdup (feed_id);
  g_free (self->search);
  self->search = g_strdup (search);
  g_simple_action_set_enabled (G_SIMPLE_ACTION (clear), self->feed_id != NULL);
  _fb_window_messages_reload (self);
}

static void
feed_combo_changed_cb (GtkComboBox      *combo,
                       FbWindowMessages *self)
{
  const char *id = gtk_combo_box_get_active_id (combo);

  if (id == NULL)
    return;

  set_filter (self, id[0] != '\0' ? id : NULL, self->search);
}

/* "All feeds" and every feed, again when a feed comes, goes or is renamed. */
static void
fill_feed_combo (FbWindowMessages *self)
{
  GListModel *feeds = G_LIST_MODEL (self->manager);
  GString *shape = g_string_new (NULL);
  GtkComboBox *combo = GTK_COMBO_BOX (self->feed_combo);

  for (guint i = 0; i < g_list_model_get_n_items (feeds); i++)
    {
      g_autoptr(FbFeed) feed = g_list_model_get_item (feeds, i);

      g_string_append_printf (shape, "%s\x1f%s\x1e", fb_feed_get_id (feed), fb_feed_get_display_name (feed));
    }
  if (g_strcmp0 (shape->str, self->combo_shape) == 0)
    {
      g_string_free (shape, TRUE);
      return;
    }
  g_free (self->combo_shape);
  self->combo_shape = g_string_free (shape, FALSE);

  g_signal_handlers_block_by_func (combo, feed_combo_changed_cb, self);
  gtk_combo_box_text_remove_all (self->feed_combo);
  gtk_combo_box_text_append (self->feed_combo, "", _("All feeds"));
  for (guint i = 0; i < g_list_model_get_n_items (feeds); i++)
    {
      g_autoptr(FbFeed) feed = g_list_model_get_item (feeds, i);

      gtk_combo_box_text_append (self->feed_combo, fb_feed_get_id (feed), fb_feed_get_display_name (feed));
    }
  if (!gtk_combo_box_set_active_id (combo, self->feed_id != NULL ? self->feed_id : ""))
    gtk_combo_box_set_active_id (combo, "");
  g_signal_handlers_unblock_by_func (combo, feed_combo_changed_cb, self);

  /* The feed shown may have gone. */
  feed_combo_changed_cb (combo, self);
}

static void
search_changed_cb (GtkSearchEntry   *entry,
                   FbWindowMessages *self)
{
  g_autofree char *text = g_strstrip (g_strdup (gtk_entry_get_text (GTK_ENTRY (entry))));

  set_filter (self, self->feed_id, text[0] != '\0' ? text : NULL);
}

/* Enter in the search: on to the first result. */
static void
search_activate_cb (GtkSearchEntry   *entry,
                    FbWindowMessages *self)
{
  GtkListBoxRow *first = gtk_list_box_get_row_at_index (self->list, 0);

  if (first != NULL)
    {
      gtk_list_box_select_row (self->list, first);
      gtk_widget_grab_focus (GTK_WIDGET (first));
    }
}

static void
search_mode_cb (GtkSearchBar     *bar,
                GParamSpec       *pspec,
                FbWindowMessages *self)
{
  GtkListBoxRow *selected = gtk_list_box_get_selected_row (self->list);

  if (gtk_search_bar_get_search_mode (bar) || !gtk_widget_get_mapped (self->page))
    return;

  /* Closed (Escape): the entry is emptied by the bar; the list gets the keys. */
  gtk_widget_grab_focus (selected != NULL ? GTK_WIDGET (selected) : GTK_WIDGET (self->list));
}

/* --- the list ------------------------------------------------------------------ */

static void
edge_reached_cb (GtkScrolledWindow *scroll,
                 GtkPositionType    position,
                 FbWindowMessages  *self)
{
  if (position == GTK_POS_BOTTOM)
    _fb_window_messages_load_more (self);
}

static void
row_selected_cb (GtkListBox       *list,
                 GtkListBoxRow    *row,
                 FbWindowMessages *self)
{
  GAction *delete = g_action_map_lookup_action (G_ACTION_MAP (self->window), "delete-message");

  g_simple_action_set_enabled (G_SIMPLE_ACTION (delete), row != NULL);
  _fb_window_message_details_show (&self->details, row != NULL ? _fb_window_message_row_get_entry (row) : NULL);
}

static gboolean
list_key_press_cb (GtkWidget        *list,
                   GdkEventKey      *event,
                   FbWindowMessages *self)
{
  if (event->keyval != GDK_KEY_Delete || (event->state & gtk_accelerator_get_default_mod_mask ()) != 0)
    return GDK_EVENT_PROPAGATE;

  g_action_group_activate_action (G_ACTION_GROUP (self->window), "delete-message", NULL);
  return GDK_EVENT_STOP;
}

static gboolean
details_link_cb (GtkLabel         *label,
                 const char       *uri,
                 FbWindowMessages *self)
{
  /* Only http(s) links are made; app.open-url checks it again. */
  if (!fb_url_is_http (uri))
    return TRUE;

  g_action_group_activate_action (G_ACTION_GROUP (gtk_window_get_application (GTK_WINDOW (self->window))),
                                  "open-url", g_variant_new_string (uri));
  return TRUE;
}

/* --- actions ---------------------------------------------------------------------- */

static void
find_cb (GSimpleAction *action,
         GVariant      *parameter,
         gpointer       user_data)
{
  FbWindowMessages *self = user_data;

  gtk_stack_set_visible_child (self->stack, self->page);
  gtk_search_bar_set_search_mode (self->search_bar, TRUE);
  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

static void
mark_all_read_cb (GSimpleAction *action,
                  GVariant      *parameter,
                  gpointer       user_data)
{
  FbWindowMessages *self = user_data;
  g_autoptr(GList) rows = gtk_container_get_children (GTK_CONTAINER (self->list));

  fb_history_mark_read (self->history, self->feed_id, G_MAXINT64);
  self->read_up_to = MAX (self->read_up_to, self->newest_id);
  for (GList *l = rows; l != NULL; l = l->next)
    _fb_window_message_row_set_read (l->data);
}

static void
delete_message_cb (GSimpleAction *action,
                   GVariant      *parameter,
                   gpointer       user_data)
{
  FbWindowMessages *self = user_data;
  GtkListBoxRow *row = gtk_list_box_get_selected_row (self->list);
  GtkListBoxRow *next;
  int index;

  if (row == NULL)
    return;

  /* The row goes now; the range stays as it was (see drop_deleted()). */
  index = gtk_list_box_row_get_index (row);
  fb_history_delete_entry (self->history, _fb_window_message_row_get_id (row));
  gtk_widget_destroy (GTK_WIDGET (row));

  next = gtk_list_box_get_row_at_index (self->list, index);
  if (next == NULL && index > 0)
    next = gtk_list_box_get_row_at_index (self->list, index - 1);
  if (next != NULL)
    {
      gtk_list_box_select_row (self->list, next);
      gtk_widget_grab_focus (GTK_WIDGET (next));
    }
  _fb_window_messages_update_empty (self);
}

static void
clear_response_cb (GtkDialog        *dialog,
                   int               response,
                   FbWindowMessages *self)
{
  if (response == GTK_RESPONSE_ACCEPT && self->feed_id != NULL)
    {
      g_debug ("Clearing the history of feed %s", self->feed_id);
      fb_history_clear_feed (self->history, self->feed_id);
      /* Every row is this feed's; what comes later still goes on top. */
      _fb_window_messages_clear_rows (self);
      self->complete = TRUE;
      _fb_window_messages_update_empty (self);
    }

  gtk_widget_destroy (GTK_WIDGET (dialog));
}

static void
clear_feed_history_cb (GSimpleAction *action,
                       GVariant      *parameter,
                       gpointer       user_data)
{
  FbWindowMessages *self = user_data;
  FbFeed *feed = self->feed_id != NULL ? fb_feed_manager_lookup (self->manager, self->feed_id) : NULL;
  GtkWidget *button;

  if (feed == NULL)
    return;
  if (self->dialog != NULL)
    gtk_widget_destroy (self->dialog);

  self->dialog = gtk_message_dialog_new (GTK_WINDOW (self->window),
                                         GTK_DIALOG_MODAL | GTK_DIALOG_DESTROY_WITH_PARENT,
                                         GTK_MESSAGE_QUESTION, GTK_BUTTONS_NONE,
                                         _("Clear the history of “%s”?"), fb_feed_get_display_name (feed));
  gtk_message_dialog_format_secondary_text (GTK_MESSAGE_DIALOG (self->dialog), "%s",
                                            _("Every message Feedbell kept from this feed is deleted. "
                                              "The feed itself stays."));
  gtk_dialog_add_button (GTK_DIALOG (self->dialog), _("_Cancel"), GTK_RESPONSE_CANCEL);
  button = gtk_dialog_add_button (GTK_DIALOG (self->dialog), _("C_lear History"), GTK_RESPONSE_ACCEPT);
  gtk_style_context_add_class (gtk_widget_get_style_context (button), "destructive-action");
  gtk_dialog_set_default_response (GTK_DIALOG (self->dialog), GTK_RESPONSE_CANCEL);
  g_signal_connect (self->dialog, "destroy", G_CALLBACK (gtk_widget_destroyed), &self->dialog);
  g_signal_connect (self->dialog, "response", G_CALLBACK (clear_response_cb), self);
  gtk_window_present (GTK_WINDOW (self->dialog));
}

static const GActionEntry actions[] = {
  { "find", find_cb },
  { "mark-all-read", mark_all_read_cb },
  { "delete-message", delete_message_cb },
  { "clear-feed-history", clear_feed_history_cb },
};

/* --- the page ------------------------------------------------------------------------ */

static void
build_page (FbWindowMessages *self)
{
  g_autoptr(GtkBuilder) builder = gtk_builder_new ();
  g_autoptr(GError) error = NULL;

  gtk_builder_add_callback_symbols (builder,
                                    "feed_combo_changed_cb", G_CALLBACK (feed_combo_changed_cb),
                                    "search_changed_cb", G_CALLBACK (search_changed_cb),
                                    "search_activate_cb", G_CALLBACK (search_activate_cb),
                                    "search_mode_cb", G_CALLBACK (search_mode_cb),
                                    "edge_reached_cb", G_CALLBACK (edge_reached_cb),
                                    "row_selected_cb", G_CALLBACK (row_selected_cb),
                                    "list_key_press_cb", G_CALLBACK (list_key_press_cb),
                                    "details_link_cb", G_CALLBACK (details_link_cb),
                                    NULL);
  /* Compiled in: it cannot be missing. */
  if (!gtk_builder_add_from_resource (builder, "/io/github/feedbell/Feedbell/ui/fb-window-messages.ui", &error))
    g_error ("fb-window-messages.ui: %s", error->message);

#define GET(name) ((gpointer) gtk_builder_get_object (builder, name))
  self->page = GET ("page");
  self->feed_combo = GET ("feed_combo");
  self->search_button = GET ("search_button");
  self->search_bar = GET ("search_bar");
  self->search_entry = GET ("search_entry");
  self->list_stack = GET ("list_stack");
  self->scroll = GET ("scroll");
  self->list = GET ("list");
  self->empty_label = GET ("empty_label");
  self->details.stack = GET ("details_stack");
  self->details.feed = GET ("details_feed");
  self->details.title = GET ("details_title");
  self->details.info = GET ("details_info");
  self->details.body = GET ("details_body");
  self->details.buttons = GET ("details_buttons");
#undef GET

  gtk_builder_connect_signals (builder, self);
  gtk_stack_add_titled (self->stack, self->page, "messages", _("Messages"));
  gtk_container_child_set (GTK_CONTAINER (self->stack), self->page, "position", 0, NULL);
}

static void
set_up_page (FbWindowMessages *self)
{
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self->window));
  static const char * const find_accels[] = { "<Control>f", NULL };

  gtk_search_bar_connect_entry (self->search_bar, GTK_ENTRY (self->search_entry));
  g_object_bind_property (self->search_button, "active", self->search_bar, "search-mode-enabled",
                          G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE);
  _fb_window_messages_init_list (self);

  g_action_map_add_action_entries (G_ACTION_MAP (self->window), actions, G_N_ELEMENTS (actions), self);
  g_simple_action_set_enabled (G_SIMPLE_ACTION (g_action_map_lookup_action (G_ACTION_MAP (self->window),
                                                                            "delete-message")), FALSE);
  g_simple_action_set_enabled (G_SIMPLE_ACTION (g_action_map_lookup_action (G_ACTION_MAP (self->window),
                                                                            "clear-feed-history")), FALSE);
  if (app != NULL)
    gtk_application_set_accels_for_action (app, "win.find", find_accels);
}

/**
 * _fb_window_messages_new:
 * @window: the window whose page it is, which frees it
 * @stack: the window's pages; the Messages page goes first
 *
 * Returns: (transfer full): the Messages page of @window, filled
 */
FbWindowMessages *
_fb_window_messages_new (FbWindow      *window,
                         GtkStack      *stack,
                         FbHistory     *history,
                         FbFeedManager *manager)
{
  FbWindowMessages *self = g_new0 (FbWindowMessages, 1);

  self->window = window;
  self->stack = stack;
  self->history = g_object_ref (history);
  self->manager = g_object_ref (manager);

  build_page (self);
  set_up_page (self);
  fill_feed_combo (self);
  _fb_window_messages_reload (self);

  g_signal_connect_swapped (history, "unread-changed", G_CALLBACK (update_attention), self);
  g_signal_connect_swapped (manager, "items-changed", G_CALLBACK (fill_feed_combo), self);
  g_signal_connect_swapped (manager, "feed-changed", G_CALLBACK (fill_feed_combo), self);
  g_signal_connect_swapped (stack, "notify::visible-child", G_CALLBACK (seen_changed_cb), self);
  g_signal_connect_swapped (window, "notify::is-active", G_CALLBACK (seen_changed_cb), self);
  g_signal_connect_swapped (self->page, "map", G_CALLBACK (seen_changed_cb), self);
  update_attention (self);

  return self;
}

void
_fb_window_messages_free (FbWindowMessages *self)
{
  GObject *widgets[] = {
    G_OBJECT (self->feed_combo), G_OBJECT (self->search_bar), G_OBJECT (self->search_entry),
    G_OBJECT (self->scroll), G_OBJECT (self->list), G_OBJECT (self->details.body),
    G_OBJECT (self->stack), G_OBJECT (self->window), G_OBJECT (self->page),
  };

  _fb_window_messages_dispose_list (self);
  if (self->dialog != NULL)
    gtk_widget_destroy (self->dialog);
  /* The widgets outlive us a little, while the window is destroyed. */
  for (guint i = 0; i < G_N_ELEMENTS (widgets); i++)
    g_signal_handlers_disconnect_by_data (widgets[i], self);
  for (guint i = 0; i < G_N_ELEMENTS (actions); i++)
    g_action_map_remove_action (G_ACTION_MAP (self->window), actions[i].name);
  g_signal_handlers_disconnect_by_data (self->history, self);
  g_signal_handlers_disconnect_by_data (self->manager, self);

  g_clear_object (&self->history);
  g_clear_object (&self->manager);
  g_free (self->feed_id);
  g_free (self->search);
  g_free (self->combo_shape);
  g_free (self);
}

/* Keys the window's widgets left: typing opens the search, Escape closes it. */
gboolean
_fb_window_messages_handle_key (FbWindowMessages *self,
                                GdkEventKey      *event)
{
  if (gtk_stack_get_visible_child (self->stack) != self->page)
    return GDK_EVENT_PROPAGATE;

  if (event->keyval == GDK_KEY_Escape && gtk_search_bar_get_search_mode (self->search_bar))
    {
      gtk_search_bar_set_search_mode (self->search_bar, FALSE);
      return GDK_EVENT_STOP;
    }

  return gtk_search_bar_handle_event (self->search_bar, (GdkEvent *) event);
}

/* Clears the filter and search if @entry would not be in the list. */
static void
include_entry (FbWindowMessages *self,
               FbHistoryEntry   *entry)
{
  const char *feed_id = fb_history_entry_get_feed_id (entry);

  if (self->search == NULL && (self->feed_id == NULL || g_strcmp0 (self->feed_id, feed_id) == 0))
    return;

  g_signal_handlers_block_by_func (self->feed_combo, feed_combo_changed_cb, self);
  gtk_combo_box_set_active_id (GTK_COMBO_BOX (self->feed_combo), "");
  g_signal_handlers_unblock_by_func (self->feed_combo, feed_combo_changed_cb, self);
  set_filter (self, NULL, NULL);
  /* Closing the bar empties the entry: the search is already gone. */
  gtk_search_bar_set_search_mode (self->search_bar, FALSE);
}

/**
 * _fb_window_messages_show_entry:
 *
 * Shows the page with @entry selected: the list reads back as far as it
 * (up to REACH_MAX rows); one older still is only shown beside the list.
 */
void
_fb_window_messages_show_entry (FbWindowMessages *self,
                                FbHistoryEntry   *entry)
{
  gint64 id = fb_history_entry_get_id (entry);
  GtkListBoxRow *row;
  guint n_loaded;

  gtk_stack_set_visible_child (self->stack, self->page);
  include_entry (self, entry);
  if (id > self->newest_id)
    _fb_window_messages_refresh (self);

  row = _fb_window_messages_find_row (self, id);
  for (n_loaded = 0; row == NULL && !self->complete && id < self->oldest_id && n_loaded < REACH_MAX;
       n_loaded += FB_MESSAGES_PAGE_SIZE)
    {
      _fb_window_messages_load_more (self);
      row = _fb_window_messages_find_row (self, id);
    }

  if (row != NULL)
    {
      gtk_list_box_select_row (self->list, row);
      gtk_widget_grab_focus (GTK_WIDGET (row));
      return;
    }

  gtk_list_box_unselect_all (self->list);
  _fb_window_message_details_show (&self->details, entry);
}
