/* SPDX-License-Identifier: GPL-2.0-only WITH Linux-syscall-note */
/*
 * xen-blkback-ctl.h - the ioctls of /dev/xen/blkback, the control device
 * of the xen-dom0 block backend.
 *
 * A device is named by the guest's domain id and the virtual device
 * number (the xenstore node backend/vbd/DOMID/DEVID).  read() of the
 * device returns the event stream as text lines (see README.md).
 *
 * Errors: -ENODEV no such device; -EINVAL bad value; -EFAULT bad user
 * pointer; -ENOTTY unknown ioctl.  The layouts are the same for 32- and
 * 64-bit callers.
 */
#ifndef XEN_BLKBACK_CTL_H
#define XEN_BLKBACK_CTL_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define XBB_CTL_NAME_LEN	32

/* Bits of xbb_ctl_dev.flags. */
#define XBB_CTL_F_CONNECTED	0x01U	/* rings mapped, serving */
#define XBB_CTL_F_READONLY	0x02U
#define XBB_CTL_F_CDROM		0x04U
#define XBB_CTL_F_DISCARD	0x08U	/* discard offered */
#define XBB_CTL_F_LIMITED	0x10U	/* an I/O limit is set */

/**
 * struct xbb_ctl_dev - one device, as listed by XBB_CTL_LIST
 * @domid: the guest
 * @devid: the virtual device number
 * @state: xenbus state of the backend (4 = Connected)
 * @nr_queues: queues connected (0 when not connected)
 * @major: backing device (0:0 until the hotplug script named it)
 * @minor: backing device
 * @flags: XBB_CTL_F_*
 * @ring_order: shared ring size, as a page order
 * @sectors: size in 512-byte sectors, as announced to the guest
 * @name: the backend device name, "vbd-DOMID-DEVID"
 */
struct xbb_ctl_dev {
	__u32 domid;
	__u32 devid;
	__u32 state;
	__u32 nr_queues;
	__u32 major;
	__u32 minor;
	__u32 flags;
	__u32 ring_order;
	__u64 sectors;
	char name[XBB_CTL_NAME_LEN];
};

/**
 * struct xbb_ctl_list - argument of XBB_CTL_LIST
 * @count: in: entries @devs can hold; out: devices there are (may be
 *	more than were written: min(in, out) entries are filled)
 * @pad: zero
 * @devs: user pointer to an array of struct xbb_ctl_dev
 */
struct xbb_ctl_list {
	__u32 count;
	__u32 pad;
	__u64 devs;
};

/**
 * struct xbb_ctl_stats - argument of XBB_CTL_GET_STATS
 * @domid: in: the guest
 * @devid: in: the virtual device number
 * @rd_req: read requests
 * @wr_req: write requests
 * @flush_req: flush and barrier requests
 * @discard_req: discard requests
 * @oo_req: times a queue ran out of grant pages and waited
 * @rd_sect: sectors read
 * @wr_sect: sectors written
 * @errors: requests answered with an error (refused, failed I/O)
 * @violations: protocol violations (the device was then shut down)
 * @inflight: requests in flight now
 * @grant_pages: pages mapping the guest's grants now
 * @persistent_grants: persistently mapped grants now (0: not offered)
 * @throttled: requests that waited for the I/O limits
 * @throttle_ns: total time requests waited for the I/O limits
 * @pgnt_reclaimed: persistent grants unmapped after
 *	persistent_grant_unused_seconds unused
 * @pgnt_evicted: persistent grants unmapped to make room for new ones
 *	(the queue kept max_persistent_grants)
 * @reserved: zero
 *
 * @pgnt_reclaimed and @pgnt_evicted were reserved words before 0.2.0 (0
 * from older modules); the size and layout did not change.
 */
struct xbb_ctl_stats {
	__u32 domid;
	__u32 devid;
	__u64 rd_req;
	__u64 wr_req;
	__u64 flush_req;
	__u64 discard_req;
	__u64 oo_req;
	__u64 rd_sect;
	__u64 wr_sect;
	__u64 errors;
	__u64 violations;
	__u64 inflight;
	__u64 grant_pages;
	__u64 persistent_grants;
	__u64 throttled;
	__u64 throttle_ns;
	__u64 pgnt_reclaimed;
	__u64 pgnt_evicted;
	__u64 reserved[6];
};

/**
 * struct xbb_ctl_limits - argument of XBB_CTL_SET_LIMITS / GET_LIMITS
 * @domid: in: the guest
 * @devid: in: the virtual device number
 * @iops: requests per second, 0 = unlimited
 * @bps: bytes per second, 0 = unlimited
 * @iops_burst: requests that may be issued at once after a quiet period
 *	(bucket depth); 0 = a tenth of @iops (at least 1)
 * @bps_burst: bytes likewise; 0 = a tenth of @bps
 * @reserved: zero
 *
 * Every request (read, write, flush, discard) costs one from the
 * request budget; reads and writes cost their size from the byte budget.
 * A request larger than the byte bucket still passes (the bucket goes
 * into debt), so any limit admits every request.  Limits apply to the
 * device as a whole (all its queues), take effect at once and stay until
 * changed or the device goes away.  GET returns the bursts in effect.
 */
struct xbb_ctl_limits {
	__u32 domid;
	__u32 devid;
	__u64 iops;
	__u64 bps;
	__u64 iops_burst;
	__u64 bps_burst;
	__u64 reserved[4];
};

#define XBB_CTL_LIST		_IOWR('B', 1, struct xbb_ctl_list)
#define XBB_CTL_GET_STATS	_IOWR('B', 2, struct xbb_ctl_stats)
#define XBB_CTL_SET_LIMITS	_IOW('B', 3, struct xbb_ctl_limits)
#define XBB_CTL_GET_LIMITS	_IOWR('B', 4, struct xbb_ctl_limits)

#endif /* XEN_BLKBACK_CTL_H */
