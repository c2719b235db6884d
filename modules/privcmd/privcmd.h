/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * xen-privcmd: declarations shared by the privcmd and hypercall devices.
 */
#ifndef XD_PRIVCMD_H
#define XD_PRIVCMD_H

#include <linux/fs.h>

#define XD_PRIVCMD_VERSION "1.0.0"

extern const struct file_operations xen_privcmd_fops;
extern const struct file_operations xen_privcmdbuf_fops;

#endif /* XD_PRIVCMD_H */
