/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "fb-feed-editor"

#include "config.h"

#define G_SETTINGS_ENABLE_BACKEND
#include "fb-feed-editor-private.h"

#include <gio/gsettingsbackend.h>
#include <glib/gi18n.h>

#include "fb-url.h"
#include "fb-gtk-util.h"

/*
 * Adds or edits one feed. The widgets are bound to the feed's settings in
 * delayed-apply mode, so nothing changes until Save applies them in one
 * batch (and the manager restarts only this feed). A new feed is edited in
 * a memory-backed copy of the schema and written once Save has created it.
 *
 * The token or password never touches GSettings: it goes from its entry to
 * the keyring (FbSecrets) and to the Test Connection request, nowhere else.
 */

#define NEW_FEED_PATH     FB_FEED_SETTINGS_PATH "new/"

enum {
  PROP_0,
  PROP_MANAGER,
  PROP_FEED_ID,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (FbFeedEditor, fb_feed_editor, GTK_TYPE_DIALOG)

/* Showing it ----------------------------------------------------------- */

static gboolean
url_is_plain_http (const char *url)
{
  return g_ascii_strncasecmp (url, "http:", 5) == 0;
}

/* The page on show: its scrolled window, and the form in it. */
static void
get_page (FbFeedEditor  *self,
          GtkWidget    **scrolled,
          GtkWidget    **grid)
{
  gboolean content = g_strcmp0 (gtk_stack_get_visible_child_name (GTK_STACK (self->pages)), "content") == 0;

  *scrolled = content ? self->content_scrolled : self->scrolled;
  *grid = content ? self->content_grid : self->grid;
}

/*
 * Rows come and go (credentials, warnings, the probe's verdict), and each
 * page has its own height: the dialog keeps fitting the page on show,
 * within the screen, rather than growing a scroll bar or keeping a blank
 * band.
 */
static gboolean
fit_height_cb (gpointer user_data)
{
  FbFeedEditor *self = user_data;
  GtkAllocation viewport;
  GdkRectangle workarea;
  GtkWidget *scrolled, *grid;
  int grid_min_height, grid_height, width, height, wanted;

  self->fit_id = 0;
  if (!gtk_widget_get_mapped (GTK_WIDGET (self)))
    return G_SOURCE_REMOVE;

  get_page (self, &scrolled, &grid);
  gtk_widget_get_allocation (scrolled, &viewport);
  gtk_widget_get_preferred_height_for_width (grid, viewport.width, &grid_min_height, &grid_height);
  gtk_window_get_size (GTK_WINDOW (self), &width, &height);
  gdk_monitor_get_workarea (gdk_display_get_monitor_at_window (gtk_widget_get_display (GTK_WIDGET (self)),
                                                               gtk_widget_get_window (GTK_WIDGET (self))),
                            &workarea);
  wanted = MIN (height + grid_height - viewport.height, workarea.height);
  if (wanted != height && wanted > 0)
    gtk_window_resize (GTK_WINDOW (self), width, wanted);

  return G_SOURCE_REMOVE;
}

void
_fb_feed_editor_queue_fit_height (FbFeedEditor *self)
{
  if (self->fit_id == 0)
    self->fit_id = g_idle_add (fit_height_cb, self);
}

void
_fb_feed_editor_update (FbFeedEditor *self)
{
  g_autofree char *url = _fb_feed_editor_dup_url (self);
  const char *auth = _fb_feed_editor_get_auth (self);
  gboolean token = g_str_equal (auth, "token");
  gboolean basic = g_str_equal (auth, "basic");
  gboolean url_ok = fb_url_is_http (url);
  g_autofree char *ca_file = g_settings_get_string (self->settings, "ca-file");

  gtk_widget_set_visible (self->token_label, token);
  gtk_widget_set_visible (self->token_entry, token);
  gtk_widget_set_visible (self->username_label, basic);
  gtk_widget_set_visible (self->username_entry, basic);
  gtk_widget_set_visible (self->password_label, basic);
  gtk_widget_set_visible (self->password_entry, basic);
  gtk_widget_set_visible (self->secret_hint_label, token || basic);
  _fb_feed_editor_update_secret_hint (self);

  gtk_widget_set_visible (self->url_error_label, url[0] != '\0' && !url_ok);
  fb_widget_set_style_class (self->url_entry, "error", url[0] != '\0' && !url_ok);
  gtk_widget_set_visible (self->http_warning, url_ok && (token || basic) && url_is_plain_http (url));

  gtk_label_set_text (GTK_LABEL (self->keyring_label),
                      self->keyring_message ? self->keyring_message : "");
  gtk_widget_set_visible (self->keyring_warning, (token || basic) && self->keyring == FB_KEYRING_MISSING);

  gtk_widget_set_sensitive (self->ca_clear_button, ca_file[0] != '\0');
  gtk_widget_set_sensitive (self->probe_button, url_ok);
  _fb_feed_editor_update_content (self);
  gtk_widget_set_sensitive (self->save_button, _fb_feed_editor_can_save (self));
  _fb_feed_editor_queue_fit_height (self);
}

static void
update_cb (FbFeedEditor *self)
{
  _fb_feed_editor_update (self);
}

static void
page_changed_cb (FbFeedEditor *self)
{
  _fb_feed_editor_queue_fit_height (self);
}

/* Ctrl+Page Down and Ctrl+Page Up go to the next and previous page, as in
 * a notebook; the focus goes with them, to the page's first field. */
static gboolean
switch_page (FbFeedEditor *self,
             int           step)
{
  GtkWidget *current = gtk_stack_get_visible_child (GTK_STACK (self->pages));
  g_autoptr(GList) children = gtk_container_get_children (GTK_CONTAINER (self->pages));
  int index = g_list_index (children, current) + step;
  GtkWidget *page;

  if (index < 0 || index >= (int) g_list_length (children))
    return FALSE;

  page = g_list_nth_data (children, index);
  gtk_stack_set_visible_child (GTK_STACK (self->pages), page);
  gtk_window_set_focus (GTK_WINDOW (self), NULL);
  gtk_widget_child_focus (page, GTK_DIR_TAB_FORWARD);
  return TRUE;
}

static gboolean
fb_feed_editor_key_press_event (GtkWidget   *widget,
                                GdkEventKey *event)
{
  FbFeedEditor *self = FB_FEED_EDITOR (widget);

  if ((event->state & gtk_accelerator_get_default_mod_mask ()) == GDK_CONTROL_MASK)
    {
      switch (event->keyval)
        {
        case GDK_KEY_Page_Down:
        case GDK_KEY_KP_Page_Down:
          switch_page (self, 1);
          return GDK_EVENT_STOP;
        case GDK_KEY_Page_Up:
        case GDK_KEY_KP_Page_Up:
          switch_page (self, -1);
          return GDK_EVENT_STOP;
        default:
          break;
        }
    }

  return GTK_WIDGET_CLASS (fb_feed_editor_parent_class)->key_press_event (widget, event);
}

static void
peek_cb (GtkEntry             *entry,
         GtkEntryIconPosition  position,
         GdkEvent             *event,
         gpointer              user_data)
{
  gboolean visible = !gtk_entry_get_visibility (entry);

  gtk_entry_set_visibility (entry, visible);
  gtk_entry_set_icon_from_icon_name (entry, position,
                                     visible ? "view-conceal-symbolic" : "view-reveal-symbolic");
  gtk_entry_set_icon_tooltip_text (entry, position, visible ? _("Hide the text") : _("Show the text"));
}

static void
bind_settings (FbFeedEditor *self)
{
  GSettings *settings = self->settings;

  g_settings_bind (settings, "name", self->name_entry, "text", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (settings, "url", self->url_entry, "text", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (settings, "auth", self->auth_combo, "active-id", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (settings, "username", self->username_entry, "text", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (settings, "format", self->format_combo, "active-id", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (settings, "idle-timeout", self->idle_spin, "value", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (settings, "muted", self->mute_switch, "active", G_SETTINGS_BIND_DEFAULT);
  _fb_feed_editor_bind_event_types (self);
  _fb_feed_editor_bind_min_priority (self);
}

void
_fb_feed_editor_set_feed_id (FbFeedEditor *self,
                             const char   *feed_id)
{
  if (g_strcmp0 (self->feed_id, feed_id) == 0)
    return;

  g_free (self->feed_id);
  self->feed_id = g_strdup (feed_id);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FEED_ID]);
}

static void
response_cb (GtkDialog *dialog,
             int        response)
{
  FbFeedEditor *self = FB_FEED_EDITOR (dialog);

  if (response == GTK_RESPONSE_OK)
    _fb_feed_editor_save (self);
  else
    gtk_widget_destroy (GTK_WIDGET (self));
}

/* GObject ---------------------------------------------------------------- */

/*
 * The form scrolls when the screen is small, but GTK 3 sizes a scrolled
 * window by its content's natural height at the content's *minimum* width,
 * where every hint wraps onto more lines than it will: the dialog would open
 * with a blank band at the bottom. Ask for the height the form needs at its
 * natural width instead; the minimum stays small, so narrow screens scroll.
 */
static void
fb_feed_editor_get_preferred_height_for_width (GtkWidget *widget,
                                               int        width,
                                               int       *minimum,
                                               int       *natural)
{
  FbFeedEditor *self = FB_FEED_EDITOR (widget);
  GtkWidget *scrolled, *grid;
  int window_min_width, window_width, grid_min_width, grid_width;
  int scrolled_min_height, scrolled_height, grid_min_height, grid_height;

  GTK_WIDGET_CLASS (fb_feed_editor_parent_class)->get_preferred_height_for_width (widget, width,
                                                                                minimum, natural);

  /* The form gets what the window's frame and borders leave of @width. */
  GTK_WIDGET_CLASS (fb_feed_editor_parent_class)->get_preferred_width (widget, &window_min_width,
                                                                      &window_width);
  get_page (self, &scrolled, &grid);
  gtk_widget_get_preferred_width (grid, &grid_min_width, &grid_width);
  grid_width = MAX (grid_min_width, width - (window_width - grid_width));

  gtk_widget_get_preferred_height (scrolled, &scrolled_min_height, &scrolled_height);
  gtk_widget_get_preferred_height_for_width (grid, grid_width, &grid_min_height, &grid_height);
  *natural = MAX (*minimum, *natural - scrolled_height + grid_height);
}

static GSettings *
new_feed_settings (void)
{
  g_autoptr(GSettingsBackend) backend = g_memory_settings_backend_new ();

  return g_settings_new_with_backend_and_path (FB_FEED_SCHEMA_ID, backend, NEW_FEED_PATH);
}

static void
fb_feed_editor_constructed (GObject *object)
{
  FbFeedEditor *self = FB_FEED_EDITOR (object);

  G_OBJECT_CLASS (fb_feed_editor_parent_class)->constructed (object);

  g_assert (self->manager != NULL);

  self->new_feed = self->feed_id == NULL;
  if (self->new_feed)
    {
      self->settings = new_feed_settings ();
      gtk_window_set_title (GTK_WINDOW (self), _("Add Feed"));
    }
  else
    {
      self->settings = fb_feed_manager_dup_feed_settings (self->manager, self->feed_id);
      g_settings_delay (self->settings);
      gtk_window_set_title (GTK_WINDOW (self), _("Edit Feed"));
    }
  self->stored_auth = g_settings_get_string (self->settings, "auth");
  self->stored_username = g_settings_get_string (self->settings, "username");

  _fb_feed_editor_setup_content (self);
  bind_settings (self);
  _fb_feed_editor_setup_ca_button (self);
  _fb_feed_editor_probe_keyring (self);
  _fb_feed_editor_update (self);

  gtk_entry_grab_focus_without_selecting (GTK_ENTRY (self->new_feed ? self->url_entry : self->name_entry));
}

static void
fb_feed_editor_dispose (GObject *object)
{
  FbFeedEditor *self = FB_FEED_EDITOR (object);

  if (self->probe_spinner != NULL)
    _fb_feed_editor_stop_probe (self);
  g_clear_handle_id (&self->fit_id, g_source_remove);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (fb_feed_editor_parent_class)->dispose (object);

  g_clear_object (&self->settings);
  g_clear_object (&self->feed);
  g_clear_object (&self->manager);
}

static void
fb_feed_editor_finalize (GObject *object)
{
  FbFeedEditor *self = FB_FEED_EDITOR (object);

  g_free (self->feed_id);
  g_free (self->stored_auth);
  g_free (self->stored_username);
  g_free (self->keyring_message);

  G_OBJECT_CLASS (fb_feed_editor_parent_class)->finalize (object);
}

static void
fb_feed_editor_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  FbFeedEditor *self = FB_FEED_EDITOR (object);

  switch (prop_id)
    {
    case PROP_MANAGER:
      g_value_set_object (value, self->manager);
      break;
    case PROP_FEED_ID:
      g_value_set_string (value, self->feed_id);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fb_feed_editor_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  FbFeedEditor *self = FB_FEED_EDITOR (object);

  switch (prop_id)
    {
    case PROP_MANAGER:
      self->manager = g_value_dup_object (value);
      break;
    case PROP_FEED_ID:
      self->feed_id = g_value_dup_string (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
install_properties (GObjectClass *object_class)
{
  properties[PROP_MANAGER] =
    g_param_spec_object ("manager", NULL, NULL, FB_TYPE_FEED_MANAGER,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_FEED_ID] =
    g_param_spec_string ("feed-id", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_EXPLICIT_NOTIFY |
                         G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
fb_feed_editor_class_init (FbFeedEditorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = fb_feed_editor_constructed;
  object_class->dispose = fb_feed_editor_dispose;
  object_class->finalize = fb_feed_editor_finalize;
  object_class->get_property = fb_feed_editor_get_property;
  object_class->set_property = fb_feed_editor_set_property;
  widget_class->get_preferred_height_for_width = fb_feed_editor_get_preferred_height_for_width;
  widget_class->key_press_event = fb_feed_editor_key_press_event;
  install_properties (object_class);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/feedbell/Feedbell/ui/fb-feed-editor.ui");
  gtk_widget_class_bind_template_child (widget_class, FbFeedEditor, save_button);
  gtk_widget_class_bind_template_child (widget_class, FbFeedEditor, scrolled);
  gtk_widget_class_bind_template_child (widget_class, FbFeedEditor, grid);
  gtk_widget_class_bind_template_child (widget_class, FbFeedEditor, name_entry);
  gtk_widget_class_bind_template_child (widget_class, FbFeedEditor, url_entry);
  gtk_widget_class_bind_template_child (widget_class, FbFeedEditor, url_error_label);
  gtk_widget_class_bind_template_child (widget_class, FbFeedEditor, http_warning);
  gtk_widget_class_bind_template_child (widget_class, FbFeedEditor, auth_combo);
  gtk_widget_class_bind_template_child (widget_class, FbFeedEditor, token_label);
  gtk_widget_class_bind_template_child (widget_class, FbFeedEditor, token_entry);
  gtk_widget_class_bind_template_child (widget_class, FbFeedEditor, username_label);
  gtk_widget_class_bind_template_child (widget_class, FbFeedEditor, username_entry);
  gtk_widget_class_bind_template_child (widget_class, FbFeedEditor, password_label);
  gtk_widget_class_bind_template_child (widget_class, FbFeedEditor, password_entry);
  gtk_widget_class_bind_template_child (widget_class, FbFeedEditor, secret_hint_label);
  gtk_widget_class_bind_template_child (widget_class, FbFeedEditor, keyring_warning);
  gtk_widget_class_bind_template_child (widget_class, FbFeedEditor, keyring_label);
  gtk_widget_class_bind_template_child (widget_class, FbFeedEditor, format_combo);
  gtk_widget_class_bind_template_child (widget_class, FbFeedEditor, event_types_entry);
  gtk_widget_class_bind_template_child (widget_class, FbFeedEditor, idle_spin);
  gtk_widget_class_bind_template_child (widget_class, FbFeedEditor, mute_switch);
  gtk_widget_class_bind_template_child (widget_class, FbFeedEditor, priority_combo);
  gtk_widget_class_bind_template_child (widget_class, FbFeedEditor, ca_button);
  gtk_widget_class_bind_template_child (widget_class, FbFeedEditor, ca_clear_button);
  gtk_widget_class_bind_template_child (widget_class, FbFeedEditor, probe_button);
  gtk_widget_class_bind_template_child (widget_class, FbFeedEditor, probe_spinner);
  gtk_widget_class_bind_template_child (widget_class, FbFeedEditor, probe_result);
  gtk_widget_class_bind_template_child (widget_class, FbFeedEditor, probe_icon);
  gtk_widget_class_bind_template_child (widget_class, FbFeedEditor, probe_label);
  gtk_widget_class_bind_template_child (widget_class, FbFeedEditor, pages);
  gtk_widget_class_bind_template_child (widget_class, FbFeedEditor, content_scrolled);
  gtk_widget_class_bind_template_child (widget_class, FbFeedEditor, content_grid);
  gtk_widget_class_bind_template_child (widget_class, FbFeedEditor, format_hint);
  gtk_widget_class_bind_template_child (widget_class, FbFeedEditor, copy_button);
  gtk_widget_class_bind_template_child (widget_class, FbFeedEditor, templates_note);
  gtk_widget_class_bind_template_child (widget_class, FbFeedEditor, rules_label);
  gtk_widget_class_bind_template_child (widget_class, FbFeedEditor, rules_scrolled);
  gtk_widget_class_bind_template_child (widget_class, FbFeedEditor, rules_view);
  gtk_widget_class_bind_template_child (widget_class, FbFeedEditor, rules_error);
  gtk_widget_class_bind_template_child (widget_class, FbFeedEditor, rules_hint);
  gtk_widget_class_bind_template_child (widget_class, FbFeedEditor, skip_label);
  gtk_widget_class_bind_template_child (widget_class, FbFeedEditor, skip_box);
  gtk_widget_class_bind_template_child (widget_class, FbFeedEditor, skip_switch);
  gtk_widget_class_bind_template_child (widget_class, FbFeedEditor, preview_source);
  gtk_widget_class_bind_template_child (widget_class, FbFeedEditor, preview_title);
  gtk_widget_class_bind_template_child (widget_class, FbFeedEditor, preview_body);
  gtk_widget_class_bind_template_child (widget_class, FbFeedEditor, preview_link);
  gtk_widget_class_bind_template_child (widget_class, FbFeedEditor, preview_urgency);
  gtk_widget_class_bind_template_child (widget_class, FbFeedEditor, preview_result);
  gtk_widget_class_bind_template_child (widget_class, FbFeedEditor, preview_note);
  gtk_widget_class_bind_template_child (widget_class, FbFeedEditor, sample_expander);
  gtk_widget_class_bind_template_child (widget_class, FbFeedEditor, sample_type_entry);
  gtk_widget_class_bind_template_child (widget_class, FbFeedEditor, sample_view);
  gtk_widget_class_bind_template_callback (widget_class, update_cb);
  gtk_widget_class_bind_template_callback (widget_class, page_changed_cb);
  gtk_widget_class_bind_template_callback_full (widget_class, "format_changed_cb",
                                                G_CALLBACK (_fb_feed_editor_format_changed_cb));
  gtk_widget_class_bind_template_callback_full (widget_class, "copy_clicked_cb",
                                                G_CALLBACK (_fb_feed_editor_copy_clicked_cb));
  gtk_widget_class_bind_template_callback_full (widget_class, "content_changed_cb",
                                                G_CALLBACK (_fb_feed_editor_content_changed_cb));
  gtk_widget_class_bind_template_callback_full (widget_class, "sample_expanded_cb",
                                                G_CALLBACK (_fb_feed_editor_sample_expanded_cb));
  gtk_widget_class_bind_template_callback (widget_class, peek_cb);
  gtk_widget_class_bind_template_callback_full (widget_class, "ca_file_set_cb",
                                                G_CALLBACK (_fb_feed_editor_ca_file_set_cb));
  gtk_widget_class_bind_template_callback_full (widget_class, "ca_clear_cb",
                                                G_CALLBACK (_fb_feed_editor_ca_clear_cb));
  gtk_widget_class_bind_template_callback_full (widget_class, "probe_clicked_cb",
                                                G_CALLBACK (_fb_feed_editor_probe_clicked_cb));
  gtk_widget_class_bind_template_callback (widget_class, response_cb);
}

static void
fb_feed_editor_init (FbFeedEditor *self)
{
  self->cancellable = g_cancellable_new ();
  gtk_widget_init_template (GTK_WIDGET (self));
}

/**
 * fb_feed_editor_new:
 * @parent: the window it is modal over
 * @manager: the feeds
 * @feed_id: (nullable): the feed to edit, or %NULL to add one
 *
 * Returns: (transfer none): a new editor, owned by GTK
 */
FbFeedEditor *
fb_feed_editor_new (GtkWindow     *parent,
                    FbFeedManager *manager,
                    const char    *feed_id)
{
  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (FB_IS_FEED_MANAGER (manager), NULL);

  return g_object_new (FB_TYPE_FEED_EDITOR,
                       "use-header-bar", TRUE,
                       "transient-for", parent,
                       "manager", manager,
                       "feed-id", feed_id,
                       NULL);
}
