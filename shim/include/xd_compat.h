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

#endif /* XD_COMPAT_H */
