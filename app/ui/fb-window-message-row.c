/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "fb-window"

#include "config.h"

#include "fb-window-private.h"

#include <glib/gi18n.h>

#include "fb-markdown.h"

/*
 * One message's row in the Messages view: its title (bold, after a dot,
 * when the entry was unread as the row got it), then its feed, the time,
 * its tags and the start of its body; a note Feedbell wrote itself is dim
 * and italic. Two labels a row, their texts cut short: laying out their
 * text is most of what showing a page of rows costs. A row can be given
 * another entry (_fb_window_message_row_set_entry()), so that a search
 * reuses the rows there are.
 *
 * Also the day headers between rows, and the words rows and details share:
 * tags, priorities, days and times.
 */

/* Each line is ellipsized to the list's width; this only bounds the text
 * measured, well beyond what a list a third of a screen wide shows. */
#define TITLE_CHARS   100
#define EXCERPT_CHARS 80
#define UNREAD_DOT    "\u25CF"

typedef struct
{
  FbHistoryEntry *entry;
  GtkWidget      *box;
  GtkWidget      *title;
  GtkWidget      *second;
  char           *time;
  int             day;          /* yyyymmdd, local time */
  gboolean        unread;       /* as the entry was when the row got it */
  gboolean        unseen;       /* unread, and not yet marked read for being seen */
} MessageRow;

static void
message_row_free (MessageRow *row)
{
  g_clear_object (&row->entry);
  g_free (row->time);
  g_free (row);
}

static MessageRow *
get_row (GtkListBoxRow *list_row)
{
  return g_object_get_data (G_OBJECT (list_row), "fb-message-row");
}

/* --- words -------------------------------------------------------------- */

/**
 * _fb_window_message_dup_tags:
 *
 * Returns: (nullable): the message's tags, an emoji for those ntfy has
 *   one for and the word for the rest, or NULL when it has none
 */
char *
_fb_window_message_dup_tags (FbMessage *message)
{
  const char * const *tags = fb_message_get_tags (message);
  GString *text;

  if (tags == NULL || tags[0] == NULL)
    return NULL;

  text = g_string_new (NULL);
  for (guint i = 0; tags[i] != NULL; i++)
    {
      const char *emoji = fb_emoji_for_tag (tags[i]);

      if (text->len > 0)
        g_string_append_c (text, ' ');
      g_string_append (text, emoji != NULL ? emoji : tags[i]);
    }

  return g_string_free (text, FALSE);
}

/* ntfy's priorities, 3 being the default: NULL then. */
const char *
_fb_window_message_priority_text (int priority)
{
  switch (priority)
    {
    case 5:
      return _("Urgent");
    case 4:
      return _("High priority");
    case 2:
      return _("Low priority");
    case 1:
      return _("Lowest priority");
    default:
      return NULL;
    }
}

static int
day_of (GDateTime *time)
{
  return g_date_time_get_year (time) * 10000 + g_date_time_get_month (time) * 100 +
         g_date_time_get_day_of_month (time);
}

/* "Today", "Yesterday", else the date: a day header's words. */
char *
_fb_window_message_dup_day (gint64 received_us)
{
  g_autoptr(GDateTime) time = g_date_time_new_from_unix_local (received_us / G_USEC_PER_SEC);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autoptr(GDateTime) yesterday = g_date_time_add_days (now, -1);

  if (time == NULL)
    return g_strdup ("");
  if (day_of (time) == day_of (now))
    return g_strdup (_("Today"));
  if (day_of (time) == day_of (yesterday))
    return g_strdup (_("Yesterday"));
  if (g_date_time_get_year (time) == g_date_time_get_year (now))
    /* TRANSLATORS: a day header in the Messages view, see strftime */
    return g_date_time_format (time, _("%A, %B %-d"));

  /* TRANSLATORS: a day header in the Messages view, in another year, see strftime */
  return g_date_time_format (time, _("%A, %B %-d, %Y"));
}

char *
_fb_window_message_dup_time (gint64 received_us)
{
  g_autoptr(GDateTime) time = g_date_time_new_from_unix_local (received_us / G_USEC_PER_SEC);

  /* TRANSLATORS: a time of day, see strftime */
  return time != NULL ? g_date_time_format (time, _("%H:%M")) : g_strdup ("");
}

/* --- the row -------------------------------------------------------------- */

static GtkWidget *
label_new (const char *text,
           const char *style_class)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_label_set_single_line_mode (GTK_LABEL (label), TRUE);
  if (style_class != NULL)
    gtk_style_context_add_class (gtk_widget_get_style_context (label), style_class);

  return label;
}

/* The title's line: a dot and bold while unread, "!" for priorities 4 and 5. */
static void
update_title (MessageRow *row)
{
  FbMessage *message = fb_history_entry_get_message (row->entry);
  int priority = fb_message_get_priority (message);
  const char *title = fb_message_get_title (message);
  g_autofree char *cut = g_utf8_substring (title, 0, MIN ((glong) TITLE_CHARS, g_utf8_strlen (title, -1)));
  g_autofree char *text = g_strdup_printf ("%s%s%s", row->unread ? UNREAD_DOT " " : "",
                                           priority >= 4 ? "! " : "", cut);
  PangoAttrList *attributes = pango_attr_list_new ();

  if (row->unread)
    pango_attr_list_insert (attributes, pango_attr_weight_new (PANGO_WEIGHT_BOLD));
  if (fb_history_entry_is_note (row->entry))
    pango_attr_list_insert (attributes, pango_attr_style_new (PANGO_STYLE_ITALIC));
  gtk_label_set_text (GTK_LABEL (row->title), text);
  gtk_label_set_attributes (GTK_LABEL (row->title), attributes);
  pango_attr_list_unref (attributes);
}

/* The feed, the time, the tags and the start of the body, on one line. */
static char *
dup_second_line (FbHistoryEntry *entry,
                 const char     *time)
{
  FbMessage *message = fb_history_entry_get_message (entry);
  g_autofree char *tags = _fb_window_message_dup_tags (message);
  const char *body = fb_message_get_body (message);
  g_autofree char *excerpt = NULL;
  GString *line = g_string_new (NULL);

  /* TRANSLATORS: a message row's feed and time: "Builds · 14:02" */
  g_string_append_printf (line, _("%s · %s"), fb_message_get_feed_name (message), time);
  if (tags != NULL)
    g_string_append_printf (line, " · %s", tags);
  if (body != NULL && body[0] != '\0')
    {
      /* Markdown as it reads, without its asterisks and brackets. */
      if (fb_message_is_markdown (message))
        excerpt = fb_markdown_to_text (body, -1, EXCERPT_CHARS);
      else
        excerpt = g_utf8_substring (body, 0, MIN ((glong) EXCERPT_CHARS, g_utf8_strlen (body, -1)));
      g_strdelimit (excerpt, "\r\n\t", ' ');
      /* TRANSLATORS: between a message's feed, time and tags and the start of its text in a row */
      g_string_append_printf (line, _(" — %s"), excerpt);
    }

  return g_string_free (line, FALSE);
}

/* What a screen reader says of the row: unread first, then what matters most. */
static void
update_accessible (GtkWidget  *list_row,
                   MessageRow *row)
{
  FbMessage *message = fb_history_entry_get_message (row->entry);
  const char *priority = _fb_window_message_priority_text (fb_message_get_priority (message));
  AtkObject *accessible = gtk_widget_get_accessible (list_row);
  g_autoptr(GPtrArray) parts = g_ptr_array_new ();
  g_autofree char *name = NULL;

  if (row->unread)
    g_ptr_array_add (parts, (gpointer) _("Unread"));
  if (fb_history_entry_is_note (row->entry))
    g_ptr_array_add (parts, (gpointer) _("Note"));
  if (priority != NULL && fb_message_get_priority (message) >= 4)
    g_ptr_array_add (parts, (gpointer) priority);
  g_ptr_array_add (parts, (gpointer) fb_message_get_title (message));
  g_ptr_array_add (parts, (gpointer) fb_message_get_feed_name (message));
  g_ptr_array_add (parts, (gpointer) row->time);
  g_ptr_array_add (parts, NULL);

  /* TRANSLATORS: joins the parts of a message row's name for screen readers */
  name = g_strjoinv (_(", "), (char **) parts->pdata);
  atk_object_set_name (accessible, name);
}

/**
 * _fb_window_message_row_set_entry:
 *
 * Makes @list_row show @entry instead, as a new row would.
 */
void
_fb_window_message_row_set_entry (GtkListBoxRow  *list_row,
                                  FbHistoryEntry *entry)
{
  MessageRow *row = get_row (list_row);
  gint64 received_us = fb_history_entry_get_received (entry);
  g_autoptr(GDateTime) received = g_date_time_new_from_unix_local (received_us / G_USEC_PER_SEC);
  g_autofree char *second = NULL;

  g_return_if_fail (row != NULL);

  g_set_object (&row->entry, entry);
  g_free (row->time);
  row->time = _fb_window_message_dup_time (received_us);
  row->day = received != NULL ? day_of (received) : 0;
  row->unread = row->unseen = !fb_history_entry_get_read (entry);

  second = dup_second_line (entry, row->time);
  update_title (row);
  gtk_label_set_text (GTK_LABEL (row->second), second);
  if (fb_history_entry_is_note (entry))
    gtk_style_context_add_class (gtk_widget_get_style_context (row->box), "dim-label");
  else
    gtk_style_context_remove_class (gtk_widget_get_style_context (row->box), "dim-label");
  update_accessible (GTK_WIDGET (list_row), row);
}

/**
 * _fb_window_message_row_new:
 *
 * Returns: (transfer floating): a list row showing @entry
 */
GtkWidget *
_fb_window_message_row_new (FbHistoryEntry *entry)
{
  MessageRow *row = g_new0 (MessageRow, 1);
  GtkWidget *list_row = gtk_list_box_row_new ();

  row->box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  row->title = label_new (NULL, NULL);
  row->second = label_new (NULL, "dim-label");
  g_object_set (row->box, "margin-start", 12, "margin-end", 12, "margin-top", 8, "margin-bottom", 8, NULL);
  gtk_container_add (GTK_CONTAINER (row->box), row->title);
  gtk_container_add (GTK_CONTAINER (row->box), row->second);
  gtk_container_add (GTK_CONTAINER (list_row), row->box);
  g_object_set_data_full (G_OBJECT (list_row), "fb-message-row", row, (GDestroyNotify) message_row_free);

  _fb_window_message_row_set_entry (GTK_LIST_BOX_ROW (list_row), entry);
  gtk_widget_show_all (list_row);

  return list_row;
}

FbHistoryEntry *
_fb_window_message_row_get_entry (GtkListBoxRow *list_row)
{
  MessageRow *row = get_row (list_row);

  return row != NULL ? row->entry : NULL;
}

gint64
_fb_window_message_row_get_id (GtkListBoxRow *list_row)
{
  MessageRow *row = get_row (list_row);

  return row != NULL ? fb_history_entry_get_id (row->entry) : 0;
}

/* Shows the row read (Mark All as Read). */
void
_fb_window_message_row_set_read (GtkListBoxRow *list_row)
{
  MessageRow *row = get_row (list_row);

  if (row == NULL || !row->unread)
    return;

  row->unread = row->unseen = FALSE;
  update_title (row);
  update_accessible (GTK_WIDGET (list_row), row);
}

/* Whether the row's entry is still to be marked read for being seen: TRUE
 * once, for a row that got an unread entry. */
gboolean
_fb_window_message_row_take_unseen (GtkListBoxRow *list_row)
{
  MessageRow *row = get_row (list_row);
  gboolean unseen = row != NULL && row->unseen;

  if (row != NULL)
    row->unseen = FALSE;

  return unseen;
}

/* --- day headers ------------------------------------------------------------ */

static GtkWidget *
header_new (const char *text)
{
  GtkWidget *label = gtk_label_new (text);
  PangoAttrList *attributes = pango_attr_list_new ();

  pango_attr_list_insert (attributes, pango_attr_weight_new (PANGO_WEIGHT_BOLD));
  gtk_label_set_attributes (GTK_LABEL (label), attributes);
  pango_attr_list_unref (attributes);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  g_object_set (label, "margin-start", 12, "margin-end", 12, "margin-top", 12, "margin-bottom", 4, NULL);
  gtk_style_context_add_class (gtk_widget_get_style_context (label), "dim-label");
  gtk_widget_show (label);

  return label;
}

/* gtk_list_box_set_header_func(): a header above the first row of each day. */
void
_fb_window_message_row_header_cb (GtkListBoxRow *list_row,
                                  GtkListBoxRow *before,
                                  gpointer       user_data)
{
  MessageRow *row = get_row (list_row);
  MessageRow *previous = before != NULL ? get_row (before) : NULL;
  GtkWidget *header = gtk_list_box_row_get_header (list_row);
  g_autofree char *day = NULL;

  if (row == NULL || (previous != NULL && previous->day == row->day))
    {
      if (header != NULL)
        gtk_list_box_row_set_header (list_row, NULL);
      return;
    }

  day = _fb_window_message_dup_day (fb_history_entry_get_received (row->entry));
  if (header != NULL && g_strcmp0 (gtk_label_get_text (GTK_LABEL (header)), day) == 0)
    return;

  gtk_list_box_row_set_header (list_row, header_new (day));
}
