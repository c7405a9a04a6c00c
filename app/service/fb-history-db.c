/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "fb-history"

#include "config.h"

#include "fb-history-private.h"

/*
 * The history's SQLite side: opening a database, its schema and the
 * migrations from each earlier version, and the reads.
 *
 * `PRAGMA user_version` is the schema's version. Each step in `migrations`
 * takes a database from version i to i + 1 in one transaction, so a
 * database of any earlier version, or a new one (version 0), is brought up
 * to FB_HISTORY_SCHEMA_VERSION on open, and a step that fails leaves it as
 * it was. A step is never edited once released: a change is a new step.
 */

static const char * const migrations[] = {
  /* 0 → 1: messages and notes, and where each feed resumes. A message key
   * (the SSE id or ntfy's id) is stored once per feed: a message fetched
   * again after a crash is not a second entry. */
  "CREATE TABLE messages ("
  "  id INTEGER PRIMARY KEY,"
  "  feed_id TEXT NOT NULL,"
  "  feed_name TEXT NOT NULL DEFAULT '',"
  "  message_key TEXT,"
  "  sequence_key TEXT,"
  "  received INTEGER NOT NULL,"
  "  sent INTEGER NOT NULL DEFAULT 0,"
  "  title TEXT NOT NULL DEFAULT '',"
  "  body TEXT NOT NULL DEFAULT '',"
  "  link TEXT,"
  "  icon TEXT,"
  "  priority INTEGER NOT NULL DEFAULT 3,"
  "  tags TEXT,"
  "  actions TEXT,"
  "  attachment_url TEXT,"
  "  attachment_name TEXT,"
  "  note INTEGER NOT NULL DEFAULT 0,"
  "  read INTEGER NOT NULL DEFAULT 0,"
  "  deleted INTEGER NOT NULL DEFAULT 0,"
  "  revision_of INTEGER"
  ");"
  "CREATE UNIQUE INDEX messages_by_key ON messages (feed_id, message_key)"
  "  WHERE message_key IS NOT NULL;"
  "CREATE INDEX messages_by_feed ON messages (feed_id, id);"
  "CREATE INDEX messages_by_received ON messages (received);"
  "CREATE INDEX messages_unread ON messages (feed_id) WHERE read = 0 AND deleted = 0;"
  "CREATE TABLE positions ("
  "  feed_id TEXT PRIMARY KEY,"
  "  data TEXT NOT NULL"
  ");",

  /* 1 → 2: full-text search over title, body and feed name, kept in step
   * by triggers; what version 1 stored is indexed now. */
  "CREATE VIRTUAL TABLE messages_fts USING fts5 ("
  "  title, body, feed_name,"
  "  content = 'messages', content_rowid = 'id',"
  "  tokenize = 'unicode61 remove_diacritics 2'"
  ");"
  "CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN"
  "  INSERT INTO messages_fts (rowid, title, body, feed_name)"
  "    VALUES (new.id, new.title, new.body, new.feed_name);"
  "END;"
  "CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN"
  "  INSERT INTO messages_fts (messages_fts, rowid, title, body, feed_name)"
  "    VALUES ('delete', old.id, old.title, old.body, old.feed_name);"
  "END;"
  "CREATE TRIGGER messages_fts_update AFTER UPDATE OF title, body, feed_name ON messages BEGIN"
  "  INSERT INTO messages_fts (messages_fts, rowid, title, body, feed_name)"
  "    VALUES ('delete', old.id, old.title, old.body, old.feed_name);"
  "  INSERT INTO messages_fts (rowid, title, body, feed_name)"
  "    VALUES (new.id, new.title, new.body, new.feed_name);"
  "END;"
  "INSERT INTO messages_fts (messages_fts) VALUES ('rebuild');",

  /* 2 → 3: a message's content type (Markdown is rendered when shown);
   * revisions (ntfy's sequence ids): an entry a later one revises is
   * superseded, kept but no longer listed or counted as unread; and the
   * feed's id in the search index, so that a search in one feed is one
   * lookup in the index rather than a filter over every match. */
  "ALTER TABLE messages ADD COLUMN content_type TEXT;"
  "ALTER TABLE messages ADD COLUMN superseded INTEGER NOT NULL DEFAULT 0;"
  "CREATE INDEX messages_by_sequence ON messages (feed_id, sequence_key) WHERE sequence_key IS NOT NULL;"
  "DROP INDEX messages_unread;"
  "CREATE INDEX messages_unread ON messages (feed_id) WHERE read = 0 AND deleted = 0 AND superseded = 0;"
  "DROP TRIGGER messages_fts_insert;"
  "DROP TRIGGER messages_fts_delete;"
  "DROP TRIGGER messages_fts_update;"
  "DROP TABLE messages_fts;"
  "CREATE VIRTUAL TABLE messages_fts USING fts5 ("
  "  title, body, feed_name, feed_id,"
  "  content = 'messages', content_rowid = 'id',"
  "  tokenize = 'unicode61 remove_diacritics 2'"
  ");"
  "CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN"
  "  INSERT INTO messages_fts (rowid, title, body, feed_name, feed_id)"
  "    VALUES (new.id, new.title, new.body, new.feed_name, new.feed_id);"
  "END;"
  "CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN"
  "  INSERT INTO messages_fts (messages_fts, rowid, title, body, feed_name, feed_id)"
  "    VALUES ('delete', old.id, old.title, old.body, old.feed_name, old.feed_id);"
  "END;"
  "CREATE TRIGGER messages_fts_update AFTER UPDATE OF title, body, feed_name, feed_id ON messages BEGIN"
  "  INSERT INTO messages_fts (messages_fts, rowid, title, body, feed_name, feed_id)"
  "    VALUES ('delete', old.id, old.title, old.body, old.feed_name, old.feed_id);"
  "  INSERT INTO messages_fts (rowid, title, body, feed_name, feed_id)"
  "    VALUES (new.id, new.title, new.body, new.feed_name, new.feed_id);"
  "END;"
  "INSERT INTO messages_fts (messages_fts) VALUES ('rebuild');",
};

G_STATIC_ASSERT (G_N_ELEMENTS (migrations) == FB_HISTORY_SCHEMA_VERSION);

void
_fb_history_db_set_error (GError     **error,
                          sqlite3     *db,
                          int          rc,
                          const char  *what)
{
  int code;

  switch (rc & 0xff)
    {
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      code = G_IO_ERROR_INVALID_DATA;
      break;
    case SQLITE_FULL:
      code = G_IO_ERROR_NO_SPACE;
      break;
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_CANTOPEN:
    case SQLITE_AUTH:
      code = G_IO_ERROR_PERMISSION_DENIED;
      break;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      code = G_IO_ERROR_BUSY;
      break;
    default:
      code = G_IO_ERROR_FAILED;
      break;
    }

  g_set_error (error, G_IO_ERROR, code, "%s: %s", what,
               db != NULL && sqlite3_errcode (db) == rc ? sqlite3_errmsg (db) : sqlite3_errstr (rc));
}

/* Whether @error says the file is not a sound database (so it is set aside),
 * rather than that it cannot be reached. */
gboolean
_fb_history_db_is_damage (const GError *error)
{
  return g_error_matches (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
}

gboolean
_fb_history_db_exec (sqlite3     *db,
                     const char  *sql,
                     GError     **error)
{
  int rc = sqlite3_exec (db, sql, NULL, NULL, NULL);

  if (rc != SQLITE_OK)
    {
      _fb_history_db_set_error (error, db, rc, "SQLite");
      return FALSE;
    }

  return TRUE;
}

static gboolean
query_text (sqlite3     *db,
            const char  *sql,
            char       **text,
            GError     **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc = sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL);

  if (rc == SQLITE_OK)
    {
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW)
        {
          *text = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
          rc = SQLITE_OK;
        }
    }
  sqlite3_finalize (stmt);

  if (rc != SQLITE_OK)
    {
      _fb_history_db_set_error (error, db, rc, "SQLite");
      return FALSE;
    }

  return TRUE;
}

int
_fb_history_db_get_version (sqlite3 *db)
{
  g_autofree char *text = NULL;

  if (!query_text (db, "PRAGMA user_version", &text, NULL) || text == NULL)
    return -1;

  return (int) g_ascii_strtoll (text, NULL, 10);
}

/**
 * _fb_history_db_migrate:
 * @to_version: the version to reach (FB_HISTORY_SCHEMA_VERSION but in tests)
 *
 * Returns: whether @db is at @to_version (a newer one is an error: it was
 *   written by a later Feedbell)
 */
gboolean
_fb_history_db_migrate (sqlite3     *db,
                        int          to_version,
                        GError     **error)
{
  int version = _fb_history_db_get_version (db);

  if (version < 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "SQLite: %s", sqlite3_errmsg (db));
      return FALSE;
    }
  if (version > FB_HISTORY_SCHEMA_VERSION)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   "the history was written by a newer Feedbell (schema %d; this one knows %d)",
                   version, FB_HISTORY_SCHEMA_VERSION);
      return FALSE;
    }

  for (; version < to_version; version++)
    {
      g_autofree char *step = g_strdup_printf ("BEGIN IMMEDIATE; %s PRAGMA user_version = %d; COMMIT;",
                                               migrations[version], version + 1);

      if (!_fb_history_db_exec (db, step, error))
        {
          sqlite3_exec (db, "ROLLBACK", NULL, NULL, NULL);
          g_prefix_error (error, "Migrating to schema %d: ", version + 1);
          return FALSE;
        }
    }

  return TRUE;
}

/**
 * _fb_history_db_open:
 * @mode: the writer's connection (made if missing, checked, migrated), the
 *   app's reading one, or `feedbell --history`'s read-only one
 *
 * Opens the database in WAL mode, where readers never wait on the writer,
 * with a busy timeout for the moments SQLite still locks (a checkpoint).
 * The writer's connection runs a quick integrity check, so that a damaged
 * file shows at start rather than in a later write.
 *
 * Returns: (transfer full) (nullable): the connection
 */
sqlite3 *
_fb_history_db_open (const char        *path,
                     FbHistoryDbMode    mode,
                     GError           **error)
{
  sqlite3 *db = NULL;
  g_autofree char *check = NULL;
  int flags;
  int rc;

  switch (mode)
    {
    case FB_HISTORY_DB_WRITER:
      flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
      break;
    case FB_HISTORY_DB_READER:
      flags = SQLITE_OPEN_READWRITE;
      break;
    case FB_HISTORY_DB_READ_ONLY:
      flags = SQLITE_OPEN_READONLY;
      break;
    default:
      g_assert_not_reached ();
    }

  rc = sqlite3_open_v2 (path, &db, flags | SQLITE_OPEN_FULLMUTEX, NULL);
  if (rc != SQLITE_OK)
    {
      _fb_history_db_set_error (error, db, rc, path);
      sqlite3_close (db);
      return NULL;
    }

  sqlite3_extended_result_codes (db, 0);
  sqlite3_busy_timeout (db, 5000);
  /* SQLite's page cache is 2 MiB a connection by default: the app's two
   * cost less, and the OS caches the file anyway. */
  sqlite3_exec (db, mode == FB_HISTORY_DB_WRITER ? "PRAGMA cache_size = -1024" : "PRAGMA cache_size = -512",
                NULL, NULL, NULL);

  if (mode == FB_HISTORY_DB_WRITER)
    {
      /* The WAL is cut back to 4 MiB after a checkpoint: a flood leaves
       * no lasting 15 MiB file. */
      if (!_fb_history_db_exec (db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;"
                                    "PRAGMA journal_size_limit = 4194304;", error) ||
          !query_text (db, "PRAGMA quick_check", &check, error))
        goto fail;
      if (g_strcmp0 (check, "ok") != 0)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "damaged: %s", check);
          goto fail;
        }
      if (!_fb_history_db_migrate (db, FB_HISTORY_SCHEMA_VERSION, error))
        goto fail;
    }
  else if (_fb_history_db_get_version (db) != FB_HISTORY_SCHEMA_VERSION)
    {
      int version = _fb_history_db_get_version (db);

      if (version < 0)
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s", sqlite3_errmsg (db));
      else
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                     "schema %d, where this Feedbell reads %d (starting Feedbell once updates it)",
                     version, FB_HISTORY_SCHEMA_VERSION);
      goto fail;
    }

  return db;

fail:
  g_prefix_error (error, "%s: ", path);
  sqlite3_close (db);
  return NULL;
}

/* Feed id → GUINT_TO_POINTER (unread count), for feeds with any. */
GHashTable *
_fb_history_db_count_unread (sqlite3 *db)
{
  GHashTable *counts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  sqlite3_stmt *stmt = NULL;

  if (sqlite3_prepare_v2 (db, "SELECT feed_id, count(*) FROM messages"
                              " WHERE read = 0 AND deleted = 0 AND superseded = 0 GROUP BY feed_id",
                          -1, &stmt, NULL) == SQLITE_OK)
    while (sqlite3_step (stmt) == SQLITE_ROW)
      g_hash_table_insert (counts, g_strdup ((const char *) sqlite3_column_text (stmt, 0)),
                           GUINT_TO_POINTER ((guint) sqlite3_column_int64 (stmt, 1)));
  sqlite3_finalize (stmt);

  return counts;
}

gint64
_fb_history_db_max_id (sqlite3 *db)
{
  sqlite3_stmt *stmt = NULL;
  gint64 id = 0;

  if (sqlite3_prepare_v2 (db, "SELECT max(id) FROM messages", -1, &stmt, NULL) == SQLITE_OK &&
      sqlite3_step (stmt) == SQLITE_ROW)
    id = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);

  return id;
}

char *
_fb_history_db_get_position (sqlite3    *db,
                             const char *feed_id)
{
  sqlite3_stmt *stmt = NULL;
  char *data = NULL;

  if (sqlite3_prepare_v2 (db, "SELECT data FROM positions WHERE feed_id = ?", -1, &stmt, NULL) == SQLITE_OK)
    {
      sqlite3_bind_text (stmt, 1, feed_id, -1, SQLITE_TRANSIENT);
      if (sqlite3_step (stmt) == SQLITE_ROW)
        data = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
    }
  sqlite3_finalize (stmt);

  return data;
}

/**
 * _fb_history_fts_query:
 * @text: what a person typed
 *
 * Each word becomes a quoted FTS5 string matched as a prefix, all of them
 * required: "disk fu" finds "Disk full". Quoting means nothing typed is
 * FTS syntax (no column filters, no NEAR, no stray quote errors).
 *
 * Returns: (nullable): the MATCH expression; %NULL when @text has no word
 */
static void
append_fts_string (GString    *query,
                   const char *text)
{
  g_string_append_c (query, '"');
  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '"')
        g_string_append_c (query, '"');
      g_string_append_c (query, *p);
    }
  g_string_append_c (query, '"');
}

char *
_fb_history_fts_query (const char *text,
                       const char *feed_id)
{
  g_autoptr(GString) words_query = g_string_new (NULL);
  g_autoptr(GString) query = g_string_new (NULL);
  g_auto(GStrv) words = NULL;

  if (text == NULL)
    return NULL;

  words = g_strsplit_set (text, " \t\n\r", -1);
  for (guint i = 0; words[i] != NULL; i++)
    {
      if (words[i][0] == '\0' || !g_utf8_validate (words[i], -1, NULL))
        continue;
      if (words_query->len > 0)
        g_string_append_c (words_query, ' ');
      append_fts_string (words_query, words[i]);
      g_string_append_c (words_query, '*');
    }

  if (words_query->len == 0)
    return NULL;

  /* Words in what a person reads; the feed, when given, by its id. */
  g_string_append_printf (query, "{title body feed_name} : (%s)", words_query->str);
  if (feed_id != NULL)
    {
      g_string_append (query, " AND feed_id : ");
      append_fts_string (query, feed_id);
    }

  return g_string_free (g_steal_pointer (&query), FALSE);
}

GPtrArray *
_fb_history_db_query (sqlite3              *db,
                      const FbHistoryQuery *query,
                      GError              **error)
{
  g_autoptr(GPtrArray) entries = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GString) sql = g_string_new ("SELECT " FB_HISTORY_COLUMNS);
  g_autofree char *match = _fb_history_fts_query (query->search, query->feed_id);
  guint limit = query->limit == 0 ? FB_HISTORY_QUERY_MAX : MIN (query->limit, FB_HISTORY_QUERY_MAX);
  sqlite3_stmt *stmt = NULL;
  int param = 1;
  int rc;

  /* With a search, FTS5 hands out its matches newest first by itself
   * (rowid is the entry's id): CROSS JOIN keeps SQLite from starting at
   * the messages table instead. */
  if (match != NULL)
    g_string_append (sql, " FROM messages_fts f CROSS JOIN messages m ON m.id = f.rowid"
                          " WHERE messages_fts MATCH ?1 AND m.deleted = 0 AND m.superseded = 0");
  else
    g_string_append (sql, " FROM messages m WHERE m.deleted = 0 AND m.superseded = 0");
  if (query->feed_id != NULL)
    g_string_append (sql, " AND m.feed_id = ?2");
  if (query->since > 0)
    g_string_append (sql, " AND m.received >= ?3");
  if (query->before_id > 0)
    g_string_append (sql, match != NULL ? " AND f.rowid < ?4" : " AND m.id < ?4");
  if (query->after_id > 0)
    g_string_append (sql, match != NULL ? " AND f.rowid > ?5" : " AND m.id > ?5");
  if (query->unread_only)
    g_string_append (sql, " AND m.read = 0");
  g_string_append (sql, match != NULL ? " ORDER BY f.rowid DESC LIMIT ?6" : " ORDER BY m.id DESC LIMIT ?6");

  rc = sqlite3_prepare_v2 (db, sql->str, -1, &stmt, NULL);
  if (rc != SQLITE_OK)
    {
      _fb_history_db_set_error (error, db, rc, "Reading the history");
      return NULL;
    }

  if (match != NULL)
    sqlite3_bind_text (stmt, param, match, -1, SQLITE_TRANSIENT);
  if (query->feed_id != NULL)
    sqlite3_bind_text (stmt, 2, query->feed_id, -1, SQLITE_TRANSIENT);
  if (query->since > 0)
    sqlite3_bind_int64 (stmt, 3, query->since);
  if (query->before_id > 0)
    sqlite3_bind_int64 (stmt, 4, query->before_id);
  if (query->after_id > 0)
    sqlite3_bind_int64 (stmt, 5, query->after_id);
  sqlite3_bind_int64 (stmt, 6, limit);

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (entries, _fb_history_entry_new_from_row (stmt));
  sqlite3_finalize (stmt);

  if (rc != SQLITE_DONE)
    {
      _fb_history_db_set_error (error, db, rc, "Reading the history");
      return NULL;
    }

  return g_steal_pointer (&entries);
}

FbHistoryEntry *
_fb_history_db_lookup (sqlite3 *db,
                       gint64   id)
{
  sqlite3_stmt *stmt = NULL;
  FbHistoryEntry *entry = NULL;

  if (sqlite3_prepare_v2 (db, "SELECT " FB_HISTORY_COLUMNS " FROM messages m WHERE m.id = ?",
                          -1, &stmt, NULL) == SQLITE_OK)
    {
      sqlite3_bind_int64 (stmt, 1, id);
      if (sqlite3_step (stmt) == SQLITE_ROW)
        entry = _fb_history_entry_new_from_row (stmt);
    }
  sqlite3_finalize (stmt);

  return entry;
}
