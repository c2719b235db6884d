/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * xd_compat.h - the one compat header every xen-dom0 module includes.
 *
 * Kernel API differences are detected by the compile probes in
 * shim/compat/probes/ (run per target kernel by shim/compat/gen-compat.sh,
 * which writes xd_compat_gen.h).  Every preprocessor conditional that
 * depends on the kernel lives here; driver code calls the xd_* helpers and
 * tests the XD_* constants with ordinary C.
 */
#ifndef XD_COMPAT_H
#define XD_COMPAT_H

#include <linux/types.h>
#include <linux/errno.h>
#include <linux/ioctl.h>
#include <xen/interface/xen.h>
#include <xen/interface/event_channel.h>
#include <xen/events.h>
#include <asm/xen/hypercall.h>
#include <xen/evtchn.h>

#include "xd_compat_gen.h"

/* ---- event channels ------------------------------------------------- */

#ifdef HAVE_EVTCHN_MAKE_REFCOUNTED_STATIC
static inline int xd_evtchn_make_refcounted(evtchn_port_t port, bool is_static)
{
	return evtchn_make_refcounted(port, is_static);
}
#else
static inline int xd_evtchn_make_refcounted(evtchn_port_t port, bool is_static)
{
	return is_static ? -EOPNOTSUPP : evtchn_make_refcounted(port);
}
#endif

/*
 * IOCTL_EVTCHN_BIND_STATIC exists where the kernel has static event
 * channels.  Elsewhere the in-tree device answers -ENOSYS, as for any
 * unknown command; define the number so the driver can say the same.
 */
#if defined(HAVE_EVTCHN_MAKE_REFCOUNTED_STATIC) && \
	defined(HAVE_IOCTL_EVTCHN_BIND_STATIC)
#define XD_EVTCHN_HAVE_BIND_STATIC true
#else
#define XD_EVTCHN_HAVE_BIND_STATIC false
#endif

#ifndef HAVE_IOCTL_EVTCHN_BIND_STATIC
#define IOCTL_EVTCHN_BIND_STATIC \
	_IOC(_IOC_NONE, 'E', 7, sizeof(struct ioctl_evtchn_bind))
struct ioctl_evtchn_bind {
	unsigned int port;
};
#endif

#ifdef HAVE_XEN_EVTCHN_CLOSE
static inline void xd_evtchn_close(evtchn_port_t port)
{
	xen_evtchn_close(port);
}
#else
static inline void xd_evtchn_close(evtchn_port_t port)
{
	struct evtchn_close close = { .port = port };

	if (HYPERVISOR_event_channel_op(EVTCHNOP_close, &close))
		pr_warn_ratelimited("xen-dom0: failed to close event channel %u\n",
				    port);
}
#endif

/* ==== privcmd (modules/privcmd) ======================================= */

#include <linux/mm.h>
#include <linux/module.h>
#include <xen/privcmd.h>
#include <xen/acpi.h>

/* vm_flags: see xd_vm_flags_set() in the gntdev section below. */

/*
 * IOCTL_PRIVCMD_IRQFD and IOCTL_PRIVCMD_IOEVENTFD exist in the uapi of
 * newer kernels.  Where they do, the in-tree device of a kernel built
 * without CONFIG_XEN_PRIVCMD_EVENTFD (Debian's) answers -EOPNOTSUPP; where
 * they do not, they are unknown commands (-ENOTTY).
 */
#ifdef HAVE_PRIVCMD_IOCTL_IRQFD
#define XD_PRIVCMD_HAVE_EVENTFD_IOCTLS true
#else
#define XD_PRIVCMD_HAVE_EVENTFD_IOCTLS false
/* The layouts of the newer uapi, so that the (unused) code compiles. */
#define PRIVCMD_IRQFD_FLAG_DEASSIGN BIT(0)
struct privcmd_irqfd {
	__u64 dm_op;
	__u32 size;
	__u32 fd;
	__u32 flags;
	domid_t dom;
	__u8 pad[2];
};

#define PRIVCMD_IOEVENTFD_FLAG_DEASSIGN BIT(0)
struct privcmd_ioeventfd {
	__u64 ioreq;
	__u64 ports;
	__u64 addr;
	__u32 addr_len;
	__u32 event_fd;
	__u32 vcpus;
	__u32 vq;
	__u32 flags;
	domid_t dom;
	__u8 pad[2];
};

#define IOCTL_PRIVCMD_IRQFD _IOC(_IOC_WRITE, 'P', 8, 24)
#define IOCTL_PRIVCMD_IOEVENTFD _IOC(_IOC_WRITE, 'P', 9, 48)
#endif

/*
 * IOCTL_PRIVCMD_PCIDEV_GET_GSI: answered through the Xen ACPI code where
 * the kernel has it; an unknown command elsewhere.
 */
#ifdef HAVE_PRIVCMD_PCIDEV_GET_GSI
#define XD_PRIVCMD_HAVE_GET_GSI true
/*
 * Looked up at run time (symbol_get): an optional import, so the contract
 * need not require it and the module still loads where it is missing.
 */
static inline int xd_privcmd_gsi_from_sbdf(u32 sbdf)
{
	int (*get_gsi)(u32 sbdf) = symbol_get(xen_acpi_get_gsi_from_sbdf);
	int rc;

	if (!get_gsi)
		return -EINVAL;
	rc = get_gsi(sbdf);
	symbol_put(xen_acpi_get_gsi_from_sbdf);
	return rc;
}
#else
#define XD_PRIVCMD_HAVE_GET_GSI false
struct privcmd_pcidev_get_gsi {
	__u32 sbdf;
	__u32 gsi;
};

#define IOCTL_PRIVCMD_PCIDEV_GET_GSI \
	_IOC(_IOC_NONE, 'P', 10, sizeof(struct privcmd_pcidev_get_gsi))
static inline int xd_privcmd_gsi_from_sbdf(u32 sbdf)
{
	return -EINVAL;
}
#endif

/* ==== end of privcmd =================================================== */

/* ==== gntdev (modules/gntdev) ======================================== */

#include <linux/mm.h>

/* vma->vm_flags became read-only in 6.3; vm_flags_set()/_clear() change it. */
#ifdef HAVE_VM_FLAGS_SET
static inline void xd_vm_flags_set(struct vm_area_struct *vma,
				   vm_flags_t flags)
{
	vm_flags_set(vma, flags);
}

static inline void xd_vm_flags_clear(struct vm_area_struct *vma,
				     vm_flags_t flags)
{
	vm_flags_clear(vma, flags);
}
#else
static inline void xd_vm_flags_set(struct vm_area_struct *vma,
				   vm_flags_t flags)
{
	vma->vm_flags |= flags;
}

static inline void xd_vm_flags_clear(struct vm_area_struct *vma,
				     vm_flags_t flags)
{
	vma->vm_flags &= ~flags;
}
#endif

/*
 * The vm op that lets get_user_pages() find the page behind a special PTE
 * (gntdev's grant PTEs on PV): find_special_page, renamed find_normal_page
 * in about 6.18.  Used as a designated initializer in the vm_ops.
 */
#if defined(HAVE_GNTDEV_FIND_SPECIAL_PAGE)
#define XD_GNTDEV_VM_FIND_PAGE(fn) .find_special_page = (fn),
#elif defined(HAVE_GNTDEV_FIND_NORMAL_PAGE)
#define XD_GNTDEV_VM_FIND_PAGE(fn) .find_normal_page = (fn),
#else
#define XD_GNTDEV_VM_FIND_PAGE(fn)
#endif

/* ==== end of gntdev ==================================================== */

#endif /* XD_COMPAT_H */
