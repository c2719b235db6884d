/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * privcmd-abi.h - the user ABI of /dev/xen/privcmd as include/uapi/xen/privcmd.h
 * of the newest kernel under test defines it, spelled out here (the distro's
 * <xen/privcmd.h> lags behind, and its include of xen/interface/xen.h is
 * kernel-only) so that the test programs check the numbers themselves.
 */
#ifndef PRIVCMD_ABI_H
#define PRIVCMD_ABI_H

#include <stddef.h>
#include <stdint.h>
#include <sys/ioctl.h>

typedef uint16_t domid_t;
typedef uint64_t xen_pfn_t;

struct privcmd_hypercall {
	uint64_t op;
	uint64_t arg[5];
};

struct privcmd_mmap_entry {
	uint64_t va;
	uint64_t mfn;
	uint64_t npages;
};

struct privcmd_mmap {
	int num;
	domid_t dom;
	struct privcmd_mmap_entry *entry;
};

struct privcmd_mmapbatch {
	int num;
	domid_t dom;
	uint64_t addr;
	xen_pfn_t *arr;
};

struct privcmd_mmapbatch_v2 {
	unsigned int num;
	domid_t dom;
	uint64_t addr;
	const xen_pfn_t *arr;
	int *err;
};

struct privcmd_dm_op_buf {
	void *uptr;
	size_t size;
};

struct privcmd_dm_op {
	domid_t dom;
	uint16_t num;
	const struct privcmd_dm_op_buf *ubufs;
};

struct privcmd_mmap_resource {
	domid_t dom;
	uint32_t type;
	uint32_t id;
	uint32_t idx;
	uint64_t num;
	uint64_t addr;
};

struct privcmd_irqfd {
	uint64_t dm_op;
	uint32_t size;
	uint32_t fd;
	uint32_t flags;
	domid_t dom;
	uint8_t pad[2];
};

struct privcmd_ioeventfd {
	uint64_t ioreq;
	uint64_t ports;
	uint64_t addr;
	uint32_t addr_len;
	uint32_t event_fd;
	uint32_t vcpus;
	uint32_t vq;
	uint32_t flags;
	domid_t dom;
	uint8_t pad[2];
};

struct privcmd_pcidev_get_gsi {
	uint32_t sbdf;
	uint32_t gsi;
};

#define PRIVCMD_MMAPBATCH_MFN_ERROR 0xf0000000U
#define PRIVCMD_MMAPBATCH_PAGED_ERROR 0x80000000U

#define IOCTL_PRIVCMD_HYPERCALL _IOC(_IOC_NONE, 'P', 0, sizeof(struct privcmd_hypercall))
#define IOCTL_PRIVCMD_MMAP _IOC(_IOC_NONE, 'P', 2, sizeof(struct privcmd_mmap))
#define IOCTL_PRIVCMD_MMAPBATCH _IOC(_IOC_NONE, 'P', 3, sizeof(struct privcmd_mmapbatch))
#define IOCTL_PRIVCMD_MMAPBATCH_V2 _IOC(_IOC_NONE, 'P', 4, sizeof(struct privcmd_mmapbatch_v2))
#define IOCTL_PRIVCMD_DM_OP _IOC(_IOC_NONE, 'P', 5, sizeof(struct privcmd_dm_op))
#define IOCTL_PRIVCMD_RESTRICT _IOC(_IOC_NONE, 'P', 6, sizeof(domid_t))
#define IOCTL_PRIVCMD_MMAP_RESOURCE _IOC(_IOC_NONE, 'P', 7, sizeof(struct privcmd_mmap_resource))
#define IOCTL_PRIVCMD_IRQFD _IOW('P', 8, struct privcmd_irqfd)
#define IOCTL_PRIVCMD_IOEVENTFD _IOW('P', 9, struct privcmd_ioeventfd)
#define IOCTL_PRIVCMD_PCIDEV_GET_GSI _IOC(_IOC_NONE, 'P', 10, sizeof(struct privcmd_pcidev_get_gsi))

_Static_assert(IOCTL_PRIVCMD_HYPERCALL == 0x00305000, "HYPERCALL");
_Static_assert(IOCTL_PRIVCMD_MMAPBATCH_V2 == 0x00205004, "MMAPBATCH_V2");
_Static_assert(IOCTL_PRIVCMD_IRQFD == 0x40185008, "IRQFD");

#endif /* PRIVCMD_ABI_H */
