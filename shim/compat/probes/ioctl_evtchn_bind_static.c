// SPDX-License-Identifier: GPL-2.0-only
/* The uapi header defines IOCTL_EVTCHN_BIND_STATIC and its argument. */
#include <linux/types.h>
#include <linux/ioctl.h>
#include <xen/interface/xen.h>
#include <xen/evtchn.h>

unsigned int xd_probe(struct ioctl_evtchn_bind *b);
unsigned int xd_probe(struct ioctl_evtchn_bind *b)
{
	return IOCTL_EVTCHN_BIND_STATIC + b->port;
}
