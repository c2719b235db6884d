// SPDX-License-Identifier: GPL-2.0-only
/*
 * The uapi header defines IOCTL_PRIVCMD_PCIDEV_GET_GSI and the kernel
 * offers xen_acpi_get_gsi_from_sbdf() to answer it.
 */
#include <linux/types.h>
#include <linux/ioctl.h>
#include <xen/interface/xen.h>
#include <xen/privcmd.h>
#include <xen/acpi.h>

int xd_probe(struct privcmd_pcidev_get_gsi *g);
int xd_probe(struct privcmd_pcidev_get_gsi *g)
{
	return xen_acpi_get_gsi_from_sbdf(g->sbdf) + IOCTL_PRIVCMD_PCIDEV_GET_GSI;
}
