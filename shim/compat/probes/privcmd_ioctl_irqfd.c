// SPDX-License-Identifier: GPL-2.0-only
/* The uapi header defines IOCTL_PRIVCMD_IRQFD and IOCTL_PRIVCMD_IOEVENTFD. */
#include <linux/types.h>
#include <linux/ioctl.h>
#include <xen/interface/xen.h>
#include <xen/privcmd.h>

unsigned int xd_probe(struct privcmd_irqfd *a, struct privcmd_ioeventfd *b);
unsigned int xd_probe(struct privcmd_irqfd *a, struct privcmd_ioeventfd *b)
{
	return IOCTL_PRIVCMD_IRQFD + IOCTL_PRIVCMD_IOEVENTFD + a->fd + b->vq;
}
