// SPDX-License-Identifier: GPL-2.0-only
/*
 * Not a feature: this probe must compile on every supported kernel.  If it
 * does not, the build directory is broken (or not a Xen-capable kernel), and
 * gen-compat.sh fails instead of silently reporting "no features".
 */
#include <linux/types.h>
#include <linux/interrupt.h>
#include <xen/xen.h>
#include <xen/events.h>

int xd_probe(void);
int xd_probe(void)
{
	return xen_domain() ? bind_evtchn_to_irqhandler_lateeoi(0, NULL, 0,
								 "", NULL) : 0;
}
