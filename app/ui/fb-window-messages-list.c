/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "fb-window"

#include "config.h"

#include "fb-window-messages-private.h"

#include <glib/gi18n.h>

/*
 * The Messages list's rows, read from the history: never a widget per
 * stored message. A page of FB_MESSAGES_PAGE_SIZE rows is read with
 * fb_history_query(), the next one when the list is scrolled to its end (or
 * does not fill its window). The rows loaded cover the ids from oldest_id to
 * newest_id. When the history says "changed" (a burst of commits: one
 * refresh), the rows whose entries left that range are dropped and what is
 * newer than newest_id is put on top (at most ROWS_MAX rows are kept). Filling the list anew (another
 * filter, a search) gives the rows it has new entries rather than making
 * new rows.
 *
 * Read: while the page is on screen and the window active, what it shows
 * is marked read in the history, and so is what arrives meanwhile. A row
 * keeps the look its entry had when the row got it: bold rows are what was
 * new when the list was filled, until it is filled again (another filter,
 * a search, the window opened again). With a search, only the entries
 * shown are marked, one by one; without, everything up to the newest shown.
 */

/* "changed" comes once per commit; a flood commits several times a second. */
#define REFRESH_MS 100
/* What arrives while the list is open goes on top, and the oldest rows go
 * beyond this many (they come back when scrolled to): a window left open
 * for days does not hold a row per message of those days. */
#define ROWS_MAX   (10 * FB_MESSAGES_PAGE_SIZE)

static GPtrArray *
query (FbWindowMessages *self,
       gint64            before_id,
       gint64            after_id,
       guint             limit)
{
  FbHistoryQuery query = { 0, };
  g_autoptr(GError) error = NULL;
  GPtrArray *entries;

  query.feed_id = self->feed_id;
  query.search = self->search;
  query.before_id = before_id;
  query.after_id = after_id;
  query.limit = limit;
  entries = fb_history_query (self->history, &query, &error);
  if (entries == NULL)
    {
      g_message ("Could not read the message history: %s", error->message);
      return g_ptr_array_new ();
    }

  return entries;
}

static gint64
entry_id (GPtrArray *entries,
          guint      index)
{
  return fb_history_entry_get_id (g_ptr_array_index (entries, index));
}

static gboolean
is_seen (FbWindowMessages *self)
{
  return gtk_stack_get_visible_child (self->stack) == self->page &&
         gtk_widget_get_mapped (self->page) &&
         gtk_window_is_active (GTK_WINDOW (self->window));
}

/* Marks read what the page shows, when a person can see it (see the top). */
void
_fb_window_messages_mark_seen (FbWindowMessages *self)
{
  if (!is_seen (self) || fb_history_get_unread (self->history, self->feed_id) == 0)
    return;

  if (self->search != NULL)
    {
      g_autoptr(GList) rows = gtk_container_get_children (GTK_CONTAINER (self->list));

      for (GList *l = rows; l != NULL; l = l->next)
        if (_fb_window_message_row_take_unseen (l->data))
          fb_history_mark_entry_read (self->history, _fb_window_message_row_get_id (l->data));
      return;
    }

  if (self->newest_id > self->read_up_to)
    {
      fb_history_mark_read (self->history, self->feed_id, self->newest_id);
      self->read_up_to = self->newest_id;
    }
}

void
_fb_window_messages_update_empty (FbWindowMessages *self)
{
  gboolean empty = gtk_list_box_get_row_at_index (self->list, 0) == NULL;

  if (empty && self->search != NULL)
    {
      g_autofree char *text = g_strdup_printf (_("No messages match “%s”"), self->search);

      gtk_label_set_text (self->empty_label, text);
    }
  else if (empty)
    {
      gtk_label_set_text (self->empty_label, _("No messages yet"));
    }
  gtk_stack_set_visible_child_name (self->list_stack, empty ? "empty" : "list");
}

/* Notes the range @entries (a page, newest first) adds to the list. */
static void
extend_range (FbWindowMessages *self,
              GPtrArray        *entries)
{
  if (entries->len > 0)
    {
      if (self->newest_id == 0)
        self->newest_id = entry_id (entries, 0);
      self->oldest_id = entry_id (entries, entries->len - 1);
    }
  self->complete = entries->len < FB_MESSAGES_PAGE_SIZE;
}

/* The next page, below the rows there are. */
void
_fb_window_messages_load_more (FbWindowMessages *self)
{
  g_autoptr(GPtrArray) entries = NULL;

  if (self->complete)
    return;

  entries = query (self, self->oldest_id, 0, FB_MESSAGES_PAGE_SIZE);
  for (guint i = 0; i < entries->len; i++)
    gtk_container_add (GTK_CONTAINER (self->list), _fb_window_message_row_new (g_ptr_array_index (entries, i)));
  extend_range (self, entries);
  _fb_window_messages_mark_seen (self);
}

void
_fb_window_messages_clear_rows (FbWindowMessages *self)
{
  g_autoptr(GList) rows = gtk_container_get_children (GTK_CONTAINER (self->list));

  for (GList *l = rows; l != NULL; l = l->next)
    gtk_widget_destroy (l->data);
}

/* Fills the list anew, from the newest entry of the filter and search. The
 * rows there are get the first page's entries: making and destroying rows
 * cost as much as laying them out. */
void
_fb_window_messages_reload (FbWindowMessages *self)
{
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GList) rows = NULL;
  GList *l;
  guint i;

  g_clear_handle_id (&self->refresh_id, g_source_remove);
  self->newest_id = self->oldest_id = 0;
  self->complete = FALSE;
  self->read_up_to = 0;
  gtk_list_box_unselect_all (self->list);

  entries = query (self, 0, 0, FB_MESSAGES_PAGE_SIZE);
  rows = gtk_container_get_children (GTK_CONTAINER (self->list));
  for (i = 0, l = rows; i < entries->len && l != NULL; i++, l = l->next)
    _fb_window_message_row_set_entry (l->data, g_ptr_array_index (entries, i));
  for (; l != NULL; l = l->next)
    gtk_widget_destroy (l->data);
  for (; i < entries->len; i++)
    gtk_container_add (GTK_CONTAINER (self->list), _fb_window_message_row_new (g_ptr_array_index (entries, i)));
  gtk_list_box_invalidate_headers (self->list);
  gtk_adjustment_set_value (gtk_scrolled_window_get_vadjustment (self->scroll), 0);

  extend_range (self, entries);
  _fb_window_messages_update_empty (self);
  _fb_window_messages_mark_seen (self);
}

/* Drops the rows whose entries left the loaded range (deleted, pruned,
 * their feed's history cleared): the range is read again. */
static void
drop_deleted (FbWindowMessages *self)
{
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GHashTable) alive = NULL;
  g_autoptr(GList) rows = NULL;
  gint64 cursor = self->newest_id + 1;

  for (;;)
    {
      g_autoptr(GPtrArray) entries = query (self, cursor, self->oldest_id - 1, FB_HISTORY_QUERY_MAX);

      for (guint i = 0; i < entries->len; i++)
        {
          gint64 id = entry_id (entries, i);

          g_array_append_val (ids, id);
        }
      if (entries->len < FB_HISTORY_QUERY_MAX)
        break;
      cursor = entry_id (entries, entries->len - 1);
    }

  /* Filled, then never grown: the keys point into @ids. */
  alive = g_hash_table_new (g_int64_hash, g_int64_equal);
  for (guint i = 0; i < ids->len; i++)
    g_hash_table_add (alive, &g_array_index (ids, gint64, i));

  rows = gtk_container_get_children (GTK_CONTAINER (self->list));
  for (GList *l = rows; l != NULL; l = l->next)
    {
      gint64 id = _fb_window_message_row_get_id (l->data);

      if (!g_hash_table_contains (alive, &id))
        gtk_widget_destroy (l->data);
    }
}

/* Drops the oldest rows beyond ROWS_MAX, unless the selected one is
 * among them; the next page then starts after the last row kept. */
static void
trim_rows (FbWindowMessages *self)
{
  g_autoptr(GList) rows = gtk_container_get_children (GTK_CONTAINER (self->list));
  GList *last_kept = g_list_nth (rows, ROWS_MAX - 1);
  GtkListBoxRow *selected = gtk_list_box_get_selected_row (self->list);

  if (last_kept == NULL || last_kept->next == NULL ||
      (selected != NULL && gtk_list_box_row_get_index (selected) >= ROWS_MAX))
    return;

  for (GList *l = last_kept->next; l != NULL; l = l->next)
    gtk_widget_destroy (l->data);
  self->oldest_id = _fb_window_message_row_get_id (last_kept->data);
  self->complete = FALSE;
}

/* Puts what arrived since the newest row on top; a page or more of them
 * (a flood) fills the list anew instead, from the newest. */
static void
add_newer (FbWindowMessages *self)
{
  g_autoptr(GPtrArray) entries = query (self, 0, self->newest_id, FB_MESSAGES_PAGE_SIZE);

  if (entries->len == FB_MESSAGES_PAGE_SIZE)
    {
      _fb_window_messages_reload (self);
      return;
    }

  for (guint i = entries->len; i-- > 0;)
    gtk_list_box_insert (self->list, _fb_window_message_row_new (g_ptr_array_index (entries, i)), 0);
  if (entries->len > 0)
    self->newest_id = entry_id (entries, 0);
  trim_rows (self);
}

/* Brings the rows in step with the history: what went, what came. */
void
_fb_window_messages_refresh (FbWindowMessages *self)
{
  g_clear_handle_id (&self->refresh_id, g_source_remove);

  if (self->newest_id == 0)
    {
      _fb_window_messages_reload (self);
      return;
    }

  drop_deleted (self);
  add_newer (self);
  _fb_window_messages_update_empty (self);
  _fb_window_messages_mark_seen (self);
}

static gboolean
refresh_cb (gpointer user_data)
{
  FbWindowMessages *self = user_data;

  self->refresh_id = 0;
  _fb_window_messages_refresh (self);

  return G_SOURCE_REMOVE;
}

void
_fb_window_messages_queue_refresh (FbWindowMessages *self)
{
  if (self->refresh_id == 0)
    self->refresh_id = g_timeout_add (REFRESH_MS, refresh_cb, self);
}

GtkListBoxRow *
_fb_window_messages_find_row (FbWindowMessages *self,
                              gint64            id)
{
  g_autoptr(GList) rows = gtk_container_get_children (GTK_CONTAINER (self->list));

  for (GList *l = rows; l != NULL; l = l->next)
    if (_fb_window_message_row_get_id (l->data) == id)
      return l->data;

  return NULL;
}

/* A list shorter than its window cannot be scrolled to its end: the next
 * page comes now, until it can or everything is there. */
static gboolean
fill_cb (gpointer user_data)
{
  FbWindowMessages *self = user_data;
  GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (self->scroll);

  self->fill_id = 0;
  if (gtk_adjustment_get_upper (adjustment) <= gtk_adjustment_get_page_size (adjustment))
    _fb_window_messages_load_more (self);

  return G_SOURCE_REMOVE;
}

static void
adjustment_changed_cb (GtkAdjustment    *adjustment,
                       FbWindowMessages *self)
{
  /* Not while GTK allocates: in an idle. */
  if (!self->complete && self->fill_id == 0 && gtk_widget_get_mapped (GTK_WIDGET (self->list)) &&
      gtk_adjustment_get_upper (adjustment) <= gtk_adjustment_get_page_size (adjustment))
    self->fill_id = g_idle_add (fill_cb, self);
}

void
_fb_window_messages_init_list (FbWindowMessages *self)
{
  GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (self->scroll);

  gtk_list_box_set_header_func (self->list, _fb_window_message_row_header_cb, NULL, NULL);
  /* A row that gets the focus is scrolled to. */
  gtk_container_set_focus_vadjustment (GTK_CONTAINER (self->list), adjustment);
  g_signal_connect (adjustment, "changed", G_CALLBACK (adjustment_changed_cb), self);
  g_signal_connect_swapped (self->history, "changed", G_CALLBACK (_fb_window_messages_queue_refresh), self);
}

void
_fb_window_messages_dispose_list (FbWindowMessages *self)
{
  g_clear_handle_id (&self->refresh_id, g_source_remove);
  g_clear_handle_id (&self->fill_id, g_source_remove);
  g_signal_handlers_disconnect_by_data (gtk_scrolled_window_get_vadjustment (self->scroll), self);
  g_signal_handlers_disconnect_by_data (self->history, self);
}
