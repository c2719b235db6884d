// SPDX-License-Identifier: GPL-2.0-only
/*
 * Fuzz harness of modules/netback/netback-check.h: the checks xen-netback
 * applies to a netif frontend's transmit ring, with oracles:
 *
 * - packet check: the verdict equals an independent reference; an
 *   accepted packet has 1..max_slots slots (max_slots <= fatal_slots <=
 *   64 as the module clamps them), no slot crosses its page (in 64-bit
 *   arithmetic), the first slot's bytes plus the others' equal the packet
 *   size, the packet holds an Ethernet header;
 * - copy plan: the copies datapath.c plans for an accepted packet (with
 *   xnb_copy_len(), into a 256-byte linear area at any offset and then
 *   whole pages) never cross a page on either side, make progress, copy
 *   exactly the packet, need at most MAX_SKB_FRAGS pages and at most
 *   XNB_SLOTS_LIMIT + MAX_SKB_FRAGS + 2 copy ops (the room xnb_tx_build()
 *   reserves per packet);
 * - extra-info: a chain of segments is accepted only with known types,
 *   each at most once, GSO only with a size and a TCPv4/v6 type;
 * - ring index: never accepted more than a ring ahead;
 * - receive slots: enough pages for the packet, one more for GSO;
 * - rate limit: within a window the bytes let through never exceed the
 *   credit, except one packet larger than the whole credit; the "rate"
 *   parser agrees with a reference parser and never overflows;
 * - control ring: the mapping range check equals a 64-bit reference and
 *   an accepted range lies inside the table and the page; accepted
 *   entries name a queue and the queue a hash selects exists; the
 *   Toeplitz hash equals a bit-by-bit reference; the key and size checks;
 * - multicast list: add/del agree with a reference set, never exceed
 *   XNB_MCAST_MAX, refuse unicast, and the filter passes exactly unicast,
 *   broadcast and listed (or, after an overflow, all) addresses.
 */
enum { ST_OK, ST_DROP, ST_FATAL, ST_MULTI_OK, ST_EXTRA_OK, ST_GSO_OK,
	ST_RATE_OK, ST_CREDIT_DENY, ST_BIG_PLAN, ST_MAP_OK, ST_MAP_ENTRIES_OK,
	ST_MCAST_FULL };
#define XD_STAT_NAMES { "packet-ok", "packet-drop", "packet-fatal", \
	"multi-slot-ok", "extras-ok", "gso-ok", "rate-parsed", \
	"credit-denied", "plan-over-16-ops", "ctrl-map-ok", \
	"ctrl-entries-ok", "mcast-list-full" }
#include "fuzz.h"

#include "../../modules/netback/netback-check.h"

/* modules/netback/netback.h, and the kernel's on x86 */
#define SLOTS_LIMIT	64
#define NR_SLOTS_MIN	18
#define MAX_SKB_FRAGS	17
#define TX_LINEAR	256
#define EXTRAS_LIMIT	(XNB_EXTRA_TYPE_MAX - 1)

static int ref_packet(const struct xnb_slot *s, unsigned int n,
		      unsigned int max_slots, unsigned int fatal_slots)
{
	unsigned long long rest = 0;
	unsigned int i;

	if (n < 1 || n > fatal_slots)
		return XNB_FATAL;
	for (i = 1; i < n; i++) {
		if (s[i].offset >= 4096 ||
		    (unsigned long long)s[i].offset + s[i].size > 4096)
			return XNB_FATAL;
		rest += s[i].size;
	}
	if (rest > s[0].size)
		return XNB_DROP;
	if (s[0].offset >= 4096 ||
	    (unsigned long long)s[0].offset + (s[0].size - rest) > 4096)
		return XNB_FATAL;
	if (n > max_slots || s[0].size < 14)
		return XNB_DROP;
	return XNB_OK;
}

/* xnb_tx_plan() of datapath.c, checking every copy it plans. */
static void check_plan(const struct xnb_slot *s, unsigned int n,
		       unsigned int first_len, unsigned int data_off)
{
	unsigned int len = s[0].size;
	unsigned int linear = len < TX_LINEAR ? len : TX_LINEAR;
	unsigned int frag_bytes = len - linear, pages = 0;
	unsigned int i, pos = 0, nop = 0;

	while (frag_bytes > pages * 4096)
		pages++;
	XD_CHECK(pages <= MAX_SKB_FRAGS, "packet needs more pages than an skb has");
	for (i = 0; i < n; i++) {
		unsigned int off = s[i].offset;
		unsigned int left = i ? s[i].size : first_len;

		while (left) {
			unsigned int doff, dleft, c;

			if (pos < linear) {
				doff = (data_off + pos) % 4096;
				dleft = linear - pos;
			} else {
				doff = (pos - linear) % 4096;
				dleft = 4096 - doff;
				XD_CHECK((pos - linear) / 4096 < pages,
					 "copy into a page not allocated");
			}
			c = xnb_copy_len(off, left, doff, dleft);
			XD_CHECK(c > 0, "copy makes no progress");
			XD_CHECK(c <= left && c <= dleft, "copy longer than the chunk");
			XD_CHECK(off + c <= 4096, "copy crosses the source page");
			XD_CHECK(doff + c <= 4096, "copy crosses the destination page");
			nop++;
			pos += c;
			off += c;
			left -= c;
		}
	}
	XD_CHECK(pos == len, "copies do not add up to the packet");
	XD_CHECK(nop <= SLOTS_LIMIT + MAX_SKB_FRAGS + 2,
		 "more copy ops than xnb_tx_build() reserves");
	if (nop > 16)
		XD_STAT(ST_BIG_PLAN);
}

static void fuzz_packet(struct xd_in *in)
{
	struct xnb_slot s[SLOTS_LIMIT + 2];
	unsigned int fatal_slots, max_slots, n, i, first_len = ~0U, sum;
	const char *why = NULL;
	uint8_t f = xd_u8(in);
	int v, rv;

	/* module init clamps: 18 <= max <= fatal <= 64 */
	fatal_slots = NR_SLOTS_MIN + xd_u8(in) % (SLOTS_LIMIT - NR_SLOTS_MIN + 1);
	max_slots = NR_SLOTS_MIN + xd_u8(in) % (fatal_slots - NR_SLOTS_MIN + 1);
	if (f & 1) {
		fatal_slots = 20;
		max_slots = NR_SLOTS_MIN;
	}
	n = xd_u8(in) % (SLOTS_LIMIT + 3);
	if ((f & 2) && n > 4)
		n %= 5;
	for (i = 0; i < n; i++) {
		uint8_t b = xd_u8(in);

		if (f & 0x10) {
			/* a well-formed slot: inside its page */
			s[i].offset = xd_u16(in) % 4096;
			s[i].size = xd_u16(in) % (4097 - s[i].offset);
		} else if (b & 0x80) {
			/* full 32-bit fields: the checks must not rely on u16 */
			s[i].offset = xd_u32(in);
			s[i].size = xd_u32(in);
		} else if (b & 0x40) {
			s[i].offset = xd_u16(in);
			s[i].size = xd_u16(in);
		} else {
			/* near the page and Ethernet edges */
			s[i].offset = (b & 0x20) ? 4096 - (b & 0x1f) : (b & 0x1f);
			s[i].size = (b & 0x10) ? xd_u8(in) : 4096 - s[i].offset -
				    (xd_u8(in) & 7) + 3;
		}
		if (i == 0 && (f & 4))
			s[0].size = xd_u16(in);
	}
	/* often make the first slot's size the sum of all (a well-formed packet) */
	if (n && (f & 8)) {
		unsigned long long tot = xd_u8(in) % 64;

		for (i = 1; i < n; i++)
			tot += s[i].size;
		s[0].size = (unsigned int)tot;
	}
	v = xnb_tx_packet_check(s, n, max_slots, fatal_slots, &first_len, &why);
	rv = ref_packet(s, n, max_slots, fatal_slots);
	if (v != rv) {
		fprintf(stderr, "header %d (%s), reference %d\n", v, why ? why : "-", rv);
		xd_fuzz_fail("netback packet verdict differs from the reference");
	}
	XD_STAT(v);
	if (v != XNB_OK) {
		XD_CHECK(why && *why, "refusal without a reason");
		return;
	}
	XD_CHECK(n >= 1 && n <= max_slots && max_slots <= fatal_slots &&
		 fatal_slots <= SLOTS_LIMIT, "slot count");
	XD_CHECK(s[0].size >= XNB_ETH_HLEN, "packet shorter than a header");
	sum = first_len;
	XD_CHECK(s[0].offset < 4096 &&
		 (unsigned long long)s[0].offset + first_len <= 4096,
		 "first slot crosses its page");
	for (i = 1; i < n; i++) {
		XD_CHECK(s[i].offset < 4096 &&
			 (unsigned long long)s[i].offset + s[i].size <= 4096,
			 "slot crosses its page");
		sum += s[i].size;
	}
	XD_CHECK(sum == s[0].size, "slot bytes differ from the packet size");
	if (n > 1)
		XD_STAT(ST_MULTI_OK);
	/* the ring's size field is 16 bits: only those packets get planned */
	if (s[0].size <= XNB_MAX_TX_SIZE)
		check_plan(s, n, first_len, xd_u16(in) % 4096);
}

static void fuzz_extras(struct xd_in *in)
{
	unsigned int seen = 0, ref_seen = 0, i, n = 1 + xd_u8(in) % 7;
	bool gso = false;

	for (i = 0; i < n; i++) {
		unsigned int type = xd_u8(in);
		unsigned int gsize = xd_u16(in), gtype = xd_u8(in);
		const char *why = NULL;
		bool ref_ok;
		int v;

		if (!(type & 0x80))
			type %= XNB_EXTRA_TYPE_MAX + 1;
		if (type & 0x40)
			gtype %= 4;
		/* datapath.c: more than EXTRAS_LIMIT segments is fatal first */
		if (i >= EXTRAS_LIMIT)
			break;
		ref_ok = type >= 1 && type <= 5 && !(ref_seen & (1U << type)) &&
			 (type != 1 || (gsize != 0 && (gtype == 1 || gtype == 2)));
		v = xnb_extra_check(type, &seen, gsize, gtype, &why);
		XD_CHECK((v == XNB_OK) == ref_ok, "extra-info verdict differs from the reference");
		if (v != XNB_OK) {
			XD_CHECK(v == XNB_FATAL && why && *why, "extra-info refusal");
			return;
		}
		XD_CHECK(!(ref_seen & (1U << type)), "extra-info type accepted twice");
		ref_seen |= 1U << type;
		XD_CHECK(seen == ref_seen, "seen mask");
		if (type == XNB_EXTRA_TYPE_GSO) {
			XD_CHECK(gsize > 0 && (gtype == XNB_GSO_TYPE_TCPV4 ||
					       gtype == XNB_GSO_TYPE_TCPV6),
				 "GSO accepted with a bad size or type");
			gso = true;
		}
		if (!(xd_u8(in) & 1))
			break;	/* no XEN_NETIF_EXTRA_FLAG_MORE */
	}
	XD_STAT(ST_EXTRA_OK);
	if (gso)
		XD_STAT(ST_GSO_OK);
}

static void fuzz_misc(struct xd_in *in)
{
	unsigned int prod, cons = xd_u32(in), ring = 256, len, k;
	unsigned long long remaining, credit, window_bytes;
	unsigned int big = 0;
	uint32_t ahead;
	bool gso;

	prod = (xd_u8(in) & 1) ? xd_u32(in) : cons + ring + (int8_t)xd_u8(in);
	ahead = (uint32_t)(((uint64_t)prod + (1ULL << 32) - cons) & 0xffffffffULL);
	XD_CHECK(xnb_ring_avail_ok(prod, cons, ring) == (ahead <= ring),
		 "ring index check differs from the reference");

	/* slot_ok: full 32-bit values */
	k = xd_u32(in);
	len = xd_u32(in);
	if (xd_u8(in) & 1) {
		k %= 4100;
		len %= 4100;
	}
	XD_CHECK(xnb_slot_ok(k, len) ==
		 (k < 4096 && (unsigned long long)k + len <= 4096), "slot check");

	/* receive slots: skb->len of a real packet stays far below 2^31 */
	len = xd_u32(in) & 0x7fffffff;
	gso = xd_u8(in) & 1;
	{
		unsigned int hr = xd_u16(in) % (XNB_XDP_HEADROOM_MAX + 1);
		unsigned int ex = gso + (hr ? 1 : 0);
		unsigned long long data = (unsigned long long)hr + len;

		k = xnb_rx_slots(len, hr, ex);
		XD_CHECK(k == (data ? (data + 4095ULL) / 4096 : 1) + ex,
			 "receive slots");
		XD_CHECK((unsigned long long)(k - ex) * 4096 >= data,
			 "receive slots too few");
	}

	/* copy_len with offsets inside the page (datapath.c's invariant) */
	{
		unsigned int so = xd_u16(in) % 4096, sl = xd_u32(in);
		unsigned int dof = xd_u16(in) % 4096, dl = xd_u32(in);
		unsigned long long m = sl;

		if (m > 4096 - so)
			m = 4096 - so;
		if (m > dl)
			m = dl;
		if (m > 4096 - dof)
			m = 4096 - dof;
		XD_CHECK(xnb_copy_len(so, sl, dof, dl) == m, "copy length");
	}

	/* rate limit: one window, a series of packets */
	credit = (xd_u8(in) & 1) ? xd_u32(in) : xd_u16(in);
	remaining = credit;
	window_bytes = 0;
	for (k = xd_u8(in) % 16; k; k--) {
		unsigned long long before = remaining;
		bool sent;

		len = xd_u16(in);
		sent = xnb_credit_take(&remaining, credit, len);
		if (!credit) {
			XD_CHECK(sent, "unlimited vif refused a packet");
			continue;
		}
		XD_CHECK(remaining <= before, "credit grew");
		if (!sent) {
			XD_STAT(ST_CREDIT_DENY);
			XD_CHECK(remaining == before && len > before &&
				 before != credit, "refused though it fits");
			continue;
		}
		if (len > before) {
			XD_CHECK(before == credit && remaining == 0,
				 "oversize packet on a used window");
			big++;
		} else {
			XD_CHECK(remaining == before - len, "credit accounting");
		}
		window_bytes += len;
	}
	if (credit)
		XD_CHECK(window_bytes <= credit || big == 1,
			 "more than the credit in one window");
}

/* A reference parser for "rate": decimal with saturation, then the limits. */
static bool ref_rate(const char *s, unsigned long long *b, unsigned long *u)
{
	unsigned __int128 v[2] = { 0, 0 };
	int part, digits;

	for (part = 0; part < 2; part++) {
		for (digits = 0; *s >= '0' && *s <= '9'; s++, digits++) {
			v[part] = v[part] * 10 + (unsigned int)(*s - '0');
			if (v[part] > ((unsigned __int128)1 << 100))
				v[part] = (unsigned __int128)1 << 100;
		}
		if (!digits)
			return false;
		if (part == 0 && *s++ != ',')
			return false;
	}
	/* the header stops at a prefix above 10^12 (bytes) or 10^7 (usec) */
	if (*s || !v[0] || !v[1] || v[1] > 10000000 ||
	    v[0] / 10 > 1000000000000ULL)
		return false;
	*b = (unsigned long long)v[0];
	*u = (unsigned long)v[1];
	return true;
}

static void fuzz_rate(struct xd_in *in)
{
	char s[48];
	unsigned long long b = 0, rb = 0;
	unsigned long u = 0, ru = 0;
	unsigned int i, n = xd_u8(in) % sizeof(s);
	bool ok, rok;

	uint8_t mode = xd_u8(in);

	if (mode & 1) {
		/* "<digits>,<digits>", a separator or a tail maybe wrong */
		unsigned int a = xd_u8(in) % 24, z = xd_u8(in) % 12;

		n = 0;
		for (i = 0; i < a; i++)
			s[n++] = (char)('0' + xd_u8(in) % 10);
		s[n++] = (mode & 2) ? (char)(1 + xd_u8(in) % 127) : ',';
		for (i = 0; i < z; i++)
			s[n++] = (char)('0' + xd_u8(in) % 10);
		if (mode & 4)
			s[n++] = (char)(1 + xd_u8(in) % 127);
	}
	for (i = 0; !(mode & 1) && i < n; i++) {
		uint8_t c = xd_u8(in);

		/* mostly digits and commas */
		s[i] = c & 0x80 ? (char)(c & 0x7f) : (c % 12 == 10 ? ',' :
			c % 12 == 11 ? '0' : (char)('0' + c % 10));
		if (!s[i])
			s[i] = 'x';
	}
	s[n] = 0;
	ok = xnb_parse_rate(s, &b, &u);
	rok = ref_rate(s, &rb, &ru);
	if (ok != rok || (ok && (b != rb || u != ru))) {
		fprintf(stderr, "rate \"%s\": header %d %llu %lu, reference %d %llu %lu\n",
			s, ok, b, u, rok, rb, ru);
		xd_fuzz_fail("rate parser differs from the reference");
	}
	if (ok) {
		XD_STAT(ST_RATE_OK);
		XD_CHECK(b > 0 && u > 0 && u <= 10000000, "rate limits");
	}
}

/* Toeplitz, one bit at a time from the definition in netif.h. */
static unsigned int ref_toeplitz(const unsigned char *key,
				 const unsigned char *buf, unsigned int len)
{
	unsigned int h = 0, i, j;

	for (i = 0; i < len * 8; i++) {
		unsigned int w = 0;

		if (!(buf[i / 8] & (0x80U >> (i % 8))))
			continue;
		for (j = 0; j < 32; j++) {
			unsigned int b = i + j;

			w = (w << 1) | ((key[b / 8] >> (7 - b % 8)) & 1U);
		}
		h ^= w;
	}
	return h;
}

static void fuzz_ctrl(struct xd_in *in)
{
	unsigned int size = xd_u32(in), len = xd_u32(in), off = xd_u32(in);
	unsigned int e[XNB_HASH_MAPPING_MAX], nq, i, st, hash;
	unsigned char key[XNB_HASH_KEY_SIZE], buf[36];
	uint8_t mode = xd_u8(in);
	bool ref_ok, all_ok = true;

	if (mode & 1) {
		size %= XNB_HASH_MAPPING_MAX + 2;
		len = (mode & 2) ? len % 1100 : len % (XNB_HASH_MAPPING_MAX + 2);
		off = (mode & 4) ? off : off % (XNB_HASH_MAPPING_MAX + 2);
	}
	st = xnb_ctrl_mapping_check(size, len, off);
	ref_ok = (unsigned long long)off + len <= size &&
		 (unsigned long long)len * 4 <= 4096;
	XD_CHECK((st == XNB_CTRL_STATUS_SUCCESS) == ref_ok,
		 "mapping range verdict differs from the reference");
	XD_CHECK(st == XNB_CTRL_STATUS_SUCCESS ||
		 st == XNB_CTRL_STATUS_INVALID_PARAMETER, "mapping status");
	if (st == XNB_CTRL_STATUS_SUCCESS)
		XD_STAT(ST_MAP_OK);

	st = xnb_ctrl_mapping_size_check(size);
	XD_CHECK((st == XNB_CTRL_STATUS_SUCCESS) == (size <= XNB_HASH_MAPPING_MAX),
		 "mapping size verdict");
	st = xnb_ctrl_key_check(len);
	XD_CHECK((st == XNB_CTRL_STATUS_SUCCESS) == (len <= XNB_HASH_KEY_SIZE),
		 "key size verdict");
	st = xnb_ctrl_flags_check(mode & 8 ? XNB_HASH_ALG_TOEPLITZ :
				  XNB_HASH_ALG_NONE, off & 0x1f);
	XD_CHECK((st == XNB_CTRL_STATUS_SUCCESS) ==
		 ((mode & 8) && !(off & 0x10)), "hash flags verdict");

	/* entries and queue selection */
	nq = 1 + xd_u8(in) % 64;
	len = xd_u8(in) % (XNB_HASH_MAPPING_MAX + 1);
	for (i = 0; i < len; i++) {
		e[i] = (mode & 0x10) ? xd_u8(in) % (nq + 1) : xd_u32(in);
		all_ok = all_ok && e[i] < nq;
	}
	XD_CHECK(xnb_ctrl_mapping_entries_ok(e, len, nq) == all_ok,
		 "mapping entries verdict");
	hash = xd_u32(in);
	if (all_ok) {
		XD_STAT(ST_MAP_ENTRIES_OK);
		i = xnb_hash_queue(hash, e, len, nq);
		XD_CHECK(i < nq, "hash selects a queue that does not exist");
		XD_CHECK(i == (len ? e[hash % len] : hash % nq), "hash queue");
	}
	XD_CHECK(xnb_hash_queue(hash, e, 0, nq) < nq, "modular queue");

	/* Toeplitz against the definition */
	for (i = 0; i < sizeof(key); i++)
		key[i] = xd_u8(in);
	len = xd_u8(in) % 37;
	for (i = 0; i < len; i++)
		buf[i] = xd_u8(in);
	XD_CHECK(xnb_toeplitz(key, buf, len) == ref_toeplitz(key, buf, len),
		 "Toeplitz hash differs from the reference");
	i = xnb_hash_type(mode >> 4, mode & 0x40, mode & 0x80);
	XD_CHECK(i == XNB_HASH_TYPE_NONE || ((mode >> 4) & (1U << i)),
		 "hash type not enabled");
	XD_CHECK(i == XNB_HASH_TYPE_NONE ||
		 ((i >= XNB_HASH_TYPE_IPV6) == !!(mode & 0x40)), "hash family");
}

static void fuzz_mcast(struct xd_in *in)
{
	unsigned char list[XNB_MCAST_MAX][6], ref[XNB_MCAST_MAX + 1][6], a[6];
	unsigned int n = 0, rn = 0, k, i, j, steps = xd_u8(in) % 200;
	bool all = false;

	/* often start from a nearly full list (the overflow path) */
	if (xd_u8(in) & 1) {
		for (i = 0; i + 1 < XNB_MCAST_MAX; i++) {
			unsigned char g[6] = { 0x01, 0x00, 0x5e, 0x00, 0x01, 0 };

			g[5] = (unsigned char)i;
			XD_CHECK(xnb_mcast_update(list, &n, true, g) == XNB_MCAST_OK,
				 "prefill refused");
			memcpy(ref[rn++], g, 6);
		}
	}
	for (k = 0; k < steps; k++) {
		uint8_t op = xd_u8(in);
		int r, found = -1;

		/* a few addresses, so that adds and dels meet */
		a[0] = (op & 0x80) ? xd_u8(in) : ((op & 0x40) ? 0x00 : 0x01);
		a[1] = 0x00;
		a[2] = 0x5e;
		a[3] = 0;
		a[4] = 0;
		a[5] = (op & 0x20) ? xd_u8(in) : xd_u8(in) % 8;
		for (i = 0; i < rn; i++)
			if (!memcmp(ref[i], a, 6))
				found = (int)i;
		r = xnb_mcast_update(list, &n, op & 1, a);
		if (!(a[0] & 1)) {
			XD_CHECK(r == XNB_MCAST_INVALID, "unicast address accepted");
		} else if (op & 1) {
			if (found < 0 && rn == XNB_MCAST_MAX) {
				XD_CHECK(r == XNB_MCAST_OVERFLOW, "overflow not reported");
				XD_STAT(ST_MCAST_FULL);
				all = true;
			} else {
				XD_CHECK(r == XNB_MCAST_OK, "add refused");
				if (found < 0)
					memcpy(ref[rn++], a, 6);
			}
		} else {
			XD_CHECK(r == XNB_MCAST_OK, "del refused");
			if (found >= 0)
				memcpy(ref[found], ref[--rn], 6);
		}
		XD_CHECK(n == rn && n <= XNB_MCAST_MAX, "list size differs");
		a[5] = xd_u8(in);
		found = -1;
		for (i = 0; i < rn; i++)
			if (!memcmp(ref[i], a, 6))
				found = (int)i;
		XD_CHECK(xnb_mcast_pass(a, (const unsigned char (*)[6])list, n, all) ==
			 (!(a[0] & 1) || all || found >= 0 ||
			  !memcmp(a, "\xff\xff\xff\xff\xff\xff", 6)),
			 "filter verdict");
	}
	for (i = 0; i < rn; i++)
		XD_CHECK(xnb_mcast_find((const unsigned char (*)[6])list,
					n, ref[i]) >= 0, "listed address lost");
	for (i = 0; i < n; i++)
		for (j = i + 1; j < n; j++)
			XD_CHECK(memcmp(list[i], list[j], 6), "address listed twice");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xd_in in;

	xd_in_init(&in, data, size);
	switch (xd_u8(&in) % 7) {
	case 0:
	case 1:
		fuzz_packet(&in);
		break;
	case 2:
		fuzz_extras(&in);
		break;
	case 3:
		fuzz_misc(&in);
		break;
	case 5:
		fuzz_ctrl(&in);
		break;
	case 6:
		fuzz_mcast(&in);
		break;
	default:
		fuzz_rate(&in);
		break;
	}
	return 0;
}
