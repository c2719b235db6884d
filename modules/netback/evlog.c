// SPDX-License-Identifier: GPL-2.0-only
/* The event stream of /dev/xen/netback: this module's copy of xd_evlog. */
#include "../common/xd_evlog.c"
