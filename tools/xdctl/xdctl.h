/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * xdctl.h - shared declarations of the xdctl command-line client.
 */
#ifndef XDCTL_H
#define XDCTL_H

/* xdctl blk ...: /dev/xen/blkback (blk.c). */
int blk_main(int argc, char **argv);
/* xdctl net ...: /dev/xen/netback (net.c). */
int net_main(int argc, char **argv);

#endif
