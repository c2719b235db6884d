/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * blkback-limit.h - the token buckets of xen-blkback's I/O limits.
 *
 * A bucket holds credit measured in nanoseconds: at rate R units per
 * second a unit costs 1e9 / R ns, and credit grows by one ns per ns of
 * time, up to the bucket's depth (the burst).  A request is admitted
 * while the credit is not negative and then pays its cost, so the credit
 * may go into debt: a request larger than the burst still passes, and
 * the next waits until the debt is paid.  At saturation the admitted
 * rate is exactly R whatever the wake-up granularity, as long as the
 * depth is larger than that granularity (XBB_BUCKET_MIN_DEPTH_NS).
 *
 * Pure arithmetic on plain C types: compiles in user space
 * (tests/unit/blkback-check.c).  64-bit only, like the module.
 */
#ifndef XD_BLKBACK_LIMIT_H
#define XD_BLKBACK_LIMIT_H

#define XBB_NSEC			1000000000ULL
/* Largest rate accepted: keeps every product below 2^64. */
#define XBB_BUCKET_MAX_RATE		10000000000ULL
/* Shallowest bucket: a few scheduler ticks of credit. */
#define XBB_BUCKET_MIN_DEPTH_NS		20000000LL
/* Deepest bucket: a minute of credit. */
#define XBB_BUCKET_MAX_SECONDS		60ULL

/**
 * struct xbb_bucket - one token bucket
 * @rate: units per second; 0 = unlimited
 * @burst: units the full bucket admits at once
 * @depth_ns: most credit held
 * @level_ns: credit now; negative = debt
 */
struct xbb_bucket {
	unsigned long long rate;
	unsigned long long burst;
	long long depth_ns;
	long long level_ns;
};

/* The time @units cost at @rate (> 0) units per second, without overflow. */
static inline unsigned long long xbb_units_ns(unsigned long long units,
					      unsigned long long rate)
{
	return units / rate * XBB_NSEC + units % rate * XBB_NSEC / rate;
}

/**
 * xbb_bucket_set() - configure a bucket, full
 * @b: the bucket
 * @rate: units per second, 0 = unlimited
 * @burst: bucket depth in units; 0 = a tenth of @rate (at least 1)
 *
 * The depth is clamped to [XBB_BUCKET_MIN_DEPTH_NS, a minute].
 * Return: 0, or -1 if @rate is above XBB_BUCKET_MAX_RATE.
 */
static inline int xbb_bucket_set(struct xbb_bucket *b, unsigned long long rate,
				 unsigned long long burst)
{
	long long depth;

	if (rate > XBB_BUCKET_MAX_RATE)
		return -1;
	b->rate = rate;
	b->burst = 0;
	b->depth_ns = 0;
	b->level_ns = 0;
	if (!rate)
		return 0;
	if (!burst)
		burst = rate / 10 ? rate / 10 : 1;
	if (burst > rate * XBB_BUCKET_MAX_SECONDS)
		burst = rate * XBB_BUCKET_MAX_SECONDS;
	depth = (long long)xbb_units_ns(burst, rate);
	if (depth < XBB_BUCKET_MIN_DEPTH_NS)
		depth = XBB_BUCKET_MIN_DEPTH_NS;
	b->burst = burst;
	b->depth_ns = depth;
	b->level_ns = depth;
	return 0;
}

/**
 * xbb_bucket_fill() - credit the time passed
 * @b: the bucket
 * @elapsed_ns: time since the last fill
 */
static inline void xbb_bucket_fill(struct xbb_bucket *b,
				   unsigned long long elapsed_ns)
{
	if (!b->rate)
		return;
	if (elapsed_ns >= (unsigned long long)(b->depth_ns - b->level_ns))
		b->level_ns = b->depth_ns;
	else
		b->level_ns += (long long)elapsed_ns;
}

/**
 * xbb_bucket_wait() - how long until the bucket admits a request
 * @b: the bucket
 *
 * Return: 0 to admit now, else the nanoseconds to wait.
 */
static inline unsigned long long xbb_bucket_wait(const struct xbb_bucket *b)
{
	return b->rate && b->level_ns < 0 ? (unsigned long long)-b->level_ns : 0;
}

/**
 * xbb_bucket_take() - charge an admitted request
 * @b: the bucket
 * @units: its cost (at most 2^32)
 */
static inline void xbb_bucket_take(struct xbb_bucket *b,
				   unsigned long long units)
{
	if (b->rate)
		b->level_ns -= (long long)xbb_units_ns(units, b->rate);
}

#endif /* XD_BLKBACK_LIMIT_H */
