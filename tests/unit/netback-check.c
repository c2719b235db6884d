// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit test of modules/netback/netback-check.h, the checks xen-netback
 * applies to what a netif frontend puts on its rings, in user space.
 * Prints PASS/FAIL lines.
 */
#include <stdbool.h>
#include <stdio.h>

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

	return nfail != 0;
}
