// SPDX-License-Identifier: GPL-2.0-only
/*
 * blk.c - xdctl blk: the client of /dev/xen/blkback (not implemented yet).
 */
#include <stdio.h>

#include "xdctl.h"

int blk_main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "xdctl blk: not implemented yet\n");
	return 2;
}
