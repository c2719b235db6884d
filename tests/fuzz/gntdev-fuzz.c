// SPDX-License-Identifier: GPL-2.0-only
/*
 * Fuzz harness of modules/gntdev/gntdev-check.h: the checks xen-gntdev
 * applies to ioctl and mmap arguments, with oracles:
 *
 * - a sequence of MAP_GRANT_REF / UNMAP_GRANT_REF / mmap / SET_UNMAP_NOTIFY
 *   calls on one file, run as gntdev.c runs them (sorted list, first fit
 *   with xd_gntdev_fits_before()), against a page bitmap as reference:
 *   a new range never overlaps another, gets the offset an independent
 *   first-fit (the in-tree rule, one free page before the next range)
 *   computes, unmap and mmap find exactly the range the reference finds,
 *   a notify offset is found in exactly the range that holds it, with
 *   its offset relative to that range inside it;
 * - fits_before, offset_in_range: no wrap-around (128-bit references);
 * - invalidation overlap: the pages reported equal a page-by-page
 *   reference and lie inside the mapping;
 * - grant copy: a segment is accepted only with a grant side, each grant
 *   side inside its page; the chunk loop of gntdev.c makes progress,
 *   copies exactly the segment, never crosses a local page, and every
 *   grant-side op stays inside the granted page.
 */
enum { ST_MAP, ST_MAP_LIMIT, ST_UNMAP, ST_MMAP, ST_NOTIFY, ST_OVERLAP,
	ST_COPY_OK, ST_COPY_BAD, ST_HOLE_REUSED };
#define XD_STAT_NAMES { "map", "map-refused", "unmap-found", "mmap-found", \
	"notify-found", "overlap", "copy-ok", "copy-refused", "hole-reused" }
#include "fuzz.h"

#include "../../modules/gntdev/gntdev-check.h"

typedef unsigned __int128 u128;

#define MAX_MAPS	32
#define MAX_PAGES	(MAX_MAPS * 66 + 64)
#define SHIFT		12

struct range {
	unsigned long long index;
	unsigned int count;
};

/* the file's maps, sorted by index, as gntdev.c keeps them */
static struct range maps[MAX_MAPS];
static unsigned int nmaps;
static unsigned char used[MAX_PAGES];

/* Reference first fit: in-tree's rule, recomputed on the page bitmap. */
static unsigned long long ref_first_fit(unsigned int count)
{
	unsigned long long cand = 0;
	unsigned int i, k;

	/* candidates: 0, then the end of each range, in order */
	for (i = 0; i <= nmaps; i++) {
		bool free = true;

		if (i > 0)
			cand = maps[i - 1].index + maps[i - 1].count;
		if (i == nmaps)
			return cand;	/* after the last range */
		/* the new range and one free page after it must be free */
		for (k = 0; k <= count && free; k++)
			free = cand + k < MAX_PAGES && !used[cand + k];
		if (free)
			return cand;
	}
	return cand;
}

static void op_map(struct xd_in *in)
{
	unsigned int count = xd_u8(in), limit = (xd_u8(in) & 1) ? 64 : 16;
	unsigned long long index = 0, want;
	unsigned int i, pos = nmaps, k;

	if (!xd_gntdev_count_ok(count, limit)) {
		XD_CHECK(count == 0 || count > limit, "count refused within the limit");
		XD_STAT(ST_MAP_LIMIT);
		return;
	}
	XD_CHECK(count >= 1 && count <= limit, "count accepted beyond the limit");
	if (nmaps == MAX_MAPS)
		return;
	want = ref_first_fit(count);
	/* gntdev.c's loop */
	for (i = 0; i < nmaps; i++) {
		if (xd_gntdev_fits_before(index, count, maps[i].index)) {
			pos = i;
			break;
		}
		index = maps[i].index + maps[i].count;
	}
	XD_CHECK(index == want, "first fit differs from the reference");
	XD_CHECK(index + count <= MAX_PAGES, "harness bitmap too small");
	for (k = 0; k < count; k++) {
		XD_CHECK(!used[index + k], "new range overlaps another");
		used[index + k] = 1;
	}
	if (pos < nmaps)
		XD_STAT(ST_HOLE_REUSED);
	memmove(&maps[pos + 1], &maps[pos], (nmaps - pos) * sizeof(maps[0]));
	maps[pos].index = index;
	maps[pos].count = count;
	nmaps++;
	for (i = 1; i < nmaps; i++)
		XD_CHECK(maps[i - 1].index + maps[i - 1].count <= maps[i].index,
			 "ranges out of order or overlapping");
	XD_STAT(ST_MAP);
}

/* A user-supplied (index, count): either some range's or anything. */
static void pick(struct xd_in *in, unsigned long long *idx,
		 unsigned long long *cnt)
{
	uint8_t b = xd_u8(in);

	if (nmaps && (b & 1)) {
		const struct range *r = &maps[xd_u8(in) % nmaps];

		*idx = r->index + ((b & 2) ? (int8_t)xd_u8(in) % 3 : 0);
		*cnt = (b & 4) ? 0 : r->count + ((b & 8) ? (int8_t)xd_u8(in) % 3 : 0);
	} else {
		*idx = xd_near(in, MAX_PAGES);
		*cnt = xd_near(in, 16);
	}
}

static void op_unmap_or_mmap(struct xd_in *in, bool unmap)
{
	unsigned long long idx, cnt;
	unsigned int i, found = MAX_MAPS, k;

	pick(in, &idx, &cnt);
	/* mmap: vma_pages() is never 0; UNMAP_GRANT_REF: a u32 count */
	if (!unmap && !cnt)
		cnt = 1;
	if (unmap)
		cnt &= 0xffffffffULL;
	for (i = 0; i < nmaps; i++) {
		bool ref = maps[i].index == idx &&
			   ((unmap && cnt == 0) || cnt == maps[i].count);

		if (xd_gntdev_range_matches(maps[i].index, maps[i].count, idx,
					    cnt, unmap) != ref)
			xd_fuzz_fail("range match differs from the reference");
		if (ref && found == MAX_MAPS)
			found = i;
	}
	if (found == MAX_MAPS)
		return;
	if (!unmap) {
		XD_STAT(ST_MMAP);
		XD_CHECK(cnt == maps[found].count, "mmap of a different size");
		return;
	}
	XD_STAT(ST_UNMAP);
	for (k = 0; k < maps[found].count; k++)
		used[maps[found].index + k] = 0;
	memmove(&maps[found], &maps[found + 1],
		(nmaps - found - 1) * sizeof(maps[0]));
	nmaps--;
}

static void op_notify(struct xd_in *in)
{
	unsigned long long off, rel = ~0ULL, idx, cnt;
	unsigned int i, hits = 0, action = xd_u32(in);

	XD_CHECK(xd_gntdev_notify_action_ok(action) == (action <= 3),
		 "notify action check");
	pick(in, &idx, &cnt);
	off = (idx << SHIFT) + (xd_u16(in) % 8192) - 4096;
	if (xd_u8(in) & 1)
		off = xd_u64(in);
	for (i = 0; i < nmaps; i++) {
		u128 begin = (u128)maps[i].index << SHIFT;
		u128 end = (u128)(maps[i].index + maps[i].count) << SHIFT;
		bool in_ref = off >= begin && off < end;

		rel = ~0ULL;
		if (xd_gntdev_offset_in_range(maps[i].index, maps[i].count, SHIFT,
					      off, &rel) != in_ref)
			xd_fuzz_fail("offset-in-range differs from the reference");
		if (in_ref) {
			hits++;
			XD_CHECK(rel == off - begin &&
				 rel < ((unsigned long long)maps[i].count << SHIFT),
				 "notify offset outside the range");
		}
	}
	XD_CHECK(hits <= 1, "an offset lies in two ranges");
	if (hits)
		XD_STAT(ST_NOTIFY);
}

static void fuzz_file(struct xd_in *in)
{
	unsigned int steps = 1 + xd_u8(in) % 64;

	nmaps = 0;
	memset(used, 0, sizeof(used));
	while (steps-- && in->n) {
		switch (xd_u8(in) % 6) {
		case 0:
		case 1:
			op_map(in);
			break;
		case 2:
			op_unmap_or_mmap(in, true);
			break;
		case 3:
			op_unmap_or_mmap(in, false);
			break;
		default:
			op_notify(in);
			break;
		}
	}
}

static void fuzz_arith(struct xd_in *in)
{
	unsigned long long cand = xd_near(in, 1ULL << 40), next;
	unsigned int count = xd_u32(in), first = ~0U, n = ~0U;
	unsigned long long idx, off, rel = 0;

	next = xd_near(in, cand + count);
	/* a range has at least one page (xd_gntdev_count_ok()) */
	XD_CHECK(!xd_gntdev_range_matches(cand, count | 1, cand, 0, false),
		 "a zero count matches for mmap");
	XD_CHECK(xd_gntdev_range_matches(cand, count | 1, cand, 0, true),
		 "a zero count does not match for unmap");
	XD_CHECK(xd_gntdev_fits_before(cand, count, next) ==
		 ((u128)cand + count < next), "fits_before wraps");

	/*
	 * offset_in_range: indexes come from first fit over live maps, far
	 * below 2^51 (each page of a range is memory the kernel allocated).
	 */
	idx = xd_u64(in) & ((1ULL << 51) - 1);
	count = xd_u32(in);
	off = (xd_u8(in) & 1) ? xd_u64(in) :
	      (idx << SHIFT) + ((unsigned long long)count << SHIFT) - 1 + (int8_t)xd_u8(in);
	{
		u128 b = (u128)idx << SHIFT, e = ((u128)idx + count) << SHIFT;
		bool ok = xd_gntdev_offset_in_range(idx, count, SHIFT, off, &rel);

		XD_CHECK(ok == (off >= b && off < e), "offset_in_range wraps");
		if (ok)
			XD_CHECK(rel == off - b, "relative offset");
	}

	/* invalidation: a mapping in the user half, any range */
	{
		unsigned long map_start = (xd_u64(in) & ((1ULL << 47) - 1)) & ~4095UL;
		unsigned int pages = 1 + xd_u16(in) % 1024, i, rf = ~0U, rl = 0;
		unsigned long start, end;
		bool ok;

		start = map_start + (long)(int16_t)xd_u16(in) * 97;
		end = start + xd_u32(in) % (pages * 4096UL + 8192);
		if (xd_u8(in) & 1) {
			start = xd_u64(in);
			end = xd_u64(in);
		}
		ok = xd_gntdev_overlap(map_start, pages, SHIFT, start, end, &first, &n);
		for (i = 0; i < pages; i++) {
			unsigned long ps = map_start + i * 4096UL, pe = ps + 4096;

			if (start < pe && ps < end && start < end) {
				if (rf == ~0U)
					rf = i;
				rl = i;
			}
		}
		XD_CHECK(ok == (rf != ~0U), "overlap differs from the reference");
		if (ok) {
			XD_STAT(ST_OVERLAP);
			XD_CHECK(first == rf && n == rl - rf + 1,
				 "overlap pages differ from the reference");
			XD_CHECK(n >= 1 && first < pages && first + n <= pages,
				 "overlap outside the mapping");
		}
	}
}

static void fuzz_copy(struct xd_in *in)
{
	/* struct gntdev_grant_copy_segment: u16 offsets, u16 len, u16 flags */
	unsigned int flags = xd_u16(in), soff = xd_u16(in), doff = xd_u16(in);
	unsigned int len = xd_u16(in), done = 0, ops = 0;
	unsigned long src = xd_u64(in), dst = xd_u64(in);
	bool src_local = !(flags & XD_GNTDEV_COPY_SOURCE_GREF);
	bool dst_local = !(flags & XD_GNTDEV_COPY_DEST_GREF);
	bool ok, ref;

	if (xd_u8(in) & 1) {
		soff %= 4097;
		doff %= 4097;
		len %= 4097;
		flags &= 3;
	}
	ok = xd_gntdev_copy_seg_ok(flags, soff, doff, len, 4096);
	ref = (!src_local || !dst_local) &&
	      (src_local || (unsigned long long)soff + len <= 4096) &&
	      (dst_local || (unsigned long long)doff + len <= 4096);
	XD_CHECK(ok == ref, "copy segment check differs from the reference");
	if (!ok) {
		XD_STAT(ST_COPY_BAD);
		return;
	}
	XD_STAT(ST_COPY_OK);
	/* gntdev.c's loop (xd_gntdev_copy_segment()) */
	while (done < len) {
		unsigned long s = src + done, d = dst + done;
		unsigned int c = xd_gntdev_copy_chunk(len - done, src_local, s,
						      dst_local, d, 4096);

		XD_CHECK(c > 0 && c <= len - done, "chunk length");
		XD_CHECK(c <= 0xffff, "chunk does not fit gnttab_copy.len");
		if (src_local)
			XD_CHECK((s & 4095) + c <= 4096, "chunk crosses a local source page");
		else
			XD_CHECK(soff + done + c <= 4096, "chunk leaves the source grant");
		if (dst_local)
			XD_CHECK((d & 4095) + c <= 4096, "chunk crosses a local destination page");
		else
			XD_CHECK(doff + done + c <= 4096, "chunk leaves the destination grant");
		done += c;
		ops++;
		XD_CHECK(ops <= 2 + 2 * (len / 4096 + 1), "too many chunks");
	}
	XD_CHECK(done == len, "chunks do not add up to the segment");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xd_in in;

	xd_in_init(&in, data, size);
	switch (xd_u8(&in) % 4) {
	case 0:
	case 1:
		fuzz_file(&in);
		break;
	case 2:
		fuzz_arith(&in);
		break;
	default:
		fuzz_copy(&in);
		break;
	}
	return 0;
}
