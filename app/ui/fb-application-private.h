/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "fb-application.h"
#include "fb-feed-manager.h"
#include "fb-history.h"
#include "fb-indicator.h"
#include "fb-libnotify-display.h"
#include "fb-notifier.h"

G_BEGIN_DECLS

struct _FbApplication
{
  GtkApplication  parent_instance;

  GSettings      *settings;
  FbHistory      *history;
  FbFeedManager  *manager;
  FbNotifier     *notifier;
  FbLibnotifyDisplay *display;
  FbIndicator    *indicator;
  GtkWidget      *window;
  GCancellable   *requests;    /* the http actions being sent */
};

void _fb_application_install_actions (FbApplication *self);
void _fb_application_run_http_action (FbApplication *self,
                                      GVariant      *parameter);
void _fb_application_show_window     (FbApplication *self);

int  _fb_application_print_history   (GVariantDict  *options);

G_END_DECLS
