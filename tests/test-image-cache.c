/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <gdk-pixbuf/gdk-pixbuf.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>

#include "fb-image-cache.h"
#include "fb-test-utils.h"

/*
 * FbImageCache against real SoupServers on 127.0.0.1 and a manual clock
 * (so that no timeout fires unless a test moves the clock): good images
 * come back as PNG files that fit, hits make no request, one download is
 * shared, and a hostile server gets an error for each of its tricks:
 * the wrong type, a lie about the type, an endless body, a Content-Length
 * too large, a decompression bomb, redirects that leak credentials or
 * leave http, and never answering.
 */

#define SIDE          256
#define MAX_DOWNLOAD  (256 * 1024)
#define WAIT_MS       10000

typedef struct
{
  FbTestNetFixture  net;
  FbImageCache     *cache;
  char             *dir;
  char             *origin;        /* the server's */
  GBytes           *png;           /* 1000 × 500 */
  GBytes           *jpeg;          /* 300 × 600 */
  GBytes           *small;         /* 40 × 30, PNG */
  GBytes           *wide;          /* 8193 × 2, PNG */
  GPtrArray        *streams;       /* FbTestStream outside the servers' */
  FbTestStream     *endless;
  gsize             endless_written;
} Fixture;

typedef struct
{
  gboolean  done;
  char     *path;
  GError   *error;
} Fetch;

static void
fetch_clear (Fetch *fetch)
{
  g_clear_pointer (&fetch->path, g_free);
  g_clear_error (&fetch->error);
  fetch->done = FALSE;
}

static GBytes *
make_image (int         width,
            int         height,
            const char *type)
{
  gboolean alpha = g_strcmp0 (type, "jpeg") != 0;
  g_autoptr(GdkPixbuf) pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, alpha, 8, width, height);
  guint8 *pixels = gdk_pixbuf_get_pixels (pixbuf);
  int stride = gdk_pixbuf_get_rowstride (pixbuf);
  int n_channels = gdk_pixbuf_get_n_channels (pixbuf);
  g_autoptr(GError) error = NULL;
  char *data = NULL;
  gsize len = 0;

  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      {
        guint8 *p = pixels + y * stride + x * n_channels;

        p[0] = x * 255 / width;
        p[1] = y * 255 / height;
        p[2] = (x ^ y) & 0xff;
        if (alpha)
          p[3] = 255;
      }

  gdk_pixbuf_save_to_buffer (pixbuf, &data, &len, type, &error, NULL);
  g_assert_no_error (error);

  return g_bytes_new_take (data, len);
}

/* --- PNG by hand: chunks with their CRC ----------------------------------- */

static guint32
crc32_update (guint32       crc,
              const guint8 *data,
              gsize         len)
{
  crc = ~crc;
  for (gsize i = 0; i < len; i++)
    {
      crc ^= data[i];
      for (int bit = 0; bit < 8; bit++)
        crc = (crc >> 1) ^ (0xEDB88320u & -(crc & 1));
    }
  return ~crc;
}

static void
append_be32 (GByteArray *bytes,
             guint32     value)
{
  guint8 be[4] = { value >> 24, value >> 16, value >> 8, value };

  g_byte_array_append (bytes, be, 4);
}

static void
append_chunk (GByteArray   *png,
              const char   *type,
              const guint8 *data,
              guint32       len)
{
  guint32 crc;

  append_be32 (png, len);
  g_byte_array_append (png, (const guint8 *) type, 4);
  g_byte_array_append (png, data, len);
  crc = crc32_update (0, (const guint8 *) type, 4);
  crc = crc32_update (crc, data, len);
  append_be32 (png, crc);
}

/* The signature and an IHDR chunk of an 8-bit RGBA image. */
static GByteArray *
png_header (guint32 width,
            guint32 height)
{
  static const guint8 signature[] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
  GByteArray *png = g_byte_array_new ();
  g_autoptr(GByteArray) ihdr = g_byte_array_new ();
  static const guint8 rest[] = { 8, 6, 0, 0, 0 };

  g_byte_array_append (png, signature, sizeof signature);
  append_be32 (ihdr, width);
  append_be32 (ihdr, height);
  g_byte_array_append (ihdr, rest, sizeof rest);
  append_chunk (png, "IHDR", ihdr->data, ihdr->len);

  return png;
}

/* 118 bytes that say 60000 × 60000 pixels: 14.4 GB decoded. */
static GBytes *
make_bomb (void)
{
  /* zlib's deflate of one zero byte: the image's first filter byte. */
  static const guint8 idat[] = { 0x78, 0x9c, 0x63, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01 };
  GByteArray *png = png_header (60000, 60000);

  append_chunk (png, "IDAT", idat, sizeof idat);
  append_chunk (png, "IEND", NULL, 0);

  return g_byte_array_free_to_bytes (png);
}

/* --- the servers ------------------------------------------------------------ */

static void
endless_wrote_chunk_cb (SoupServerMessage *msg,
                        Fixture           *f)
{
  static const char zeros[64 * 1024];

  /* A cap, so that a client that reads on fails the test instead of
   * running it forever. */
  if (f->endless_written > 64 * 1024 * 1024)
    return;
  f->endless_written += sizeof zeros;
  fb_test_stream_write (f->endless, zeros, sizeof zeros);
}


static void
respond (SoupServerMessage *msg,
         const char        *type,
         GBytes            *body)
{
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, type, SOUP_MEMORY_COPY,
                                    g_bytes_get_data (body, NULL), g_bytes_get_size (body));
}

static void
redirect (SoupServerMessage *msg,
          const char        *location)
{
  soup_server_message_set_redirect (msg, SOUP_STATUS_FOUND, location);
}

static void
handler (FbTestSseServer   *server,
         SoupServerMessage *msg,
         const char        *path,
         GHashTable        *query,
         guint              index,
         gpointer           user_data)
{
  Fixture *f = user_data;

  if (server == f->net.other)
    {
      if (g_strcmp0 (path, "/back") == 0)
        {
          g_autofree char *back = fb_test_sse_server_url (f->net.server, "/image.png");

          redirect (msg, back);
        }
      else
        respond (msg, "image/png", f->png);
      return;
    }

  if (g_strcmp0 (path, "/image.png") == 0 || g_str_has_prefix (path, "/lru/"))
    respond (msg, "image/png", f->png);
  else if (g_strcmp0 (path, "/image.jpg") == 0)
    respond (msg, "image/jpeg", f->jpeg);
  else if (g_strcmp0 (path, "/small.png") == 0)
    respond (msg, "image/png", f->small);
  else if (g_strcmp0 (path, "/wide.png") == 0)
    respond (msg, "image/png", f->wide);
  else if (g_strcmp0 (path, "/pixel.gif") == 0)
    {
      static const guint8 gif[] = {
        'G', 'I', 'F', '8', '9', 'a', 1, 0, 1, 0, 0x80, 0, 0, 0xff, 0xff, 0xff, 0, 0, 0,
        ',', 0, 0, 0, 0, 1, 0, 1, 0, 0, 2, 2, 0x44, 0x01, 0, ';',
      };
      g_autoptr(GBytes) bytes = g_bytes_new_static (gif, sizeof gif);

      respond (msg, "image/gif", bytes);
    }
  else if (g_strcmp0 (path, "/wrong-type.png") == 0)
    respond (msg, "text/html", f->png);
  else if (g_strcmp0 (path, "/png-as-jpeg.jpg") == 0)
    respond (msg, "image/jpeg", f->png);
  else if (g_strcmp0 (path, "/html.png") == 0)
    {
      g_autoptr(GBytes) html = g_bytes_new_static ("<!DOCTYPE html><p>Not an image</p>", 34);

      respond (msg, "image/png", html);
    }
  else if (g_strcmp0 (path, "/bomb.png") == 0)
    {
      g_autoptr(GBytes) bomb = make_bomb ();

      respond (msg, "image/png", bomb);
    }
  else if (g_strcmp0 (path, "/endless.png") == 0)
    {
      /* A PNG whose private chunk says 4,000,000 bytes follow: a decoder
       * waits for them all, the body goes on for ever. */
      g_autoptr(GByteArray) png = png_header (16, 16);

      append_be32 (png, 4000000);
      g_byte_array_append (png, (const guint8 *) "fbZz", 4);
      f->endless = fb_test_sse_server_stream (server, msg, "image/png");
      g_signal_connect (msg, "wrote-chunk", G_CALLBACK (endless_wrote_chunk_cb), f);
      fb_test_stream_write (f->endless, (const char *) png->data, png->len);
    }
  else if (g_strcmp0 (path, "/huge-length.png") == 0)
    {
      FbTestStream *stream = fb_test_stream_new_with_length (msg, "image/png", 100 * 1024 * 1024);

      g_ptr_array_add (f->streams, stream);
      fb_test_stream_write (stream, "\x89PNG\r\n\x1a\n", 8);
      fb_test_net_fixture_watch (&f->net, msg);
    }
  else if (g_strcmp0 (path, "/never.png") == 0)
    {
      fb_test_net_fixture_hold (&f->net, msg);
    }
  else if (g_strcmp0 (path, "/redirect-same") == 0)
    redirect (msg, "/image.png");
  else if (g_strcmp0 (path, "/redirect-other") == 0 || g_strcmp0 (path, "/redirect-back") == 0)
    {
      g_autofree char *there = fb_test_sse_server_url (f->net.other,
                                                       g_strcmp0 (path, "/redirect-back") == 0
                                                       ? "/back" : "/image.png");

      redirect (msg, there);
    }
  else if (g_strcmp0 (path, "/redirect-loop") == 0)
    redirect (msg, "/redirect-loop");
  else if (g_str_has_prefix (path, "/redirect-to/"))
    redirect (msg, g_hash_table_lookup (query, "to"));
  else
    soup_server_message_set_status (msg, SOUP_STATUS_NOT_FOUND, NULL);
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fb_test_net_fixture_set_up (&f->net, handler, f);
  f->origin = fb_test_sse_server_url (f->net.server, "");
  f->dir = g_dir_make_tmp ("fb-image-cache-XXXXXX", &error);
  g_assert_no_error (error);
  f->cache = fb_image_cache_new (f->dir, 0, f->net.clock);
  f->png = make_image (1000, 500, "png");
  f->jpeg = make_image (300, 600, "jpeg");
  f->small = make_image (40, 30, "png");
  f->wide = make_image (FB_IMAGE_CACHE_MAX_IMAGE_SIDE + 1, 2, "png");
  f->streams = g_ptr_array_new_with_free_func ((GDestroyNotify) fb_test_stream_free);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_object (&f->cache);
  g_clear_pointer (&f->streams, g_ptr_array_unref);
  fb_test_net_fixture_tear_down (&f->net);
  g_clear_pointer (&f->png, g_bytes_unref);
  g_clear_pointer (&f->jpeg, g_bytes_unref);
  g_clear_pointer (&f->small, g_bytes_unref);
  g_clear_pointer (&f->wide, g_bytes_unref);
  fb_test_delete_tree (f->dir);
  g_free (f->dir);
  g_free (f->origin);
}

/* --- fetching ---------------------------------------------------------------- */

static void
fetch_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  Fetch *fetch = user_data;

  fetch->path = fb_image_cache_fetch_finish (FB_IMAGE_CACHE (object), result, &fetch->error);
  fetch->done = TRUE;
}

static gboolean
fetch_done (gpointer user_data)
{
  return ((Fetch *) user_data)->done;
}

static void
fetch_start_full (Fixture      *f,
                  Fetch        *fetch,
                  const char   *url,
                  const char   *authorization,
                  GCancellable *cancellable)
{
  fetch_clear (fetch);
  fb_image_cache_fetch_async (f->cache, f->net.session, url, f->origin, authorization,
                              MAX_DOWNLOAD, SIDE, cancellable, fetch_cb, fetch);
}

static void
fetch_start (Fixture    *f,
             Fetch      *fetch,
             const char *path)
{
  g_autofree char *url = fb_test_sse_server_url (f->net.server, path);

  fetch_start_full (f, fetch, url, NULL, NULL);
}

/* Fetches @path from the server and waits for the outcome. */
static void
fetch_path (Fixture    *f,
            Fetch      *fetch,
            const char *path)
{
  fetch_start (f, fetch, path);
  g_assert_true (fb_test_wait_until (fetch_done, fetch, WAIT_MS));
}

static guint
n_requests (FbTestSseServer *server)
{
  return fb_test_sse_server_get_requests (server)->len;
}

static guint
n_files (Fixture *f)
{
  g_autoptr(GDir) dir = g_dir_open (f->dir, 0, NULL);
  guint n = 0;

  while (dir != NULL && g_dir_read_name (dir) != NULL)
    n++;
  return n;
}

static void
assert_png (const char *path,
            int         width,
            int         height)
{
  GdkPixbufFormat *format;
  g_autofree char *name = NULL;
  int w = 0, h = 0;

  format = gdk_pixbuf_get_file_info (path, &w, &h);
  g_assert_nonnull (format);
  name = gdk_pixbuf_format_get_name (format);
  g_assert_cmpstr (name, ==, "png");
  g_assert_cmpint (w, ==, width);
  g_assert_cmpint (h, ==, height);
}

/* Fetches @path and checks it fails with @domain and @code, leaving no file. */
static void
assert_refused (Fixture    *f,
                const char *path,
                GQuark      domain,
                int         code)
{
  Fetch fetch = { 0 };

  fetch_path (f, &fetch, path);
  g_assert_error (fetch.error, domain, code);
  g_assert_null (fetch.path);
  g_assert_cmpuint (n_files (f), ==, 0);
  fetch_clear (&fetch);
}

/* --- the tests ------------------------------------------------------------- */

static void
test_good_images (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *url = fb_test_sse_server_url (f->net.server, "/image.png");
  g_autofree char *hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, url, -1);
  g_autofree char *name = g_strdup_printf ("%s-%u.png", hash, SIDE);
  g_autofree char *expected = g_build_filename (f->dir, name, NULL);
  Fetch fetch = { 0 };
  struct stat st;

  fetch_path (f, &fetch, "/image.png");
  g_assert_no_error (fetch.error);
  g_assert_cmpstr (fetch.path, ==, expected);
  assert_png (fetch.path, SIDE, SIDE / 2);
  g_assert_cmpint (g_stat (fetch.path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_assert_cmpint (g_stat (f->dir, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0700);

  fetch_path (f, &fetch, "/image.jpg");
  g_assert_no_error (fetch.error);
  assert_png (fetch.path, SIDE / 2, SIDE);

  /* Smaller than the side: kept as it is, not enlarged. */
  fetch_path (f, &fetch, "/small.png");
  g_assert_no_error (fetch.error);
  assert_png (fetch.path, 40, 30);

  fetch_path (f, &fetch, "/pixel.gif");
  g_assert_no_error (fetch.error);
  assert_png (fetch.path, 1, 1);

  g_assert_cmpuint (n_requests (f->net.server), ==, 4);
  fetch_clear (&fetch);
}

static void
test_cache_hit (Fixture       *f,
                gconstpointer  data)
{
  Fetch first = { 0 }, second = { 0 };

  fetch_path (f, &first, "/image.png");
  g_assert_no_error (first.error);
  g_assert_cmpuint (n_requests (f->net.server), ==, 1);

  fetch_path (f, &second, "/image.png");
  g_assert_no_error (second.error);
  g_assert_cmpstr (second.path, ==, first.path);
  g_assert_cmpuint (n_requests (f->net.server), ==, 1);

  fetch_clear (&first);
  fetch_clear (&second);
}

static void
test_shared_download (Fixture       *f,
                      gconstpointer  data)
{
  g_autofree char *url = fb_test_sse_server_url (f->net.server, "/image.png");
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  Fetch a = { 0 }, b = { 0 }, c = { 0 };

  fetch_start_full (f, &a, url, NULL, NULL);
  fetch_start_full (f, &b, url, NULL, cancellable);
  fetch_start_full (f, &c, url, NULL, NULL);
  /* One of them gives up: the others still get the image. */
  g_cancellable_cancel (cancellable);
  g_assert_true (fb_test_wait_until (fetch_done, &a, WAIT_MS));
  g_assert_true (fb_test_wait_until (fetch_done, &b, WAIT_MS));
  g_assert_true (fb_test_wait_until (fetch_done, &c, WAIT_MS));

  g_assert_no_error (a.error);
  g_assert_error (b.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_no_error (c.error);
  g_assert_cmpstr (a.path, ==, c.path);
  g_assert_cmpuint (n_requests (f->net.server), ==, 1);

  fetch_clear (&a);
  fetch_clear (&b);
  fetch_clear (&c);
}

static void
test_not_http (Fixture       *f,
               gconstpointer  data)
{
  static const char * const urls[] = {
    "file:///etc/passwd", "ftp://127.0.0.1/a.png", "data:image/png;base64,AAAA", "/image.png",
  };
  Fetch fetch = { 0 };

  for (guint i = 0; i < G_N_ELEMENTS (urls); i++)
    {
      fetch_start_full (f, &fetch, urls[i], NULL, NULL);
      g_assert_true (fb_test_wait_until (fetch_done, &fetch, WAIT_MS));
      g_assert_error (fetch.error, FB_IMAGE_CACHE_ERROR, FB_IMAGE_CACHE_ERROR_INVALID_URL);
    }
  g_assert_cmpuint (n_requests (f->net.server), ==, 0);
  fetch_clear (&fetch);
}

static void
test_wrong_type (Fixture       *f,
                 gconstpointer  data)
{
  assert_refused (f, "/wrong-type.png", FB_IMAGE_CACHE_ERROR, FB_IMAGE_CACHE_ERROR_CONTENT_TYPE);
  assert_refused (f, "/missing.png", FB_IMAGE_CACHE_ERROR, FB_IMAGE_CACHE_ERROR_HTTP);
}

static void
test_not_an_image (Fixture       *f,
                   gconstpointer  data)
{
  assert_refused (f, "/html.png", FB_IMAGE_CACHE_ERROR, FB_IMAGE_CACHE_ERROR_DECODE);
  /* Only the declared type's decoder reads the data. */
  assert_refused (f, "/png-as-jpeg.jpg", FB_IMAGE_CACHE_ERROR, FB_IMAGE_CACHE_ERROR_DECODE);
}

static void
test_endless_body (Fixture       *f,
                   gconstpointer  data)
{
  assert_refused (f, "/endless.png", FB_IMAGE_CACHE_ERROR, FB_IMAGE_CACHE_ERROR_TOO_LARGE);

  /* The client went away: the server's endless body ends, far from its
   * cap, having written no more than the limit plus what the sockets'
   * buffers hold. */
  g_assert_true (fb_test_wait_until ((FbTestCondition) fb_test_stream_is_done, f->endless, WAIT_MS));
  g_test_message ("the server wrote %" G_GSIZE_FORMAT " bytes", f->endless_written);
  g_assert_cmpuint (f->endless_written, >=, MAX_DOWNLOAD);
  g_assert_cmpuint (f->endless_written, <, MAX_DOWNLOAD + 40 * 1024 * 1024);
}

static void
test_content_length (Fixture       *f,
                     gconstpointer  data)
{
  /* The body never comes, and no timeout can fire on the manual clock:
   * only a refusal before reading ends this fetch. */
  assert_refused (f, "/huge-length.png", FB_IMAGE_CACHE_ERROR, FB_IMAGE_CACHE_ERROR_TOO_LARGE);
  /* And it closed the connection instead of reading on. */
  g_assert_true (fb_test_wait_until (fb_test_peer_watch_closed, f->net.peer_watch, WAIT_MS));
}

static void
test_too_many_pixels (Fixture       *f,
                      gconstpointer  data)
{
  assert_refused (f, "/bomb.png", FB_IMAGE_CACHE_ERROR, FB_IMAGE_CACHE_ERROR_TOO_MANY_PIXELS);
  assert_refused (f, "/wide.png", FB_IMAGE_CACHE_ERROR, FB_IMAGE_CACHE_ERROR_TOO_MANY_PIXELS);
}

static void
test_redirect_same_origin (Fixture       *f,
                           gconstpointer  data)
{
  g_autofree char *url = fb_test_sse_server_url (f->net.server, "/redirect-same");
  Fetch fetch = { 0 };

  fetch_start_full (f, &fetch, url, "Bearer tk_secret", NULL);
  g_assert_true (fb_test_wait_until (fetch_done, &fetch, WAIT_MS));
  g_assert_no_error (fetch.error);

  g_assert_cmpuint (n_requests (f->net.server), ==, 2);
  for (guint i = 0; i < 2; i++)
    g_assert_cmpstr (fb_test_request_header (fb_test_sse_server_get_request (f->net.server, i),
                                             "Authorization"), ==, "Bearer tk_secret");
  fetch_clear (&fetch);
}

static void
test_redirect_other_origin (Fixture       *f,
                            gconstpointer  data)
{
  g_autofree char *url = fb_test_sse_server_url (f->net.server, "/redirect-other");
  g_autofree char *back = fb_test_sse_server_url (f->net.server, "/redirect-back");
  FbTestRequest *request;
  Fetch fetch = { 0 };

  fetch_start_full (f, &fetch, url, "Bearer tk_secret", NULL);
  g_assert_true (fb_test_wait_until (fetch_done, &fetch, WAIT_MS));
  g_assert_no_error (fetch.error);
  request = fb_test_sse_server_get_request (f->net.server, 0);
  g_assert_cmpstr (fb_test_request_header (request, "Authorization"), ==, "Bearer tk_secret");
  g_assert_cmpuint (n_requests (f->net.other), ==, 1);
  request = fb_test_sse_server_get_request (f->net.other, 0);
  g_assert_null (fb_test_request_header (request, "Authorization"));

  /* Gone once, gone for good: not sent again when a hop comes back. */
  fetch_start_full (f, &fetch, back, "Bearer tk_secret", NULL);
  g_assert_true (fb_test_wait_until (fetch_done, &fetch, WAIT_MS));
  g_assert_no_error (fetch.error);
  g_assert_cmpuint (n_requests (f->net.other), ==, 2);
  g_assert_null (fb_test_request_header (fb_test_sse_server_get_request (f->net.other, 1),
                                         "Authorization"));
  g_assert_cmpuint (n_requests (f->net.server), ==, 3);
  request = fb_test_sse_server_get_request (f->net.server, 2);
  g_assert_cmpstr (request->path, ==, "/image.png");
  g_assert_null (fb_test_request_header (request, "Authorization"));

  fetch_clear (&fetch);
}

static void
test_redirect_refused (Fixture       *f,
                       gconstpointer  data)
{
  static const char * const targets[] = {
    "file%3A%2F%2F%2Fetc%2Fpasswd", "ftp%3A%2F%2F127.0.0.1%2Fa.png", "data%3Aimage%2Fpng%3Bbase64%2CAAAA",
    "javascript%3Aalert(1)",
  };

  for (guint i = 0; i < G_N_ELEMENTS (targets); i++)
    {
      g_autofree char *path = g_strdup_printf ("/redirect-to/%u?to=%s", i, targets[i]);

      assert_refused (f, path, FB_IMAGE_CACHE_ERROR, FB_IMAGE_CACHE_ERROR_REDIRECT);
    }
  g_assert_cmpuint (n_requests (f->net.server), ==, G_N_ELEMENTS (targets));

  /* The first request and five redirects, no more. */
  assert_refused (f, "/redirect-loop", FB_IMAGE_CACHE_ERROR, FB_IMAGE_CACHE_ERROR_REDIRECT);
  g_assert_cmpuint (n_requests (f->net.server), ==,
                    G_N_ELEMENTS (targets) + 1 + FB_IMAGE_CACHE_MAX_REDIRECTS);
}

static gboolean
file_exists (Fixture    *f,
             const char *path)
{
  return g_file_test (path, G_FILE_TEST_IS_REGULAR);
}

static guint64
dir_size (Fixture *f)
{
  g_autoptr(GDir) dir = g_dir_open (f->dir, 0, NULL);
  guint64 total = 0;
  const char *name;

  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (f->dir, name, NULL);
      struct stat st;

      g_assert_cmpint (g_stat (path, &st), ==, 0);
      total += st.st_size;
    }
  return total;
}

static void
test_lru_eviction (Fixture       *f,
                   gconstpointer  data)
{
  Fetch fetch[4] = { 0 };
  Fetch again = { 0 };
  struct stat st;
  guint64 size;

  for (guint i = 0; i < 4; i++)
    {
      g_autofree char *path = g_strdup_printf ("/lru/%c.png", 'a' + i);

      if (i == 1)
        {
          /* The same pixels make the same file: room for three. */
          g_assert_cmpint (g_stat (fetch[0].path, &st), ==, 0);
          size = st.st_size;
          fb_image_cache_set_max_bytes (f->cache, 3 * size);
        }
      if (i == 3)
        {
          /* a is used again: b is now the least recently used. */
          fetch_path (f, &again, "/lru/a.png");
          g_assert_cmpstr (again.path, ==, fetch[0].path);
          g_assert_cmpuint (n_requests (f->net.server), ==, 3);
          fb_clock_advance (f->net.clock, G_USEC_PER_SEC);
        }
      fetch_path (f, &fetch[i], path);
      g_assert_no_error (fetch[i].error);
      fb_clock_advance (f->net.clock, G_USEC_PER_SEC);
    }

  g_assert_true (file_exists (f, fetch[0].path));
  g_assert_false (file_exists (f, fetch[1].path));
  g_assert_true (file_exists (f, fetch[2].path));
  g_assert_true (file_exists (f, fetch[3].path));
  g_assert_cmpuint (dir_size (f), <=, fb_image_cache_get_max_bytes (f->cache));

  /* b is fetched again; a is still a hit. */
  fetch_path (f, &again, "/lru/b.png");
  g_assert_cmpuint (n_requests (f->net.server), ==, 5);
  fetch_path (f, &again, "/lru/a.png");
  g_assert_cmpuint (n_requests (f->net.server), ==, 5);
  g_assert_cmpuint (dir_size (f), <=, fb_image_cache_get_max_bytes (f->cache));

  for (guint i = 0; i < 4; i++)
    fetch_clear (&fetch[i]);
  fetch_clear (&again);
}

static void
test_timeout (Fixture       *f,
              gconstpointer  data)
{
  Fetch fetch = { 0 };

  fb_image_cache_set_timeout (f->cache, 2000);
  fetch_start (f, &fetch, "/never.png");
  g_assert_true (fb_test_wait_until (fb_test_net_fixture_holds, &f->net, WAIT_MS));

  fb_clock_advance (f->net.clock, 1999 * 1000);
  fb_test_flush_main_context ();
  g_assert_false (fetch.done);

  fb_clock_advance (f->net.clock, 1000);
  g_assert_true (fb_test_wait_until (fetch_done, &fetch, WAIT_MS));
  g_assert_error (fetch.error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  g_assert_cmpuint (n_files (f), ==, 0);
  /* The client closed its connection. */
  g_assert_true (fb_test_wait_until (fb_test_peer_watch_closed, f->net.peer_watch, WAIT_MS));
  fetch_clear (&fetch);
}

/* The only fetch of an image gives up: the download stops, its connection
 * closes, and nothing is left in flight (the cache's finalize checks). */
static void
test_cancelled (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *url = fb_test_sse_server_url (f->net.server, "/never.png");
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  Fetch fetch = { 0 };

  fetch_start_full (f, &fetch, url, NULL, cancellable);
  g_assert_true (fb_test_wait_until (fb_test_net_fixture_holds, &f->net, WAIT_MS));
  g_cancellable_cancel (cancellable);
  g_assert_true (fb_test_wait_until (fetch_done, &fetch, WAIT_MS));
  g_assert_error (fetch.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_true (fb_test_wait_until (fb_test_peer_watch_closed, f->net.peer_watch, WAIT_MS));
  /* The download ended: its timeout is gone. */
  g_assert_true (fb_test_wait_until (fb_test_clock_has_no_timeouts, f->net.clock, WAIT_MS));
  fetch_clear (&fetch);
}

static void
test_expired (void)
{
  g_autoptr(FbClock) clock = fb_clock_new_manual (0, (gint64) 1700000000 * G_USEC_PER_SEC);

  g_assert_false (fb_image_cache_is_expired (0, clock));
  g_assert_false (fb_image_cache_is_expired (-1, clock));
  g_assert_true (fb_image_cache_is_expired (1699999999, clock));
  g_assert_true (fb_image_cache_is_expired (1700000000, clock));
  g_assert_false (fb_image_cache_is_expired (1700000001, clock));
}

/* The settings' defaults are the header's. */
static void
test_settings_defaults (void)
{
  g_autoptr(GSettingsSchema) schema = NULL;
  g_autoptr(GSettingsSchemaKey) key = NULL;
  g_autoptr(GVariant) value = NULL;

  schema = g_settings_schema_source_lookup (g_settings_schema_source_get_default (), APP_ID, TRUE);
  g_assert_nonnull (schema);

  key = g_settings_schema_get_key (schema, "image-max-download");
  value = g_settings_schema_key_get_default_value (key);
  g_assert_cmpuint (g_variant_get_uint32 (value), ==, FB_IMAGE_CACHE_DEFAULT_MAX_DOWNLOAD);
  g_clear_pointer (&key, g_settings_schema_key_unref);
  g_clear_pointer (&value, g_variant_unref);

  key = g_settings_schema_get_key (schema, "image-cache-size");
  value = g_settings_schema_key_get_default_value (key);
  g_assert_cmpuint ((guint64) g_variant_get_uint32 (value) * 1024 * 1024, ==,
                    FB_IMAGE_CACHE_DEFAULT_MAX_BYTES);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/image-cache/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("good-images", test_good_images);
  ADD ("cache-hit", test_cache_hit);
  ADD ("shared-download", test_shared_download);
  ADD ("not-http", test_not_http);
  ADD ("wrong-type", test_wrong_type);
  ADD ("not-an-image", test_not_an_image);
  ADD ("endless-body", test_endless_body);
  ADD ("content-length", test_content_length);
  ADD ("too-many-pixels", test_too_many_pixels);
  ADD ("redirect-same-origin", test_redirect_same_origin);
  ADD ("redirect-other-origin", test_redirect_other_origin);
  ADD ("redirect-refused", test_redirect_refused);
  ADD ("lru-eviction", test_lru_eviction);
  ADD ("timeout", test_timeout);
  ADD ("cancelled", test_cancelled);
  g_test_add_func ("/image-cache/expired", test_expired);
  g_test_add_func ("/image-cache/settings-defaults", test_settings_defaults);

#undef ADD

  return g_test_run ();
}
