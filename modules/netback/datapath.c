// SPDX-License-Identifier: GPL-2.0-only
/*
 * datapath.c - xen-netback's data path: the guest's transmit ring (NAPI,
 * grant copy into fresh skbs) and its receive ring (a work item per queue,
 * grant copy into the buffers the guest posted), and the event channels
 * with late EOI.
 *
 * Every request is copied once out of the shared ring and only the copy
 * is used.  A protocol violation disables the vif (xnb_fatal()); a
 * packet that is merely bad is answered with an error and dropped.
 */
#include <linux/kernel.h>
#include <linux/etherdevice.h>
#include <linux/if_vlan.h>
#include <linux/interrupt.h>
#include <linux/jiffies.h>
#include <linux/tcp.h>
#include <net/tcp.h>
#include <xen/events.h>
#include <xen/page.h>
#include <asm/xen/page.h>

#include "xd_compat_net.h"
#include "netback.h"

/*
 * A queued packet for the guest: when it expires (drain timeout), and its
 * hash (computed when it is queued, sent as a HASH extra).
 */
struct xnb_skb_cb {
	unsigned long expires;
	u32 hash;
	u8 hash_type;		/* XNB_HASH_TYPE_NONE: no HASH extra */
};

#define XNB_CB(skb) ((struct xnb_skb_cb *)(skb)->cb)

/* ---- event channels -------------------------------------------------- */

/**
 * xnb_eoi_done() - one side of an event channel finished its work
 * @xi: the event channel
 * @side: XNB_EOI_TX or XNB_EOI_RX
 *
 * The late EOI is sent when the last side that was owed work is done, so
 * the channel stays masked while the guest's requests are being served.
 */
void xnb_eoi_done(struct xnb_irq *xi, int side)
{
	int old = atomic_fetch_andnot(side, &xi->eoi);
	int irq = READ_ONCE(xi->irq);

	if (old == side && irq)
		xen_irq_lateeoi(irq, 0);
}

/*
 * An event owes a late EOI: note the side and the irq.  The irq is
 * written here too because the handler can run inside the bind call (an
 * event the frontend sent before we bound the channel), before the
 * binder stores the irq it returns: an EOI owed then must not be lost,
 * or the channel stays masked for good.
 */
static void xnb_owe_eoi(struct xnb_irq *xi, int irq, int sides)
{
	WRITE_ONCE(xi->irq, irq);
	smp_mb__before_atomic();	/* irq before the bits */
	atomic_or(sides, &xi->eoi);
}

static bool xnb_tx_pending(struct xnb_queue *q)
{
	unsigned int avail = READ_ONCE(q->tx.sring->req_prod) - q->tx.req_cons;

	return avail >= READ_ONCE(q->tx_need);
}

/* Receive-side events matter only while packets wait or a queue stalled. */
static bool xnb_rx_pending(struct xnb_queue *q)
{
	return !skb_queue_empty_lockless(&q->rx_queue) ||
	       READ_ONCE(q->rx_stalled);
}

static void xnb_kick_tx(struct xnb_queue *q, struct xnb_irq *xi, int irq)
{
	xnb_owe_eoi(xi, irq, XNB_EOI_TX);
	napi_schedule(&q->napi);
}

static void xnb_kick_rx(struct xnb_queue *q, struct xnb_irq *xi, int irq)
{
	xnb_owe_eoi(xi, irq, XNB_EOI_RX);
	mod_delayed_work(xnb_rx_wq, &q->rx_work, 0);
}

/**
 * xnb_event_eoi() - late EOI of an event that found nothing to do
 * @q: the queue
 * @irq: the event channel's irq
 * @sides: BIT(XNB_W_TX) and/or BIT(XNB_W_RX): the sides it is for
 *
 * Such an event is often not the guest's fault: it announces requests
 * that a pass already running took off the ring.  It counts as spurious
 * only if none of @sides did any work since the previous event that found
 * nothing, so that a busy ring is not made to wait by Xen's growing delay
 * for spurious events (up to a second), while an event storm without work
 * still is: each piece of work excuses one empty event.
 */
static void xnb_event_eoi(struct xnb_queue *q, int irq, unsigned long sides)
{
	unsigned long old = 0;

	if (sides & BIT(XNB_W_TX))
		old |= test_and_clear_bit(XNB_W_TX, &q->worked) ? BIT(XNB_W_TX) : 0;
	if (sides & BIT(XNB_W_RX))
		old |= test_and_clear_bit(XNB_W_RX, &q->worked) ? BIT(XNB_W_RX) : 0;
	if (!old)
		atomic64_inc(&q->st.spurious);
	xen_irq_lateeoi(irq, old ? 0 : XEN_EOI_FLAG_SPURIOUS);
}

irqreturn_t xnb_tx_interrupt(int irq, void *data)
{
	struct xnb_queue *q = data;

	if (xnb_tx_pending(q))
		xnb_kick_tx(q, &q->tx_irq, irq);
	else
		xnb_event_eoi(q, irq, BIT(XNB_W_TX));
	return IRQ_HANDLED;
}

irqreturn_t xnb_rx_interrupt(int irq, void *data)
{
	struct xnb_queue *q = data;

	if (xnb_rx_pending(q))
		xnb_kick_rx(q, &q->rx_irq, irq);
	else
		xnb_event_eoi(q, irq, BIT(XNB_W_RX));
	return IRQ_HANDLED;
}

/* One event channel for both rings (no feature-split-event-channels). */
irqreturn_t xnb_interrupt(int irq, void *data)
{
	struct xnb_queue *q = data;
	bool tx = xnb_tx_pending(q), rx = xnb_rx_pending(q);

	if (!tx && !rx) {
		xnb_event_eoi(q, irq, BIT(XNB_W_TX) | BIT(XNB_W_RX));
		return IRQ_HANDLED;
	}
	/* Both bits first: neither side may send the EOI the other owes. */
	xnb_owe_eoi(&q->tx_irq, irq,
		    (tx ? XNB_EOI_TX : 0) | (rx ? XNB_EOI_RX : 0));
	if (tx)
		napi_schedule(&q->napi);
	if (rx)
		mod_delayed_work(xnb_rx_wq, &q->rx_work, 0);
	return IRQ_HANDLED;
}

static struct xnb_irq *xnb_rx_irq(struct xnb_queue *q)
{
	return q->split ? &q->rx_irq : &q->tx_irq;
}

/* ---- guest transmit ring (guest -> Dom0) ------------------------------ */

static void xnb_tx_respond(struct xnb_queue *q, u16 id, s16 status)
{
	struct xen_netif_tx_response *rsp;

	rsp = RING_GET_RESPONSE(&q->tx, q->tx.rsp_prod_pvt);
	rsp->id = id;
	rsp->status = status;
	q->tx.rsp_prod_pvt++;
}

/* Answer every slot of a packet: data slots with @status, extras NULL. */
static void xnb_tx_respond_pkt(struct xnb_queue *q, struct xnb_tx_pkt *p,
			       s16 status)
{
	unsigned int i;

	xnb_tx_respond(q, p->ids[0], status);
	for (i = 0; i < p->nr_extras; i++)
		xnb_tx_respond(q, 0, XEN_NETIF_RSP_NULL);
	for (i = 1; i < p->nr_slots; i++)
		xnb_tx_respond(q, p->ids[i], status);
}

static void xnb_tx_push(struct xnb_queue *q)
{
	int notify;

	RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(&q->tx, notify);
	if (notify)
		notify_remote_via_irq(q->tx_irq.irq);
}

static void xnb_tx_free_pkt(struct xnb_tx_pkt *p)
{
	unsigned int i;

	for (i = 0; i < p->nr_pages; i++)
		__free_page(p->pages[i]);
	p->nr_pages = 0;
	kfree_skb(p->skb);
	p->skb = NULL;
}

/*
 * Plan the grant copies of one packet into its skb: the first
 * p->linear bytes into the linear area (so headers split over slots
 * still land there), the rest into whole pages.
 */
static unsigned int xnb_tx_plan(struct xnb_queue *q, struct xnb_tx_pkt *p,
				const struct xen_netif_tx_request *req,
				unsigned int nr, unsigned int first_len,
				unsigned int nop)
{
	struct gnttab_copy *op;
	unsigned int i, pos = 0;

	for (i = 0; i < nr; i++) {
		unsigned int off = req[i].offset;
		unsigned int left = i ? req[i].size : first_len;

		while (left) {
			unsigned int doff, dleft, n;
			unsigned long gfn;

			if (pos < p->linear) {
				u8 *d = p->skb->data + pos;

				doff = offset_in_page(d);
				dleft = p->linear - pos;
				gfn = virt_to_gfn(d);
			} else {
				unsigned int fpos = pos - p->linear;

				doff = fpos % XEN_PAGE_SIZE;
				dleft = XEN_PAGE_SIZE - doff;
				gfn = xen_page_to_gfn(p->pages[fpos / XEN_PAGE_SIZE]);
			}
			n = xnb_copy_len(off, left, doff, dleft);
			op = &q->tx_copy[nop++];
			memset(op, 0, sizeof(*op));
			op->source.u.ref = req[i].gref;
			op->source.domid = q->vif->domid;
			op->source.offset = off;
			op->dest.u.gmfn = gfn;
			op->dest.domid = DOMID_SELF;
			op->dest.offset = doff;
			op->len = n;
			op->flags = GNTCOPY_source_gref;
			pos += n;
			off += n;
			left -= n;
		}
	}
	return nop;
}

/*
 * Rate limit: charge @len bytes to the current window, or arm the work
 * that resumes the queue when the next window starts.
 */
static bool xnb_tx_credit(struct xnb_queue *q, unsigned int len)
{
	struct xnb_vif *vif = q->vif;
	unsigned long next = q->credit_start + vif->credit_jiffies;

	if (time_after_eq(jiffies, next)) {
		q->credit_start = jiffies;
		q->credit_left = vif->credit_bytes;
		next = jiffies + vif->credit_jiffies;
	}
	if (xnb_credit_take(&q->credit_left, vif->credit_bytes, len))
		return true;
	queue_delayed_work(xnb_wq, &q->credit_work,
			   time_after(next, jiffies) ? next - jiffies : 1);
	return false;
}

void xnb_credit_work(struct work_struct *work)
{
	struct xnb_queue *q = container_of(to_delayed_work(work),
					   struct xnb_queue, credit_work);

	local_bh_disable();
	napi_schedule(&q->napi);
	local_bh_enable();
}

/* Read the extra-info segments after the first slot; XNB_* verdict. */
static int xnb_tx_extras(struct xnb_queue *q, struct xnb_tx_pkt *p,
			 RING_IDX *idx, unsigned int avail, const char **why)
{
	struct xen_netif_extra_info extra;
	unsigned int seen = 0;
	int v;

	do {
		if (*idx - q->tx.req_cons >= avail)
			return -EAGAIN;
		if (p->nr_extras >= XNB_EXTRAS_LIMIT) {
			*why = "too many extra-info segments";
			return XNB_FATAL;
		}
		memcpy(&extra, RING_GET_REQUEST(&q->tx, *idx), sizeof(extra));
		barrier();	/* one read of the shared slot */
		(*idx)++;
		p->nr_extras++;
		v = xnb_extra_check(extra.type, &seen, extra.u.gso.size,
				    extra.u.gso.type, why);
		if (v != XNB_OK)
			return v;
		switch (extra.type) {
		case XEN_NETIF_EXTRA_TYPE_GSO:
			p->gso_size = extra.u.gso.size;
			p->gso_type = extra.u.gso.type;
			break;
		case XEN_NETIF_EXTRA_TYPE_HASH:
			/* Only the known types; the value is little endian. */
			if (extra.u.hash.type > XNB_HASH_TYPE_IPV6_TCP)
				break;
			p->has_hash = true;
			p->hash_type = extra.u.hash.type;
			p->hash = extra.u.hash.value[0] |
				  extra.u.hash.value[1] << 8 |
				  extra.u.hash.value[2] << 16 |
				  (u32)extra.u.hash.value[3] << 24;
			break;
		case XEN_NETIF_EXTRA_TYPE_MCAST_ADD:
			p->mcast_ops |= BIT(XNB_EXTRA_TYPE_MCAST_ADD);
			memcpy(p->mcast_add, extra.u.mcast.addr, ETH_ALEN);
			break;
		case XEN_NETIF_EXTRA_TYPE_MCAST_DEL:
			p->mcast_ops |= BIT(XNB_EXTRA_TYPE_MCAST_DEL);
			memcpy(p->mcast_del, extra.u.mcast.addr, ETH_ALEN);
			break;
		}
	} while (extra.flags & XEN_NETIF_EXTRA_FLAG_MORE);
	return XNB_OK;
}

/**
 * xnb_tx_build() - take packets off the guest's transmit ring
 * @q: the queue
 * @max: at most this many packets
 * @nr_ops: set to the grant copies planned
 *
 * Validates each packet's slot chain and plans its copies; bad packets are
 * answered and dropped here.  Stops at an incomplete packet (q->tx_need
 * says how many slots it waits for) or on a protocol violation.
 *
 * Return: packets planned in q->tx_pkts.
 */
static unsigned int xnb_tx_build(struct xnb_queue *q, unsigned int max,
				 unsigned int *nr_ops)
{
	struct xen_netif_tx_request req[XNB_SLOTS_LIMIT];
	struct xnb_slot slots[XNB_SLOTS_LIMIT];
	struct xnb_vif *vif = q->vif;
	unsigned int nr = 0, nop = 0;

	/* The per-packet state that memset() below resets must precede ids. */
	BUILD_BUG_ON(offsetof(struct xnb_tx_pkt, gso_type) >
		     offsetof(struct xnb_tx_pkt, ids));
	BUILD_BUG_ON(offsetof(struct xnb_tx_pkt, mcast_del) >
		     offsetof(struct xnb_tx_pkt, ids));
	q->tx_need = 1;
	q->tx_throttled = false;
	while (nr < max && nop + XNB_SLOTS_LIMIT + MAX_SKB_FRAGS + 2 <= XNB_COPY_OPS) {
		struct xnb_tx_pkt *p = &q->tx_pkts[nr];
		RING_IDX prod = READ_ONCE(q->tx.sring->req_prod);
		unsigned int avail, n = 0, first_len, i, frag_bytes;
		const char *why = NULL;
		RING_IDX idx;
		int v;

		virt_rmb();	/* requests up to prod are visible */
		if (!xnb_ring_avail_ok(prod, q->tx.req_cons, XNB_TX_RING_SIZE)) {
			xnb_fatal(q, "transmit ring producer index far ahead");
			break;
		}
		avail = prod - q->tx.req_cons;
		if (!avail)
			break;

		memset(p, 0, offsetof(struct xnb_tx_pkt, ids));
		idx = q->tx.req_cons;
		RING_COPY_REQUEST(&q->tx, idx, &req[0]);
		idx++;
		n = 1;
		v = XNB_OK;
		if (req[0].flags & XEN_NETTXF_extra_info)
			v = xnb_tx_extras(q, p, &idx, avail, &why);
		while (v == XNB_OK && (req[n - 1].flags & XEN_NETTXF_more_data)) {
			if (idx - q->tx.req_cons >= avail) {
				v = -EAGAIN;
				break;
			}
			if (n >= xnb_fatal_skb_slots) {
				why = "too many slots in one packet";
				v = XNB_FATAL;
				break;
			}
			RING_COPY_REQUEST(&q->tx, idx, &req[n]);
			idx++;
			n++;
		}
		if (v == -EAGAIN) {
			/* Wait for the rest of the packet. */
			q->tx_need = idx - q->tx.req_cons + 1;
			break;
		}
		if (v == XNB_FATAL) {
			xnb_fatal(q, why);
			break;
		}
		for (i = 0; i < n; i++) {
			slots[i].offset = req[i].offset;
			slots[i].size = req[i].size;
			p->ids[i] = req[i].id;
		}
		p->nr_slots = n;
		v = xnb_tx_packet_check(slots, n, xnb_max_skb_slots,
					xnb_fatal_skb_slots, &first_len, &why);
		if (v == XNB_FATAL) {
			xnb_fatal(q, why);
			break;
		}
		if (p->mcast_ops) {
			/*
			 * A dummy request carrying multicast control: applied,
			 * answered, not delivered (netif.h "multicast-control").
			 */
			q->tx.req_cons = idx;
			xnb_tx_respond_pkt(q, p, xnb_mcast_apply(vif, p));
			continue;
		}
		if (vif->credit_bytes && !xnb_tx_credit(q, req[0].size)) {
			/* Out of credit: leave the packet on the ring. */
			q->tx_throttled = true;
			q->st.throttled++;
			break;
		}
		q->tx.req_cons = idx;	/* consumed, whatever happens next */
		p->len = req[0].size;
		p->flags = req[0].flags;
		if (v == XNB_OK && !p->gso_size &&
		    p->len > vif->dev->mtu + ETH_HLEN + VLAN_HLEN) {
			why = "packet larger than the MTU";
			v = XNB_DROP;
		}
		if (v != XNB_OK) {
			net_dbg_ratelimited("%s: dropped a packet: %s (%u slots, %u bytes, flags %#x, gso %u)\n",
					    vif->dev->name, why, n, p->len,
					    p->flags, p->gso_size);
			xnb_tx_respond_pkt(q, p, XEN_NETIF_RSP_ERROR);
			q->st.rx_errors++;
			continue;
		}

		p->linear = min_t(unsigned int, p->len, XNB_TX_LINEAR);
		p->skb = napi_alloc_skb(&q->napi, p->linear);
		frag_bytes = p->len - p->linear;
		while (p->skb && frag_bytes > p->nr_pages * PAGE_SIZE) {
			p->pages[p->nr_pages] = alloc_page(GFP_ATOMIC);
			if (!p->pages[p->nr_pages])
				break;
			p->nr_pages++;
		}
		if (!p->skb || frag_bytes > p->nr_pages * PAGE_SIZE) {
			xnb_tx_free_pkt(p);
			xnb_tx_respond_pkt(q, p, XEN_NETIF_RSP_DROPPED);
			atomic64_inc(&q->st.rx_dropped);
			continue;
		}
		p->first_op = nop;
		nop = xnb_tx_plan(q, p, req, n, first_len, nop);
		p->nr_ops = nop - p->first_op;
		nr++;
	}
	*nr_ops = nop;
	return nr;
}

/* Checksum and GSO metadata of a guest packet; false: drop it. */
static bool xnb_tx_offloads(struct xnb_queue *q, struct xnb_tx_pkt *p,
			    struct sk_buff *skb)
{
	bool recalc = false;

	if (p->flags & XEN_NETTXF_csum_blank)
		skb->ip_summed = CHECKSUM_PARTIAL;
	else if (p->flags & XEN_NETTXF_data_validated)
		skb->ip_summed = CHECKSUM_UNNECESSARY;

	if (p->gso_size) {
		skb_shinfo(skb)->gso_size = p->gso_size;
		skb_shinfo(skb)->gso_type =
			(p->gso_type == XEN_NETIF_GSO_TYPE_TCPV4 ?
			 SKB_GSO_TCPV4 : SKB_GSO_TCPV6) | SKB_GSO_DODGY;
		/* A GSO packet needs a partial checksum to be segmented. */
		if (skb->ip_summed != CHECKSUM_PARTIAL) {
			skb->ip_summed = CHECKSUM_PARTIAL;
			recalc = true;
			q->st.rx_csum_fixup++;
		}
	}
	if (skb->ip_summed != CHECKSUM_PARTIAL)
		return true;
	skb_reset_network_header(skb);
	if (skb_checksum_setup(skb, recalc))
		return false;
	if (p->gso_size) {
		unsigned int hdr = skb_transport_offset(skb) + tcp_hdrlen(skb);

		if (skb->len <= hdr)
			return false;
		skb_shinfo(skb)->gso_segs =
			DIV_ROUND_UP(skb->len - hdr, p->gso_size);
		q->st.rx_gso++;
	}
	return true;
}

static void xnb_tx_finish(struct xnb_queue *q, unsigned int nr)
{
	struct net_device *dev = q->vif->dev;
	unsigned int i, j;

	for (i = 0; i < nr; i++) {
		struct xnb_tx_pkt *p = &q->tx_pkts[i];
		struct sk_buff *skb = p->skb;
		unsigned int left;
		bool ok = true;

		for (j = 0; j < p->nr_ops; j++) {
			struct gnttab_copy *op = &q->tx_copy[p->first_op + j];

			if (op->status != GNTST_okay) {
				net_dbg_ratelimited("%s: copy %u/%u of a %u-byte packet failed: status %d\n",
						    dev->name, j, p->nr_ops, p->len,
						    op->status);
				ok = false;
			}
		}
		if (!ok) {
			q->st.rx_copy_fail++;
			q->st.rx_errors++;
			xnb_tx_free_pkt(p);
			xnb_tx_respond_pkt(q, p, XEN_NETIF_RSP_ERROR);
			continue;
		}
		xnb_tx_respond_pkt(q, p, XEN_NETIF_RSP_OKAY);

		skb_put(skb, p->linear);
		left = p->len - p->linear;
		for (j = 0; j < p->nr_pages; j++) {
			unsigned int n = min_t(unsigned int, left, PAGE_SIZE);

			skb_fill_page_desc(skb, j, p->pages[j], 0, n);
			skb->len += n;
			skb->data_len += n;
			skb->truesize += PAGE_SIZE;
			left -= n;
		}
		p->nr_pages = 0;	/* owned by the skb now */
		p->skb = NULL;

		skb->protocol = eth_type_trans(skb, dev);
		if (p->has_hash)
			skb_set_hash(skb, p->hash,
				     p->hash_type == XNB_HASH_TYPE_IPV4_TCP ||
				     p->hash_type == XNB_HASH_TYPE_IPV6_TCP ?
				     PKT_HASH_TYPE_L4 : PKT_HASH_TYPE_L3);
		if (!xnb_tx_offloads(q, p, skb)) {
			net_dbg_ratelimited("%s: bad checksum/GSO metadata (proto %#x, %u bytes, flags %#x, gso %u/%u)\n",
					    dev->name, ntohs(skb->protocol),
					    p->len, p->flags, p->gso_size,
					    p->gso_type);
			q->st.rx_errors++;
			kfree_skb(skb);
			continue;
		}
		q->st.rx_packets++;
		q->st.rx_bytes += p->len;
		napi_gro_receive(&q->napi, skb);
	}
}

/* Serve the transmit ring for at most @budget packets. */
static int xnb_tx_work(struct xnb_queue *q, int budget)
{
	int done = 0;

	while (done < budget && !test_bit(XNB_F_DISABLED, &q->vif->flags)) {
		unsigned int nr, nop;

		nr = xnb_tx_build(q, min(budget - done, XNB_BATCH), &nop);
		if (nop)
			gnttab_batch_copy(q->tx_copy, nop);
		xnb_tx_finish(q, nr);
		xnb_tx_push(q);
		if (!nr)
			break;
		set_bit(XNB_W_TX, &q->worked);
		done += nr;
	}
	return done;
}

/* Ask for an event when the slots the next packet needs are there. */
static bool xnb_tx_more(struct xnb_queue *q)
{
	q->tx.sring->req_event = q->tx.req_cons + q->tx_need;
	mb();	/* req_event before re-reading req_prod */
	return xnb_tx_pending(q);
}

/**
 * xnb_poll() - NAPI poll: the guest's transmit ring
 * @napi: the queue's NAPI context
 * @budget: packets allowed
 *
 * The late EOI of the event channel is sent only when the ring is empty,
 * so a guest cannot interrupt faster than its packets are served.  A
 * disabled vif is not served and its channel is left masked.
 */
int xnb_poll(struct napi_struct *napi, int budget)
{
	struct xnb_queue *q = container_of(napi, struct xnb_queue, napi);
	int done = 0;

	if (!test_bit(XNB_F_DISABLED, &q->vif->flags))
		done = xnb_tx_work(q, budget);
	if (done < budget && napi_complete_done(napi, done)) {
		/* Disabled: channel stays masked.  Throttled: credit_work. */
		if (test_bit(XNB_F_DISABLED, &q->vif->flags) || q->tx_throttled)
			return done;
		if (xnb_tx_more(q))
			napi_schedule(napi);
		else
			xnb_eoi_done(&q->tx_irq, XNB_EOI_TX);
	}
	return done;
}

/* ---- guest receive ring (Dom0 -> guest) ------------------------------ */

/* Extra-info slots of a queued @skb: GSO, XDP (@headroom), HASH. */
static unsigned int xnb_rx_extras(const struct sk_buff *skb,
				  unsigned int headroom)
{
	return (skb_is_gso(skb) ? 1 : 0) + (headroom ? 1 : 0) +
	       (XNB_CB(skb)->hash_type != XNB_HASH_TYPE_NONE ? 1 : 0);
}

/* Receive slots of a queued @skb with @headroom (XDP) before its data. */
static unsigned int xnb_rx_slots_for(const struct sk_buff *skb,
				     unsigned int headroom)
{
	return xnb_rx_slots(skb->len, headroom, xnb_rx_extras(skb, headroom));
}

static void xnb_queue_check_wake(struct xnb_queue *q)
{
	struct netdev_queue *txq = netdev_get_tx_queue(q->vif->dev, q->id);

	if (netif_tx_queue_stopped(txq) && q->rx_bytes < xnb_rx_queue_bytes / 2)
		netif_tx_wake_queue(txq);
}

/**
 * xnb_start_xmit() - queue a packet for the guest
 * @skb: the packet
 * @dev: the vif
 *
 * The queue is bounded: above rx_queue_bytes the netdev queue is stopped,
 * and packets the guest does not take within rx_drain_timeout_msecs are
 * dropped (xnb_rx_work()).  Multicast the guest filters out is dropped
 * here; the hash the frontend asked for is computed here.
 */
netdev_tx_t xnb_start_xmit(struct sk_buff *skb, struct net_device *dev)
{
	struct xnb_vif *vif = netdev_priv(dev);
	unsigned int qi = skb_get_queue_mapping(skb);
	struct xnb_queue *q;

	if (!test_bit(XNB_F_CONNECTED, &vif->flags) ||
	    test_bit(XNB_F_DISABLED, &vif->flags) || qi >= vif->nr_queues)
		goto drop_any;
	q = &vif->queues[qi];
	if (!xnb_mcast_wanted(vif, skb)) {
		atomic64_inc(&q->st.mcast_filtered);
		goto drop_any;
	}
	XNB_CB(skb)->hash_type = xnb_skb_hash(vif, skb, &XNB_CB(skb)->hash);
	if (xnb_rx_slots_for(skb, XNB_XDP_HEADROOM_MAX) > XNB_RX_MAX_SLOTS)
		goto drop;
	if (skb_is_gso(skb) &&
	    !(skb_shinfo(skb)->gso_type & (SKB_GSO_TCPV4 | SKB_GSO_TCPV6)))
		goto drop;

	XNB_CB(skb)->expires = jiffies + msecs_to_jiffies(xnb_rx_drain_msecs);
	spin_lock_bh(&q->rx_queue.lock);
	__skb_queue_tail(&q->rx_queue, skb);
	q->rx_bytes += skb->len;
	if (q->rx_bytes >= xnb_rx_queue_bytes)
		netif_tx_stop_queue(netdev_get_tx_queue(dev, qi));
	spin_unlock_bh(&q->rx_queue.lock);
	mod_delayed_work(xnb_rx_wq, &q->rx_work, 0);
	return NETDEV_TX_OK;

drop:
	atomic64_inc(&q->st.tx_dropped);
drop_any:
	dev_kfree_skb_any(skb);
	return NETDEV_TX_OK;
}

struct xnb_rx_plan {
	struct xnb_queue *q;
	struct xnb_rx_pkt *p;
	struct xen_netif_rx_request req;
	unsigned int nop;
	unsigned int slot;	/* data slot being filled */
	unsigned int doff;	/* offset in it */
	unsigned int headroom;	/* of this batch (XDP), before the data */
};

/* Copy @len bytes at @page + @off into the guest's buffers. */
static void xnb_rx_chunk(struct xnb_rx_plan *pl, struct page *page,
			 unsigned int off, unsigned int len)
{
	struct xnb_queue *q = pl->q;

	page += off >> PAGE_SHIFT;
	off &= ~PAGE_MASK;
	while (len) {
		struct gnttab_copy *op;
		unsigned int n;

		if (pl->doff == XEN_PAGE_SIZE) {
			pl->slot++;
			pl->doff = 0;
		}
		if (pl->slot == pl->p->nr_slots) {
			/* No request taken for this slot yet. */
			RING_COPY_REQUEST(&q->rx, q->rx.req_cons, &pl->req);
			q->rx.req_cons++;
			pl->p->ids[pl->slot] = pl->req.id;
			pl->p->lens[pl->slot] = 0;
			pl->p->nr_slots = pl->slot + 1;
			/*
			 * The slots after the first carry the extra-info
			 * segments (their responses overlay the requests, id
			 * included); the first page's data starts after the
			 * XDP headroom.
			 */
			if (pl->slot == 0) {
				q->rx.req_cons += pl->p->extras;
				pl->doff = pl->p->headroom;
			}
		}
		n = xnb_copy_len(off, len, pl->doff, XEN_PAGE_SIZE - pl->doff);
		op = &q->rx_copy[pl->nop++];
		memset(op, 0, sizeof(*op));
		op->source.u.gmfn = xen_page_to_gfn(page);
		op->source.domid = DOMID_SELF;
		op->source.offset = off;
		op->dest.u.ref = pl->req.gref;
		op->dest.domid = q->vif->domid;
		op->dest.offset = pl->doff;
		op->len = n;
		op->flags = GNTCOPY_dest_gref;
		pl->doff += n;
		pl->p->lens[pl->slot] += n;
		off += n;
		len -= n;
		if (off == PAGE_SIZE) {
			page++;
			off = 0;
		}
	}
}

/* Upper bound of the copy operations for @skb. */
static unsigned int xnb_rx_ops_bound(const struct sk_buff *skb,
				     unsigned int headroom)
{
	unsigned int i, n = xnb_rx_slots_for(skb, headroom);
	unsigned int head = offset_in_page(skb->data) + skb_headlen(skb);

	n += DIV_ROUND_UP(head, PAGE_SIZE);
	for (i = 0; i < skb_shinfo(skb)->nr_frags; i++) {
		const skb_frag_t *f = &skb_shinfo(skb)->frags[i];

		n += DIV_ROUND_UP(offset_in_page(skb_frag_off(f)) +
				  skb_frag_size(f), PAGE_SIZE);
	}
	return n;
}

static void xnb_rx_plan_skb(struct xnb_rx_plan *pl, struct sk_buff *skb)
{
	unsigned int i;

	pl->slot = 0;
	pl->doff = 0;
	pl->p->first_op = pl->nop;
	if (skb_headlen(skb))
		xnb_rx_chunk(pl, virt_to_page(skb->data),
			     offset_in_page(skb->data), skb_headlen(skb));
	for (i = 0; i < skb_shinfo(skb)->nr_frags; i++) {
		const skb_frag_t *f = &skb_shinfo(skb)->frags[i];

		xnb_rx_chunk(pl, skb_frag_page(f), skb_frag_off(f),
			     skb_frag_size(f));
	}
	pl->p->nr_ops = pl->nop - pl->p->first_op;
}

static void xnb_rx_respond(struct xnb_queue *q, u16 id, u16 offset,
			   u16 flags, s16 status)
{
	struct xen_netif_rx_response *rsp;

	rsp = RING_GET_RESPONSE(&q->rx, q->rx.rsp_prod_pvt);
	rsp->id = id;
	rsp->offset = offset;
	rsp->flags = flags;
	rsp->status = status;
	q->rx.rsp_prod_pvt++;
}

/*
 * The extra-info segments after a packet's first response: GSO, then XDP
 * (the headroom the data starts at), then HASH, chained with FLAG_MORE.
 * Each overlays the response slot (and the request's id) it takes.
 */
static void xnb_rx_respond_extras(struct xnb_queue *q, struct xnb_rx_pkt *p)
{
	struct skb_shared_info *sh = skb_shinfo(p->skb);
	struct xen_netif_extra_info extra[3];
	unsigned int i, n = 0;

	memset(extra, 0, sizeof(extra));
	if (p->gso) {
		extra[n].type = XEN_NETIF_EXTRA_TYPE_GSO;
		extra[n].u.gso.size = sh->gso_size;
		extra[n].u.gso.type = (sh->gso_type & SKB_GSO_TCPV6) ?
			XEN_NETIF_GSO_TYPE_TCPV6 : XEN_NETIF_GSO_TYPE_TCPV4;
		n++;
	}
	if (p->headroom) {
		extra[n].type = XEN_NETIF_EXTRA_TYPE_XDP;
		extra[n].u.xdp.headroom = p->headroom;
		n++;
	}
	if (p->hash_type != XNB_HASH_TYPE_NONE) {
		extra[n].type = XEN_NETIF_EXTRA_TYPE_HASH;
		extra[n].u.hash.type = p->hash_type;
		extra[n].u.hash.algorithm = XEN_NETIF_CTRL_HASH_ALGORITHM_TOEPLITZ;
		extra[n].u.hash.value[0] = p->hash & 0xff;
		extra[n].u.hash.value[1] = (p->hash >> 8) & 0xff;
		extra[n].u.hash.value[2] = (p->hash >> 16) & 0xff;
		extra[n].u.hash.value[3] = p->hash >> 24;
		n++;
	}
	for (i = 0; i < n; i++) {
		if (i + 1 < n)
			extra[i].flags = XEN_NETIF_EXTRA_FLAG_MORE;
		memcpy(RING_GET_RESPONSE(&q->rx, q->rx.rsp_prod_pvt),
		       &extra[i], sizeof(extra[i]));
		q->rx.rsp_prod_pvt++;
	}
}

static void xnb_rx_respond_pkt(struct xnb_queue *q, struct xnb_rx_pkt *p,
			       bool ok)
{
	struct sk_buff *skb = p->skb;
	unsigned int i;
	u16 flags = 0;

	if (skb->ip_summed == CHECKSUM_PARTIAL)
		flags |= XEN_NETRXF_csum_blank | XEN_NETRXF_data_validated;
	else if (skb->ip_summed == CHECKSUM_UNNECESSARY)
		flags |= XEN_NETRXF_data_validated;

	for (i = 0; i < p->nr_slots; i++) {
		u16 f = i ? 0 : flags;

		if (i + 1 < p->nr_slots)
			f |= XEN_NETRXF_more_data;
		if (i == 0 && p->extras)
			f |= XEN_NETRXF_extra_info;
		xnb_rx_respond(q, p->ids[i], i ? 0 : p->headroom, f,
			       ok ? p->lens[i] : XEN_NETIF_RSP_ERROR);
		if (i == 0)
			xnb_rx_respond_extras(q, p);
	}
}

static void xnb_rx_set_stalled(struct xnb_queue *q, bool stalled)
{
	struct xnb_vif *vif = q->vif;

	if (q->rx_stalled == stalled)
		return;
	q->rx_stalled = stalled;
	if (stalled) {
		q->st.tx_stalls++;
		netdev_warn(vif->dev, "queue %u: guest stopped taking packets; carrier off\n",
			    q->id);
		xd_evlog_add(&xnb_evlog, vif->dev->name, "stall", "queue=%u",
			     q->id);
		if (atomic_inc_return(&vif->stalled) == 1)
			xnb_carrier(vif, false);
	} else {
		netdev_info(vif->dev, "queue %u: guest takes packets again\n",
			    q->id);
		xd_evlog_add(&xnb_evlog, vif->dev->name, "unstall", "queue=%u",
			     q->id);
		if (atomic_dec_return(&vif->stalled) == 0 &&
		    test_bit(XNB_F_CONNECTED, &vif->flags) &&
		    !test_bit(XNB_F_DISABLED, &vif->flags))
			xnb_carrier(vif, true);
	}
}

/* Drop queued packets whose drain timeout passed; true if any. */
static bool xnb_rx_drop_expired(struct xnb_queue *q)
{
	struct sk_buff_head drop;
	struct sk_buff *skb;
	bool any = false;

	__skb_queue_head_init(&drop);
	spin_lock_bh(&q->rx_queue.lock);
	while ((skb = skb_peek(&q->rx_queue)) &&
	       time_after_eq(jiffies, XNB_CB(skb)->expires)) {
		__skb_unlink(skb, &q->rx_queue);
		q->rx_bytes -= skb->len;
		__skb_queue_tail(&drop, skb);
	}
	xnb_queue_check_wake(q);
	spin_unlock_bh(&q->rx_queue.lock);
	while ((skb = __skb_dequeue(&drop))) {
		atomic64_inc(&q->st.tx_expired);
		kfree_skb(skb);
		any = true;
	}
	return any;
}

/**
 * xnb_rx_batch() - one grant-copy batch onto the receive ring
 * @q: the queue
 * @more: set when the batch ended at a size limit, not because the queue
 *	is empty or the guest's buffers ran out
 *
 * The batch ends after rx_copy_ops copy operations (at least one packet):
 * small batches let the guest take the first packets while the next ones
 * are copied, and free the sender's skbs sooner.
 *
 * Return: the number of packets, or -EPROTO.
 */
static int xnb_rx_batch(struct xnb_queue *q, bool *more)
{
	struct xnb_rx_plan pl = { .q = q };
	unsigned int nr = 0, avail, i, j;
	unsigned int max_ops = READ_ONCE(xnb_rx_copy_ops);

	/* Changed only by a Reconfiguring frontend; one value per batch. */
	pl.headroom = READ_ONCE(q->vif->xdp_headroom);
	RING_IDX prod;
	int notify;

	prod = READ_ONCE(q->rx.sring->req_prod);
	virt_rmb();	/* requests up to prod are visible */
	if (!xnb_ring_avail_ok(prod, q->rx.req_cons, XNB_RX_RING_SIZE)) {
		xnb_fatal(q, "receive ring producer index far ahead");
		return -EPROTO;
	}
	avail = prod - q->rx.req_cons;

	*more = false;
	spin_lock_bh(&q->rx_queue.lock);
	while (nr < XNB_BATCH) {
		struct sk_buff *skb = skb_peek(&q->rx_queue);
		unsigned int need, ops;

		if (!skb)
			break;
		need = xnb_rx_slots_for(skb, pl.headroom);
		if (need > avail)
			break;
		ops = xnb_rx_ops_bound(skb, pl.headroom);
		if (xnb_rx_batch_full(pl.nop, ops, nr, max_ops, XNB_COPY_OPS)) {
			/* (A packet no batch can hold waits to expire.) */
			*more = nr;
			break;
		}
		__skb_unlink(skb, &q->rx_queue);
		q->rx_bytes -= skb->len;
		avail -= need;
		pl.p = &q->rx_pkts[nr++];
		pl.p->skb = skb;
		pl.p->gso = skb_is_gso(skb);
		pl.p->headroom = pl.headroom;
		pl.p->hash_type = XNB_CB(skb)->hash_type;
		pl.p->hash = XNB_CB(skb)->hash;
		pl.p->extras = xnb_rx_extras(skb, pl.headroom);
		pl.p->nr_slots = 0;
		/* Planning reads the guest's requests; the lock only guards the queue. */
		xnb_rx_plan_skb(&pl, skb);
	}
	if (nr == XNB_BATCH)
		*more = true;
	xnb_queue_check_wake(q);
	spin_unlock_bh(&q->rx_queue.lock);
	if (!nr)
		return 0;

	gnttab_batch_copy(q->rx_copy, pl.nop);
	set_bit(XNB_W_RX, &q->worked);
	for (i = 0; i < nr; i++) {
		struct xnb_rx_pkt *p = &q->rx_pkts[i];
		bool ok = true;

		for (j = 0; j < p->nr_ops; j++)
			if (q->rx_copy[p->first_op + j].status != GNTST_okay)
				ok = false;
		xnb_rx_respond_pkt(q, p, ok);
		if (ok) {
			q->st.tx_packets++;
			q->st.tx_bytes += p->skb->len;
			if (p->gso)
				q->st.tx_gso++;
			if (p->hash_type != XNB_HASH_TYPE_NONE)
				q->st.tx_hash++;
			consume_skb(p->skb);
		} else {
			q->st.tx_copy_fail++;
			q->st.tx_errors++;
			kfree_skb(p->skb);
		}
		p->skb = NULL;
	}
	RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(&q->rx, notify);
	if (notify)
		notify_remote_via_irq(xnb_rx_irq(q)->irq);
	q->rx_progress = jiffies;
	return nr;
}

/**
 * xnb_rx_work() - move queued packets onto the guest's receive ring
 * @work: the queue's rx_work
 *
 * Also the stall and drain logic: a queue whose guest posts no buffers
 * for rx_stall_timeout_msecs is marked stalled (carrier off once every
 * queue is), packets older than rx_drain_timeout_msecs are dropped, and
 * the queue is re-armed for whichever deadline comes first.
 */
void xnb_rx_work(struct work_struct *work)
{
	struct xnb_queue *q = container_of(to_delayed_work(work),
					   struct xnb_queue, rx_work);
	unsigned long stall = msecs_to_jiffies(xnb_rx_stall_msecs);
	unsigned long next, expires;
	unsigned int done = 0, need, avail;
	struct sk_buff *skb;
	bool more;
	int rc;

	if (!test_bit(XNB_F_CONNECTED, &q->vif->flags))
		goto eoi;
	if (test_bit(XNB_F_DISABLED, &q->vif->flags))
		return;	/* channel stays masked */

	do {
		rc = xnb_rx_batch(q, &more);
		if (rc < 0)
			return;
		done += rc;
	} while (more && done < XNB_RX_BUDGET);
	if (more) {
		/* More to do: let other work run first. */
		mod_delayed_work(xnb_rx_wq, &q->rx_work, 0);
		goto eoi;
	}

	if (done && q->rx_stalled)
		xnb_rx_set_stalled(q, false);
	xnb_rx_drop_expired(q);

	spin_lock_bh(&q->rx_queue.lock);
	skb = skb_peek(&q->rx_queue);
	need = skb ? xnb_rx_slots_for(skb, READ_ONCE(q->vif->xdp_headroom)) :
		     XNB_RX_MAX_SLOTS;
	expires = skb ? XNB_CB(skb)->expires : 0;
	spin_unlock_bh(&q->rx_queue.lock);

	/* Ask for an event when the guest has posted enough buffers. */
	q->rx.sring->req_event = q->rx.req_cons + need;
	mb();	/* req_event before re-reading req_prod */
	avail = READ_ONCE(q->rx.sring->req_prod) - q->rx.req_cons;
	if (avail >= need) {
		q->rx_progress = jiffies;
		if (q->rx_stalled)
			xnb_rx_set_stalled(q, false);
		if (skb)
			mod_delayed_work(xnb_rx_wq, &q->rx_work, 0);
	}
	if (!skb && !q->rx_stalled) {
		/*
		 * Nothing to deliver: no events for buffers the guest posts
		 * (they would count as spurious and slow real ones down).
		 */
		q->rx.sring->req_event = q->rx.req_cons + XNB_RX_RING_SIZE + 1;
	}
	if (!skb || avail >= need)
		goto eoi;
	if (!q->rx_stalled && time_after_eq(jiffies, q->rx_progress + stall))
		xnb_rx_set_stalled(q, true);
	next = expires;
	if (!q->rx_stalled && time_before(q->rx_progress + stall, next))
		next = q->rx_progress + stall;
	/* Re-arm for the drain or stall deadline (no-op if already queued). */
	queue_delayed_work(xnb_rx_wq, &q->rx_work,
			   time_after(next, jiffies) ? next - jiffies : 1);
eoi:
	xnb_eoi_done(xnb_rx_irq(q), XNB_EOI_RX);
}
