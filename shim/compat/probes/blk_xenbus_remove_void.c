// SPDX-License-Identifier: GPL-2.0-only
/* struct xenbus_driver.remove returns void (6.2, backported to 6.1.162). */
#include <xen/xenbus.h>

static void xd_probe_remove(struct xenbus_device *dev)
{
}

struct xenbus_driver xd_probe_drv;
struct xenbus_driver xd_probe_drv = {
	.remove = xd_probe_remove,
};
