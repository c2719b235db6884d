/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hostile-lib.h - what the two hostile frontends (hostile.c: blkif, hostile-net.c:
 * netif) share: the guest-side device ABIs (evtchn, gntalloc), xenstore access
 * through /dev/xen/xenbus (xs-io.h), granting pages, event channels, waiting for
 * a backend state, and the daemon that takes one case per xenstore command.
 *
 * Layouts: include/uapi/xen/{evtchn,gntalloc}.h, xen/include/public/io/xenbus.h
 * and ring.h, for x86_64.
 */
#ifndef HOSTILE_LIB_H
#define HOSTILE_LIB_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/types.h>
#include <sys/wait.h>

#include "xs-io.h"

/* ------------------------------------------------------------ device ABIs */

/* include/uapi/xen/evtchn.h */
struct ioctl_evtchn_bind_unbound_port { unsigned int remote_domain; };
struct ioctl_evtchn_notify { unsigned int port; };
#define IOCTL_EVTCHN_BIND_UNBOUND_PORT \
	_IOC(_IOC_NONE, 'E', 2, sizeof(struct ioctl_evtchn_bind_unbound_port))
#define IOCTL_EVTCHN_NOTIFY \
	_IOC(_IOC_NONE, 'E', 4, sizeof(struct ioctl_evtchn_notify))

/* include/uapi/xen/gntalloc.h */
struct ioctl_gntalloc_alloc_gref {
	uint16_t domid;
	uint16_t flags;
	uint32_t count;
	uint64_t index;
	uint32_t gref_ids[1];
};
#define IOCTL_GNTALLOC_ALLOC_GREF \
	_IOC(_IOC_NONE, 'G', 5, sizeof(struct ioctl_gntalloc_alloc_gref))
#define GNTALLOC_FLAG_WRITABLE 1
_Static_assert(IOCTL_GNTALLOC_ALLOC_GREF == 0x00184705, "gntalloc ABI");
_Static_assert(IOCTL_EVTCHN_NOTIFY == 0x00044504, "evtchn ABI");

/* xen/include/public/io/xenbus.h */
enum { XB_UNKNOWN, XB_INITIALISING, XB_INITWAIT, XB_INITIALISED, XB_CONNECTED,
       XB_CLOSING, XB_CLOSED, XB_RECONFIGURING, XB_RECONFIGURED };

/* xen/include/public/io/ring.h: the shared ring header */
#define PAGE_SZ		4096
#define SRING_HDR	64	/* req_prod, req_event, rsp_prod, rsp_event, pad[48] */
struct sring { volatile uint32_t req_prod, req_event, rsp_prod, rsp_event; };

/* ------------------------------------------------------------------ output */

static int verbose = 1;

__attribute__((format(printf, 1, 2)))
static void say(const char *fmt, ...)
{
	va_list ap;

	if (!verbose)
		return;
	printf("HOSTILE ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void msleep(int ms) { usleep(ms * 1000); }

/* --------------------------------------------------------------- xenstore */

static int xs_open(void)
{
	xs_fd = open("/dev/xen/xenbus", O_RDWR | O_CLOEXEC);
	if (xs_fd < 0)
		say("open /dev/xen/xenbus: %m");
	return xs_fd;
}

__attribute__((format(printf, 2, 3)))
static int xs_write(const char *val, const char *fmt, ...)
{
	char path[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	return xs_io(XS_WRITE, path, val, strlen(val), NULL, 0) < 0 ? -1 : 0;
}

__attribute__((format(printf, 3, 4)))
static int xs_read(char *out, size_t outsz, const char *fmt, ...)
{
	char path[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	return xs_io(XS_READ, path, NULL, 0, out, outsz) < 0 ? -1 : 0;
}

static long xs_read_long(const char *path, long dflt)
{
	char buf[64];

	if (xs_read(buf, sizeof(buf), "%s", path) < 0)
		return dflt;
	return strtol(buf, NULL, 10);
}

static inline int xs_rm(const char *path) { return xs_io(XS_RM, path, NULL, 0, NULL, 0) < 0 ? -1 : 0; }

/* Register a watch on PATH with token "xd"; xenstored fires it once right away. */
static int xs_watch(const char *path) { return xs_io(XS_WATCH, path, "xd", 3, NULL, 0) < 0 ? -1 : 0; }

/* Block until the next watch event (other messages are dropped). */
static int xs_wait_event(void)
{
	struct xsd_sockmsg h;
	char body[4096];
	size_t n;
	ssize_t r;

	for (;;) {
		for (n = 0; n < sizeof(h); n += r)
			if ((r = read(xs_fd, (char *)&h + n, sizeof(h) - n)) <= 0)
				return -1;
		if (h.len > sizeof(body))
			return -1;
		for (n = 0; n < h.len; n += r)
			if ((r = read(xs_fd, body + n, h.len - n)) <= 0)
				return -1;
		if (h.type == XS_WATCH_EVENT)
			return 0;
	}
}

/*
 * Wait until the xenbus state in node STATE_PATH is one of MASK (a bit per
 * state), polling every 50 ms for at most MS. Returns the state or -1.
 */
static int wait_state(const char *state_path, unsigned int mask, int ms)
{
	double end = now() + ms / 1000.0;
	int s;

	do {
		s = xs_read_long(state_path, XB_UNKNOWN);
		if (s >= 0 && s < 32 && (mask & (1u << s)))
			return s;
		msleep(50);
	} while (now() < end);
	return -1;
}

/* ------------------------------------------------------ grants and events */

/*
 * Grant COUNT fresh zeroed pages to Dom0 through the gntalloc file GFD
 * (read-only unless WRITABLE); the refs go to REFS. Returns the mapping.
 */
static uint8_t *gnt_share(int gfd, unsigned int count, bool writable, uint32_t *refs)
{
	size_t sz = sizeof(struct ioctl_gntalloc_alloc_gref) + count * sizeof(uint32_t);
	struct ioctl_gntalloc_alloc_gref *a = calloc(1, sz);
	void *p;

	if (!a)
		return NULL;
	a->domid = 0;
	a->flags = writable ? GNTALLOC_FLAG_WRITABLE : 0;
	a->count = count;
	if (ioctl(gfd, IOCTL_GNTALLOC_ALLOC_GREF, a) < 0) {
		say("gntalloc ALLOC_GREF(%u): %m", count);
		free(a);
		return NULL;
	}
	p = mmap(NULL, count * PAGE_SZ, PROT_READ | PROT_WRITE, MAP_SHARED, gfd, a->index);
	if (p == MAP_FAILED) {
		say("gntalloc mmap: %m");
		free(a);
		return NULL;
	}
	memcpy(refs, a->gref_ids, count * sizeof(uint32_t));
	free(a);
	memset(p, 0, count * PAGE_SZ);
	return p;
}

static void evtchn_notify(int efd, unsigned int port)
{
	struct ioctl_evtchn_notify nt = { .port = port };

	ioctl(efd, IOCTL_EVTCHN_NOTIFY, &nt);
}

/* A new unbound port for Dom0 on the evtchn file EFD; 0 or -1. */
static int evtchn_unbound(int efd, unsigned int *port)
{
	struct ioctl_evtchn_bind_unbound_port ub = { .remote_domain = 0 };
	int r = ioctl(efd, IOCTL_EVTCHN_BIND_UNBOUND_PORT, &ub);

	if (r < 0)
		return -1;
	*port = r;
	return 0;
}

/* ---------------------------------------------------------------- daemon */

/*
 * The case daemon: watches DIR/cmd = "SEQ CASE DEVID" and answers each new
 * SEQ with DIR/res = "SEQ VERDICT". KNOWN(name) says whether a case exists;
 * RUN(name, devid, seq, res, ressz) runs it in a child process of its own (all
 * its grants and ports go away with it, and it gets its own xenstore
 * connection so that the watch events stay here), bounded by ALARM_S seconds.
 * A watch, not polling: an idle attacker must not load Dom0 (TCG).
 */
static int hostile_daemon(const char *dir, unsigned int alarm_s, bool (*known)(const char *),
			  void (*run)(const char *, int, int, char *, size_t))
{
	char cmd[256], last[32] = "", res[512], node[64];

	if (xs_open() < 0)
		return 1;
	snprintf(node, sizeof(node), "%s/cmd", dir);
	if (xs_watch(node) < 0) {
		say("XS_WATCH %s failed", node);
		return 1;
	}
	xs_write("1", "%s/ready", dir);
	say("READY");
	for (;;) {
		char seq[32], name[64];
		int devid, st, pfd[2];
		pid_t pid;
		ssize_t k;

		if (xs_read(cmd, sizeof(cmd), "%s", node) < 0 ||
		    sscanf(cmd, "%31s %63s %d", seq, name, &devid) != 3 || !strcmp(seq, last)) {
			if (xs_wait_event() < 0) {
				say("reading the xenbus device failed");
				return 1;
			}
			continue;
		}
		snprintf(last, sizeof(last), "%s", seq);
		if (!known(name)) {
			snprintf(res, sizeof(res), "%s broken broken no such case %s", seq, name);
			xs_write(res, "%s/res", dir);
			continue;
		}
		if (pipe(pfd) < 0)
			return 1;
		pid = fork();
		if (pid == 0) {
			close(pfd[0]);
			close(xs_fd);
			if (xs_open() < 0)
				_exit(2);
			alarm(alarm_s);
			run(name, devid, atoi(seq), res, sizeof(res));
			if (write(pfd[1], res, strlen(res)) < 0)
				_exit(2);
			_exit(0);
		}
		close(pfd[1]);
		memset(res, 0, sizeof(res));
		k = read(pfd[0], res, sizeof(res) - 1);
		close(pfd[0]);
		waitpid(pid, &st, 0);
		if (k <= 0)
			snprintf(res, sizeof(res), "broken broken the case process died (status %#x)", st);
		snprintf(cmd, sizeof(cmd), "%s ", seq);
		strncat(cmd, res, sizeof(cmd) - strlen(cmd) - 1);
		xs_write(cmd, "%s/res", dir);
	}
}

#endif /* HOSTILE_LIB_H */
