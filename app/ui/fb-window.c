/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "fb-window"

#include "config.h"

#include "fb-window.h"

#include <glib/gi18n.h>

/*
 * The main window: every feed with its state in words (the same words as
 * the tray), a way to add one, and the app's actions. It is what a desktop
 * without a tray shows when Feedbell is launched from the menu.
 */

struct _FbWindow
{
  GtkApplicationWindow  parent_instance;

  FbFeedManager        *manager;
  GtkWidget            *list;
  GtkWidget            *url_entry;
  GtkWidget            *add_button;
};

G_DEFINE_FINAL_TYPE (FbWindow, fb_window, GTK_TYPE_APPLICATION_WINDOW)

static void
update_row (GtkWidget *row,
            FbFeed    *feed)
{
  GtkWidget *name = g_object_get_data (G_OBJECT (row), "name");
  GtkWidget *status = g_object_get_data (G_OBJECT (row), "status");
  g_autofree char *text = fb_feed_dup_status_text (feed);

  gtk_label_set_text (GTK_LABEL (name), fb_feed_get_display_name (feed));
  gtk_label_set_text (GTK_LABEL (status), text);
}

static GtkWidget *
create_row (gpointer item,
            gpointer user_data)
{
  FbFeed *feed = item;
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *name = gtk_label_new (NULL);
  GtkWidget *url = gtk_label_new (fb_feed_get_url (feed));
  GtkWidget *status = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (name), 0);
  gtk_label_set_xalign (GTK_LABEL (url), 0);
  gtk_label_set_xalign (GTK_LABEL (status), 0);
  gtk_label_set_ellipsize (GTK_LABEL (name), PANGO_ELLIPSIZE_END);
  gtk_label_set_ellipsize (GTK_LABEL (url), PANGO_ELLIPSIZE_MIDDLE);
  gtk_label_set_line_wrap (GTK_LABEL (status), TRUE);
  gtk_style_context_add_class (gtk_widget_get_style_context (name), "heading");
  gtk_style_context_add_class (gtk_widget_get_style_context (url), "dim-label");
  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);
  gtk_widget_set_margin_top (box, 8);
  gtk_widget_set_margin_bottom (box, 8);
  gtk_container_add (GTK_CONTAINER (box), name);
  gtk_container_add (GTK_CONTAINER (box), url);
  gtk_container_add (GTK_CONTAINER (box), status);
  gtk_container_add (GTK_CONTAINER (row), box);
  g_object_set_data (G_OBJECT (row), "name", name);
  g_object_set_data (G_OBJECT (row), "status", status);
  g_object_set_data_full (G_OBJECT (row), "feed", g_object_ref (feed), g_object_unref);
  update_row (row, feed);
  gtk_widget_show_all (row);

  return row;
}

static void
feed_changed_cb (FbFeedManager *manager,
                 FbFeed        *feed,
                 FbWindow      *self)
{
  g_autoptr(GList) rows = gtk_container_get_children (GTK_CONTAINER (self->list));

  for (GList *l = rows; l != NULL; l = l->next)
    if (g_object_get_data (l->data, "feed") == feed)
      update_row (l->data, feed);
}

static gboolean
url_is_acceptable (const char *text)
{
  g_autoptr(GUri) uri = g_uri_parse (text, G_URI_FLAGS_NONE, NULL);

  return uri != NULL && g_uri_get_host (uri) != NULL && g_uri_get_host (uri)[0] != '\0' &&
         (g_ascii_strcasecmp (g_uri_get_scheme (uri), "http") == 0 ||
          g_ascii_strcasecmp (g_uri_get_scheme (uri), "https") == 0);
}

static void
url_changed_cb (GtkEditable *editable,
                FbWindow    *self)
{
  gtk_widget_set_sensitive (self->add_button,
                            url_is_acceptable (gtk_entry_get_text (GTK_ENTRY (self->url_entry))));
}

static void
add_cb (FbWindow *self)
{
  const char *text = gtk_entry_get_text (GTK_ENTRY (self->url_entry));

  if (!url_is_acceptable (text))
    return;

  fb_feed_manager_add_feed (self->manager, text, NULL);
  gtk_entry_set_text (GTK_ENTRY (self->url_entry), "");
}

static GtkWidget *
placeholder (void)
{
  GtkWidget *label = gtk_label_new (_("No feeds yet. Add the address of an event stream below, "
                                      "for example an ntfy topic: https://ntfy.sh/mytopic/sse"));

  gtk_label_set_line_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_justify (GTK_LABEL (label), GTK_JUSTIFY_CENTER);
  gtk_widget_set_margin_top (label, 24);
  gtk_widget_set_margin_bottom (label, 24);
  gtk_widget_set_margin_start (label, 24);
  gtk_widget_set_margin_end (label, 24);
  gtk_style_context_add_class (gtk_widget_get_style_context (label), "dim-label");
  gtk_widget_show (label);

  return label;
}

static GtkWidget *
header_bar (void)
{
  GtkWidget *bar = gtk_header_bar_new ();
  GtkWidget *pause = gtk_toggle_button_new_with_mnemonic (_("_Pause"));
  GtkWidget *reconnect = gtk_button_new_with_mnemonic (_("_Reconnect All"));

  gtk_header_bar_set_title (GTK_HEADER_BAR (bar), _("Feedbell"));
  gtk_header_bar_set_show_close_button (GTK_HEADER_BAR (bar), TRUE);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (pause), "app.pause");
  gtk_widget_set_tooltip_text (pause, _("Pause notifications"));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (reconnect), "app.reconnect-all");
  gtk_header_bar_pack_start (GTK_HEADER_BAR (bar), pause);
  gtk_header_bar_pack_end (GTK_HEADER_BAR (bar), reconnect);
  gtk_widget_show_all (bar);

  return bar;
}

static void
fb_window_dispose (GObject *object)
{
  FbWindow *self = FB_WINDOW (object);

  if (self->manager != NULL)
    g_signal_handlers_disconnect_by_data (self->manager, self);
  g_clear_object (&self->manager);

  G_OBJECT_CLASS (fb_window_parent_class)->dispose (object);
}

static void
fb_window_class_init (FbWindowClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = fb_window_dispose;
}

static void
fb_window_init (FbWindow *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget *scrolled = gtk_scrolled_window_new (NULL, NULL);
  GtkWidget *frame = gtk_frame_new (NULL);
  GtkWidget *add_box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);

  gtk_window_set_title (GTK_WINDOW (self), _("Feedbell"));
  gtk_window_set_default_size (GTK_WINDOW (self), 520, 420);
  gtk_window_set_titlebar (GTK_WINDOW (self), header_bar ());

  self->list = gtk_list_box_new ();
  gtk_list_box_set_selection_mode (GTK_LIST_BOX (self->list), GTK_SELECTION_NONE);
  gtk_list_box_set_placeholder (GTK_LIST_BOX (self->list), placeholder ());
  gtk_container_add (GTK_CONTAINER (scrolled), self->list);
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_widget_set_vexpand (scrolled, TRUE);
  gtk_container_add (GTK_CONTAINER (frame), scrolled);

  self->url_entry = gtk_entry_new ();
  gtk_entry_set_placeholder_text (GTK_ENTRY (self->url_entry), "https://ntfy.sh/mytopic/sse");
  gtk_entry_set_input_purpose (GTK_ENTRY (self->url_entry), GTK_INPUT_PURPOSE_URL);
  gtk_entry_set_activates_default (GTK_ENTRY (self->url_entry), TRUE);
  gtk_widget_set_hexpand (self->url_entry, TRUE);
  atk_object_set_name (gtk_widget_get_accessible (self->url_entry), _("Feed address"));
  self->add_button = gtk_button_new_with_mnemonic (_("_Add Feed"));
  gtk_widget_set_can_default (self->add_button, TRUE);
  gtk_widget_set_sensitive (self->add_button, FALSE);
  gtk_style_context_add_class (gtk_widget_get_style_context (self->add_button), "suggested-action");
  g_signal_connect (self->url_entry, "changed", G_CALLBACK (url_changed_cb), self);
  g_signal_connect_swapped (self->add_button, "clicked", G_CALLBACK (add_cb), self);
  gtk_container_add (GTK_CONTAINER (add_box), self->url_entry);
  gtk_container_add (GTK_CONTAINER (add_box), self->add_button);

  gtk_container_set_border_width (GTK_CONTAINER (box), 12);
  gtk_container_add (GTK_CONTAINER (box), frame);
  gtk_container_add (GTK_CONTAINER (box), add_box);
  gtk_container_add (GTK_CONTAINER (self), box);
  gtk_widget_show_all (box);
  gtk_window_set_default (GTK_WINDOW (self), self->add_button);
}

FbWindow *
fb_window_new (FbApplication *app,
               FbFeedManager *manager)
{
  FbWindow *self = g_object_new (FB_TYPE_WINDOW, "application", app, NULL);

  self->manager = g_object_ref (manager);
  gtk_list_box_bind_model (GTK_LIST_BOX (self->list), G_LIST_MODEL (manager),
                           create_row, NULL, NULL);
  g_signal_connect (manager, "feed-changed", G_CALLBACK (feed_changed_cb), self);

  return self;
}
