/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "fb-window"

#include "config.h"

#include "fb-window-private.h"
#include "fb-gtk-util.h"

#include <glib/gi18n.h>

/*
 * A feed's row in the main window's feed list: its name, address and
 * live state (the same words as the tray), its "enabled" switch, and Edit and
 * Remove buttons that activate win.edit-feed and win.remove-feed with the
 * feed's id. The window builds the rows from the feed manager's list model
 * and updates a feed's row when the feed changes.
 */

typedef struct
{
  FbFeed    *feed;
  GSettings *settings;   /* the feed's, for its "enabled" switch */
  GtkWidget *name;
  GtkWidget *url;
  GtkWidget *status_icon;
  GtkWidget *status;
} FeedRow;

static void
feed_row_free (FeedRow *row)
{
  g_clear_object (&row->feed);
  g_clear_object (&row->settings);
  g_free (row);
}

static const char *
status_icon_name (FbFeed *feed)
{
  if (!fb_feed_get_enabled (feed) || fb_feed_get_connection (feed) == NULL)
    return "io.github.feedbell.Feedbell-no-feeds-symbolic";

  switch (fb_feed_get_state (feed))
    {
    case FB_SSE_STATE_OPEN:
      if (fb_feed_get_muted (feed) || fb_feed_is_snoozed (feed))
        return "io.github.feedbell.Feedbell-paused-symbolic";
      return "io.github.feedbell.Feedbell-connected-symbolic";
    case FB_SSE_STATE_DISCONNECTED:
    case FB_SSE_STATE_CONNECTING:
    case FB_SSE_STATE_WAITING_RETRY:
    case FB_SSE_STATE_WAITING_NETWORK:
      return "io.github.feedbell.Feedbell-reconnecting-symbolic";
    case FB_SSE_STATE_FAILED:
    case FB_SSE_STATE_STOPPED:
      return "io.github.feedbell.Feedbell-failed-symbolic";
    default:
      g_return_val_if_reached (NULL);
    }
}

static void
feed_row_update (FeedRow *row)
{
  g_autofree char *status = fb_feed_dup_status_text (row->feed);
  gboolean failed = fb_feed_get_enabled (row->feed) &&
                    fb_feed_get_connection (row->feed) != NULL &&
                    fb_feed_get_state (row->feed) == FB_SSE_STATE_FAILED;
  gboolean open = fb_feed_get_enabled (row->feed) &&
                  fb_feed_get_connection (row->feed) != NULL &&
                  fb_feed_get_state (row->feed) == FB_SSE_STATE_OPEN;
  GtkWidget *list_row = gtk_widget_get_ancestor (row->name, GTK_TYPE_LIST_BOX_ROW);

  /* A screen reader names the row after its feed: its switch and its
   * Edit and Remove buttons are then heard as this feed's. */
  if (list_row != NULL)
    atk_object_set_name (gtk_widget_get_accessible (list_row), fb_feed_get_display_name (row->feed));
  gtk_label_set_text (GTK_LABEL (row->name), fb_feed_get_display_name (row->feed));
  gtk_widget_set_tooltip_text (row->name, fb_feed_get_display_name (row->feed));
  gtk_label_set_text (GTK_LABEL (row->url), fb_feed_get_url (row->feed));
  gtk_widget_set_tooltip_text (row->url, fb_feed_get_url (row->feed));
  gtk_label_set_text (GTK_LABEL (row->status), status);
  gtk_image_set_from_icon_name (GTK_IMAGE (row->status_icon), status_icon_name (row->feed),
                                GTK_ICON_SIZE_MENU);
  fb_widget_set_style_class (row->status, "fb-failed", failed);
  fb_widget_set_style_class (row->status_icon, "fb-failed", failed);
  fb_widget_set_style_class (row->status_icon, "fb-connected", open);
}

static GtkWidget *
label_new (const char *style_class)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  if (style_class != NULL)
    gtk_style_context_add_class (gtk_widget_get_style_context (label), style_class);

  return label;
}

static GtkWidget *
row_button_new (const char *icon_name,
                const char *tooltip,
                const char *action_name,
                const char *feed_id)
{
  GtkWidget *button = gtk_button_new_from_icon_name (icon_name, GTK_ICON_SIZE_BUTTON);

  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (button, tooltip);
  atk_object_set_name (gtk_widget_get_accessible (button), tooltip);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), action_name);
  gtk_actionable_set_action_target (GTK_ACTIONABLE (button), "s", feed_id);
  gtk_style_context_add_class (gtk_widget_get_style_context (button), "flat");

  return button;
}

static GtkWidget *
feed_row_texts (FeedRow *row)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *status_box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  PangoAttrList *bold = pango_attr_list_new ();

  row->name = label_new (NULL);
  pango_attr_list_insert (bold, pango_attr_weight_new (PANGO_WEIGHT_BOLD));
  gtk_label_set_attributes (GTK_LABEL (row->name), bold);
  pango_attr_list_unref (bold);
  gtk_label_set_ellipsize (GTK_LABEL (row->name), PANGO_ELLIPSIZE_END);

  row->url = label_new ("dim-label");
  gtk_label_set_ellipsize (GTK_LABEL (row->url), PANGO_ELLIPSIZE_MIDDLE);

  row->status_icon = gtk_image_new ();
  gtk_widget_set_valign (row->status_icon, GTK_ALIGN_START);
  row->status = label_new ("fb-status");
  gtk_label_set_line_wrap (GTK_LABEL (row->status), TRUE);
  gtk_label_set_line_wrap_mode (GTK_LABEL (row->status), PANGO_WRAP_WORD_CHAR);
  /* Wraps rather than widening the window; the row still grows to fit. */
  gtk_label_set_max_width_chars (GTK_LABEL (row->status), 40);
  gtk_widget_set_hexpand (row->status, TRUE);

  gtk_container_add (GTK_CONTAINER (status_box), row->status_icon);
  gtk_container_add (GTK_CONTAINER (status_box), row->status);
  gtk_widget_set_margin_top (status_box, 4);
  gtk_container_add (GTK_CONTAINER (box), row->name);
  gtk_container_add (GTK_CONTAINER (box), row->url);
  gtk_container_add (GTK_CONTAINER (box), status_box);
  gtk_widget_set_hexpand (box, TRUE);

  return box;
}

static GtkWidget *
enabled_switch_new (FeedRow *row)
{
  GtkWidget *toggle = gtk_switch_new ();

  gtk_widget_set_valign (toggle, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (toggle, _("Connect to this feed"));
  atk_object_set_name (gtk_widget_get_accessible (toggle), _("Enabled"));
  g_settings_bind (row->settings, "enabled", toggle, "active", G_SETTINGS_BIND_DEFAULT);

  return toggle;
}

/* A new row for @feed, its switch bound to the feed's settings from @manager. */
GtkWidget *
_fb_window_feed_row_new (FbFeedManager *manager,
                         FbFeed        *feed)
{
  const char *id = fb_feed_get_id (feed);
  FeedRow *row = g_new0 (FeedRow, 1);
  GtkWidget *list_row = gtk_list_box_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);

  row->feed = g_object_ref (feed);
  row->settings = fb_feed_manager_dup_feed_settings (manager, id);

  gtk_container_add (GTK_CONTAINER (box), feed_row_texts (row));
  gtk_container_add (GTK_CONTAINER (box), enabled_switch_new (row));
  gtk_container_add (GTK_CONTAINER (box),
                     row_button_new ("document-edit-symbolic", _("Edit feed"), "win.edit-feed", id));
  gtk_container_add (GTK_CONTAINER (box),
                     row_button_new ("user-trash-symbolic", _("Remove feed"), "win.remove-feed", id));
  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 6);
  gtk_widget_set_margin_top (box, 10);
  gtk_widget_set_margin_bottom (box, 10);
  gtk_container_add (GTK_CONTAINER (list_row), box);

  g_object_set_data_full (G_OBJECT (list_row), "fb-feed-row", row, (GDestroyNotify) feed_row_free);
  feed_row_update (row);
  gtk_widget_show_all (list_row);

  return list_row;
}

/* The feed shown by @list_row, or NULL if it is not a feed's row. */
FbFeed *
_fb_window_feed_row_get_feed (GtkListBoxRow *list_row)
{
  FeedRow *row = g_object_get_data (G_OBJECT (list_row), "fb-feed-row");

  return row != NULL ? row->feed : NULL;
}

void
_fb_window_feed_row_update (GtkListBoxRow *list_row)
{
  FeedRow *row = g_object_get_data (G_OBJECT (list_row), "fb-feed-row");

  g_return_if_fail (row != NULL);

  feed_row_update (row);
}
