/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * netback-check.h - the decisions xen-netback takes on what a netif
 * frontend puts on its rings, as pure functions: ring index bounds, slot
 * bounds, packet assembly from a chain of transmit slots, extra-info
 * segments, the number of receive slots a packet needs, the control
 * ring's requests (hash key, flags, mapping table), the Toeplitz hash and
 * the multicast filter list.
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
 * xnb_rx_batch_full() - must a packet wait for the next receive batch?
 * @nop: copy operations already in the batch
 * @ops: copy operations the packet needs (upper bound)
 * @nr: packets already in the batch
 * @max_ops: operations after which a batch is flushed (rx_copy_ops)
 * @limit: size of the operation array
 *
 * A batch always takes its first packet when the array holds it (a
 * packet larger than @max_ops is copied alone); it never outgrows @limit.
 */
static inline bool xnb_rx_batch_full(unsigned int nop, unsigned int ops,
				     unsigned int nr, unsigned int max_ops,
				     unsigned int limit)
{
	if (ops > limit || nop > limit - ops)
		return true;
	return nr && nop + ops > max_ops;
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

/* ---- control ring: hashing (netif.h "Control ring") ------------------- */

#define XNB_CTRL_TYPE_INVALID			0U
#define XNB_CTRL_TYPE_GET_HASH_FLAGS		1U
#define XNB_CTRL_TYPE_SET_HASH_FLAGS		2U
#define XNB_CTRL_TYPE_SET_HASH_KEY		3U
#define XNB_CTRL_TYPE_GET_HASH_MAPPING_SIZE	4U
#define XNB_CTRL_TYPE_SET_HASH_MAPPING_SIZE	5U
#define XNB_CTRL_TYPE_SET_HASH_MAPPING		6U
#define XNB_CTRL_TYPE_SET_HASH_ALGORITHM	7U

#define XNB_CTRL_STATUS_SUCCESS			0U
#define XNB_CTRL_STATUS_NOT_SUPPORTED		1U
#define XNB_CTRL_STATUS_INVALID_PARAMETER	2U
#define XNB_CTRL_STATUS_BUFFER_OVERFLOW		3U

#define XNB_HASH_ALG_NONE	0U
#define XNB_HASH_ALG_TOEPLITZ	1U

/* Hash types: bit numbers (the HASH extra's htype) and flag masks. */
#define XNB_HASH_TYPE_IPV4	0U
#define XNB_HASH_TYPE_IPV4_TCP	1U
#define XNB_HASH_TYPE_IPV6	2U
#define XNB_HASH_TYPE_IPV6_TCP	3U
#define XNB_HASH_TYPE_NONE	0xffU	/* no hash for this packet */
#define XNB_HASH_FLAGS_ALL	0xfU

/* Our Toeplitz key size and the largest mapping table we take. */
#define XNB_HASH_KEY_SIZE	40U
#define XNB_HASH_MAPPING_MAX	128U

/**
 * xnb_toeplitz() - Toeplitz hash of a byte string
 * @key: the key, XNB_HASH_KEY_SIZE bytes (octets the frontend did not
 *	set are zero)
 * @buf: the data (network byte order fields, see netif.h "Hash types")
 * @len: bytes of @buf, at most XNB_HASH_KEY_SIZE - 4
 *
 * For every bit of @buf, most significant first: if it is set, the hash
 * is XORed with the 32 key bits starting at the same bit position.
 *
 * Return: the hash.
 */
static inline unsigned int xnb_toeplitz(const unsigned char *key,
					const unsigned char *buf,
					unsigned int len)
{
	unsigned int hash = 0, i, bit;
	/* The 32 key bits at the current position (and the next byte). */
	unsigned long long win = 0;

	for (i = 0; i < 8; i++)
		win = (win << 8) | key[i];
	for (i = 0; i < len && i + 4 < XNB_HASH_KEY_SIZE; i++) {
		for (bit = 0; bit < 8; bit++) {
			if (buf[i] & (0x80U >> bit))
				hash ^= (unsigned int)(win >> (32 - bit));
		}
		win <<= 8;
		if (i + 8 < XNB_HASH_KEY_SIZE)
			win |= key[i + 8];
	}
	return hash;
}

/**
 * xnb_hash_type() - which hash to compute for a packet
 * @flags: the enabled XNB_HASH_TYPE flags (1 << type)
 * @ipv6: the packet is IPv6 (else IPv4)
 * @tcp: it is TCP with its ports available (not a later fragment)
 *
 * The "maximal" enabled type: the 4-tuple for TCP when its flag is set,
 * else the 2-tuple when that flag is set.
 *
 * Return: an XNB_HASH_TYPE_* or XNB_HASH_TYPE_NONE.
 */
static inline unsigned int xnb_hash_type(unsigned int flags, bool ipv6,
					 bool tcp)
{
	unsigned int l4 = ipv6 ? XNB_HASH_TYPE_IPV6_TCP : XNB_HASH_TYPE_IPV4_TCP;
	unsigned int l3 = ipv6 ? XNB_HASH_TYPE_IPV6 : XNB_HASH_TYPE_IPV4;

	if (tcp && (flags & (1U << l4)))
		return l4;
	if (flags & (1U << l3))
		return l3;
	return XNB_HASH_TYPE_NONE;
}

/**
 * xnb_hash_input_len() - bytes hashed for a hash type
 * @type: XNB_HASH_TYPE_*
 *
 * Return: 8, 12, 32 or 36 (addresses, then ports), 0 for NONE.
 */
static inline unsigned int xnb_hash_input_len(unsigned int type)
{
	switch (type) {
	case XNB_HASH_TYPE_IPV4:
		return 8;
	case XNB_HASH_TYPE_IPV4_TCP:
		return 12;
	case XNB_HASH_TYPE_IPV6:
		return 32;
	case XNB_HASH_TYPE_IPV6_TCP:
		return 36;
	default:
		return 0;
	}
}

/**
 * xnb_ctrl_key_check() - SET_HASH_KEY: the key size
 * @size: data[1], octets
 *
 * Return: a XNB_CTRL_STATUS_*: SUCCESS (0 clears the key), or
 * BUFFER_OVERFLOW above our key size.
 */
static inline unsigned int xnb_ctrl_key_check(unsigned int size)
{
	return size > XNB_HASH_KEY_SIZE ? XNB_CTRL_STATUS_BUFFER_OVERFLOW :
					  XNB_CTRL_STATUS_SUCCESS;
}

/**
 * xnb_ctrl_flags_check() - SET_HASH_FLAGS: the flags asked for
 * @alg: the current algorithm
 * @flags: data[0]
 *
 * Return: NOT_SUPPORTED without an algorithm, INVALID_PARAMETER for an
 * unknown flag, else SUCCESS.
 */
static inline unsigned int xnb_ctrl_flags_check(unsigned int alg,
						unsigned int flags)
{
	if (alg == XNB_HASH_ALG_NONE)
		return XNB_CTRL_STATUS_NOT_SUPPORTED;
	if (flags & ~XNB_HASH_FLAGS_ALL)
		return XNB_CTRL_STATUS_INVALID_PARAMETER;
	return XNB_CTRL_STATUS_SUCCESS;
}

/**
 * xnb_ctrl_mapping_size_check() - SET_HASH_MAPPING_SIZE
 * @size: data[0], entries (0: hash modulo the number of queues)
 */
static inline unsigned int xnb_ctrl_mapping_size_check(unsigned int size)
{
	return size > XNB_HASH_MAPPING_MAX ? XNB_CTRL_STATUS_INVALID_PARAMETER :
					     XNB_CTRL_STATUS_SUCCESS;
}

/**
 * xnb_ctrl_mapping_check() - SET_HASH_MAPPING: the range asked for
 * @size: entries of the current table
 * @len: data[1], entries to set
 * @off: data[2], first entry to set
 *
 * The range must lie inside the table (without wrapping) and the
 * entries (4 octets each) must fit in the one granted page.
 *
 * Return: SUCCESS or INVALID_PARAMETER.
 */
static inline unsigned int xnb_ctrl_mapping_check(unsigned int size,
						  unsigned int len,
						  unsigned int off)
{
	if (off > size || len > size - off)
		return XNB_CTRL_STATUS_INVALID_PARAMETER;
	if (len > XNB_PAGE_SIZE / 4)
		return XNB_CTRL_STATUS_INVALID_PARAMETER;
	return XNB_CTRL_STATUS_SUCCESS;
}

/**
 * xnb_ctrl_mapping_entries_ok() - SET_HASH_MAPPING: the entries copied
 * @e: the entries (a copy: the guest cannot change them any more)
 * @len: how many
 * @nr_queues: the connected queues
 *
 * Return: true if every entry names a queue.
 */
static inline bool xnb_ctrl_mapping_entries_ok(const unsigned int *e,
					       unsigned int len,
					       unsigned int nr_queues)
{
	unsigned int i;

	for (i = 0; i < len; i++)
		if (e[i] >= nr_queues)
			return false;
	return true;
}

/**
 * xnb_hash_queue() - the queue a hash selects
 * @hash: the packet's hash
 * @map: the mapping table
 * @size: its entries; 0: modular arithmetic
 * @nr_queues: the connected queues (at least 1)
 *
 * Entries were checked against the queue count when they were set; a
 * table older than a smaller queue count still cannot select a queue
 * that does not exist.
 */
static inline unsigned int xnb_hash_queue(unsigned int hash,
					  const unsigned int *map,
					  unsigned int size,
					  unsigned int nr_queues)
{
	unsigned int q = size ? map[hash % size] : hash;

	return q % nr_queues;
}

/* ---- multicast control (XEN_NETIF_EXTRA_TYPE_MCAST_{ADD,DEL}) --------- */

#define XNB_MCAST_MAX		64U
#define XNB_MCAST_OK		0	/* done */
#define XNB_MCAST_INVALID	1	/* not a multicast address */
#define XNB_MCAST_OVERFLOW	2	/* list full: accept all multicast */

/* Ethernet multicast (the group bit; broadcast included). */
static inline bool xnb_mcast_addr_ok(const unsigned char *a)
{
	return a[0] & 1;
}

static inline bool xnb_mac_eq(const unsigned char *a, const unsigned char *b)
{
	unsigned int i;

	for (i = 0; i < 6; i++)
		if (a[i] != b[i])
			return false;
	return true;
}

/**
 * xnb_mcast_find() - index of an address in a filter list, or -1
 * @list: @n addresses of 6 octets
 * @n: addresses in the list
 * @a: the address
 */
static inline int xnb_mcast_find(const unsigned char (*list)[6],
				 unsigned int n, const unsigned char *a)
{
	unsigned int i;

	for (i = 0; i < n && i < XNB_MCAST_MAX; i++)
		if (xnb_mac_eq(list[i], a))
			return (int)i;
	return -1;
}

/**
 * xnb_mcast_update() - apply an MCAST_ADD or MCAST_DEL extra
 * @list: the vif's list, XNB_MCAST_MAX entries
 * @n: addresses in it (updated)
 * @add: MCAST_ADD (else MCAST_DEL)
 * @a: the address (copied out of the ring)
 *
 * Adding an address present, or deleting one absent, changes nothing.
 *
 * Return: XNB_MCAST_OK, XNB_MCAST_INVALID (not multicast: nothing done)
 * or XNB_MCAST_OVERFLOW (add to a full list: not added).
 */
static inline int xnb_mcast_update(unsigned char (*list)[6], unsigned int *n,
				   bool add, const unsigned char *a)
{
	int i;
	unsigned int k;

	if (!xnb_mcast_addr_ok(a))
		return XNB_MCAST_INVALID;
	if (*n > XNB_MCAST_MAX)
		*n = XNB_MCAST_MAX;
	i = xnb_mcast_find((const unsigned char (*)[6])list, *n, a);
	if (add) {
		if (i >= 0)
			return XNB_MCAST_OK;
		if (*n >= XNB_MCAST_MAX)
			return XNB_MCAST_OVERFLOW;
		for (k = 0; k < 6; k++)
			list[*n][k] = a[k];
		(*n)++;
		return XNB_MCAST_OK;
	}
	if (i < 0)
		return XNB_MCAST_OK;
	(*n)--;
	for (k = 0; k < 6; k++)
		list[i][k] = list[*n][k];
	return XNB_MCAST_OK;
}

/**
 * xnb_mcast_pass() - may a frame go to a guest that filters multicast?
 * @dst: its destination address
 * @list: the filter list
 * @n: addresses in it
 * @all: the list overflowed: every multicast frame passes
 *
 * Unicast and broadcast always pass.
 */
static inline bool xnb_mcast_pass(const unsigned char *dst,
				  const unsigned char (*list)[6],
				  unsigned int n, bool all)
{
	static const unsigned char bcast[6] = {
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff
	};

	if (!(dst[0] & 1) || all || xnb_mac_eq(dst, bcast))
		return true;
	return xnb_mcast_find(list, n, dst) >= 0;
}

/* ---- guest-triggered events on the control device ---------------------- */

/*
 * Events a guest triggers at will (multicast add/del, hashing changes), per
 * vif and kind: at most XNB_GUEST_EV_BURST in each window of
 * XNB_GUEST_EV_WINDOW_MS (a guest can send MCAST_ADD/DEL extras or control
 * requests as fast as it likes; the event stream holds only the last 256
 * lines of every vif together).
 */
#define XNB_GUEST_EV_BURST	16U
#define XNB_GUEST_EV_WINDOW_MS	10000U

/**
 * struct xnb_evrate - a fixed-window limit on events
 * @start: start of the current window (any clock that counts up, e.g. jiffies)
 * @n: events reported in this window
 * @missed: events suppressed since the last one reported
 */
struct xnb_evrate {
	unsigned long start;
	unsigned int n;
	unsigned int missed;
};

/**
 * xnb_evrate_take() - may one more event be reported now?
 * @r: the limit's state (zeroed to begin with)
 * @now: the current time, in the unit of @window (wraps like jiffies)
 * @window: length of a window
 * @burst: events reported per window
 * @missed: when it returns true, set to the events suppressed since the
 *	last one reported (to be reported with it)
 *
 * Return: true if the event is to be reported, false if it is suppressed
 * (and counted).
 */
static inline bool xnb_evrate_take(struct xnb_evrate *r, unsigned long now,
				   unsigned long window, unsigned int burst,
				   unsigned int *missed)
{
	if (now - r->start >= window) {
		r->start = now;
		r->n = 0;
	}
	if (r->n >= burst) {
		if (r->missed != ~0U)
			r->missed++;
		return false;
	}
	r->n++;
	*missed = r->missed;
	r->missed = 0;
	return true;
}

/**
 * xnb_evrate_flush() - the suppressed events not reported yet, and forget them
 * @r: the limit's state
 *
 * Return: the count (0 if none).
 */
static inline unsigned int xnb_evrate_flush(struct xnb_evrate *r)
{
	unsigned int m = r->missed;

	r->missed = 0;
	return m;
}

#endif /* XD_NETBACK_CHECK_H */
