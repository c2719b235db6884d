// SPDX-License-Identifier: GPL-2.0-only
/*
 * privcmd-test - user-space ABI test of /dev/xen/privcmd and /dev/xen/hypercall.
 *
 * Runs in Dom0 as root. Every check prints one line:
 *     PASS <check>
 *     FAIL <check>: <detail>
 *     SKIP <check>: <reason>
 * and the exit status is non-zero if any check failed. The reference is the
 * in-tree drivers/xen/privcmd.c + privcmd-buf.c: the out-of-tree module must
 * give the same answers, so every expectation here holds for both.
 *
 * Frames mapped: the shared-info frame of a domain (Dom0's own, and the
 * guest's with -d DOMID), found with XEN_DOMCTL_getdomaininfo; and the
 * first grant-table frame through IOCTL_PRIVCMD_MMAP_RESOURCE.
 *
 * Usage: privcmd-test [-d GUEST_DOMID] [-i ours|intree] [-n LOOPS]
 * PRIVCMD_DEV=/proc/xen/privcmd tests the xenfs file instead.
 *
 * In a guest (no /dev/xen/privcmd, a /dev/xvda, no arguments: started by the
 * guest's init through xd.run=/xd/progs/privcmd-test) it is the workload of
 * the save/restore check instead: a background process writes a counter to
 * the disk once a second, reads it back (O_DIRECT) and prints
 * "GUEST-TICK <n> OK|FAIL" on the console.
 *
 * The ABI is spelled out here (not taken from <xen/privcmd.h>, which lags
 * behind the kernels under test) so the numbers themselves are checked.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/types.h>
#include <sys/utsname.h>
#include <sys/wait.h>

#include "privcmd-abi.h"
#include "xdtest.h"

/* Xen 4.17 */
#define HYP_memory_op 12
#define HYP_xen_version 17
#define HYP_domctl 36
#define XENVER_version 0
#define XENVER_extraversion 1
#define XEN_DOMCTL_getdomaininfo 5
#define XEN_DOMCTL_INTERFACE_VERSION 0x15
#define XENMEM_resource_grant_table 1
/* Dom0 maps its own frames as DOMID_SELF (Xen refuses its own domid). */
#define DOMID_SELF 0x7ff0

static long page_size;
static domid_t guest = 0xffff;

static int open_privcmd(void)
{
	const char *path = getenv("PRIVCMD_DEV") ? getenv("PRIVCMD_DEV") : "/dev/xen/privcmd";
	int fd = open(path, O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		fail("open", "%s: %s", path, strerror(errno));
		exit(1);
	}
	return fd;
}

static long hypercall(int fd, uint64_t op, uint64_t a0, uint64_t a1)
{
	struct privcmd_hypercall h = { .op = op, .arg = { a0, a1 } };

	return ioctl(fd, IOCTL_PRIVCMD_HYPERCALL, &h);
}

static int kernel_at_least(int maj, int min)
{
	struct utsname u;
	int a = 0, b = 0;

	uname(&u);
	sscanf(u.release, "%d.%d", &a, &b);
	return a > maj || (a == maj && b >= min);
}

/* Hypercall buffer from /dev/xen/hypercall. */
static void *hbuf;

/* shared_info frame of @dom via XEN_DOMCTL_getdomaininfo, 0 on error. */
static xen_pfn_t shared_info_frame(int fd, domid_t dom)
{
	uint8_t *d = hbuf;
	long rc;

	memset(d, 0, 256);
	*(uint32_t *)(d + 0) = XEN_DOMCTL_getdomaininfo;
	*(uint32_t *)(d + 4) = XEN_DOMCTL_INTERFACE_VERSION;
	*(uint16_t *)(d + 8) = dom;
	/* u.getdomaininfo starts at 16; shared_info_frame at +48 */
	rc = hypercall(fd, HYP_domctl, (uintptr_t)d, 0);
	if (rc < 0 || *(uint16_t *)(d + 16) != dom)
		return 0;
	return *(uint64_t *)(d + 16 + 48);
}

static void *map_privcmd(int fd, size_t pages)
{
	void *p = mmap(NULL, pages * page_size, PROT_READ | PROT_WRITE,
		       MAP_SHARED, fd, 0);

	return p == MAP_FAILED ? NULL : p;
}

/* Can this process read @p? (write() from it into a pipe: EFAULT if not) */
static bool readable(const void *p)
{
	int pfd[2];
	bool ok;

	if (pipe(pfd))
		return false;
	ok = write(pfd[1], p, 1) == 1;
	close(pfd[0]);
	close(pfd[1]);
	return ok;
}

static sigjmp_buf touch_env;

static void touch_handler(int sig)
{
	siglongjmp(touch_env, sig);
}

/* The signal that touching @p raises (0: none), in this process. */
static int touch_signal(const volatile char *p)
{
	struct sigaction sa = { .sa_handler = touch_handler }, obus, osegv;
	int sig;

	sigaction(SIGBUS, &sa, &obus);
	sigaction(SIGSEGV, &sa, &osegv);
	sig = sigsetjmp(touch_env, 1);
	if (!sig) {
		(void)*p;
		sig = 0;
	}
	sigaction(SIGBUS, &obus, NULL);
	sigaction(SIGSEGV, &osegv, NULL);
	return sig;
}

static int batch_v2(int fd, domid_t dom, void *addr, xen_pfn_t *arr, int *err,
		    unsigned int num)
{
	struct privcmd_mmapbatch_v2 m = {
		.num = num, .dom = dom, .addr = (uintptr_t)addr, .arr = arr, .err = err,
	};

	return ioctl(fd, IOCTL_PRIVCMD_MMAPBATCH_V2, &m);
}

static void test_basic(int fd)
{
	long rc;

	rc = hypercall(fd, HYP_xen_version, XENVER_version, 0);
	if (rc >= 0x40000)
		pass("hypercall/xen_version");
	else
		fail("hypercall/xen_version", "rc %ld errno %d", rc, errno);
	printf("  xen version %ld.%ld\n", rc >> 16, rc & 0xffff);

	/* extraversion into a bad pointer: Xen answers -EFAULT */
	rc = hypercall(fd, HYP_xen_version, XENVER_extraversion, 8);
	expect_errno("hypercall/bad-buffer", rc, EFAULT);
	rc = ioctl(fd, IOCTL_PRIVCMD_HYPERCALL, (void *)8);
	expect_errno("hypercall/bad-arg", rc, EFAULT);
	rc = hypercall(fd, 63, 0, 0);
	expect_errno("hypercall/unknown-op", rc, ENOSYS);

	rc = ioctl(fd, _IOC(_IOC_NONE, 'P', 42, 8), NULL);
	expect_errno("ioctl/unknown", rc, ENOTTY);
	rc = ioctl(fd, _IOC(_IOC_NONE, 'Q', 0, sizeof(struct privcmd_hypercall)), NULL);
	expect_errno("ioctl/unknown-type", rc, ENOTTY);

	{
		struct privcmd_irqfd irq = { 0 };
		struct privcmd_ioeventfd ioe = { 0 };
		struct privcmd_pcidev_get_gsi g = { .sbdf = 0xffff0000 };
		/* Known where the uapi has them (test_eventfd), else unknown. */
		if (!kernel_at_least(6, 7)) {
			rc = ioctl(fd, IOCTL_PRIVCMD_IRQFD, &irq);
			expect_errno("ioctl/irqfd", rc, ENOTTY);
			rc = ioctl(fd, IOCTL_PRIVCMD_IOEVENTFD, &ioe);
			expect_errno("ioctl/ioeventfd", rc, ENOTTY);
		} else {
			rc = ioctl(fd, IOCTL_PRIVCMD_IRQFD, &irq);
			if (rc < 0 && errno != ENOTTY)
				pass("ioctl/irqfd");
			else
				fail("ioctl/irqfd", "rc %ld errno %d", rc, errno);
			rc = ioctl(fd, IOCTL_PRIVCMD_IOEVENTFD, &ioe);
			if (rc < 0 && errno != ENOTTY)
				pass("ioctl/ioeventfd");
			else
				fail("ioctl/ioeventfd", "rc %ld errno %d", rc, errno);
		}
		rc = ioctl(fd, IOCTL_PRIVCMD_PCIDEV_GET_GSI, &g);
		if (!kernel_at_least(6, 12)) {
			expect_errno("ioctl/pcidev-get-gsi", rc, ENOTTY);
		} else {
			/* Known to the kernel: the Xen ACPI code's answer for
			 * a device pciback does not know (EOPNOTSUPP without
			 * pciback), never "unknown ioctl".
			 */
			if (rc < 0 && errno != ENOTTY && errno != EFAULT)
				pass("ioctl/pcidev-get-gsi");
			else
				fail("ioctl/pcidev-get-gsi", "rc %ld errno %d", rc, errno);
			printf("  pcidev-get-gsi of a missing device: errno %d\n", errno);
			rc = ioctl(fd, IOCTL_PRIVCMD_PCIDEV_GET_GSI, (void *)8);
			expect_errno("ioctl/pcidev-get-gsi-bad-arg", rc, EFAULT);
		}
	}
}

static void test_hcall_buf(void)
{
	int fd = open("/dev/xen/hypercall", O_RDWR | O_CLOEXEC);
	unsigned char *p;
	size_t i;
	bool zero = true;
	pid_t pid;
	int st;

	if (fd < 0) {
		fail("hcallbuf/open", "%s", strerror(errno));
		exit(1);
	}
	p = mmap(NULL, 4 * page_size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	if (p == MAP_FAILED && errno == EINVAL)
		pass("hcallbuf/private-refused");
	else
		fail("hcallbuf/private-refused", "MAP_PRIVATE gave %p errno %d", p, errno);
	if (p != MAP_FAILED)
		munmap(p, 4 * page_size);

	p = mmap(NULL, 4 * page_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		fail("hcallbuf/mmap", "%s", strerror(errno));
		exit(1);
	}
	pass("hcallbuf/mmap");
	for (i = 0; i < 4 * (size_t)page_size; i++)
		zero &= p[i] == 0;
	if (zero)
		pass("hcallbuf/zeroed");
	else
		fail("hcallbuf/zeroed", "buffer not zero-filled");
	hbuf = p;

	/* The child of a fork sees the same pages. */
	p[100] = 0x5a;
	pid = fork();
	if (pid == 0)
		_exit(p[100] == 0x5a && readable(p + 3 * page_size) ? 0 : 1);
	if (pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) && !WEXITSTATUS(st))
		pass("hcallbuf/fork-shared");
	else
		fail("hcallbuf/fork-shared", "child did not see the buffer");
	p[100] = 0;

	/* Partial munmap leaves the rest usable; a new mapping is zeroed. */
	{
		unsigned char *q = mmap(NULL, 3 * page_size, PROT_READ | PROT_WRITE,
					MAP_SHARED, fd, 0);

		if (q == MAP_FAILED) {
			fail("hcallbuf/partial-munmap", "mmap: %s", strerror(errno));
		} else {
			q[0] = 1;
			q[2 * page_size] = 2;
			if (munmap(q + page_size, page_size) == 0 && q[0] == 1 &&
			    q[2 * page_size] == 2 && !readable(q + page_size))
				pass("hcallbuf/partial-munmap");
			else
				fail("hcallbuf/partial-munmap", "errno %d", errno);
			munmap(q, page_size);
			munmap(q + 2 * page_size, page_size);
		}
	}
	close(fd);
}

static void test_hypercall_with_buf(int fd)
{
	long rc = hypercall(fd, HYP_xen_version, XENVER_extraversion, (uintptr_t)hbuf);

	if (rc == 0 && memchr(hbuf, 0, 16))
		pass("hypercall/into-hcallbuf");
	else
		fail("hypercall/into-hcallbuf", "rc %ld errno %d", rc, errno);
	printf("  extraversion '%.16s'\n", (char *)hbuf);
	memset(hbuf, 0, page_size);
}

/* Map the shared-info frame of @dom with v1, v2 and MMAP; checks named PFX/... */
static void test_map_domain(int fd, domid_t info_dom, domid_t dom, const char *pfx)
{
	char c[128];
	xen_pfn_t sif = shared_info_frame(fd, info_dom), arr[3];
	int err[3];
	unsigned char *p, *q;
	int rc;

	snprintf(c, sizeof(c), "%s/getdomaininfo", pfx);
	if (!sif) {
		fail(c, "no shared_info frame for domain %u", dom);
		return;
	}
	pass(c);

	p = map_privcmd(fd, 3);
	if (!p) {
		fail("mmap", "%s", strerror(errno));
		return;
	}
	/* V2: good, bad, good frame: per-frame errors, rc 0 */
	arr[0] = sif;
	arr[1] = ~0ULL >> 12;
	arr[2] = sif;
	memset(err, 0x55, sizeof(err));
	rc = batch_v2(fd, dom, p, arr, err, 3);
	snprintf(c, sizeof(c), "%s/v2-per-frame-errors", pfx);
	if (rc == 0 && err[0] == 0 && err[1] < 0 && err[1] != -ENOENT && err[2] == 0)
		pass(c);
	else
		fail(c, "rc %d errno %d err %d %d %d", rc, errno, err[0], err[1], err[2]);
	snprintf(c, sizeof(c), "%s/v2-readable", pfx);
	if (readable(p) && readable(p + 2 * page_size) && !memcmp(p + 2048, p + 2 * page_size + 2048, 1024))
		pass(c);
	else
		fail(c, "mapped frames not readable or different");
	snprintf(c, sizeof(c), "%s/v2-hole-sigbus", pfx);
	rc = touch_signal((char *)p + page_size);
	if (rc == SIGBUS)
		pass(c);
	else
		fail(c, "touching the failed frame gave signal %d, want SIGBUS", rc);

	/* Holes may be filled later, mapped frames not mapped again. */
	snprintf(c, sizeof(c), "%s/v2-fill-hole", pfx);
	arr[0] = sif;
	rc = batch_v2(fd, dom, p + page_size, arr, err, 1);
	if (rc == 0 && err[0] == 0 && readable(p + page_size))
		pass(c);
	else
		fail(c, "rc %d errno %d err %d", rc, errno, err[0]);
	snprintf(c, sizeof(c), "%s/v2-remap-mapped", pfx);
	rc = batch_v2(fd, dom, p, arr, err, 1);
	expect_errno(c, rc, EINVAL);

	/* Partial munmap: refused, a foreign VMA is never split (in-tree too). */
	snprintf(c, sizeof(c), "%s/partial-munmap-refused", pfx);
	rc = munmap(p + page_size, page_size);
	if (rc < 0 && errno == EINVAL && readable(p) && readable(p + page_size) &&
	    readable(p + 2 * page_size))
		pass(c);
	else
		fail(c, "rc %d errno %d", rc, errno);
	snprintf(c, sizeof(c), "%s/partial-mprotect-refused", pfx);
	rc = mprotect(p, page_size, PROT_READ);
	expect_errno(c, rc, EINVAL);

	/* fork: the child does not inherit foreign mappings (VM_DONTCOPY) */
	snprintf(c, sizeof(c), "%s/fork-dontcopy", pfx);
	{
		pid_t pid = fork();
		int st;

		if (pid == 0)
			_exit(readable(p) ? 1 : 0);
		if (pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) &&
		    !WEXITSTATUS(st) && readable(p))
			pass(c);
		else
			fail(c, "child could read the parent's foreign mapping");
	}
	snprintf(c, sizeof(c), "%s/munmap", pfx);
	rc = munmap(p, 3 * page_size);
	if (rc == 0 && !readable(p))
		pass(c);
	else
		fail(c, "rc %d errno %d", rc, errno);

	/* V1: errors ORed into the frame numbers */
	q = map_privcmd(fd, 2);
	if (q) {
		struct privcmd_mmapbatch m1 = { .num = 2, .dom = dom, .addr = (uintptr_t)q, .arr = arr };

		arr[0] = sif;
		arr[1] = 0xfffffffULL;
		rc = ioctl(fd, IOCTL_PRIVCMD_MMAPBATCH, &m1);
		snprintf(c, sizeof(c), "%s/v1-error-flag", pfx);
		if (rc == 0 && arr[0] == sif &&
		    (arr[1] & PRIVCMD_MMAPBATCH_MFN_ERROR) == PRIVCMD_MMAPBATCH_MFN_ERROR &&
		    readable(q))
			pass(c);
		else
			fail(c, "rc %d errno %d arr %#llx %#llx", rc, errno,
			     (unsigned long long)arr[0], (unsigned long long)arr[1]);
		munmap(q, 2 * page_size);
	}

	/* IOCTL_PRIVCMD_MMAP (ranges) */
	q = map_privcmd(fd, 1);
	if (q) {
		struct privcmd_mmap_entry e = { .va = (uintptr_t)q, .mfn = sif, .npages = 1 };
		struct privcmd_mmap m = { .num = 1, .dom = dom, .entry = &e };

		rc = ioctl(fd, IOCTL_PRIVCMD_MMAP, &m);
		snprintf(c, sizeof(c), "%s/mmap-range", pfx);
		if (rc == 0 && readable(q))
			pass(c);
		else
			fail(c, "rc %d errno %d", rc, errno);
		rc = ioctl(fd, IOCTL_PRIVCMD_MMAP, &m);
		snprintf(c, sizeof(c), "%s/mmap-range-again", pfx);
		expect_errno(c, rc, EINVAL);
		munmap(q, page_size);
	}
}

static void test_batch_errors(int fd)
{
	xen_pfn_t sif = shared_info_frame(fd, 0), arr[4] = { sif, sif, sif, sif };
	int err[4];
	void *p = map_privcmd(fd, 2), *anon;
	struct privcmd_mmapbatch_v2 m;
	int rc;

	if (!p) {
		fail("batch/mmap", "%s", strerror(errno));
		return;
	}
	rc = ioctl(fd, IOCTL_PRIVCMD_MMAPBATCH_V2, (void *)8);
	expect_errno("batch/bad-arg", rc, EFAULT);
	rc = batch_v2(fd, DOMID_SELF, p, arr, err, 0);
	expect_errno("batch/zero-count", rc, EINVAL);
	rc = batch_v2(fd, DOMID_SELF, p, arr, err, 3);
	expect_errno("batch/count-beyond-vma", rc, EINVAL);
	rc = batch_v2(fd, DOMID_SELF, p, arr, err, 1);
	expect_errno("batch/partial-first-map", rc, EINVAL);
	rc = batch_v2(fd, DOMID_SELF, (char *)p + page_size, arr, err, 1);
	expect_errno("batch/not-at-start", rc, EINVAL);
	rc = batch_v2(fd, DOMID_SELF, p, (xen_pfn_t *)8, err, 2);
	expect_errno("batch/bad-frame-array", rc, EFAULT);
	m = (struct privcmd_mmapbatch_v2){ .num = 2, .dom = DOMID_SELF, .addr = (uintptr_t)p,
					   .arr = arr, .err = (int *)(~0UL - 3) };
	rc = ioctl(fd, IOCTL_PRIVCMD_MMAPBATCH_V2, &m);
	expect_errno("batch/bad-error-array", rc, EFAULT);
	anon = mmap(NULL, 2 * page_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	rc = batch_v2(fd, DOMID_SELF, anon, arr, err, 2);
	expect_errno("batch/not-privcmd-vma", rc, EINVAL);
	munmap(anon, 2 * page_size);
	rc = batch_v2(fd, DOMID_SELF, p, arr, err, 2);
	expect_errno("batch/whole-vma", rc, 0);
	munmap(p, 2 * page_size);
	rc = batch_v2(fd, DOMID_SELF, p, arr, err, 2);
	expect_errno("batch/after-munmap", rc, EINVAL);
	skip("batch/paged-out", "no paged-out frames without xenpaging");
}

static bool set_param(const char *name, unsigned int v)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "/sys/module/xen_privcmd/parameters/%s", name);
	f = fopen(path, "w");
	if (!f)
		return false;
	fprintf(f, "%u\n", v);
	return fclose(f) == 0;
}

static void test_dm_op(int fd)
{
	char buf[16] = { 0 }, big[8192];
	struct privcmd_dm_op_buf b[17];
	struct privcmd_dm_op op = { .dom = 0, .num = 0, .ubufs = b };
	FILE *f;
	unsigned int max = 0, maxsize = 0;
	int rc, i;

	for (i = 0; i < 17; i++)
		b[i] = (struct privcmd_dm_op_buf){ buf, sizeof(buf) };
	f = fopen("/sys/module/xen_privcmd/parameters/dm_op_max_nr_bufs", "r");
	if (f && fscanf(f, "%u", &max) == 1 && max == 16)
		pass("dm_op/param-max-nr-bufs");
	else
		fail("dm_op/param-max-nr-bufs", "want 16, have %u", max);
	if (f)
		fclose(f);
	f = fopen("/sys/module/xen_privcmd/parameters/dm_op_buf_max_size", "r");
	if (f && fscanf(f, "%u", &maxsize) == 1 && maxsize == 4096)
		pass("dm_op/param-buf-max-size");
	else
		fail("dm_op/param-buf-max-size", "want 4096, have %u", maxsize);
	if (f)
		fclose(f);

	rc = ioctl(fd, IOCTL_PRIVCMD_DM_OP, &op);
	expect_errno("dm_op/zero-bufs", rc, 0);
	op.num = 17;
	rc = ioctl(fd, IOCTL_PRIVCMD_DM_OP, &op);
	expect_errno("dm_op/too-many-bufs", rc, E2BIG);
	op.num = 1;
	b[0] = (struct privcmd_dm_op_buf){ big, 4097 };
	rc = ioctl(fd, IOCTL_PRIVCMD_DM_OP, &op);
	expect_errno("dm_op/buf-too-big", rc, E2BIG);
	b[0] = (struct privcmd_dm_op_buf){ (void *)8, 16 };
	rc = ioctl(fd, IOCTL_PRIVCMD_DM_OP, &op);
	expect_errno("dm_op/bad-buf", rc, EFAULT);
	op.ubufs = (void *)8;
	rc = ioctl(fd, IOCTL_PRIVCMD_DM_OP, &op);
	expect_errno("dm_op/bad-buf-array", rc, EFAULT);
	op.ubufs = b;
	b[0] = (struct privcmd_dm_op_buf){ buf, sizeof(buf) };
	rc = ioctl(fd, IOCTL_PRIVCMD_DM_OP, &op);
	/* Dom0 is not an HVM domain: Xen refuses, whatever the op. */
	if (rc < 0 && errno != EFAULT && errno != E2BIG && errno != ENOTTY)
		pass("dm_op/reaches-xen");
	else
		fail("dm_op/reaches-xen", "rc %d errno %d", rc, errno);
	printf("  dm_op on Dom0: errno %d (%s)\n", errno, strerror(errno));

	/* The limit is a live parameter (Xen itself takes at most 2 buffers). */
	op.num = 2;
	b[1] = b[0];
	if (set_param("dm_op_max_nr_bufs", 1)) {
		rc = ioctl(fd, IOCTL_PRIVCMD_DM_OP, &op);
		expect_errno("dm_op/param-lowered", rc, E2BIG);
		set_param("dm_op_max_nr_bufs", 16);
		rc = ioctl(fd, IOCTL_PRIVCMD_DM_OP, &op);
		if (rc < 0 && errno != E2BIG)
			pass("dm_op/param-restored");
		else
			fail("dm_op/param-restored", "rc %d errno %d", rc, errno);
	} else {
		fail("dm_op/param-lowered", "cannot write the parameter");
	}
}

/* Resources of another domain (Xen refuses Dom0's own with EPERM). */
static void test_resource(int fd, domid_t dom)
{
	struct privcmd_mmap_resource r = { .dom = dom, .type = XENMEM_resource_grant_table };
	unsigned char *p;
	int rc;

	rc = ioctl(fd, IOCTL_PRIVCMD_MMAP_RESOURCE, &r);
	if (rc == 0 && r.num > 0)
		pass("resource/size-query");
	else
		fail("resource/size-query", "rc %d errno %d num %llu", rc, errno,
		     (unsigned long long)r.num);
	printf("  grant table of domain %u: up to %llu frames\n", dom, (unsigned long long)r.num);
	r.num = 1;
	r.addr = 0;
	rc = ioctl(fd, IOCTL_PRIVCMD_MMAP_RESOURCE, &r);
	expect_errno("resource/num-without-addr", rc, EINVAL);
	rc = ioctl(fd, IOCTL_PRIVCMD_MMAP_RESOURCE, (void *)8);
	expect_errno("resource/bad-arg", rc, EFAULT);

	p = map_privcmd(fd, 1);
	if (!p)
		return;
	r.addr = (uintptr_t)p;
	r.num = 1;
	rc = ioctl(fd, IOCTL_PRIVCMD_MMAP_RESOURCE, &r);
	if (rc == 0 && readable(p))
		pass("resource/map-grant-table");
	else
		fail("resource/map-grant-table", "rc %d errno %d", rc, errno);
	munmap(p, page_size);
	{
		void *anon = mmap(NULL, page_size, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		r.addr = (uintptr_t)anon;
		rc = ioctl(fd, IOCTL_PRIVCMD_MMAP_RESOURCE, &r);
		expect_errno("resource/not-privcmd-vma", rc, EINVAL);
		munmap(anon, page_size);
	}
}

/* Restricted to @own (a guest, or DOMID_SELF): other domains are refused. */
static void test_restrict(domid_t own)
{
	domid_t other = own == DOMID_SELF ? 1 : 0;
	int fd = open_privcmd(), rc, err[1];
	domid_t d = own, o = other;
	xen_pfn_t sif, arr[1];
	struct privcmd_dm_op op = { .dom = other, .num = 0 };
	struct privcmd_mmap_resource r = { .dom = other, .type = XENMEM_resource_grant_table };
	struct privcmd_mmap_entry e = { 0 };
	struct privcmd_mmap m = { .num = 1, .dom = other, .entry = &e };
	void *p;

	sif = shared_info_frame(fd, own == DOMID_SELF ? 0 : own);
	rc = ioctl(fd, IOCTL_PRIVCMD_RESTRICT, (void *)8);
	expect_errno("restrict/bad-arg", rc, EFAULT);
	rc = ioctl(fd, IOCTL_PRIVCMD_RESTRICT, &d);
	expect_errno("restrict/set", rc, 0);
	rc = ioctl(fd, IOCTL_PRIVCMD_RESTRICT, &d);
	expect_errno("restrict/same-again", rc, 0);
	rc = ioctl(fd, IOCTL_PRIVCMD_RESTRICT, &o);
	expect_errno("restrict/other", rc, EINVAL);
	rc = hypercall(fd, HYP_xen_version, XENVER_version, 0);
	expect_errno("restrict/hypercall-refused", rc, EPERM);

	p = map_privcmd(fd, 1);
	arr[0] = sif;
	rc = batch_v2(fd, other, p, arr, err, 1);
	expect_errno("restrict/batch-other-domain", rc, EPERM);
	{
		struct privcmd_mmapbatch m1 = { .num = 1, .dom = other, .addr = (uintptr_t)p, .arr = arr };

		rc = ioctl(fd, IOCTL_PRIVCMD_MMAPBATCH, &m1);
		expect_errno("restrict/batch-v1-other-domain", rc, EPERM);
	}
	rc = ioctl(fd, IOCTL_PRIVCMD_MMAP, &m);
	expect_errno("restrict/mmap-other-domain", rc, EPERM);
	rc = ioctl(fd, IOCTL_PRIVCMD_DM_OP, &op);
	expect_errno("restrict/dm_op-other-domain", rc, EPERM);
	rc = ioctl(fd, IOCTL_PRIVCMD_MMAP_RESOURCE, &r);
	expect_errno("restrict/resource-other-domain", rc, EPERM);
	/* ... and its own domain still works */
	rc = batch_v2(fd, own, p, arr, err, 1);
	if (rc == 0 && err[0] == 0 && readable(p))
		pass("restrict/batch-own-domain");
	else
		fail("restrict/batch-own-domain", "rc %d errno %d err %d", rc, errno, err[0]);
	munmap(p, page_size);
	close(fd);

	/* A VMA of another open file is not this file's to fill. */
	{
		int fd1 = open_privcmd(), fd2 = open_privcmd();

		p = map_privcmd(fd1, 1);
		rc = batch_v2(fd2, DOMID_SELF, p, arr, err, 1);
		if (rc == 0)
			printf("  cross-file VMA accepted (in-tree behaviour)\n");
		else
			printf("  cross-file VMA refused: errno %d\n", errno);
		pass("restrict/cross-file-vma-no-crash");
		munmap(p, page_size);
		close(fd1);
		close(fd2);
	}
}

/* Many map/unmap cycles and exits with live mappings: nothing may leak. */
static void test_churn(int loops)
{
	int i, fd = open_privcmd(), err[8];
	xen_pfn_t sif = shared_info_frame(fd, 0), arr[8];
	bool ok = true;

	for (i = 0; i < 8; i++)
		arr[i] = sif;
	for (i = 0; i < loops && ok; i++) {
		void *p = map_privcmd(fd, 8);

		ok = p && batch_v2(fd, DOMID_SELF, p, arr, err, 8) == 0 && readable(p);
		if (p)
			munmap(p, 8 * page_size);
	}
	if (ok)
		pass("churn/map-unmap");
	else
		fail("churn/map-unmap", "iteration %d errno %d", i, errno);

	for (i = 0; i < 20; i++) {
		pid_t pid = fork();
		int st;

		if (pid == 0) {
			int cfd = open_privcmd();
			void *p = map_privcmd(cfd, 8);

			_exit(p && batch_v2(cfd, DOMID_SELF, p, arr, err, 8) == 0 ? 0 : 1);
		}
		if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st))
			break;
	}
	if (i == 20)
		pass("churn/exit-with-mappings");
	else
		fail("churn/exit-with-mappings", "child %d failed", i);
	close(fd);
}

static int guest_ticker(void)
{
	const off_t off = 2 << 20;
	char *wb, *rb;
	unsigned long n;
	int fd;

	if (fork() != 0)
		return 0;
	setsid();
	fd = open("/dev/xvda", O_RDWR | O_DIRECT | O_SYNC);
	if (fd < 0 || posix_memalign((void **)&wb, 4096, 4096) ||
	    posix_memalign((void **)&rb, 4096, 4096)) {
		printf("GUEST-TICK 0 FAIL open: %s\n", strerror(errno));
		_exit(1);
	}
	for (n = 1;; n++) {
		bool ok;

		memset(wb, 0, 4096);
		snprintf(wb, 4096, "tick-%08lu\n", n);
		memset(rb, 0xff, 4096);
		ok = pwrite(fd, wb, 4096, off) == 4096 && pread(fd, rb, 4096, off) == 4096 &&
		     !memcmp(wb, rb, 4096);
		printf("GUEST-TICK %lu %s\n", n, ok ? "OK" : "FAIL");
		fflush(stdout);
		sleep(1);
	}
}

/* ------------------------------------------------------- IRQFD / IOEVENTFD */

#define PRIVCMD_IRQFD_FLAG_DEASSIGN 1u
#define PRIVCMD_IOEVENTFD_FLAG_DEASSIGN 1u

static const char *impl = "";	/* -i ours|intree: which module serves the device */

static int irqfd(int fd, int efd, domid_t dom, const void *op, uint32_t size, uint32_t flags)
{
	struct privcmd_irqfd a = {
		.dm_op = (uintptr_t)op, .size = size, .fd = efd, .flags = flags, .dom = dom,
	};

	return ioctl(fd, IOCTL_PRIVCMD_IRQFD, &a);
}

/* Eventfd counter still pending? (read consumes it: 1 = it was, 0 = EAGAIN) */
static int efd_pending(int efd)
{
	uint64_t v;

	return read(efd, &v, sizeof(v)) == sizeof(v) ? 1 : errno == EAGAIN ? 0 : -1;
}

static int efd_signal(int efd)
{
	uint64_t one = 1;

	return write(efd, &one, sizeof(one)) == sizeof(one) ? 0 : -1;
}

/* Wait up to @ms for a kernel log line containing @what after the mark. */
static bool kmsg_seen(int kfd, const char *what, int ms)
{
	char rec[1024];
	ssize_t n;
	int waited = 0;

	for (;;) {
		n = read(kfd, rec, sizeof(rec) - 1);
		if (n > 0) {
			rec[n] = 0;
			if (strstr(rec, what))
				return true;
			continue;
		}
		if (n < 0 && errno == EPIPE)
			continue;
		if (waited >= ms)
			return false;
		usleep(50000);
		waited += 50;
	}
}

static void test_eventfd(int fd)
{
	/* struct xen_dm_op with an op number Xen does not have */
	static const uint32_t bad_op[4] = { 0xffff, 0, 0, 0 };
	static uint8_t big[8192];
	struct privcmd_ioeventfd io;
	domid_t dom = guest != 0xffff ? guest : 0, other = dom + 1;
	int efd, efd2, fd2, kfd, rc, i, p;
	long lrc;

	if (!kernel_at_least(6, 7))
		return;	/* not in this uapi: ENOTTY, checked in test_basic */
	rc = irqfd(fd, -1, 0, NULL, 0, 2);
	if (rc < 0 && errno == EOPNOTSUPP) {
		if (!strcmp(impl, "ours")) {
			fail("irqfd/implemented", "-EOPNOTSUPP from our module");
		} else {
			pass("irqfd/not-configured");
			skip("irqfd", "the in-tree module is built without CONFIG_XEN_PRIVCMD_EVENTFD");
		}
		return;
	}
	expect_errno("irqfd/bad-flags", rc, EINVAL);
	lrc = ioctl(fd, IOCTL_PRIVCMD_IRQFD, (void *)8);
	expect_errno("irqfd/bad-arg", lrc, EFAULT);

	efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	efd2 = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	kfd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (efd < 0 || efd2 < 0) {
		fail("irqfd/setup", "eventfd: %s", strerror(errno));
		return;
	}
	rc = irqfd(fd, 9999, dom, bad_op, sizeof(bad_op), 0);
	expect_errno("irqfd/closed-fd", rc, EBADF);
	rc = irqfd(fd, fd, dom, bad_op, sizeof(bad_op), 0);
	expect_errno("irqfd/not-an-eventfd", rc, EINVAL);
	rc = irqfd(fd, efd, dom, (void *)8, sizeof(bad_op), 0);
	expect_errno("irqfd/bad-dm-op-pointer", rc, EFAULT);
	rc = irqfd(fd, efd, dom, big, sizeof(big), 0);
	expect_errno("irqfd/dm-op-too-big", rc, E2BIG);
	rc = irqfd(fd, efd, dom, bad_op, sizeof(bad_op), PRIVCMD_IRQFD_FLAG_DEASSIGN);
	expect_errno("irqfd/deassign-unassigned", rc, 0);
	rc = irqfd(fd, 9999, dom, NULL, 0, PRIVCMD_IRQFD_FLAG_DEASSIGN);
	expect_errno("irqfd/deassign-closed-fd", rc, EBADF);

	/* assign; a signal is consumed and issues the dm_op (which Xen refuses) */
	if (kfd >= 0)
		lseek(kfd, 0, SEEK_END);
	rc = irqfd(fd, efd, dom, bad_op, sizeof(bad_op), 0);
	expect_errno("irqfd/assign", rc, 0);
	rc = irqfd(fd, efd, dom, bad_op, sizeof(bad_op), 0);
	expect_errno("irqfd/duplicate", rc, EBUSY);
	fd2 = open_privcmd();
	rc = irqfd(fd2, efd, dom, bad_op, sizeof(bad_op), 0);
	expect_errno("irqfd/duplicate-other-file", rc, EBUSY);
	efd_signal(efd);
	usleep(200000);
	p = efd_pending(efd);
	if (p == 0)
		pass("irqfd/signal-consumed");
	else
		fail("irqfd/signal-consumed", "the eventfd count is still there (%d)", p);
	if (kfd < 0)
		skip("irqfd/signal-issues-dm-op", "no /dev/kmsg");
	else if (kmsg_seen(kfd, "irqfd: dm_op for domain", 3000))
		pass("irqfd/signal-issues-dm-op");
	else
		fail("irqfd/signal-issues-dm-op", "no dm_op failure logged after the signal");
	/* a storm of signals: Dom0 must not mind */
	for (i = 0; i < 2000; i++)
		efd_signal(efd);
	usleep(200000);
	expect_errno("irqfd/storm", efd_pending(efd) == 0 ? 0 : -1, 0);

	rc = irqfd(fd, efd, dom, NULL, 0, PRIVCMD_IRQFD_FLAG_DEASSIGN);
	expect_errno("irqfd/deassign", rc, 0);
	efd_signal(efd);
	usleep(200000);
	p = efd_pending(efd);
	if (p == 1)
		pass("irqfd/deassigned-inactive");
	else
		fail("irqfd/deassigned-inactive", "a signal after deassign was consumed (%d)", p);
	rc = irqfd(fd, efd, dom, NULL, 0, PRIVCMD_IRQFD_FLAG_DEASSIGN);
	expect_errno("irqfd/deassign-twice", rc, 0);

	/* a pending count at assignment is served at once */
	efd_signal(efd);
	rc = irqfd(fd2, efd, dom, bad_op, sizeof(bad_op), 0);
	usleep(200000);
	expect_errno("irqfd/reassign-other-file", rc, 0);
	/* the privcmd file goes away: its irqfd too */
	close(fd2);
	efd_signal(efd);
	usleep(200000);
	efd_pending(efd);
	efd_signal(efd);
	usleep(200000);
	p = efd_pending(efd);
	if (p == 1)
		pass("irqfd/file-release-cleanup");
	else
		fail("irqfd/file-release-cleanup", "still served after the privcmd file was closed (%d)", p);
	rc = irqfd(fd, efd, dom, bad_op, sizeof(bad_op), 0);
	expect_errno("irqfd/assign-after-release", rc, 0);

	/* the eventfd goes away: the irqfd too (a new one on the same file works) */
	rc = irqfd(fd, efd2, dom, bad_op, sizeof(bad_op), 0);
	expect_errno("irqfd/second-eventfd", rc, 0);
	close(efd2);
	usleep(200000);
	efd2 = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	rc = irqfd(fd, efd2, dom, bad_op, sizeof(bad_op), 0);
	expect_errno("irqfd/after-eventfd-close", rc, 0);
	close(efd2);

	/* restricted file: only its own domain */
	fd2 = open_privcmd();
	rc = ioctl(fd2, IOCTL_PRIVCMD_RESTRICT, &dom);
	if (rc) {
		fail("irqfd/restricted", "RESTRICT: %s", strerror(errno));
	} else {
		efd2 = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		rc = irqfd(fd2, efd2, other, bad_op, sizeof(bad_op), 0);
		expect_errno("irqfd/restricted-other-domain", rc, EPERM);
		rc = irqfd(fd2, efd2, other, NULL, 0, PRIVCMD_IRQFD_FLAG_DEASSIGN);
		expect_errno("irqfd/restricted-deassign-other-domain", rc, EPERM);
		rc = irqfd(fd2, efd2, dom, bad_op, sizeof(bad_op), 0);
		expect_errno("irqfd/restricted-own-domain", rc, 0);
		close(efd2);
	}
	close(fd2);
	rc = irqfd(fd, efd, dom, NULL, 0, PRIVCMD_IRQFD_FLAG_DEASSIGN);
	expect_errno("irqfd/final-deassign", rc, 0);

	/* IOEVENTFD: validation (nothing can be assigned on a PV Dom0) */
	efd2 = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	{
		uint32_t ports[2] = { 1, 2 };
		void *pm = map_privcmd(fd, 1);
		struct privcmd_ioeventfd good = {
			.ioreq = (uintptr_t)big, .ports = (uintptr_t)ports, .addr = 0x10000,
			.addr_len = 4, .event_fd = efd2, .vcpus = 1, .dom = dom,
		};

#define IOE(check, field, value, want) do { \
		io = good; io.field = value; \
		expect_errno("ioeventfd/" check, ioctl(fd, IOCTL_PRIVCMD_IOEVENTFD, &io), want); \
	} while (0)
		IOE("bad-flags", flags, 2, EINVAL);
		IOE("addr-overflow", addr, ~0ULL - 2, EINVAL);
		IOE("addr-len-3", addr_len, 3, EINVAL);
		IOE("addr-len-16", addr_len, 16, EINVAL);
		IOE("vcpus-0", vcpus, 0, EINVAL);
		IOE("vcpus-4097", vcpus, 4097, EINVAL);
		IOE("closed-fd", event_fd, 9999, EBADF);
		IOE("not-an-eventfd", event_fd, fd, EINVAL);
		IOE("ioreq-not-mapped", ioreq, 8, EFAULT);
		IOE("ioreq-not-privcmd", ioreq, (uintptr_t)big, EFAULT);
		if (pm)
			IOE("ioreq-pv-mapping", ioreq, (uintptr_t)pm, EFAULT);
		IOE("deassign-unassigned", flags, PRIVCMD_IOEVENTFD_FLAG_DEASSIGN, ENODEV);
		io = good;
		io.flags = PRIVCMD_IOEVENTFD_FLAG_DEASSIGN;
		io.event_fd = 9999;
		expect_errno("ioeventfd/deassign-closed-fd", ioctl(fd, IOCTL_PRIVCMD_IOEVENTFD, &io), EBADF);
		lrc = ioctl(fd, IOCTL_PRIVCMD_IOEVENTFD, (void *)8);
		expect_errno("ioeventfd/bad-arg", lrc, EFAULT);
		fd2 = open_privcmd();
		rc = ioctl(fd2, IOCTL_PRIVCMD_RESTRICT, &dom);
		io = good;
		io.dom = other;
		rc = rc ? rc : ioctl(fd2, IOCTL_PRIVCMD_IOEVENTFD, &io);
		expect_errno("ioeventfd/restricted-other-domain", rc, EPERM);
		close(fd2);
		if (pm)
			munmap(pm, page_size);
	}
	close(efd2);
	close(efd);
	if (kfd >= 0)
		close(kfd);
}

int main(int argc, char **argv)
{
	int loops = 1000, opt, fd;

	if (argc == 1 && access("/dev/xen/privcmd", F_OK) && !access("/dev/xvda", F_OK))
		return guest_ticker();

	setvbuf(stdout, NULL, _IOLBF, 0);
	page_size = sysconf(_SC_PAGESIZE);
	while ((opt = getopt(argc, argv, "d:i:n:")) != -1) {
		switch (opt) {
		case 'd':
			guest = atoi(optarg);
			break;
		case 'i':
			impl = optarg;
			break;
		case 'n':
			loops = atoi(optarg);
			break;
		default:
			fprintf(stderr, "usage: %s [-d GUEST_DOMID] [-i ours|intree] [-n LOOPS]\n", argv[0]);
			return 2;
		}
	}

	fd = open_privcmd();
	pass("open");
	test_hcall_buf();
	test_basic(fd);
	test_hypercall_with_buf(fd);
	test_map_domain(fd, 0, DOMID_SELF, "dom0");
	if (guest != 0xffff)
		test_map_domain(fd, guest, guest, "guest");
	else
		skip("guest", "no guest domain given (-d)");
	test_batch_errors(fd);
	test_dm_op(fd);
	test_eventfd(fd);
	if (guest != 0xffff)
		test_resource(fd, guest);
	else
		skip("resource", "no guest domain given (-d)");
	test_restrict(guest != 0xffff ? guest : DOMID_SELF);
	test_churn(loops);
	close(fd);

	printf("%d failed\n", xt_nfail);
	return xt_nfail ? 1 : 0;
}
