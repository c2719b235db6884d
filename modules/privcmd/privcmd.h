/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * xen-privcmd: declarations shared by the files of the module.
 *
 * Included by fops.c, whose includes fix the CRC of xen_privcmd_fops: it
 * must include nothing but <linux/fs.h> (as the in-tree privcmd.h).
 */
#ifndef XD_PRIVCMD_H
#define XD_PRIVCMD_H

#include <linux/fs.h>

#define XD_PRIVCMD_VERSION "1.0.0"

extern const struct file_operations xen_privcmd_fops;
extern const struct file_operations xd_hcall_fops;

int xd_privcmd_open(struct inode *inode, struct file *filp);
int xd_privcmd_release(struct inode *inode, struct file *filp);
long xd_privcmd_ioctl(struct file *filp, unsigned int cmd, unsigned long arg);
int xd_privcmd_mmap(struct file *filp, struct vm_area_struct *vma);

#endif /* XD_PRIVCMD_H */
