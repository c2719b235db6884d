// SPDX-License-Identifier: GPL-2.0-only
/*
 * xdctl - command-line client of the backends' control devices
 * (/dev/xen/blkback, /dev/xen/netback): list devices, show statistics,
 * set limits, follow the event stream.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "xdctl.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: xdctl blk COMMAND ...   block backend (/dev/xen/blkback)\n"
		"       xdctl net COMMAND ...   network backend (/dev/xen/netback)\n"
		"       xdctl blk help | xdctl net help\n");
}

int xdctl_events(const char *path, bool follow)
{
	static char buf[65536];
	int fd = open(path, O_RDONLY | O_CLOEXEC | (follow ? 0 : O_NONBLOCK));

	if (fd < 0) {
		fprintf(stderr, "xdctl: %s: %s\n", path, strerror(errno));
		return 1;
	}
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN && !follow)
			break;
		if (n <= 0) {
			fprintf(stderr, "xdctl: reading %s: %s\n", path,
				n ? strerror(errno) : "end of file");
			close(fd);
			return 1;
		}
		if (fwrite(buf, 1, n, stdout) != (size_t)n || fflush(stdout)) {
			close(fd);
			return 1;
		}
	}
	close(fd);
	return 0;
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
