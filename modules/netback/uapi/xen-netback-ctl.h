/* SPDX-License-Identifier: GPL-2.0-only WITH Linux-syscall-note */
/*
 * xen-netback-ctl.h - the ioctls of /dev/xen/netback, the control device
 * of xen-netback (modules/netback).
 *
 * A vif is named by the guest's domain id and the vif's handle (its
 * netdev is vif<domid>.<handle>).  Directions are named from the guest:
 * "guest_tx" is what the guest transmits (into Dom0), "guest_rx" what the
 * guest receives.  Every structure has the same layout on 32- and 64-bit
 * user space (no implicit padding; user pointers are carried in __u64).
 *
 * Errors: -ENODEV no vif with that domid/handle, -EINVAL a bad argument
 * (queue out of range, rate window 0), -EFAULT a bad user pointer,
 * -ENOTTY an unknown ioctl.
 *
 * read() of the device returns the event stream, one line per event:
 *   <seq> <sec>.<usec> <vifD.N> <event> [key=value ...]
 * events: add (domid= handle=), connect (queues= split=0|1), disconnect,
 * carrier (state=on|off), stall (queue=), unstall (queue=),
 * violation (queue= reason=<rest of line>), rate (bytes= usec=), remove.
 */
#ifndef XEN_NETBACK_CTL_H
#define XEN_NETBACK_CTL_H

#include <linux/ioctl.h>
#include <linux/types.h>

/* xnb_ctl_vif.flags */
#define XNB_CTL_F_CONNECTED	1U	/* rings mapped, serving the guest */
#define XNB_CTL_F_DISABLED	2U	/* shut down for a protocol violation */
#define XNB_CTL_F_CARRIER	4U	/* the netdev's carrier is on */

/**
 * struct xnb_ctl_vif - one vif, as listed by XNB_CTL_LIST
 * @domid: the guest's domain id
 * @handle: the vif's handle in that guest
 * @state: xenbus state of the backend (4 = Connected)
 * @nr_queues: queues connected (0 when not connected)
 * @flags: XNB_CTL_F_*
 * @mtu: MTU of the netdev
 * @ifname: the netdev's name (vifD.N), NUL-terminated
 * @mac: the netdev's MAC address
 * @pad: zero
 * @rate_bytes: guest_tx rate limit: bytes per window; 0 = unlimited
 * @rate_usec: the window in microseconds (0 when unlimited)
 */
struct xnb_ctl_vif {
	__u32 domid;
	__u32 handle;
	__u32 state;
	__u32 nr_queues;
	__u32 flags;
	__u32 mtu;
	char ifname[16];
	__u8 mac[6];
	__u8 pad[2];
	__u64 rate_bytes;
	__u64 rate_usec;
};

/**
 * struct xnb_ctl_list - argument of XNB_CTL_LIST
 * @count: in: entries of the array at @vifs; out: vifs that exist (may be
 *	larger than the capacity: only the first min(capacity, count)
 *	entries are written)
 * @pad: zero
 * @vifs: user pointer to struct xnb_ctl_vif[@count]
 */
struct xnb_ctl_list {
	__u32 count;
	__u32 pad;
	__u64 vifs;
};

/* XNB_CTL_GET_STATS: every queue summed. */
#define XNB_CTL_ALL_QUEUES	0xffffffffU

/**
 * struct xnb_ctl_stats - argument of XNB_CTL_GET_STATS
 *
 * In: @domid, @handle, @queue (0 .. nr_queues - 1, or XNB_CTL_ALL_QUEUES).
 * Out: @nr_queues and the counters, which count since the vif was
 * created (they survive reconnections).
 */
struct xnb_ctl_stats {
	__u32 domid;
	__u32 handle;
	__u32 queue;
	__u32 nr_queues;	/* out: queues that have counters */
	/* What the guest transmits (Dom0 receives on the vif). */
	__u64 guest_tx_packets;
	__u64 guest_tx_bytes;
	__u64 guest_tx_errors;	/* malformed packets answered with an error */
	__u64 guest_tx_dropped;	/* no memory for the packet */
	__u64 guest_tx_gso;	/* GSO packets */
	__u64 guest_tx_csum_fixup;	/* partial checksums set up */
	/* What the guest receives (Dom0 transmits on the vif). */
	__u64 guest_rx_packets;
	__u64 guest_rx_bytes;
	__u64 guest_rx_errors;
	__u64 guest_rx_dropped;	/* no room queued for the guest */
	__u64 guest_rx_gso;
	__u64 guest_rx_expired;	/* not taken within the drain timeout */
	__u64 guest_tx_copy_fail;	/* grant copies that failed */
	__u64 guest_rx_copy_fail;
	__u64 stalls;		/* the guest stopped posting receive buffers */
	__u64 throttled;	/* times the rate limit stopped the queue */
	__u64 violations;	/* protocol violations detected */
	__u64 guest_rx_hash;	/* HASH extras sent with packets */
	__u64 guest_rx_mcast_filtered;	/* multicast it did not ask for */
	__u64 spurious_events;	/* events that found no work (since 0.4.1) */
	__u64 reserved[5];
};

/**
 * struct xnb_ctl_rate - argument of XNB_CTL_SET_RATE and XNB_CTL_GET_RATE
 * @domid: the guest's domain id
 * @handle: the vif's handle
 * @bytes: bytes the guest may transmit per window; 0 = unlimited
 * @usec: the window in microseconds (1 .. 10000000 when @bytes != 0)
 *
 * SET_RATE applies at once to every queue, without reconnecting; the
 * next connection of the guest reads the toolstack's "rate" node again.
 */
struct xnb_ctl_rate {
	__u32 domid;
	__u32 handle;
	__u64 bytes;
	__u64 usec;
};

#define XNB_CTL_LIST		_IOWR('N', 1, struct xnb_ctl_list)
#define XNB_CTL_GET_STATS	_IOWR('N', 2, struct xnb_ctl_stats)
#define XNB_CTL_SET_RATE	_IOW('N', 3, struct xnb_ctl_rate)
#define XNB_CTL_GET_RATE	_IOWR('N', 4, struct xnb_ctl_rate)

#endif /* XEN_NETBACK_CTL_H */
