// SPDX-License-Identifier: GPL-2.0-only
/*
 * net.c - xdctl net: the client of /dev/xen/netback.
 *
 *   xdctl net list
 *   xdctl net stats DEV [QUEUE]
 *   xdctl net rate DEV [BYTES USEC]
 *   xdctl net events [-f]
 *
 * DEV is DOMID.HANDLE or vifDOMID.HANDLE (the netdev's name).  Exit
 * status: 0 done, 1 the device refused (the errno is named), 2 usage.
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
#include "xen-netback-ctl.h"

#define NET_DEV "/dev/xen/netback"

static const char *const state_names[] = {
	"Unknown", "Initialising", "InitWait", "Initialised", "Connected",
	"Closing", "Closed", "Reconfiguring", "Reconfigured",
};

static void net_usage(FILE *f)
{
	fprintf(f,
		"usage: xdctl net list\n"
		"       xdctl net stats DEV [QUEUE]          counters (default: all queues summed)\n"
		"       xdctl net rate DEV                   show the guest's transmit rate limit\n"
		"       xdctl net rate DEV BYTES USEC        set it: BYTES per USEC microseconds (0 0 = unlimited)\n"
		"       xdctl net events [-f]                print the buffered events (-f: follow)\n"
		"DEV: DOMID.HANDLE or vifDOMID.HANDLE\n");
}

static int net_open(int flags)
{
	int fd = open(NET_DEV, flags | O_CLOEXEC);

	if (fd < 0)
		fprintf(stderr, "xdctl net: %s: %s\n", NET_DEV, strerror(errno));
	return fd;
}

static int net_parse_dev(const char *s, uint32_t *domid, uint32_t *handle)
{
	unsigned int a, b;
	char extra;

	if (!strncmp(s, "vif", 3))
		s += 3;
	if (sscanf(s, "%u.%u%c", &a, &b, &extra) != 2)
		return -1;
	*domid = a;
	*handle = b;
	return 0;
}

static int net_parse_u64(const char *s, uint64_t *v)
{
	char *end;

	if (!*s || *s == '-')
		return -1;
	errno = 0;
	*v = strtoull(s, &end, 0);
	return errno || *end ? -1 : 0;
}

static int net_fail(const char *what, const char *dev)
{
	int e = errno;

	fprintf(stderr, "xdctl net: %s %s: %s (%s)\n", what, dev, strerror(e),
		e == ENODEV ? "ENODEV" : e == EINVAL ? "EINVAL" :
		e == EFAULT ? "EFAULT" : e == ENOTTY ? "ENOTTY" :
		e == EACCES ? "EACCES" : e == ENOMEM ? "ENOMEM" : "errno");
	return 1;
}

static int net_list(void)
{
	struct xnb_ctl_list l = { 0 };
	struct xnb_ctl_vif *v;
	uint32_t i, n;
	int fd = net_open(O_RDONLY);

	if (fd < 0)
		return 1;
	/* Ask for the count, then for that many (plus room to grow). */
	if (ioctl(fd, XNB_CTL_LIST, &l) < 0)
		return net_fail("list", "");
	l.count += 16;
	v = calloc(l.count, sizeof(*v));
	if (!v)
		return 1;
	l.vifs = (uintptr_t)v;
	n = l.count;
	if (ioctl(fd, XNB_CTL_LIST, &l) < 0)
		return net_fail("list", "");
	if (l.count < n)
		n = l.count;
	for (i = 0; i < n; i++) {
		v[i].ifname[sizeof(v[i].ifname) - 1] = '\0';
		printf("%s domid=%u handle=%u state=%s queues=%u flags=%s%s%s%s mtu=%u"
		       " mac=%02x:%02x:%02x:%02x:%02x:%02x rate_bytes=%" PRIu64
		       " rate_usec=%" PRIu64 "\n",
		       v[i].ifname, v[i].domid, v[i].handle,
		       v[i].state < 9 ? state_names[v[i].state] : "?",
		       v[i].nr_queues,
		       v[i].flags & XNB_CTL_F_CONNECTED ? "connected" : "-",
		       v[i].flags & XNB_CTL_F_CARRIER ? ",carrier" : "",
		       v[i].flags & XNB_CTL_F_DISABLED ? ",disabled" : "",
		       v[i].rate_bytes ? ",limited" : "",
		       v[i].mtu, v[i].mac[0], v[i].mac[1], v[i].mac[2],
		       v[i].mac[3], v[i].mac[4], v[i].mac[5],
		       (uint64_t)v[i].rate_bytes, (uint64_t)v[i].rate_usec);
	}
	free(v);
	close(fd);
	return 0;
}

static int net_stats(const char *dev, const char *queue)
{
	struct xnb_ctl_stats s = { 0 };
	uint64_t q = XNB_CTL_ALL_QUEUES;
	int fd;

	if (net_parse_dev(dev, &s.domid, &s.handle) ||
	    (queue && (net_parse_u64(queue, &q) || q > UINT32_MAX))) {
		net_usage(stderr);
		return 2;
	}
	s.queue = q;
	fd = net_open(O_RDONLY);
	if (fd < 0)
		return 1;
	if (ioctl(fd, XNB_CTL_GET_STATS, &s) < 0)
		return net_fail("stats", dev);
	if (queue)
		printf("%-20s %" PRIu64 "\n", "queue", q);
	else
		printf("%-20s %s\n", "queue", "all");
#define P(f) printf("%-20s %" PRIu64 "\n", #f, (uint64_t)s.f)
	P(nr_queues);
	P(guest_tx_packets); P(guest_tx_bytes); P(guest_tx_errors);
	P(guest_tx_dropped); P(guest_tx_gso); P(guest_tx_csum_fixup);
	P(guest_rx_packets); P(guest_rx_bytes); P(guest_rx_errors);
	P(guest_rx_dropped); P(guest_rx_gso); P(guest_rx_expired);
	P(guest_tx_copy_fail); P(guest_rx_copy_fail);
	P(stalls); P(throttled); P(violations);
	P(guest_rx_hash); P(guest_rx_mcast_filtered); P(spurious_events);
#undef P
	close(fd);
	return 0;
}

static int net_rate(int argc, char **argv)
{
	struct xnb_ctl_rate r = { 0 };
	const char *dev = argv[1];
	int fd;

	if (net_parse_dev(dev, &r.domid, &r.handle) ||
	    (argc != 2 && argc != 4)) {
		net_usage(stderr);
		return 2;
	}
	if (argc == 4) {
		uint64_t b, u;

		if (net_parse_u64(argv[2], &b) || net_parse_u64(argv[3], &u)) {
			net_usage(stderr);
			return 2;
		}
		r.bytes = b;
		r.usec = u;
	}
	fd = net_open(argc == 4 ? O_RDWR : O_RDONLY);
	if (fd < 0)
		return 1;
	if (argc == 4 && ioctl(fd, XNB_CTL_SET_RATE, &r) < 0)
		return net_fail("rate", dev);
	if (ioctl(fd, XNB_CTL_GET_RATE, &r) < 0)
		return net_fail("rate", dev);
	printf("bytes=%" PRIu64 " usec=%" PRIu64 "\n", (uint64_t)r.bytes,
	       (uint64_t)r.usec);
	close(fd);
	return 0;
}

int net_main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "list"))
		return net_list();
	if ((argc == 3 || argc == 4) && !strcmp(argv[1], "stats"))
		return net_stats(argv[2], argc == 4 ? argv[3] : NULL);
	if (argc >= 3 && !strcmp(argv[1], "rate"))
		return net_rate(argc - 1, argv + 1);
	if (argc >= 2 && !strcmp(argv[1], "events")) {
		bool follow = argc == 3 && !strcmp(argv[2], "-f");

		if (argc > 3 || (argc == 3 && !follow)) {
			net_usage(stderr);
			return 2;
		}
		return xdctl_events(NET_DEV, follow);
	}
	if (argc == 2 && !strcmp(argv[1], "help")) {
		net_usage(stdout);
		return 0;
	}
	net_usage(stderr);
	return 2;
}
