// SPDX-License-Identifier: GPL-2.0-only
/*
 * xen-privcmd: the exported file operations of /dev/xen/privcmd.
 *
 * xenfs imports xen_privcmd_fops for /proc/xen/privcmd.  Its symbol CRC
 * must equal the one of the in-tree module, and genksyms derives it from
 * the headers of the exporting file: this file includes the headers of the
 * in-tree privcmd.c (the per-kernel part in xd_privcmd_fops.h) and nothing
 * else.  Do not add includes here.
 */

#include <linux/kernel.h>
#include <linux/kstrtox.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/errno.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/uaccess.h>
#include <linux/swap.h>
#include <linux/highmem.h>
#include <linux/pagemap.h>
#include <linux/seq_file.h>
#include <linux/miscdevice.h>
#include <linux/moduleparam.h>
#include <linux/notifier.h>
#include <linux/security.h>
#include <linux/wait.h>

#include <asm/xen/hypervisor.h>
#include <asm/xen/hypercall.h>

#include <xen/xen.h>
#include <xen/privcmd.h>
#include <xen/interface/xen.h>
#include <xen/interface/memory.h>
#include <xen/interface/hvm/dm_op.h>
#include <xen/features.h>
#include <xen/page.h>
#include <xen/xen-ops.h>
#include <xen/balloon.h>
#include <xen/xenbus.h>

#include "xd_privcmd_fops.h"
#include "privcmd.h"

/* Also the file operations of /proc/xen/privcmd (xenfs imports them). */
const struct file_operations xen_privcmd_fops = {
	.owner = THIS_MODULE,
	.open = xd_privcmd_open,
	.release = xd_privcmd_release,
	.unlocked_ioctl = xd_privcmd_ioctl,
	.mmap = xd_privcmd_mmap,
};
EXPORT_SYMBOL_GPL(xen_privcmd_fops);
