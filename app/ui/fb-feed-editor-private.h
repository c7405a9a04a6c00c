/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "fb-feed-editor.h"
#include "fb-mapping.h"

G_BEGIN_DECLS

typedef enum
{
  FB_KEYRING_UNKNOWN,
  FB_KEYRING_AVAILABLE,
  FB_KEYRING_MISSING,
} FbKeyringState;

struct _FbFeedEditor
{
  GtkDialog        parent_instance;

  FbFeedManager   *manager;
  char            *feed_id;           /* NULL for a new feed until saved */
  GSettings       *settings;          /* delayed, or memory-backed for a new feed */
  gboolean         new_feed;
  char            *stored_auth;       /* the auth kind when opened */
  char            *stored_username;
  gboolean         has_stored_secret;
  FbKeyringState   keyring;
  char            *keyring_message;
  gboolean         saving;
  GCancellable    *cancellable;       /* keyring calls */
  guint            fit_id;

  GCancellable    *probe_cancellable; /* the connection probe (Test Connection) */

  FbFeed          *feed;              /* the running feed, for an existing one */
  gboolean         content_bound;     /* the template fields are bound to the settings */
  guint            n_content_errors;  /* fields of Custom that do not parse */
  int              shown_preset;      /* the FbMessageFormat the fields show, or -1 */

  /* Template widgets */
  GtkWidget       *save_button;
  GtkWidget       *pages;
  GtkWidget       *scrolled;
  GtkWidget       *grid;
  GtkWidget       *content_scrolled;
  GtkWidget       *content_grid;
  GtkWidget       *name_entry;
  GtkWidget       *url_entry;
  GtkWidget       *url_error_label;
  GtkWidget       *http_warning;
  GtkWidget       *auth_combo;
  GtkWidget       *token_label;
  GtkWidget       *token_entry;
  GtkWidget       *username_label;
  GtkWidget       *username_entry;
  GtkWidget       *password_label;
  GtkWidget       *password_entry;
  GtkWidget       *secret_hint_label;
  GtkWidget       *keyring_warning;
  GtkWidget       *keyring_label;
  GtkWidget       *format_combo;
  GtkWidget       *event_types_entry;
  GtkWidget       *idle_spin;
  GtkWidget       *mute_switch;
  GtkWidget       *priority_combo;
  GtkWidget       *ca_button;
  GtkWidget       *ca_clear_button;
  GtkWidget       *probe_button;
  GtkWidget       *probe_spinner;
  GtkWidget       *probe_result;
  GtkWidget       *probe_icon;
  GtkWidget       *probe_label;
  GtkWidget       *format_hint;
  GtkWidget       *copy_button;
  GtkWidget       *templates_note;
  GtkWidget       *template_labels[FB_MAPPING_N_FIELDS];
  GtkWidget       *template_entries[FB_MAPPING_N_FIELDS];
  GtkWidget       *template_errors[FB_MAPPING_N_FIELDS];
  GtkWidget       *rules_label;
  GtkWidget       *rules_scrolled;
  GtkWidget       *rules_view;
  GtkWidget       *rules_error;
  GtkWidget       *rules_hint;
  GtkWidget       *skip_label;
  GtkWidget       *skip_box;
  GtkWidget       *skip_switch;
  GtkWidget       *preview_source;
  GtkWidget       *preview_title;
  GtkWidget       *preview_body;
  GtkWidget       *preview_link;
  GtkWidget       *preview_urgency;
  GtkWidget       *preview_result;
  GtkWidget       *preview_note;
  GtkWidget       *sample_expander;
  GtkWidget       *sample_type_entry;
  GtkWidget       *sample_view;
};

/* fb-feed-editor-form.c: what the form says, and whether it can be saved */
char       *_fb_feed_editor_dup_url             (FbFeedEditor *self);
const char *_fb_feed_editor_get_auth            (FbFeedEditor *self);
const char *_fb_feed_editor_secret_kind         (const char   *auth);
const char *_fb_feed_editor_get_secret          (FbFeedEditor *self);
const char *_fb_feed_editor_get_username        (FbFeedEditor *self);
gboolean    _fb_feed_editor_keeps_stored_secret (FbFeedEditor *self);
gboolean    _fb_feed_editor_can_save            (FbFeedEditor *self);
void        _fb_feed_editor_update_secret_hint  (FbFeedEditor *self);

/* fb-feed-editor.c: the dialog */
void        _fb_feed_editor_set_feed_id         (FbFeedEditor *self,
                                                 const char   *feed_id);
void        _fb_feed_editor_update              (FbFeedEditor *self);
void        _fb_feed_editor_queue_fit_height    (FbFeedEditor *self);

/* fb-feed-editor-fields.c: the certificate authority file, the event types,
 * the lowest priority */
void        _fb_feed_editor_setup_ca_button     (FbFeedEditor *self);
void        _fb_feed_editor_ca_file_set_cb      (FbFeedEditor *self);
void        _fb_feed_editor_ca_clear_cb         (FbFeedEditor *self);
void        _fb_feed_editor_bind_event_types    (FbFeedEditor *self);
void        _fb_feed_editor_bind_min_priority   (FbFeedEditor *self);

/* fb-feed-editor-content.c: the Content page (format, templates, rules) */
void             _fb_feed_editor_setup_content       (FbFeedEditor *self);
void             _fb_feed_editor_update_content      (FbFeedEditor *self);
FbMessageFormat  _fb_feed_editor_get_format          (FbFeedEditor *self);
FbMessageFormat  _fb_feed_editor_get_preset          (FbFeedEditor *self);
FbMapping       *_fb_feed_editor_dup_custom_mapping  (FbFeedEditor *self);
char            *_fb_feed_editor_dup_default_name    (FbFeedEditor *self);
void             _fb_feed_editor_format_changed_cb   (FbFeedEditor *self);
void             _fb_feed_editor_copy_clicked_cb     (FbFeedEditor *self);
void             _fb_feed_editor_content_changed_cb  (FbFeedEditor *self);

/* fb-feed-editor-preview.c: the preview of one event */
void             _fb_feed_editor_update_preview      (FbFeedEditor *self);
void             _fb_feed_editor_sample_expanded_cb  (FbFeedEditor *self);

/* fb-feed-editor-save.c: the keyring and saving */
void        _fb_feed_editor_probe_keyring       (FbFeedEditor *self);
void        _fb_feed_editor_save                (FbFeedEditor *self);

/* fb-feed-editor-probe.c: the connection probe (Test Connection) */
void        _fb_feed_editor_probe_clicked_cb    (FbFeedEditor *self);
void        _fb_feed_editor_stop_probe          (FbFeedEditor *self);

G_END_DECLS
