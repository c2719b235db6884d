// SPDX-License-Identifier: GPL-2.0-only
/*
 * Fuzz harness of modules/blkback/blkback-check.h: the checks xen-blkback
 * applies to a frontend's ring index and requests, driven as blkback.c
 * drives them (head, then the direct or indirect segments), with oracles:
 *
 * - a differential reference (ref_verdict()) written independently, with
 *   128-bit arithmetic for the sector range, must give the same verdict;
 * - an accepted request lies inside the device without wrap-around, has
 *   1..11 direct or 1..max_indirect indirect segments (at most 8 indirect
 *   pages), each with first <= last <= 7, a sector count equal to the sum
 *   of the segments, and never writes to a read-only device;
 * - an accepted discard is offered, on a writable device, inside it;
 * - a refusal always comes with a reason;
 * - the producer index is never accepted more than a ring ahead;
 * - ring sizes are the largest power of two that fits.
 */
enum { ST_OK, ST_REFUSE, ST_UNSUPP, ST_VIOL, ST_DISCARD_OK, ST_IND_OK,
	ST_FLUSH_OK, ST_RO_READ_OK, ST_RING };
#define XD_STAT_NAMES { "ok", "refuse", "unsupported", "violation", \
	"discard-ok", "indirect-ok", "flush-ok", "readonly-read-ok", "ring" }
#include "fuzz.h"

#include "../../modules/blkback/blkback-check.h"

/* what the indirect pages can describe at most */
#define MAX_SEGS	(XBB_MAX_INDIRECT_PAGES * XBB_SEGS_PER_INDIRECT_PAGE)

typedef unsigned __int128 u128;

static bool ref_seg_ok(const struct xbb_seg *s)
{
	return s->last <= 7 && s->first <= s->last;
}

/*
 * The reference: what a request deserves, computed from the protocol
 * rules in one pass of booleans, then ranked: a protocol violation first,
 * then what the device refuses.  @segs are the segments blkback uses
 * (direct: r->seg, indirect: read from the indirect pages).
 */
static enum xbb_verdict ref_verdict(const struct xbb_creq *r,
				    const struct xbb_limits *l,
				    const struct xbb_seg *segs,
				    unsigned long long *sectors)
{
	bool rw = r->op == XBB_OP_READ || r->op == XBB_OP_WRITE;
	bool flush = r->op == XBB_OP_WRITE_BARRIER ||
		     r->op == XBB_OP_FLUSH_DISKCACHE;
	bool ind = r->op == XBB_OP_INDIRECT;
	bool writes;
	u128 total = 0;
	unsigned int i;

	*sectors = 0;
	if (r->op == XBB_OP_DISCARD) {
		if (!l->discard)
			return XBB_UNSUPPORTED;
		if (l->readonly)
			return XBB_REFUSE;
		if ((r->discard_flag & 1) && !l->secure)
			return XBB_UNSUPPORTED;
		if ((u128)r->sector + r->nr_sectors > l->dev_sectors)
			return XBB_REFUSE;
		return XBB_OK;
	}
	if (!rw && !flush && !ind)
		return XBB_VIOLATION;
	if (rw && (r->nseg < 1 || r->nseg > 11))
		return XBB_VIOLATION;
	if (flush && r->nseg > 11)
		return XBB_VIOLATION;
	if (ind && (!l->max_indirect ||
		    (r->indirect_op != XBB_OP_READ &&
		     r->indirect_op != XBB_OP_WRITE) ||
		    r->nseg < 1 || r->nseg > l->max_indirect))
		return XBB_VIOLATION;
	if (!ind) {
		for (i = 0; i < r->nseg; i++)
			if (!ref_seg_ok(&r->seg[i]))
				return XBB_VIOLATION;
	}
	writes = ind ? r->indirect_op == XBB_OP_WRITE : r->op != XBB_OP_READ;
	if (l->readonly && writes)
		return XBB_REFUSE;
	/* Only now are the indirect pages read. */
	for (i = 0; i < r->nseg; i++) {
		if (!ref_seg_ok(&segs[i]))
			return XBB_VIOLATION;
		total += (u128)segs[i].last - segs[i].first + 1;
	}
	*sectors = (unsigned long long)total;
	if (r->nseg && (u128)r->sector + total > l->dev_sectors)
		return XBB_REFUSE;
	return XBB_OK;
}

/* The request path of blkback.c (xbb_do_request()), returning the verdict. */
static enum xbb_verdict run_request(const struct xbb_creq *c,
				    const struct xbb_limits *l,
				    const struct xbb_seg *ind_segs,
				    unsigned long long *nsect, const char **why)
{
	enum xbb_verdict v;

	*nsect = 0;
	v = xbb_check_head(c, l, why);
	if (v != XBB_OK || c->op == XBB_OP_DISCARD)
		return v;
	return xbb_check_segs(c->op == XBB_OP_INDIRECT ? ind_segs : c->seg,
			      c->nseg, c->sector, l, nsect, why);
}

static void check_accepted(const struct xbb_creq *c, const struct xbb_limits *l,
			   const struct xbb_seg *segs, unsigned long long nsect)
{
	unsigned long long sum = 0;
	unsigned int i;

	if (c->op == XBB_OP_DISCARD) {
		XD_CHECK(l->discard && !l->readonly, "discard accepted but not allowed");
		XD_CHECK(!(c->discard_flag & 1) || l->secure, "secure discard not offered");
		XD_CHECK(c->nr_sectors <= l->dev_sectors &&
			 (u128)c->sector + c->nr_sectors <= l->dev_sectors,
			 "discard range outside the device");
		return;
	}
	if (c->op == XBB_OP_INDIRECT) {
		XD_CHECK(c->nseg >= 1 && c->nseg <= l->max_indirect,
			 "indirect segment count");
		XD_CHECK(xbb_indirect_pages(c->nseg) <= XBB_MAX_INDIRECT_PAGES,
			 "indirect pages overflow ind_grefs[]");
		XD_CHECK(xbb_indirect_pages(c->nseg) * XBB_SEGS_PER_INDIRECT_PAGE >=
			 c->nseg, "indirect pages too few for the segments");
		XD_CHECK(c->indirect_op == XBB_OP_READ || c->indirect_op == XBB_OP_WRITE,
			 "indirect operation");
	} else {
		XD_CHECK(c->op <= XBB_OP_FLUSH_DISKCACHE, "operation");
		XD_CHECK(c->nseg <= XBB_MAX_DIRECT_SEGS, "direct segment count");
		XD_CHECK(c->nseg >= 1 || c->op >= XBB_OP_WRITE_BARRIER,
			 "read/write without segments");
	}
	for (i = 0; i < c->nseg; i++) {
		XD_CHECK(segs[i].first <= segs[i].last && segs[i].last <= 7,
			 "segment outside its page");
		sum += segs[i].last - segs[i].first + 1;
	}
	XD_CHECK(sum == nsect, "sector count differs from the segments");
	XD_CHECK(nsect <= 8ULL * c->nseg && nsect >= c->nseg, "sector count range");
	if (c->nseg) {
		XD_CHECK(nsect <= l->dev_sectors &&
			 (u128)c->sector + nsect <= l->dev_sectors,
			 "data range outside the device");
		XD_CHECK(c->sector + nsect >= c->sector, "data range wraps");
	}
	XD_CHECK(!(l->readonly && xbb_is_write(c)), "write to a read-only device");
	XD_CHECK(xbb_is_write(c) == (c->op == XBB_OP_INDIRECT ?
				    c->indirect_op != XBB_OP_READ :
				    c->op != XBB_OP_READ), "direction");
}

static void fuzz_request(struct xd_in *in)
{
	static struct xbb_seg ind[MAX_SEGS];
	unsigned long long nsect, rsect;
	struct xbb_limits l;
	struct xbb_creq c;
	enum xbb_verdict v, rv;
	const char *why = NULL;
	uint8_t f = xd_u8(in);
	unsigned int i, nfill;

	memset(&l, 0, sizeof(l));
	memset(&c, 0, sizeof(c));
	l.dev_sectors = (f & 0x80) ? xd_near(in, 32768) : xd_u32(in);
	l.readonly = f & 1;
	l.discard = f & 2;
	l.secure = f & 4;
	/* blkback offers 256 or nothing; anything up to 8 full pages is sane */
	switch ((f >> 3) & 3) {
	case 0:
		l.max_indirect = 0;
		break;
	case 1:
		l.max_indirect = XBB_MAX_INDIRECT_SEGS;
		break;
	default:
		l.max_indirect = xd_u16(in) % (XBB_MAX_INDIRECT_PAGES *
					       XBB_SEGS_PER_INDIRECT_PAGE + 1);
		break;
	}
	c.op = xd_u8(in);
	if ((f & 0x20) && c.op > XBB_OP_INDIRECT)
		c.op %= XBB_OP_INDIRECT + 1;	/* mostly known operations */
	c.indirect_op = xd_u8(in) % ((f & 0x40) ? 256 : 4);
	/* direct requests carry a u8, indirect ones a u16 */
	c.nseg = c.op == XBB_OP_INDIRECT ? xd_u16(in) : xd_u8(in);
	if (c.op == XBB_OP_INDIRECT && (f & 0x40))
		c.nseg %= XBB_MAX_INDIRECT_SEGS + 2;
	c.discard_flag = xd_u8(in);
	c.id = xd_u64(in);
	c.sector = xd_near(in, l.dev_sectors);
	c.nr_sectors = xd_near(in, l.dev_sectors - c.sector);
	for (i = 0; i < XBB_MAX_INDIRECT_PAGES; i++)
		c.ind_grefs[i] = i;
	/* Segments: a byte selects valid-ish or raw sectors. */
	nfill = c.nseg < MAX_SEGS ? c.nseg : MAX_SEGS;
	if (nfill < XBB_MAX_DIRECT_SEGS)
		nfill = XBB_MAX_DIRECT_SEGS;
	for (i = 0; i < nfill; i++) {
		struct xbb_seg *s = i < XBB_MAX_DIRECT_SEGS ? &c.seg[i] : NULL;
		uint8_t b = xd_u8(in);
		uint8_t a = (b & 0x80) ? xd_u8(in) : (b & 7);
		uint8_t z = (b & 0x80) ? xd_u8(in) : ((b >> 3) & 7);

		ind[i].gref = i;
		ind[i].first = a < z ? a : z;
		ind[i].last = a < z ? z : a;
		if ((b & 0x40) && !(b & 0x80)) {
			ind[i].first = a;
			ind[i].last = z;
		}
		if (s)
			*s = ind[i];
	}
	v = run_request(&c, &l, ind, &nsect, &why);
	rv = ref_verdict(&c, &l, c.op == XBB_OP_INDIRECT ? ind : c.seg, &rsect);
	if (v != rv) {
		fprintf(stderr, "header %d (%s), reference %d\n", v, why ? why : "-", rv);
		xd_fuzz_fail("blkback verdict differs from the reference");
	}
	XD_STAT(v);
	if (v == XBB_OK && c.op == XBB_OP_DISCARD)
		XD_STAT(ST_DISCARD_OK);
	if (v == XBB_OK && c.op == XBB_OP_INDIRECT)
		XD_STAT(ST_IND_OK);
	if (v == XBB_OK && c.op == XBB_OP_FLUSH_DISKCACHE)
		XD_STAT(ST_FLUSH_OK);
	if (v == XBB_OK && l.readonly)
		XD_STAT(ST_RO_READ_OK);
	if (v == XBB_OK) {
		if (c.op != XBB_OP_DISCARD)
			XD_CHECK(nsect == rsect, "sector count differs from the reference");
		check_accepted(&c, &l, c.op == XBB_OP_INDIRECT ? ind : c.seg, nsect);
	} else {
		XD_CHECK(why && *why, "refusal without a reason");
	}
}

static void fuzz_ring(struct xd_in *in)
{
	unsigned int order = xd_u8(in) % 5, ring, prod, cons;
	unsigned int entry = xd_u8(in) & 1 ? 112 : 108;
	unsigned long bytes = (4096UL << order);
	unsigned int i;
	uint32_t ahead;

	/* __RING_SIZE: the largest power of two that fits */
	ring = xbb_ring_entries(bytes, 64, entry);
	XD_CHECK(ring && !(ring & (ring - 1)), "ring size not a power of two");
	XD_CHECK(64 + (unsigned long)ring * entry <= bytes, "ring does not fit");
	XD_CHECK(64 + 2UL * ring * entry > bytes, "ring not the largest");
	/* odd sizes too (not reachable from blkback, which uses pages) */
	bytes = xd_u32(in);
	entry = 1 + xd_u16(in);
	i = xbb_ring_entries(bytes, 64, entry);
	if (bytes <= 64 || (bytes - 64) / entry == 0) {
		XD_CHECK(i == 0, "ring from nothing");
	} else {
		XD_CHECK(i && !(i & (i - 1)), "odd ring size not a power of two");
		XD_CHECK(64 + (u128)i * entry <= bytes, "odd ring does not fit");
		XD_CHECK(64 + (u128)2 * i * entry > bytes, "odd ring not the largest");
	}

	for (i = 0; i < 4; i++) {
		cons = xd_u32(in);
		switch (xd_u8(in) & 3) {
		case 0:
			prod = xd_u32(in);
			break;
		case 1:
			prod = cons + ring + (int8_t)xd_u8(in);
			break;
		default:
			prod = cons + (xd_u8(in) % (ring + 2));
			break;
		}
		/* the reference: distance counted in 64 bits, modulo 2^32 */
		ahead = (uint32_t)(((uint64_t)prod + (1ULL << 32) - cons) & 0xffffffffULL);
		XD_CHECK(xbb_prod_ok(prod, cons, ring) == (ahead <= ring),
			 "producer index check differs from the reference");
		if (xbb_prod_ok(prod, cons, ring)) {
			/* the consumer loop takes exactly prod - cons entries */
			unsigned int taken = 0, k;

			for (k = cons; k != prod && taken <= ring; k++)
				taken++;
			XD_CHECK(taken <= ring, "producer more than a ring ahead");
		}
	}
	{
		unsigned int a = xd_u32(in) % 64, m = xd_u8(in) % 16;

		XD_CHECK(xbb_ring_order_ok(a, m) == (a <= m), "ring order");
		a = xd_u32(in);
		m = 1 + xd_u8(in) % 64;
		XD_CHECK(xbb_queues_ok(a, m) == (a >= 1 && a <= m), "queue count");
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xd_in in;

	xd_in_init(&in, data, size);
	if (xd_u8(&in) & 1) {
		XD_STAT(ST_RING);
		fuzz_ring(&in);
	} else {
		fuzz_request(&in);
	}
	return 0;
}
