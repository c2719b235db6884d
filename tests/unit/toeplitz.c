// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit test of tests/progs/toeplitz.h (the Toeplitz hash the hostile netif
 * frontend checks xen-netback's HASH extras with): Microsoft's RSS
 * verification vectors, IPv4 and IPv6 with and without the ports, then 2000
 * pseudo-random keys and inputs against xen-netback's own xnb_toeplitz()
 * (modules/netback/netback-check.h), written separately.  Prints PASS/FAIL.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "../progs/toeplitz.h"
#include "../../modules/netback/netback-check.h"

static int nfail;

static void check(const char *name, bool ok, uint32_t got, uint32_t want)
{
	if (ok) {
		printf("PASS %s\n", name);
	} else {
		printf("FAIL %s: hash %#010x, expected %#010x\n", name, got, want);
		nfail++;
	}
}

/*
 * "Verifying the RSS Hash Calculation" (Microsoft): destination, source,
 * destination port, source port, the IPv4 hash, the IPv4-with-TCP hash.
 */
static const struct {
	uint8_t dst[4], src[4];
	uint16_t dport, sport;
	uint32_t h2, h4;
} ms_v4[] = {
	{ { 161, 142, 100, 80 }, { 66, 9, 149, 187 }, 1766, 2794, 0x323e8fc2, 0x51ccc178 },
	{ { 65, 69, 140, 83 }, { 199, 92, 111, 2 }, 4739, 14230, 0xd718262a, 0xc626b0ea },
	{ { 12, 22, 207, 184 }, { 24, 19, 198, 95 }, 38024, 12898, 0xd2d0a5de, 0x5c2b394a },
	{ { 209, 142, 163, 6 }, { 38, 27, 205, 30 }, 2217, 48228, 0x82989176, 0xafc7327f },
	{ { 202, 188, 127, 2 }, { 153, 39, 163, 191 }, 1303, 44251, 0x5d1809c5, 0x10e828a2 },
};

/* The same document's IPv6 vectors (same order of fields). */
static const struct {
	uint8_t dst[16], src[16];
	uint16_t dport, sport;
	uint32_t h2, h4;
} ms_v6[] = {
	{ { 0x3f, 0xfe, 0x25, 0x01, 0x02, 0x00, 0x00, 0x03, 0, 0, 0, 0, 0, 0, 0, 0x01 },
	  { 0x3f, 0xfe, 0x25, 0x01, 0x02, 0x00, 0x1f, 0xff, 0, 0, 0, 0, 0, 0, 0, 0x07 },
	  1766, 2794, 0x2cc18cd5, 0x40207d3d },
	{ { 0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01 },
	  { 0x3f, 0xfe, 0x05, 0x01, 0x00, 0x08, 0, 0, 0x02, 0x60, 0x97, 0xff, 0xfe, 0x40, 0xef, 0xab },
	  4739, 14230, 0x0f0c461c, 0xdde51bbf },
	{ { 0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0x02, 0x00, 0xf8, 0xff, 0xfe, 0x21, 0x67, 0xcf },
	  { 0x3f, 0xfe, 0x19, 0x00, 0x45, 0x45, 0x00, 0x03, 0x02, 0x00, 0xf8, 0xff, 0xfe, 0x21, 0x67, 0xcf },
	  38024, 44251, 0x4b61e985, 0x02d1feef },
};

static uint32_t rnd_state = 0x12345678;
static uint32_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 17;
	rnd_state ^= rnd_state << 5;
	return rnd_state;
}

/* One Microsoft vector (ms-FAM-N and ms-FAM-tcp-N): the hash with and without ports. */
static void ms_check(const char *fam, unsigned n, const uint8_t *src, const uint8_t *dst,
		     unsigned alen, uint16_t sport, uint16_t dport, uint32_t h2, uint32_t h4)
{
	uint8_t ports[4] = { sport >> 8, sport & 0xff, dport >> 8, dport & 0xff };
	char name[64];
	uint32_t h;

	h = toeplitz_flow(toeplitz_ms_key, 40, src, dst, alen, NULL);
	snprintf(name, sizeof(name), "ms-%s-%u", fam, n);
	check(name, h == h2, h, h2);
	h = toeplitz_flow(toeplitz_ms_key, 40, src, dst, alen, ports);
	snprintf(name, sizeof(name), "ms-%s-tcp-%u", fam, n);
	check(name, h == h4, h, h4);
}

int main(void)
{
	unsigned i, mism = 0;

	for (i = 0; i < sizeof(ms_v4) / sizeof(ms_v4[0]); i++)
		ms_check("ipv4", i + 1, ms_v4[i].src, ms_v4[i].dst, 4, ms_v4[i].sport,
			 ms_v4[i].dport, ms_v4[i].h2, ms_v4[i].h4);
	for (i = 0; i < sizeof(ms_v6) / sizeof(ms_v6[0]); i++)
		ms_check("ipv6", i + 1, ms_v6[i].src, ms_v6[i].dst, 16, ms_v6[i].sport,
			 ms_v6[i].dport, ms_v6[i].h2, ms_v6[i].h4);
	/* A key shorter than the input's window: the missing key bits are zero. */
	{
		const uint8_t k1[1] = { 0x80 }, one[5] = { 0, 0, 0, 0, 0x80 };
		uint32_t h = toeplitz_hash(k1, 1, one, 5);

		check("short-key", h == 0, h, 0);
		h = toeplitz_hash(k1, 1, (const uint8_t[]){ 0x80 }, 1);
		check("short-key-first-bit", h == 0x80000000u, h, 0x80000000u);
	}
	/* Against xen-netback's implementation, on random keys and inputs. */
	for (i = 0; i < 2000; i++) {
		uint8_t key[XNB_HASH_KEY_SIZE], buf[36];
		unsigned len = 1 + rnd() % 36, j;
		uint32_t a, b;

		for (j = 0; j < sizeof(key); j++)
			key[j] = rnd();
		for (j = 0; j < len; j++)
			buf[j] = rnd();
		a = toeplitz_hash(key, sizeof(key), buf, len);
		b = xnb_toeplitz(key, buf, len);
		if (a != b && !mism++)
			printf("FAIL vs-netback: input %u bytes: %#010x here, %#010x xnb_toeplitz()\n",
			       len, a, b);
	}
	if (mism)
		nfail++;
	else
		printf("PASS vs-netback\n");
	return nfail ? 1 : 0;
}
