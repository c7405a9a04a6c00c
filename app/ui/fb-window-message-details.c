/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "fb-window"

#include "config.h"

#include "fb-window-private.h"

#include <glib/gi18n.h>
#include <string.h>

#include "fb-markdown.h"
#include "fb-url.h"

/*
 * The pane beside the Messages list: the selected message whole. Its text
 * comes from servers and is shown as text, never as markup: GtkLabel's
 * markup is built here with every piece escaped, and only http(s) addresses
 * (fb_url_is_http(), as for a notification's buttons) become links. A
 * Markdown body (ntfy's text/markdown) is shown as a notification shows it,
 * in the markup fb_markdown_to_markup() makes: bold, italics, and links to
 * http(s) addresses only, everything else escaped. Links and buttons
 * activate app.open-url, which checks the address again.
 */

/* Where a link in a body ends: trailing punctuation belongs to the sentence. */
#define TRAILING_PUNCTUATION ".,;:!?)]}'\""

static void
append_escaped (GString    *markup,
                const char *text,
                gssize      len)
{
  g_autofree char *escaped = g_markup_escape_text (text, len);

  g_string_append (markup, escaped);
}

/**
 * _fb_window_message_body_markup:
 * @text: a message's body, plain text
 *
 * Returns: Pango markup showing @text as it is, its http(s) addresses as
 *   links
 */
char *
_fb_window_message_body_markup (const char *text)
{
  static GRegex *url_regex;   /* the main thread's, kept */
  g_autoptr(GMatchInfo) match = NULL;
  GString *markup = g_string_new (NULL);
  const char *done = text;

  if (url_regex == NULL)
    url_regex = g_regex_new ("https?://[^\\s<>\"]+", G_REGEX_CASELESS | G_REGEX_OPTIMIZE,
                             G_REGEX_MATCH_DEFAULT, NULL);

  g_regex_match (url_regex, text, G_REGEX_MATCH_DEFAULT, &match);
  while (g_match_info_matches (match))
    {
      int start, end;
      g_autofree char *url = NULL;

      g_match_info_fetch_pos (match, 0, &start, &end);
      while (end > start && strchr (TRAILING_PUNCTUATION, text[end - 1]) != NULL)
        end--;
      url = g_strndup (text + start, end - start);
      if (fb_url_is_http (url))
        {
          g_autofree char *escaped = g_markup_escape_text (url, -1);

          append_escaped (markup, done, text + start - done);
          g_string_append_printf (markup, "<a href=\"%s\">%s</a>", escaped, escaped);
          done = text + end;
        }
      g_match_info_next (match, NULL);
    }
  append_escaped (markup, done, -1);

  return g_string_free (markup, FALSE);
}

static GtkWidget *
link_button_new (const char *label,
                 const char *url)
{
  GtkWidget *button = gtk_button_new_with_label (label);
  GtkWidget *child = gtk_bin_get_child (GTK_BIN (button));

  /* No mnemonic, no markup: labels come from servers. */
  gtk_label_set_ellipsize (GTK_LABEL (child), PANGO_ELLIPSIZE_END);
  gtk_label_set_max_width_chars (GTK_LABEL (child), 40);
  gtk_widget_set_tooltip_text (button, url);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "app.open-url");
  gtk_actionable_set_action_target (GTK_ACTIONABLE (button), "s", url);
  gtk_widget_show (button);

  return button;
}

static void
add_buttons (FbMessageDetails *details,
             FbMessage        *message)
{
  const char *click = fb_message_get_click_url (message);
  const char *attachment = fb_message_get_attachment_url (message);
  g_autoptr(GList) old = gtk_container_get_children (GTK_CONTAINER (details->buttons));

  for (GList *l = old; l != NULL; l = l->next)
    gtk_widget_destroy (l->data);

  if (fb_url_is_http (click))
    gtk_container_add (GTK_CONTAINER (details->buttons), link_button_new (_("Open Link"), click));
  if (fb_url_is_http (attachment))
    {
      const char *name = fb_message_get_attachment_name (message);
      g_autofree char *label = g_strdup_printf ("📎 %s", name != NULL ? name : attachment);

      gtk_container_add (GTK_CONTAINER (details->buttons), link_button_new (label, attachment));
    }
  for (guint i = 0; i < fb_message_get_n_actions (message); i++)
    {
      const char *label, *url;

      if (fb_message_get_action (message, i, &label, &url) && fb_url_is_http (url))
        gtk_container_add (GTK_CONTAINER (details->buttons), link_button_new (label, url));
    }

  gtk_widget_set_visible (GTK_WIDGET (details->buttons), click != NULL || attachment != NULL ||
                          fb_message_get_n_actions (message) > 0);
}

/* When, how urgent, and its tags, on one line. */
static char *
dup_info (FbHistoryEntry *entry)
{
  FbMessage *message = fb_history_entry_get_message (entry);
  gint64 received = fb_history_entry_get_received (entry);
  g_autofree char *day = _fb_window_message_dup_day (received);
  g_autofree char *time = _fb_window_message_dup_time (received);
  g_autofree char *tags = _fb_window_message_dup_tags (message);
  const char *priority = _fb_window_message_priority_text (fb_message_get_priority (message));
  g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func (g_free);

  /* TRANSLATORS: when a message came: "Today, 14:02", "Monday, March 3, 14:02" */
  g_ptr_array_add (parts, g_strdup_printf (_("%s, %s"), day, time));
  if (fb_history_entry_is_note (entry))
    g_ptr_array_add (parts, g_strdup (_("Note from Feedbell")));
  if (priority != NULL)
    g_ptr_array_add (parts, g_strdup (priority));
  if (tags != NULL)
    g_ptr_array_add (parts, g_steal_pointer (&tags));
  g_ptr_array_add (parts, NULL);

  /* TRANSLATORS: between the parts of a message's details: "Today, 14:02 · Urgent" */
  return g_strjoinv (_(" · "), (char **) parts->pdata);
}

static void
set_italic (GtkLabel *label,
            gboolean  italic)
{
  PangoAttrList *attributes = pango_attr_list_new ();

  if (italic)
    pango_attr_list_insert (attributes, pango_attr_style_new (PANGO_STYLE_ITALIC));
  gtk_label_set_attributes (label, attributes);
  pango_attr_list_unref (attributes);
}

/**
 * _fb_window_message_details_show:
 * @entry: (nullable): the message to show, or NULL for none
 */
void
_fb_window_message_details_show (FbMessageDetails *details,
                                 FbHistoryEntry   *entry)
{
  FbMessage *message;
  const char *body;
  g_autofree char *info = NULL;
  g_autofree char *markup = NULL;

  if (entry == NULL)
    {
      gtk_stack_set_visible_child_name (details->stack, "none");
      return;
    }

  message = fb_history_entry_get_message (entry);
  body = fb_message_get_body (message);
  info = dup_info (entry);

  gtk_label_set_text (details->feed, fb_message_get_feed_name (message));
  gtk_label_set_text (details->title, fb_message_get_title (message));
  gtk_label_set_text (details->info, info);
  gtk_widget_show (GTK_WIDGET (details->info));
  if (body != NULL && body[0] != '\0')
    {
      if (fb_message_is_markdown (message))
        markup = fb_markdown_to_markup (body, -1, FB_MARKDOWN_MAX_CHARS);
      else
        markup = _fb_window_message_body_markup (body);
      gtk_label_set_markup (details->body, markup);
      set_italic (details->body, fb_history_entry_is_note (entry));
    }
  gtk_widget_set_visible (GTK_WIDGET (details->body), markup != NULL);
  add_buttons (details, message);

  gtk_stack_set_visible_child_name (details->stack, "message");
}
