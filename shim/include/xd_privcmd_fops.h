/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * xd_privcmd_fops.h - the kernel headers that modules/privcmd/fops.c needs
 * beyond its fixed list, per kernel.
 *
 * With CONFIG_MODVERSIONS, xenfs records the CRC of xen_privcmd_fops as the
 * in-tree xen-privcmd exported it, and refuses ("disagrees about version of
 * symbol") an exporter whose CRC differs.  genksyms computes the CRC from
 * the type of the symbol as expanded in the exporting translation unit: it
 * depends on which structures that unit defines, i.e. on its includes.
 * fops.c therefore includes exactly the headers of the in-tree privcmd.c of
 * the target kernel.  Those grew <xen/events.h> with the irqfd/ioeventfd
 * support (the uapi IOCTL_PRIVCMD_IRQFD); the other additions of that
 * change leave the CRC as it is.  tests/unit/privcmd-crc.sh compares the
 * result with the kernel's Module.symvers.
 *
 * Include this header only from fops.c: it must not pull in anything else.
 */
#ifndef XD_PRIVCMD_FOPS_H
#define XD_PRIVCMD_FOPS_H

#include "xd_compat_gen.h"

#ifdef HAVE_PRIVCMD_IOCTL_IRQFD
#include <xen/events.h>
#endif

#endif /* XD_PRIVCMD_FOPS_H */
