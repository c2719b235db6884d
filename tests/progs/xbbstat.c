// SPDX-License-Identifier: GPL-2.0-only
/*
 * xbbstat DOMID DEVID: the statistics of one xen-blkback device from the
 * control device (/dev/xen/blkback, XBB_CTL_GET_STATS), one "name value"
 * line per counter, including those xdctl does not print (yet): the
 * persistent grant counters pgnt_reclaimed and pgnt_evicted (0.2.0, in
 * words that were reserved before).  Exit 1 if the ioctl fails.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "../../modules/blkback/uapi/xen-blkback-ctl.h"

int main(int argc, char **argv)
{
	struct xbb_ctl_stats s;
	int fd;

	if (argc != 3) {
		fprintf(stderr, "usage: %s DOMID DEVID\n", argv[0]);
		return 2;
	}
	memset(&s, 0, sizeof(s));
	s.domid = strtoul(argv[1], NULL, 0);
	s.devid = strtoul(argv[2], NULL, 0);
	fd = open("/dev/xen/blkback", O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "xbbstat: /dev/xen/blkback: %s\n", strerror(errno));
		return 1;
	}
	if (ioctl(fd, XBB_CTL_GET_STATS, &s) < 0) {
		fprintf(stderr, "xbbstat: stats of %s.%s: %s\n", argv[1], argv[2],
			strerror(errno));
		close(fd);
		return 1;
	}
	close(fd);
#define P(f) printf("%s %" PRIu64 "\n", #f, (uint64_t)s.f)
	P(rd_req); P(wr_req); P(flush_req); P(discard_req); P(oo_req);
	P(rd_sect); P(wr_sect); P(errors); P(violations); P(inflight);
	P(grant_pages); P(persistent_grants); P(throttled); P(throttle_ns);
	P(pgnt_reclaimed); P(pgnt_evicted);
#undef P
	return 0;
}
