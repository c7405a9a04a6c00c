/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/**
 * FbMenuItem:
 * One item of a com.canonical.dbusmenu layout, as a tray host sees it.
 * Labels keep their '_' mnemonics.
 */
typedef struct _FbMenuItem FbMenuItem;

struct _FbMenuItem
{
  int         id;
  char       *label;          /* NULL when the item has none (separators) */
  char       *type;           /* "standard" or "separator" */
  char       *toggle_type;    /* NULL, "checkmark" or "radio" */
  int         toggle_state;   /* -1 when not set */
  gboolean    enabled;
  gboolean    visible;
  GPtrArray  *children;       /* FbMenuItem */
};

/* GetLayout (0, -1, []) on @path at @name: the whole tree. */
FbMenuItem *fb_dbusmenu_get_layout   (GDBusConnection *bus,
                                      const char      *name,
                                      const char      *path,
                                      guint           *revision,
                                      GError         **error);
/* Event (id, "clicked", <0>, timestamp). */
gboolean    fb_dbusmenu_click        (GDBusConnection *bus,
                                      const char      *name,
                                      const char      *path,
                                      int              id,
                                      GError         **error);

void        fb_menu_item_free        (FbMenuItem      *item);
/* Depth first: the first item whose label starts with @prefix. */
FbMenuItem *fb_menu_item_find_prefix (FbMenuItem      *root,
                                      const char      *prefix);
/* Depth first: the first item whose label contains @needle. */
FbMenuItem *fb_menu_item_find_substr (FbMenuItem      *root,
                                      const char      *needle);
/* The tree as indented text, for test logs. */
char       *fb_menu_item_describe    (FbMenuItem      *root);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FbMenuItem, fb_menu_item_free)

G_END_DECLS
