// SPDX-License-Identifier: GPL-2.0-only
/*
 * bench-xen - micro-benchmarks of the Dom0 device ABIs, one measurement per
 * run, for `make bench` (tests/vm/extra/bench.sh).  Not a test.
 *
 * Every mode takes the device to use as its first argument, so the same
 * binary measures the in-tree module (/dev/xen/X) and the side-by-side
 * benchmark build of ours (/dev/xen/X-xd) in one boot.  A measurement runs
 * for SECONDS (wall clock) and prints one line
 *     XBRESULT <value>
 * (unit per mode below); errors go to stderr and exit status 1.
 *
 *   evtchn-local  DEV SECONDS              round trip between two Dom0
 *                                          processes (loopback channel), us
 *   evtchn-echo   [DEV]                    (guest) bind an unbound port for
 *                                          Dom0, print "XBPORT <port>", then
 *                                          echo every event, in the background
 *   evtchn-remote DEV DOMID PORT SECONDS   round trip Dom0 <-> a guest running
 *                                          evtchn-echo, us
 *   gntdev-map    DEV N SECONDS            map+mmap+munmap+unmap of N grants
 *                                          (granted by Dom0 to itself with
 *                                          /dev/xen/gntalloc), grants/s
 *   gntdev-copy   DEV SECONDS              GRANT_COPY of 1024 one-page segments,
 *                                          alternately grant->local and
 *                                          local->grant, MiB/s
 *   privcmd-hcall DEV SECONDS              IOCTL_PRIVCMD_HYPERCALL (xen_version),
 *                                          calls/s
 *   privcmd-mmapbatch DEV SECONDS          mmap + MMAPBATCH_V2 of 1024 frames
 *                                          (Dom0's shared_info frame, as
 *                                          DOMID_SELF) + munmap, pages/s
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/types.h>
#include <sys/wait.h>

typedef uint16_t domid_t;
typedef uint32_t grant_ref_t;

#include <xen/evtchn.h>
#include <xen/gntdev.h>
#include <xen/gntalloc.h>

#define PG		4096UL
#define NCOPY		1024
#define NBATCH		1024
#define GNTCOPY_source_gref 1
#define GNTCOPY_dest_gref   2
#define DOMID_SELF	0x7ff0

/* privcmd ABI (include/uapi/xen/privcmd.h; that header needs kernel types) */
struct privcmd_hypercall {
	uint64_t op;
	uint64_t arg[5];
};

struct privcmd_mmapbatch_v2 {
	unsigned int num;
	domid_t dom;
	uint64_t addr;
	const uint64_t *arr;
	int *err;
};

#define IOCTL_PRIVCMD_HYPERCALL _IOC(_IOC_NONE, 'P', 0, sizeof(struct privcmd_hypercall))
#define IOCTL_PRIVCMD_MMAPBATCH_V2 _IOC(_IOC_NONE, 'P', 4, sizeof(struct privcmd_mmapbatch_v2))
#define HYP_xen_version	17
#define HYP_domctl	36
#define XEN_DOMCTL_getdomaininfo 5
#define XEN_DOMCTL_INTERFACE_VERSION 0x15

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void __attribute__((noreturn, format(printf, 1, 2))) die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static int xopen(const char *path)
{
	int fd = open(path, O_RDWR | O_CLOEXEC);

	if (fd < 0)
		die("%s: %s", path, strerror(errno));
	return fd;
}

/* ----------------------------------------------------------- evtchn */

static void ev_notify(int fd, uint32_t port)
{
	struct ioctl_evtchn_notify n = { .port = port };

	if (ioctl(fd, IOCTL_EVTCHN_NOTIFY, &n))
		die("notify %u: %s", port, strerror(errno));
}

/* Wait for one event (blocking read), unmask it; the port or -1. */
static int ev_wait(int fd)
{
	uint32_t port;

	if (read(fd, &port, sizeof(port)) != sizeof(port))
		return -1;
	if (write(fd, &port, sizeof(port)) != sizeof(port))
		return -1;
	return port;
}

/* Consume the event Xen raises on a freshly bound interdomain port. */
static void ev_drain(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	while (poll(&p, 1, 200) == 1)
		if (ev_wait(fd) < 0)
			break;
}

/* Ping-pong for @secs on @fd/@port (the peer echoes); mean round trip in us. */
static double ev_pingpong(int fd, uint32_t port, double secs)
{
	double t0 = now_s(), t;
	long n = 0;

	do {
		ev_notify(fd, port);
		if (ev_wait(fd) < 0)
			die("read: %s", strerror(errno));
		n++;
		t = now_s() - t0;
	} while (t < secs);
	return t * 1e6 / n;
}

static int mode_evtchn_local(const char *dev, double secs)
{
	struct ioctl_evtchn_bind_unbound_port u = { .remote_domain = 0 };
	struct ioctl_evtchn_bind_interdomain b = { .remote_domain = 0 };
	int fa = xopen(dev), fb = xopen(dev), pa, pb, ready[2], status;
	pid_t pid;
	char c;

	pa = ioctl(fa, IOCTL_EVTCHN_BIND_UNBOUND_PORT, &u);
	if (pa < 0)
		die("bind unbound: %s", strerror(errno));
	b.remote_port = pa;
	pb = ioctl(fb, IOCTL_EVTCHN_BIND_INTERDOMAIN, &b);
	if (pb < 0)
		die("bind interdomain: %s", strerror(errno));
	ev_drain(fb);
	ev_drain(fa);
	if (pipe(ready))
		die("pipe: %s", strerror(errno));
	pid = fork();
	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (pid == 0) {
		close(fa);
		if (write(ready[1], "r", 1) != 1)
			_exit(1);
		for (;;) {
			if (ev_wait(fb) < 0)
				_exit(1);
			ev_notify(fb, pb);
		}
	}
	close(fb);
	if (read(ready[0], &c, 1) != 1)
		die("echo process did not start");
	printf("XBRESULT %.3f\n", ev_pingpong(fa, pa, secs));
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	close(fa);
	return 0;
}

static int mode_evtchn_echo(const char *dev)
{
	struct ioctl_evtchn_bind_unbound_port u = { .remote_domain = 0 };
	int fd = xopen(dev), port;
	pid_t pid;

	port = ioctl(fd, IOCTL_EVTCHN_BIND_UNBOUND_PORT, &u);
	if (port < 0)
		die("bind unbound: %s", strerror(errno));
	pid = fork();
	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (pid) {
		printf("XBPORT %d\n", port);
		return 0;
	}
	setsid();
	/* The channel goes back to unbound whenever Dom0 closes its end. */
	for (;;) {
		if (ev_wait(fd) < 0) {
			usleep(10000);
			continue;
		}
		ioctl(fd, IOCTL_EVTCHN_NOTIFY, &(struct ioctl_evtchn_notify){ .port = port });
	}
}

static int mode_evtchn_remote(const char *dev, int domid, int rport, double secs)
{
	struct ioctl_evtchn_bind_interdomain b = { .remote_domain = domid, .remote_port = rport };
	int fd = xopen(dev), port;

	port = ioctl(fd, IOCTL_EVTCHN_BIND_INTERDOMAIN, &b);
	if (port < 0)
		die("bind interdomain %d:%d: %s", domid, rport, strerror(errno));
	ev_drain(fd);
	printf("XBRESULT %.3f\n", ev_pingpong(fd, port, secs));
	close(fd);
	return 0;
}

/* ----------------------------------------------------------- gntdev */

static struct ioctl_gntalloc_alloc_gref *grant_alloc(int gafd, uint32_t n)
{
	struct ioctl_gntalloc_alloc_gref *op = calloc(1, sizeof(*op) + n * sizeof(uint32_t));

	if (!op)
		die("out of memory");
	op->domid = 0;
	op->flags = GNTALLOC_FLAG_WRITABLE;
	op->count = n;
	if (ioctl(gafd, IOCTL_GNTALLOC_ALLOC_GREF, op))
		die("gntalloc %u grants: %s", n, strerror(errno));
	return op;
}

static int mode_gntdev_map(const char *dev, uint32_t n, double secs)
{
	int gafd = xopen("/dev/xen/gntalloc"), fd = xopen(dev);
	struct ioctl_gntalloc_alloc_gref *g = grant_alloc(gafd, n);
	struct ioctl_gntdev_map_grant_ref *op;
	struct ioctl_gntdev_unmap_grant_ref u;
	double t0 = now_s(), t;
	long rounds = 0;
	uint32_t i;
	void *m;

	op = calloc(1, sizeof(*op) + n * sizeof(op->refs[0]));
	if (!op)
		die("out of memory");
	do {
		op->count = n;
		for (i = 0; i < n; i++) {
			op->refs[i].domid = 0;
			op->refs[i].ref = g->gref_ids[i];
		}
		if (ioctl(fd, IOCTL_GNTDEV_MAP_GRANT_REF, op))
			die("map %u grants: %s", n, strerror(errno));
		m = mmap(NULL, n * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, op->index);
		if (m == MAP_FAILED)
			die("mmap %u grants: %s", n, strerror(errno));
		munmap(m, n * PG);
		u.index = op->index;
		u.count = n;
		if (ioctl(fd, IOCTL_GNTDEV_UNMAP_GRANT_REF, &u))
			die("unmap: %s", strerror(errno));
		rounds++;
		t = now_s() - t0;
	} while (t < secs);
	printf("XBRESULT %.1f\n", rounds * n / t);
	close(fd);
	close(gafd);
	return 0;
}

static int mode_gntdev_copy(const char *dev, double secs)
{
	static uint8_t buf[64 * PG] __attribute__((aligned(4096)));
	int gafd = xopen("/dev/xen/gntalloc"), fd = xopen(dev);
	struct ioctl_gntalloc_alloc_gref *g = grant_alloc(gafd, NCOPY);
	struct gntdev_grant_copy_segment *s = calloc(2 * NCOPY, sizeof(*s)), *d;
	struct ioctl_gntdev_grant_copy c = { .count = NCOPY };
	double t0, t;
	long rounds = 0;
	uint32_t j;

	if (!s)
		die("out of memory");
	d = s + NCOPY;
	memset(buf, 0x5a, sizeof(buf));
	for (j = 0; j < NCOPY; j++) {
		s[j].source.foreign.ref = g->gref_ids[j];
		s[j].source.foreign.domid = 0;
		s[j].dest.virt = buf + (j % 64) * PG;
		s[j].len = PG;
		s[j].flags = GNTCOPY_source_gref;
		d[j].dest.foreign.ref = g->gref_ids[j];
		d[j].dest.foreign.domid = 0;
		d[j].source.virt = buf + (j % 64) * PG;
		d[j].len = PG;
		d[j].flags = GNTCOPY_dest_gref;
	}
	t0 = now_s();
	do {
		c.segments = rounds & 1 ? d : s;
		if (ioctl(fd, IOCTL_GNTDEV_GRANT_COPY, &c))
			die("grant copy: %s", strerror(errno));
		if (c.segments[0].status || c.segments[NCOPY - 1].status)
			die("grant copy: segment status %d", c.segments[0].status);
		rounds++;
		t = now_s() - t0;
	} while (t < secs);
	printf("XBRESULT %.2f\n", rounds * (NCOPY * PG / 1048576.0) / t);
	close(fd);
	close(gafd);
	return 0;
}

/* ----------------------------------------------------------- privcmd */

static int mode_privcmd_hcall(const char *dev, double secs)
{
	struct privcmd_hypercall h = { .op = HYP_xen_version };
	int fd = xopen(dev);
	double t0 = now_s(), t;
	long n = 0, rc;

	do {
		rc = ioctl(fd, IOCTL_PRIVCMD_HYPERCALL, &h);
		if (rc < 0)
			die("hypercall: %s", strerror(errno));
		n++;
		t = (n & 255) ? 0 : now_s() - t0;
	} while (t < secs);
	printf("XBRESULT %.1f\n", n / t);
	close(fd);
	return 0;
}

/* Dom0's shared_info frame (XEN_DOMCTL_getdomaininfo), through @dev. */
static uint64_t shared_info_frame(int fd)
{
	struct privcmd_hypercall h = { .op = HYP_domctl };
	uint8_t *d = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	int hfd = open("/dev/xen/hypercall", O_RDWR | O_CLOEXEC);
	uint64_t f;

	/* a hypercall buffer: /dev/xen/hypercall if there, else locked memory */
	if (hfd >= 0) {
		munmap(d, PG);
		d = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, hfd, 0);
	}
	if (d == MAP_FAILED)
		die("hypercall buffer: %s", strerror(errno));
	mlock(d, PG);
	memset(d, 0, 256);
	*(uint32_t *)(d + 0) = XEN_DOMCTL_getdomaininfo;
	*(uint32_t *)(d + 4) = XEN_DOMCTL_INTERFACE_VERSION;
	*(uint16_t *)(d + 8) = 0;
	h.arg[0] = (uintptr_t)d;
	if (ioctl(fd, IOCTL_PRIVCMD_HYPERCALL, &h) < 0 || *(uint16_t *)(d + 16) != 0)
		die("getdomaininfo: %s", strerror(errno));
	f = *(uint64_t *)(d + 16 + 48);
	munmap(d, PG);
	if (hfd >= 0)
		close(hfd);
	return f;
}

static int mode_privcmd_mmapbatch(const char *dev, double secs)
{
	static uint64_t arr[NBATCH];
	static int err[NBATCH];
	struct privcmd_mmapbatch_v2 m = { .num = NBATCH, .dom = DOMID_SELF, .arr = arr, .err = err };
	int fd = xopen(dev), i;
	double t0, t;
	long rounds = 0;
	uint64_t sif = shared_info_frame(fd);
	void *p;

	for (i = 0; i < NBATCH; i++)
		arr[i] = sif;
	t0 = now_s();
	do {
		p = mmap(NULL, NBATCH * PG, PROT_READ, MAP_SHARED, fd, 0);
		if (p == MAP_FAILED)
			die("mmap: %s", strerror(errno));
		m.addr = (uintptr_t)p;
		if (ioctl(fd, IOCTL_PRIVCMD_MMAPBATCH_V2, &m))
			die("MMAPBATCH_V2: %s", strerror(errno));
		if (err[0] || err[NBATCH - 1])
			die("MMAPBATCH_V2: frame error %d", err[0] ? err[0] : err[NBATCH - 1]);
		munmap(p, NBATCH * PG);
		rounds++;
		t = now_s() - t0;
	} while (t < secs);
	printf("XBRESULT %.1f\n", rounds * NBATCH / t);
	close(fd);
	return 0;
}

static void __attribute__((noreturn)) usage(void)
{
	fprintf(stderr, "usage: bench-xen evtchn-local DEV SECONDS | evtchn-echo [DEV] |\n"
		"  evtchn-remote DEV DOMID PORT SECONDS | gntdev-map DEV N SECONDS |\n"
		"  gntdev-copy DEV SECONDS | privcmd-hcall DEV SECONDS |\n"
		"  privcmd-mmapbatch DEV SECONDS\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *m = argc > 1 ? argv[1] : "";

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(m, "evtchn-echo"))
		return mode_evtchn_echo(argc > 2 ? argv[2] : "/dev/xen/evtchn");
	if (!strcmp(m, "evtchn-local") && argc == 4)
		return mode_evtchn_local(argv[2], atof(argv[3]));
	if (!strcmp(m, "evtchn-remote") && argc == 6)
		return mode_evtchn_remote(argv[2], atoi(argv[3]), atoi(argv[4]), atof(argv[5]));
	if (!strcmp(m, "gntdev-map") && argc == 5)
		return mode_gntdev_map(argv[2], strtoul(argv[3], NULL, 0), atof(argv[4]));
	if (!strcmp(m, "gntdev-copy") && argc == 4)
		return mode_gntdev_copy(argv[2], atof(argv[3]));
	if (!strcmp(m, "privcmd-hcall") && argc == 4)
		return mode_privcmd_hcall(argv[2], atof(argv[3]));
	if (!strcmp(m, "privcmd-mmapbatch") && argc == 4)
		return mode_privcmd_mmapbatch(argv[2], atof(argv[3]));
	usage();
}
