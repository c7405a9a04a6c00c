/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "fb-feed-editor.h"

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

  /* Template widgets */
  GtkWidget       *save_button;
  GtkWidget       *scrolled;
  GtkWidget       *grid;
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
  GtkWidget       *ca_button;
  GtkWidget       *ca_clear_button;
  GtkWidget       *probe_button;
  GtkWidget       *probe_spinner;
  GtkWidget       *probe_result;
  GtkWidget       *probe_icon;
  GtkWidget       *probe_label;
};

/* fb-feed-editor.c: the form */
char       *_fb_feed_editor_dup_url             (FbFeedEditor *self);
const char *_fb_feed_editor_get_auth            (FbFeedEditor *self);
const char *_fb_feed_editor_secret_kind         (const char   *auth);
const char *_fb_feed_editor_get_secret          (FbFeedEditor *self);
const char *_fb_feed_editor_get_username        (FbFeedEditor *self);
gboolean    _fb_feed_editor_keeps_stored_secret (FbFeedEditor *self);
gboolean    _fb_feed_editor_can_save            (FbFeedEditor *self);
void        _fb_feed_editor_set_feed_id         (FbFeedEditor *self,
                                                 const char   *feed_id);
void        _fb_feed_editor_update              (FbFeedEditor *self);
void        _fb_feed_editor_queue_fit_height    (FbFeedEditor *self);

/* fb-feed-editor-fields.c: the certificate authority file and the event types */
void        _fb_feed_editor_setup_ca_button     (FbFeedEditor *self);
void        _fb_feed_editor_ca_file_set_cb      (FbFeedEditor *self);
void        _fb_feed_editor_ca_clear_cb         (FbFeedEditor *self);
void        _fb_feed_editor_bind_event_types    (FbFeedEditor *self);

/* fb-feed-editor-save.c: the keyring and saving */
void        _fb_feed_editor_probe_keyring       (FbFeedEditor *self);
void        _fb_feed_editor_save                (FbFeedEditor *self);

/* fb-feed-editor-probe.c: the connection probe (Test Connection) */
void        _fb_feed_editor_probe_clicked_cb    (FbFeedEditor *self);
void        _fb_feed_editor_stop_probe          (FbFeedEditor *self);

G_END_DECLS
