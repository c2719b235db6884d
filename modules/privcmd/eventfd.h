/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * xen-privcmd: IOCTL_PRIVCMD_IRQFD and IOCTL_PRIVCMD_IOEVENTFD (eventfd.c).
 */
#ifndef XD_PRIVCMD_EVENTFD_H
#define XD_PRIVCMD_EVENTFD_H

#include <linux/fs.h>
#include <linux/mm_types.h>
#include <xen/interface/xen.h>

long xd_privcmd_irqfd(struct file *filp, domid_t restrict_domid,
		      void __user *uarg);
long xd_privcmd_ioeventfd(struct file *filp, domid_t restrict_domid,
			  void __user *uarg);
void xd_privcmd_eventfd_release(struct file *filp);
int xd_privcmd_eventfd_init(void);
void xd_privcmd_eventfd_exit(void);

/* privcmd.c: is @addr inside an ioreq-capable mapping of this process? */
bool xd_privcmd_ioreq_mapped(struct mm_struct *mm, unsigned long addr);

#endif /* XD_PRIVCMD_EVENTFD_H */
