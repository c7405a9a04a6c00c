/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "fb-json-select"

#include "config.h"

#include "fb-json-select.h"

#include "fb-json-select-private.h"
#include "fb-template-private.h"

#include <string.h>

/*
 * Selective parsing. A mapping reads a few paths of each payload, yet
 * json-glib builds (and hashes, and seals) every member of it: for a 2 KiB
 * Mastodon notification that was three quarters of the reading. Here the
 * whole document is checked, byte by byte, but JsonNodes are made only
 * along the selected paths; everything else is skipped without allocating.
 *
 * The selection is a trie of member names and array indexes, made from the
 * templates' paths (heads and default's arguments). A node on a path is
 * built with its type, and with only the members or items that the trie
 * names; a scalar is built whole. A value at the end of a path whose action
 * has join or pairs ("deep") is built whole, since those read its items or
 * members; any other action only looks at a container's type (to say it is
 * not text), so even `.` alone needs no more than the root's type.
 *
 * A path from `.data` reaches the payload's member data when it has one,
 * else the payload itself: both are selected, and the member data is built
 * whenever it is there, so that rendering can tell which applies.
 *
 * The scanner, which checks a payload and builds what the selection names,
 * is in fb-json-scan.c.
 */

struct _FbJsonSelect
{
  FbJsonSel root;
};

static void
sel_free (gpointer data)
{
  FbJsonSel *sel = data;

  g_free (sel->name);
  g_clear_pointer (&sel->children, g_ptr_array_unref);
  g_free (sel);
}

/**
 * fb_json_select_new:
 *
 * Returns: (transfer full): an empty selection, which builds only the
 *   payload's root, without its members or items
 */
FbJsonSelect *
fb_json_select_new (void)
{
  return g_new0 (FbJsonSelect, 1);
}

void
fb_json_select_free (FbJsonSelect *self)
{
  g_return_if_fail (self != NULL);

  g_clear_pointer (&self->root.children, g_ptr_array_unref);
  g_free (self);
}

static FbJsonSel *
sel_child (FbJsonSel            *sel,
           const FbTemplateStep *step)
{
  FbJsonSel *child;

  for (guint i = 0; sel->children != NULL && i < sel->children->len; i++)
    {
      child = g_ptr_array_index (sel->children, i);
      if (step->name != NULL ? g_strcmp0 (child->name, step->name) == 0
                             : child->name == NULL && child->index == step->index)
        return child;
    }

  if (sel->children == NULL)
    sel->children = g_ptr_array_new_with_free_func (sel_free);
  child = g_new0 (FbJsonSel, 1);
  child->name = g_strdup (step->name);
  child->name_len = step->name != NULL ? strlen (step->name) : 0;
  child->index = step->index;
  if (step->name == NULL)
    sel->n_items = MAX (sel->n_items, step->index < G_MAXUINT ? step->index + 1 : G_MAXUINT);
  g_ptr_array_add (sel->children, child);
  return child;
}

static void
add_steps (FbJsonSelect         *self,
           const FbTemplateStep *steps,
           guint                 n_steps,
           gboolean              deep)
{
  FbJsonSel *sel = &self->root;

  for (guint i = 0; i < n_steps; i++)
    sel = sel_child (sel, &steps[i]);
  sel->deep |= deep;
}

static void
add_path_cb (const FbTemplateHead *head,
             gboolean              deep,
             gpointer              user_data)
{
  FbJsonSelect *self = user_data;

  /* .data.x is data.x when the payload has a member data, else x; the
   * first also keeps data itself, whose presence decides. */
  add_steps (self, head->steps, head->n_steps, deep);
  if (head->first_step == 1)
    add_steps (self, head->steps + 1, head->n_steps - 1, deep);
}

/**
 * fb_json_select_add_template:
 *
 * Adds the paths @template_ reads to the selection.
 */
void
fb_json_select_add_template (FbJsonSelect *self,
                             FbTemplate   *template_)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (template_ != NULL);

  _fb_template_foreach_path (template_, add_path_cb, self);
}

/**
 * fb_json_select_is_whole:
 *
 * Returns: whether the selection is the whole payload (a template reads
 *   all of it, as `{{ . | pairs }}` does): then selective parsing saves
 *   nothing
 */
gboolean
fb_json_select_is_whole (const FbJsonSelect *self)
{
  g_return_val_if_fail (self != NULL, TRUE);

  return self->root.deep;
}

/**
 * fb_json_select_parse:
 * @data: the event's data, valid UTF-8
 * @data_len: its length in bytes
 *
 * Checks that @data is one JSON value and builds the part of it that
 * @self selects.
 *
 * Returns: (transfer full) (nullable): the payload as far as selected, or
 *   %NULL when @data is not JSON this reads as json-glib does: the caller
 *   then parses it with _fb_message_parse_node()
 */
JsonNode *
fb_json_select_parse (const FbJsonSelect *self,
                      const char         *data,
                      gsize               data_len)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (data != NULL || data_len == 0, NULL);

  return _fb_json_select_scan (&self->root, data, data_len);
}
