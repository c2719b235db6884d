// SPDX-License-Identifier: GPL-2.0-only
/*
 * hostile-dev - the user devices as an attack surface (checklist rule 11;
 * tests/hostile/README.md, scenario hostile-dev). Runs in Dom0, started as root:
 *
 *   1. opens the devices as root, then drops to uid/gid 65534 (nobody), keeping the
 *      file descriptors, like a deprivileged device model holding restricted files;
 *   2. as nobody: opening /dev/xen/{evtchn,privcmd,gntdev,gntalloc,xenbus} and
 *      /proc/xen/privcmd again is refused (EACCES);
 *   3. a restricted evtchn file (IOCTL_EVTCHN_RESTRICT_DOMID) cannot bind a VIRQ, an
 *      unbound port, or another domain's port, nor lift or change its restriction;
 *   4. no evtchn file can NOTIFY or UNBIND a port bound by another open file;
 *   5. a restricted privcmd file (IOCTL_PRIVCMD_RESTRICT) cannot issue a hypercall,
 *      map another domain's memory (MMAP, MMAPBATCH, MMAPBATCH_V2, MMAP_RESOURCE),
 *      send a DM_OP to another domain, or change its restriction;
 *   6. a gntdev file cannot mmap, unmap or release another open file's grant mapping.
 * Every refusal must carry the in-tree errno. Output: "PASS check" /
 * "FAIL check: detail"; exit status 1 if a check failed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/types.h>

#include "privcmd-abi.h"
#include "xdtest.h"
typedef uint32_t grant_ref_t;
#include <grp.h>
#include <xen/evtchn.h>
#include <xen/gntalloc.h>
#include <xen/gntdev.h>


#define NOBODY		65534
#define OTHER_DOMID	7	/* a domain that does not exist: restriction target */
#define VIRQ_ENOMEM	12	/* xen/include/public/xen.h */
#define HYPERVISOR_xen_version 17


static int xopen(const char *path, int flags)
{
	int fd = open(path, flags | O_CLOEXEC);

	if (fd < 0)
		fail("setup/open", "%s: %s", path, strerror(errno));
	return fd;
}

static long bind_unbound(int fd, unsigned int dom)
{
	struct ioctl_evtchn_bind_unbound_port b = { .remote_domain = dom };

	return ioctl(fd, IOCTL_EVTCHN_BIND_UNBOUND_PORT, &b);
}

int main(void)
{
	static const char *const nodes[] = {
		"/dev/xen/evtchn", "/dev/xen/privcmd", "/dev/xen/gntdev", "/dev/xen/gntalloc",
		"/dev/xen/xenbus", "/proc/xen/privcmd",
	};
	int ev_r, ev_a, ev_b, pc_r, gd_a, gd_b, ga;
	long port_b = -1, port_a = -1;
	domid_t other = OTHER_DOMID, other2 = OTHER_DOMID + 1;
	void *gmap = MAP_FAILED, *pmap;
	uint64_t gindex = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (getuid() != 0) {
		fail("setup/root", "must be started as root");
		return 1;
	}
	/* ---- as root: the files a privileged process hands to a deprivileged one */
	ev_r = xopen("/dev/xen/evtchn", O_RDWR);
	ev_a = xopen("/dev/xen/evtchn", O_RDWR);
	ev_b = xopen("/dev/xen/evtchn", O_RDWR);
	pc_r = xopen("/dev/xen/privcmd", O_RDWR);
	gd_a = xopen("/dev/xen/gntdev", O_RDWR);
	gd_b = xopen("/dev/xen/gntdev", O_RDWR);
	ga = xopen("/dev/xen/gntalloc", O_RDWR);
	if (ev_r < 0 || ev_a < 0 || ev_b < 0 || pc_r < 0 || gd_a < 0 || gd_b < 0 || ga < 0)
		return 1;
	{
		struct ioctl_evtchn_restrict_domid r = { .domid = OTHER_DOMID };

		expect_errno("evtchn/restrict", ioctl(ev_r, IOCTL_EVTCHN_RESTRICT_DOMID, &r), 0);
	}
	expect_errno("privcmd/restrict", ioctl(pc_r, IOCTL_PRIVCMD_RESTRICT, &other), 0);
	port_a = bind_unbound(ev_a, 0);
	port_b = bind_unbound(ev_b, 0);
	if (port_a <= 0 || port_b <= 0)
		fail("setup/evtchn-ports", "BIND_UNBOUND_PORT: %s", strerror(errno));
	/* a grant of Dom0's own page to Dom0, mapped through file A */
	{
		struct ioctl_gntalloc_alloc_gref a = { .domid = 0, .flags = GNTALLOC_FLAG_WRITABLE, .count = 1 };
		struct ioctl_gntdev_map_grant_ref m = { .count = 1 };

		if (ioctl(ga, IOCTL_GNTALLOC_ALLOC_GREF, &a) < 0) {
			fail("setup/gntalloc", "ALLOC_GREF: %s", strerror(errno));
		} else {
			m.refs[0].domid = 0;
			m.refs[0].ref = a.gref_ids[0];
			if (ioctl(gd_a, IOCTL_GNTDEV_MAP_GRANT_REF, &m) < 0) {
				fail("setup/gntdev-map", "MAP_GRANT_REF: %s", strerror(errno));
			} else {
				gindex = m.index;
				gmap = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, gd_a, gindex);
				if (gmap == MAP_FAILED)
					fail("setup/gntdev-mmap", "mmap of file A: %s", strerror(errno));
			}
		}
	}

	/* ---- drop to nobody, keep the files */
	if (setgroups(0, NULL) < 0 || setgid(NOBODY) < 0 || setuid(NOBODY) < 0) {
		fail("setup/setuid", "%s", strerror(errno));
		return 1;
	}
	expect_errno("nobody/setuid-back-refused", setuid(0), EPERM);
	for (size_t i = 0; i < sizeof(nodes) / sizeof(nodes[0]); i++) {
		char check[80];
		int fd = open(nodes[i], O_RDWR | O_CLOEXEC);

		snprintf(check, sizeof(check), "nobody/open%s", nodes[i]);
		for (char *p = check + 11; *p; p++)
			if (*p == '/')
				*p = '-';
		if (fd >= 0)
			close(fd);
		expect_errno(check, fd, EACCES);
	}

	/* ---- restricted evtchn file, used by nobody */
	{
		struct ioctl_evtchn_bind_virq v = { .virq = VIRQ_ENOMEM };
		struct ioctl_evtchn_bind_interdomain d = { .remote_domain = 0, .remote_port = port_b };
		struct ioctl_evtchn_restrict_domid r0 = { .domid = 0 }, r2 = { .domid = OTHER_DOMID + 1 };

		expect_errno("evtchn-restricted/bind-virq", ioctl(ev_r, IOCTL_EVTCHN_BIND_VIRQ, &v), EACCES);
		expect_errno("evtchn-restricted/bind-unbound", bind_unbound(ev_r, 0), EACCES);
		expect_errno("evtchn-restricted/bind-unbound-own-domid", bind_unbound(ev_r, OTHER_DOMID), EACCES);
		expect_errno("evtchn-restricted/bind-interdomain-dom0",
		       ioctl(ev_r, IOCTL_EVTCHN_BIND_INTERDOMAIN, &d), EACCES);
		expect_errno("evtchn-restricted/restrict-dom0", ioctl(ev_r, IOCTL_EVTCHN_RESTRICT_DOMID, &r0), EACCES);
		expect_errno("evtchn-restricted/restrict-other", ioctl(ev_r, IOCTL_EVTCHN_RESTRICT_DOMID, &r2), EACCES);
	}
	/* ---- another open file's ports (restricted or not) */
	{
		struct ioctl_evtchn_notify nb = { .port = port_b };
		struct ioctl_evtchn_unbind ub = { .port = port_b };

		expect_errno("evtchn-cross/notify", ioctl(ev_a, IOCTL_EVTCHN_NOTIFY, &nb), ENOTCONN);
		expect_errno("evtchn-cross/unbind", ioctl(ev_a, IOCTL_EVTCHN_UNBIND, &ub), ENOTCONN);
		expect_errno("evtchn-cross/notify-restricted", ioctl(ev_r, IOCTL_EVTCHN_NOTIFY, &nb), ENOTCONN);
		expect_errno("evtchn-cross/unbind-restricted", ioctl(ev_r, IOCTL_EVTCHN_UNBIND, &ub), ENOTCONN);
		/* the owner still has it */
		expect_errno("evtchn-cross/owner-notify", ioctl(ev_b, IOCTL_EVTCHN_NOTIFY, &nb), 0);
		expect_errno("evtchn-cross/owner-unbind", ioctl(ev_b, IOCTL_EVTCHN_UNBIND, &ub), 0);
	}

	/* ---- restricted privcmd file, used by nobody */
	{
		struct privcmd_hypercall h = { .op = HYPERVISOR_xen_version };
		xen_pfn_t arr[1] = { 0 };
		int err[1] = { 0 };
		struct privcmd_mmapbatch_v2 b2 = { .num = 1, .dom = 0, .arr = arr, .err = err };
		struct privcmd_mmapbatch b1 = { .num = 1, .dom = 0, .arr = arr };
		struct privcmd_mmap_entry e = { .va = 0, .mfn = 0, .npages = 1 };
		struct privcmd_mmap m = { .num = 1, .dom = 0, .entry = &e };
		struct privcmd_dm_op op = { .dom = 0, .num = 0 };
		struct privcmd_mmap_resource res = { .dom = 0, .type = 1 /* grant table */, .num = 1 };

		pmap = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, pc_r, 0);
		if (pmap == MAP_FAILED) {
			fail("privcmd-restricted/mmap-setup", "%s", strerror(errno));
		} else {
			b2.addr = b1.addr = e.va = res.addr = (uintptr_t)pmap;
			expect_errno("privcmd-restricted/hypercall", ioctl(pc_r, IOCTL_PRIVCMD_HYPERCALL, &h), EPERM);
			expect_errno("privcmd-restricted/mmapbatch-v2-dom0", ioctl(pc_r, IOCTL_PRIVCMD_MMAPBATCH_V2, &b2), EPERM);
			expect_errno("privcmd-restricted/mmapbatch-dom0", ioctl(pc_r, IOCTL_PRIVCMD_MMAPBATCH, &b1), EPERM);
			expect_errno("privcmd-restricted/mmap-dom0", ioctl(pc_r, IOCTL_PRIVCMD_MMAP, &m), EPERM);
			expect_errno("privcmd-restricted/dm-op-dom0", ioctl(pc_r, IOCTL_PRIVCMD_DM_OP, &op), EPERM);
			expect_errno("privcmd-restricted/mmap-resource-dom0",
			       ioctl(pc_r, IOCTL_PRIVCMD_MMAP_RESOURCE, &res), EPERM);
			munmap(pmap, 4096);
		}
		expect_errno("privcmd-restricted/restrict-other", ioctl(pc_r, IOCTL_PRIVCMD_RESTRICT, &other2), EINVAL);
	}

	/* ---- another open file's grant mapping */
	if (gmap != MAP_FAILED) {
		struct ioctl_gntdev_unmap_grant_ref u = { .index = gindex, .count = 1 };
		struct ioctl_gntdev_set_max_grants mg = { .count = 1 };
		void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, gd_b, gindex);

		if (p != MAP_FAILED)
			munmap(p, 4096);
		expect_errno("gntdev-cross/mmap", p == MAP_FAILED ? -1 : 0, EINVAL);
		expect_errno("gntdev-cross/unmap", ioctl(gd_b, IOCTL_GNTDEV_UNMAP_GRANT_REF, &u), ENOENT);
		(void)mg;
		/* the owner still has it, and the page is reachable */
		((volatile char *)gmap)[0] = 'x';
		munmap(gmap, 4096);
		expect_errno("gntdev-cross/owner-unmap", ioctl(gd_a, IOCTL_GNTDEV_UNMAP_GRANT_REF, &u), 0);
	}
	close(ev_r);
	close(ev_a);
	close(ev_b);
	close(pc_r);
	close(gd_a);
	close(gd_b);
	close(ga);
	printf("hostile-dev: %d passed, %d failed\n", xt_npass, xt_nfail);
	return xt_nfail ? 1 : 0;
}
