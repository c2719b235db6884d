/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * xdctl.h - shared declarations of the xdctl command-line client.
 */
#ifndef XDCTL_H
#define XDCTL_H

#include <stdbool.h>

/*
 * Print the event stream of a control device (@path) to stdout: what is
 * buffered, then, with @follow, every new event as it comes.  Returns
 * the exit status (0, or 1 with the error printed).
 */
int xdctl_events(const char *path, bool follow);

/* xdctl blk ...: /dev/xen/blkback (blk.c). */
int blk_main(int argc, char **argv);
/* xdctl net ...: /dev/xen/netback (net.c). */
int net_main(int argc, char **argv);

#endif
