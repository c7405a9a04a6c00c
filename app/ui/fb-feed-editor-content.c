/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "fb-feed-editor"

#include "config.h"

#include "fb-feed-editor-private.h"

#include <glib/gi18n.h>
#include <string.h>

#include "fb-enums.h"
#include "fb-format.h"
#include "fb-gtk-util.h"
#include "fb-template.h"

/*
 * The Content page: the format, its templates and ignore rules, checked as
 * they are typed. A built-in format shows its preset read-only (the
 * templates of its last variant, the one for events of no particular kind);
 * "Copy to Custom" writes that preset into the feed's own keys and switches
 * to Custom, whose fields are bound to those keys. The fields are bound only
 * while the format is Custom, so that showing a preset never writes it.
 */

/* The template rows, made here rather than in the .ui: seven rows alike,
 * at rows TEMPLATE_FIRST_ROW… of the page's grid (label and field, then the
 * field's error). */
#define TEMPLATE_FIRST_ROW 10

/* In FbMappingField's order. */
static const char *field_labels[FB_MAPPING_N_FIELDS] = {
  N_("_Title"),
  N_("_Body"),
  N_("_Link"),
  N_("Ic_on"),
  N_("_Priority"),
  N_("Message _key"),
  N_("_Group"),
};

/* What the page says --------------------------------------------------------- */

FbMessageFormat
_fb_feed_editor_get_format (FbFeedEditor *self)
{
  return fb_format_from_nick (gtk_combo_box_get_active_id (GTK_COMBO_BOX (self->format_combo)));
}

/* Automatic's choice: what the running feed recognised, as long as the
 * address is still the one it reads; else what the address says. */
static FbMessageFormat
recognised_format (FbFeedEditor *self,
                   gboolean     *from_feed)
{
  g_autofree char *url = _fb_feed_editor_dup_url (self);

  *from_feed = FALSE;
  if (self->feed != NULL && g_strcmp0 (fb_feed_get_url (self->feed), url) == 0 &&
      fb_feed_get_recognised_format (self->feed) != FB_MESSAGE_FORMAT_AUTO)
    {
      *from_feed = TRUE;
      return fb_feed_get_recognised_format (self->feed);
    }

  return fb_format_guess_from_url (url);
}

/* The format whose templates the page shows: the chosen one, or for
 * Automatic the one it recognised (AUTO while none). */
FbMessageFormat
_fb_feed_editor_get_preset (FbFeedEditor *self)
{
  FbMessageFormat format = _fb_feed_editor_get_format (self);
  gboolean from_feed;

  return format == FB_MESSAGE_FORMAT_AUTO ? recognised_format (self, &from_feed) : format;
}

/* The name a feed without one gets, as FbFeed makes it. */
char *
_fb_feed_editor_dup_default_name (FbFeedEditor *self)
{
  g_autofree char *url = _fb_feed_editor_dup_url (self);

  if (url[0] == '\0')
    return NULL;

  return fb_format_default_feed_name (_fb_feed_editor_get_format (self), url);
}

static char *
dup_rules_text (FbFeedEditor *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->rules_view));
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

/* One rule per line, trimmed, without the blank lines. */
static char **
split_rules (const char *text)
{
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_strstrip (lines[i]);
      if (lines[i][0] != '\0')
        g_strv_builder_add (builder, lines[i]);
    }

  return g_strv_builder_end (builder);
}

/**
 * _fb_feed_editor_dup_custom_mapping:
 *
 * Returns: (nullable): the mapping the Custom fields make now, or %NULL
 *   while one of them does not parse
 */
FbMapping *
_fb_feed_editor_dup_custom_mapping (FbFeedEditor *self)
{
  const char *templates[FB_MAPPING_N_FIELDS];
  g_autofree char *text = dup_rules_text (self);
  g_auto(GStrv) rules = split_rules (text);

  for (guint i = 0; i < FB_MAPPING_N_FIELDS; i++)
    templates[i] = gtk_entry_get_text (GTK_ENTRY (self->template_entries[i]));

  return fb_mapping_new_custom (templates, (const char * const *) rules,
                                gtk_switch_get_active (GTK_SWITCH (self->skip_switch)), NULL);
}

/* Checking ------------------------------------------------------------------- */

/*
 * The 1-based column an error names, or 0. Errors start with "Column N: "
 * in the user's language ("第 N 列：" in Chinese): the first number is it.
 */
static guint
error_column (const char *message)
{
  const char *digits = strpbrk (message, "0123456789");

  return digits != NULL ? (guint) g_ascii_strtoull (digits, NULL, 10) : 0;
}

static void
show_field_error (GtkWidget  *field,
                  GtkWidget  *label,
                  const char *message)
{
  gtk_label_set_text (GTK_LABEL (label), message != NULL ? message : "");
  gtk_widget_set_visible (label, message != NULL);
  fb_widget_set_style_class (field, "error", message != NULL);
}

static gboolean
check_template (FbFeedEditor   *self,
                FbMappingField  field,
                gboolean        custom)
{
  GtkEntry *entry = GTK_ENTRY (self->template_entries[field]);
  const char *text = gtk_entry_get_text (entry);
  g_autoptr(FbTemplate) parsed = NULL;
  g_autoptr(GError) error = NULL;

  if (custom && text[0] != '\0')
    parsed = fb_template_parse (text, &error);

  show_field_error (GTK_WIDGET (entry), self->template_errors[field], error ? error->message : NULL);
  gtk_entry_set_icon_from_icon_name (entry, GTK_ENTRY_ICON_SECONDARY,
                                     error != NULL ? "dialog-error-symbolic" : NULL);
  if (error != NULL)
    gtk_entry_set_icon_tooltip_text (entry, GTK_ENTRY_ICON_SECONDARY, _("Go to the error"));

  return error == NULL;
}

static gboolean
check_rules (FbFeedEditor *self,
             gboolean      custom)
{
  g_autofree char *text = dup_rules_text (self);
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  g_autofree char *message = NULL;

  for (guint i = 0; custom && message == NULL && lines[i] != NULL; i++)
    {
      g_autoptr(GError) error = NULL;

      if (g_strstrip (lines[i])[0] != '\0' && !fb_mapping_check_rule (lines[i], &error))
        /* TRANSLATORS: an ignore rule that does not parse: the line, then why (with the column) */
        message = g_strdup_printf (_("Line %u: %s"), i + 1, error->message);
    }

  show_field_error (self->rules_scrolled, self->rules_error, message);
  return message == NULL;
}

static guint
check_content (FbFeedEditor *self,
               gboolean      custom)
{
  guint n_errors = 0;

  for (guint i = 0; i < FB_MAPPING_N_FIELDS; i++)
    n_errors += !check_template (self, i, custom);
  n_errors += !check_rules (self, custom);

  return n_errors;
}

/* An error's icon, or Enter in a field with an error: the cursor goes to
 * where the template stops making sense. */
static void
go_to_error (FbFeedEditor   *self,
             FbMappingField  field)
{
  GtkEntry *entry = GTK_ENTRY (self->template_entries[field]);
  g_autoptr(FbTemplate) parsed = NULL;
  g_autoptr(GError) error = NULL;
  guint column;

  parsed = fb_template_parse (gtk_entry_get_text (entry), &error);
  if (error == NULL)
    return;

  column = MIN (error_column (error->message), (guint) gtk_entry_get_text_length (entry) + 1);
  gtk_widget_grab_focus (GTK_WIDGET (entry));
  if (column > 0)
    gtk_editable_set_position (GTK_EDITABLE (entry), (int) column - 1);
}

static FbMappingField
field_of_entry (FbFeedEditor *self,
                GtkWidget    *entry)
{
  for (guint i = 0; i < FB_MAPPING_N_FIELDS; i++)
    {
      if (self->template_entries[i] == entry)
        return i;
    }
  g_assert_not_reached ();
}

static void
error_icon_press_cb (GtkEntry             *entry,
                     GtkEntryIconPosition  position,
                     GdkEvent             *event,
                     gpointer              user_data)
{
  FbFeedEditor *self = user_data;

  go_to_error (self, field_of_entry (self, GTK_WIDGET (entry)));
}

static void
template_activate_cb (GtkEntry *entry,
                      gpointer  user_data)
{
  FbFeedEditor *self = user_data;

  go_to_error (self, field_of_entry (self, GTK_WIDGET (entry)));
}

/* Binding the Custom fields -------------------------------------------------- */

static gboolean
rules_get_mapping (GValue   *value,
                   GVariant *variant,
                   gpointer  user_data)
{
  g_autofree const char **rules = g_variant_get_strv (variant, NULL);

  g_value_take_string (value, g_strjoinv ("\n", (char **) rules));
  return TRUE;
}

static GVariant *
rules_set_mapping (const GValue       *value,
                   const GVariantType *expected_type,
                   gpointer            user_data)
{
  g_auto(GStrv) rules = split_rules (g_value_get_string (value));

  return g_variant_new_strv ((const char * const *) rules, -1);
}

static void
bind_custom (FbFeedEditor *self,
             gboolean      bind)
{
  GtkTextBuffer *rules = gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->rules_view));

  if (bind == self->content_bound)
    return;
  self->content_bound = bind;

  for (guint i = 0; i < FB_MAPPING_N_FIELDS; i++)
    {
      if (bind)
        g_settings_bind (self->settings, fb_mapping_field_to_key (i), self->template_entries[i], "text",
                         G_SETTINGS_BIND_DEFAULT);
      else
        g_settings_unbind (self->template_entries[i], "text");
    }

  if (bind)
    {
      g_settings_bind_with_mapping (self->settings, "ignore", rules, "text", G_SETTINGS_BIND_DEFAULT,
                                    rules_get_mapping, rules_set_mapping, NULL, NULL);
      g_settings_bind (self->settings, "skip-first", self->skip_switch, "active", G_SETTINGS_BIND_DEFAULT);
    }
  else
    {
      g_settings_unbind (rules, "text");
      g_settings_unbind (self->skip_switch, "active");
    }
}

/* The fields show @preset: bound for Custom, its templates for a built-in
 * format, nothing for one read in C. */
static void
fill_fields (FbFeedEditor    *self,
             FbMessageFormat  preset)
{
  g_autoptr(FbMapping) mapping = NULL;
  g_autofree char *rules = NULL;
  gboolean custom = preset == FB_MESSAGE_FORMAT_CUSTOM;

  self->shown_preset = preset;
  bind_custom (self, custom);

  for (guint i = 0; i < FB_MAPPING_N_FIELDS; i++)
    gtk_editable_set_editable (GTK_EDITABLE (self->template_entries[i]), custom);
  gtk_text_view_set_editable (GTK_TEXT_VIEW (self->rules_view), custom);
  gtk_text_view_set_cursor_visible (GTK_TEXT_VIEW (self->rules_view), custom);
  gtk_widget_set_sensitive (self->skip_switch, custom);
  if (custom)
    return;

  mapping = fb_format_is_builtin_mapping (preset) ? fb_format_dup_mapping (preset) : fb_mapping_new ();
  for (guint i = 0; i < FB_MAPPING_N_FIELDS; i++)
    gtk_entry_set_text (GTK_ENTRY (self->template_entries[i]), fb_mapping_get_template (mapping, i));
  rules = g_strjoinv ("\n", (char **) fb_mapping_get_rules (mapping));
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->rules_view)), rules, -1);
  gtk_switch_set_active (GTK_SWITCH (self->skip_switch), fb_mapping_get_skip_first (mapping));
}

/* Showing it ----------------------------------------------------------------- */

static void
update_format_hint (FbFeedEditor *self)
{
  FbMessageFormat format = _fb_feed_editor_get_format (self);
  FbMessageFormat preset = _fb_feed_editor_get_preset (self);
  g_autofree char *text = NULL;
  gboolean from_feed;

  if (format == FB_MESSAGE_FORMAT_AUTO)
    {
      recognised_format (self, &from_feed);
      if (preset == FB_MESSAGE_FORMAT_AUTO)
        text = g_strdup (_("Not recognised yet: JSON is shown by its title, text and link members, anything else as plain text."));
      else if (from_feed)
        /* TRANSLATORS: what Automatic recognised from the feed's events, such as “Mastodon” */
        text = g_strdup_printf (_("Recognised: %s"), fb_format_get_label (preset));
      else
        /* TRANSLATORS: what Automatic recognised from the feed's address, such as “Mastodon” */
        text = g_strdup_printf (_("Recognised from the address: %s"), fb_format_get_label (preset));
    }
  else if (format == FB_MESSAGE_FORMAT_CUSTOM)
    text = g_strdup (_("This feed’s own templates and rules. A template reads the event’s JSON, such as {{ .title }} or {{ .content | striphtml }}."));
  else if (fb_format_is_builtin_mapping (format))
    text = g_strdup (_("A preset: these are its templates for events of no particular kind. Copy it to Custom to change it."));

  gtk_label_set_text (GTK_LABEL (self->format_hint), text != NULL ? text : "");
  gtk_widget_set_visible (self->format_hint, text != NULL);
  gtk_widget_set_visible (self->copy_button, fb_format_is_builtin_mapping (preset));
}

/* Formats read in C have no templates: the page says so instead. */
static void
update_visibility (FbFeedEditor *self)
{
  FbMessageFormat preset = _fb_feed_editor_get_preset (self);
  gboolean fields = preset == FB_MESSAGE_FORMAT_CUSTOM || fb_format_is_builtin_mapping (preset);
  g_autofree char *note = NULL;

  for (guint i = 0; i < FB_MAPPING_N_FIELDS; i++)
    {
      gtk_widget_set_visible (self->template_labels[i], fields);
      gtk_widget_set_visible (self->template_entries[i], fields);
    }
  gtk_widget_set_visible (self->rules_label, fields);
  gtk_widget_set_visible (self->rules_scrolled, fields);
  gtk_widget_set_visible (self->rules_hint, fields);
  gtk_widget_set_visible (self->skip_label, fields);
  gtk_widget_set_visible (self->skip_box, fields);

  if (preset == FB_MESSAGE_FORMAT_AUTO)
    note = g_strdup (_("Once the service is recognised, its templates and rules are shown here."));
  else if (!fields)
    /* TRANSLATORS: %s is a format, such as “ntfy” or “Plain text” */
    note = g_strdup_printf (_("%s is read by Feedbell itself: it has no templates or rules."),
                            fb_format_get_label (preset));
  gtk_label_set_text (GTK_LABEL (self->templates_note), note != NULL ? note : "");
  gtk_widget_set_visible (self->templates_note, note != NULL);
}

/* What changed may be the URL, the format, a field: the page catches up. */
void
_fb_feed_editor_update_content (FbFeedEditor *self)
{
  FbMessageFormat preset = _fb_feed_editor_get_preset (self);
  g_autofree char *default_name = _fb_feed_editor_dup_default_name (self);

  if ((int) preset != self->shown_preset)
    fill_fields (self, preset);

  self->n_content_errors = check_content (self, preset == FB_MESSAGE_FORMAT_CUSTOM);
  update_format_hint (self);
  update_visibility (self);
  gtk_entry_set_placeholder_text (GTK_ENTRY (self->name_entry),
                                  default_name != NULL ? default_name : _("Shown in notifications"));
  _fb_feed_editor_update_preview (self);
}

void
_fb_feed_editor_format_changed_cb (FbFeedEditor *self)
{
  if (self->settings != NULL)
    _fb_feed_editor_update (self);
}

void
_fb_feed_editor_content_changed_cb (FbFeedEditor *self)
{
  if (self->settings != NULL)
    _fb_feed_editor_update (self);
}

/* The preset's templates, rules and skip-first become the feed's own. */
void
_fb_feed_editor_copy_clicked_cb (FbFeedEditor *self)
{
  FbMessageFormat preset = _fb_feed_editor_get_preset (self);
  g_autoptr(FbMapping) mapping = NULL;

  if (!fb_format_is_builtin_mapping (preset))
    return;

  mapping = fb_format_dup_mapping (preset);
  for (guint i = 0; i < FB_MAPPING_N_FIELDS; i++)
    g_settings_set_string (self->settings, fb_mapping_field_to_key (i), fb_mapping_get_template (mapping, i));
  g_settings_set_strv (self->settings, "ignore", fb_mapping_get_rules (mapping));
  g_settings_set_boolean (self->settings, "skip-first", fb_mapping_get_skip_first (mapping));

  gtk_combo_box_set_active_id (GTK_COMBO_BOX (self->format_combo), fb_format_to_nick (FB_MESSAGE_FORMAT_CUSTOM));
  gtk_widget_grab_focus (self->template_entries[FB_MAPPING_FIELD_TITLE]);
}

/* Setting it up -------------------------------------------------------------- */

static void
add_template_row (FbFeedEditor   *self,
                  FbMappingField  field)
{
  GtkGrid *grid = GTK_GRID (self->content_grid);
  int row = TEMPLATE_FIRST_ROW + 2 * (int) field;
  GtkWidget *label = gtk_label_new_with_mnemonic (_(field_labels[field]));
  GtkWidget *entry = gtk_entry_new ();
  GtkWidget *error = gtk_label_new (NULL);
  PangoAttrList *small = pango_attr_list_new ();

  gtk_label_set_xalign (GTK_LABEL (label), 1);
  gtk_label_set_line_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_mnemonic_widget (GTK_LABEL (label), entry);
  gtk_widget_set_hexpand (entry, TRUE);
  gtk_entry_set_activates_default (GTK_ENTRY (entry), FALSE);
  fb_widget_set_style_class (entry, "monospace", TRUE);
  if (field == FB_MAPPING_FIELD_TITLE)
    {
      gtk_widget_set_margin_top (label, 12);
      gtk_widget_set_margin_top (entry, 12);
    }

  pango_attr_list_insert (small, pango_attr_scale_new (0.9));
  gtk_label_set_attributes (GTK_LABEL (error), small);
  pango_attr_list_unref (small);
  gtk_label_set_xalign (GTK_LABEL (error), 0);
  gtk_label_set_line_wrap (GTK_LABEL (error), TRUE);
  gtk_label_set_line_wrap_mode (GTK_LABEL (error), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_max_width_chars (GTK_LABEL (error), 50);
  fb_widget_set_style_class (error, "fb-failed", TRUE);

  g_signal_connect_swapped (entry, "changed", G_CALLBACK (_fb_feed_editor_content_changed_cb), self);
  g_signal_connect (entry, "icon-press", G_CALLBACK (error_icon_press_cb), self);
  g_signal_connect (entry, "activate", G_CALLBACK (template_activate_cb), self);

  gtk_grid_attach (grid, label, 0, row, 1, 1);
  gtk_grid_attach (grid, entry, 1, row, 1, 1);
  gtk_grid_attach (grid, error, 1, row + 1, 1, 1);
  self->template_labels[field] = label;
  self->template_entries[field] = entry;
  self->template_errors[field] = error;
}

static void
recognised_cb (FbFeedEditor *self)
{
  _fb_feed_editor_update (self);
}

/* Before the settings are bound: the format's items, the template rows. */
void
_fb_feed_editor_setup_content (FbFeedEditor *self)
{
  GtkTextBuffer *rules = gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->rules_view));
  GtkTextBuffer *sample = gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->sample_view));
  g_autoptr(GEnumClass) formats = g_type_class_ref (FB_TYPE_MESSAGE_FORMAT);

  self->shown_preset = -1;
  /* Every format, in FbMessageFormat's order, by the settings' nicks. */
  for (guint i = 0; i < formats->n_values; i++)
    gtk_combo_box_text_append (GTK_COMBO_BOX_TEXT (self->format_combo),
                               formats->values[i].value_nick,
                               fb_format_get_label (formats->values[i].value));

  for (guint i = 0; i < FB_MAPPING_N_FIELDS; i++)
    {
      add_template_row (self, i);
      gtk_widget_show (self->template_labels[i]);
      gtk_widget_show (self->template_entries[i]);
    }

  g_signal_connect_object (rules, "changed", G_CALLBACK (_fb_feed_editor_content_changed_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (sample, "changed", G_CALLBACK (_fb_feed_editor_content_changed_cb), self,
                           G_CONNECT_SWAPPED);

  if (self->feed_id != NULL)
    self->feed = fb_feed_manager_lookup (self->manager, self->feed_id);
  if (self->feed != NULL)
    {
      g_object_ref (self->feed);
      g_signal_connect_object (self->feed, "notify::reading", G_CALLBACK (recognised_cb), self,
                               G_CONNECT_SWAPPED);
    }
}
