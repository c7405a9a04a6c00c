/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "fb-application"

#include "config.h"

#include "fb-application-private.h"

#include <glib/gi18n.h>
#include <stdio.h>
#include <string.h>

#include "fb-feed.h"
#include "fb-history.h"
#include "fb-message.h"

/*
 * `feedbell --history`: the stored messages, read from the database itself
 * (read-only, so the running instance's writes never wait for it), before
 * the application registers: it neither needs nor starts the app, and
 * works without a display.
 *
 * Exit status: 0 when the messages were printed, also when there are none
 * or no database yet (an empty history is not a failure); 1 when the
 * database cannot be read; 2 when the command line is wrong (an unknown
 * feed, a time that is not one, a limit out of range).
 */

#define EXIT_READ_FAILED 1
#define EXIT_USAGE       2

#define DEFAULT_LIMIT     50
#define FEED_COLUMN_MAX   24
/* A line's title and body excerpt together, in characters, so that a line
 * stays near 120 columns; the title takes at most TITLE_CHARS of them and
 * the excerpt never less than EXCERPT_MIN_CHARS. */
#define TEXT_CHARS        80
#define TITLE_CHARS       60
#define EXCERPT_MIN_CHARS 20

/* The options that only mean something with --history. */
static const char * const history_options[] = { "feed", "search", "since", "limit", "json" };

/* A feed as the settings describe it; its display name is the app's own
 * (fb_feed_get_display_name()), so that --feed takes what the window shows. */
static FbFeed *
feed_from_settings (const char *id)
{
  g_autofree char *path = g_strconcat (FB_FEED_SETTINGS_PATH, id, "/", NULL);
  g_autoptr(GSettings) settings = g_settings_new_with_path (FB_FEED_SCHEMA_ID, path);
  g_autofree char *name = g_settings_get_string (settings, "name");
  g_autofree char *url = g_settings_get_string (settings, "url");
  FbFeed *feed = fb_feed_new (id);

  g_object_set (feed,
                "name", name,
                "url", url,
                "format", g_settings_get_enum (settings, "format"),
                NULL);

  return feed;
}

/* The feeds in the settings, in their order; none when the schema is not
 * installed (then only the names stored with the messages are known). */
static GPtrArray *
load_feeds (void)
{
  GPtrArray *feeds = g_ptr_array_new_with_free_func (g_object_unref);
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;
  g_autoptr(GSettingsSchema) feed_schema = NULL;
  g_autoptr(GSettings) settings = NULL;
  g_auto(GStrv) ids = NULL;

  if (source != NULL)
    {
      schema = g_settings_schema_source_lookup (source, APP_ID, TRUE);
      feed_schema = g_settings_schema_source_lookup (source, FB_FEED_SCHEMA_ID, TRUE);
    }
  if (schema == NULL || feed_schema == NULL)
    return feeds;

  settings = g_settings_new (APP_ID);
  ids = g_settings_get_strv (settings, "feeds");
  for (guint i = 0; ids[i] != NULL; i++)
    {
      /* The ids the feed manager would take: they become settings paths. */
      if (!g_regex_match_simple ("^[A-Za-z0-9_-]{1,64}$", ids[i], 0, 0))
        continue;
      g_ptr_array_add (feeds, feed_from_settings (ids[i]));
    }

  return feeds;
}

static FbFeed *
find_feed_by_id (GPtrArray  *feeds,
                 const char *id)
{
  for (guint i = 0; i < feeds->len; i++)
    if (g_str_equal (fb_feed_get_id (g_ptr_array_index (feeds, i)), id))
      return g_ptr_array_index (feeds, i);

  return NULL;
}

static char *
list_feed_names (GPtrArray *feeds)
{
  GString *list = g_string_new (NULL);

  for (guint i = 0; i < feeds->len; i++)
    g_string_append_printf (list, "\n  %s (%s)", fb_feed_get_display_name (g_ptr_array_index (feeds, i)),
                            fb_feed_get_id (g_ptr_array_index (feeds, i)));

  return g_string_free (list, FALSE);
}

/* --feed: a display name as shown (exactly, else ignoring case) or an id. */
static FbFeed *
resolve_feed (GPtrArray   *feeds,
              const char  *text,
              GError     **error)
{
  g_autofree char *folded = g_utf8_casefold (text, -1);
  g_autofree char *known = NULL;
  FbFeed *by_case = NULL;
  guint n_by_case = 0;

  for (guint i = 0; i < feeds->len; i++)
    {
      FbFeed *feed = g_ptr_array_index (feeds, i);
      g_autofree char *name = g_utf8_casefold (fb_feed_get_display_name (feed), -1);

      if (g_str_equal (fb_feed_get_display_name (feed), text))
        return feed;
      if (g_str_equal (name, folded))
        {
          by_case = feed;
          n_by_case++;
        }
    }
  if (n_by_case == 1)
    return by_case;
  if ((by_case = find_feed_by_id (feeds, text)) != NULL)
    return by_case;

  known = list_feed_names (feeds);
  if (n_by_case > 1)
    g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                 _("Several feeds are named “%s”; give one of their ids:%s"), text, known);
  else if (feeds->len == 0)
    g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                 _("There is no feed “%s”: no feeds are set up"), text);
  else
    g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                 _("There is no feed “%s”. The feeds are:%s"), text, known);

  return NULL;
}

/* "30s", "30m", "2h", "7d", "2w": that long before @now. */
static gboolean
parse_duration (const char *text,
                gint64      now,
                gint64     *since)
{
  static const char units[] = "smhdw";
  static const guint64 unit_s[] = { 1, 60, 60 * 60, 24 * 60 * 60, 7 * 24 * 60 * 60 };
  /* A hundred years at most, so that nothing overflows. */
  const guint64 max_s = G_GUINT64_CONSTANT (36525) * 24 * 60 * 60;
  const char *unit;
  char *end = NULL;
  guint64 n;

  if (!g_ascii_isdigit (text[0]))
    return FALSE;
  n = g_ascii_strtoull (text, &end, 10);
  if (end[0] == '\0' || end[1] != '\0' || (unit = strchr (units, end[0])) == NULL ||
      n > max_s || n * unit_s[unit - units] > max_s)
    return FALSE;

  *since = now - (gint64) (n * unit_s[unit - units]) * G_USEC_PER_SEC;
  return TRUE;
}

static int
match_int (GMatchInfo *match,
           int         group)
{
  g_autofree char *text = g_match_info_fetch (match, group);

  return text != NULL && text[0] != '\0' ? (int) g_ascii_strtoll (text, NULL, 10) : 0;
}

/* ISO 8601: "2026-12-01", "2026-12-01T08:00", "2026-12-01 08:00:30.5",
 * each with an optional zone (Z, +02, +0200, +02:00); local time without
 * one. GLib 2.74's own parser wants the seconds and a time, so it is not
 * used. */
static gboolean
parse_iso8601 (const char *text,
               gint64     *since)
{
  g_autoptr(GRegex) regex = g_regex_new ("^(\\d{4})-(\\d{2})-(\\d{2})"
                                         "(?:[Tt ](\\d{2}):(\\d{2})(?::(\\d{2}(?:\\.\\d{1,6})?))?"
                                         "\\s*([Zz]|[+-]\\d{2}(?::?\\d{2})?)?)?$",
                                         G_REGEX_OPTIMIZE, 0, NULL);
  g_autoptr(GMatchInfo) match = NULL;
  g_autoptr(GTimeZone) zone = NULL;
  g_autoptr(GDateTime) time = NULL;
  g_autofree char *seconds = NULL;
  g_autofree char *zone_text = NULL;

  if (!g_regex_match (regex, text, 0, &match))
    return FALSE;

  seconds = g_match_info_fetch (match, 6);
  zone_text = g_match_info_fetch (match, 7);
  if (zone_text != NULL && zone_text[0] != '\0')
    zone = g_time_zone_new_identifier (g_ascii_toupper (zone_text[0]) == 'Z' ? "UTC" : zone_text);
  else
    zone = g_time_zone_new_local ();
  if (zone == NULL)
    return FALSE;

  time = g_date_time_new (zone, match_int (match, 1), match_int (match, 2), match_int (match, 3),
                          match_int (match, 4), match_int (match, 5),
                          seconds != NULL && seconds[0] != '\0' ? g_ascii_strtod (seconds, NULL) : 0);
  if (time == NULL)
    return FALSE;

  *since = g_date_time_to_unix (time) * G_USEC_PER_SEC + g_date_time_get_microsecond (time);
  return TRUE;
}

static gboolean
parse_since (const char  *text,
             gint64      *since,
             GError     **error)
{
  g_autofree char *stripped = g_strstrip (g_strdup (text));

  if (parse_duration (stripped, g_get_real_time (), since) || parse_iso8601 (stripped, since))
    return TRUE;

  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
               _("“%s” is not a time: give a date such as 2026-12-01, a date and time such as "
                 "2026-12-01T08:00 (local time unless a zone such as Z or +02:00 follows), "
                 "or how long ago, such as 30m, 2h or 7d"), text);
  return FALSE;
}

/* What a terminal could take as a command or a line break, or that
 * reorders what it shows (bidirectional controls). */
static gboolean
is_unsafe (gunichar c)
{
  return g_unichar_iscntrl (c) || c == 0x2028 || c == 0x2029 ||
         (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069);
}

/* Text from a server, made fit for one line of a terminal: control
 * characters (escape sequences among them) and line breaks become spaces,
 * runs of spaces one, and at most @max_chars characters. */
static void
append_one_line (GString    *out,
                 const char *text,
                 guint       max_chars)
{
  g_autoptr(GString) line = g_string_new (NULL);
  gboolean space = TRUE;

  for (const char *p = text != NULL ? text : ""; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (is_unsafe (c) || g_unichar_isspace (c))
        {
          if (!space)
            g_string_append_c (line, ' ');
          space = TRUE;
          continue;
        }
      g_string_append_unichar (line, c);
      space = FALSE;
    }
  if (space && line->len > 0)
    g_string_truncate (line, line->len - 1);

  if (g_utf8_strlen (line->str, -1) > (glong) max_chars)
    {
      g_string_truncate (line, g_utf8_offset_to_pointer (line->str, max_chars - 1) - line->str);
      g_string_append (line, "…");
    }
  g_string_append (out, line->str);
}

/* Columns on a terminal: wide characters (CJK) take two. */
static guint
text_width (const char *text)
{
  guint width = 0;

  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    width += g_unichar_iswide (g_utf8_get_char (p)) ? 2 : 1;

  return width;
}

static const char *
entry_feed_name (FbHistoryEntry *entry,
                 GPtrArray      *feeds)
{
  FbFeed *feed = find_feed_by_id (feeds, fb_history_entry_get_feed_id (entry));
  const char *stored = fb_message_get_feed_name (fb_history_entry_get_message (entry));

  if (feed != NULL)
    return fb_feed_get_display_name (feed);
  return stored != NULL && stored[0] != '\0' ? stored : fb_history_entry_get_feed_id (entry);
}

static char *
format_line (FbHistoryEntry *entry,
             const char     *feed_name,
             guint           feed_width)
{
  FbMessage *message = fb_history_entry_get_message (entry);
  g_autoptr(GDateTime) time =
    g_date_time_new_from_unix_local (fb_history_entry_get_received (entry) / G_USEC_PER_SEC);
  g_autofree char *when = g_date_time_format (time, "%Y-%m-%d %H:%M");
  const char *body = fb_message_get_body (message);
  GString *line = g_string_new (NULL);
  g_autoptr(GString) feed = g_string_new (NULL);
  gsize title_start;
  glong title_chars;

  /* '*' marks what has not been read, as a mailbox does. */
  g_string_append_printf (line, "%s %s  ", fb_history_entry_get_read (entry) ? " " : "*", when);
  append_one_line (feed, feed_name, FEED_COLUMN_MAX);
  g_string_append (line, feed->str);
  for (guint w = text_width (feed->str); w < feed_width; w++)
    g_string_append_c (line, ' ');
  g_string_append (line, "  ");
  if (fb_history_entry_is_note (entry))
    g_string_append_printf (line, "%s ", _("[note]"));
  title_start = line->len;
  append_one_line (line, fb_message_get_title (message), TITLE_CHARS);
  title_chars = g_utf8_strlen (line->str + title_start, -1);
  if (body != NULL && body[0] != '\0')
    {
      if (title_chars > 0)
        g_string_append (line, " — ");
      append_one_line (line, body, MAX (EXCERPT_MIN_CHARS, TEXT_CHARS - title_chars - 3));
    }

  return g_string_free (line, FALSE);
}

/* JSON string escaping that leaves nothing is_unsafe() raw: a line is safe
 * to print on a terminal and to read as one line. */
static void
append_json_string (GString    *out,
                    const char *text)
{
  g_string_append_c (out, '"');
  for (const char *p = text != NULL ? text : ""; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c == '"' || c == '\\')
        g_string_append_printf (out, "\\%c", (char) c);
      else if (c == '\n')
        g_string_append (out, "\\n");
      else if (c == '\t')
        g_string_append (out, "\\t");
      else if (is_unsafe (c))
        g_string_append_printf (out, "\\u%04x", c);
      else
        g_string_append_unichar (out, c);
    }
  g_string_append_c (out, '"');
}

/* A link: null when there is none. */
static void
append_json_link (GString    *out,
                  const char *name,
                  const char *url)
{
  g_string_append_printf (out, ",\"%s\":", name);
  if (url != NULL && url[0] != '\0')
    append_json_string (out, url);
  else
    g_string_append (out, "null");
}

static void
append_json_lists (GString   *out,
                   FbMessage *message)
{
  const char * const *tags = fb_message_get_tags (message);

  g_string_append (out, ",\"tags\":[");
  for (guint i = 0; tags != NULL && tags[i] != NULL; i++)
    {
      if (i > 0)
        g_string_append_c (out, ',');
      append_json_string (out, tags[i]);
    }
  g_string_append (out, "],\"actions\":[");
  for (guint i = 0; i < fb_message_get_n_actions (message); i++)
    {
      const char *label = NULL;
      const char *url = NULL;

      if (!fb_message_get_action (message, i, &label, &url))
        continue;
      if (out->str[out->len - 1] != '[')
        g_string_append_c (out, ',');
      g_string_append (out, "{\"label\":");
      append_json_string (out, label);
      g_string_append (out, ",\"url\":");
      append_json_string (out, url);
      g_string_append_c (out, '}');
    }
  g_string_append_c (out, ']');
}

/* One JSON line, its newline included. */
static char *
format_json (FbHistoryEntry *entry,
             const char     *feed_name)
{
  FbMessage *message = fb_history_entry_get_message (entry);
  g_autoptr(GDateTime) time =
    g_date_time_new_from_unix_utc (fb_history_entry_get_received (entry) / G_USEC_PER_SEC);
  g_autofree char *when = g_date_time_format (time, "%Y-%m-%dT%H:%M:%SZ");
  GString *out = g_string_new (NULL);

  g_string_append_printf (out, "{\"id\":%" G_GINT64_FORMAT ",\"feed_id\":", fb_history_entry_get_id (entry));
  append_json_string (out, fb_history_entry_get_feed_id (entry));
  g_string_append (out, ",\"feed\":");
  append_json_string (out, feed_name);
  g_string_append (out, ",\"time\":");
  append_json_string (out, when);
  g_string_append (out, ",\"title\":");
  append_json_string (out, fb_message_get_title (message));
  g_string_append (out, ",\"body\":");
  append_json_string (out, fb_message_get_body (message));
  append_json_link (out, "link", fb_message_get_click_url (message));
  append_json_link (out, "icon", fb_message_get_icon_url (message));
  g_string_append_printf (out, ",\"priority\":%d", fb_message_get_priority (message));
  append_json_lists (out, message);
  g_string_append_printf (out, ",\"read\":%s,\"note\":%s}\n",
                          fb_history_entry_get_read (entry) ? "true" : "false",
                          fb_history_entry_is_note (entry) ? "true" : "false");

  return g_string_free (out, FALSE);
}

static void
print_entries (GPtrArray *entries,
               GPtrArray *feeds,
               gboolean   json)
{
  guint feed_width = 0;

  /* The feed column as wide as its widest name (names are cut at
   * FEED_COLUMN_MAX characters). */
  for (guint i = 0; i < entries->len && !json; i++)
    {
      g_autoptr(GString) name = g_string_new (NULL);

      append_one_line (name, entry_feed_name (g_ptr_array_index (entries, i), feeds), FEED_COLUMN_MAX);
      feed_width = MAX (feed_width, text_width (name->str));
    }

  for (guint i = 0; i < entries->len; i++)
    {
      FbHistoryEntry *entry = g_ptr_array_index (entries, i);
      const char *name = entry_feed_name (entry, feeds);
      g_autofree char *line = json ? format_json (entry, name) : format_line (entry, name, feed_width);

      /* JSON is UTF-8 whatever the locale, so its bytes go out as they
       * are; the lines for a person go through g_print(), which converts
       * them to the terminal's character set. */
      if (json)
        fputs (line, stdout);
      else
        g_print ("%s\n", line);
    }
  fflush (stdout);
}

/* The query the options ask for. */
static gboolean
build_query (GVariantDict    *options,
             GPtrArray       *feeds,
             FbHistoryQuery  *query,
             GError         **error)
{
  const char *text = NULL;
  guint64 limit = DEFAULT_LIMIT;

  if (g_variant_dict_lookup (options, "feed", "&s", &text))
    {
      FbFeed *feed = resolve_feed (feeds, text, error);

      if (feed == NULL)
        return FALSE;
      query->feed_id = fb_feed_get_id (feed);
    }
  if (g_variant_dict_lookup (options, "search", "&s", &text) && text[0] != '\0')
    query->search = text;
  if (g_variant_dict_lookup (options, "since", "&s", &text) &&
      !parse_since (text, &query->since, error))
    return FALSE;
  /* A string, not G_OPTION_ARG_INT: GApplication drops an integer option
   * that is 0, and --limit 0 would quietly mean the default. */
  if (g_variant_dict_lookup (options, "limit", "&s", &text) &&
      !g_ascii_string_to_unsigned (text, 10, 1, FB_HISTORY_QUERY_MAX, &limit, NULL))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("--limit takes a number from 1 to %d"), FB_HISTORY_QUERY_MAX);
      return FALSE;
    }
  query->limit = (guint) limit;

  return TRUE;
}

/**
 * _fb_application_print_history:
 * @options: the command line's options
 *
 * `feedbell --history`, handled before the application registers.
 *
 * Returns: -1 when the command line does not ask for the history (nor uses
 *   its options), else the exit status
 */
int
_fb_application_print_history (GVariantDict *options)
{
  g_autoptr(GPtrArray) feeds = NULL;
  g_autoptr(FbHistory) history = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  FbHistoryQuery query = { 0 };
  gboolean json = FALSE;

  g_return_val_if_fail (options != NULL, EXIT_USAGE);

  if (!g_variant_dict_contains (options, "history"))
    {
      for (guint i = 0; i < G_N_ELEMENTS (history_options); i++)
        if (g_variant_dict_contains (options, history_options[i]))
          {
            g_printerr ("feedbell: %s\n",
                        _("--feed, --search, --since, --limit and --json go with --history"));
            return EXIT_USAGE;
          }
      return -1;
    }

  feeds = load_feeds ();
  if (!build_query (options, feeds, &query, &error))
    {
      g_printerr ("feedbell: %s\n", error->message);
      return EXIT_USAGE;
    }
  g_variant_dict_lookup (options, "json", "b", &json);

  path = fb_history_default_path ();
  history = fb_history_open_read_only (path, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
    {
      g_printerr ("%s\n", _("No messages have been stored yet"));
      return 0;
    }
  if (history != NULL)
    entries = fb_history_query (history, &query, &error);
  if (entries == NULL)
    {
      /* The file is named once, whether or not SQLite's words name it. */
      g_printerr ("feedbell: ");
      if (strstr (error->message, path) != NULL)
        g_printerr (_("Cannot read the stored messages: %s"), error->message);
      else
        g_printerr (_("Cannot read the stored messages in %s: %s"), path, error->message);
      g_printerr ("\n");
      return EXIT_READ_FAILED;
    }

  if (entries->len == 0 && !json)
    g_printerr ("%s\n", _("No stored messages match"));
  print_entries (entries, feeds, json);

  return 0;
}
