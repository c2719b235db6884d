// SPDX-License-Identifier: GPL-2.0-only
/*
 * ringpeek DOMID GREF [GREF...]: map a guest's shared-ring pages through
 * /dev/xen/gntdev (read-only) and print the four indices at the start of
 * each (struct xen_*_sring: req_prod, req_event, rsp_prod, rsp_event), for
 * diagnostics from Dom0 (e.g. a vif's tx-ring-ref and rx-ring-ref from the
 * frontend's xenstore directory).  One line per ring:
 *   RING <gref> req_prod=N req_event=N rsp_prod=N rsp_event=N
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

/* <xen/gntdev.h> uses the kernel's names for these. */
typedef uint16_t domid_t;
typedef uint32_t grant_ref_t;

#include <xen/gntdev.h>

int main(int argc, char **argv)
{
	int fd, i, rc = 0;
	unsigned long domid;

	if (argc < 3) {
		fprintf(stderr, "usage: %s DOMID GREF [GREF...]\n", argv[0]);
		return 2;
	}
	domid = strtoul(argv[1], NULL, 0);
	fd = open("/dev/xen/gntdev", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		printf("RING - cannot open /dev/xen/gntdev: %s\n", strerror(errno));
		return 1;
	}
	for (i = 2; i < argc; i++) {
		struct ioctl_gntdev_map_grant_ref map;
		struct ioctl_gntdev_unmap_grant_ref unmap;
		volatile uint32_t *p;

		memset(&map, 0, sizeof(map));
		map.count = 1;
		map.refs[0].domid = domid;
		map.refs[0].ref = strtoul(argv[i], NULL, 0);
		if (ioctl(fd, IOCTL_GNTDEV_MAP_GRANT_REF, &map) < 0) {
			printf("RING %s map: %s\n", argv[i], strerror(errno));
			rc = 1;
			continue;
		}
		p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, map.index);
		if (p == MAP_FAILED) {
			printf("RING %s mmap: %s\n", argv[i], strerror(errno));
			rc = 1;
		} else {
			printf("RING %s req_prod=%u req_event=%u rsp_prod=%u rsp_event=%u\n",
			       argv[i], p[0], p[1], p[2], p[3]);
			munmap((void *)p, 4096);
		}
		memset(&unmap, 0, sizeof(unmap));
		unmap.index = map.index;
		unmap.count = 1;
		ioctl(fd, IOCTL_GNTDEV_UNMAP_GRANT_REF, &unmap);
	}
	close(fd);
	return rc;
}
