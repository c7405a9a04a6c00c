/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "fb-event-log"

#include "config.h"

#include "fb-event-log.h"

#include "fb-clock.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

/*
 * Where a feed resumes, and which messages it has already shown.
 *
 * One small JSON file per feed: the last event id (sent back as
 * Last-Event-ID, or ntfy's `since=`) and the most recent ids, so a server
 * that replays an event after a reconnect is not shown twice. Writes are
 * atomic (write a temporary file, rename) and debounced; dispose flushes.
 * A file that cannot be read is set aside, never fatal: the feed starts
 * fresh and says so in the log.
 *
 * Every time it reads and every timer it arms is on its FbClock, so the
 * debounce can be tested exactly on a manual clock.
 */

struct _FbEventLog
{
  GObject     parent_instance;

  FbClock    *clock;
  char       *path;
  char       *last_event_id;
  char       *resume_param;       /* NULL: Last-Event-ID; else a query parameter (ntfy's since) */
  gint64      last_seen;          /* wall-clock µs of the last record */
  GHashTable *seen;               /* id → position, as set */
  GQueue      order;              /* oldest first, owns the ids */
  guint       save_id;
  gint64      save_due;           /* monotonic µs by which the pending save must be done */
  guint       n_writes;
  gboolean    dirty;
  gboolean    told_write_error;

  FbEventLogSaveFunc save_func;   /* instead of the file, when set */
  gpointer           save_data;
  GDestroyNotify     save_destroy;
};

G_DEFINE_FINAL_TYPE (FbEventLog, fb_event_log, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_CLOCK,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
remember (FbEventLog *self,
          const char *id)
{
  char *copy;

  if (g_hash_table_contains (self->seen, id))
    return;

  copy = g_strdup (id);
  g_queue_push_tail (&self->order, copy);
  g_hash_table_add (self->seen, copy);

  while (g_queue_get_length (&self->order) > FB_EVENT_LOG_SEEN_MAX)
    {
      char *oldest = g_queue_pop_head (&self->order);

      g_hash_table_remove (self->seen, oldest);
      g_free (oldest);
    }
}

static gboolean
parse (FbEventLog  *self,
       const char  *contents,
       gsize        length,
       GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *object;
  JsonNode *root;

  if (!json_parser_load_from_data (parser, contents, length, error))
    return FALSE;

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "not a JSON object");
      return FALSE;
    }

  object = json_node_get_object (root);
  if (json_object_get_int_member_with_default (object, "version", 0) != 1)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "unknown version");
      return FALSE;
    }

  self->last_event_id = g_strdup (json_object_get_string_member_with_default (object, "lastEventId", ""));
  self->last_seen = json_object_get_int_member_with_default (object, "lastSeen", 0);
  if (json_object_get_string_member_with_default (object, "resumeParam", "")[0] != '\0')
    self->resume_param = g_strdup (json_object_get_string_member (object, "resumeParam"));

  if (json_object_has_member (object, "seen") &&
      JSON_NODE_HOLDS_ARRAY (json_object_get_member (object, "seen")))
    {
      JsonArray *seen = json_object_get_array_member (object, "seen");

      for (guint i = 0; i < json_array_get_length (seen); i++)
        {
          JsonNode *node = json_array_get_element (seen, i);

          if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
            remember (self, json_node_get_string (node));
        }
    }

  return TRUE;
}

static void
load (FbEventLog *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize length = 0;

  if (!g_file_get_contents (self->path, &contents, &length, &error))
    {
      if (!g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        g_message ("Could not read %s (%s); this feed starts afresh", self->path, error->message);
      return;
    }

  if (!parse (self, contents, length, &error))
    {
      g_autofree char *aside = g_strconcat (self->path, ".corrupt", NULL);

      g_message ("%s is damaged (%s); set aside as %s, this feed starts afresh",
                 self->path, error->message, aside);
      g_rename (self->path, aside);
      fb_event_log_forget (self);
      self->dirty = FALSE;
      fb_clock_clear_timeout (self->clock, &self->save_id);
    }
}

static char *
serialize (FbEventLog *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "version");
  json_builder_add_int_value (builder, 1);
  json_builder_set_member_name (builder, "lastEventId");
  json_builder_add_string_value (builder, self->last_event_id ? self->last_event_id : "");
  json_builder_set_member_name (builder, "resumeParam");
  json_builder_add_string_value (builder, self->resume_param ? self->resume_param : "");
  json_builder_set_member_name (builder, "lastSeen");
  json_builder_add_int_value (builder, self->last_seen);
  json_builder_set_member_name (builder, "seen");
  json_builder_begin_array (builder);
  for (GList *l = self->order.head; l != NULL; l = l->next)
    json_builder_add_string_value (builder, l->data);
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);

  return json_generator_to_data (generator, NULL);
}

/**
 * fb_event_log_flush:
 *
 * Writes what changed now, atomically.
 *
 * Returns: whether the state is on disk
 */
gboolean
fb_event_log_flush (FbEventLog  *self,
                    GError     **error)
{
  g_autofree char *dir = NULL;
  g_autofree char *data = NULL;

  g_return_val_if_fail (FB_IS_EVENT_LOG (self), FALSE);

  fb_clock_clear_timeout (self->clock, &self->save_id);
  if (!self->dirty)
    return TRUE;

  if (self->save_func != NULL)
    {
      data = serialize (self);
      if (!self->save_func (self, data, self->save_data, error))
        return FALSE;
      self->dirty = FALSE;
      self->n_writes++;
      return TRUE;
    }

  dir = g_path_get_dirname (self->path);
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                   "Could not create %s: %s", dir, g_strerror (saved_errno));
      return FALSE;
    }

  data = serialize (self);
  if (!g_file_set_contents_full (self->path, data, -1,
                                 G_FILE_SET_CONTENTS_CONSISTENT, 0600, error))
    return FALSE;

  self->dirty = FALSE;
  self->n_writes++;
  return TRUE;
}

static void
save_now (FbEventLog *self)
{
  g_autoptr(GError) error = NULL;

  if (!fb_event_log_flush (self, &error) && !self->told_write_error)
    {
      self->told_write_error = TRUE;
      g_message ("Could not save %s: %s", self->path, error->message);
    }
}

static gboolean
save_cb (gpointer user_data)
{
  FbEventLog *self = user_data;

  self->save_id = 0;
  save_now (self);

  return G_SOURCE_REMOVE;
}

static void
schedule_save (FbEventLog *self)
{
  gint64 now = fb_clock_get_monotonic (self->clock);

  self->dirty = TRUE;

  /* A stream that never pauses can keep the main loop too busy for the
   * timer to fire on time: past the debounce window, save right here, so
   * what a crash can replay stays bounded by the window whatever the load. */
  if (self->save_id != 0 && now >= self->save_due)
    {
      save_now (self);
      return;
    }

  if (self->save_id == 0)
    {
      self->save_due = now + (gint64) FB_EVENT_LOG_DEBOUNCE_MS * 1000;
      self->save_id = fb_clock_timeout_add (self->clock, FB_EVENT_LOG_DEBOUNCE_MS, save_cb, self);
    }
}

static void
fb_event_log_dispose (GObject *object)
{
  FbEventLog *self = FB_EVENT_LOG (object);
  g_autoptr(GError) error = NULL;

  if (self->dirty && !fb_event_log_flush (self, &error))
    g_message ("Could not save %s: %s", self->path, error->message);
  fb_clock_clear_timeout (self->clock, &self->save_id);

  if (self->save_destroy != NULL)
    self->save_destroy (self->save_data);
  self->save_func = NULL;
  self->save_data = NULL;
  self->save_destroy = NULL;

  G_OBJECT_CLASS (fb_event_log_parent_class)->dispose (object);
}

static void
fb_event_log_finalize (GObject *object)
{
  FbEventLog *self = FB_EVENT_LOG (object);

  g_clear_object (&self->clock);
  g_clear_pointer (&self->path, g_free);
  g_clear_pointer (&self->last_event_id, g_free);
  g_clear_pointer (&self->resume_param, g_free);
  g_clear_pointer (&self->seen, g_hash_table_unref);
  g_queue_clear_full (&self->order, g_free);

  G_OBJECT_CLASS (fb_event_log_parent_class)->finalize (object);
}

static void
fb_event_log_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  FbEventLog *self = FB_EVENT_LOG (object);

  switch (prop_id)
    {
    case PROP_CLOCK:
      g_value_set_object (value, self->clock);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fb_event_log_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  FbEventLog *self = FB_EVENT_LOG (object);

  switch (prop_id)
    {
    case PROP_CLOCK:
      /* Construct-only: a pending save stays on the clock that armed it. */
      self->clock = g_value_dup_object (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fb_event_log_constructed (GObject *object)
{
  FbEventLog *self = FB_EVENT_LOG (object);

  G_OBJECT_CLASS (fb_event_log_parent_class)->constructed (object);

  if (self->clock == NULL)
    self->clock = g_object_ref (fb_clock_get_default ());
}

static void
fb_event_log_class_init (FbEventLogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = fb_event_log_dispose;
  object_class->finalize = fb_event_log_finalize;
  object_class->get_property = fb_event_log_get_property;
  object_class->set_property = fb_event_log_set_property;
  object_class->constructed = fb_event_log_constructed;

  /**
   * FbEventLog:clock:
   *
   * The time of last-seen stamps and of the debounced save: the system's
   * unless a test gives a manual one.
   */
  properties[PROP_CLOCK] =
    g_param_spec_object ("clock", NULL, NULL,
                         FB_TYPE_CLOCK,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                          G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
fb_event_log_init (FbEventLog *self)
{
  self->seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_queue_init (&self->order);
}

/**
 * fb_event_log_new:
 * @path: the state file; read now if it exists
 *
 * Returns: (transfer full): the log, on the system's clock
 */
FbEventLog *
fb_event_log_new (const char *path)
{
  return fb_event_log_new_with_clock (path, NULL);
}

/**
 * fb_event_log_new_with_clock:
 * @path: the state file; read now if it exists
 * @clock: (nullable): the clock for its times and its save timer; %NULL
 *   for fb_clock_get_default()
 *
 * Returns: (transfer full): the log
 */
FbEventLog *
fb_event_log_new_with_clock (const char *path,
                             FbClock    *clock)
{
  FbEventLog *self;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (clock == NULL || FB_IS_CLOCK (clock), NULL);

  self = g_object_new (FB_TYPE_EVENT_LOG, "clock", clock, NULL);
  self->path = g_strdup (path);
  load (self);

  return self;
}

/**
 * fb_event_log_get_last_event_id:
 *
 * Returns: the id to resume after, "" when none
 */
const char *
fb_event_log_get_last_event_id (FbEventLog *self)
{
  g_return_val_if_fail (FB_IS_EVENT_LOG (self), NULL);

  return self->last_event_id ? self->last_event_id : "";
}

/**
 * fb_event_log_get_last_seen:
 *
 * Returns: the wall-clock time (µs) of the last recorded event, 0 if never
 */
gint64
fb_event_log_get_last_seen (FbEventLog *self)
{
  g_return_val_if_fail (FB_IS_EVENT_LOG (self), 0);

  return self->last_seen;
}

/**
 * fb_event_log_has_seen:
 * @id: (nullable): an event's id
 *
 * Returns: whether this id was recorded recently; events without an id are never "seen"
 */
gboolean
fb_event_log_has_seen (FbEventLog *self,
                       const char *id)
{
  g_return_val_if_fail (FB_IS_EVENT_LOG (self), FALSE);

  return id != NULL && id[0] != '\0' && g_hash_table_contains (self->seen, id);
}

/**
 * fb_event_log_get_resume_param:
 *
 * Returns: (nullable): the query parameter that carries the id on reconnect
 *   (ntfy's "since"), or %NULL when it goes in Last-Event-ID
 */
const char *
fb_event_log_get_resume_param (FbEventLog *self)
{
  g_return_val_if_fail (FB_IS_EVENT_LOG (self), NULL);

  return self->resume_param;
}

/**
 * fb_event_log_forget:
 *
 * Starts afresh: for a feed whose address changed.
 */
void
fb_event_log_forget (FbEventLog *self)
{
  g_return_if_fail (FB_IS_EVENT_LOG (self));

  g_clear_pointer (&self->last_event_id, g_free);
  g_clear_pointer (&self->resume_param, g_free);
  self->last_seen = 0;
  g_hash_table_remove_all (self->seen);
  g_queue_clear_full (&self->order, g_free);
  g_queue_init (&self->order);
  schedule_save (self);
}

/**
 * fb_event_log_record:
 * @id: (nullable): the id of an event that was just delivered
 * @resume_param: (nullable): how the server takes it back: %NULL for
 *   Last-Event-ID, or a query parameter such as "since"
 *
 * Makes @id the point to resume after and remembers it; saved soon.
 */
void
fb_event_log_record (FbEventLog *self,
                     const char *id,
                     const char *resume_param)
{
  g_return_if_fail (FB_IS_EVENT_LOG (self));

  if (id == NULL || id[0] == '\0')
    return;

  remember (self, id);
  g_free (self->last_event_id);
  self->last_event_id = g_strdup (id);
  if (g_strcmp0 (self->resume_param, resume_param) != 0)
    {
      g_free (self->resume_param);
      self->resume_param = g_strdup (resume_param);
    }
  self->last_seen = fb_clock_get_real (self->clock);
  schedule_save (self);
}

/* Message keys share the seen set with SSE ids under a prefix no id has,
 * so that a key such as "42" is not taken for the SSE id "42". */
#define KEY_PREFIX "key\x1f"

/**
 * fb_event_log_remember_key:
 * @key: a message's own key (a mapping's message key)
 *
 * Remembers @key among the messages shown, without moving the point to
 * resume after; saved soon.
 */
void
fb_event_log_remember_key (FbEventLog *self,
                           const char *key)
{
  g_autofree char *seen = NULL;

  g_return_if_fail (FB_IS_EVENT_LOG (self));

  if (key == NULL || key[0] == '\0')
    return;

  seen = g_strconcat (KEY_PREFIX, key, NULL);
  remember (self, seen);
  schedule_save (self);
}

/**
 * fb_event_log_has_seen_key:
 * @key: (nullable): a message's own key
 *
 * Returns: whether fb_event_log_remember_key() was given @key recently
 */
gboolean
fb_event_log_has_seen_key (FbEventLog *self,
                           const char *key)
{
  g_autofree char *seen = NULL;

  g_return_val_if_fail (FB_IS_EVENT_LOG (self), FALSE);

  if (key == NULL || key[0] == '\0')
    return FALSE;

  seen = g_strconcat (KEY_PREFIX, key, NULL);
  return fb_event_log_has_seen (self, seen);
}

/**
 * fb_event_log_get_n_writes:
 *
 * Returns: how many times the file was written (for tests)
 */
guint
fb_event_log_get_n_writes (FbEventLog *self)
{
  g_return_val_if_fail (FB_IS_EVENT_LOG (self), 0);

  return self->n_writes;
}

/**
 * fb_event_log_path_for_feed:
 *
 * Returns: (transfer full): `$XDG_STATE_HOME/feedbell/feeds/<id>.json`
 */
char *
fb_event_log_path_for_feed (const char *feed_id)
{
  g_autofree char *name = g_strconcat (feed_id, ".json", NULL);

  return g_build_filename (g_get_user_state_dir (), "feedbell", "feeds", name, NULL);
}

/**
 * fb_event_log_set_save_func:
 * @func: (nullable): what stores the state from now on; %NULL: the file
 * @user_data: for @func
 * @destroy: (nullable): frees @user_data when the log is disposed or
 *   another function is set
 *
 * Hands the log's saves, debounced as ever, to @func instead of its file.
 * The file is still where the state was read from, if the log was made
 * with one.
 */
void
fb_event_log_set_save_func (FbEventLog         *self,
                            FbEventLogSaveFunc  func,
                            gpointer            user_data,
                            GDestroyNotify      destroy)
{
  g_return_if_fail (FB_IS_EVENT_LOG (self));

  if (self->save_destroy != NULL)
    self->save_destroy (self->save_data);
  self->save_func = func;
  self->save_data = user_data;
  self->save_destroy = destroy;
}

/**
 * fb_event_log_load_data:
 * @data: a state as fb_event_log_set_save_func()'s function was given it
 *
 * Replaces the log's state with @data. On error the log is left as it was.
 *
 * Returns: whether @data was read
 */
gboolean
fb_event_log_load_data (FbEventLog  *self,
                        const char  *data,
                        GError     **error)
{
  g_autoptr(FbEventLog) scratch = NULL;

  g_return_val_if_fail (FB_IS_EVENT_LOG (self), FALSE);
  g_return_val_if_fail (data != NULL, FALSE);

  /* Parsed into a scratch log first, so that a bad state changes nothing. */
  scratch = g_object_new (FB_TYPE_EVENT_LOG, "clock", self->clock, NULL);
  if (!parse (scratch, data, strlen (data), error))
    return FALSE;

  g_free (self->last_event_id);
  self->last_event_id = g_steal_pointer (&scratch->last_event_id);
  g_free (self->resume_param);
  self->resume_param = g_steal_pointer (&scratch->resume_param);
  self->last_seen = scratch->last_seen;
  g_hash_table_remove_all (self->seen);
  g_queue_clear_full (&self->order, g_free);
  for (GList *l = scratch->order.head; l != NULL; l = l->next)
    remember (self, l->data);
  self->dirty = FALSE;
  fb_clock_clear_timeout (self->clock, &self->save_id);

  return TRUE;
}

/**
 * fb_event_log_get_path:
 *
 * Returns: (nullable): the file the log was read from, if any
 */
const char *
fb_event_log_get_path (FbEventLog *self)
{
  g_return_val_if_fail (FB_IS_EVENT_LOG (self), NULL);

  return self->path;
}

/**
 * fb_event_log_dup_data:
 *
 * Returns: (transfer full): its state, as fb_event_log_load_data() reads it
 */
char *
fb_event_log_dup_data (FbEventLog *self)
{
  g_return_val_if_fail (FB_IS_EVENT_LOG (self), NULL);

  return serialize (self);
}
