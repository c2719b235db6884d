/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * blkback-check.h - the decisions xen-blkback takes on what a frontend
 * sends: ring indices, request heads, segments, sector ranges, ring and
 * queue parameters; and when a persistent grant is given up (unused too
 * long, or evicted for a new one).  Pure functions over private copies of
 * guest data.
 *
 * Nothing here touches kernel state, so the same file compiles in user
 * space (tests/unit/blkback-check.c).  It uses only plain C types and
 * includes nothing: the includer provides bool (the kernel's
 * <linux/types.h>, or <stdbool.h>).
 */
#ifndef XD_BLKBACK_CHECK_H
#define XD_BLKBACK_CHECK_H

/* Values of xen/interface/io/blkif.h. */
#define XBB_OP_READ		0
#define XBB_OP_WRITE		1
#define XBB_OP_WRITE_BARRIER	2
#define XBB_OP_FLUSH_DISKCACHE	3
#define XBB_OP_DISCARD		5
#define XBB_OP_INDIRECT		6
#define XBB_MAX_DIRECT_SEGS	11	/* BLKIF_MAX_SEGMENTS_PER_REQUEST */
#define XBB_MAX_INDIRECT_PAGES	8	/* BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST */
#define XBB_SECTORS_PER_PAGE	8	/* 4 KiB pages, 512-byte sectors */
#define XBB_SEGS_PER_INDIRECT_PAGE 512	/* 4096 / sizeof(segment) */
/* Segments per indirect request this backend offers and accepts. */
#define XBB_MAX_INDIRECT_SEGS	256

/**
 * enum xbb_verdict - what to do with a request
 * @XBB_OK: carry it out
 * @XBB_REFUSE: answer BLKIF_RSP_ERROR (a well-formed request the device
 *	cannot serve: outside the device, a write to a read-only device)
 * @XBB_UNSUPPORTED: answer BLKIF_RSP_EOPNOTSUPP (discard not offered)
 * @XBB_VIOLATION: the frontend broke the protocol: answer an error and
 *	shut the device down (Closing), with the reason logged
 */
enum xbb_verdict {
	XBB_OK,
	XBB_REFUSE,
	XBB_UNSUPPORTED,
	XBB_VIOLATION,
};

/**
 * struct xbb_seg - one data segment, copied out of the ring or indirect page
 * @gref: grant reference of the guest page
 * @first: first 512-byte sector of the page to transfer
 * @last: last one (inclusive)
 */
struct xbb_seg {
	unsigned int gref;
	unsigned char first;
	unsigned char last;
};

/**
 * struct xbb_creq - a request in private memory, ABI-independent
 * @op: BLKIF_OP_*
 * @indirect_op: for XBB_OP_INDIRECT, the data operation
 * @nseg: segment count as sent (u8 for direct, u16 for indirect requests)
 * @discard_flag: BLKIF_DISCARD_SECURE or 0
 * @id: echoed in the response
 * @sector: first sector (512-byte units)
 * @nr_sectors: discard length
 * @ind_grefs: indirect page grants
 * @seg: direct segments
 */
struct xbb_creq {
	unsigned char op;
	unsigned char indirect_op;
	unsigned int nseg;
	unsigned char discard_flag;
	unsigned long long id;
	unsigned long long sector;
	unsigned long long nr_sectors;
	unsigned int ind_grefs[XBB_MAX_INDIRECT_PAGES];
	struct xbb_seg seg[XBB_MAX_DIRECT_SEGS];
};

/**
 * struct xbb_limits - what the device and the negotiation allow
 * @dev_sectors: size of the backing device in 512-byte sectors
 * @readonly: the vbd is read-only
 * @discard: discard is offered
 * @secure: secure discard is offered
 * @max_indirect: segments per indirect request offered (0: no indirect)
 */
struct xbb_limits {
	unsigned long long dev_sectors;
	bool readonly;
	bool discard;
	bool secure;
	unsigned int max_indirect;
};

/**
 * xbb_prod_ok() - may the backend consume up to @prod?
 * @prod: the frontend's req_prod (read once)
 * @cons: the backend's req_cons
 * @ring_size: entries in the ring
 *
 * A producer more than a ring ahead of the consumer (or behind it: the
 * difference wraps) is a protocol violation (XSA-39).
 */
static inline bool xbb_prod_ok(unsigned int prod, unsigned int cons,
			       unsigned int ring_size)
{
	return prod - cons <= ring_size;
}

/**
 * xbb_seg_ok() - is a segment inside one page, first <= last?
 * @s: the segment
 */
static inline bool xbb_seg_ok(const struct xbb_seg *s)
{
	return s->first <= s->last && s->last < XBB_SECTORS_PER_PAGE;
}

/**
 * xbb_range_ok() - does [@sector, @sector + @n) lie within the device?
 * @sector: first sector
 * @n: sectors
 * @dev_sectors: device size
 *
 * Written so that no sum can wrap.
 */
static inline bool xbb_range_ok(unsigned long long sector,
				unsigned long long n,
				unsigned long long dev_sectors)
{
	return n <= dev_sectors && sector <= dev_sectors - n;
}

/**
 * xbb_indirect_pages() - indirect pages holding @nseg segments
 * @nseg: segment count (already bounded)
 */
static inline unsigned int xbb_indirect_pages(unsigned int nseg)
{
	return (nseg + XBB_SEGS_PER_INDIRECT_PAGE - 1) /
		XBB_SEGS_PER_INDIRECT_PAGE;
}

/**
 * xbb_is_write() - does the data operation of @r write to the device?
 * @r: a request whose head passed xbb_check_head()
 */
static inline bool xbb_is_write(const struct xbb_creq *r)
{
	unsigned char op = r->op == XBB_OP_INDIRECT ? r->indirect_op : r->op;

	return op != XBB_OP_READ;
}

/**
 * xbb_check_head() - validate a copied request before touching any grant
 * @r: the private copy
 * @l: limits
 * @why: set to a static reason when the verdict is not XBB_OK
 *
 * Checks the operation, the segment count, the direct segments and, for
 * discard, the range.  The data range of read/write requests needs all
 * segments (indirect ones come from guest pages): xbb_check_segs().
 */
static inline enum xbb_verdict xbb_check_head(const struct xbb_creq *r,
					      const struct xbb_limits *l,
					      const char **why)
{
	switch (r->op) {
	case XBB_OP_READ:
	case XBB_OP_WRITE:
		if (r->nseg == 0 || r->nseg > XBB_MAX_DIRECT_SEGS) {
			*why = "segment count 0 or above 11";
			return XBB_VIOLATION;
		}
		break;
	case XBB_OP_WRITE_BARRIER:
	case XBB_OP_FLUSH_DISKCACHE:
		/* A flush may carry data, or none. */
		if (r->nseg > XBB_MAX_DIRECT_SEGS) {
			*why = "segment count above 11";
			return XBB_VIOLATION;
		}
		break;
	case XBB_OP_INDIRECT:
		if (l->max_indirect == 0) {
			*why = "indirect request, not offered";
			return XBB_VIOLATION;
		}
		if (r->indirect_op != XBB_OP_READ &&
		    r->indirect_op != XBB_OP_WRITE) {
			*why = "indirect request with an operation other than read/write";
			return XBB_VIOLATION;
		}
		if (r->nseg == 0 || r->nseg > l->max_indirect) {
			*why = "indirect segment count 0 or above the maximum";
			return XBB_VIOLATION;
		}
		break;
	case XBB_OP_DISCARD:
		if (!l->discard) {
			*why = "discard not offered";
			return XBB_UNSUPPORTED;
		}
		if (l->readonly) {
			*why = "discard on a read-only device";
			return XBB_REFUSE;
		}
		if ((r->discard_flag & 1) && !l->secure) {
			*why = "secure discard not offered";
			return XBB_UNSUPPORTED;
		}
		if (!xbb_range_ok(r->sector, r->nr_sectors, l->dev_sectors)) {
			*why = "discard range outside the device";
			return XBB_REFUSE;
		}
		return XBB_OK;
	default:
		*why = "unknown operation";
		return XBB_VIOLATION;
	}
	if (r->op != XBB_OP_INDIRECT) {
		unsigned int i;

		for (i = 0; i < r->nseg; i++) {
			if (!xbb_seg_ok(&r->seg[i])) {
				*why = "segment sectors outside the page or first > last";
				return XBB_VIOLATION;
			}
		}
	}
	if (l->readonly && xbb_is_write(r)) {
		*why = "write to a read-only device";
		return XBB_REFUSE;
	}
	return XBB_OK;
}

/**
 * xbb_check_segs() - validate all segments and the data range
 * @segs: the segments, in private memory
 * @n: how many (bounded by xbb_check_head())
 * @sector: first sector of the request
 * @l: limits
 * @nr_sectors: set to the sectors transferred
 * @why: set to a static reason when the verdict is not XBB_OK
 */
static inline enum xbb_verdict xbb_check_segs(const struct xbb_seg *segs,
					      unsigned int n,
					      unsigned long long sector,
					      const struct xbb_limits *l,
					      unsigned long long *nr_sectors,
					      const char **why)
{
	unsigned long long total = 0;
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (!xbb_seg_ok(&segs[i])) {
			*why = "segment sectors outside the page or first > last";
			return XBB_VIOLATION;
		}
		total += segs[i].last - segs[i].first + 1;
	}
	*nr_sectors = total;
	/*
	 * A request without data (a flush) transfers nothing: its sector is
	 * meaningless.  blkfront sends blk_rq_pos() of the block layer's
	 * flush request, which is (sector_t)-1; refusing it would make
	 * blkfront turn flushes off for good ("empty flush op failed").
	 */
	if (n && !xbb_range_ok(sector, total, l->dev_sectors)) {
		*why = "sectors outside the device";
		return XBB_REFUSE;
	}
	return XBB_OK;
}

/**
 * xbb_ring_order_ok() - is a frontend's ring-page-order acceptable?
 * @order: the value read
 * @max: max-ring-page-order offered
 */
static inline bool xbb_ring_order_ok(unsigned int order, unsigned int max)
{
	return order <= max;
}

/**
 * xbb_queues_ok() - is a frontend's multi-queue-num-queues acceptable?
 * @n: the value read (1 when absent)
 * @max: multi-queue-max-queues offered
 */
static inline bool xbb_queues_ok(unsigned int n, unsigned int max)
{
	return n >= 1 && n <= max;
}

/**
 * xbb_ring_entries() - entries of a shared ring
 * @bytes: size of the shared pages
 * @header: bytes before the first entry (64)
 * @entry: size of one entry (request/response union) of the ABI
 *
 * The largest power of two that fits, as ring.h's __RING_SIZE computes.
 */
static inline unsigned int xbb_ring_entries(unsigned long bytes,
					    unsigned int header,
					    unsigned int entry)
{
	unsigned long n = (bytes - header) / entry;
	unsigned int p = 1;

	if (bytes <= header || n == 0)
		return 0;
	while ((unsigned long)p * 2 <= n)
		p *= 2;
	return p;
}

/* Persistent grants: how much work the queue thread does at a time. */
#define XBB_PGNT_BATCH		32	/* grants unmapped per gnttab call */
#define XBB_PGNT_SCAN		256	/* grants looked at per reclaim pass */
#define XBB_PGNT_EVICT_MAX	64	/* grants evicted for one request */

/**
 * xbb_pgnt_expired() - may a persistent grant be unmapped now?
 * @inuse: requests in flight that use it
 * @last: time of its last use (jiffies)
 * @now: the time now (jiffies)
 * @secs: persistent_grant_unused_seconds (0: grants are kept for good)
 * @hz: jiffies per second
 *
 * A grant a request in flight uses is never unmapped, however old.
 * Times compare modulo the counter's width, as time_after() does.
 */
static inline bool xbb_pgnt_expired(unsigned int inuse, unsigned long last,
				    unsigned long now, unsigned int secs,
				    unsigned long hz)
{
	if (inuse || !secs)
		return false;
	return (unsigned long long)(now - last) >= (unsigned long long)secs * hz;
}

/**
 * xbb_pgnt_evict_count() - how many kept grants to give up for a request
 * @nr: grants the queue keeps now
 * @max: most it keeps (max_persistent_grants at connect)
 * @nnew: grants of the request that are not kept
 * @cap: most to evict for one request
 *
 * Enough of the least recently used ones that the request's new grants
 * fit, never more than are kept nor more than @cap.
 */
static inline unsigned int xbb_pgnt_evict_count(unsigned int nr,
						unsigned int max,
						unsigned int nnew,
						unsigned int cap)
{
	unsigned int want;

	if (nr < max && nnew <= max - nr)
		return 0;
	/* nr + nnew - max, without overflow; nr may exceed max */
	want = nr >= max ? nr - max + nnew : nnew - (max - nr);
	if (want > nr)
		want = nr;
	return want < cap ? want : cap;
}

/*
 * Polling for the next request (module parameter poll_us): the default,
 * and the most any setting spins after one pass of the queue thread.
 */
#define XBB_POLL_US_DEFAULT	0
#define XBB_POLL_US_MAX		1000

/**
 * xbb_poll_budget() - how long the queue thread may poll, in nanoseconds
 * @us: poll_us as set (any value a root user can write)
 *
 * 0 turns polling off; anything above XBB_POLL_US_MAX is clamped, so no
 * setting makes the thread spin for long.
 */
static inline unsigned long long xbb_poll_budget(unsigned int us)
{
	if (us > XBB_POLL_US_MAX)
		us = XBB_POLL_US_MAX;
	return (unsigned long long)us * 1000;
}

#endif /* XD_BLKBACK_CHECK_H */
