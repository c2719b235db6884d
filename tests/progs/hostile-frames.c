// SPDX-License-Identifier: GPL-2.0-only
/*
 * hostile-frames - Dom0 side of the positive netif cases of hostile-net
 * (ctrl-hash, mcast-filter; tests/hostile/README.md): sends tagged Ethernet frames
 * out of one interface with AF_PACKET. The scenario sends them out of one end of a
 * veth pair whose other end is a port of the bridge, so they enter the bridge as
 * received frames (multicast ones with pkt_type MULTICAST, as from another host).
 *
 *   hostile-frames IFACE ITEM...
 *   ITEM = COUNT,DSTMAC,PROTO,SRCIP,DSTIP,SPORT,DPORT,TAG
 *          PROTO: t (IPv4/TCP), u (IPv4/UDP), T (IPv6/TCP), U (IPv6/UDP),
 *                 r (EtherType 0x88b5, no IP)
 *          For T and U the addresses are 2001:db8::SRCIP and 2001:db8::DSTIP
 *          (toeplitz_test_v6(); hostile-net.c checks with the same rule).
 *
 * Each frame's payload starts with "XDNF", TAG and the frame's index (32 bits each,
 * big endian), after the TCP/UDP header (or right after the Ethernet header for r).
 * Prints "FRAMES sent N" and exits 0 when every frame was sent.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <net/if.h>
#include <netpacket/packet.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "toeplitz.h"	/* toeplitz_test_v6(): the tests' IPv6 addresses */

#define PAYLOAD 64

static uint16_t csum(const uint8_t *p, size_t len, uint32_t sum)
{
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += p[i] << 8 | p[i + 1];
	if (len & 1)
		sum += p[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return ~sum & 0xffff;
}

static void put16(uint8_t *p, unsigned v) { p[0] = v >> 8; p[1] = v; }
static void put32(uint8_t *p, uint32_t v) { put16(p, v >> 16); put16(p + 2, v & 0xffff); }

/* Build one frame; returns its length, 0 on a malformed item. */
static size_t build(uint8_t *f, const char *item, unsigned idx, unsigned *count)
{
	unsigned m[6], sport, dport, tag;
	char proto;
	struct in_addr src, dst;
	char s[32], d[32];
	size_t l3 = 14, l4, pl, len;
	uint32_t ph = 0;
	bool v6, tcp;

	if (sscanf(item, "%u,%x:%x:%x:%x:%x:%x,%c,%31[0-9.],%31[0-9.],%u,%u,%u", count, &m[0], &m[1],
		   &m[2], &m[3], &m[4], &m[5], &proto, s, d, &sport, &dport, &tag) != 13 ||
	    !inet_aton(s, &src) || !inet_aton(d, &dst))
		return 0;
	memset(f, 0, 1514);
	for (int i = 0; i < 6; i++)
		f[i] = m[i];
	memcpy(f + 6, "\x02\x00\x00\x00\x0d\x01", 6);
	if (proto == 'r') {
		put16(f + 12, 0x88b5);
		pl = 14;
		len = 14 + PAYLOAD;
		l4 = 0;
		tcp = v6 = false;
	} else if (strchr("tuTU", proto)) {
		v6 = proto == 'T' || proto == 'U';
		tcp = proto == 't' || proto == 'T';
		l4 = l3 + (v6 ? 40 : 20);
		pl = l4 + (tcp ? 20 : 8);
		len = pl + PAYLOAD;
		if (v6) {
			put16(f + 12, 0x86dd);
			f[l3] = 0x60;
			put16(f + l3 + 4, len - l4);	/* payload length */
			f[l3 + 6] = tcp ? 6 : 17;
			f[l3 + 7] = 64;
			toeplitz_test_v6(f + l3 + 8, (const uint8_t *)&src);
			toeplitz_test_v6(f + l3 + 24, (const uint8_t *)&dst);
			for (int i = 0; i < 32; i += 2)
				ph += f[l3 + 8 + i] << 8 | f[l3 + 9 + i];
		} else {
			put16(f + 12, 0x0800);
			f[l3] = 0x45;
			put16(f + l3 + 2, len - l3);
			put16(f + l3 + 4, idx);
			put16(f + l3 + 6, 0x4000);	/* DF */
			f[l3 + 8] = 64;
			f[l3 + 9] = tcp ? 6 : 17;
			memcpy(f + l3 + 12, &src, 4);
			memcpy(f + l3 + 16, &dst, 4);
			put16(f + l3 + 10, csum(f + l3, 20, 0));
			for (int i = 0; i < 8; i += 2)
				ph += f[l3 + 12 + i] << 8 | f[l3 + 13 + i];
		}
		put16(f + l4, sport);
		put16(f + l4 + 2, dport);
		if (tcp) {
			put32(f + l4 + 4, 1000 + idx);	/* seq */
			f[l4 + 12] = 5 << 4;
			f[l4 + 13] = 0x18;		/* PSH, ACK */
			put16(f + l4 + 14, 65535);
		} else {
			put16(f + l4 + 4, len - l4);
		}
	} else {
		return 0;
	}
	memcpy(f + pl, "XDNF", 4);
	put32(f + pl + 4, tag);
	put32(f + pl + 8, idx);
	if (l4) {
		/* the TCP/UDP checksum over the pseudo-header (IPv4 and IPv6 alike) */
		ph += (tcp ? 6 : 17) + (len - l4);
		put16(f + l4 + (tcp ? 16 : 6), csum(f + l4, len - l4, ph));
	}
	return len < 60 ? 60 : len;
}

int main(int argc, char **argv)
{
	struct sockaddr_ll sa;
	unsigned long sent = 0;
	uint8_t f[1514];
	int s, ifindex, bad = 0;

	if (argc < 3) {
		fprintf(stderr, "usage: hostile-frames IFACE COUNT,DSTMAC,PROTO,SRCIP,DSTIP,SPORT,DPORT,TAG...\n");
		return 2;
	}
	ifindex = if_nametoindex(argv[1]);
	if (!ifindex) {
		printf("FRAMES no interface %s\n", argv[1]);
		return 1;
	}
	s = socket(AF_PACKET, SOCK_RAW, 0);
	if (s < 0) {
		perror("FRAMES socket");
		return 1;
	}
	for (int a = 2; a < argc; a++) {
		unsigned count = 0;

		for (unsigned i = 0; i == 0 || i < count; i++) {
			size_t len = build(f, argv[a], i, &count);

			if (!len) {
				printf("FRAMES malformed item %s\n", argv[a]);
				return 1;
			}
			if (!count)
				break;
			memset(&sa, 0, sizeof(sa));
			sa.sll_family = AF_PACKET;
			sa.sll_ifindex = ifindex;
			sa.sll_protocol = htons(f[12] << 8 | f[13]);
			sa.sll_halen = 6;
			memcpy(sa.sll_addr, f, 6);
			if (sendto(s, f, len, 0, (struct sockaddr *)&sa, sizeof(sa)) == (ssize_t)len)
				sent++;
			else
				bad++;
			usleep(2000);
		}
	}
	printf("FRAMES sent %lu failed %d\n", sent, bad);
	return bad ? 1 : 0;
}
