/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * xd_variant.h - names of the character devices, per build variant.
 *
 * The normal build registers the in-tree names (/dev/xen/evtchn, ...).
 * The side-by-side benchmark build (`make bench-modules`, never installed)
 * compiles the same sources as xdb-<name>.ko with XD_BENCH_VARIANT defined:
 * its devices are /dev/xen/<name>-xd, so that it loads next to the in-tree
 * module of the same kernel, which keeps serving the toolstack, and one
 * boot can measure both.  That build also renames the exported
 * xen_privcmd_fops (see modules/privcmd/Kbuild) so the two do not clash.
 */
#ifndef XD_VARIANT_H
#define XD_VARIANT_H

#ifdef XD_BENCH_VARIANT
#define XD_DEVNAME(name)	"xen/" name "-xd"
#else
#define XD_DEVNAME(name)	"xen/" name
#endif

#endif /* XD_VARIANT_H */
