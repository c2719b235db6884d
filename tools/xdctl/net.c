// SPDX-License-Identifier: GPL-2.0-only
/*
 * net.c - xdctl net: the client of /dev/xen/netback (not implemented yet).
 */
#include <stdio.h>

#include "xdctl.h"

int net_main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "xdctl net: not implemented yet\n");
	return 2;
}
