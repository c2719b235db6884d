/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * netback.h - shared definitions of xen-netback (modules/netback).
 *
 * Directions are named after the rings of the netif protocol: the "tx"
 * ring carries what the guest transmits (received by the vif netdev),
 * the "rx" ring what the guest receives (transmitted by the vif netdev).
 */
#ifndef XD_NETBACK_H
#define XD_NETBACK_H

#include <linux/types.h>
#include <linux/netdevice.h>
#include <linux/skbuff.h>
#include <linux/workqueue.h>
#include <linux/mutex.h>
#include <xen/xenbus.h>
#include <xen/grant_table.h>
#include <xen/interface/io/netif.h>

#include "xd_evlog.h"
#include "netback-check.h"

#define XNB_TX_RING_SIZE	__CONST_RING_SIZE(xen_netif_tx, XEN_PAGE_SIZE)
#define XNB_RX_RING_SIZE	__CONST_RING_SIZE(xen_netif_rx, XEN_PAGE_SIZE)
#define XNB_CTRL_RING_SIZE	__CONST_RING_SIZE(xen_netif_ctrl, XEN_PAGE_SIZE)

/* Upper bound of the queues of a vif (max_queues is clamped to it). */
#define XNB_MAX_QUEUES		64U
/* Upper bound of fatal_skb_slots: sizes the per-packet slot arrays. */
#define XNB_SLOTS_LIMIT		64
/* Extra-info segments per packet: each type at most once. */
#define XNB_EXTRAS_LIMIT	(XNB_EXTRA_TYPE_MAX - 1)
/* Packets per grant-copy batch, and copy operations per batch. */
#define XNB_BATCH		64
#define XNB_COPY_OPS		1024
/* Receive side: packets per run of the work item before it yields. */
#define XNB_RX_BUDGET		256
/* Bytes of a guest packet copied into the linear area of the skb. */
#define XNB_TX_LINEAR		256
/*
 * Receive slots of the largest packet we deliver: 64 KiB after the
 * largest XDP headroom (17 pages), the GSO, XDP and HASH extras.
 */
#define XNB_RX_MAX_SLOTS	(XEN_NETIF_NR_SLOTS_MIN + 2)

/* Event-channel EOI owed by the transmit (NAPI) and receive (work) sides. */
#define XNB_EOI_TX		1
#define XNB_EOI_RX		2

struct xnb_queue;

/**
 * struct xnb_irq - one event channel bound to the frontend
 * @irq: Linux irq, 0 when unbound
 * @eoi: XNB_EOI_* bits: which sides still owe the late EOI
 * @name: irq name (shown in /proc/interrupts)
 */
struct xnb_irq {
	int irq;
	atomic_t eoi;
	char name[IFNAMSIZ + 16];
};

/*
 * One guest packet being built.  The slots of q->tx_pkts are reused for
 * every batch: everything before @ids is per-packet state and is zeroed
 * when a packet is started (xnb_tx_build()), so nothing (a previous GSO
 * packet's gso_size in particular) carries over to the next packet.
 */
struct xnb_tx_pkt {
	struct sk_buff *skb;
	struct page *pages[MAX_SKB_FRAGS];
	unsigned int nr_pages;
	unsigned int linear;	/* bytes in the linear area */
	unsigned int len;	/* bytes of the packet */
	unsigned int first_op, nr_ops;
	unsigned int nr_slots, nr_extras;
	u16 flags;
	u16 gso_size;		/* 0: not a GSO packet */
	u8 gso_type;
	bool has_hash;		/* a HASH extra came with it */
	u8 hash_type;		/* its XNB_HASH_TYPE_* */
	u32 hash;
	u8 mcast_ops;		/* 1 << XNB_EXTRA_TYPE_MCAST_ADD/DEL */
	u8 mcast_add[ETH_ALEN], mcast_del[ETH_ALEN];
	/* Not zeroed: filled for the packet's nr_slots slots. */
	u16 ids[XNB_SLOTS_LIMIT];
};

struct xnb_rx_pkt {
	struct sk_buff *skb;
	unsigned int first_op, nr_ops;
	unsigned int nr_slots;	/* data slots */
	u16 ids[XNB_RX_MAX_SLOTS];
	u16 lens[XNB_RX_MAX_SLOTS];
	bool gso;
	u16 headroom;		/* XDP: the data starts there in slot 0 */
	u8 extras;		/* extra-info slots after slot 0 */
	u8 hash_type;		/* XNB_HASH_TYPE_NONE: no HASH extra */
	u32 hash;
};

/* Per-queue counters; each is written from one context only. */
struct xnb_stats {
	u64 rx_packets, rx_bytes;	/* from the guest */
	u64 tx_packets, tx_bytes;	/* to the guest */
	u64 rx_errors, tx_errors;
	u64 rx_gso, tx_gso, rx_csum_fixup, tx_copy_fail, rx_copy_fail;
	u64 tx_stalls;
	u64 throttled;			/* rate limit stopped the queue */
	u64 tx_hash;			/* HASH extras sent to the guest */
	atomic64_t rx_dropped, tx_dropped, tx_expired;
	atomic64_t mcast_filtered;	/* multicast the guest did not ask for */
	atomic64_t violations;
	atomic64_t spurious;		/* events flagged spurious to Xen */
};

struct xnb_queue {
	struct xnb_vif *vif;
	unsigned int id;
	bool split;

	/* Guest transmit ring, served by NAPI. */
	struct xen_netif_tx_back_ring tx;
	struct xnb_irq tx_irq;
	struct napi_struct napi;
	unsigned int tx_need;	/* slots the next packet waits for */
	bool tx_throttled;	/* out of credit (rate limit) */
	unsigned long long credit_left;
	unsigned long credit_start;	/* jiffies: start of the window */
	struct delayed_work credit_work;	/* resumes NAPI after the window */
	struct gnttab_copy *tx_copy;
	struct xnb_tx_pkt *tx_pkts;

	/* Guest receive ring, served by rx_work. */
	struct xen_netif_rx_back_ring rx;
	struct xnb_irq rx_irq;	/* unused unless split */
	struct delayed_work rx_work;
	struct sk_buff_head rx_queue;	/* lock also covers rx_bytes */
	unsigned int rx_bytes;
	unsigned long rx_progress;	/* jiffies of the last delivery */
	bool rx_stalled;
	struct gnttab_copy *rx_copy;
	struct xnb_rx_pkt *rx_pkts;

	/*
	 * XNB_W_TX / XNB_W_RX: that side did work since its last event
	 * found nothing to do (see xnb_event_eoi()).
	 */
	unsigned long worked;

	struct xnb_stats st;
};

/* Bits of xnb_queue.worked. */
#define XNB_W_TX	0
#define XNB_W_RX	1

/*
 * enum xenbus_state values (xen/interface/io/xenbus.h, fixed by the
 * protocol), named without CamelCase.
 */
#define XNB_UNKNOWN		((enum xenbus_state)0)
#define XNB_INITIALISING	((enum xenbus_state)1)
#define XNB_INITWAIT		((enum xenbus_state)2)
#define XNB_INITIALISED		((enum xenbus_state)3)
#define XNB_CONNECTED		((enum xenbus_state)4)
#define XNB_CLOSING		((enum xenbus_state)5)
#define XNB_CLOSED		((enum xenbus_state)6)
#define XNB_RECONFIGURING	((enum xenbus_state)7)
#define XNB_RECONFIGURED	((enum xenbus_state)8)

/* Bits of xnb_vif.flags. */
#define XNB_F_CONNECTED	0
#define XNB_F_DISABLED	1

/**
 * struct xnb_vif - one vif: the netdev and its connection to a frontend
 * @xdev: the xenbus backend device
 * @dev: the vifD.N netdev
 * @lock: serialises connect, disconnect and removal
 * @flags: XNB_F_* bits
 * @fatal_work: reports a protocol violation through xenbus (sleeps)
 * @fatal_reason: static description of the violation
 * @queues: @nr_queues queues, allocated at connect
 * @stalled: queues whose guest stopped taking packets
 * @node: in the list of vifs of the control device (ctl.c)
 * @ctrl: the control ring, if the frontend offered one (hash.c)
 * @hash: hashing state set through the control ring, under @hash_lock
 * @mcast: multicast filter list, under @mcast_lock
 */
struct xnb_vif {
	struct xenbus_device *xdev;
	struct net_device *dev;
	domid_t domid;
	unsigned int handle;
	struct mutex lock;	/* connect, disconnect, removal */
	unsigned long flags;
	struct work_struct fatal_work;
	const char *fatal_reason;

	/*
	 * The "rate" limit of the guest's transmit: bytes per window.  Read
	 * by NAPI; changed only under @lock with the queues' NAPI disabled.
	 */
	unsigned long long credit_bytes;	/* 0: unlimited */
	unsigned long credit_jiffies;
	unsigned long credit_usec;		/* as set */
	struct xenbus_watch rate_watch;		/* the toolstack's "rate" */

	/*
	 * XDP headroom the frontend asked for ("xdp-headroom"), read at
	 * connect and when it is Reconfiguring; read once per receive batch.
	 */
	unsigned int xdp_headroom;
	bool xdp_offered;	/* feature-xdp-headroom written as 1 (probe) */

	/* Frontend capabilities, read at connect. */
	bool fe_sg, fe_csum, fe_ipv6_csum, fe_gso4, fe_gso6;

	unsigned int nr_queues;
	struct xnb_queue *queues;
	atomic_t stalled;
	struct list_head node;

	/* Control ring (hash.c); ctrl.sring is NULL without one. */
	struct xen_netif_ctrl_back_ring ctrl;
	struct xnb_irq ctrl_irq;	/* eoi: 1 while an EOI is owed */
	struct work_struct ctrl_work;
	struct page *ctrl_page;		/* grant-copy target (key, table) */

	spinlock_t hash_lock;		/* @hash; readers in any context */
	struct {
		u8 alg;			/* XNB_HASH_ALG_* */
		u32 flags;		/* enabled XNB_HASH_TYPE bits */
		u8 key[XNB_HASH_KEY_SIZE];
		u32 size;		/* mapping entries; 0: modular */
		u32 map[XNB_HASH_MAPPING_MAX];
	} hash;

	/*
	 * Multicast control: the frontend's "request-multicast-control"
	 * (read at connect and watched), the addresses it added with
	 * MCAST_ADD extras; after an overflow every multicast passes.
	 */
	bool mcast_ctrl;
	struct xenbus_watch mcast_watch;
	spinlock_t mcast_lock;		/* the list; readers in any context */
	unsigned int mcast_n;
	bool mcast_all;
	struct xnb_evrate mcast_ev;	/* limit on "mcast add|del" events */
	struct xnb_evrate hash_ev;	/* limit on "hash" events (ctrl work) */
	u8 mcast[XNB_MCAST_MAX][ETH_ALEN];
};

/* Module parameters (netback.c). */
extern unsigned int xnb_max_queues;
extern unsigned int xnb_max_skb_slots;
extern unsigned int xnb_fatal_skb_slots;
extern unsigned int xnb_rx_queue_bytes;
extern unsigned int xnb_rx_copy_ops;
extern unsigned int xnb_rx_drain_msecs;
extern unsigned int xnb_rx_stall_msecs;
extern struct workqueue_struct *xnb_wq;
extern struct workqueue_struct *xnb_rx_wq;

/* netback.c */
void xnb_fatal(struct xnb_queue *q, const char *reason);
void xnb_carrier(struct xnb_vif *vif, bool on);

/* hash.c: control ring, hashing, multicast control */
int xnb_ctrl_connect(struct xnb_vif *vif);
void xnb_ctrl_disconnect(struct xnb_vif *vif);
void xnb_ctrl_init(struct xnb_vif *vif);
unsigned int xnb_skb_hash(struct xnb_vif *vif, struct sk_buff *skb, u32 *hash);
u16 xnb_select_queue(struct net_device *dev, struct sk_buff *skb,
		     struct net_device *sb_dev);
int xnb_mcast_apply(struct xnb_vif *vif, struct xnb_tx_pkt *p);
bool xnb_mcast_wanted(struct xnb_vif *vif, const struct sk_buff *skb);
void xnb_mcast_reset(struct xnb_vif *vif);

/* ctl.c: /dev/xen/netback */
extern struct xd_evlog xnb_evlog;
int xnb_ctl_init(void);
void xnb_ctl_exit(void);
void xnb_ctl_add_vif(struct xnb_vif *vif);
void xnb_ctl_del_vif(struct xnb_vif *vif);
void xnb_set_rate(struct xnb_vif *vif, unsigned long long bytes,
		  unsigned long usec);
void xnb_apply_rate(struct xnb_vif *vif, u64 bytes, u64 usec);

/* datapath.c */
netdev_tx_t xnb_start_xmit(struct sk_buff *skb, struct net_device *dev);
int xnb_poll(struct napi_struct *napi, int budget);
void xnb_rx_work(struct work_struct *work);
irqreturn_t xnb_tx_interrupt(int irq, void *data);
irqreturn_t xnb_rx_interrupt(int irq, void *data);
irqreturn_t xnb_interrupt(int irq, void *data);
void xnb_eoi_done(struct xnb_irq *xi, int side);
void xnb_credit_work(struct work_struct *work);

#endif /* XD_NETBACK_H */
