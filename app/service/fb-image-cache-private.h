/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gdk-pixbuf/gdk-pixbuf.h>

#include "fb-image-cache.h"

G_BEGIN_DECLS

#define FB_IMAGE_DOWNLOAD_CHUNK (16 * 1024)

struct _FbImageCache
{
  GObject     parent_instance;

  char       *dir;
  guint64     max_bytes;
  FbClock    *clock;
  guint       timeout_ms;
  GHashTable *downloads;     /* file name → FbImageDownload: the images in flight */
  GMutex      evict_lock;    /* one eviction at a time, in the store threads */
};

/*
 * One image in flight: its request (fb-image-cache-download.c), then its
 * saving (fb-image-cache-store.c), and every fetch waiting for it
 * (fb-image-cache.c).
 */
typedef struct
{
  FbImageCache    *cache;
  char            *name;               /* the cache file's name, its key in cache->downloads */
  GPtrArray       *waiters;            /* GTask, each fetch of this image */

  /* The request, in fb-image-cache-download.c. */
  SoupSession     *session;
  GUri            *uri;                /* the current hop */
  char            *log_url;            /* the first URL without user, query or fragment */
  GUri            *credentials_origin; /* (nullable) */
  char            *authorization;      /* (nullable): dropped once a hop leaves that origin */
  gsize            max_download;
  guint            max_side;
  guint            n_redirects;
  GCancellable    *cancellable;
  guint            timeout_ms;
  guint            timeout_id;         /* on cache->clock */
  gboolean         timed_out;
  SoupMessage     *message;
  GInputStream    *stream;
  gsize            n_read;
  GdkPixbufLoader *loader;
  gboolean         too_many_pixels;    /* said by "size-prepared" */
  int              width, height;      /* the image's size, as the decoder read it */
  guint8           buffer[FB_IMAGE_DOWNLOAD_CHUNK];
} FbImageDownload;

/* Sends the request; calls _fb_image_cache_downloaded() once, later. */
void _fb_image_download_start   (FbImageDownload *download);
/* Stops whatever the request is doing; its callback follows. */
void _fb_image_download_cancel  (FbImageDownload *download);

/* The end of the request: @loader closed, holding the image scaled to fit,
 * or @error. The request no longer touches @download. */
void _fb_image_cache_downloaded (FbImageDownload *download,
                                 GdkPixbufLoader *loader,
                                 GError          *error);

/* fb-image-cache-store.c: the files. */
char     *_fb_image_cache_file_name    (const char          *url,
                                        guint                side);
gboolean  _fb_image_cache_touch        (const char          *path,
                                        gint64               mtime_us);
void      _fb_image_cache_store_async  (FbImageCache        *self,
                                        GdkPixbufLoader     *loader,
                                        const char          *name,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data);
char     *_fb_image_cache_store_finish (FbImageCache        *self,
                                        GAsyncResult        *result,
                                        GError             **error);

G_END_DECLS
