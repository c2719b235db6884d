// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit test of modules/netback/netback-check.h, the checks xen-netback
 * applies to what a netif frontend puts on its rings, in user space.
 * Prints PASS/FAIL lines.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "../../modules/netback/netback-check.h"

static int nfail;

static void check(const char *name, bool ok)
{
	if (ok) {
		printf("PASS %s\n", name);
	} else {
		printf("FAIL %s: wrong answer (see tests/unit/netback-check.c)\n", name);
		nfail++;
	}
}

static int pkt(const struct xnb_slot *s, unsigned int n, unsigned int *first)
{
	const char *why = "";

	return xnb_tx_packet_check(s, n, 18, 20, first, &why);
}

/* The Microsoft RSS verification key ("Verifying the RSS Hash Calculation"). */
static const unsigned char rss_key[40] = {
	0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2,
	0x41, 0x67, 0x25, 0x3d, 0x43, 0xa3, 0x8f, 0xb0,
	0xd0, 0xca, 0x2b, 0xcb, 0xae, 0x7b, 0x30, 0xb4,
	0x77, 0xcb, 0x2d, 0xa3, 0x80, 0x30, 0xf2, 0x0c,
	0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa,
};

/*
 * Source address, destination address, source port, destination port;
 * @alen bytes per address (4 or 16), ports only for @tcp.
 */
static unsigned int tuple_hash(const unsigned char *src, const unsigned char *dst,
			       unsigned int alen, unsigned int sport,
			       unsigned int dport, bool tcp)
{
	unsigned char b[36];

	memcpy(b, src, alen);
	memcpy(b + alen, dst, alen);
	b[2 * alen] = sport >> 8;
	b[2 * alen + 1] = sport & 0xff;
	b[2 * alen + 2] = dport >> 8;
	b[2 * alen + 3] = dport & 0xff;
	return xnb_toeplitz(rss_key, b, 2 * alen + (tcp ? 4 : 0));
}

static unsigned int v4hash(const unsigned char *src, const unsigned char *dst,
			   unsigned int sport, unsigned int dport, bool tcp)
{
	return tuple_hash(src, dst, 4, sport, dport, tcp);
}

static unsigned int v6hash(const unsigned char *src, const unsigned char *dst,
			   unsigned int sport, unsigned int dport, bool tcp)
{
	return tuple_hash(src, dst, 16, sport, dport, tcp);
}

static void test_toeplitz(void)
{
	static const struct {
		unsigned char dst[4], src[4];
		unsigned int dport, sport, h2, h4;
	} v4[] = {
		{ { 161, 142, 100, 80 }, { 66, 9, 149, 187 }, 1766, 2794,
		  0x323e8fc2, 0x51ccc178 },
		{ { 65, 69, 140, 83 }, { 199, 92, 111, 2 }, 4739, 14230,
		  0xd718262a, 0xc626b0ea },
		{ { 12, 22, 207, 184 }, { 24, 19, 198, 95 }, 38024, 12898,
		  0xd2d0a5de, 0x5c2b394a },
		{ { 209, 142, 163, 6 }, { 38, 27, 205, 30 }, 2217, 48228,
		  0x82989176, 0xafc7327f },
		{ { 202, 188, 127, 2 }, { 153, 39, 163, 191 }, 1303, 44251,
		  0x5d1809c5, 0x10e828a2 },
	};
	static const struct {
		unsigned char dst[16], src[16];
		unsigned int dport, sport, h2, h4;
	} v6[] = {
		/* 3ffe:2501:200:3::1 <- 3ffe:2501:200:1fff::7 */
		{ { 0x3f, 0xfe, 0x25, 0x01, 0x02, 0x00, 0x00, 0x03,
		    0, 0, 0, 0, 0, 0, 0, 0x01 },
		  { 0x3f, 0xfe, 0x25, 0x01, 0x02, 0x00, 0x1f, 0xff,
		    0, 0, 0, 0, 0, 0, 0, 0x07 },
		  1766, 2794, 0x2cc18cd5, 0x40207d3d },
		/* ff02::1 <- 3ffe:501:8::260:97ff:fe40:efab */
		{ { 0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01 },
		  { 0x3f, 0xfe, 0x05, 0x01, 0x00, 0x08, 0x00, 0x00,
		    0x02, 0x60, 0x97, 0xff, 0xfe, 0x40, 0xef, 0xab },
		  4739, 14230, 0x0f0c461c, 0xdde51bbf },
		/* fe80::200:f8ff:fe21:67cf <- 3ffe:1900:4545:3:200:f8ff:fe21:67cf */
		{ { 0xfe, 0x80, 0, 0, 0, 0, 0, 0,
		    0x02, 0x00, 0xf8, 0xff, 0xfe, 0x21, 0x67, 0xcf },
		  { 0x3f, 0xfe, 0x19, 0x00, 0x45, 0x45, 0x00, 0x03,
		    0x02, 0x00, 0xf8, 0xff, 0xfe, 0x21, 0x67, 0xcf },
		  38024, 44251, 0x4b61e985, 0x02d1feef },
	};
	static const unsigned char zero[40];
	unsigned char one[1] = { 0x80 };
	unsigned int i;
	char name[64];

	for (i = 0; i < sizeof(v4) / sizeof(v4[0]); i++) {
		snprintf(name, sizeof(name), "toeplitz/ipv4-%u", i + 1);
		check(name, v4hash(v4[i].src, v4[i].dst, v4[i].sport,
				   v4[i].dport, false) == v4[i].h2);
		snprintf(name, sizeof(name), "toeplitz/ipv4-tcp-%u", i + 1);
		check(name, v4hash(v4[i].src, v4[i].dst, v4[i].sport,
				   v4[i].dport, true) == v4[i].h4);
	}
	for (i = 0; i < sizeof(v6) / sizeof(v6[0]); i++) {
		snprintf(name, sizeof(name), "toeplitz/ipv6-%u", i + 1);
		check(name, v6hash(v6[i].src, v6[i].dst, v6[i].sport,
				   v6[i].dport, false) == v6[i].h2);
		snprintf(name, sizeof(name), "toeplitz/ipv6-tcp-%u", i + 1);
		check(name, v6hash(v6[i].src, v6[i].dst, v6[i].sport,
				   v6[i].dport, true) == v6[i].h4);
	}
	/* One set bit selects the key's first 32 bits; an empty key hashes to 0. */
	check("toeplitz/first-bit", xnb_toeplitz(rss_key, one, 1) == 0x6d5a56da);
	one[0] = 0x01;
	check("toeplitz/eighth-bit", xnb_toeplitz(rss_key, one, 1) == 0xad2b6d12);
	check("toeplitz/zero-key", xnb_toeplitz(zero, rss_key, 36) == 0);
	check("toeplitz/empty", xnb_toeplitz(rss_key, one, 0) == 0);
}

static void test_ctrl(void)
{
	unsigned int e[4] = { 0, 1, 3, 2 };

	/* Hash type: the maximal enabled one. */
	check("htype/tcp4", xnb_hash_type(0xf, false, true) == XNB_HASH_TYPE_IPV4_TCP);
	check("htype/udp4", xnb_hash_type(0xf, false, false) == XNB_HASH_TYPE_IPV4);
	check("htype/tcp4-l3-only", xnb_hash_type(1, false, true) == XNB_HASH_TYPE_IPV4);
	check("htype/tcp4-l4-only", xnb_hash_type(2, false, true) == XNB_HASH_TYPE_IPV4_TCP);
	check("htype/udp4-l4-only", xnb_hash_type(2, false, false) == XNB_HASH_TYPE_NONE);
	check("htype/tcp6", xnb_hash_type(0xf, true, true) == XNB_HASH_TYPE_IPV6_TCP);
	check("htype/udp6", xnb_hash_type(0xf, true, false) == XNB_HASH_TYPE_IPV6);
	check("htype/v6-with-v4-flags", xnb_hash_type(3, true, true) == XNB_HASH_TYPE_NONE);
	check("htype/none", xnb_hash_type(0, false, true) == XNB_HASH_TYPE_NONE);
	check("hlen/v4", xnb_hash_input_len(XNB_HASH_TYPE_IPV4) == 8);
	check("hlen/v4-tcp", xnb_hash_input_len(XNB_HASH_TYPE_IPV4_TCP) == 12);
	check("hlen/v6", xnb_hash_input_len(XNB_HASH_TYPE_IPV6) == 32);
	check("hlen/v6-tcp", xnb_hash_input_len(XNB_HASH_TYPE_IPV6_TCP) == 36);
	check("hlen/none", xnb_hash_input_len(XNB_HASH_TYPE_NONE) == 0);

	/* Requests. */
	check("key/size-0", xnb_ctrl_key_check(0) == XNB_CTRL_STATUS_SUCCESS);
	check("key/size-40", xnb_ctrl_key_check(40) == XNB_CTRL_STATUS_SUCCESS);
	check("key/size-41", xnb_ctrl_key_check(41) == XNB_CTRL_STATUS_BUFFER_OVERFLOW);
	check("key/size-huge", xnb_ctrl_key_check(0xffffffffU) == XNB_CTRL_STATUS_BUFFER_OVERFLOW);
	check("flags/no-alg", xnb_ctrl_flags_check(XNB_HASH_ALG_NONE, 1) == XNB_CTRL_STATUS_NOT_SUPPORTED);
	check("flags/ok", xnb_ctrl_flags_check(XNB_HASH_ALG_TOEPLITZ, 0xf) == XNB_CTRL_STATUS_SUCCESS);
	check("flags/zero", xnb_ctrl_flags_check(XNB_HASH_ALG_TOEPLITZ, 0) == XNB_CTRL_STATUS_SUCCESS);
	check("flags/unknown", xnb_ctrl_flags_check(XNB_HASH_ALG_TOEPLITZ, 0x10) == XNB_CTRL_STATUS_INVALID_PARAMETER);
	check("msize/0", xnb_ctrl_mapping_size_check(0) == XNB_CTRL_STATUS_SUCCESS);
	check("msize/max", xnb_ctrl_mapping_size_check(XNB_HASH_MAPPING_MAX) == XNB_CTRL_STATUS_SUCCESS);
	check("msize/over", xnb_ctrl_mapping_size_check(XNB_HASH_MAPPING_MAX + 1) == XNB_CTRL_STATUS_INVALID_PARAMETER);
	check("msize/huge", xnb_ctrl_mapping_size_check(0xffffffffU) == XNB_CTRL_STATUS_INVALID_PARAMETER);
	check("map/whole", xnb_ctrl_mapping_check(64, 64, 0) == XNB_CTRL_STATUS_SUCCESS);
	check("map/tail", xnb_ctrl_mapping_check(64, 4, 60) == XNB_CTRL_STATUS_SUCCESS);
	check("map/empty-at-end", xnb_ctrl_mapping_check(64, 0, 64) == XNB_CTRL_STATUS_SUCCESS);
	check("map/off-len", xnb_ctrl_mapping_check(64, 16, 60) == XNB_CTRL_STATUS_INVALID_PARAMETER);
	check("map/len", xnb_ctrl_mapping_check(64, 1000, 0) == XNB_CTRL_STATUS_INVALID_PARAMETER);
	check("map/off-wraps", xnb_ctrl_mapping_check(64, 2, 0xffffffffU) == XNB_CTRL_STATUS_INVALID_PARAMETER);
	check("map/len-wraps", xnb_ctrl_mapping_check(64, 0xfffffff0U, 32) == XNB_CTRL_STATUS_INVALID_PARAMETER);
	check("map/off-past", xnb_ctrl_mapping_check(64, 0, 65) == XNB_CTRL_STATUS_INVALID_PARAMETER);
	check("map/no-table", xnb_ctrl_mapping_check(0, 1, 0) == XNB_CTRL_STATUS_INVALID_PARAMETER);
	check("map/page", xnb_ctrl_mapping_check(0xffffffffU, 1025, 0) == XNB_CTRL_STATUS_INVALID_PARAMETER);
	check("map/page-full", xnb_ctrl_mapping_check(0xffffffffU, 1024, 0) == XNB_CTRL_STATUS_SUCCESS);
	check("entries/ok", xnb_ctrl_mapping_entries_ok(e, 4, 4));
	check("entries/bad", !xnb_ctrl_mapping_entries_ok(e, 4, 3));
	check("entries/none", xnb_ctrl_mapping_entries_ok(e, 0, 1));
	check("queue/table", xnb_hash_queue(6, e, 4, 4) == 3);
	check("queue/modular", xnb_hash_queue(7, e, 0, 4) == 3);
	check("queue/single", xnb_hash_queue(0xdeadbeef, e, 4, 1) == 0);
}

static void test_mcast(void)
{
	static const unsigned char g1[6] = { 0x01, 0x00, 0x5e, 0x00, 0x00, 0x01 };
	static const unsigned char g2[6] = { 0x33, 0x33, 0x00, 0x00, 0x00, 0x01 };
	static const unsigned char uc[6] = { 0x00, 0x16, 0x3e, 0x00, 0x00, 0x01 };
	static const unsigned char bc[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	unsigned char list[XNB_MCAST_MAX][6], a[6];
	unsigned int n = 0, i;
	bool ok = true;

	check("mcast/unicast-invalid", xnb_mcast_update(list, &n, true, uc) == XNB_MCAST_INVALID && n == 0);
	check("mcast/del-unicast-invalid", xnb_mcast_update(list, &n, false, uc) == XNB_MCAST_INVALID);
	check("mcast/filter-drops", !xnb_mcast_pass(g1, (const unsigned char (*)[6])list, n, false));
	check("mcast/unicast-passes", xnb_mcast_pass(uc, (const unsigned char (*)[6])list, n, false));
	check("mcast/broadcast-passes", xnb_mcast_pass(bc, (const unsigned char (*)[6])list, n, false));
	check("mcast/add", xnb_mcast_update(list, &n, true, g1) == XNB_MCAST_OK && n == 1);
	check("mcast/add-again", xnb_mcast_update(list, &n, true, g1) == XNB_MCAST_OK && n == 1);
	check("mcast/add-2", xnb_mcast_update(list, &n, true, g2) == XNB_MCAST_OK && n == 2);
	check("mcast/listed-passes", xnb_mcast_pass(g1, (const unsigned char (*)[6])list, n, false));
	check("mcast/del", xnb_mcast_update(list, &n, false, g1) == XNB_MCAST_OK && n == 1);
	check("mcast/deleted-dropped", !xnb_mcast_pass(g1, (const unsigned char (*)[6])list, n, false));
	check("mcast/other-kept", xnb_mcast_pass(g2, (const unsigned char (*)[6])list, n, false));
	check("mcast/del-absent", xnb_mcast_update(list, &n, false, g1) == XNB_MCAST_OK && n == 1);
	memcpy(a, g1, 6);
	for (i = 1; i < XNB_MCAST_MAX; i++) {
		a[5] = (unsigned char)(i + 1);
		ok = ok && xnb_mcast_update(list, &n, true, a) == XNB_MCAST_OK;
	}
	check("mcast/fill", ok && n == XNB_MCAST_MAX);
	a[5] = 0xf0;
	check("mcast/overflow", xnb_mcast_update(list, &n, true, a) == XNB_MCAST_OVERFLOW && n == XNB_MCAST_MAX);
	check("mcast/overflow-not-listed", !xnb_mcast_pass(a, (const unsigned char (*)[6])list, n, false));
	check("mcast/all", xnb_mcast_pass(a, (const unsigned char (*)[6])list, n, true));
	check("mcast/full-present", xnb_mcast_update(list, &n, true, g2) == XNB_MCAST_OK && n == XNB_MCAST_MAX);
}

/* The limit on multicast add/del events (a guest can trigger them at will). */
static void test_evrate(void)
{
	struct xnb_evrate r;
	unsigned int i, missed = 99, ok = 0;
	unsigned long t0 = ~0UL - 5;	/* a window across the wrap of the clock */

	memset(&r, 0, sizeof(r));
	for (i = 0; i < XNB_GUEST_EV_BURST; i++)
		ok += xnb_evrate_take(&r, t0 + i % 3, 100, XNB_GUEST_EV_BURST, &missed);
	check("evrate/burst", ok == XNB_GUEST_EV_BURST && missed == 0);
	ok = 0;
	for (i = 0; i < 1000; i++)
		ok += xnb_evrate_take(&r, t0 + 99, 100, XNB_GUEST_EV_BURST, &missed);
	check("evrate/suppressed", ok == 0 && r.missed == 1000);
	check("evrate/next-window", xnb_evrate_take(&r, t0 + 100, 100, XNB_GUEST_EV_BURST, &missed) &&
	      missed == 1000 && r.missed == 0);
	for (i = 1; i < XNB_GUEST_EV_BURST; i++)
		xnb_evrate_take(&r, t0 + 150, 100, XNB_GUEST_EV_BURST, &missed);
	check("evrate/full-again", !xnb_evrate_take(&r, t0 + 199, 100, XNB_GUEST_EV_BURST, &missed));
	check("evrate/flush", xnb_evrate_flush(&r) == 1 && xnb_evrate_flush(&r) == 0);
	r.missed = ~0U;
	xnb_evrate_take(&r, t0 + 199, 100, XNB_GUEST_EV_BURST, &missed);
	check("evrate/missed-saturates", r.missed == ~0U);
}

int main(void)
{
	unsigned int first, seen;
	const char *why = "";
	struct xnb_slot s[24];
	unsigned int i;

	/* Ring indices: at most a ring's worth ahead, across the 2^32 wrap. */
	check("ring/empty", xnb_ring_avail_ok(5, 5, 256));
	check("ring/full", xnb_ring_avail_ok(261, 5, 256));
	check("ring/far-ahead", !xnb_ring_avail_ok(262, 5, 256));
	check("ring/behind", !xnb_ring_avail_ok(4, 5, 256));
	check("ring/wrap", xnb_ring_avail_ok(10, 0xfffffff0U, 256));
	check("ring/wrap-far", !xnb_ring_avail_ok(0x200, 0xfffffff0U, 256));

	/* Slots must stay inside their page; zero length is fine. */
	check("slot/whole-page", xnb_slot_ok(0, 4096));
	check("slot/end", xnb_slot_ok(4095, 1));
	check("slot/cross", !xnb_slot_ok(4095, 2));
	check("slot/offset-out", !xnb_slot_ok(4096, 0));
	check("slot/zero", xnb_slot_ok(100, 0));
	check("slot/huge", !xnb_slot_ok(1, 0xffffffffU));

	/* One-slot packet. */
	s[0].offset = 0;
	s[0].size = 60;
	check("pkt/one-slot", pkt(s, 1, &first) == XNB_OK && first == 60);
	s[0].size = 13;
	check("pkt/runt", pkt(s, 1, &first) == XNB_DROP);
	s[0].offset = 4000;
	s[0].size = 200;
	check("pkt/first-crosses", pkt(s, 1, &first) == XNB_FATAL);

	/* Three slots: first holds size - rest. */
	s[0].offset = 64;
	s[0].size = 9000;
	s[1].offset = 0;
	s[1].size = 4096;
	s[2].offset = 0;
	s[2].size = 4000;
	check("pkt/three", pkt(s, 3, &first) == XNB_OK && first == 904);
	s[2].size = 5000;
	check("pkt/later-crosses", pkt(s, 3, &first) == XNB_FATAL);
	s[2].offset = 100;
	s[2].size = 3997;
	check("pkt/later-crosses-by-1", pkt(s, 3, &first) == XNB_FATAL);
	/* Slots claiming more than the packet: dropped, not fatal. */
	s[0].size = 100;
	s[2].offset = 0;
	s[2].size = 10;
	check("pkt/rest-bigger", pkt(s, 3, &first) == XNB_DROP);
	/* The first slot's own part crossing its page: fatal. */
	s[0].offset = 1000;
	s[0].size = 4096 + 10 + 3200;
	check("pkt/first-part-crosses", pkt(s, 3, &first) == XNB_FATAL);
	/* Zero-length middle slot. */
	s[0].offset = 0;
	s[0].size = 1514;
	s[1].size = 0;
	s[2].size = 14;
	check("pkt/zero-middle", pkt(s, 3, &first) == XNB_OK && first == 1500);
	/* Header split: first slot smaller than an Ethernet header is fine
	 * as long as the packet is not; the driver copies into the linear area. */
	s[0].size = 1514;
	s[1].size = 1504;
	s[2].size = 4;
	check("pkt/split-header", pkt(s, 3, &first) == XNB_OK && first == 6);

	/* Slot counts: 18 ok, 19-20 dropped, 21 fatal. */
	for (i = 0; i < 24; i++) {
		s[i].offset = 0;
		s[i].size = 100;
	}
	s[0].size = 100 * 18;
	check("pkt/18-slots", pkt(s, 18, &first) == XNB_OK && first == 100);
	s[0].size = 100 * 19;
	check("pkt/19-slots", pkt(s, 19, &first) == XNB_DROP);
	s[0].size = 100 * 20;
	check("pkt/20-slots", pkt(s, 20, &first) == XNB_DROP);
	s[0].size = 100 * 21;
	check("pkt/21-slots", pkt(s, 21, &first) == XNB_FATAL);
	check("pkt/0-slots", pkt(s, 0, &first) == XNB_FATAL);

	/* Extra info. */
	seen = 0;
	check("extra/gso-v4", xnb_extra_check(XNB_EXTRA_TYPE_GSO, &seen, 1448,
					      XNB_GSO_TYPE_TCPV4, &why) == XNB_OK);
	check("extra/gso-repeat", xnb_extra_check(XNB_EXTRA_TYPE_GSO, &seen, 1448,
						  XNB_GSO_TYPE_TCPV4, &why) == XNB_FATAL);
	seen = 0;
	check("extra/gso-zero", xnb_extra_check(XNB_EXTRA_TYPE_GSO, &seen, 0,
						XNB_GSO_TYPE_TCPV6, &why) == XNB_FATAL);
	seen = 0;
	check("extra/gso-type", xnb_extra_check(XNB_EXTRA_TYPE_GSO, &seen, 1000,
						3, &why) == XNB_FATAL);
	seen = 0;
	check("extra/none", xnb_extra_check(XNB_EXTRA_TYPE_NONE, &seen, 0, 0,
					    &why) == XNB_FATAL);
	check("extra/unknown", xnb_extra_check(XNB_EXTRA_TYPE_MAX, &seen, 0, 0,
					       &why) == XNB_FATAL);
	check("extra/huge-type", xnb_extra_check(200, &seen, 0, 0, &why) == XNB_FATAL);
	seen = 0;
	check("extra/mcast-then-gso",
	      xnb_extra_check(XNB_EXTRA_TYPE_MCAST_ADD, &seen, 0, 0, &why) == XNB_OK &&
	      xnb_extra_check(XNB_EXTRA_TYPE_GSO, &seen, 1400, XNB_GSO_TYPE_TCPV6,
			      &why) == XNB_OK);

	/* Receive slots. */
	check("rx/small", xnb_rx_slots(60, 0, 0) == 1);
	check("rx/page", xnb_rx_slots(4096, 0, 0) == 1);
	check("rx/page+1", xnb_rx_slots(4097, 0, 0) == 2);
	check("rx/jumbo", xnb_rx_slots(9014, 0, 0) == 3);
	check("rx/gso-64k", xnb_rx_slots(65536, 0, 1) == 17);
	check("rx/zero", xnb_rx_slots(0, 0, 0) == 1);
	/* XDP: the first page starts at the headroom, one more extra. */
	check("rx/xdp-small", xnb_rx_slots(60, 256, 1) == 2);
	check("rx/xdp-page", xnb_rx_slots(4096 - 256, 256, 1) == 2);
	check("rx/xdp-page+1", xnb_rx_slots(4096 - 255, 256, 1) == 3);
	check("rx/xdp-gso-64k", xnb_rx_slots(65536, 256, 2) == 19);
	check("rx/xdp-max-gso", xnb_rx_slots(65536 + 14, XNB_XDP_HEADROOM_MAX, 2) <= 19);
	check("rx/xdp-max-gso-hash", xnb_rx_slots(65536 + 14, XNB_XDP_HEADROOM_MAX, 3) <= 20);
	check("rx/hash-extra", xnb_rx_slots(60, 0, 1) == 2);
	check("xdp/headroom-0", xnb_xdp_headroom_ok(0));
	check("xdp/headroom-256", xnb_xdp_headroom_ok(256));
	check("xdp/headroom-max", xnb_xdp_headroom_ok(XNB_XDP_HEADROOM_MAX));
	check("xdp/headroom-over", !xnb_xdp_headroom_ok(XNB_XDP_HEADROOM_MAX + 1));
	check("xdp/headroom-protocol-max", !xnb_xdp_headroom_ok(0x7FFF));
	check("xdp/headroom-huge", !xnb_xdp_headroom_ok(1ULL << 40));

	/* Copy pieces never cross a page on either side. */
	check("copy/src-bound", xnb_copy_len(4000, 500, 0, 4096) == 96);
	check("copy/dst-bound", xnb_copy_len(0, 500, 4000, 4096) == 96);
	check("copy/dst-left", xnb_copy_len(0, 500, 0, 200) == 200);
	check("copy/all", xnb_copy_len(10, 500, 10, 4096) == 500);

	/* Receive batches: flushed after max_ops, never beyond the array. */
	check("rxbatch/first-big", !xnb_rx_batch_full(0, 40, 0, 16, 1024));
	check("rxbatch/second-over", xnb_rx_batch_full(40, 40, 1, 64, 1024));
	check("rxbatch/second-fits", !xnb_rx_batch_full(20, 40, 1, 64, 1024));
	check("rxbatch/exact", !xnb_rx_batch_full(24, 40, 1, 64, 1024));
	check("rxbatch/array", xnb_rx_batch_full(1000, 40, 1, 4096, 1024));
	check("rxbatch/array-first", xnb_rx_batch_full(0, 1025, 0, 64, 1024));
	check("rxbatch/array-exact", !xnb_rx_batch_full(984, 40, 1, 1024, 1024));
	check("rxbatch/no-wrap", xnb_rx_batch_full(1, 0xffffffffu, 1, 64, 1024));

	/* Rate limit credit. */
	{
		unsigned long long rem = 3000, b;
		unsigned long u;

		check("credit/unlimited", xnb_credit_take(&rem, 0, 60000) && rem == 3000);
		check("credit/fits", xnb_credit_take(&rem, 3000, 1000) && rem == 2000);
		check("credit/fits-exact", xnb_credit_take(&rem, 3000, 2000) && rem == 0);
		check("credit/empty", !xnb_credit_take(&rem, 3000, 1) && rem == 0);
		rem = 3000;
		check("credit/oversize-full", xnb_credit_take(&rem, 3000, 9000) && rem == 0);
		rem = 2999;
		check("credit/oversize-partial", !xnb_credit_take(&rem, 3000, 9000) && rem == 2999);
		check("rate/ok", xnb_parse_rate("125000,20000", &b, &u) && b == 125000 && u == 20000);
		check("rate/no-comma", !xnb_parse_rate("125000", &b, &u));
		check("rate/zero", !xnb_parse_rate("0,20000", &b, &u));
		check("rate/zero-usec", !xnb_parse_rate("100,0", &b, &u));
		check("rate/trailing", !xnb_parse_rate("100,200x", &b, &u));
		check("rate/negative", !xnb_parse_rate("-1,200", &b, &u));
		check("rate/huge", !xnb_parse_rate("99999999999999999999999,1", &b, &u));
		check("rate/window-too-long", !xnb_parse_rate("100,20000000", &b, &u));
	}

	test_toeplitz();
	test_ctrl();
	test_mcast();
	test_evrate();
	return nfail != 0;
}
