/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * toeplitz.h - a user-space Toeplitz hash (netif.h "Hash algorithms"), for the
 * tests: written from the definition, one key bit at a time, independently of
 * xen-netback's xnb_toeplitz() (modules/netback/netback-check.h), so that the
 * two can check each other. Checked against Microsoft's RSS verification
 * vectors by tests/unit/toeplitz.sh.
 *
 *   Value = 0
 *   for each bit of Buffer[], most significant bit of Buffer[0] first:
 *       if the bit is 1: Value ^= the 32 key bits starting at this bit's index
 *
 * Key bits beyond the key are zero.
 */
#ifndef XD_TOEPLITZ_H
#define XD_TOEPLITZ_H

#include <stdint.h>
#include <string.h>

/* Bit @i of @key (bit 0 = the MSB of key[0]); 0 beyond @keylen bytes. */
static inline unsigned toeplitz_key_bit(const uint8_t *key, unsigned keylen, unsigned i)
{
	if (i / 8 >= keylen)
		return 0;
	return (key[i / 8] >> (7 - i % 8)) & 1;
}

static inline uint32_t toeplitz_hash(const uint8_t *key, unsigned keylen, const uint8_t *buf,
				     unsigned len)
{
	uint32_t value = 0;

	for (unsigned i = 0; i < len * 8; i++) {
		uint32_t window = 0;

		if (!((buf[i / 8] >> (7 - i % 8)) & 1))
			continue;
		for (unsigned k = 0; k < 32; k++)
			window = window << 1 | toeplitz_key_bit(key, keylen, i + k);
		value ^= window;
	}
	return value;
}

/*
 * The netif.h hash input of a flow (addresses and ports in network byte order, as
 * they are in the packet): source and destination address of @alen bytes each (4:
 * IPV4, 16: IPV6, no extension headers), then with @ports (IPV4_TCP, IPV6_TCP)
 * source and destination port.
 */
static inline uint32_t toeplitz_flow(const uint8_t *key, unsigned keylen, const uint8_t *src,
				     const uint8_t *dst, unsigned alen,
				     const uint8_t *ports /* 4 bytes or NULL */)
{
	uint8_t b[36];

	memcpy(b, src, alen);
	memcpy(b + alen, dst, alen);
	if (ports)
		memcpy(b + 2 * alen, ports, 4);
	return toeplitz_hash(key, keylen, b, 2 * alen + (ports ? 4 : 0));
}

static inline uint32_t toeplitz_ipv4(const uint8_t *key, unsigned keylen, const uint8_t src[4],
				     const uint8_t dst[4], const uint8_t *ports)
{
	return toeplitz_flow(key, keylen, src, dst, 4, ports);
}

static inline uint32_t toeplitz_ipv6(const uint8_t *key, unsigned keylen, const uint8_t src[16],
				     const uint8_t dst[16], const uint8_t *ports)
{
	return toeplitz_flow(key, keylen, src, dst, 16, ports);
}

/*
 * The tests' IPv6 address of an IPv4 one, 2001:db8::A.B.C.D: hostile-frames sends
 * IPv6 frames between such addresses, hostile-net computes their hashes with them.
 */
static inline void toeplitz_test_v6(uint8_t a6[16], const uint8_t a4[4])
{
	memset(a6, 0, 16);
	memcpy(a6, "\x20\x01\x0d\xb8", 4);
	memcpy(a6 + 12, a4, 4);
}

/* The Microsoft RSS verification key ("Verifying the RSS Hash Calculation"). */
static const uint8_t toeplitz_ms_key[40] __attribute__((unused)) = {
	0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2, 0x41, 0x67, 0x25, 0x3d, 0x43, 0xa3,
	0x8f, 0xb0, 0xd0, 0xca, 0x2b, 0xcb, 0xae, 0x7b, 0x30, 0xb4, 0x77, 0xcb, 0x2d, 0xa3,
	0x80, 0x30, 0xf2, 0x0c, 0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa,
};

#endif /* XD_TOEPLITZ_H */
