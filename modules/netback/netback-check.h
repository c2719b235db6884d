/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * netback-check.h - the decisions xen-netback takes on what a netif
 * frontend puts on its rings, as pure functions: ring index bounds, slot
 * bounds, packet assembly from a chain of transmit slots, extra-info
 * segments, and the number of receive slots a packet needs.
 *
 * Nothing here touches kernel state, so the same file compiles in user
 * space (tests/unit/netback-check.c).  It uses only plain C types and
 * includes nothing: the includer provides bool.  The protocol values are
 * restated here (XNB_*); netback.c checks them against
 * <xen/interface/io/netif.h> at build time.
 */
#ifndef XD_NETBACK_CHECK_H
#define XD_NETBACK_CHECK_H

#define XNB_PAGE_SIZE		4096U
#define XNB_ETH_HLEN		14U
#define XNB_MAX_TX_SIZE		0xFFFFU

#define XNB_EXTRA_TYPE_NONE	0U
#define XNB_EXTRA_TYPE_GSO	1U
#define XNB_EXTRA_TYPE_MCAST_ADD 2U
#define XNB_EXTRA_TYPE_MCAST_DEL 3U
#define XNB_EXTRA_TYPE_HASH	4U
#define XNB_EXTRA_TYPE_XDP	5U
#define XNB_EXTRA_TYPE_MAX	6U
#define XNB_GSO_TYPE_TCPV4	1U
#define XNB_GSO_TYPE_TCPV6	2U

/* Verdicts on guest input. */
#define XNB_OK		0
#define XNB_DROP	1	/* answer the slots with an error, go on */
#define XNB_FATAL	2	/* protocol violation: disable the vif */

/**
 * xnb_ring_avail_ok() - may the backend trust a producer index?
 * @prod: producer index the frontend published
 * @cons: the backend's private consumer index
 * @ring_size: entries of the ring
 *
 * A frontend can never have more unconsumed requests than the ring holds;
 * an index farther ahead is a protocol violation (it would make the backend
 * read stale entries in an endless loop).  Indices wrap at 2^32.
 */
static inline bool xnb_ring_avail_ok(unsigned int prod, unsigned int cons,
				     unsigned int ring_size)
{
	return prod - cons <= ring_size;
}

/**
 * xnb_slot_ok() - does a slot's data stay inside its granted page?
 * @offset: offset of the data in the page
 * @len: bytes of data (0 is allowed: nothing is copied)
 */
static inline bool xnb_slot_ok(unsigned int offset, unsigned int len)
{
	return offset < XNB_PAGE_SIZE && len <= XNB_PAGE_SIZE - offset;
}

/**
 * struct xnb_slot - what the packet checks need of one transmit slot
 * @offset: data offset in the granted page
 * @size: for the first slot the size of the whole packet, for the others
 *	the bytes in this slot (the netif convention)
 */
struct xnb_slot {
	unsigned int offset;
	unsigned int size;
};

/**
 * xnb_tx_packet_check() - validate a packet made of transmit slots
 * @s: the slots, first one first
 * @n: number of slots (at least 1)
 * @max_slots: more slots than this: drop the packet
 * @fatal_slots: more slots than this: the frontend is broken or hostile
 * @first_len: set to the bytes of data in the first slot
 * @why: set to a static description when the verdict is not XNB_OK
 *
 * Return: XNB_OK, XNB_DROP or XNB_FATAL.
 */
static inline int xnb_tx_packet_check(const struct xnb_slot *s, unsigned int n,
				      unsigned int max_slots,
				      unsigned int fatal_slots,
				      unsigned int *first_len, const char **why)
{
	unsigned int i, rest = 0;

	*first_len = 0;
	if (n == 0 || n > fatal_slots) {
		*why = "too many slots in one packet";
		return XNB_FATAL;
	}
	for (i = 1; i < n; i++) {
		if (!xnb_slot_ok(s[i].offset, s[i].size)) {
			*why = "slot crosses a page boundary";
			return XNB_FATAL;
		}
		rest += s[i].size;	/* at most 64 * 4096: no overflow */
	}
	if (rest > s[0].size) {
		*why = "slots hold more data than the packet size";
		return XNB_DROP;
	}
	*first_len = s[0].size - rest;
	if (!xnb_slot_ok(s[0].offset, *first_len)) {
		*why = "first slot crosses a page boundary";
		return XNB_FATAL;
	}
	if (n > max_slots) {
		*why = "more slots than max_skb_slots";
		return XNB_DROP;
	}
	if (s[0].size < XNB_ETH_HLEN) {
		*why = "packet shorter than an Ethernet header";
		return XNB_DROP;
	}
	return XNB_OK;
}

/**
 * xnb_extra_check() - validate one extra-info segment of a transmit packet
 * @type: its type
 * @seen: bit mask of the types already seen in this packet (updated)
 * @gso_size: u.gso.size (for XNB_EXTRA_TYPE_GSO)
 * @gso_type: u.gso.type (for XNB_EXTRA_TYPE_GSO)
 * @why: set to a static description when the verdict is not XNB_OK
 *
 * Each type may appear once per packet; unknown types and malformed GSO
 * descriptions are protocol violations.
 */
static inline int xnb_extra_check(unsigned int type, unsigned int *seen,
				  unsigned int gso_size, unsigned int gso_type,
				  const char **why)
{
	if (type == XNB_EXTRA_TYPE_NONE || type >= XNB_EXTRA_TYPE_MAX) {
		*why = "unknown extra-info type";
		return XNB_FATAL;
	}
	if (*seen & (1U << type)) {
		*why = "extra-info type repeated in one packet";
		return XNB_FATAL;
	}
	*seen |= 1U << type;
	if (type != XNB_EXTRA_TYPE_GSO)
		return XNB_OK;
	if (gso_size == 0) {
		*why = "GSO segment size is zero";
		return XNB_FATAL;
	}
	if (gso_type != XNB_GSO_TYPE_TCPV4 && gso_type != XNB_GSO_TYPE_TCPV6) {
		*why = "unknown GSO type";
		return XNB_FATAL;
	}
	return XNB_OK;
}

/*
 * Largest XDP headroom a frontend may ask for ("xdp-headroom"; netfront
 * asks for 256).  The protocol allows up to 0x7FFF, but the headroom is
 * taken from the packet's first page: half a page is the most that
 * leaves room for the headers.
 */
#define XNB_XDP_HEADROOM_MAX	(XNB_PAGE_SIZE / 2)

/**
 * xnb_rx_slots() - receive slots a packet of @len bytes takes in a guest
 * @len: bytes of the packet (Ethernet header included)
 * @headroom: bytes left free at the start of the first page (XDP)
 * @extras: extra-info slots that go with it (GSO, XDP)
 *
 * Data is packed densely into the guest's pages, one page per slot, the
 * first starting at @headroom.
 */
static inline unsigned int xnb_rx_slots(unsigned int len,
					unsigned int headroom,
					unsigned int extras)
{
	unsigned int n = (headroom + len + XNB_PAGE_SIZE - 1) / XNB_PAGE_SIZE;

	return (n ? n : 1) + extras;
}

/**
 * xnb_xdp_headroom_ok() - whether a frontend's "xdp-headroom" is usable
 * @v: the value read
 *
 * Return: true for 0 (no XDP) up to XNB_XDP_HEADROOM_MAX.
 */
static inline bool xnb_xdp_headroom_ok(unsigned long long v)
{
	return v <= XNB_XDP_HEADROOM_MAX;
}

/**
 * xnb_copy_len() - length of the next grant-copy piece
 * @src_off: offset in the source page
 * @src_left: bytes left in the source chunk
 * @dst_off: offset in the destination page
 * @dst_left: bytes left in the destination chunk
 *
 * A grant copy never crosses a page on either side.
 */
static inline unsigned int xnb_copy_len(unsigned int src_off,
					unsigned int src_left,
					unsigned int dst_off,
					unsigned int dst_left)
{
	unsigned int n = src_left;

	if (n > XNB_PAGE_SIZE - src_off)
		n = XNB_PAGE_SIZE - src_off;
	if (n > dst_left)
		n = dst_left;
	if (n > XNB_PAGE_SIZE - dst_off)
		n = XNB_PAGE_SIZE - dst_off;
	return n;
}

/**
 * xnb_credit_take() - may a guest packet go out under the vif's rate limit?
 * @remaining: credit left in the current window (updated)
 * @credit: bytes allowed per window (the "rate" node); 0: unlimited
 * @len: bytes of the packet
 *
 * A packet larger than the whole credit goes out when the window's credit
 * is untouched (it would never fit otherwise), using it all up.
 */
static inline bool xnb_credit_take(unsigned long long *remaining,
				   unsigned long long credit, unsigned int len)
{
	if (!credit)
		return true;
	if (len <= *remaining) {
		*remaining -= len;
		return true;
	}
	if (*remaining == credit) {
		*remaining = 0;
		return true;
	}
	return false;
}

/**
 * xnb_parse_rate() - parse the "rate" node: "<bytes>,<usec>"
 * @s: the node's value
 * @bytes: set to the bytes per window
 * @usec: set to the window in microseconds
 *
 * Return: true if @s is two decimal numbers, bytes > 0 and usec > 0 and
 * at most 10 s, false otherwise (the caller then applies no limit).
 */
static inline bool xnb_parse_rate(const char *s, unsigned long long *bytes,
				  unsigned long *usec)
{
	unsigned long long b = 0, u = 0;
	int digits = 0;

	for (; *s >= '0' && *s <= '9'; s++, digits++) {
		if (b > 1000000000000ULL)
			return false;
		b = b * 10 + (unsigned long long)(*s - '0');
	}
	if (!digits || *s++ != ',')
		return false;
	for (digits = 0; *s >= '0' && *s <= '9'; s++, digits++) {
		if (u > 10000000ULL)
			return false;
		u = u * 10 + (unsigned long long)(*s - '0');
	}
	if (!digits || *s || !b || !u || u > 10000000ULL)
		return false;
	*bytes = b;
	*usec = (unsigned long)u;
	return true;
}

#endif /* XD_NETBACK_CHECK_H */
