// SPDX-License-Identifier: GPL-2.0-only
/*
 * evtchn_make_refcounted() takes an is_static flag (static event channels,
 * and IOCTL_EVTCHN_BIND_STATIC, arrived together).
 */
#include <linux/types.h>
#include <xen/events.h>

int xd_probe(void);
int xd_probe(void)
{
	return evtchn_make_refcounted(0, false);
}
