// SPDX-License-Identifier: GPL-2.0-only
/*
 * xdctl - command-line client of the backends' control devices
 * (/dev/xen/blkback, /dev/xen/netback): list devices, show statistics,
 * set limits, follow the event stream.
 */
#include <stdio.h>
#include <string.h>

#include "xdctl.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: xdctl blk COMMAND ...   block backend (/dev/xen/blkback)\n"
		"       xdctl net COMMAND ...   network backend (/dev/xen/netback)\n"
		"       xdctl blk help | xdctl net help\n");
}

int main(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "blk"))
		return blk_main(argc - 1, argv + 1);
	if (argc >= 2 && !strcmp(argv[1], "net"))
		return net_main(argc - 1, argv + 1);
	if (argc >= 2 && (!strcmp(argv[1], "help") || !strcmp(argv[1], "-h") ||
			  !strcmp(argv[1], "--help"))) {
		usage(stdout);
		return 0;
	}
	usage(stderr);
	return 2;
}
