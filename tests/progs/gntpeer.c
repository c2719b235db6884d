// SPDX-License-Identifier: GPL-2.0-only
/*
 * gntpeer - /dev/xen/gntdev between Dom0 and a guest.
 *
 * The guest grants its own pages to Dom0 with /dev/xen/gntalloc and owns an
 * unbound event channel (/dev/xen/evtchn); Dom0 maps those grants through
 * /dev/xen/gntdev (the module under test) and checks what the guest sees.
 *
 *   gntpeer              guest side (started by the guest's init via xd.run=):
 *                        a daemon polling data/gp/cmd = "SEQ VERB ARGS" in its own
 *                        xenstore directory and answering data/gp/res =
 *                        "SEQ ok|bad TEXT" (prints "GNTPEER READY" when it listens)
 *   gntpeer dom0 DOMID   Dom0 side: drives the guest and prints
 *                        "PASS <check>" / "FAIL <check>: <detail>" lines; the exit
 *                        status is non-zero if a check failed
 *
 * Guest verbs: setup (grant NPAGES writable pages and one read-only page, bind an
 * unbound port; answers "W r0,r1,.. R rref P port"), check I SEED (page I holds
 * fill(SEED)?), fill I SEED, get I OFF, set I OFF VAL, evt MS (events seen on the
 * port within MS ms), free (deallocate every grant), quit.
 *
 * "Nothing leaked" is checked by revocation, as in gntdev-test: once the guest
 * deallocated its grants, Dom0 can neither map nor grant-copy them any more (a
 * grant still mapped somewhere cannot be revoked and would stay usable).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
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

typedef uint16_t domid_t;
typedef uint32_t grant_ref_t;

#include <xen/gntdev.h>
#include <xen/gntalloc.h>
#include <xen/evtchn.h>

#include "xs-io.h"

#define PG		4096UL
#define NPAGES		4
#define GNTST_okay	0
#define GNTCOPY_source_gref 1
#define GNTCOPY_dest_gref   2

static int nfail;

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

#define expect(check, ok, ...) do { if (ok) pass(check); else fail(check, __VA_ARGS__); } while (0)

static void msleep(int ms) { usleep(ms * 1000); }

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void fill(uint8_t *p, size_t n, unsigned int seed)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)(seed * 131 + i * 7 + (i >> 8));
}

/* First offset where p differs from fill(seed), or -1. */
static long differs(const uint8_t *p, size_t n, unsigned int seed)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] != (uint8_t)(seed * 131 + i * 7 + (i >> 8)))
			return i;
	return -1;
}

/* --------------------------------------------------------------- xenstore */

static int xs_write(const char *path, const char *val)
{
	return xs_io(XS_WRITE, path, val, strlen(val), NULL, 0) < 0 ? -1 : 0;
}

static int xs_read(const char *path, char *out, size_t outsz)
{
	return xs_io(XS_READ, path, NULL, 0, out, outsz) < 0 ? -1 : 0;
}

static int xs_open(void)
{
	xs_fd = open("/dev/xen/xenbus", O_RDWR | O_CLOEXEC);
	return xs_fd < 0 ? -errno : 0;
}

/* ------------------------------------------------------------ guest side */

static struct {
	int gfd, efd;
	uint64_t windex, rindex;
	uint8_t *w, *r;
	uint32_t wrefs[NPAGES], rref;
	unsigned int port;
} gs = { .gfd = -1, .efd = -1 };

static uint8_t *galloc(uint32_t count, bool writable, uint32_t *refs, uint64_t *index)
{
	size_t sz = sizeof(struct ioctl_gntalloc_alloc_gref) + count * sizeof(uint32_t);
	struct ioctl_gntalloc_alloc_gref *a = calloc(1, sz);
	void *p = NULL;

	if (!a)
		return NULL;
	a->domid = 0;
	a->flags = writable ? GNTALLOC_FLAG_WRITABLE : 0;
	a->count = count;
	if (!ioctl(gs.gfd, IOCTL_GNTALLOC_ALLOC_GREF, a)) {
		p = mmap(NULL, count * PG, PROT_READ | PROT_WRITE, MAP_SHARED, gs.gfd, a->index);
		if (p == MAP_FAILED)
			p = NULL;
		memcpy(refs, a->gref_ids, count * sizeof(uint32_t));
		*index = a->index;
	}
	free(a);
	return p;
}

static int gfree(uint8_t **mem, uint64_t index, uint32_t count)
{
	struct ioctl_gntalloc_dealloc_gref d = { .index = index, .count = count };

	if (*mem)
		munmap(*mem, count * PG);
	*mem = NULL;
	return ioctl(gs.gfd, IOCTL_GNTALLOC_DEALLOC_GREF, &d) ? -errno : 0;
}

/* Events on gs.port within ms (each one unmasked again). */
static int evt_count(int ms)
{
	struct pollfd pfd = { .fd = gs.efd, .events = POLLIN };
	uint32_t ports[16];
	int n, i, seen = 0;

	while (poll(&pfd, 1, ms) > 0) {
		n = read(gs.efd, ports, sizeof(ports));
		if (n <= 0)
			break;
		for (i = 0; i < n / 4; i++)
			seen += ports[i] == gs.port;
		if (write(gs.efd, ports, n) != n)
			break;
		ms = 50;
	}
	return seen;
}

static uint8_t *page(unsigned int i)
{
	return i < NPAGES && gs.w ? gs.w + i * PG : i == NPAGES && gs.r ? gs.r : NULL;
}

/* Run one command; writes the answer ("ok ..." / "bad ...") into res. */
static bool guest_cmd(char *cmd, char *res, size_t ressz)
{
	unsigned int i = 0, a = 0, b = 0;
	char verb[16] = "";
	uint8_t *p;
	long d;
	int n, rc;

	n = sscanf(cmd, "%15s %u %u %u", verb, &i, &a, &b);
	if (n < 1) {
		snprintf(res, ressz, "bad empty command");
	} else if (!strcmp(verb, "setup")) {
		struct ioctl_evtchn_bind_unbound_port ub = { .remote_domain = 0 };

		gs.w = galloc(NPAGES, true, gs.wrefs, &gs.windex);
		gs.r = galloc(1, false, &gs.rref, &gs.rindex);
		rc = ioctl(gs.efd, IOCTL_EVTCHN_BIND_UNBOUND_PORT, &ub);
		if (!gs.w || !gs.r || rc < 0) {
			snprintf(res, ressz, "bad gntalloc/evtchn setup failed: %s", strerror(errno));
		} else {
			gs.port = rc;
			for (i = 0; i < NPAGES; i++)
				fill(gs.w + i * PG, PG, 10 + i);
			fill(gs.r, PG, 99);
			snprintf(res, ressz, "ok W %u,%u,%u,%u R %u P %u", gs.wrefs[0], gs.wrefs[1],
				 gs.wrefs[2], gs.wrefs[3], gs.rref, gs.port);
		}
	} else if (!strcmp(verb, "check") && n == 3 && (p = page(i))) {
		d = differs(p, PG, a);
		if (d < 0)
			snprintf(res, ressz, "ok");
		else
			snprintf(res, ressz, "bad page %u differs from fill(%u) at offset %ld", i, a, d);
	} else if (!strcmp(verb, "fill") && n == 3 && (p = page(i))) {
		fill(p, PG, a);
		snprintf(res, ressz, "ok");
	} else if (!strcmp(verb, "get") && n == 3 && (p = page(i)) && a < PG) {
		snprintf(res, ressz, "ok %u", p[a]);
	} else if (!strcmp(verb, "set") && n == 4 && (p = page(i)) && a < PG) {
		p[a] = b;
		snprintf(res, ressz, "ok");
	} else if (!strcmp(verb, "evt") && n == 2) {
		snprintf(res, ressz, "ok %d", evt_count(i));
	} else if (!strcmp(verb, "free")) {
		int r1 = gs.w ? gfree(&gs.w, gs.windex, NPAGES) : 0;
		int r2 = gs.r ? gfree(&gs.r, gs.rindex, 1) : 0;

		if (r1 || r2)
			snprintf(res, ressz, "bad DEALLOC_GREF: %s / %s", strerror(-r1), strerror(-r2));
		else
			snprintf(res, ressz, "ok");
	} else if (!strcmp(verb, "quit")) {
		snprintf(res, ressz, "ok");
		return false;
	} else {
		snprintf(res, ressz, "bad unknown command '%s'", cmd);
	}
	return true;
}

static int guest_main(void)
{
	char cmd[256], last[32] = "", res[300], seq[32];
	bool more = true;

	gs.gfd = open("/dev/xen/gntalloc", O_RDWR | O_CLOEXEC);
	gs.efd = open("/dev/xen/evtchn", O_RDWR | O_CLOEXEC | O_NONBLOCK);
	if (gs.gfd < 0 || gs.efd < 0 || xs_open()) {
		printf("GNTPEER FAIL cannot open gntalloc/evtchn/xenbus: %s\n", strerror(errno));
		return 1;
	}
	xs_io(XS_RM, "data/gp", NULL, 0, NULL, 0);
	if (xs_write("data/gp/res", "0 ok")) {
		printf("GNTPEER FAIL cannot write data/gp/res\n");
		return 1;
	}
	printf("GNTPEER READY\n");
	fflush(stdout);
	while (more) {
		char *sp;

		if (xs_read("data/gp/cmd", cmd, sizeof(cmd)) || !(sp = strchr(cmd, ' '))) {
			msleep(20);
			continue;
		}
		*sp = 0;
		if (!strcmp(cmd, last)) {
			msleep(20);
			continue;
		}
		if (strlen(cmd) >= sizeof(seq)) {
			msleep(20);
			continue;
		}
		strcpy(last, cmd);
		strcpy(seq, cmd);
		more = guest_cmd(sp + 1, res + 0, sizeof(res));
		{
			char out[340];

			snprintf(out, sizeof(out), "%s %s", seq, res);
			xs_write("data/gp/res", out);
		}
	}
	printf("GNTPEER DONE\n");
	return 0;
}

/* ------------------------------------------------------------- Dom0 side */

static unsigned int dom, seqno;
static char base[64];

/* Send a command to the guest; its answer text (after "ok ") in out. -1 if "bad"/timeout. */
static int __attribute__((format(printf, 3, 4))) peer(char *out, size_t outsz, const char *fmt, ...)
{
	char cmd[256], msg[300], path[96], res[400], want[32];
	double end = now() + 60;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	seqno++;
	snprintf(msg, sizeof(msg), "%u %s", seqno, cmd);
	snprintf(path, sizeof(path), "%s/cmd", base);
	if (xs_write(path, msg)) {
		snprintf(out, outsz, "cannot write %s", path);
		return -1;
	}
	snprintf(path, sizeof(path), "%s/res", base);
	snprintf(want, sizeof(want), "%u ", seqno);
	while (now() < end) {
		if (!xs_read(path, res, sizeof(res)) && !strncmp(res, want, strlen(want))) {
			const char *r = res + strlen(want);

			if (!strncmp(r, "ok", 2)) {
				snprintf(out, outsz, "%s", r[2] ? r + 3 : "");
				return 0;
			}
			snprintf(out, outsz, "guest: %s", r);
			return -1;
		}
		msleep(10);
	}
	snprintf(out, outsz, "no answer from the guest to '%s' within 60 s", cmd);
	return -1;
}

static int gd_open(void)
{
	return open("/dev/xen/gntdev", O_RDWR | O_CLOEXEC);
}

static int gd_map(int fd, const uint32_t *refs, uint32_t count, uint64_t *index)
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
		op->refs[i].ref = refs[i];
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

static uint8_t *gd_mmap(int fd, uint64_t index, uint32_t count, int prot, int *err)
{
	void *p = mmap(NULL, count * PG, prot, MAP_SHARED, fd, index);

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

/* One grant-copy segment between a guest grant and local memory. */
static int copy1(int fd, bool from_grant, uint32_t ref, uint16_t off, void *local, uint16_t len,
		 int16_t *status)
{
	struct gntdev_grant_copy_segment s;
	struct ioctl_gntdev_grant_copy c = { .count = 1, .segments = &s };

	memset(&s, 0, sizeof(s));
	if (from_grant) {
		s.source.foreign.ref = ref;
		s.source.foreign.offset = off;
		s.source.foreign.domid = dom;
		s.dest.virt = local;
		s.flags = GNTCOPY_source_gref;
	} else {
		s.source.virt = local;
		s.dest.foreign.ref = ref;
		s.dest.foreign.offset = off;
		s.dest.foreign.domid = dom;
		s.flags = GNTCOPY_dest_gref;
	}
	s.len = len;
	s.status = 99;
	if (ioctl(fd, IOCTL_GNTDEV_GRANT_COPY, &c))
		return -errno;
	*status = s.status;
	return 0;
}

/* After the guest revoked @ref: neither a mapping nor a copy may work. */
static const char *revoked(uint32_t ref)
{
	static uint8_t buf[PG] __attribute__((aligned(4096)));
	int fd = gd_open(), err = 0, rc;
	uint64_t idx = 0;
	int16_t st = 0;
	uint8_t *m;

	if (fd < 0)
		return "cannot open gntdev";
	rc = gd_map(fd, &ref, 1, &idx);
	m = rc ? NULL : gd_mmap(fd, idx, 1, PROT_READ, &err);
	if (m) {
		munmap(m, PG);
		close(fd);
		return "the grant can still be mapped (a mapping leaked)";
	}
	gd_unmap(fd, idx, 1);
	rc = copy1(fd, true, ref, 0, buf, 64, &st);
	close(fd);
	if (!rc && st == GNTST_okay)
		return "the grant can still be copied from (not revoked)";
	return NULL;
}

static int dom0_main(unsigned int domid)
{
	static uint8_t local[2 * PG] __attribute__((aligned(4096)));
	uint32_t w[NPAGES], r, port, bad_ref = 0xfffff0;
	char out[400];
	int fd, rc, err = 0, i, st2;
	uint64_t idx = 0, idx2 = 0;
	uint8_t *m;
	int16_t st;
	long d;
	pid_t pid;

	dom = domid;
	snprintf(base, sizeof(base), "/local/domain/%u/data/gp", dom);
	if (xs_open()) {
		fail("peer-xenstore", "open /dev/xen/xenbus: %s", strerror(errno));
		return 1;
	}
	if (peer(out, sizeof(out), "setup") ||
	    sscanf(out, "W %u,%u,%u,%u R %u P %u", &w[0], &w[1], &w[2], &w[3], &r, &port) != 6) {
		fail("peer-setup", "%s", out);
		return 1;
	}
	pass("peer-setup");
	fd = gd_open();
	if (fd < 0) {
		fail("peer-open", "/dev/xen/gntdev: %s", strerror(errno));
		return 1;
	}

	/* map + read what the guest wrote */
	rc = gd_map(fd, w, NPAGES, &idx);
	m = rc ? NULL : gd_mmap(fd, idx, NPAGES, PROT_READ | PROT_WRITE, &err);
	if (!m) {
		fail("peer-map", "MAP_GRANT_REF rc %d, mmap %s", rc, strerror(err));
		return 1;
	}
	pass("peer-map");
	for (i = 0, d = -1; i < NPAGES && d < 0; i++)
		d = differs(m + i * PG, PG, 10 + i);
	expect("peer-map-read", d < 0, "page %d differs from what the guest wrote at offset %ld", i - 1, d);
	{
		struct ioctl_gntdev_get_offset_for_vaddr o = { .vaddr = (uintptr_t)(m + PG) };

		rc = ioctl(fd, IOCTL_GNTDEV_GET_OFFSET_FOR_VADDR, &o) ? -errno : 0;
		expect("peer-offset", !rc && o.offset == idx && o.count == NPAGES,
		       "rc %d offset %llu count %u (want %llu, %d)", rc, (unsigned long long)o.offset,
		       o.count, (unsigned long long)idx, NPAGES);
	}
	/* write through the mapping, the guest checks */
	for (i = 0; i < NPAGES; i++)
		fill(m + i * PG, PG, 50 + i);
	for (i = 0, rc = 0; i < NPAGES && !rc; i++)
		rc = peer(out, sizeof(out), "check %d %d", i, 50 + i);
	expect("peer-map-write", !rc, "%s", out);
	/* the guest writes, Dom0 sees it through the live mapping */
	rc = peer(out, sizeof(out), "fill 1 70");
	d = rc ? 0 : differs(m + PG, PG, 70);
	expect("peer-map-coherent", !rc && d < 0, "%s (offset %ld)", rc ? out : "stale data", d);
	munmap(m, NPAGES * PG);
	rc = gd_unmap(fd, idx, NPAGES);
	expect("peer-unmap", !rc, "rc %d", rc);
	rc = gd_unmap(fd, idx, NPAGES);
	expect("peer-unmap-twice", rc == -ENOENT || rc == -EINVAL, "rc %d", rc);

	/* read-only grant */
	rc = gd_map(fd, &r, 1, &idx);
	m = rc ? NULL : gd_mmap(fd, idx, 1, PROT_READ | PROT_WRITE, &err);
	expect("peer-readonly-writable-refused", !rc && !m, "rc %d; the read-only grant was mapped writable", rc);
	if (m)
		munmap(m, PG);
	gd_unmap(fd, idx, 1);
	rc = gd_map(fd, &r, 1, &idx);
	m = rc ? NULL : gd_mmap(fd, idx, 1, PROT_READ, &err);
	expect("peer-readonly-read", m && differs(m, PG, 99) < 0, "rc %d mmap %s", rc,
	       m ? "ok, data differs" : strerror(err));
	if (m)
		munmap(m, PG);
	gd_unmap(fd, idx, 1);

	/* invalid ref */
	rc = gd_map(fd, &bad_ref, 1, &idx);
	m = rc ? NULL : gd_mmap(fd, idx, 1, PROT_READ, &err);
	expect("peer-invalid-ref", !rc && !m && err == EINVAL, "MAP rc %d, mmap %s", rc,
	       m ? "succeeded" : strerror(err));
	if (m)
		munmap(m, PG);
	gd_unmap(fd, idx, 1);

	/* unmap notify: clear a byte in the guest's page */
	rc = peer(out, sizeof(out), "fill 3 33");
	rc = rc ? rc : gd_map(fd, &w[3], 1, &idx);
	m = rc ? NULL : gd_mmap(fd, idx, 1, PROT_READ | PROT_WRITE, &err);
	rc = m ? gd_notify(fd, idx + 100, UNMAP_NOTIFY_CLEAR_BYTE, 0) : -1;
	if (rc) {
		fail("peer-notify-clear-byte", "setup: %s %d", out, rc);
	} else {
		uint8_t want[PG];
		unsigned int v99 = 1000, v100 = 1000, v101 = 1000;

		fill(want, PG, 33);
		munmap(m, PG);
		m = NULL;
		gd_unmap(fd, idx, 1);
		if (!peer(out, sizeof(out), "get 3 99"))
			sscanf(out, "%u", &v99);
		if (!peer(out, sizeof(out), "get 3 100"))
			sscanf(out, "%u", &v100);
		if (!peer(out, sizeof(out), "get 3 101"))
			sscanf(out, "%u", &v101);
		expect("peer-notify-clear-byte", v100 == 0 && v99 == want[99] && v101 == want[101],
		       "guest bytes 99..101: %u %u %u (want %u 0 %u)", v99, v100, v101, want[99], want[101]);
	}

	/* unmap notify: event channel (plus a byte), observed by the guest */
	{
		struct ioctl_evtchn_bind_interdomain bi = { .remote_domain = dom, .remote_port = port };
		int efd = open("/dev/xen/evtchn", O_RDWR | O_CLOEXEC | O_NONBLOCK);
		int lport = efd < 0 ? -1 : ioctl(efd, IOCTL_EVTCHN_BIND_INTERDOMAIN, &bi);
		int n0 = -1, n1 = -1;
		unsigned int v = 1000;

		peer(out, sizeof(out), "evt 200");	/* drain */
		rc = lport < 0 ? -errno : peer(out, sizeof(out), "fill 0 44");
		rc = rc ? rc : gd_map(fd, &w[0], 1, &idx);
		m = rc ? NULL : gd_mmap(fd, idx, 1, PROT_READ | PROT_WRITE, &err);
		rc = m ? gd_notify(fd, idx + 7, UNMAP_NOTIFY_SEND_EVENT | UNMAP_NOTIFY_CLEAR_BYTE, lport) : -1;
		if (rc) {
			fail("peer-notify-event", "setup: bind to the guest's port %u: %d, %s", port, lport, out);
		} else {
			if (!peer(out, sizeof(out), "evt 300"))
				sscanf(out, "%d", &n0);
			expect("peer-notify-event-not-early", n0 == 0, "guest saw %d events before the unmap", n0);
			munmap(m, PG);
			m = NULL;
			rc = gd_unmap(fd, idx, 1);
			if (!peer(out, sizeof(out), "evt 5000"))
				sscanf(out, "%d", &n1);
			expect("peer-notify-event", !rc && n1 >= 1,
			       "unmap rc %d; the guest saw %d events on port %u after the unmap", rc, n1, port);
			if (!peer(out, sizeof(out), "get 0 7"))
				sscanf(out, "%u", &v);
			expect("peer-notify-event-clear-byte", v == 0, "guest byte %u", v);
		}
		if (m)
			munmap(m, PG);
		if (efd >= 0)
			close(efd);
	}

	/* grant copy, guest -> Dom0 (whole page and a sub-page range) */
	rc = peer(out, sizeof(out), "fill 2 80");
	memset(local, 0, sizeof(local));
	rc = rc ? rc : copy1(fd, true, w[2], 0, local, PG, &st);
	expect("peer-copy-from-guest", !rc && st == GNTST_okay && differs(local, PG, 80) < 0,
	       "rc %d status %d%s", rc, st, rc ? out : "");
	{
		uint8_t want[PG];

		fill(want, PG, 80);
		memset(local, 0, sizeof(local));
		rc = copy1(fd, true, w[2], 1000, local + 5, 2000, &st);
		expect("peer-copy-from-guest-offset", !rc && st == GNTST_okay &&
		       !memcmp(local + 5, want + 1000, 2000) && local[4] == 0 && local[2005] == 0,
		       "rc %d status %d", rc, st);
	}
	/* grant copy, Dom0 -> guest */
	fill(local, PG, 90);
	rc = copy1(fd, false, w[3], 0, local, PG, &st);
	rc = rc ? rc : st ? st : peer(out, sizeof(out), "check 3 90");
	expect("peer-copy-to-guest", !rc, "rc %d %s", rc, out);
	fill(local, PG, 91);
	rc = copy1(fd, false, r, 0, local, 64, &st);
	expect("peer-copy-to-readonly", !rc && st < 0, "rc %d status %d (want a negative status)", rc, st);
	rc = peer(out, sizeof(out), "check %d 99", NPAGES);
	expect("peer-copy-to-readonly-unchanged", !rc, "%s", out);
	rc = copy1(fd, true, bad_ref, 0, local, 64, &st);
	expect("peer-copy-invalid-ref", !rc && st < 0, "rc %d status %d (want a negative status)", rc, st);

	/* exit with live mappings; then the guest revokes everything */
	peer(out, sizeof(out), "fill 2 22");
	pid = fork();
	if (pid == 0) {
		int cfd = gd_open();
		uint64_t cidx = 0;
		uint8_t *cm;

		if (cfd < 0 || gd_map(cfd, w, NPAGES, &cidx))
			_exit(1);
		cm = gd_mmap(cfd, cidx, NPAGES, PROT_READ | PROT_WRITE, &err);
		if (!cm)
			_exit(2);
		cm[PG + 1] = 0x77;
		if (gd_notify(cfd, cidx + 2 * PG + 9, UNMAP_NOTIFY_CLEAR_BYTE, 0))
			_exit(3);
		_exit(0);	/* no munmap, no UNMAP_GRANT_REF, no close */
	}
	/* and this process keeps a mapping of the read-only grant on an open file */
	rc = gd_map(fd, &r, 1, &idx2);
	m = rc ? NULL : gd_mmap(fd, idx2, 1, PROT_READ, &err);
	waitpid(pid, &st2, 0);
	{
		unsigned int v1 = 1000, v9 = 1000;

		if (!peer(out, sizeof(out), "get 1 1"))
			sscanf(out, "%u", &v1);
		if (!peer(out, sizeof(out), "get 2 9"))
			sscanf(out, "%u", &v9);
		expect("peer-exit-with-live-mappings", WIFEXITED(st2) && !WEXITSTATUS(st2) && v1 == 0x77 &&
		       v9 == 0, "child status %#x, guest bytes %u (want 119) and %u (want 0)", st2, v1, v9);
	}
	/* the remaining mapping goes with close + munmap */
	close(fd);
	if (m)
		munmap(m, PG);
	rc = peer(out, sizeof(out), "free");
	if (rc) {
		fail("peer-revoke", "%s", out);
	} else {
		const char *why = NULL;
		uint32_t ref = r;

		for (i = 0; i < NPAGES && !why; i++) {
			ref = w[i];
			why = revoked(ref);
		}
		if (!why) {
			ref = r;
			why = revoked(ref);
		}
		expect("peer-revoke-no-leak", !why, "grant %u: %s", ref, why);
	}
	rc = peer(out, sizeof(out), "quit");
	expect("peer-quit", !rc, "%s", out);
	return nfail ? 1 : 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 3 && !strcmp(argv[1], "dom0"))
		return dom0_main(strtoul(argv[2], NULL, 0));
	if (argc == 1)
		return guest_main();
	fprintf(stderr, "usage: %s            (guest side)\n       %s dom0 DOMID  (Dom0 side)\n",
		argv[0], argv[0]);
	return 2;
}
