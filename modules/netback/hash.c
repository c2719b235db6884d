// SPDX-License-Identifier: GPL-2.0-only
/*
 * hash.c - xen-netback's control ring (netif.h "Control ring": Toeplitz
 * hashing of the packets a guest receives, steering them to its queues)
 * and multicast control (the MCAST_ADD/DEL extras of the guest's transmit
 * ring, the filter of what it receives).
 *
 * The control ring is served by a work item: each request is copied out
 * of the shared page once, validated by netback-check.h and answered with
 * a fully written response.  Its event channel is bound with late EOI; the
 * EOI is sent when the ring is drained, a notification without work is
 * spurious, a producer index more than a ring ahead disables the vif.
 */
#include <linux/kernel.h>
#include <linux/etherdevice.h>
#include <linux/interrupt.h>
#include <linux/slab.h>
#include <net/flow_dissector.h>
#include <xen/events.h>
#include <xen/page.h>
#include <asm/xen/page.h>

#include "netback.h"

/* Requests served before the work item lets others run. */
#define XNB_CTRL_BUDGET	64

static const char *xnb_alg_name(unsigned int alg)
{
	return alg == XNB_HASH_ALG_TOEPLITZ ? "toeplitz" : "none";
}

/*
 * Events the guest triggers at will (multicast add/del, changes of its
 * hashing configuration) are limited per vif and kind by a struct
 * xnb_evrate: at most XNB_GUEST_EV_BURST per XNB_GUEST_EV_WINDOW_MS; those
 * over the limit are counted and reported as one "KIND suppressed count=N"
 * before the next one reported, or when the state is reset.
 */
static bool xnb_guest_ev_take(struct xnb_evrate *r, unsigned int *missed)
{
	return xnb_evrate_take(r, jiffies,
			       msecs_to_jiffies(XNB_GUEST_EV_WINDOW_MS),
			       XNB_GUEST_EV_BURST, missed);
}

/* Report the @missed events of @kind that the limit suppressed, if any. */
static void xnb_guest_ev_suppressed(struct xnb_vif *vif, const char *kind,
				    unsigned int missed)
{
	if (missed)
		xd_evlog_add(&xnb_evlog, vif->dev->name, kind,
			     "suppressed count=%u", missed);
}

/*
 * May a "hash" event be reported now?  Only the control work item and,
 * with it stopped, connect/disconnect use @vif->hash_ev: no lock.
 */
static bool xnb_hash_ev_take(struct xnb_vif *vif)
{
	unsigned int missed = 0;

	if (!xnb_guest_ev_take(&vif->hash_ev, &missed))
		return false;
	xnb_guest_ev_suppressed(vif, "hash", missed);
	return true;
}

/* Hashing state of a new connection: no algorithm, empty key and table. */
static void xnb_hash_reset(struct xnb_vif *vif)
{
	unsigned long f;

	xnb_guest_ev_suppressed(vif, "hash", xnb_evrate_flush(&vif->hash_ev));
	spin_lock_irqsave(&vif->hash_lock, f);
	memset(&vif->hash, 0, sizeof(vif->hash));
	spin_unlock_irqrestore(&vif->hash_lock, f);
}

/**
 * xnb_ctrl_copy() - grant-copy the start of a guest page into ctrl_page
 * @vif: the vif
 * @gref: the guest's grant (read-only is enough)
 * @len: bytes, at most a page (checked by the caller)
 *
 * Return: true if the copy succeeded (or @len is 0).
 */
static bool xnb_ctrl_copy(struct xnb_vif *vif, u32 gref, unsigned int len)
{
	struct gnttab_copy op;

	if (!len)
		return true;
	memset(&op, 0, sizeof(op));
	op.source.u.ref = gref;
	op.source.domid = vif->domid;
	op.source.offset = 0;
	op.dest.u.gmfn = xen_page_to_gfn(vif->ctrl_page);
	op.dest.domid = DOMID_SELF;
	op.dest.offset = 0;
	op.len = len;
	op.flags = GNTCOPY_source_gref;
	gnttab_batch_copy(&op, 1);
	return op.status == GNTST_okay;
}

/**
 * xnb_ctrl_handle() - serve one control request
 * @vif: the vif
 * @req: the request, copied out of the ring
 * @data: set to the response's data
 *
 * Return: the XEN_NETIF_CTRL_STATUS_* of the response.
 */
static u32 xnb_ctrl_handle(struct xnb_vif *vif,
			   const struct xen_netif_ctrl_request *req, u32 *data)
{
	const char *name = vif->dev->name;
	u32 d0 = req->data[0], d1 = req->data[1], d2 = req->data[2];
	unsigned long f;
	bool changed;
	u32 st, size;
	u8 key[XNB_HASH_KEY_SIZE];

	*data = 0;
	switch (req->type) {
	case XEN_NETIF_CTRL_TYPE_SET_HASH_ALGORITHM:
		if (d0 != XNB_HASH_ALG_NONE && d0 != XNB_HASH_ALG_TOEPLITZ)
			return XNB_CTRL_STATUS_INVALID_PARAMETER;
		spin_lock_irqsave(&vif->hash_lock, f);
		changed = vif->hash.alg != d0;
		WRITE_ONCE(vif->hash.alg, d0);
		spin_unlock_irqrestore(&vif->hash_lock, f);
		if (changed && xnb_hash_ev_take(vif))
			xd_evlog_add(&xnb_evlog, name, "hash", "algorithm=%s",
				     xnb_alg_name(d0));
		return XNB_CTRL_STATUS_SUCCESS;

	case XEN_NETIF_CTRL_TYPE_GET_HASH_FLAGS:
		if (READ_ONCE(vif->hash.alg) == XNB_HASH_ALG_NONE)
			return XNB_CTRL_STATUS_NOT_SUPPORTED;
		*data = XNB_HASH_FLAGS_ALL;
		return XNB_CTRL_STATUS_SUCCESS;

	case XEN_NETIF_CTRL_TYPE_SET_HASH_FLAGS:
		st = xnb_ctrl_flags_check(READ_ONCE(vif->hash.alg), d0);
		if (st != XNB_CTRL_STATUS_SUCCESS)
			return st;
		spin_lock_irqsave(&vif->hash_lock, f);
		changed = vif->hash.flags != d0;
		WRITE_ONCE(vif->hash.flags, d0);
		spin_unlock_irqrestore(&vif->hash_lock, f);
		if (changed && xnb_hash_ev_take(vif))
			xd_evlog_add(&xnb_evlog, name, "hash", "flags=%#x", d0);
		return XNB_CTRL_STATUS_SUCCESS;

	case XEN_NETIF_CTRL_TYPE_SET_HASH_KEY:
		st = xnb_ctrl_key_check(d1);
		if (st != XNB_CTRL_STATUS_SUCCESS)
			return st;
		if (!xnb_ctrl_copy(vif, d0, d1))
			return XNB_CTRL_STATUS_INVALID_PARAMETER;
		/* Octets not given are zero; size 0 clears the key. */
		memset(key, 0, sizeof(key));
		memcpy(key, page_address(vif->ctrl_page), d1);
		spin_lock_irqsave(&vif->hash_lock, f);
		changed = memcmp(vif->hash.key, key, sizeof(key)) != 0;
		memcpy(vif->hash.key, key, sizeof(key));
		spin_unlock_irqrestore(&vif->hash_lock, f);
		if (changed && xnb_hash_ev_take(vif))
			xd_evlog_add(&xnb_evlog, name, "hash", "key=%u", d1);
		return XNB_CTRL_STATUS_SUCCESS;

	case XEN_NETIF_CTRL_TYPE_GET_HASH_MAPPING_SIZE:
		*data = XNB_HASH_MAPPING_MAX;
		return XNB_CTRL_STATUS_SUCCESS;

	case XEN_NETIF_CTRL_TYPE_SET_HASH_MAPPING_SIZE:
		st = xnb_ctrl_mapping_size_check(d0);
		if (st != XNB_CTRL_STATUS_SUCCESS)
			return st;
		/* The previous table is invalidated, the new one zero. */
		spin_lock_irqsave(&vif->hash_lock, f);
		changed = vif->hash.size != d0;
		memset(vif->hash.map, 0, sizeof(vif->hash.map));
		vif->hash.size = d0;
		spin_unlock_irqrestore(&vif->hash_lock, f);
		if (changed && xnb_hash_ev_take(vif))
			xd_evlog_add(&xnb_evlog, name, "hash", "mapping-size=%u",
				     d0);
		return XNB_CTRL_STATUS_SUCCESS;

	case XEN_NETIF_CTRL_TYPE_SET_HASH_MAPPING:
		/* Only this work item changes the size: no race. */
		size = READ_ONCE(vif->hash.size);
		st = xnb_ctrl_mapping_check(size, d1, d2);
		if (st != XNB_CTRL_STATUS_SUCCESS)
			return st;
		if (!xnb_ctrl_copy(vif, d0, d1 * sizeof(u32)))
			return XNB_CTRL_STATUS_INVALID_PARAMETER;
		/* ctrl_page is ours: the guest cannot change the copy. */
		if (!xnb_ctrl_mapping_entries_ok(page_address(vif->ctrl_page),
						 d1, vif->nr_queues))
			return XNB_CTRL_STATUS_INVALID_PARAMETER;
		spin_lock_irqsave(&vif->hash_lock, f);
		memcpy(&vif->hash.map[d2], page_address(vif->ctrl_page),
		       d1 * sizeof(u32));
		spin_unlock_irqrestore(&vif->hash_lock, f);
		return XNB_CTRL_STATUS_SUCCESS;

	default:
		return XNB_CTRL_STATUS_NOT_SUPPORTED;
	}
}

static void xnb_ctrl_work(struct work_struct *work)
{
	struct xnb_vif *vif = container_of(work, struct xnb_vif, ctrl_work);
	struct xen_netif_ctrl_back_ring *r = &vif->ctrl;
	unsigned int done = 0;
	int more, notify;

	if (test_bit(XNB_F_DISABLED, &vif->flags))
		return;	/* channel stays masked */
	do {
		RING_IDX prod = READ_ONCE(r->sring->req_prod);

		virt_rmb();	/* requests up to prod are visible */
		if (!xnb_ring_avail_ok(prod, r->req_cons, XNB_CTRL_RING_SIZE)) {
			xnb_fatal(&vif->queues[0],
				  "control ring producer index far ahead");
			return;
		}
		while (r->req_cons != prod && done < XNB_CTRL_BUDGET) {
			struct xen_netif_ctrl_request req;
			struct xen_netif_ctrl_response rsp;
			void *slot;

			RING_COPY_REQUEST(r, r->req_cons, &req);
			r->req_cons++;
			memset(&rsp, 0, sizeof(rsp));
			rsp.id = req.id;
			rsp.type = req.type;
			rsp.status = xnb_ctrl_handle(vif, &req, &rsp.data);
			/* The whole slot: nothing of ours beyond the response. */
			slot = &r->sring->ring[r->rsp_prod_pvt &
					       (RING_SIZE(r) - 1)];
			memset(slot, 0, sizeof(r->sring->ring[0]));
			memcpy(RING_GET_RESPONSE(r, r->rsp_prod_pvt), &rsp,
			       sizeof(rsp));
			r->rsp_prod_pvt++;
			done++;
		}
		RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(r, notify);
		if (notify)
			notify_remote_via_irq(READ_ONCE(vif->ctrl_irq.irq));
		if (done >= XNB_CTRL_BUDGET) {
			/* More later; the EOI stays owed until drained. */
			queue_work(xnb_wq, &vif->ctrl_work);
			return;
		}
		RING_FINAL_CHECK_FOR_REQUESTS(r, more);
	} while (more);
	if (atomic_xchg(&vif->ctrl_irq.eoi, 0))
		xen_irq_lateeoi(READ_ONCE(vif->ctrl_irq.irq), 0);
}

static irqreturn_t xnb_ctrl_interrupt(int irq, void *data)
{
	struct xnb_vif *vif = data;

	/* May run inside the bind call, before the binder stores the irq. */
	WRITE_ONCE(vif->ctrl_irq.irq, irq);
	if (test_bit(XNB_F_DISABLED, &vif->flags))
		return IRQ_HANDLED;	/* left masked */
	if (READ_ONCE(vif->ctrl.sring->req_prod) == READ_ONCE(vif->ctrl.req_cons)) {
		xen_irq_lateeoi(irq, XEN_EOI_FLAG_SPURIOUS);
		return IRQ_HANDLED;
	}
	smp_mb__before_atomic();	/* irq before the owed EOI */
	atomic_set(&vif->ctrl_irq.eoi, 1);
	queue_work(xnb_wq, &vif->ctrl_work);
	return IRQ_HANDLED;
}

/**
 * xnb_ctrl_init() - initialise the control-ring and multicast state (probe)
 * @vif: the vif
 */
void xnb_ctrl_init(struct xnb_vif *vif)
{
	INIT_WORK(&vif->ctrl_work, xnb_ctrl_work);
	spin_lock_init(&vif->hash_lock);
	spin_lock_init(&vif->mcast_lock);
}

/**
 * xnb_ctrl_connect() - map and bind the frontend's control ring, if any
 * @vif: the vif, its lock held, its queues started
 *
 * A frontend without "ctrl-ring-ref" has no control ring (and no
 * hashing).  A reference without a channel, a ring that cannot be mapped
 * or a channel that cannot be bound fail the connection.
 *
 * Return: 0 or a negative errno (already reported through xenbus).
 */
int xnb_ctrl_connect(struct xnb_vif *vif)
{
	struct xenbus_device *xdev = vif->xdev;
	unsigned int ref, port;
	void *addr;
	int err, irq;

	xnb_hash_reset(vif);
	err = xenbus_scanf(XBT_NIL, xdev->otherend, "ctrl-ring-ref", "%u", &ref);
	if (err == -ENOENT)
		return 0;
	if (err != 1) {
		err = err < 0 ? err : -EINVAL;
		xenbus_dev_fatal(xdev, err, "reading ctrl-ring-ref");
		return err;
	}
	err = xenbus_scanf(XBT_NIL, xdev->otherend, "event-channel-ctrl", "%u",
			   &port);
	if (err != 1) {
		err = err < 0 ? err : -EINVAL;
		xenbus_dev_fatal(xdev, err, "reading event-channel-ctrl");
		return err;
	}
	vif->ctrl_page = alloc_page(GFP_KERNEL);
	if (!vif->ctrl_page)
		return -ENOMEM;
	err = xenbus_map_ring_valloc(xdev, &ref, 1, &addr);
	if (err)
		return err;	/* reported by xenbus */
	BACK_RING_INIT(&vif->ctrl, (struct xen_netif_ctrl_sring *)addr,
		       XEN_PAGE_SIZE);
	snprintf(vif->ctrl_irq.name, sizeof(vif->ctrl_irq.name), "%s-ctrl",
		 vif->dev->name);
	atomic_set(&vif->ctrl_irq.eoi, 0);
	irq = bind_interdomain_evtchn_to_irqhandler_lateeoi(xdev, port,
							    xnb_ctrl_interrupt,
							    0, vif->ctrl_irq.name,
							    vif);
	if (irq < 0) {
		xenbus_dev_fatal(xdev, irq, "binding event-channel-ctrl");
		return irq;
	}
	WRITE_ONCE(vif->ctrl_irq.irq, irq);
	xd_evlog_add(&xnb_evlog, vif->dev->name, "ctrl", "ring=on");
	/* Requests posted before the channel was bound. */
	queue_work(xnb_wq, &vif->ctrl_work);
	return 0;
}

/**
 * xnb_ctrl_disconnect() - tear the control ring down, reset hashing
 * @vif: the vif, its lock held
 */
void xnb_ctrl_disconnect(struct xnb_vif *vif)
{
	if (vif->ctrl_irq.irq) {
		unbind_from_irqhandler(vif->ctrl_irq.irq, vif);
		vif->ctrl_irq.irq = 0;
	}
	cancel_work_sync(&vif->ctrl_work);
	if (vif->ctrl.sring) {
		xenbus_unmap_ring_vfree(vif->xdev, vif->ctrl.sring);
		vif->ctrl.sring = NULL;
	}
	if (vif->ctrl_page) {
		__free_page(vif->ctrl_page);
		vif->ctrl_page = NULL;
	}
	xnb_hash_reset(vif);
}

/* ---- hashing of what the guest receives -------------------------------- */

/**
 * xnb_skb_hash() - the hash the frontend asked for, of a packet to it
 * @vif: the vif
 * @skb: the packet (its data at the Ethernet header)
 * @hash: set to the hash when one is computed
 *
 * Return: the XNB_HASH_TYPE_* computed, XNB_HASH_TYPE_NONE when hashing
 * is off, no enabled type applies or the packet is not IP.
 */
unsigned int xnb_skb_hash(struct xnb_vif *vif, struct sk_buff *skb, u32 *hash)
{
	struct flow_keys k;
	unsigned int type, len;
	unsigned long f;
	bool v6, tcp;
	u8 buf[36];

	if (READ_ONCE(vif->hash.alg) != XNB_HASH_ALG_TOEPLITZ ||
	    !READ_ONCE(vif->hash.flags))
		return XNB_HASH_TYPE_NONE;
	if (!skb_flow_dissect_flow_keys(skb, &k, FLOW_DISSECTOR_F_STOP_AT_ENCAP))
		return XNB_HASH_TYPE_NONE;
	if (k.control.addr_type == FLOW_DISSECTOR_KEY_IPV4_ADDRS) {
		v6 = false;
		memcpy(buf, &k.addrs.v4addrs.src, 4);
		memcpy(buf + 4, &k.addrs.v4addrs.dst, 4);
	} else if (k.control.addr_type == FLOW_DISSECTOR_KEY_IPV6_ADDRS) {
		v6 = true;
		memcpy(buf, &k.addrs.v6addrs.src, 16);
		memcpy(buf + 16, &k.addrs.v6addrs.dst, 16);
	} else {
		return XNB_HASH_TYPE_NONE;
	}
	/* A fragment other than the first has no ports. */
	tcp = k.basic.ip_proto == IPPROTO_TCP &&
	      !(k.control.flags & FLOW_DIS_IS_FRAGMENT);

	spin_lock_irqsave(&vif->hash_lock, f);
	type = XNB_HASH_TYPE_NONE;
	if (vif->hash.alg == XNB_HASH_ALG_TOEPLITZ)
		type = xnb_hash_type(vif->hash.flags, v6, tcp);
	len = xnb_hash_input_len(type);
	if (type == XNB_HASH_TYPE_IPV4_TCP || type == XNB_HASH_TYPE_IPV6_TCP) {
		memcpy(buf + len - 4, &k.ports.src, 2);
		memcpy(buf + len - 2, &k.ports.dst, 2);
	}
	if (len)
		*hash = xnb_toeplitz(vif->hash.key, buf, len);
	spin_unlock_irqrestore(&vif->hash_lock, f);
	return type;
}

/**
 * xnb_select_queue() - ndo_select_queue: steer by the frontend's hash
 * @dev: the vif
 * @skb: the packet
 * @sb_dev: subordinate device (passed on)
 *
 * With Toeplitz hashing on, the queue is the mapping table's entry for the
 * hash (the hash modulo the queues without a table); otherwise, and for
 * packets that get no hash, the stack's choice.
 */
u16 xnb_select_queue(struct net_device *dev, struct sk_buff *skb,
		     struct net_device *sb_dev)
{
	struct xnb_vif *vif = netdev_priv(dev);
	unsigned int q, n = dev->real_num_tx_queues;
	unsigned long f;
	u32 hash = 0;

	if (xnb_skb_hash(vif, skb, &hash) == XNB_HASH_TYPE_NONE || !n)
		return netdev_pick_tx(dev, skb, sb_dev);
	spin_lock_irqsave(&vif->hash_lock, f);
	q = xnb_hash_queue(hash, vif->hash.map, vif->hash.size, n);
	spin_unlock_irqrestore(&vif->hash_lock, f);
	return q;
}

/* ---- multicast control ------------------------------------------------- */

/* Empty the filter list (a new connection). */
void xnb_mcast_reset(struct xnb_vif *vif)
{
	unsigned int missed;
	unsigned long f;

	spin_lock_irqsave(&vif->mcast_lock, f);
	vif->mcast_n = 0;
	vif->mcast_all = false;
	missed = xnb_evrate_flush(&vif->mcast_ev);
	spin_unlock_irqrestore(&vif->mcast_lock, f);
	xnb_guest_ev_suppressed(vif, "mcast", missed);
}

/**
 * xnb_mcast_apply() - a guest packet carried MCAST_ADD/DEL extras
 * @vif: the vif
 * @p: the packet (a dummy: it is not delivered)
 *
 * An add or delete that changed the list is an event ("mcast add|del"),
 * at most XNB_GUEST_EV_BURST per XNB_GUEST_EV_WINDOW_MS per vif: the
 * guest triggers these at will, and the event stream is shared by every
 * vif.  Events over the limit are counted and reported as one "mcast
 * suppressed count=N" before the next one reported (or at the next
 * connection).
 *
 * Return: XEN_NETIF_RSP_OKAY, or XEN_NETIF_RSP_ERROR for an address that
 * is not multicast.  A full list makes every multicast frame pass (the
 * frontend is not told: its frames still arrive), reported once as an
 * "mcast overflow" event.
 */
int xnb_mcast_apply(struct xnb_vif *vif, struct xnb_tx_pkt *p)
{
	int add = XNB_MCAST_OK, del = XNB_MCAST_OK;
	bool added = false, deleted = false, overflow = false, ev = false;
	unsigned int n, missed = 0;
	unsigned long f;

	spin_lock_irqsave(&vif->mcast_lock, f);
	if (p->mcast_ops & BIT(XNB_EXTRA_TYPE_MCAST_ADD)) {
		n = vif->mcast_n;
		add = xnb_mcast_update(vif->mcast, &vif->mcast_n, true,
				       p->mcast_add);
		added = vif->mcast_n != n;
		if (add == XNB_MCAST_OVERFLOW && !vif->mcast_all) {
			vif->mcast_all = true;
			overflow = true;
		}
	}
	if (p->mcast_ops & BIT(XNB_EXTRA_TYPE_MCAST_DEL)) {
		n = vif->mcast_n;
		del = xnb_mcast_update(vif->mcast, &vif->mcast_n, false,
				       p->mcast_del);
		deleted = vif->mcast_n != n;
	}
	if (added || deleted)
		ev = xnb_guest_ev_take(&vif->mcast_ev, &missed);
	spin_unlock_irqrestore(&vif->mcast_lock, f);

	if (ev) {
		xnb_guest_ev_suppressed(vif, "mcast", missed);
		if (added)
			xd_evlog_add(&xnb_evlog, vif->dev->name, "mcast",
				     "add addr=%pM", p->mcast_add);
		if (deleted)
			xd_evlog_add(&xnb_evlog, vif->dev->name, "mcast",
				     "del addr=%pM", p->mcast_del);
	}
	if (overflow) {
		netdev_warn(vif->dev, "more than %u multicast addresses: passing all multicast\n",
			    XNB_MCAST_MAX);
		xd_evlog_add(&xnb_evlog, vif->dev->name, "mcast",
			     "overflow max=%u", XNB_MCAST_MAX);
	}
	return add == XNB_MCAST_INVALID || del == XNB_MCAST_INVALID ?
	       XEN_NETIF_RSP_ERROR : XEN_NETIF_RSP_OKAY;
}

/**
 * xnb_mcast_wanted() - does the guest take this frame?
 * @vif: the vif
 * @skb: a frame for the guest (data at the Ethernet header)
 *
 * Return: false only for a multicast frame (not broadcast) to an address
 * not in the list, while the frontend asked for multicast control.
 */
bool xnb_mcast_wanted(struct xnb_vif *vif, const struct sk_buff *skb)
{
	const u8 *dst = skb->data;
	unsigned long f;
	bool ok;

	if (!READ_ONCE(vif->mcast_ctrl) || skb_headlen(skb) < ETH_ALEN ||
	    !is_multicast_ether_addr(dst) || is_broadcast_ether_addr(dst))
		return true;
	spin_lock_irqsave(&vif->mcast_lock, f);
	ok = xnb_mcast_pass(dst, (const unsigned char (*)[ETH_ALEN])vif->mcast,
			    vif->mcast_n, vif->mcast_all);
	spin_unlock_irqrestore(&vif->mcast_lock, f);
	return ok;
}
