/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "fb-types.h"

G_DEFINE_QUARK (fb-sse-error-quark, fb_sse_error)
