// SPDX-License-Identifier: GPL-2.0-only
/*
 * evtchn-test - user-space ABI test of /dev/xen/evtchn.
 *
 * Runs in Dom0 (domid 0) as root. Every check prints one line:
 *     PASS <check>
 *     FAIL <check>: <detail>
 * and the exit status is non-zero if any check failed. The reference is
 * the in-tree drivers/xen/evtchn.c; the out-of-tree xen-evtchn.ko must
 * behave identically.
 *
 * Events are produced with loopback channel pairs inside Dom0:
 * BIND_UNBOUND_PORT {remote_domain=0} gives port A, BIND_INTERDOMAIN
 * {0, A} gives port B; NOTIFY B makes A pending on the file that bound A
 * and vice versa. Xen also sets B pending when it is bound, so B delivers
 * one event right after BIND_INTERDOMAIN; make_pair()/settle() consume it.
 *
 * Nothing can hang: every wait has a timeout, blocking calls run in helper
 * threads that are interrupted when they overrun, and alarm() guards the
 * whole run.
 *
 * Usage: evtchn-test [-l] [-s SCALE] [TEST...]
 *   -l        list the tests (groups of checks) and exit
 *   -s SCALE  multiply all timeouts by SCALE (default 1, or $EVTCHN_TEST_SCALE)
 *   TEST...   run only these tests (default: all)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <sys/utsname.h>
#include <sys/wait.h>

/* ------------------------------------------------------------------ ABI */

/* The uapi header uses domid_t without defining it. */
typedef uint16_t domid_t;

#if defined(__has_include)
#if __has_include(<xen/evtchn.h>)
#include <xen/evtchn.h>
#define HAVE_XEN_EVTCHN_H 1
#endif
#endif

#include "xdtest.h"

#ifndef HAVE_XEN_EVTCHN_H
/* Copy of include/uapi/xen/evtchn.h (the part used here). */
#define IOCTL_EVTCHN_BIND_VIRQ \
	_IOC(_IOC_NONE, 'E', 0, sizeof(struct ioctl_evtchn_bind_virq))
struct ioctl_evtchn_bind_virq {
	unsigned int virq;
};
#define IOCTL_EVTCHN_BIND_INTERDOMAIN \
	_IOC(_IOC_NONE, 'E', 1, sizeof(struct ioctl_evtchn_bind_interdomain))
struct ioctl_evtchn_bind_interdomain {
	unsigned int remote_domain, remote_port;
};
#define IOCTL_EVTCHN_BIND_UNBOUND_PORT \
	_IOC(_IOC_NONE, 'E', 2, sizeof(struct ioctl_evtchn_bind_unbound_port))
struct ioctl_evtchn_bind_unbound_port {
	unsigned int remote_domain;
};
#define IOCTL_EVTCHN_UNBIND \
	_IOC(_IOC_NONE, 'E', 3, sizeof(struct ioctl_evtchn_unbind))
struct ioctl_evtchn_unbind {
	unsigned int port;
};
#define IOCTL_EVTCHN_NOTIFY \
	_IOC(_IOC_NONE, 'E', 4, sizeof(struct ioctl_evtchn_notify))
struct ioctl_evtchn_notify {
	unsigned int port;
};
#define IOCTL_EVTCHN_RESET _IOC(_IOC_NONE, 'E', 5, 0)
#define IOCTL_EVTCHN_RESTRICT_DOMID \
	_IOC(_IOC_NONE, 'E', 6, sizeof(struct ioctl_evtchn_restrict_domid))
struct ioctl_evtchn_restrict_domid {
	domid_t domid;
};
#endif

/* Added in Linux 6.5; older headers (e.g. linux-libc-dev 6.1) lack it. */
#ifndef IOCTL_EVTCHN_BIND_STATIC
#define IOCTL_EVTCHN_BIND_STATIC \
	_IOC(_IOC_NONE, 'E', 7, sizeof(struct ioctl_evtchn_bind))
struct ioctl_evtchn_bind {
	unsigned int port;
};
#endif

/* The ABI itself: command numbers are fixed forever. */
_Static_assert(IOCTL_EVTCHN_BIND_VIRQ == 0x00044500, "BIND_VIRQ");
_Static_assert(IOCTL_EVTCHN_BIND_INTERDOMAIN == 0x00084501, "BIND_INTERDOMAIN");
_Static_assert(IOCTL_EVTCHN_BIND_UNBOUND_PORT == 0x00044502, "BIND_UNBOUND_PORT");
_Static_assert(IOCTL_EVTCHN_UNBIND == 0x00044503, "UNBIND");
_Static_assert(IOCTL_EVTCHN_NOTIFY == 0x00044504, "NOTIFY");
_Static_assert(IOCTL_EVTCHN_RESET == 0x00004505, "RESET");
_Static_assert(IOCTL_EVTCHN_RESTRICT_DOMID == 0x00024506, "RESTRICT_DOMID");
_Static_assert(IOCTL_EVTCHN_BIND_STATIC == 0x00044507, "BIND_STATIC");

#define DEV_PATH		"/dev/xen/evtchn"
#define MISC_MAJOR_NR		10
#define VIRQ_ENOMEM		12	/* global VIRQ, normally unbound in Dom0 */
#define DOMID_FIRST_RESERVED	0x7FF0
#define NO_SUCH_DOMID		0x7FEF	/* valid domid, no such domain */
#define NOBODY			65534
#define INITIAL_RING		64	/* ring entries while <= 64 ports bound */
#define OVERFLOW_MAX_ITER	1000
#define MANY_PAIRS		200

#define POLL_ALL (POLLIN | POLLPRI | POLLOUT | POLLRDNORM | POLLRDBAND | \
		  POLLWRNORM | POLLWRBAND | POLLMSG | POLLRDHUP)
#define REV_EMPTY   (POLLOUT | POLLWRNORM)
#define REV_PENDING (POLLIN | POLLRDNORM | POLLOUT | POLLWRNORM)
#define REV_OVERFLOW POLLERR

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* --------------------------------------------------------------- output */

static double tscale = 1.0;
static long page_size;
static void *bad_ptr;		/* a PROT_NONE page: any access faults */
static char comm[16];
static int sig_async;		/* F_SETSIG signal used by the fasync test */

static const char *ename(int e)
{
	static const struct { int e; const char *n; } t[] = {
		{ EPERM, "EPERM" }, { ENOENT, "ENOENT" }, { ESRCH, "ESRCH" },
		{ EINTR, "EINTR" }, { EIO, "EIO" }, { EBADF, "EBADF" },
		{ EAGAIN, "EAGAIN" }, { ENOMEM, "ENOMEM" }, { EACCES, "EACCES" },
		{ EFAULT, "EFAULT" }, { EBUSY, "EBUSY" }, { EEXIST, "EEXIST" },
		{ ENODEV, "ENODEV" }, { EINVAL, "EINVAL" }, { ENOTTY, "ENOTTY" },
		{ EFBIG, "EFBIG" }, { ENOSPC, "ENOSPC" }, { ESPIPE, "ESPIPE" },
		{ ENOSYS, "ENOSYS" }, { ENOTCONN, "ENOTCONN" },
		{ EISCONN, "EISCONN" }, { ETIMEDOUT, "ETIMEDOUT" },
		{ EPROTO, "EPROTO (unexpected events)" },
		{ EOPNOTSUPP, "EOPNOTSUPP" }, { ENXIO, "ENXIO" },
	};
	static char buf[4][24];
	static int i;
	size_t k;

	for (k = 0; k < ARRAY_SIZE(t); k++)
		if (t[k].e == e)
			return t[k].n;
	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "errno %d", e);
	return buf[i];
}

/* A result is >= 0 for success or -errno. */
static const char *rstr(long r)
{
	static char buf[4][40];
	static int i;

	if (r < 0)
		return ename((int)-r);
	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "success (%ld)", r);
	return buf[i];
}

static const char *revstr(int rev)
{
	static char buf[4][128];
	static const struct { int b; const char *n; } t[] = {
		{ POLLIN, "IN" }, { POLLPRI, "PRI" }, { POLLOUT, "OUT" },
		{ POLLERR, "ERR" }, { POLLHUP, "HUP" }, { POLLNVAL, "NVAL" },
		{ POLLRDNORM, "RDNORM" }, { POLLRDBAND, "RDBAND" },
		{ POLLWRNORM, "WRNORM" }, { POLLWRBAND, "WRBAND" },
		{ POLLMSG, "MSG" }, { POLLRDHUP, "RDHUP" },
	};
	static int i;
	size_t k;

	if (rev < 0)
		return ename(-rev);
	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "0x%x(", rev);
	for (k = 0; k < ARRAY_SIZE(t); k++)
		if (rev & t[k].b) {
			if (buf[i][strlen(buf[i]) - 1] != '(')
				strncat(buf[i], "|", sizeof(buf[i]) - strlen(buf[i]) - 1);
			strncat(buf[i], t[k].n, sizeof(buf[i]) - strlen(buf[i]) - 1);
		}
	strncat(buf[i], ")", sizeof(buf[i]) - strlen(buf[i]) - 1);
	return buf[i];
}

static bool check_err(const char *check, long r, int err)
{
	if (r == -err) {
		pass(check);
		return true;
	}
	fail(check, "got %s, want %s", rstr(r), ename(err));
	return false;
}

static bool check_val(const char *check, long r, long want)
{
	if (r == want) {
		pass(check);
		return true;
	}
	fail(check, "got %s, want %ld", rstr(r), want);
	return false;
}

/* A successful bind returns the local port, which is never 0. */
static bool check_port(const char *check, long r)
{
	if (r > 0) {
		pass(check);
		return true;
	}
	fail(check, "got %s, want a port number > 0", rstr(r));
	return false;
}

static bool check_rev(const char *check, int rev, int want)
{
	if (rev == want) {
		pass(check);
		return true;
	}
	fail(check, "poll revents %s, want %s", revstr(rev), revstr(want));
	return false;
}

/* --------------------------------------------------------------- timing */

static int ms(int base)
{
	double v = base * tscale;

	return v < 1 ? 1 : (int)v;
}

static void sleep_us(long us)
{
	struct timespec ts = { us / 1000000, (us % 1000000) * 1000 };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static void sleep_ms(int m)
{
	sleep_us((long)m * 1000);
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000;
}

#define T_EVENT   ms(3000)	/* an expected event must arrive within this */
#define T_QUIET   ms(200)	/* no event may arrive within this */

/* ------------------------------------------------------- device helpers */

static int dev_open(int extra_flags)
{
	int fd = open(DEV_PATH, O_RDWR | O_CLOEXEC | extra_flags);

	return fd < 0 ? -errno : fd;
}

static void dev_close(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static long x_ioctl(int fd, unsigned long cmd, void *arg)
{
	long r = ioctl(fd, cmd, arg);

	return r < 0 ? -errno : r;
}

static long bind_virq(int fd, unsigned int virq)
{
	struct ioctl_evtchn_bind_virq b = { .virq = virq };

	return x_ioctl(fd, IOCTL_EVTCHN_BIND_VIRQ, &b);
}

static long bind_interdomain(int fd, unsigned int dom, unsigned int port)
{
	struct ioctl_evtchn_bind_interdomain b = {
		.remote_domain = dom, .remote_port = port,
	};

	return x_ioctl(fd, IOCTL_EVTCHN_BIND_INTERDOMAIN, &b);
}

static long bind_unbound(int fd, unsigned int dom)
{
	struct ioctl_evtchn_bind_unbound_port b = { .remote_domain = dom };

	return x_ioctl(fd, IOCTL_EVTCHN_BIND_UNBOUND_PORT, &b);
}

static long unbind(int fd, unsigned int port)
{
	struct ioctl_evtchn_unbind u = { .port = port };

	return x_ioctl(fd, IOCTL_EVTCHN_UNBIND, &u);
}

static long notify(int fd, unsigned int port)
{
	struct ioctl_evtchn_notify n = { .port = port };

	return x_ioctl(fd, IOCTL_EVTCHN_NOTIFY, &n);
}

static long reset(int fd)
{
	return x_ioctl(fd, IOCTL_EVTCHN_RESET, NULL);
}

static long restrict_domid(int fd, unsigned int domid)
{
	struct ioctl_evtchn_restrict_domid r = { .domid = (domid_t)domid };

	return x_ioctl(fd, IOCTL_EVTCHN_RESTRICT_DOMID, &r);
}

static long bind_static(int fd, unsigned int port)
{
	struct ioctl_evtchn_bind b = { .port = port };

	return x_ioctl(fd, IOCTL_EVTCHN_BIND_STATIC, &b);
}

static long x_read(int fd, void *buf, size_t n)
{
	ssize_t r = read(fd, buf, n);

	return r < 0 ? -errno : r;
}

static long x_write(int fd, const void *buf, size_t n)
{
	ssize_t r = write(fd, buf, n);

	return r < 0 ? -errno : r;
}

/* Re-enable delivery on a port: write it back. */
static long unmask(int fd, uint32_t port)
{
	return x_write(fd, &port, sizeof(port));
}

/* poll() once with a timeout; all events requested. Returns revents or -errno. */
static int poll_rev(int fd, int timeout)
{
	struct pollfd p = { .fd = fd, .events = POLL_ALL };
	int r;

	r = poll(&p, 1, timeout);
	if (r < 0)
		return -errno;
	return r == 0 ? 0 : p.revents;
}

/* Wait up to timeout ms for the ring to become non-empty (or overflow). */
static int wait_event(int fd, int timeout)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	long end = now_ms() + timeout;
	int r;

	for (;;) {
		long left = end - now_ms();

		r = poll(&p, 1, left < 0 ? 0 : (int)left);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		return r == 0 ? 0 : p.revents;
	}
}

/*
 * Read events until @want have been collected or @timeout ms passed.
 * Returns the number read, or -errno of a failing read (or -EFBIG when the
 * ring overflowed).
 */
static long collect(int fd, uint32_t *ev, int max, int want, int timeout)
{
	long end = now_ms() + timeout;
	int n = 0;

	while (n < want && n < max) {
		long left = end - now_ms();
		int rev = wait_event(fd, left < 0 ? 0 : (int)left);
		long r;

		if (rev < 0)
			return rev;
		if (rev == 0)
			break;
		if (rev & POLLERR)
			return -EFBIG;
		r = x_read(fd, ev + n, (size_t)(max - n) * sizeof(*ev));
		if (r == -EAGAIN)
			continue;
		if (r < 0)
			return r;
		if (r % 4) {
			fprintf(stderr, "read returned %ld (not a multiple of 4)\n", r);
			return -EIO;
		}
		n += (int)(r / 4);
	}
	return n;
}

/* Expect exactly one event, @want, within T_EVENT. */
static bool expect_event(const char *check, int fd, uint32_t want)
{
	uint32_t ev[8];
	long n = collect(fd, ev, 8, 1, T_EVENT);

	if (n == 1 && ev[0] == want) {
		pass(check);
		return true;
	}
	if (n < 0)
		fail(check, "reading events: %s", ename((int)-n));
	else if (n == 0)
		fail(check, "no event for port %u within %d ms", want, T_EVENT);
	else
		fail(check, "got %ld event(s), first port %u, want exactly port %u",
		     n, ev[0], want);
	return false;
}

/* Expect no event within T_QUIET. */
static bool expect_quiet(const char *check, int fd)
{
	int rev = wait_event(fd, T_QUIET);
	uint32_t ev[8];

	if (rev == 0) {
		pass(check);
		return true;
	}
	if (rev & POLLIN) {
		long n = x_read(fd, ev, sizeof(ev));

		fail(check, "unexpected event: read %s, first port %u", rstr(n),
		     n >= 4 ? ev[0] : 0);
	} else {
		fail(check, "unexpected poll result %s", revstr(rev));
	}
	return false;
}

/* Drain whatever is in the ring (non-blocking). */
static void drain(int fd)
{
	uint32_t ev[256];

	while (poll_rev(fd, 0) & POLLIN)
		if (x_read(fd, ev, sizeof(ev)) <= 0)
			break;
}

struct pair {
	uint32_t a, b;		/* a: unbound port, b: interdomain port bound to a */
};

/*
 * Bind a loopback pair without further ado: A in @fda, B in @fdb.
 * Returns 0 or -errno.
 *
 * Note: Xen sets the new local port of EVTCHNOP_bind_interdomain pending
 * ("we may have lost notifications on the remote unbound port"), so B gets
 * one event right after it is bound; see settle().
 */
static long bind_pair(int fda, int fdb, struct pair *p)
{
	long r = bind_unbound(fda, 0);

	if (r <= 0)
		return r < 0 ? r : -EPROTO;
	p->a = (uint32_t)r;
	r = bind_interdomain(fdb, 0, p->a);
	if (r <= 0)
		return r < 0 ? r : -EPROTO;
	p->b = (uint32_t)r;
	return 0;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * Consume the initial events of freshly bound B ports (exactly one each,
 * nothing else) from @fd and unmask them. Returns 0 or -errno.
 */
static long settle(int fd, const struct pair *p, int n)
{
	uint32_t *ev = calloc(2 * n + 8, sizeof(*ev));
	uint32_t *want = calloc(n, sizeof(*want));
	long r;
	int i;

	if (!ev || !want) {
		r = -ENOMEM;
		goto out;
	}
	r = collect(fd, ev, 2 * n + 8, n, T_EVENT);
	if (r == n) {
		/* Anything more would be a duplicate or a stray event. */
		sleep_ms(n > 4 ? T_QUIET : ms(20));
		if (poll_rev(fd, 0) & (POLLIN | POLLERR))
			r = -EPROTO;
	}
	if (r < 0)
		goto out;
	if (r != n) {
		fprintf(stderr, "settle: %ld initial events for %d new ports\n", r, n);
		r = -EPROTO;
		goto out;
	}
	for (i = 0; i < n; i++)
		want[i] = p[i].b;
	qsort(ev, n, sizeof(*ev), cmp_u32);
	qsort(want, n, sizeof(*want), cmp_u32);
	if (memcmp(ev, want, n * sizeof(*ev))) {
		r = -EPROTO;
		goto out;
	}
	r = x_write(fd, want, n * sizeof(*want));
	r = r == (long)(n * sizeof(*want)) ? 0 : (r < 0 ? r : -EPROTO);
out:
	free(ev);
	free(want);
	return r;
}

/* Bind a pair (A in @fda, B in @fdb) ready for use: B's initial event consumed. */
static long make_pair(int fda, int fdb, struct pair *p)
{
	long r = bind_pair(fda, fdb, p);

	return r ? r : settle(fdb, p, 1);
}

/*
 * Bind @n pairs in @fd, ready for use; returns the number of pairs bound,
 * with the error in *err (-EPROTO: the initial events were not as expected).
 */
static int make_pairs(int fd, struct pair *p, int n, long *err)
{
	int i;

	*err = 0;
	for (i = 0; i < n; i++) {
		*err = bind_pair(fd, fd, &p[i]);
		if (*err)
			return i;
	}
	*err = settle(fd, p, n);
	return *err ? 0 : n;
}

/* Open a file and bind one loopback pair in it, reporting setup failures. */
static int open_with_pair(const char *test, struct pair *p, int flags)
{
	int fd = dev_open(O_NONBLOCK | flags);
	long r;

	if (fd < 0) {
		fail(test, "setup: open %s: %s", DEV_PATH, ename(-fd));
		return -1;
	}
	r = make_pair(fd, fd, p);
	if (r) {
		fail(test, "setup: binding a loopback pair: %s", ename((int)-r));
		close(fd);
		return -1;
	}
	return fd;
}

static int set_nonblock(int fd, bool on)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0)
		return -errno;
	fl = on ? (fl | O_NONBLOCK) : (fl & ~O_NONBLOCK);
	return fcntl(fd, F_SETFL, fl) < 0 ? -errno : 0;
}

/* --------------------------------------------- blocking calls in threads */

static void sigusr1_handler(int sig)
{
	(void)sig;	/* only interrupts a blocked syscall (no SA_RESTART) */
}

struct tcall {
	int fd;
	int kind;		/* 0: read, 1: poll */
	void *buf;
	size_t len;
	int timeout;		/* poll timeout */
	long ret;
	int rev;
	long elapsed;
};

static void *tcall_fn(void *arg)
{
	struct tcall *c = arg;
	long t0 = now_ms();

	if (c->kind == 0) {
		c->ret = x_read(c->fd, c->buf, c->len);
	} else {
		struct pollfd p = { .fd = c->fd, .events = POLLIN };
		int r = poll(&p, 1, c->timeout);

		c->ret = r < 0 ? -errno : r;
		c->rev = r > 0 ? p.revents : 0;
	}
	c->elapsed = now_ms() - t0;
	return NULL;
}

static int tcall_start(pthread_t *t, struct tcall *c)
{
	return pthread_create(t, NULL, tcall_fn, c);
}

/*
 * Wait up to @timeout ms for the thread; if it is still blocked, interrupt
 * it with SIGUSR1 until it returns. Returns true if it finished in time.
 */
static bool tcall_join(pthread_t t, int timeout)
{
	struct timespec ts;
	int i;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += timeout / 1000;
	ts.tv_nsec += (timeout % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	if (pthread_timedjoin_np(t, NULL, &ts) == 0)
		return true;
	for (i = 0; i < 1000; i++) {
		pthread_kill(t, SIGUSR1);
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 50 * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		if (pthread_timedjoin_np(t, NULL, &ts) == 0)
			return false;
	}
	/* Cannot happen unless the syscall ignores signals: let alarm() fire. */
	pthread_join(t, NULL);
	return false;
}

/* ------------------------------------------------------ child processes */

/*
 * Run @fn in a forked child; it writes a detail message into @msg and
 * returns 0 for success. Returns the child's status (0 ok, -1 timeout or
 * crash), with the detail in @msg.
 */
static int run_child(int (*fn)(void *arg, char *msg, size_t len), void *arg,
		     char *msg, size_t len)
{
	int pfd[2], status = 0;
	long end;
	size_t got = 0;
	pid_t pid;

	msg[0] = 0;
	if (pipe(pfd) < 0) {
		snprintf(msg, len, "pipe: %s", strerror(errno));
		return -1;
	}
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		snprintf(msg, len, "fork: %s", strerror(errno));
		close(pfd[0]);
		close(pfd[1]);
		return -1;
	}
	if (pid == 0) {
		char m[256] = "";
		int rc;

		close(pfd[0]);
		alarm(0);
		rc = fn(arg, m, sizeof(m));
		if (write(pfd[1], m, strlen(m)) < 0)
			rc = 3;
		_exit(rc);
	}
	close(pfd[1]);
	end = now_ms() + ms(10000);
	for (;;) {
		struct pollfd p = { .fd = pfd[0], .events = POLLIN };
		long left = end - now_ms();
		ssize_t r;

		if (left <= 0 || poll(&p, 1, (int)left) <= 0) {
			kill(pid, SIGKILL);
			snprintf(msg, len, "child timed out");
			status = -1;
			break;
		}
		r = read(pfd[0], msg + got, len - 1 - got);
		if (r <= 0)
			break;
		got += (size_t)r;
		if (got >= len - 1)
			break;
	}
	msg[got < len ? got : len - 1] = 0;
	close(pfd[0]);
	{
		int ws;

		if (waitpid(pid, &ws, 0) < 0)
			return -1;
		if (status == 0)
			status = WIFEXITED(ws) ? WEXITSTATUS(ws) : -1;
	}
	return status;
}

static int drop_to_nobody(char *msg, size_t len)
{
	if (setgroups(0, NULL) < 0 || setgid(NOBODY) < 0 || setuid(NOBODY) < 0) {
		snprintf(msg, len, "dropping privileges: %s", strerror(errno));
		return -1;
	}
	if (geteuid() != NOBODY || getegid() != NOBODY) {
		snprintf(msg, len, "still euid %d", (int)geteuid());
		return -1;
	}
	return 0;
}

/* ================================================================ tests */

/* --- devnode: the node itself. */
static void t_devnode(void)
{
	struct stat st;

	if (stat(DEV_PATH, &st) < 0) {
		fail("devnode-chardev", "stat %s: %s", DEV_PATH, strerror(errno));
		return;
	}
	if (S_ISCHR(st.st_mode))
		pass("devnode-chardev");
	else
		fail("devnode-chardev", "mode 0%o is not a character device",
		     st.st_mode);
	if (major(st.st_rdev) == MISC_MAJOR_NR)
		pass("devnode-misc-major");
	else
		fail("devnode-misc-major", "device %u:%u, want major %d (misc)",
		     major(st.st_rdev), minor(st.st_rdev), MISC_MAJOR_NR);
	if ((st.st_mode & 07777) == 0600 && st.st_uid == 0 && st.st_gid == 0)
		pass("devnode-root-0600");
	else
		fail("devnode-root-0600", "mode 0%o owner %u:%u, want 0600 0:0",
		     st.st_mode & 07777, st.st_uid, st.st_gid);
}

/* --- unpriv: privilege model. */
static int child_open_unpriv(void *arg, char *msg, size_t len)
{
	int fd;

	(void)arg;
	if (drop_to_nobody(msg, len))
		return 2;
	fd = open(DEV_PATH, O_RDWR);
	if (fd >= 0) {
		snprintf(msg, len, "open as uid %d succeeded, want EACCES", NOBODY);
		return 1;
	}
	if (errno != EACCES) {
		snprintf(msg, len, "open as uid %d: %s, want EACCES", NOBODY,
			 ename(errno));
		return 1;
	}
	return 0;
}

static int child_use_inherited(void *arg, char *msg, size_t len)
{
	int fd = *(int *)arg;
	long a, r;

	if (drop_to_nobody(msg, len))
		return 2;
	/* The driver has no capability checks: an inherited fd works. */
	a = bind_unbound(fd, 0);
	if (a <= 0) {
		snprintf(msg, len, "BIND_UNBOUND_PORT as uid %d: %s", NOBODY, rstr(a));
		return 1;
	}
	r = notify(fd, (unsigned int)a);
	if (r != 0) {
		snprintf(msg, len, "NOTIFY as uid %d: %s", NOBODY, rstr(r));
		return 1;
	}
	r = unbind(fd, (unsigned int)a);
	if (r != 0) {
		snprintf(msg, len, "UNBIND as uid %d: %s", NOBODY, rstr(r));
		return 1;
	}
	return 0;
}

static void t_unpriv(void)
{
	char msg[256];
	int fd;

	if (run_child(child_open_unpriv, NULL, msg, sizeof(msg)) == 0)
		pass("open-unpriv-eacces");
	else
		fail("open-unpriv-eacces", "%s", msg);

	fd = dev_open(0);
	if (fd < 0) {
		fail("inherited-fd-unpriv", "setup: open: %s", ename(-fd));
		return;
	}
	if (run_child(child_use_inherited, &fd, msg, sizeof(msg)) == 0)
		pass("inherited-fd-unpriv");
	else
		fail("inherited-fd-unpriv", "%s", msg);
	close(fd);
}

/* --- seek: the device is a stream. */
static void t_seek(void)
{
	char buf[8] = { 0 };
	int fd = dev_open(O_NONBLOCK);
	off_t o;

	if (fd < 0) {
		fail("lseek-espipe", "setup: open: %s", ename(-fd));
		return;
	}
	o = lseek(fd, 0, SEEK_SET);
	check_err("lseek-espipe", o < 0 ? -errno : (long)o, ESPIPE);
	o = lseek(fd, 0, SEEK_CUR);
	check_err("lseek-cur-espipe", o < 0 ? -errno : (long)o, ESPIPE);
	check_err("pread-espipe", pread(fd, buf, 4, 0) < 0 ? -errno : 0, ESPIPE);
	check_err("pwrite-espipe", pwrite(fd, buf, 4, 0) < 0 ? -errno : 0, ESPIPE);
	/* No mmap file operation. */
	{
		void *m = mmap(NULL, page_size, PROT_READ, MAP_SHARED, fd, 0);

		check_err("mmap-enodev", m == MAP_FAILED ? -errno : 0, ENODEV);
		if (m != MAP_FAILED)
			munmap(m, page_size);
	}
	close(fd);

	/* The open mode is not checked: a read-only open can bind. */
	fd = open(DEV_PATH, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fail("open-rdonly", "open O_RDONLY: %s", ename(errno));
		return;
	}
	pass("open-rdonly");
	{
		long r = bind_unbound(fd, 0);

		if (check_port("open-rdonly-bind", r))
			unbind(fd, (unsigned int)r);
	}
	close(fd);
}

/* --- bind: basic binding, notification, unbinding. */
static void t_bind(void)
{
	long a, b, r;
	int fd, fd2;

	fd = dev_open(O_NONBLOCK);
	fd2 = dev_open(O_NONBLOCK);
	if (fd < 0 || fd2 < 0) {
		fail("bind-unbound", "setup: open: %s", ename(fd < 0 ? -fd : -fd2));
		goto out;
	}
	a = bind_unbound(fd, 0);
	if (!check_port("bind-unbound", a))
		goto out;
	b = bind_interdomain(fd, 0, (unsigned int)a);
	if (!check_port("bind-interdomain", b))
		goto out;
	if (b == a)
		fail("bind-distinct-ports", "both ends got port %ld", a);
	else
		pass("bind-distinct-ports");
	/* Xen marks the new interdomain port pending: one event, then masked. */
	expect_event("bind-interdomain-initial-event", fd, (uint32_t)b);
	check_val("unmask-initial-event", unmask(fd, (uint32_t)b), 4);
	expect_quiet("bind-unbound-no-event", fd);

	/* The return values are the real local ports: events carry them. */
	check_val("notify", notify(fd, (unsigned int)b), 0);
	expect_event("notify-delivers-peer", fd, (uint32_t)a);
	check_val("notify-reverse", notify(fd, (unsigned int)a), 0);
	expect_event("notify-reverse-delivers", fd, (uint32_t)b);

	/* Xen's errors pass through unchanged. */
	check_err("bind-interdomain-connected-einval",
		  bind_interdomain(fd2, 0, (unsigned int)a), EINVAL);
	check_err("bind-interdomain-bad-port-einval",
		  bind_interdomain(fd2, 0, 0x7fffffff), EINVAL);
	check_err("bind-interdomain-nodomain-esrch",
		  bind_interdomain(fd2, NO_SUCH_DOMID, 1), ESRCH);

	/* Not this file's ports. */
	check_err("notify-unbound-port-enotconn", notify(fd2, (unsigned int)a), ENOTCONN);
	check_err("notify-huge-port-enotconn", notify(fd, 0xffffffffu), ENOTCONN);
	check_err("notify-port0-enotconn", notify(fd, 0), ENOTCONN);
	check_err("unbind-other-file-enotconn", unbind(fd2, (unsigned int)a), ENOTCONN);
	check_err("unbind-port0-enotconn", unbind(fd, 0), ENOTCONN);
	check_err("unbind-port-7fffffff-einval", unbind(fd, 0x7fffffff), EINVAL);
	check_err("unbind-port-ffffffff-einval", unbind(fd, 0xffffffffu), EINVAL);

	/* Unbind: once, then ENOTCONN. */
	check_val("unbind", unbind(fd, (unsigned int)b), 0);
	check_err("unbind-twice-enotconn", unbind(fd, (unsigned int)b), ENOTCONN);
	check_err("notify-after-unbind-enotconn", notify(fd, (unsigned int)b), ENOTCONN);
	/* A is an unbound port again (its peer was closed): it can be connected. */
	r = bind_interdomain(fd2, 0, (unsigned int)a);
	if (check_port("unbind-peer-reusable", r))
		unbind(fd2, (unsigned int)r);
	/* Unbinding closes the port in Xen. */
	check_val("unbind-unbound", unbind(fd, (unsigned int)a), 0);
	check_err("unbind-closes-port", bind_interdomain(fd2, 0, (unsigned int)a), EINVAL);
out:
	dev_close(&fd);
	dev_close(&fd2);
}

/* --- efault: bad argument pointers. */
static void t_efault(void)
{
	struct pair p;
	int fd = open_with_pair("ioctl-efault", &p, 0);

	if (fd < 0)
		return;
	check_err("bind-virq-efault", x_ioctl(fd, IOCTL_EVTCHN_BIND_VIRQ, bad_ptr), EFAULT);
	check_err("bind-interdomain-efault",
		  x_ioctl(fd, IOCTL_EVTCHN_BIND_INTERDOMAIN, bad_ptr), EFAULT);
	check_err("bind-unbound-efault",
		  x_ioctl(fd, IOCTL_EVTCHN_BIND_UNBOUND_PORT, bad_ptr), EFAULT);
	check_err("unbind-efault", x_ioctl(fd, IOCTL_EVTCHN_UNBIND, bad_ptr), EFAULT);
	check_err("notify-efault", x_ioctl(fd, IOCTL_EVTCHN_NOTIFY, bad_ptr), EFAULT);
	check_err("restrict-efault",
		  x_ioctl(fd, IOCTL_EVTCHN_RESTRICT_DOMID, bad_ptr), EFAULT);
	check_err("bind-interdomain-null-efault",
		  x_ioctl(fd, IOCTL_EVTCHN_BIND_INTERDOMAIN, NULL), EFAULT);
	/* RESET takes no argument: any pointer is fine. */
	check_val("reset-ignores-arg", x_ioctl(fd, IOCTL_EVTCHN_RESET, bad_ptr), 0);
	/* A failed RESTRICT (EFAULT) leaves the file unrestricted. */
	{
		long r = bind_unbound(fd, 0);

		if (check_port("restrict-efault-unrestricted", r))
			unbind(fd, (unsigned int)r);
	}
	close(fd);
}

/*
 * --- argsize: the driver copies exactly sizeof(struct) from user space:
 * an argument ending right before an unmapped page must work.
 */
static void t_argsize(void)
{
	char *area;
	unsigned char *end;
	struct pair p;
	long r;
	int fd, fd2;

	area = mmap(NULL, 2 * page_size, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (area == MAP_FAILED) {
		fail("argsize", "setup: mmap: %s", strerror(errno));
		return;
	}
	if (mprotect(area + page_size, page_size, PROT_NONE) < 0) {
		fail("argsize", "setup: mprotect: %s", strerror(errno));
		munmap(area, 2 * page_size);
		return;
	}
	end = (unsigned char *)area + page_size;
	fd = open_with_pair("argsize", &p, 0);
	fd2 = dev_open(O_NONBLOCK);
	if (fd < 0 || fd2 < 0) {
		if (fd2 < 0)
			fail("argsize", "setup: open: %s", ename(-fd2));
		goto out;
	}

	{
		struct ioctl_evtchn_bind_unbound_port *a = (void *)(end - sizeof(*a));

		a->remote_domain = 0;
		r = x_ioctl(fd2, IOCTL_EVTCHN_BIND_UNBOUND_PORT, a);
		if (check_port("argsize-bind-unbound", r)) {
			struct ioctl_evtchn_bind_interdomain *b = (void *)(end - sizeof(*b));
			long r2;

			b->remote_domain = 0;
			b->remote_port = (unsigned int)r;
			r2 = x_ioctl(fd2, IOCTL_EVTCHN_BIND_INTERDOMAIN, b);
			check_port("argsize-bind-interdomain", r2);
		}
	}
	{
		struct ioctl_evtchn_bind_virq *v = (void *)(end - sizeof(*v));

		v->virq = VIRQ_ENOMEM;
		r = x_ioctl(fd2, IOCTL_EVTCHN_BIND_VIRQ, v);
		if (check_port("argsize-bind-virq", r))
			unbind(fd2, (unsigned int)r);
	}
	{
		struct ioctl_evtchn_notify *n = (void *)(end - sizeof(*n));

		n->port = p.b;
		check_val("argsize-notify", x_ioctl(fd, IOCTL_EVTCHN_NOTIFY, n), 0);
	}
	{
		struct ioctl_evtchn_unbind *u = (void *)(end - sizeof(*u));

		u->port = p.b;
		check_val("argsize-unbind", x_ioctl(fd, IOCTL_EVTCHN_UNBIND, u), 0);
	}
	{
		struct ioctl_evtchn_restrict_domid *d = (void *)(end - sizeof(*d));

		_Static_assert(sizeof(*d) == 2, "restrict_domid is 2 bytes");
		d->domid = NO_SUCH_DOMID;
		check_val("argsize-restrict", x_ioctl(fd, IOCTL_EVTCHN_RESTRICT_DOMID, d), 0);
	}
out:
	dev_close(&fd);
	dev_close(&fd2);
	munmap(area, 2 * page_size);
}

/* --- virq: BIND_VIRQ with a global VIRQ nobody uses in Dom0. */
static void t_virq(void)
{
	long v, r;
	int fd = dev_open(O_NONBLOCK), fd2 = dev_open(O_NONBLOCK);

	if (fd < 0 || fd2 < 0) {
		fail("bind-virq", "setup: open: %s", ename(fd < 0 ? -fd : -fd2));
		goto out;
	}
	v = bind_virq(fd, VIRQ_ENOMEM);
	if (!check_port("bind-virq", v)) {
		if (v == -EEXIST)
			info("VIRQ_ENOMEM (%d) is already bound elsewhere in Dom0", VIRQ_ENOMEM);
		goto out;
	}
	check_err("bind-virq-same-file-eexist", bind_virq(fd, VIRQ_ENOMEM), EEXIST);
	check_err("bind-virq-other-file-eexist", bind_virq(fd2, VIRQ_ENOMEM), EEXIST);
	check_err("bind-virq-invalid-einval", bind_virq(fd2, 1000), EINVAL);
	check_err("unbind-virq-other-file-enotconn", unbind(fd2, (unsigned int)v), ENOTCONN);
	check_val("unbind-virq", unbind(fd, (unsigned int)v), 0);
	r = bind_virq(fd2, VIRQ_ENOMEM);
	check_port("bind-virq-after-unbind", r);
	/* Closing the file releases the VIRQ. */
	dev_close(&fd2);
	r = bind_virq(fd, VIRQ_ENOMEM);
	check_port("bind-virq-after-close", r);
out:
	dev_close(&fd);
	dev_close(&fd2);
}

/* --- restrict: IOCTL_EVTCHN_RESTRICT_DOMID. */
static void t_restrict(void)
{
	struct pair p;
	long r, u;
	int fd, fd2 = -1;

	fd = open_with_pair("restrict", &p, 0);
	if (fd < 0)
		return;
	fd2 = dev_open(O_NONBLOCK);
	if (fd2 < 0) {
		fail("restrict", "setup: open: %s", ename(-fd2));
		goto out;
	}

	check_err("restrict-domid0-einval", restrict_domid(fd, 0), EINVAL);
	check_err("restrict-first-reserved-einval",
		  restrict_domid(fd, DOMID_FIRST_RESERVED), EINVAL);
	check_err("restrict-domid-ffff-einval", restrict_domid(fd, 0xffff), EINVAL);
	r = bind_unbound(fd, 0);
	if (check_port("restrict-einval-unrestricted", r))
		unbind(fd, (unsigned int)r);

	if (!check_val("restrict", restrict_domid(fd, NO_SUCH_DOMID), 0))
		goto out;
	check_err("restrict-twice-eacces", restrict_domid(fd, NO_SUCH_DOMID), EACCES);
	check_err("restrict-twice-other-eacces", restrict_domid(fd, 5), EACCES);
	/* EACCES is checked before the domid and before copying the argument. */
	check_err("restrict-twice-domid0-eacces", restrict_domid(fd, 0), EACCES);
	check_err("restrict-twice-badptr-eacces",
		  x_ioctl(fd, IOCTL_EVTCHN_RESTRICT_DOMID, bad_ptr), EACCES);

	check_err("restricted-bind-virq-eacces", bind_virq(fd, VIRQ_ENOMEM), EACCES);
	check_err("restricted-bind-virq-badptr-eacces",
		  x_ioctl(fd, IOCTL_EVTCHN_BIND_VIRQ, bad_ptr), EACCES);
	check_err("restricted-bind-unbound-eacces", bind_unbound(fd, 0), EACCES);
	check_err("restricted-bind-unbound-same-domid-eacces",
		  bind_unbound(fd, NO_SUCH_DOMID), EACCES);
	check_err("restricted-bind-unbound-badptr-eacces",
		  x_ioctl(fd, IOCTL_EVTCHN_BIND_UNBOUND_PORT, bad_ptr), EACCES);
	/* BIND_INTERDOMAIN copies the argument first, then checks the domid. */
	check_err("restricted-bind-interdomain-badptr-efault",
		  x_ioctl(fd, IOCTL_EVTCHN_BIND_INTERDOMAIN, bad_ptr), EFAULT);

	u = bind_unbound(fd2, 0);
	if (u > 0) {
		check_err("restricted-bind-interdomain-other-eacces",
			  bind_interdomain(fd, 0, (unsigned int)u), EACCES);
		/* The refused bind must not have touched the port. */
		r = bind_interdomain(fd2, 0, (unsigned int)u);
		check_port("restricted-eacces-no-side-effect", r);
	} else {
		fail("restricted-bind-interdomain-other-eacces",
		     "setup: BIND_UNBOUND_PORT in a second file: %s", rstr(u));
	}
	/* To the restricted domain: Xen decides (no such domain -> ESRCH). */
	check_err("restricted-bind-interdomain-same-domid-esrch",
		  bind_interdomain(fd, NO_SUCH_DOMID, 1), ESRCH);

	/* Ports bound before restricting keep working. */
	check_val("restricted-notify-existing", notify(fd, p.b), 0);
	expect_event("restricted-event-existing", fd, p.a);
	check_val("restricted-unmask", unmask(fd, p.a), 4);
	check_val("restricted-reset", reset(fd), 0);
	check_val("restricted-unbind", unbind(fd, p.b), 0);
out:
	dev_close(&fd);
	dev_close(&fd2);
}

/* --- static: IOCTL_EVTCHN_BIND_STATIC (Linux >= 6.5). */
static bool kernel_at_least(int maj, int min)
{
	struct utsname u;
	int a = 0, b = 0;

	if (uname(&u) < 0 || sscanf(u.release, "%d.%d", &a, &b) != 2)
		return false;
	return a > maj || (a == maj && b >= min);
}

static void t_static(void)
{
	bool want_supported = kernel_at_least(6, 5);
	struct pair p;
	long r, r2;
	int fd = open_with_pair("bind-static", &p, 0);

	if (fd < 0)
		return;
	r = bind_static(fd, p.a);
	r2 = x_ioctl(fd, IOCTL_EVTCHN_BIND_STATIC, bad_ptr);
	if (r == -EISCONN) {
		info("IOCTL_EVTCHN_BIND_STATIC: supported (EISCONN on a bound port)");
		pass("bind-static-bound");
		check_err("bind-static-efault", r2, EFAULT);
	} else if (r == -ENOSYS) {
		info("IOCTL_EVTCHN_BIND_STATIC: not supported (ENOSYS)");
		pass("bind-static-bound");
		check_err("bind-static-efault", r2, ENOSYS);
	} else {
		fail("bind-static-bound", "got %s, want EISCONN or ENOSYS", rstr(r));
	}
	/* In-tree: added in 6.5; the replacement must match the kernel's own. */
	if (r == (want_supported ? -EISCONN : -ENOSYS))
		pass("bind-static-matches-kernel");
	else
		fail("bind-static-matches-kernel",
		     "got %s, the in-tree driver of this kernel gives %s",
		     rstr(r), want_supported ? "EISCONN" : "ENOSYS");
	/* The port is still bound and works. */
	check_val("bind-static-port-intact", notify(fd, p.b), 0);
	expect_event("bind-static-port-event", fd, p.a);
	close(fd);
}

/* --- ioctl: unknown commands. */
static void t_ioctl_unknown(void)
{
	struct ioctl_evtchn_bind_unbound_port ub = { .remote_domain = 0 };
	uint32_t arg[4] = { 0 };
	int fd = dev_open(O_NONBLOCK);
	long r;

	if (fd < 0) {
		fail("ioctl-unknown-enosys", "setup: open: %s", ename(-fd));
		return;
	}
	check_err("ioctl-unknown-enosys", x_ioctl(fd, _IO('E', 8), arg), ENOSYS);
	check_err("ioctl-unknown-nr-ff-enosys", x_ioctl(fd, _IO('E', 0xff), arg), ENOSYS);
	check_err("ioctl-other-type-enosys", x_ioctl(fd, _IO('X', 2), arg), ENOSYS);
	/* Same number, different size or direction: not the same command. */
	check_err("ioctl-wrong-size-enosys",
		  x_ioctl(fd, _IOC(_IOC_NONE, 'E', 2, 8), &ub), ENOSYS);
	r = x_ioctl(fd, _IOW('E', 2, struct ioctl_evtchn_bind_unbound_port), &ub);
	check_err("ioctl-wrong-dir-enosys", r, ENOSYS);
	if (r > 0)
		unbind(fd, (unsigned int)r);
	check_err("ioctl-reset-with-size-enosys",
		  x_ioctl(fd, _IOC(_IOC_NONE, 'E', 5, 4), arg), ENOSYS);
	close(fd);
}

/* --- read: read() semantics. */
static void t_read(void)
{
	struct pair p[3];
	uint32_t ev[64];
	long r, err;
	int fd = dev_open(O_NONBLOCK), n;

	if (fd < 0) {
		fail("read-empty-eagain", "setup: open: %s", ename(-fd));
		return;
	}
	/* Fresh file: no ring allocated yet. */
	check_err("read-empty-eagain", x_read(fd, ev, 4), EAGAIN);
	check_val("read-zero-count", x_read(fd, ev, 0), 0);
	check_rev("poll-empty", poll_rev(fd, 0), REV_EMPTY);
	check_val("reset-no-ring", reset(fd), 0);

	n = make_pairs(fd, p, 3, &err);
	if (n != 3) {
		fail("read-pending", "setup: binding pairs: %s", ename((int)-err));
		goto out;
	}
	check_err("read-empty-bound-eagain", x_read(fd, ev, 4), EAGAIN);

	check_val("notify-b1", notify(fd, p[0].b), 0);
	if (wait_event(fd, T_EVENT) & POLLIN)
		pass("read-pending");
	else
		fail("read-pending", "no event within %d ms", T_EVENT);
	check_rev("poll-pending", poll_rev(fd, 0), REV_PENDING);
	check_val("read-count-lt4-zero", x_read(fd, ev, 3), 0);
	check_val("read-zero-count-pending", x_read(fd, ev, 0), 0);
	check_err("read-efault", x_read(fd, bad_ptr, 4), EFAULT);
	/* After the failed copy the event is still there; 7 rounds down to 4. */
	ev[0] = ev[1] = 0;
	r = x_read(fd, ev, 7);
	if (r == 4 && ev[0] == p[0].a)
		pass("read-rounds-down");
	else
		fail("read-rounds-down", "read(7) got %s, port %u; want 4, port %u",
		     rstr(r), ev[0], p[0].a);
	check_err("read-drained-eagain", x_read(fd, ev, 4), EAGAIN);
	check_rev("poll-drained", poll_rev(fd, 0), REV_EMPTY);

	/* Several pending ports in one read (one per port, each once). */
	notify(fd, p[0].a);	/* -> p[0].b */
	notify(fd, p[1].b);	/* -> p[1].a */
	notify(fd, p[2].b);	/* -> p[2].a */
	wait_event(fd, T_EVENT);
	sleep_ms(T_QUIET);
	r = x_read(fd, ev, sizeof(ev));
	{
		uint32_t want[3] = { p[0].b, p[1].a, p[2].a };
		int i, j, found = 0;

		for (i = 0; r == 12 && i < 3; i++)
			for (j = 0; j < 3; j++)
				if (ev[j] == want[i])
					found++;
		if (r == 12 && found == 3)
			pass("read-multiple");
		else
			fail("read-multiple", "read got %s (%u %u %u), want 12 bytes: ports %u %u %u",
			     rstr(r), r >= 4 ? ev[0] : 0, r >= 8 ? ev[1] : 0,
			     r >= 12 ? ev[2] : 0, want[0], want[1], want[2]);
	}

	/* Delivery masks the port: no second event until written back. */
	check_val("notify-masked", notify(fd, p[1].b), 0);
	expect_quiet("masked-no-redelivery", fd);
	check_val("unmask", unmask(fd, p[1].a), 4);
	expect_event("masked-pending-delivered-on-unmask", fd, p[1].a);
	check_val("unmask-again", unmask(fd, p[1].a), 4);
	expect_quiet("unmask-no-spurious-event", fd);
	/* Once per unmask: two notifies on an unmasked port, one event. */
	notify(fd, p[1].b);
	expect_event("once-per-unmask-first", fd, p[1].a);
	notify(fd, p[1].b);
	expect_quiet("once-per-unmask-no-duplicate", fd);
	unmask(fd, p[1].a);
	drain(fd);
out:
	close(fd);
}

/* --- blocking: blocking read()/poll() woken by events, interrupted by signals. */
static void t_blocking(void)
{
	struct pair p;
	struct tcall c;
	pthread_t t;
	uint32_t ev[16];
	bool done;
	int fd = open_with_pair("read-blocking", &p, 0);

	if (fd < 0)
		return;
	if (set_nonblock(fd, false) < 0) {
		fail("read-blocking", "setup: fcntl: %s", strerror(errno));
		goto out;
	}

	/* Blocking read: sleeps while empty, wakes up with the event. */
	memset(&c, 0, sizeof(c));
	c.fd = fd;
	c.buf = ev;
	c.len = sizeof(ev);
	if (tcall_start(&t, &c)) {
		fail("read-blocking-wakeup", "setup: pthread_create");
		goto out;
	}
	sleep_ms(ms(100));
	notify(fd, p.b);
	done = tcall_join(t, T_EVENT);
	if (done && c.ret == 4 && ev[0] == p.a)
		pass("read-blocking-wakeup");
	else
		fail("read-blocking-wakeup", "%s; read got %s port %u, want 4 port %u",
		     done ? "returned" : "did not return in time", rstr(c.ret),
		     c.ret >= 4 ? ev[0] : 0, p.a);
	unmask(fd, p.a);

	/* Blocking read on an empty ring: blocks, then EINTR on a signal. */
	memset(&c, 0, sizeof(c));
	c.fd = fd;
	c.buf = ev;
	c.len = sizeof(ev);
	if (tcall_start(&t, &c)) {
		fail("read-blocking-eintr", "setup: pthread_create");
		goto out;
	}
	done = tcall_join(t, T_QUIET);
	if (!done && c.ret == -EINTR)
		pass("read-blocking-eintr");
	else
		fail("read-blocking-eintr", "%s with %s, want blocking then EINTR",
		     done ? "returned early" : "interrupted", rstr(c.ret));

	/* poll() blocked in another thread wakes up on an event. */
	memset(&c, 0, sizeof(c));
	c.fd = fd;
	c.kind = 1;
	c.timeout = T_EVENT;
	if (tcall_start(&t, &c)) {
		fail("poll-wakeup", "setup: pthread_create");
		goto out;
	}
	sleep_ms(ms(100));
	notify(fd, p.b);
	done = tcall_join(t, T_EVENT + ms(1000));
	if (done && c.ret == 1 && (c.rev & POLLIN) && c.elapsed < T_EVENT)
		pass("poll-wakeup");
	else
		fail("poll-wakeup", "poll returned %s revents %s after %ld ms",
		     rstr(c.ret), revstr(c.rev), c.elapsed);
	drain(fd);
	unmask(fd, p.a);

	/* epoll */
	{
		int ep = epoll_create1(EPOLL_CLOEXEC);
		struct epoll_event e = { .events = EPOLLIN, .data.u32 = 7 }, got;
		int r;

		if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, fd, &e) < 0) {
			fail("epoll-wakeup", "setup: epoll: %s", strerror(errno));
		} else {
			r = epoll_wait(ep, &got, 1, 0);
			if (r != 0)
				fail("epoll-wakeup", "epoll_wait on empty ring returned %d", r);
			notify(fd, p.b);
			r = epoll_wait(ep, &got, 1, T_EVENT);
			if (r == 1 && (got.events & EPOLLIN) && got.data.u32 == 7)
				pass("epoll-wakeup");
			else
				fail("epoll-wakeup", "epoll_wait returned %d events 0x%x",
				     r, r == 1 ? got.events : 0);
		}
		if (ep >= 0)
			close(ep);
		drain(fd);
		unmask(fd, p.a);
	}
out:
	close(fd);
}

/* --- write: write() semantics. */
static void t_write(void)
{
	struct pair p;
	uint32_t v[4] = { 0xffffffffu, 0, 12345, 1 };
	unsigned char six[6] = { 0 };
	char *big;
	int fd = open_with_pair("write", &p, 0);

	if (fd < 0)
		return;
	check_val("write-zero-count", x_write(fd, v, 0), 0);
	check_val("write-count-lt4-zero", x_write(fd, v, 3), 0);
	check_val("write-rounds-down", x_write(fd, six, 6), 4);
	check_err("write-efault", x_write(fd, bad_ptr, 4), EFAULT);
	check_val("write-badptr-short-zero", x_write(fd, bad_ptr, 3), 0);
	check_val("write-unbound-ports-ignored", x_write(fd, v, sizeof(v)), 16);
	check_val("write-enabled-port", unmask(fd, p.a), 4);
	big = calloc(1, page_size + 8);
	if (big) {
		check_val("write-clamp-pagesize", x_write(fd, big, page_size + 8), page_size);
		free(big);
	}
	/* The port still works normally after all that. */
	notify(fd, p.b);
	expect_event("write-port-intact", fd, p.a);
	close(fd);
}

/* --- isolation: two open files are independent. */
static void t_isolation(void)
{
	struct pair p, q, x;
	int fd1 = -1, fd2 = -1;
	long r;

	fd1 = open_with_pair("isolation", &p, 0);
	fd2 = open_with_pair("isolation", &q, 0);
	if (fd1 < 0 || fd2 < 0)
		goto out;

	check_err("isolation-notify-enotconn", notify(fd2, p.b), ENOTCONN);
	check_err("isolation-unbind-enotconn", unbind(fd2, p.a), ENOTCONN);
	check_val("isolation-notify-own", notify(fd1, p.b), 0);
	expect_event("isolation-event-own", fd1, p.a);
	check_rev("isolation-no-foreign-events", poll_rev(fd2, 0), REV_EMPTY);
	check_err("isolation-read-eagain", x_read(fd2, &r, 4), EAGAIN);

	/* Writing another file's port is ignored: it stays masked. */
	check_val("isolation-write-foreign", unmask(fd2, p.a), 4);
	notify(fd1, p.b);
	expect_quiet("isolation-write-no-unmask", fd1);
	unmask(fd1, p.a);
	expect_event("isolation-own-unmask", fd1, p.a);
	unmask(fd1, p.a);

	/* The other file's own ports are unaffected. */
	notify(fd2, q.b);
	expect_event("isolation-other-file-event", fd2, q.a);
	expect_quiet("isolation-other-file-quiet", fd1);
	unmask(fd2, q.a);

	/* A pair spanning two files: each end's events go to its own file. */
	r = make_pair(fd1, fd2, &x);
	if (r) {
		fail("cross-file-notify", "setup: pair across files: %s", ename((int)-r));
		goto out;
	}
	check_val("cross-file-notify", notify(fd2, x.b), 0);
	expect_event("cross-file-event", fd1, x.a);
	expect_quiet("cross-file-quiet", fd2);
	notify(fd1, x.a);
	expect_event("cross-file-event-reverse", fd2, x.b);
out:
	dev_close(&fd1);
	dev_close(&fd2);
}

/* --- close: closing a file unbinds and closes its ports. */
static void t_close(void)
{
	int fd1 = dev_open(O_NONBLOCK), fd2 = dev_open(O_NONBLOCK);
	long a, b;

	if (fd1 < 0 || fd2 < 0) {
		fail("close-closes-ports", "setup: open failed");
		goto out;
	}
	a = bind_unbound(fd1, 0);
	if (a <= 0) {
		fail("close-closes-ports", "setup: BIND_UNBOUND_PORT: %s", rstr(a));
		goto out;
	}
	dev_close(&fd1);
	check_err("close-closes-ports", bind_interdomain(fd2, 0, (unsigned int)a), EINVAL);

	/* Peer end in another file survives the close. */
	fd1 = dev_open(O_NONBLOCK);
	{
		struct pair x;
		long r = fd1 >= 0 ? make_pair(fd1, fd2, &x) : fd1;

		if (r) {
			fail("close-peer-survives", "setup: pair: %s", rstr(r));
			goto out;
		}
		b = x.b;
	}
	dev_close(&fd1);
	check_val("close-peer-survives", notify(fd2, (unsigned int)b), 0);
	expect_quiet("close-peer-no-event", fd2);
	check_val("close-peer-unbind", unbind(fd2, (unsigned int)b), 0);
out:
	dev_close(&fd1);
	dev_close(&fd2);
}

/* --- fork: a forked child shares the open file. */
static int fork_fd = -1;

static int child_notify(void *arg, char *msg, size_t len)
{
	const struct pair *p = arg;
	long r = notify(fork_fd, p->b);

	if (r != 0) {
		snprintf(msg, len, "NOTIFY in child: %s", rstr(r));
		return 1;
	}
	return 0;
}

static void t_fork(void)
{
	struct pair p;
	char msg[256];

	fork_fd = open_with_pair("fork-shared-file", &p, 0);
	if (fork_fd < 0)
		return;
	if (run_child(child_notify, &p, msg, sizeof(msg)) == 0)
		pass("fork-child-notify");
	else
		fail("fork-child-notify", "%s", msg);
	expect_event("fork-shared-file", fork_fd, p.a);
	dev_close(&fork_fd);
}

/* --- fasync: SIGIO on an event arriving in an empty ring. */
static int wait_signal(int sig, int timeout, siginfo_t *si)
{
	struct timespec ts = { timeout / 1000, (timeout % 1000) * 1000000L };
	sigset_t set;
	int r;

	sigemptyset(&set);
	sigaddset(&set, sig);
	do
		r = sigtimedwait(&set, si, &ts);
	while (r < 0 && errno == EINTR);
	return r;
}

static void flush_signal(int sig)
{
	siginfo_t si;

	while (wait_signal(sig, 0, &si) == sig)
		;
}

static void t_fasync(void)
{
	struct pair p;
	siginfo_t si;
	int fd = open_with_pair("fasync", &p, 0), fl;

	if (fd < 0)
		return;
	flush_signal(SIGIO);
	flush_signal(sig_async);
	fl = fcntl(fd, F_GETFL);
	if (fcntl(fd, F_SETOWN, getpid()) < 0 || fcntl(fd, F_SETFL, fl | O_ASYNC) < 0) {
		fail("fasync-sigio", "setup: fcntl: %s", strerror(errno));
		goto out;
	}
	notify(fd, p.b);
	if (wait_signal(SIGIO, T_EVENT, &si) == SIGIO)
		pass("fasync-sigio");
	else
		fail("fasync-sigio", "no SIGIO within %d ms", T_EVENT);
	/* An event into a non-empty ring does not signal again. */
	wait_event(fd, T_EVENT);
	notify(fd, p.a);
	if (wait_signal(SIGIO, T_QUIET, &si) < 0)
		pass("fasync-nonempty-no-sigio");
	else
		fail("fasync-nonempty-no-sigio", "SIGIO although the ring was not empty");
	sleep_ms(T_QUIET);
	drain(fd);
	unmask(fd, p.a);
	unmask(fd, p.b);
	flush_signal(SIGIO);

	/* F_SETSIG: siginfo carries POLL_IN, the fd and the band. */
	if (fcntl(fd, F_SETSIG, sig_async) < 0) {
		fail("fasync-siginfo", "setup: F_SETSIG: %s", strerror(errno));
		goto out;
	}
	notify(fd, p.b);
	if (wait_signal(sig_async, T_EVENT, &si) != sig_async)
		fail("fasync-siginfo", "no signal within %d ms", T_EVENT);
	else if (si.si_code != POLL_IN || si.si_fd != fd ||
		 si.si_band != (POLLIN | POLLRDNORM))
		fail("fasync-siginfo", "si_code %d si_fd %d si_band 0x%lx; want %d %d 0x%x",
		     si.si_code, si.si_fd, (long)si.si_band, POLL_IN, fd,
		     POLLIN | POLLRDNORM);
	else
		pass("fasync-siginfo");
	wait_event(fd, T_EVENT);
	drain(fd);
	unmask(fd, p.a);

	/* O_ASYNC off: no more signals, events still arrive. */
	fcntl(fd, F_SETFL, fl & ~O_ASYNC);
	notify(fd, p.b);
	expect_event("fasync-off-event", fd, p.a);
	if (wait_signal(sig_async, 0, &si) < 0 && wait_signal(SIGIO, 0, &si) < 0)
		pass("fasync-off");
	else
		fail("fasync-off", "signal %d after O_ASYNC was cleared", si.si_signo);
out:
	close(fd);
	flush_signal(SIGIO);
	flush_signal(sig_async);
}

/* --- overflow: the brief's procedure, one pair, repeated delivery. */
static void t_overflow(void)
{
	struct pair p;
	uint32_t ev[8];
	int fd = open_with_pair("overflow", &p, 0), i, rev = 0, bad = 0;

	if (fd < 0)
		return;
	for (i = 1; i <= OVERFLOW_MAX_ITER; i++) {
		long r = notify(fd, p.b);

		if (r) {
			fail("overflow-reached", "NOTIFY failed at iteration %d: %s", i, rstr(r));
			goto out;
		}
		sleep_us(2000L * (long)(tscale < 1 ? 1 : tscale));
		rev = poll_rev(fd, 0);
		if (rev == REV_OVERFLOW)
			break;
		if (rev != REV_PENDING && i > 1)
			bad = rev;
		unmask(fd, p.a);
	}
	if (i > OVERFLOW_MAX_ITER) {
		fail("overflow-reached", "no overflow after %d deliveries (poll %s)",
		     OVERFLOW_MAX_ITER, revstr(rev));
		goto out;
	}
	if (i > INITIAL_RING)
		pass("overflow-reached");
	else
		fail("overflow-reached", "overflow after only %d events, ring holds %d",
		     i, INITIAL_RING);
	info("overflow after %d deliveries (ring of %d)", i, INITIAL_RING);
	if (bad)
		fail("overflow-poll-before", "poll showed %s before the overflow", revstr(bad));
	else
		pass("overflow-poll-before");

	check_rev("overflow-poll-pollerr", poll_rev(fd, 0), REV_OVERFLOW);
	check_err("overflow-read-efbig", x_read(fd, ev, sizeof(ev)), EFBIG);
	check_val("overflow-read-short-zero", x_read(fd, ev, 3), 0);
	if (set_nonblock(fd, false) == 0) {
		/* Blocking read does not block either. */
		struct tcall c = { .fd = fd, .buf = ev, .len = sizeof(ev) };
		pthread_t t;

		if (tcall_start(&t, &c) == 0) {
			bool done = tcall_join(t, T_EVENT);

			if (done)
				check_err("overflow-read-blocking-efbig", c.ret, EFBIG);
			else
				fail("overflow-read-blocking-efbig", "read blocked (%s)",
				     rstr(c.ret));
		}
		set_nonblock(fd, true);
	}
	check_val("overflow-write", unmask(fd, p.a), 4);
	sleep_ms(ms(50));
	check_rev("overflow-sticky", poll_rev(fd, 0), REV_OVERFLOW);

	check_val("overflow-reset", reset(fd), 0);
	check_rev("overflow-reset-poll", poll_rev(fd, 0), REV_EMPTY);
	check_err("overflow-reset-eagain", x_read(fd, ev, sizeof(ev)), EAGAIN);
	check_val("overflow-recovery-notify", notify(fd, p.b), 0);
	expect_event("overflow-recovery", fd, p.a);
out:
	close(fd);
}

/*
 * --- ring: the ring holds exactly 64 entries with 64 ports bound (one
 * event per port fills it), the 65th overflows; RESET leaves ports masked.
 */
static void t_ring(void)
{
	struct pair p[INITIAL_RING / 2];
	uint32_t ev[2 * INITIAL_RING];
	int fd = dev_open(O_NONBLOCK), n, i;
	long err, r;

	if (fd < 0) {
		fail("ring-holds-64", "setup: open: %s", ename(-fd));
		return;
	}
	n = make_pairs(fd, p, INITIAL_RING / 2, &err);
	if (n != INITIAL_RING / 2) {
		fail("ring-holds-64", "setup: bound %d pairs: %s", n, ename((int)-err));
		goto out;
	}
	for (i = 0; i < n; i++) {
		notify(fd, p[i].a);
		notify(fd, p[i].b);
	}
	wait_event(fd, T_EVENT);
	sleep_ms(ms(500));
	if (!check_rev("ring-holds-64", poll_rev(fd, 0), REV_PENDING))
		goto out;
	/* 65th event: overflow. */
	unmask(fd, p[0].a);
	notify(fd, p[0].b);
	{
		long end = now_ms() + T_EVENT;
		int rev;

		do {
			rev = poll_rev(fd, 0);
			if (rev != REV_OVERFLOW)
				sleep_ms(1);
		} while (rev != REV_OVERFLOW && now_ms() < end);
		check_rev("ring-65th-overflows", rev, REV_OVERFLOW);
	}
	check_val("ring-reset", reset(fd), 0);
	check_err("ring-reset-eagain", x_read(fd, ev, sizeof(ev)), EAGAIN);
	/* RESET does not unmask: the ports delivered before stay masked. */
	notify(fd, p[1].b);
	expect_quiet("reset-ports-stay-masked", fd);
	unmask(fd, p[1].a);
	expect_event("reset-unmask-delivers", fd, p[1].a);
	/* Unmask everything, ring works normally (no duplicates). */
	for (i = 0; i < n; i++) {
		unmask(fd, p[i].a);
		unmask(fd, p[i].b);
	}
	notify(fd, p[2].b);
	r = collect(fd, ev, ARRAY_SIZE(ev), 1, T_EVENT);
	sleep_ms(T_QUIET);
	if (r == 1 && ev[0] == p[2].a && x_read(fd, ev, sizeof(ev)) == -EAGAIN)
		pass("ring-after-reset");
	else
		fail("ring-after-reset", "got %s events (first %u), want one: port %u",
		     rstr(r), r > 0 ? ev[0] : 0, p[2].a);
out:
	close(fd);
}

/*
 * --- grow: events in a wrapped ring survive the ring growing when more
 * ports are bound.
 */
static void t_grow(void)
{
	struct pair p[5], more[30];
	uint32_t want[40], ev[64];
	int fd = dev_open(O_NONBLOCK), n, i, ok;
	long err, r;

	if (fd < 0) {
		fail("ring-grow-preserves", "setup: open: %s", ename(-fd));
		return;
	}
	n = make_pairs(fd, p, 5, &err);
	if (n != 5) {
		fail("ring-grow-preserves", "setup: pairs: %s", ename((int)-err));
		goto out;
	}
	/* Move the ring indices near the wrap point (60 of 64). */
	for (i = 0; i < 60; i++) {
		notify(fd, p[0].b);
		r = collect(fd, ev, 1, 1, T_EVENT);
		if (r != 1 || ev[0] != p[0].a) {
			fail("ring-grow-preserves", "setup: event %d: got %s", i, rstr(r));
			goto out;
		}
		unmask(fd, p[0].a);
	}
	/* 10 events at ring positions 60..69: they wrap. */
	for (i = 0; i < 5; i++) {
		notify(fd, p[i].b);
		want[2 * i] = p[i].a;
		sleep_ms(ms(5));
		notify(fd, p[i].a);
		want[2 * i + 1] = p[i].b;
		sleep_ms(ms(5));
	}
	sleep_ms(T_QUIET);
	/*
	 * 60 more ports: 70 > 64, the ring doubles while it holds the 10
	 * wrapped events, and the 30 new B ports add their initial events.
	 */
	for (i = 0; i < 30; i++) {
		err = bind_pair(fd, fd, &more[i]);
		if (err) {
			fail("ring-grow-preserves", "setup: more pairs (%d): %s", i,
			     ename((int)-err));
			goto out;
		}
		want[10 + i] = more[i].b;
	}
	sleep_ms(T_QUIET);
	r = collect(fd, ev, ARRAY_SIZE(ev), 40, T_EVENT);
	ok = r == 40;
	if (ok) {
		qsort(ev, 40, sizeof(*ev), cmp_u32);
		qsort(want, 40, sizeof(*want), cmp_u32);
		ok = !memcmp(ev, want, sizeof(want));
	}
	if (ok && x_read(fd, ev, sizeof(ev)) == -EAGAIN)
		pass("ring-grow-preserves");
	else
		fail("ring-grow-preserves", "read after growing got %s events, want 40: the 10 pending ports and 30 initial events",
		     rstr(r));
	/* The grown ring still delivers. */
	for (i = 0; i < 5; i++) {
		unmask(fd, p[i].a);
		unmask(fd, p[i].b);
	}
	for (i = 0; i < 30; i++)
		unmask(fd, more[i].b);
	notify(fd, more[29].b);
	expect_event("ring-grow-delivers", fd, more[29].a);
out:
	close(fd);
}

/* --- many: 200 pairs (400 ports) in one file. */

static void t_many(void)
{
	struct pair *p = calloc(MANY_PAIRS, sizeof(*p));
	uint32_t *ev = calloc(4 * MANY_PAIRS, sizeof(*ev));
	uint32_t *all = calloc(2 * MANY_PAIRS, sizeof(*all));
	int fd = dev_open(O_NONBLOCK), n, i, bad = 0;
	long err, r, t0 = now_ms();

	if (!p || !ev || !all || fd < 0) {
		fail("many-ports-bind", "setup: %s", fd < 0 ? ename(-fd) : "out of memory");
		goto out;
	}
	n = make_pairs(fd, p, MANY_PAIRS, &err);
	if (n != MANY_PAIRS) {
		fail("many-ports-bind", "bound %d of %d pairs, then %s", n, MANY_PAIRS,
		     ename((int)-err));
		goto out;
	}
	pass("many-ports-bind");
	info("many: %d pairs bound in %ld ms", MANY_PAIRS, now_ms() - t0);
	for (i = 0; i < n; i++) {
		all[2 * i] = p[i].a;
		all[2 * i + 1] = p[i].b;
		if (notify(fd, p[i].a) || notify(fd, p[i].b))
			bad++;
	}
	r = collect(fd, ev, 4 * MANY_PAIRS, 2 * MANY_PAIRS, T_EVENT + ms(5000));
	/* Anything beyond one event per port would be a duplicate. */
	sleep_ms(T_QUIET);
	if (r == 2 * MANY_PAIRS) {
		long extra = x_read(fd, ev + r, 2 * MANY_PAIRS * sizeof(*ev));

		if (extra != -EAGAIN)
			bad++;
	}
	qsort(all, 2 * MANY_PAIRS, sizeof(*all), cmp_u32);
	if (r == 2 * MANY_PAIRS) {
		qsort(ev, r, sizeof(*ev), cmp_u32);
		if (memcmp(ev, all, r * sizeof(*ev)))
			bad++;
	}
	if (r == 2 * MANY_PAIRS && !bad)
		pass("many-ports-deliver");
	else
		fail("many-ports-deliver", "got %s events, want exactly one per port (%d)%s",
		     rstr(r), 2 * MANY_PAIRS, bad ? ", with wrong/duplicate ports" : "");
	check_rev("many-ports-no-overflow", poll_rev(fd, 0), REV_EMPTY);
	for (i = 0, bad = 0; i < n; i++) {
		if (unbind(fd, p[i].a) || unbind(fd, p[i].b))
			bad++;
	}
	if (!bad)
		pass("many-ports-unbind");
	else
		fail("many-ports-unbind", "%d pairs failed to unbind", bad);
out:
	if (fd >= 0)
		close(fd);
	free(p);
	free(ev);
	free(all);
}

/*
 * --- highports: a file can bind more than PAGE_SIZE/4 ports, and ports
 * numbered 1024 and above (with the FIFO ABI the kernel's event array grows
 * one page = 1024 ports at a time when such a port is bound); read()
 * returns at most PAGE_SIZE bytes even when more events are pending.
 */
static void t_highports(void)
{
	int per_page = (int)(page_size / 4), npairs = per_page / 2 + 8, n, i;
	struct pair *p = calloc(npairs, sizeof(*p));
	uint32_t *ev = calloc(4 * npairs, sizeof(*ev)), top = 0;
	int fd = dev_open(O_NONBLOCK);
	long err, r, t0 = now_ms();

	if (!p || !ev || fd < 0) {
		fail("bind-ports-beyond-1024", "setup: %s",
		     fd < 0 ? ename(-fd) : "out of memory");
		goto out;
	}
	for (n = 0; n < npairs; n++) {
		err = bind_pair(fd, fd, &p[n]);
		if (err)
			break;
		top = p[n].a > top ? p[n].a : top;
		top = p[n].b > top ? p[n].b : top;
	}
	if (n != npairs) {
		fail("bind-ports-beyond-1024", "bound %d of %d pairs (highest port %u), then %s",
		     n, npairs, top, ename((int)-err));
		fail("read-clamp-pagesize", "not run: needs %d ports in one file", 2 * npairs);
		fail("read-clamp-rest", "not run: needs %d ports in one file", 2 * npairs);
		goto out;
	}
	if (top >= 1024)
		pass("bind-ports-beyond-1024");
	else
		fail("bind-ports-beyond-1024", "highest port bound is only %u", top);
	err = settle(fd, p, n);
	if (err) {
		fail("read-clamp-pagesize", "setup: initial events: %s", ename((int)-err));
		goto out;
	}
	info("highports: %d pairs bound in %ld ms, highest port %u", n, now_ms() - t0, top);
	for (i = 0; i < n; i++) {
		notify(fd, p[i].a);
		notify(fd, p[i].b);
	}
	/* Wait until all 2 * npairs events are in (the ring holds them all). */
	wait_event(fd, T_EVENT);
	sleep_ms(ms(1000));
	r = x_read(fd, ev, 4 * npairs * sizeof(*ev));
	check_val("read-clamp-pagesize", r, page_size);
	r = collect(fd, ev, 4 * npairs, 2 * npairs - per_page, T_EVENT);
	check_val("read-clamp-rest", r, 2 * npairs - per_page);
out:
	if (fd >= 0)
		close(fd);
	free(p);
	free(ev);
}

/* --- irqname: the IRQs are named "evtchn:<comm>" in /proc/interrupts. */
static int count_irq_lines(void)
{
	char want[64], *line = NULL;
	size_t cap = 0, wl;
	FILE *f = fopen("/proc/interrupts", "r");
	int n = 0;

	if (!f)
		return -errno;
	snprintf(want, sizeof(want), " evtchn:%s", comm);
	wl = strlen(want);
	while (getline(&line, &cap, f) > 0) {
		size_t l = strcspn(line, "\n");

		while (l && line[l - 1] == ' ')
			l--;
		if (l >= wl && !memcmp(line + l - wl, want, wl))
			n++;
	}
	free(line);
	fclose(f);
	return n;
}

static void t_irqname(void)
{
	struct pair p;
	int before = count_irq_lines(), during, after, fd;

	if (before < 0) {
		fail("irq-name", "reading /proc/interrupts: %s", ename(-before));
		return;
	}
	fd = open_with_pair("irq-name", &p, 0);
	if (fd < 0)
		return;
	during = count_irq_lines();
	close(fd);
	after = count_irq_lines();
	if (during == before + 2)
		pass("irq-name");
	else
		fail("irq-name", "%d IRQs named \"evtchn:%s\" with 2 ports bound, want %d",
		     during, comm, before + 2);
	if (after == before)
		pass("irq-freed-on-close");
	else
		fail("irq-freed-on-close", "%d IRQs named \"evtchn:%s\" after close, want %d",
		     after, comm, before);
}

/* ================================================================= main */

static const struct test {
	const char *name;
	void (*fn)(void);
	const char *what;
} tests[] = {
	{ "devnode",	t_devnode,	"device node type, major, mode" },
	{ "unpriv",	t_unpriv,	"unprivileged open refused; inherited fd works" },
	{ "seek",	t_seek,		"lseek/pread/pwrite/mmap fail; O_RDONLY open" },
	{ "bind",	t_bind,		"bind, notify, unbind and their errors" },
	{ "efault",	t_efault,	"bad argument pointers" },
	{ "argsize",	t_argsize,	"ioctl arguments are exactly the uapi structs" },
	{ "virq",	t_virq,		"BIND_VIRQ" },
	{ "restrict",	t_restrict,	"RESTRICT_DOMID" },
	{ "static",	t_static,	"BIND_STATIC" },
	{ "ioctl",	t_ioctl_unknown, "unknown ioctls" },
	{ "read",	t_read,		"read() and masking semantics" },
	{ "blocking",	t_blocking,	"blocking read/poll/epoll wakeups" },
	{ "write",	t_write,	"write() semantics" },
	{ "isolation",	t_isolation,	"open files are independent" },
	{ "close",	t_close,	"close unbinds and closes ports" },
	{ "fork",	t_fork,		"forked child shares the file" },
	{ "fasync",	t_fasync,	"SIGIO / F_SETSIG" },
	{ "overflow",	t_overflow,	"ring overflow, EFBIG, RESET, recovery" },
	{ "ring",	t_ring,		"ring capacity 64, RESET keeps ports masked" },
	{ "grow",	t_grow,		"ring growth keeps pending events" },
	{ "many",	t_many,		"200 loopback pairs in one file" },
	{ "highports",	t_highports,	"ports >= 1024; read() returns at most PAGE_SIZE" },
	{ "irqname",	t_irqname,	"IRQ names in /proc/interrupts" },
};

static void alarm_handler(int sig)
{
	static const char m[] = "FAIL global-timeout: test run exceeded its time limit\n";
	ssize_t r;

	(void)sig;
	r = write(STDOUT_FILENO, m, sizeof(m) - 1);
	(void)r;
	_exit(2);
}

static void usage(const char *prog)
{
	fprintf(stderr, "usage: %s [-l] [-s SCALE] [TEST...]\n", prog);
	exit(2);
}

int main(int argc, char **argv)
{
	struct sigaction sa;
	sigset_t block;
	const char *env = getenv("EVTCHN_TEST_SCALE");
	size_t k;
	int opt, fd;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (env && atof(env) > 0)
		tscale = atof(env);
	while ((opt = getopt(argc, argv, "ls:h")) != -1) {
		switch (opt) {
		case 'l':
			for (k = 0; k < ARRAY_SIZE(tests); k++)
				printf("%-10s %s\n", tests[k].name, tests[k].what);
			return 0;
		case 's':
			tscale = atof(optarg);
			if (tscale <= 0)
				usage(argv[0]);
			break;
		default:
			usage(argv[0]);
		}
	}
	for (opt = optind; opt < argc; opt++) {
		for (k = 0; k < ARRAY_SIZE(tests); k++)
			if (!strcmp(argv[opt], tests[k].name))
				break;
		if (k == ARRAY_SIZE(tests)) {
			fprintf(stderr, "unknown test '%s' (see -l)\n", argv[opt]);
			return 2;
		}
	}

	page_size = sysconf(_SC_PAGESIZE);
	prctl(PR_GET_NAME, comm, 0, 0, 0);
	sig_async = SIGRTMIN + 1;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = alarm_handler;
	sigaction(SIGALRM, &sa, NULL);
	sa.sa_handler = sigusr1_handler;	/* no SA_RESTART */
	sigaction(SIGUSR1, &sa, NULL);
	/* Asynchronous notification signals are only ever collected with sigtimedwait. */
	sigemptyset(&block);
	sigaddset(&block, SIGIO);
	sigaddset(&block, sig_async);
	sigprocmask(SIG_BLOCK, &block, NULL);
	alarm((unsigned int)(300 * (tscale < 1 ? 1 : tscale)));

	bad_ptr = mmap(NULL, page_size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (bad_ptr == MAP_FAILED) {
		fail("setup", "mmap: %s", strerror(errno));
		return 1;
	}
	if (geteuid() != 0) {
		fail("setup", "must run as root (euid %d)", (int)geteuid());
		return 1;
	}
	fd = dev_open(0);
	if (fd < 0) {
		fail("open", "%s: %s", DEV_PATH, ename(-fd));
		return 1;
	}
	close(fd);
	pass("open");

	for (k = 0; k < ARRAY_SIZE(tests); k++) {
		bool run = optind == argc;

		for (opt = optind; opt < argc; opt++)
			if (!strcmp(argv[opt], tests[k].name))
				run = true;
		if (run)
			tests[k].fn();
	}
	printf("evtchn-test: %d passed, %d failed\n", xt_npass, xt_nfail);
	return xt_nfail ? 1 : 0;
}
