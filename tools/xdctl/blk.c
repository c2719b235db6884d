// SPDX-License-Identifier: GPL-2.0-only
/*
 * blk.c - xdctl blk: the client of /dev/xen/blkback.
 *
 *   xdctl blk list
 *   xdctl blk stats DEV
 *   xdctl blk limit DEV [iops=N] [bps=N] [iops_burst=N] [bps_burst=N]
 *   xdctl blk events [-f]
 *
 * DEV is DOMID.DEVID, DOMID/DEVID or vbd-DOMID-DEVID (the backend
 * device's name).  Exit status: 0 done, 1 the device refused (the errno
 * is named), 2 usage.
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

#include "xdctl.h"
#include "xen-blkback-ctl.h"

#define BLK_DEV "/dev/xen/blkback"

static const char *const state_names[] = {
	"Unknown", "Initialising", "InitWait", "Initialised", "Connected",
	"Closing", "Closed", "Reconfiguring", "Reconfigured",
};

static void blk_usage(FILE *f)
{
	fprintf(f,
		"usage: xdctl blk list\n"
		"       xdctl blk stats DEV\n"
		"       xdctl blk limit DEV                      show the I/O limits\n"
		"       xdctl blk limit DEV [iops=N] [bps=N] [iops_burst=N] [bps_burst=N]\n"
		"                                                set them (0 = unlimited; unnamed ones become 0)\n"
		"       xdctl blk events [-f]                    print the buffered events (-f: follow)\n"
		"DEV: DOMID.DEVID, DOMID/DEVID or vbd-DOMID-DEVID\n");
}

static int blk_open(int flags)
{
	int fd = open(BLK_DEV, flags | O_CLOEXEC);

	if (fd < 0)
		fprintf(stderr, "xdctl blk: %s: %s\n", BLK_DEV, strerror(errno));
	return fd;
}

static int blk_parse_dev(const char *s, uint32_t *domid, uint32_t *devid)
{
	unsigned int a, b;
	char c, extra;

	if (!strncmp(s, "vbd-", 4)) {
		if (sscanf(s + 4, "%u-%u%c", &a, &b, &extra) != 2)
			return -1;
	} else if (sscanf(s, "%u%c%u%c", &a, &c, &b, &extra) != 3 ||
		   (c != '.' && c != '/')) {
		return -1;
	}
	*domid = a;
	*devid = b;
	return 0;
}

static int blk_fail(const char *what, const char *dev)
{
	int e = errno;

	fprintf(stderr, "xdctl blk: %s %s: %s (%s)\n", what, dev, strerror(e),
		e == ENODEV ? "ENODEV" : e == EINVAL ? "EINVAL" :
		e == EFAULT ? "EFAULT" : e == ENOTTY ? "ENOTTY" :
		e == EACCES ? "EACCES" : "errno");
	return 1;
}

static int blk_list(void)
{
	struct xbb_ctl_list l = { 0 };
	struct xbb_ctl_dev *d = NULL;
	uint32_t i;
	int fd = blk_open(O_RDONLY);

	if (fd < 0)
		return 1;
	/* Ask for the count, then for that many (plus room to grow). */
	if (ioctl(fd, XBB_CTL_LIST, &l) < 0)
		return blk_fail("list", "");
	l.count += 16;
	d = calloc(l.count, sizeof(*d));
	if (!d)
		return 1;
	l.devs = (uintptr_t)d;
	if (ioctl(fd, XBB_CTL_LIST, &l) < 0)
		return blk_fail("list", "");
	printf("%-16s %5s %6s %-12s %6s %5s %-5s %12s %s\n", "NAME", "DOMID",
	       "DEVID", "STATE", "QUEUES", "ORDER", "DEV", "SECTORS", "FLAGS");
	for (i = 0; i < l.count; i++) {
		char dev[24];

		snprintf(dev, sizeof(dev), "%x:%x", d[i].major, d[i].minor);
		printf("%-16s %5u %6u %-12s %6u %5u %-5s %12" PRIu64 " %s%s%s%s%s\n",
		       d[i].name, d[i].domid, d[i].devid,
		       d[i].state < 9 ? state_names[d[i].state] : "?",
		       d[i].nr_queues, d[i].ring_order, dev, (uint64_t)d[i].sectors,
		       d[i].flags & XBB_CTL_F_CONNECTED ? "connected" : "-",
		       d[i].flags & XBB_CTL_F_READONLY ? ",ro" : ",rw",
		       d[i].flags & XBB_CTL_F_CDROM ? ",cdrom" : "",
		       d[i].flags & XBB_CTL_F_DISCARD ? ",discard" : "",
		       d[i].flags & XBB_CTL_F_LIMITED ? ",limited" : "");
	}
	free(d);
	close(fd);
	return 0;
}

static int blk_stats(const char *dev)
{
	struct xbb_ctl_stats s = { 0 };
	int fd;

	if (blk_parse_dev(dev, &s.domid, &s.devid)) {
		blk_usage(stderr);
		return 2;
	}
	fd = blk_open(O_RDONLY);
	if (fd < 0)
		return 1;
	if (ioctl(fd, XBB_CTL_GET_STATS, &s) < 0)
		return blk_fail("stats", dev);
#define P(f) printf("%-17s %" PRIu64 "\n", #f, (uint64_t)s.f)
	P(rd_req); P(wr_req); P(flush_req); P(discard_req); P(oo_req);
	P(rd_sect); P(wr_sect); P(errors); P(violations); P(inflight);
	P(grant_pages); P(persistent_grants); P(pgnt_reclaimed); P(pgnt_evicted);
	P(throttled); P(throttle_ns);
#undef P
	close(fd);
	return 0;
}

static int blk_limit(int argc, char **argv)
{
	struct xbb_ctl_limits l = { 0 };
	const char *dev = argv[1];
	int fd, i;

	if (blk_parse_dev(dev, &l.domid, &l.devid)) {
		blk_usage(stderr);
		return 2;
	}
	for (i = 2; i < argc; i++) {
		char *eq = strchr(argv[i], '='), *end;
		unsigned long long v;

		if (!eq || !eq[1]) {
			blk_usage(stderr);
			return 2;
		}
		errno = 0;
		v = strtoull(eq + 1, &end, 0);
		if (errno || *end || eq[1] == '-') {
			fprintf(stderr, "xdctl blk: bad number in %s\n", argv[i]);
			return 2;
		}
		*eq = '\0';
		if (!strcmp(argv[i], "iops"))
			l.iops = v;
		else if (!strcmp(argv[i], "bps"))
			l.bps = v;
		else if (!strcmp(argv[i], "iops_burst"))
			l.iops_burst = v;
		else if (!strcmp(argv[i], "bps_burst"))
			l.bps_burst = v;
		else {
			fprintf(stderr, "xdctl blk: unknown limit %s\n", argv[i]);
			return 2;
		}
	}
	fd = blk_open(O_RDWR);
	if (fd < 0)
		return 1;
	if (argc > 2 && ioctl(fd, XBB_CTL_SET_LIMITS, &l) < 0)
		return blk_fail("limit", dev);
	if (ioctl(fd, XBB_CTL_GET_LIMITS, &l) < 0)
		return blk_fail("limit", dev);
	printf("iops=%" PRIu64 " bps=%" PRIu64 " iops_burst=%" PRIu64
	       " bps_burst=%" PRIu64 "\n", (uint64_t)l.iops, (uint64_t)l.bps,
	       (uint64_t)l.iops_burst, (uint64_t)l.bps_burst);
	close(fd);
	return 0;
}

int blk_main(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "list") && argc == 2)
		return blk_list();
	if (argc == 3 && !strcmp(argv[1], "stats"))
		return blk_stats(argv[2]);
	if (argc >= 3 && !strcmp(argv[1], "limit"))
		return blk_limit(argc - 1, argv + 1);
	if (argc >= 2 && !strcmp(argv[1], "events")) {
		bool follow = argc == 3 && !strcmp(argv[2], "-f");

		if (argc > 3 || (argc == 3 && !follow)) {
			blk_usage(stderr);
			return 2;
		}
		return xdctl_events(BLK_DEV, follow);
	}
	if (argc == 2 && !strcmp(argv[1], "help")) {
		blk_usage(stdout);
		return 0;
	}
	blk_usage(stderr);
	return 2;
}
