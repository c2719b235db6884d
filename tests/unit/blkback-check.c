// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit test of modules/blkback/blkback-check.h, the decisions xen-blkback
 * takes on what a frontend sends, compiled in user space.  Covers the
 * request shapes of tests/progs/hostile.c.  Prints PASS/FAIL lines.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "../../modules/blkback/blkback-check.h"
#include "../../modules/blkback/blkback-limit.h"

static int nfail;

/*
 * Requests of @bytes each, always one waiting, against limits of @iops
 * and @bps, for @seconds; the thread wakes in whole ticks of @tick_ns
 * as the kernel's does.  Return: requests admitted.
 */
static unsigned long long limit_run(unsigned long long iops, unsigned long long bps,
				    unsigned long long bytes, unsigned long long tick_ns,
				    unsigned long long seconds)
{
	struct xbb_bucket io, by;
	unsigned long long t = 0, last = 0, n = 0, w, wb;

	if (xbb_bucket_set(&io, iops, 0) || xbb_bucket_set(&by, bps, 0))
		return 0;
	while (t < seconds * XBB_NSEC) {
		xbb_bucket_fill(&io, t - last);
		xbb_bucket_fill(&by, t - last);
		last = t;
		w = xbb_bucket_wait(&io);
		wb = xbb_bucket_wait(&by);
		if (wb > w)
			w = wb;
		if (!w) {
			xbb_bucket_take(&io, 1);
			xbb_bucket_take(&by, bytes);
			n++;
			continue;
		}
		t += (w + tick_ns - 1) / tick_ns * tick_ns;
	}
	return n;
}

static int within(unsigned long long got, unsigned long long want, double tol)
{
	return got >= want * (1 - tol) && got <= want * (1 + tol);
}

static void check(const char *name, bool ok)
{
	if (ok) {
		printf("PASS %s\n", name);
	} else {
		printf("FAIL %s: wrong answer (see tests/unit/blkback-check.c)\n", name);
		nfail++;
	}
}

#define DEV 32768ULL	/* 16 MiB */

static struct xbb_limits rw = { .dev_sectors = DEV, .discard = true, .max_indirect = 256 };
static struct xbb_limits ro = { .dev_sectors = DEV, .readonly = true, .max_indirect = 256 };

static struct xbb_creq rd(void)
{
	struct xbb_creq r;

	memset(&r, 0, sizeof(r));
	r.op = XBB_OP_READ;
	r.nseg = 1;
	r.sector = 0;
	r.seg[0].first = 0;
	r.seg[0].last = 7;
	return r;
}

static enum xbb_verdict head(struct xbb_creq r, const struct xbb_limits *l)
{
	const char *why = "";

	return xbb_check_head(&r, l, &why);
}

/* Whole request: head, then the segments and the range. */
static enum xbb_verdict full(struct xbb_creq r, const struct xbb_limits *l)
{
	unsigned long long n;
	const char *why = "";
	enum xbb_verdict v = xbb_check_head(&r, l, &why);

	if (v != XBB_OK || r.op == XBB_OP_DISCARD || r.op == XBB_OP_INDIRECT)
		return v;
	return xbb_check_segs(r.seg, r.nseg, r.sector, l, &n, &why);
}

int main(void)
{
	struct xbb_creq r;
	struct xbb_seg segs[256];
	unsigned long long n = 0;
	const char *why = "";
	unsigned int i;

	/* ring indices (rule 2) */
	check("prod/equal", xbb_prod_ok(5, 5, 32));
	check("prod/full-ring", xbb_prod_ok(37, 5, 32));
	check("prod/far-ahead", !xbb_prod_ok(1005, 5, 32));
	check("prod/one-too-many", !xbb_prod_ok(38, 5, 32));
	check("prod/backwards", !xbb_prod_ok(3, 5, 32));
	check("prod/wraps", xbb_prod_ok(2, 0xfffffff0U, 32));

	/* valid requests */
	check("read/ok", full(rd(), &rw) == XBB_OK);
	r = rd(); r.op = XBB_OP_WRITE; r.nseg = 11;
	for (i = 0; i < 11; i++) { r.seg[i].first = 0; r.seg[i].last = 7; }
	check("write-11/ok", full(r, &rw) == XBB_OK);
	r = rd(); r.op = XBB_OP_FLUSH_DISKCACHE; r.nseg = 0;
	check("flush-no-data/ok", full(r, &rw) == XBB_OK);
	/* blkfront's flush: no data, sector (sector_t)-1 (the flush request's position) */
	r = rd(); r.op = XBB_OP_FLUSH_DISKCACHE; r.nseg = 0; r.sector = ~0ULL;
	check("flush-no-data-any-sector/ok", full(r, &rw) == XBB_OK);
	r = rd(); r.op = XBB_OP_WRITE_BARRIER; r.nseg = 0; r.sector = DEV + 1;
	check("barrier-no-data-any-sector/ok", full(r, &rw) == XBB_OK);
	r = rd(); r.op = XBB_OP_FLUSH_DISKCACHE; r.nseg = 1; r.sector = DEV;
	check("flush-data-outside/refuse", full(r, &rw) == XBB_REFUSE);
	r = rd(); r.sector = DEV - 8;
	check("read-last-page/ok", full(r, &rw) == XBB_OK);

	/* request fields (rule 3) */
	r = rd(); r.nseg = 0;
	check("nseg-zero/violation", full(r, &rw) == XBB_VIOLATION);
	r = rd(); r.nseg = 12;
	check("nseg-12/violation", full(r, &rw) == XBB_VIOLATION);
	r = rd(); r.nseg = 255;
	check("nseg-255/violation", full(r, &rw) == XBB_VIOLATION);
	r = rd(); r.op = XBB_OP_FLUSH_DISKCACHE; r.nseg = 12;
	check("flush-nseg-12/violation", full(r, &rw) == XBB_VIOLATION);
	r = rd(); r.seg[0].first = 5; r.seg[0].last = 2;
	check("first-gt-last/violation", full(r, &rw) == XBB_VIOLATION);
	r = rd(); r.seg[0].last = 8;
	check("last-8/violation", full(r, &rw) == XBB_VIOLATION);
	r = rd(); r.seg[0].last = 255;
	check("last-255/violation", full(r, &rw) == XBB_VIOLATION);
	r = rd(); r.sector = DEV - 4;
	check("sector-past-end/refuse", full(r, &rw) == XBB_REFUSE);
	r = rd(); r.sector = 1ULL << 40;
	check("sector-far/refuse", full(r, &rw) == XBB_REFUSE);
	r = rd(); r.sector = ~0ULL - 3;
	check("sector-wrap/refuse", full(r, &rw) == XBB_REFUSE);
	r = rd(); r.op = XBB_OP_WRITE;
	check("write-readonly/refuse", full(r, &ro) == XBB_REFUSE);
	check("read-readonly/ok", full(rd(), &ro) == XBB_OK);
	r = rd(); r.op = XBB_OP_FLUSH_DISKCACHE; r.nseg = 0;
	check("flush-readonly/refuse", full(r, &ro) == XBB_REFUSE);
	r = rd(); r.op = 99;
	check("op-unknown/violation", full(r, &rw) == XBB_VIOLATION);
	r = rd(); r.op = 4;
	check("op-4/violation", full(r, &rw) == XBB_VIOLATION);

	/* discard */
	r = rd(); r.op = XBB_OP_DISCARD; r.nseg = 0; r.sector = 8; r.nr_sectors = 64;
	check("discard/ok", head(r, &rw) == XBB_OK);
	r.sector = DEV - 8;
	check("discard-past-end/refuse", head(r, &rw) == XBB_REFUSE);
	r.sector = ~0ULL - 7; r.nr_sectors = 16;
	check("discard-wrap/refuse", head(r, &rw) == XBB_REFUSE);
	r.sector = 0; r.nr_sectors = 8;
	check("discard-not-offered/unsupported", head(r, &ro) == XBB_UNSUPPORTED);
	r.discard_flag = 1;
	check("discard-secure-not-offered/unsupported", head(r, &rw) == XBB_UNSUPPORTED);

	/* indirect */
	r = rd(); r.op = XBB_OP_INDIRECT; r.indirect_op = XBB_OP_READ; r.nseg = 32;
	check("indirect/ok", head(r, &rw) == XBB_OK);
	r.nseg = 0;
	check("indirect-nseg-zero/violation", head(r, &rw) == XBB_VIOLATION);
	r.nseg = 4096;
	check("indirect-nseg-huge/violation", head(r, &rw) == XBB_VIOLATION);
	r.nseg = 257;
	check("indirect-nseg-257/violation", head(r, &rw) == XBB_VIOLATION);
	r.nseg = 256;
	check("indirect-nseg-256/ok", head(r, &rw) == XBB_OK);
	r.indirect_op = XBB_OP_DISCARD;
	check("indirect-bad-op/violation", head(r, &rw) == XBB_VIOLATION);
	r.indirect_op = XBB_OP_WRITE;
	check("indirect-write-readonly/refuse", head(r, &ro) == XBB_REFUSE);
	{
		struct xbb_limits none = rw;

		none.max_indirect = 0;
		r.indirect_op = XBB_OP_READ;
		check("indirect-not-offered/violation", head(r, &none) == XBB_VIOLATION);
	}
	for (i = 0; i < 256; i++) { segs[i].gref = i; segs[i].first = 0; segs[i].last = 7; }
	check("indirect-segs/ok", xbb_check_segs(segs, 256, 0, &rw, &n, &why) == XBB_OK && n == 2048);
	segs[15].last = 9;
	check("indirect-bad-seg/violation", xbb_check_segs(segs, 256, 0, &rw, &n, &why) == XBB_VIOLATION);
	segs[15].last = 7;
	check("indirect-past-end/refuse", xbb_check_segs(segs, 256, DEV - 2047, &rw, &n, &why) == XBB_REFUSE);
	check("indirect-pages", xbb_indirect_pages(1) == 1 && xbb_indirect_pages(512) == 1 &&
	      xbb_indirect_pages(513) == 2 && xbb_indirect_pages(4096) == 8);

	/* negotiation */
	check("order/ok", xbb_ring_order_ok(4, 4) && xbb_ring_order_ok(0, 4));
	check("order/huge", !xbb_ring_order_ok(20, 4));
	check("queues/ok", xbb_queues_ok(1, 4) && xbb_queues_ok(4, 4));
	check("queues/zero", !xbb_queues_ok(0, 4));
	check("queues/huge", !xbb_queues_ok(65536, 4));
	check("ring-entries/native-1", xbb_ring_entries(4096, 64, 112) == 32);
	check("ring-entries/x86_32-1", xbb_ring_entries(4096, 64, 108) == 32);
	check("ring-entries/native-16", xbb_ring_entries(16 * 4096, 64, 112) == 512);
	check("ring-entries/tiny", xbb_ring_entries(64, 64, 112) == 0);

	/* I/O limits: token buckets */
	{
		struct xbb_bucket b;
		unsigned long long n;

		check("limit/unlimited", xbb_bucket_set(&b, 0, 0) == 0 &&
		      (xbb_bucket_take(&b, 1ULL << 32), xbb_bucket_wait(&b) == 0));
		check("limit/rate-too-high", xbb_bucket_set(&b, XBB_BUCKET_MAX_RATE + 1, 0) == -1);
		check("limit/default-burst", xbb_bucket_set(&b, 1000, 0) == 0 && b.burst == 100 &&
		      b.depth_ns == 100000000LL && b.level_ns == b.depth_ns);
		check("limit/min-depth", xbb_bucket_set(&b, 1000000, 1) == 0 &&
		      b.depth_ns == XBB_BUCKET_MIN_DEPTH_NS);
		check("limit/burst-capped", xbb_bucket_set(&b, 10, ~0ULL) == 0 && b.burst == 600);
		/* A request above the burst passes, into debt; the next waits. */
		check("limit/debt", xbb_bucket_set(&b, 1000000, 0) == 0 &&
		      xbb_bucket_wait(&b) == 0 &&
		      (xbb_bucket_take(&b, 4 << 20), xbb_bucket_wait(&b) > 4000000000ULL));
		check("limit/no-overflow", xbb_bucket_set(&b, 1, 0) == 0 &&
		      (xbb_bucket_take(&b, 1ULL << 32), b.level_ns < 0 &&
		       xbb_bucket_wait(&b) >= 4294967296ULL * XBB_NSEC - XBB_NSEC));
		check("limit/max-rate-cost", xbb_units_ns(XBB_BUCKET_MAX_RATE - 1, XBB_BUCKET_MAX_RATE) ==
		      XBB_NSEC - 1);
		/* The rate over 10 s: limit + burst, whatever the tick. */
		n = limit_run(1000, 0, 4096, 4000000, 10);
		check("limit/iops-1000-tick4ms", within(n, 10100, 0.01));
		n = limit_run(1000, 0, 4096, 10000000, 10);
		check("limit/iops-1000-tick10ms", within(n, 10100, 0.01));
		n = limit_run(50, 0, 4096, 4000000, 10);
		check("limit/iops-50", within(n, 505, 0.01));
		n = limit_run(0, 10000000, 1 << 20, 4000000, 10);
		check("limit/bps-10M-1MiB", within(n << 20, 101000000, 0.02));
		n = limit_run(0, 4000000, 4096, 4000000, 10);
		check("limit/bps-4M-4KiB", within(n * 4096, 40400000, 0.01));
		/* Both: the tighter one decides. */
		n = limit_run(100, 100000000, 65536, 4000000, 10);
		check("limit/both-iops-tighter", within(n, 1010, 0.01));
		n = limit_run(100000, 1000000, 65536, 4000000, 10);
		check("limit/both-bps-tighter", within(n * 65536, 10100000, 0.02));
	}
	{
		/* Persistent grants: unused long enough is unmapped, in use never. */
		const unsigned long hz = 250, t0 = 1000000;

		check("pgnt/expired", xbb_pgnt_expired(0, t0, t0 + 60 * hz, 60, hz));
		check("pgnt/expired-older", xbb_pgnt_expired(0, t0, t0 + 600 * hz, 60, hz));
		check("pgnt/young", !xbb_pgnt_expired(0, t0, t0 + 60 * hz - 1, 60, hz));
		check("pgnt/just-used", !xbb_pgnt_expired(0, t0, t0, 2, hz));
		check("pgnt/in-use-never", !xbb_pgnt_expired(1, t0, t0 + 3600 * hz, 60, hz));
		check("pgnt/in-use-many", !xbb_pgnt_expired(257, 0, ~0UL / 2, 1, hz));
		check("pgnt/zero-keeps", !xbb_pgnt_expired(0, t0, t0 + 3600 * hz, 0, hz));
		/* jiffies wrap between the use and now */
		check("pgnt/wrap-expired", xbb_pgnt_expired(0, ~0UL - hz, 2 * hz, 2, hz));
		check("pgnt/wrap-young", !xbb_pgnt_expired(0, ~0UL - hz, hz / 2, 2, hz));
		/* secs * hz does not overflow (32-bit unsigned long) */
		check("pgnt/huge-limit", !xbb_pgnt_expired(0, 0, 0xffffffffUL, 0xffffffffU, 1000));

		check("evict/room", xbb_pgnt_evict_count(10, 64, 11, 64) == 0);
		check("evict/exactly-fits", xbb_pgnt_evict_count(53, 64, 11, 64) == 0);
		check("evict/one-over", xbb_pgnt_evict_count(54, 64, 11, 64) == 1);
		check("evict/full", xbb_pgnt_evict_count(64, 64, 11, 64) == 11);
		check("evict/full-indirect-capped",
		      xbb_pgnt_evict_count(1056, 1056, 256, 64) == 64);
		check("evict/not-more-than-kept", xbb_pgnt_evict_count(3, 8, 256, 64) == 3);
		check("evict/nothing-kept", xbb_pgnt_evict_count(0, 0, 11, 64) == 0);
		check("evict/max-zero", xbb_pgnt_evict_count(0, 0, 256, 64) == 0);
		check("evict/no-new", xbb_pgnt_evict_count(64, 64, 0, 64) == 0);
		check("evict/above-max", xbb_pgnt_evict_count(70, 64, 1, 64) == 7);
		check("evict/no-overflow",
		      xbb_pgnt_evict_count(0xfffffff0U, 0xfffffff0U, 256, 64) == 64);
		check("evict/cap-zero", xbb_pgnt_evict_count(64, 64, 11, 0) == 0);
		check("evict/batch-fits-cap", XBB_PGNT_EVICT_MAX % XBB_PGNT_BATCH == 0 &&
		      XBB_PGNT_SCAN >= XBB_PGNT_EVICT_MAX);
	}
	{
		check("poll/off", xbb_poll_budget(0) == 0);
		check("poll/one-us", xbb_poll_budget(1) == 1000);
		check("poll/default", xbb_poll_budget(XBB_POLL_US_DEFAULT) ==
		      XBB_POLL_US_DEFAULT * 1000ULL);
		check("poll/max", xbb_poll_budget(XBB_POLL_US_MAX) == XBB_POLL_US_MAX * 1000ULL);
		check("poll/clamped", xbb_poll_budget(XBB_POLL_US_MAX + 1) ==
		      XBB_POLL_US_MAX * 1000ULL);
		check("poll/huge-clamped", xbb_poll_budget(0xffffffffU) ==
		      XBB_POLL_US_MAX * 1000ULL);
		check("poll/default-bounded", XBB_POLL_US_DEFAULT <= XBB_POLL_US_MAX);
	}
	return nfail ? 1 : 0;
}
