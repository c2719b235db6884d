// SPDX-License-Identifier: GPL-2.0-only
/*
 * gntdev-test - user-space ABI test of /dev/xen/gntdev.
 *
 * Runs in Dom0 as root.  The granting side is /dev/xen/gntalloc (Dom0
 * grants its own pages to domain 0), the mapping side is /dev/xen/gntdev.  Every check prints one line:
 *     PASS <check>
 *     FAIL <check>: <detail>
 * and the exit status is non-zero if any check failed.  The reference is
 * the in-tree drivers/xen/gntdev.c of the running kernel; the out-of-tree
 * xen-gntdev.ko must behave identically.
 *
 * "Nothing leaked" is checked by revocation: after the mapping side is
 * gone, the granting side deallocates the grant, and a new attempt to map
 * that grant must fail.  A grant still mapped somewhere cannot be revoked
 * (gntalloc then defers it and the kernel logs "still in use", which the
 * VM harness also catches), and mapping it again would still succeed.
 *
 * Usage: gntdev-test [-l] [TEST...]
 *   -l        list the tests and exit
 *   TEST...   run only these tests (default: all but "bench", a benchmark
 *             that prints info lines and is run only when named)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
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

/* The uapi headers use these without defining them. */
typedef uint16_t domid_t;
typedef uint32_t grant_ref_t;

#include <xen/gntdev.h>
#include <xen/gntalloc.h>
#include <xen/evtchn.h>

/* The ABI itself: command numbers are fixed forever. */
_Static_assert(IOCTL_GNTDEV_MAP_GRANT_REF == 0x00184700, "MAP_GRANT_REF");
_Static_assert(IOCTL_GNTDEV_UNMAP_GRANT_REF == 0x00104701, "UNMAP_GRANT_REF");
_Static_assert(IOCTL_GNTDEV_GET_OFFSET_FOR_VADDR == 0x00184702, "GET_OFFSET");
_Static_assert(IOCTL_GNTDEV_SET_MAX_GRANTS == 0x00044703, "SET_MAX_GRANTS");
_Static_assert(IOCTL_GNTDEV_SET_UNMAP_NOTIFY == 0x00104707, "SET_UNMAP_NOTIFY");
_Static_assert(IOCTL_GNTDEV_GRANT_COPY == 0x00104708, "GRANT_COPY");

#define PG		4096UL
#define GNTST_okay	0
#define GNTCOPY_source_gref 1
#define GNTCOPY_dest_gref   2
#define DOMID_SELF	0x7FF0U
#define BAD_DOMID	0x7FEFU		/* valid number, no such domain */

/* DMABUF commands (not in every uapi header version). */
#define IOC_DMABUF(nr, sz) _IOC(_IOC_NONE, 'G', (nr), (sz))
static const unsigned long dmabuf_cmds[] = {
	IOC_DMABUF(9, 20), IOC_DMABUF(10, 8), IOC_DMABUF(11, 20), IOC_DMABUF(12, 4),
};

static int nfail;
static const domid_t peer;	/* Dom0 grants to itself and maps its own grants */
static int gafd = -1;		/* /dev/xen/gntalloc */

static void pass(const char *check)
{
	printf("PASS %s\n", check);
	fflush(stdout);
}

static void __attribute__((format(printf, 2, 3))) fail(const char *check, const char *fmt, ...)
{
	va_list ap;

	printf("FAIL %s: ", check);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	nfail++;
}

static void __attribute__((format(printf, 2, 3))) info(const char *what, const char *fmt, ...)
{
	va_list ap;

	printf("info %s: ", what);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

/* expect(check, ok, fmt...): PASS if ok, else FAIL with the message. */
#define expect(check, ok, ...) do { if (ok) pass(check); else fail(check, __VA_ARGS__); } while (0)

/* ----------------------------------------------------------- faults */

static sigjmp_buf probe_env;
static volatile sig_atomic_t probing;

static void on_fault(int sig)
{
	if (probing)
		siglongjmp(probe_env, sig);
	signal(sig, SIG_DFL);
	raise(sig);
}

/* Read one byte at p: 0 and *val, or the signal that the access raised. */
static int probe_read(const volatile uint8_t *p, uint8_t *val)
{
	int sig;

	sig = sigsetjmp(probe_env, 1);
	if (sig) {
		probing = 0;
		return sig;
	}
	probing = 1;
	*val = *p;
	probing = 0;
	return 0;
}

/* ----------------------------------------------------------- gntalloc */

struct grant {
	uint64_t index;		/* gntalloc offset */
	uint32_t count;
	uint32_t refs[64];
	uint8_t *mem;		/* granting side's view */
};

static int galloc(struct grant *g, uint32_t count, bool writable)
{
	size_t sz = sizeof(struct ioctl_gntalloc_alloc_gref) + count * sizeof(uint32_t);
	struct ioctl_gntalloc_alloc_gref *op = calloc(1, sz);
	int rc = 0;

	if (!op || count > 64)
		return -ENOMEM;
	op->domid = peer;
	op->flags = writable ? GNTALLOC_FLAG_WRITABLE : 0;
	op->count = count;
	if (ioctl(gafd, IOCTL_GNTALLOC_ALLOC_GREF, op)) {
		rc = -errno;
		goto out;
	}
	g->index = op->index;
	g->count = count;
	memcpy(g->refs, op->gref_ids, count * sizeof(uint32_t));
	g->mem = mmap(NULL, count * PG, PROT_READ | PROT_WRITE, MAP_SHARED, gafd, op->index);
	if (g->mem == MAP_FAILED) {
		rc = -errno;
		g->mem = NULL;
	}
out:
	free(op);
	return rc;
}

static int gdealloc(struct grant *g)
{
	struct ioctl_gntalloc_dealloc_gref op = { .index = g->index, .count = g->count };
	int rc = 0;

	if (g->mem)
		munmap(g->mem, g->count * PG);
	g->mem = NULL;
	if (ioctl(gafd, IOCTL_GNTALLOC_DEALLOC_GREF, &op))
		rc = -errno;
	return rc;
}

static void fill(uint8_t *p, size_t n, unsigned int seed)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)(seed * 131 + i * 7 + (i >> 8));
}

/* ----------------------------------------------------------- gntdev */

static int gd_open(void)
{
	return open("/dev/xen/gntdev", O_RDWR | O_CLOEXEC);
}

/* MAP_GRANT_REF of @count refs of @dom; 0 and the offset, or -errno. */
static int gd_map(int fd, domid_t dom, const uint32_t *refs, uint32_t count, uint64_t *index)
{
	size_t sz = sizeof(struct ioctl_gntdev_map_grant_ref) +
		    count * sizeof(struct ioctl_gntdev_grant_ref);
	struct ioctl_gntdev_map_grant_ref *op = calloc(1, sz);
	uint32_t i;
	int rc = 0;

	if (!op)
		return -ENOMEM;
	op->count = count;
	for (i = 0; i < count; i++) {
		op->refs[i].domid = dom;
		op->refs[i].ref = refs ? refs[i] : 0;
	}
	if (ioctl(fd, IOCTL_GNTDEV_MAP_GRANT_REF, op))
		rc = -errno;
	else
		*index = op->index;
	free(op);
	return rc;
}

static int gd_unmap(int fd, uint64_t index, uint32_t count)
{
	struct ioctl_gntdev_unmap_grant_ref op = { .index = index, .count = count };

	return ioctl(fd, IOCTL_GNTDEV_UNMAP_GRANT_REF, &op) ? -errno : 0;
}

static void *gd_mmap(int fd, uint64_t index, uint32_t count, int prot, int flags, int *err)
{
	void *p = mmap(NULL, count * PG, prot, flags, fd, index);

	*err = p == MAP_FAILED ? errno : 0;
	return p == MAP_FAILED ? NULL : p;
}

static int gd_notify(int fd, uint64_t index, uint32_t action, uint32_t port)
{
	struct ioctl_gntdev_unmap_notify op = {
		.index = index, .action = action, .event_channel_port = port,
	};

	return ioctl(fd, IOCTL_GNTDEV_SET_UNMAP_NOTIFY, &op) ? -errno : 0;
}

/*
 * After the granting side deallocated @ref: mapping it again must fail.
 * Returns 0 if so, 1 if the grant could still be mapped, -errno on setup
 * trouble.
 */
static int still_mappable(uint32_t ref)
{
	int fd = gd_open(), err = 0, rc;
	uint64_t idx = 0;
	void *p;

	if (fd < 0)
		return -errno;
	rc = gd_map(fd, peer, &ref, 1, &idx);
	if (!rc) {
		p = gd_mmap(fd, idx, 1, PROT_READ, MAP_SHARED, &err);
		rc = p != NULL;
		if (p)
			munmap(p, PG);
	}
	close(fd);
	return rc;
}

/* Deallocate @g and check that none of its grants can be mapped any more. */
static void check_revoked(const char *check, struct grant *g)
{
	uint32_t refs[64], n = g->count, i;
	int rc = gdealloc(g), r;

	memcpy(refs, g->refs, sizeof(refs));
	if (rc) {
		fail(check, "gntalloc DEALLOC_GREF: %s", strerror(-rc));
		return;
	}
	for (i = 0; i < n; i++) {
		r = still_mappable(refs[i]);
		if (r) {
			fail(check, "grant %u %s after the granting side deallocated it", refs[i],
			     r > 0 ? "can still be mapped (a mapping leaked)" : strerror(-r));
			return;
		}
	}
	pass(check);
}

/* ----------------------------------------------------------- evtchn */

struct pair {
	int fd;
	uint32_t a, b;	/* notify b -> a pending on fd */
};

static int evt_pair(struct pair *p)
{
	struct ioctl_evtchn_bind_unbound_port ub = { .remote_domain = 0 };
	struct ioctl_evtchn_bind_interdomain bi = { .remote_domain = 0 };
	int r;

	p->fd = open("/dev/xen/evtchn", O_RDWR | O_CLOEXEC | O_NONBLOCK);
	if (p->fd < 0)
		return -errno;
	r = ioctl(p->fd, IOCTL_EVTCHN_BIND_UNBOUND_PORT, &ub);
	if (r < 0)
		return -errno;
	p->a = r;
	bi.remote_port = p->a;
	r = ioctl(p->fd, IOCTL_EVTCHN_BIND_INTERDOMAIN, &bi);
	if (r < 0)
		return -errno;
	p->b = r;
	return 0;
}

/* Collect the ports pending on @fd within @ms; unmask them. Bit 0: a, bit 1: b. */
static int evt_collect(struct pair *p, int ms)
{
	struct pollfd pfd = { .fd = p->fd, .events = POLLIN };
	uint32_t ports[16];
	int seen = 0, i, n;

	while (poll(&pfd, 1, ms) > 0) {
		n = read(p->fd, ports, sizeof(ports));
		if (n <= 0)
			break;
		for (i = 0; i < n / 4; i++)
			seen |= ports[i] == p->a ? 1 : ports[i] == p->b ? 2 : 4;
		if (write(p->fd, ports, n) != n)
			break;
		ms = 100;
	}
	return seen;
}

/* ----------------------------------------------------------- tests */

static void t_basic(void)
{
	struct grant g = { 0 };
	struct ioctl_gntdev_get_offset_for_vaddr off = { 0 };
	uint8_t *m, ref[4 * PG];
	uint64_t idx = 0;
	int fd, rc, err = 0;

	fd = gd_open();
	if (fd < 0) {
		fail("open", "/dev/xen/gntdev: %s", strerror(errno));
		return;
	}
	pass("open");
	rc = galloc(&g, 4, true);
	if (rc) {
		fail("map", "gntalloc: %s", strerror(-rc));
		close(fd);
		return;
	}
	fill(g.mem, 4 * PG, 1);
	memcpy(ref, g.mem, sizeof(ref));

	rc = gd_map(fd, peer, g.refs, 4, &idx);
	m = rc ? NULL : gd_mmap(fd, idx, 4, PROT_READ | PROT_WRITE, MAP_SHARED, &err);
	if (!m) {
		fail("map", "MAP_GRANT_REF %s, mmap %s", strerror(-rc), rc ? "-" : strerror(err));
		gd_unmap(fd, idx, 4);
		gdealloc(&g);
		close(fd);
		return;
	}
	pass("map");
	expect("read-through-mapping", !memcmp(m, ref, sizeof(ref)),
	       "data read through gntdev differs from the granted pages");
	fill(m + PG, PG, 2);
	fill(ref + PG, PG, 2);
	m[4 * PG - 1] = 0x5a;
	ref[4 * PG - 1] = 0x5a;
	expect("write-through-mapping", !memcmp(g.mem, ref, sizeof(ref)),
	       "data written through gntdev did not reach the granting side");

	off.vaddr = (uintptr_t)m + 2 * PG;
	rc = ioctl(fd, IOCTL_GNTDEV_GET_OFFSET_FOR_VADDR, &off) ? -errno : 0;
	expect("offset-lookup", !rc && off.offset == idx && off.count == 4,
	       "rc %d offset %llu count %u, want offset %llu count 4", rc,
	       (unsigned long long)off.offset, off.count, (unsigned long long)idx);
	off.vaddr = (uintptr_t)ref;
	rc = ioctl(fd, IOCTL_GNTDEV_GET_OFFSET_FOR_VADDR, &off) ? -errno : 0;
	expect("offset-lookup-other-vaddr", rc == -EINVAL, "rc %d, want -EINVAL", rc);

	munmap(m, 4 * PG);
	rc = gd_unmap(fd, idx, 4);
	expect("unmap", !rc, "UNMAP_GRANT_REF: %s", strerror(-rc));
	rc = gd_unmap(fd, idx, 4);
	expect("unmap-twice", rc == -ENOENT, "second UNMAP_GRANT_REF: rc %d, want -ENOENT", rc);
	check_revoked("unmap-no-leak", &g);
	close(fd);
}

/* Offsets are allocated first-fit exactly as in-tree. */
static void t_offsets(void)
{
	uint64_t a = 1, b = 1, c = 1, d = 1, e = 1;
	uint32_t refs[3] = { 0, 0, 0 };
	int fd = gd_open(), rc;

	if (fd < 0) {
		fail("offsets", "open: %s", strerror(errno));
		return;
	}
	/* MAP_GRANT_REF does not map yet: any ref will do. */
	rc = gd_map(fd, peer, refs, 2, &a) | gd_map(fd, peer, refs, 3, &b);
	rc |= gd_unmap(fd, a, 2);
	rc |= gd_map(fd, peer, refs, 1, &c) | gd_map(fd, peer, refs, 1, &d);
	rc |= gd_unmap(fd, b, 0);	/* count 0: any count */
	rc |= gd_map(fd, peer, refs, 3, &e);
	expect("offsets", !rc && a == 0 && b == 2 * PG && c == 0 && d == 5 * PG && e == PG,
	       "rc %d: %llu %llu %llu %llu %llu, want 0 8192 0 20480 4096", rc,
	       (unsigned long long)a, (unsigned long long)b, (unsigned long long)c,
	       (unsigned long long)d, (unsigned long long)e);
	rc = gd_unmap(fd, PG + 1, 3);	/* low bits of the offset are ignored */
	expect("unmap-offset-low-bits", !rc, "rc %d", rc);
	rc = gd_unmap(fd, c, 2);
	expect("unmap-wrong-count", rc == -ENOENT, "rc %d, want -ENOENT", rc);
	close(fd);
}

static void t_mmap_errors(void)
{
	struct grant g = { 0 };
	uint64_t idx = 0;
	int fd = gd_open(), rc, err = 0;
	void *m, *m2;

	if (fd < 0 || galloc(&g, 2, true)) {
		fail("mmap-errors", "setup failed");
		return;
	}
	rc = gd_map(fd, peer, g.refs, 2, &idx);
	m = gd_mmap(fd, idx + 64 * PG, 2, PROT_READ, MAP_SHARED, &err);
	expect("mmap-wrong-offset", !m && err == EINVAL, "mmap: %s", m ? "succeeded" : strerror(err));
	m = gd_mmap(fd, idx, 1, PROT_READ, MAP_SHARED, &err);
	expect("mmap-wrong-count", !m && err == EINVAL, "mmap: %s", m ? "succeeded" : strerror(err));
	m = gd_mmap(fd, idx, 2, PROT_READ | PROT_WRITE, MAP_PRIVATE, &err);
	expect("mmap-private-writable", !m && err == EINVAL, "mmap: %s", m ? "succeeded" : strerror(err));
	m = gd_mmap(fd, idx, 2, PROT_READ | PROT_WRITE, MAP_SHARED, &err);
	if (!m || rc) {
		fail("mmap-twice", "first mmap: %s", strerror(err));
	} else {
		m2 = gd_mmap(fd, idx, 2, PROT_READ, MAP_SHARED, &err);
		expect("mmap-twice", !m2 && err == EINVAL, "second mmap: %s", m2 ? "succeeded" : strerror(err));
		if (m2)
			munmap(m2, 2 * PG);
		munmap(m, 2 * PG);
	}
	gd_unmap(fd, idx, 2);
	close(fd);
	check_revoked("mmap-errors-no-leak", &g);
}

static void t_readonly(void)
{
	struct grant g = { 0 };
	uint64_t i1 = 0, i2 = 0;
	int fd = gd_open(), rc, err = 0;
	uint8_t *m;

	if (fd < 0 || galloc(&g, 1, false)) {
		fail("readonly", "setup failed");
		return;
	}
	fill(g.mem, PG, 3);
	rc = gd_map(fd, peer, g.refs, 1, &i1);
	m = rc ? NULL : gd_mmap(fd, i1, 1, PROT_READ | PROT_WRITE, MAP_SHARED, &err);
	expect("readonly-grant-writable-refused", !rc && !m,
	       "rc %d; a read-only grant was mapped writable", rc);
	if (!m)
		info("readonly-grant-writable-refused", "mmap errno %d (%s)", err, strerror(err));
	else
		munmap(m, PG);
	rc = gd_map(fd, peer, g.refs, 1, &i2);
	m = rc ? NULL : gd_mmap(fd, i2, 1, PROT_READ, MAP_SHARED, &err);
	expect("readonly-grant-read", m && !memcmp(m, g.mem, PG),
	       "rc %d mmap %s", rc, m ? "ok, data differs" : strerror(err));
	rc = gd_notify(fd, i2 + 10, UNMAP_NOTIFY_CLEAR_BYTE, 0);
	expect("notify-clear-byte-readonly", rc == -EINVAL, "rc %d, want -EINVAL", rc);
	if (m)
		munmap(m, PG);
	gd_unmap(fd, i1, 1);
	gd_unmap(fd, i2, 1);
	close(fd);
	check_revoked("readonly-no-leak", &g);
}

static void t_notify(void)
{
	struct grant g = { 0 };
	struct pair p = { .fd = -1 };
	uint64_t idx = 0, i2 = 0;
	int fd = gd_open(), rc, err = 0, seen;
	uint8_t *m;

	if (fd < 0 || galloc(&g, 2, true)) {
		fail("notify", "setup failed");
		return;
	}
	rc = gd_notify(fd, 0, 4, 0);
	expect("notify-bad-action", rc == -EINVAL, "rc %d, want -EINVAL", rc);
	rc = gd_notify(fd, 0, UNMAP_NOTIFY_CLEAR_BYTE, 0);
	expect("notify-no-range", rc == -ENOENT, "rc %d, want -ENOENT", rc);

	/* Clear a byte on munmap. */
	memset(g.mem, 0xff, 2 * PG);
	rc = gd_map(fd, peer, g.refs, 2, &idx);
	m = rc ? NULL : gd_mmap(fd, idx, 2, PROT_READ | PROT_WRITE, MAP_SHARED, &err);
	if (!m) {
		fail("notify-clear-byte", "map: rc %d mmap %s", rc, strerror(err));
	} else {
		rc = gd_notify(fd, idx + PG + 100, UNMAP_NOTIFY_CLEAR_BYTE, 0);
		if (rc) {
			fail("notify-clear-byte", "SET_UNMAP_NOTIFY: %s", strerror(-rc));
		} else {
			munmap(m, 2 * PG);
			m = NULL;
			gd_unmap(fd, idx, 2);
			expect("notify-clear-byte", g.mem[PG + 100] == 0 && g.mem[PG + 99] == 0xff &&
			       g.mem[PG + 101] == 0xff && g.mem[100] == 0xff,
			       "bytes around the target: %02x %02x %02x (page 0: %02x)",
			       g.mem[PG + 99], g.mem[PG + 100], g.mem[PG + 101], g.mem[100]);
		}
		if (m) {
			munmap(m, 2 * PG);
			gd_unmap(fd, idx, 2);
		}
	}

	/* Notify an event channel (and clear a byte) on unmap. */
	rc = evt_pair(&p);
	if (rc) {
		fail("notify-event", "event channel pair: %s", strerror(-rc));
		goto out;
	}
	evt_collect(&p, 300);	/* the initial event of the B port */
	/* The port is checked first: -EINVAL even without a range. */
	rc = gd_notify(fd, 0, UNMAP_NOTIFY_SEND_EVENT, 1u << 30);
	expect("notify-bad-port-no-range", rc == -EINVAL, "rc %d, want -EINVAL", rc);
	if (gd_map(fd, peer, g.refs, 2, &idx)) {
		fail("notify-event", "MAP_GRANT_REF failed");
		close(p.fd);
		goto out;
	}
	rc = gd_notify(fd, idx, UNMAP_NOTIFY_SEND_EVENT, 1u << 30);
	expect("notify-bad-port", rc == -EINVAL, "rc %d, want -EINVAL", rc);
	rc = gd_notify(fd, idx, UNMAP_NOTIFY_SEND_EVENT, p.a + p.b + 100);
	expect("notify-unbound-port", rc == -EINVAL, "rc %d, want -EINVAL", rc);
	memset(g.mem, 0xee, 2 * PG);
	m = gd_mmap(fd, idx, 2, PROT_READ | PROT_WRITE, MAP_SHARED, &err);
	rc = m ? gd_notify(fd, idx + 7, UNMAP_NOTIFY_SEND_EVENT | UNMAP_NOTIFY_CLEAR_BYTE, p.b) : -err;
	if (rc) {
		fail("notify-event", "mmap/SET_UNMAP_NOTIFY: %s", strerror(-rc));
	} else {
		seen = evt_collect(&p, 200);
		expect("notify-event-not-early", !(seen & 1), "event before the unmap (seen %#x)", seen);
		munmap(m, 2 * PG);
		m = NULL;
		rc = gd_unmap(fd, idx, 2);
		seen = evt_collect(&p, 2000);
		expect("notify-event", !rc && (seen & 1), "rc %d, no event on port %u after the unmap (seen %#x)",
		       rc, p.a, seen);
		expect("notify-event-clear-byte", g.mem[7] == 0 && g.mem[6] == 0xee,
		       "byte %02x (neighbour %02x)", g.mem[7], g.mem[6]);
	}
	if (m)
		munmap(m, 2 * PG);

	/* Setting twice: the second request replaces the first. */
	rc = gd_map(fd, peer, g.refs, 2, &i2);
	rc = rc ? rc : gd_notify(fd, i2, UNMAP_NOTIFY_SEND_EVENT, p.b);
	rc = rc ? rc : gd_notify(fd, i2 + 5, UNMAP_NOTIFY_CLEAR_BYTE, 0);
	if (!rc) {
		gd_unmap(fd, i2, 2);
		seen = evt_collect(&p, 500);
		expect("notify-replaced", !(seen & 1), "the replaced event notification still fired");
	} else {
		fail("notify-replaced", "rc %d", rc);
	}
	close(p.fd);
out:
	close(fd);
	check_revoked("notify-no-leak", &g);
}

static int do_copy(int fd, struct gntdev_grant_copy_segment *s, unsigned int n)
{
	struct ioctl_gntdev_grant_copy c = { .count = n, .segments = s };

	return ioctl(fd, IOCTL_GNTDEV_GRANT_COPY, &c) ? -errno : 0;
}

static void t_copy(void)
{
	static uint8_t local[8 * PG] __attribute__((aligned(4096)));
	struct gntdev_grant_copy_segment s[64];
	struct grant g = { 0 };
	uint8_t want[2 * PG];
	int fd = gd_open(), rc, i, bad;

	if (fd < 0 || galloc(&g, 2, true)) {
		fail("copy", "setup failed");
		return;
	}
	rc = do_copy(fd, s, 0);
	expect("copy-no-segments", !rc, "rc %d", rc);

	/* grant -> local, a whole page */
	fill(g.mem, 2 * PG, 4);
	memset(local, 0, sizeof(local));
	memset(s, 0, sizeof(s));
	s[0].source.foreign.ref = g.refs[0];
	s[0].source.foreign.domid = peer;
	s[0].dest.virt = local + 100;	/* crosses a local page boundary */
	s[0].len = PG;
	s[0].flags = GNTCOPY_source_gref;
	s[0].status = 99;
	rc = do_copy(fd, s, 1);
	expect("copy-from-grant", !rc && s[0].status == GNTST_okay && !memcmp(local + 100, g.mem, PG) &&
	       local[99] == 0 && local[100 + PG] == 0,
	       "rc %d status %d, %s", rc, s[0].status, "data differs");

	/* local -> grant, into the middle of page 1 */
	fill(local, PG, 5);
	memcpy(want, g.mem, sizeof(want));
	memcpy(want + PG + 300, local + 10, 1000);
	memset(s, 0, sizeof(s));
	s[0].source.virt = local + 10;
	s[0].dest.foreign.ref = g.refs[1];
	s[0].dest.foreign.domid = peer;
	s[0].dest.foreign.offset = 300;
	s[0].len = 1000;
	s[0].flags = GNTCOPY_dest_gref;
	rc = do_copy(fd, s, 1);
	expect("copy-to-grant", !rc && s[0].status == GNTST_okay && !memcmp(g.mem, want, sizeof(want)),
	       "rc %d status %d, %s", rc, s[0].status, "data differs");

	/* grant -> grant */
	memset(s, 0, sizeof(s));
	s[0].source.foreign.ref = g.refs[0];
	s[0].source.foreign.domid = peer;
	s[0].source.foreign.offset = 16;
	s[0].dest.foreign.ref = g.refs[1];
	s[0].dest.foreign.domid = peer;
	s[0].len = 64;
	s[0].flags = GNTCOPY_source_gref | GNTCOPY_dest_gref;
	memcpy(want + PG, g.mem + 16, 64);
	rc = do_copy(fd, s, 1);
	expect("copy-grant-to-grant", !rc && s[0].status == GNTST_okay && !memcmp(g.mem, want, sizeof(want)),
	       "rc %d status %d", rc, s[0].status);

	/* many segments: several hypervisor batches, both directions */
	memset(s, 0, sizeof(s));
	fill(g.mem, 2 * PG, 6);
	memset(local, 0, sizeof(local));
	for (i = 0; i < 64; i++) {
		s[i].len = 120;
		if (i % 2) {
			/* page 0 of the grant is only read */
			s[i].source.foreign.ref = g.refs[0];
			s[i].source.foreign.domid = peer;
			s[i].source.foreign.offset = i * 60;
			s[i].dest.virt = local + i / 2 * 600 + 4050;
			s[i].flags = GNTCOPY_source_gref;
		} else {
			fill(local + 6 * PG + 4000 + i * 60, 120, i);
			s[i].source.virt = local + 6 * PG + 4000 + i * 60;
			s[i].dest.foreign.ref = g.refs[1];
			s[i].dest.foreign.domid = peer;
			s[i].dest.foreign.offset = i * 60;
			s[i].flags = GNTCOPY_dest_gref;
		}
	}
	memcpy(want, g.mem, sizeof(want));
	rc = do_copy(fd, s, 64);
	bad = -1;
	for (i = 0; i < 64 && bad < 0; i++) {
		if (s[i].status != GNTST_okay)
			bad = i;
		else if (i % 2 && memcmp(local + i / 2 * 600 + 4050, want + i * 60, 120))
			bad = i;
	}
	for (i = 0; i < 64 && bad < 0; i += 2)
		if (memcmp(g.mem + PG + i * 60, local + 6 * PG + 4000 + i * 60, 120))
			bad = i;
	expect("copy-batched", !rc && bad < 0, "rc %d, segment %d wrong (status %d)", rc, bad,
	       bad >= 0 ? s[bad].status : 0);

	/* per-segment status: a bad ref fails its segment only */
	memset(s, 0, sizeof(s));
	for (i = 0; i < 3; i++) {
		s[i].source.foreign.ref = g.refs[0];
		s[i].source.foreign.domid = peer;
		s[i].dest.virt = local + i * PG;
		s[i].len = 512;
		s[i].flags = GNTCOPY_source_gref;
	}
	s[1].source.foreign.ref = 0xfffff0;
	rc = do_copy(fd, s, 3);
	expect("copy-status-bad-ref", !rc && s[0].status == GNTST_okay && s[1].status < 0 &&
	       s[2].status == GNTST_okay, "rc %d statuses %d %d %d", rc, s[0].status, s[1].status,
	       s[2].status);
	s[1].source.foreign.ref = g.refs[0];
	s[1].source.foreign.domid = BAD_DOMID;
	rc = do_copy(fd, s, 3);
	expect("copy-status-bad-domid", !rc && s[0].status == GNTST_okay && s[1].status < 0 &&
	       s[2].status == GNTST_okay, "rc %d statuses %d %d %d", rc, s[0].status, s[1].status,
	       s[2].status);

	/* whole-call errors */
	memset(s, 0, sizeof(s));
	s[0].source.virt = local;
	s[0].dest.virt = local + PG;
	s[0].len = 10;
	rc = do_copy(fd, s, 1);
	expect("copy-local-to-local", rc == -EINVAL, "rc %d, want -EINVAL", rc);
	s[0].flags = GNTCOPY_source_gref;
	s[0].source.foreign.ref = g.refs[0];
	s[0].source.foreign.domid = peer;
	s[0].source.foreign.offset = PG - 10;
	s[0].len = 11;
	rc = do_copy(fd, s, 1);
	expect("copy-crossing-grant-page", rc == -EINVAL, "rc %d, want -EINVAL", rc);
	s[0].source.foreign.offset = 0;
	s[0].dest.virt = (void *)8;
	rc = do_copy(fd, s, 1);
	expect("copy-bad-local-address", rc == -EFAULT, "rc %d, want -EFAULT", rc);
	rc = do_copy(fd, (void *)8, 1);
	expect("copy-bad-segment-array", rc == -EFAULT, "rc %d, want -EFAULT", rc);
	close(fd);
	check_revoked("copy-no-leak", &g);
}

static unsigned int read_limit(void)
{
	FILE *f = fopen("/sys/module/xen_gntdev/parameters/limit", "r");
	unsigned int v = 0;

	if (f) {
		if (fscanf(f, "%u", &v) != 1)
			v = 0;
		fclose(f);
	}
	return v;
}

static int write_limit(unsigned int v)
{
	FILE *f = fopen("/sys/module/xen_gntdev/parameters/limit", "w");
	int rc;

	if (!f)
		return -errno;
	rc = fprintf(f, "%u\n", v) > 0 ? 0 : -EIO;
	if (fclose(f))
		rc = -errno;
	return rc;
}

static void t_errors(void)
{
	struct ioctl_gntdev_set_max_grants smg = { .count = 8 };
	uint32_t bad_ref = 0xfffff0, refs[8] = { 0 };
	unsigned int limit = read_limit(), i;
	struct grant g = { 0 };
	uint64_t idx = 0;
	int fd = gd_open(), rc, err = 0;
	uint32_t *big;
	void *m;

	if (fd < 0) {
		fail("errors", "open: %s", strerror(errno));
		return;
	}
	/* invalid ref: MAP_GRANT_REF only records it; mmap() fails */
	rc = gd_map(fd, peer, &bad_ref, 1, &idx);
	m = rc ? NULL : gd_mmap(fd, idx, 1, PROT_READ, MAP_SHARED, &err);
	expect("invalid-ref", !rc && !m && err == EINVAL, "MAP rc %d, mmap %s", rc,
	       m ? "succeeded" : strerror(err));
	rc = gd_unmap(fd, idx, 1);
	expect("invalid-ref-unmap", !rc, "rc %d", rc);

	if (!galloc(&g, 1, true)) {
		rc = gd_map(fd, BAD_DOMID, g.refs, 1, &idx);
		m = rc ? NULL : gd_mmap(fd, idx, 1, PROT_READ, MAP_SHARED, &err);
		expect("invalid-domid", !rc && !m && err == EINVAL, "MAP rc %d, mmap %s", rc,
		       m ? "succeeded" : strerror(err));
		gd_unmap(fd, idx, 1);
		/* a batch with one bad entry fails whole and leaks nothing */
		refs[0] = g.refs[0];
		refs[1] = bad_ref;
		refs[2] = g.refs[0];
		rc = gd_map(fd, peer, refs, 3, &idx);
		m = rc ? NULL : gd_mmap(fd, idx, 3, PROT_READ, MAP_SHARED, &err);
		expect("partial-batch-fails", !rc && !m && err == EINVAL, "MAP rc %d, mmap %s", rc,
		       m ? "succeeded" : strerror(err));
		gd_unmap(fd, idx, 3);
		check_revoked("partial-batch-no-leak", &g);
	} else {
		fail("invalid-domid", "gntalloc failed");
	}

	rc = gd_map(fd, peer, refs, 0, &idx);
	expect("count-zero", rc == -EINVAL, "rc %d, want -EINVAL", rc);
	info("limit", "module parameter limit = %u", limit);
	if (limit && limit < (1u << 22)) {
		big = calloc(limit + 1, sizeof(struct ioctl_gntdev_grant_ref));
		rc = big ? gd_map(fd, peer, big, limit + 1, &idx) : -ENOMEM;
		expect("over-the-limit", rc == -EINVAL, "count limit+1: rc %d, want -EINVAL", rc);
		free(big);
	} else {
		fail("over-the-limit", "cannot read the limit parameter");
	}
	/* the limit is per request and can be changed at run time */
	if (limit && !write_limit(4)) {
		rc = gd_map(fd, peer, refs, 5, &idx);
		expect("limit-param-over", rc == -EINVAL, "limit 4, count 5: rc %d", rc);
		rc = gd_map(fd, peer, refs, 4, &idx);
		expect("limit-param-at", !rc, "limit 4, count 4: rc %d", rc);
		rc = rc ? rc : gd_map(fd, peer, refs, 4, &idx);
		expect("limit-per-request", !rc, "a second request of 4 under limit 4: rc %d", rc);
		write_limit(limit);
	} else {
		fail("limit-param", "cannot write the limit parameter");
	}

	rc = ioctl(fd, IOCTL_GNTDEV_SET_MAX_GRANTS, &smg) ? -errno : 0;
	expect("set-max-grants", rc == -ENOTTY, "rc %d, want -ENOTTY (in-tree: no such command)", rc);
	for (i = 0; i < 4; i++) {
		char buf[64] = { 0 };

		rc = ioctl(fd, dmabuf_cmds[i], buf) ? -errno : 0;
		if (rc != -ENOTTY)
			break;
	}
	expect("dmabuf-ioctls", i == 4, "command %u: rc %d, want -ENOTTY (no CONFIG_XEN_GNTDEV_DMABUF)",
	       i, rc);
	rc = ioctl(fd, _IOC(_IOC_NONE, 'G', 42, 8), refs) ? -errno : 0;
	expect("unknown-ioctl", rc == -ENOTTY, "rc %d, want -ENOTTY", rc);
	close(fd);
}

static void t_partial_munmap(void)
{
	struct ioctl_gntdev_get_offset_for_vaddr off = { 0 };
	struct grant g = { 0 };
	uint64_t idx = 0;
	int fd = gd_open(), rc, err = 0, s1, s2;
	uint8_t *m, v0 = 0, v3 = 0, v;

	if (fd < 0 || galloc(&g, 4, true)) {
		fail("partial-munmap", "setup failed");
		return;
	}
	fill(g.mem, 4 * PG, 7);
	rc = gd_map(fd, peer, g.refs, 4, &idx);
	m = rc ? NULL : gd_mmap(fd, idx, 4, PROT_READ | PROT_WRITE, MAP_SHARED, &err);
	if (!m) {
		fail("partial-munmap", "map failed");
		goto out;
	}
	rc = munmap(m + PG, 2 * PG);
	s1 = probe_read(m, &v0);
	s2 = probe_read(m + 3 * PG + 5, &v3);
	expect("partial-munmap-rest-intact", !rc && !s1 && !s2 && v0 == g.mem[0] && v3 == g.mem[3 * PG + 5],
	       "munmap %d, reads: signal %d/%d", rc, s1, s2);
	m[3 * PG + 6] = 0x42;
	expect("partial-munmap-rest-writable", g.mem[3 * PG + 6] == 0x42, "write did not arrive");
	s1 = probe_read(m + PG, &v);
	s2 = probe_read(m + 2 * PG + 100, &v);
	expect("partial-munmap-gone", s1 && s2, "the unmapped pages are still readable");
	off.vaddr = (uintptr_t)m + 3 * PG;
	rc = ioctl(fd, IOCTL_GNTDEV_GET_OFFSET_FOR_VADDR, &off) ? -errno : 0;
	expect("partial-munmap-offset", !rc && off.offset == idx && off.count == 4,
	       "rc %d offset %llu count %u", rc, (unsigned long long)off.offset, off.count);
	/* unmap the range while the rest is still mmap()ed */
	rc = gd_unmap(fd, idx, 4);
	s1 = probe_read(m + 3 * PG + 5, &v3);
	expect("partial-munmap-after-unmap-ioctl", !rc && !s1 && v3 == g.mem[3 * PG + 5],
	       "rc %d, the mapping must live until munmap (signal %d)", rc, s1);
	munmap(m, PG);
	munmap(m + 3 * PG, PG);
out:
	close(fd);
	check_revoked("partial-munmap-no-leak", &g);
}

static void t_mremap(void)
{
	struct grant g = { 0 };
	uint64_t idx = 0;
	int fd = gd_open(), rc, err = 0, sig;
	uint8_t *m, *n, *hole, v = 0;

	if (fd < 0 || galloc(&g, 2, true)) {
		fail("mremap", "setup failed");
		return;
	}
	fill(g.mem, 2 * PG, 8);
	rc = gd_map(fd, peer, g.refs, 2, &idx);
	m = rc ? NULL : gd_mmap(fd, idx, 2, PROT_READ | PROT_WRITE, MAP_SHARED, &err);
	if (!m) {
		fail("mremap", "map failed");
		goto out;
	}
	n = mremap(m, 2 * PG, 3 * PG, MREMAP_MAYMOVE);
	expect("mremap-grow-refused", n == MAP_FAILED, "a grant mapping grew");
	if (n != MAP_FAILED)
		m = n;
	hole = mmap(NULL, 2 * PG, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	n = mremap(m, 2 * PG, 2 * PG, MREMAP_MAYMOVE | MREMAP_FIXED, hole);
	if (n == MAP_FAILED) {
		info("mremap-move", "refused: %s", strerror(errno));
		pass("mremap-move-no-stale");
		munmap(hole, 2 * PG);
		munmap(m, 2 * PG);
	} else {
		/* The grants must not follow the move, or be exactly right if they do. */
		sig = probe_read(n + PG + 3, &v);
		info("mremap-move", "moved; read at the new address: %s",
		     sig ? strsignal(sig) : "data");
		expect("mremap-move-no-stale", sig || v == g.mem[PG + 3], "wrong data at the new address");
		sig = probe_read(m, &v);
		expect("mremap-move-old-gone", sig, "the old address is still readable");
		munmap(n, 2 * PG);
	}
	gd_unmap(fd, idx, 2);
out:
	close(fd);
	check_revoked("mremap-no-leak", &g);
}

static bool is_pv(void)
{
	char buf[16] = { 0 };
	FILE *f = fopen("/sys/hypervisor/guest_type", "r");

	if (!f)
		return true;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = 0;
	fclose(f);
	return !strncmp(buf, "PV", 2) && buf[2] != 'H';
}

static void t_fork(void)
{
	struct grant g = { 0 };
	uint64_t idx = 0;
	int fd = gd_open(), rc, err = 0, st;
	uint8_t *m;
	pid_t pid;

	if (fd < 0 || galloc(&g, 2, true)) {
		fail("fork", "setup failed");
		return;
	}
	fill(g.mem, 2 * PG, 9);
	rc = gd_map(fd, peer, g.refs, 2, &idx);
	m = rc ? NULL : gd_mmap(fd, idx, 2, PROT_READ | PROT_WRITE, MAP_SHARED, &err);
	if (!m) {
		fail("fork", "map failed");
		goto out;
	}
	pid = fork();
	if (pid == 0) {
		uint8_t v = 0;
		int sig = probe_read(m + 17, &v);

		/* PV: VM_DONTCOPY, the child has no such mapping. */
		if (is_pv())
			_exit(sig ? 0 : 1);
		_exit(!sig && v == g.mem[17] ? 0 : 2);
	}
	waitpid(pid, &st, 0);
	expect("fork-child", WIFEXITED(st) && WEXITSTATUS(st) == 0,
	       "child status %#x (PV: the mapping must not be inherited)", st);
	expect("fork-parent-intact", m[17] == g.mem[17], "parent mapping changed");
	munmap(m, 2 * PG);
	gd_unmap(fd, idx, 2);
out:
	close(fd);
	check_revoked("fork-no-leak", &g);
}

/*
 * A child maps the grants through its own gntdev file and dies with the
 * mapping live: by exit() (@kill false) or SIGKILL.
 */
static void exit_case(const char *check, bool kill_it)
{
	struct grant g = { 0 };
	char name[96];
	int pfd[2], st;
	pid_t pid;
	char c;

	if (galloc(&g, 3, true) || pipe(pfd)) {
		fail(check, "setup failed");
		return;
	}
	memset(g.mem, 0x11, 3 * PG);
	pid = fork();
	if (pid == 0) {
		int fd = gd_open(), err = 0;
		uint64_t idx = 0;
		uint8_t *m;

		close(pfd[0]);
		if (fd < 0 || gd_map(fd, peer, g.refs, 3, &idx))
			_exit(1);
		m = gd_mmap(fd, idx, 3, PROT_READ | PROT_WRITE, MAP_SHARED, &err);
		if (!m)
			_exit(2);
		m[2 * PG + 1] = 0x77;
		if (gd_notify(fd, idx + PG + 9, UNMAP_NOTIFY_CLEAR_BYTE, 0))
			_exit(3);
		if (write(pfd[1], "x", 1) != 1)
			_exit(4);
		if (kill_it)
			pause();
		_exit(0);	/* no munmap, no UNMAP_GRANT_REF, no close */
	}
	close(pfd[1]);
	if (read(pfd[0], &c, 1) != 1) {
		waitpid(pid, &st, 0);
		fail(check, "child failed to map: status %#x", st);
		close(pfd[0]);
		gdealloc(&g);
		return;
	}
	if (kill_it)
		kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	close(pfd[0]);
	expect(check, g.mem[2 * PG + 1] == 0x77 && g.mem[PG + 9] == 0 && g.mem[PG + 8] == 0x11,
	       "write %02x, notify byte %02x", g.mem[2 * PG + 1], g.mem[PG + 9]);
	snprintf(name, sizeof(name), "%s-no-leak", check);
	check_revoked(name, &g);
}

static void t_exit(void)
{
	exit_case("exit-with-live-mappings", false);
	exit_case("kill-with-live-mappings", true);
}

/* The VMA keeps the grants after close() of the file; munmap releases them. */
static void t_close(void)
{
	struct grant g = { 0 };
	uint64_t idx = 0;
	int fd = gd_open(), rc, err = 0, sig;
	uint8_t *m, v = 0;

	if (fd < 0 || galloc(&g, 1, true)) {
		fail("close", "setup failed");
		return;
	}
	fill(g.mem, PG, 10);
	rc = gd_map(fd, peer, g.refs, 1, &idx);
	m = rc ? NULL : gd_mmap(fd, idx, 1, PROT_READ | PROT_WRITE, MAP_SHARED, &err);
	close(fd);
	if (!m) {
		fail("close-mapping-survives", "map failed");
	} else {
		sig = probe_read(m + 33, &v);
		expect("close-mapping-survives", !sig && v == g.mem[33], "signal %d", sig);
		munmap(m, PG);
	}
	check_revoked("close-no-leak", &g);
}

/* Many ranges in one file, closed with everything live. */
static void t_many(void)
{
	struct grant g = { 0 };
	uint8_t *m[16] = { 0 };
	uint64_t idx = 0;
	int fd = gd_open(), i, err = 0, ok = 0;

	if (fd < 0 || galloc(&g, 16, true)) {
		fail("many", "setup failed");
		return;
	}
	fill(g.mem, 16 * PG, 11);
	for (i = 0; i < 16; i++) {
		if (gd_map(fd, peer, &g.refs[i], 1, &idx))
			continue;
		m[i] = gd_mmap(fd, idx, 1, PROT_READ, MAP_SHARED, &err);
		ok += m[i] && m[i][i] == g.mem[i * PG + i];
	}
	expect("many-ranges", ok == 16, "%d of 16 mappings right", ok);
	for (i = 0; i < 16; i++)
		if (m[i])
			munmap(m[i], PG);
	close(fd);
	check_revoked("many-no-leak", &g);
}

/*
 * The leak check itself: a grant deallocated while gntdev still maps it
 * cannot be revoked (gntalloc defers it) and can still be mapped; once the
 * mapping is gone the deferred revocation completes (gnttab retries every
 * second) and it cannot.
 */
static void t_leakcheck(void)
{
	struct grant g = { 0 };
	uint64_t idx = 0;
	int fd = gd_open(), rc, err = 0, r1, r2 = 1, i;
	uint32_t ref;
	void *m;

	if (fd < 0 || galloc(&g, 1, true)) {
		fail("leak-check-works", "setup failed");
		return;
	}
	ref = g.refs[0];
	rc = gd_map(fd, peer, g.refs, 1, &idx);
	m = rc ? NULL : gd_mmap(fd, idx, 1, PROT_READ, MAP_SHARED, &err);
	if (!m) {
		fail("leak-check-works", "map: rc %d mmap %s", rc, strerror(err));
		gdealloc(&g);
		close(fd);
		return;
	}
	gdealloc(&g);
	r1 = still_mappable(ref);
	munmap(m, PG);
	gd_unmap(fd, idx, 1);
	close(fd);
	for (i = 0; i < 50 && r2; i++) {
		usleep(100000);
		r2 = still_mappable(ref);
	}
	expect("leak-check-works", r1 == 1 && r2 == 0,
	       "live mapping: mappable=%d (want 1); released: mappable=%d (want 0)", r1, r2);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * Not a test (run only when named): map+mmap+munmap+unmap rate for 1, 64
 * and 1024 grants, and grant-copy throughput, printed as info lines.
 */
static void t_bench(void)
{
	static const uint32_t sizes[] = { 1, 64, 1024 };
	static uint8_t buf[64 * PG] __attribute__((aligned(4096)));
	struct ioctl_gntalloc_alloc_gref *op;
	struct ioctl_gntalloc_dealloc_gref d;
	struct gntdev_grant_copy_segment *s;
	int fd = gd_open(), err = 0, iters, k;
	double t0, t;
	uint64_t idx = 0;
	unsigned int i, j;
	void *m;

	op = calloc(1, sizeof(*op) + 1024 * sizeof(uint32_t));
	s = calloc(1024, sizeof(*s));
	if (fd < 0 || !op || !s)
		return;
	for (i = 0; i < 3; i++) {
		memset(op, 0, sizeof(*op));
		op->domid = peer;
		op->flags = GNTALLOC_FLAG_WRITABLE;
		op->count = sizes[i];
		if (ioctl(gafd, IOCTL_GNTALLOC_ALLOC_GREF, op)) {
			info("bench", "gntalloc %u: %s", sizes[i], strerror(errno));
			continue;
		}
		iters = sizes[i] == 1024 ? 20 : sizes[i] == 64 ? 100 : 500;
		t0 = now_s();
		for (k = 0; k < iters; k++) {
			if (gd_map(fd, peer, op->gref_ids, sizes[i], &idx))
				break;
			m = gd_mmap(fd, idx, sizes[i], PROT_READ | PROT_WRITE, MAP_SHARED, &err);
			if (m)
				munmap(m, sizes[i] * PG);
			gd_unmap(fd, idx, sizes[i]);
			if (!m)
				break;
		}
		t = now_s() - t0;
		info("bench", "map+mmap+munmap+unmap of %u grants: %d rounds in %.3f s, %.0f rounds/s, %.0f grants/s",
		     sizes[i], k, t, k / t, k * sizes[i] / t);
		if (sizes[i] == 1024) {
			/* 1024 segments of one page each, grant -> local */
			for (j = 0; j < 1024; j++) {
				memset(&s[j], 0, sizeof(s[j]));
				s[j].source.foreign.ref = op->gref_ids[j];
				s[j].source.foreign.domid = peer;
				s[j].dest.virt = buf + (j % 64) * PG;
				s[j].len = PG;
				s[j].flags = GNTCOPY_source_gref;
			}
			t0 = now_s();
			for (k = 0; k < 20; k++)
				if (do_copy(fd, s, 1024))
					break;
			t = now_s() - t0;
			info("bench", "grant copy grant->local: %d x 4 MiB in %.3f s, %.1f MiB/s", k, t, k * 4 / t);
			for (j = 0; j < 1024; j++) {
				s[j].dest = s[j].source;
				s[j].source.virt = buf + (j % 64) * PG;
				s[j].flags = GNTCOPY_dest_gref;
			}
			t0 = now_s();
			for (k = 0; k < 20; k++)
				if (do_copy(fd, s, 1024))
					break;
			t = now_s() - t0;
			info("bench", "grant copy local->grant: %d x 4 MiB in %.3f s, %.1f MiB/s", k, t, k * 4 / t);
		}
		d.index = op->index;
		d.count = sizes[i];
		ioctl(gafd, IOCTL_GNTALLOC_DEALLOC_GREF, &d);
	}
	pass("bench");
	free(op);
	free(s);
	close(fd);
}

struct test {
	const char *name;
	void (*fn)(void);
	bool only_by_name;
};

static const struct test tests[] = {
	{ "basic", t_basic, false },
	{ "offsets", t_offsets, false },
	{ "mmap", t_mmap_errors, false },
	{ "readonly", t_readonly, false },
	{ "notify", t_notify, false },
	{ "copy", t_copy, false },
	{ "errors", t_errors, false },
	{ "partial", t_partial_munmap, false },
	{ "mremap", t_mremap, false },
	{ "fork", t_fork, false },
	{ "exit", t_exit, false },
	{ "close", t_close, false },
	{ "many", t_many, false },
	{ "leakcheck", t_leakcheck, false },
	{ "bench", t_bench, true },
};

#define NTESTS (sizeof(tests) / sizeof(tests[0]))

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_fault };
	unsigned int i;
	int opt, j;

	while ((opt = getopt(argc, argv, "l")) != -1) {
		switch (opt) {
		case 'l':
			for (i = 0; i < NTESTS; i++)
				printf("%s\n", tests[i].name);
			return 0;
		default:
			fprintf(stderr, "usage: %s [-l] [TEST...]\n", argv[0]);
			return 2;
		}
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	alarm(300);

	gafd = open("/dev/xen/gntalloc", O_RDWR | O_CLOEXEC);
	if (gafd < 0) {
		fail("gntalloc", "/dev/xen/gntalloc: %s", strerror(errno));
		return 1;
	}
	for (i = 0; i < NTESTS; i++) {
		bool run = optind >= argc && !tests[i].only_by_name;

		for (j = optind; j < argc; j++)
			run |= !strcmp(argv[j], tests[i].name);
		if (run)
			tests[i].fn();
	}
	close(gafd);
	return nfail ? 1 : 0;
}
