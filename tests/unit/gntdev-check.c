// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit test of modules/gntdev/gntdev-check.h, the decisions xen-gntdev
 * takes on user input, compiled in user space.  Prints PASS/FAIL lines.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "../../modules/gntdev/gntdev-check.h"

#define PAGE_SHIFT 12
#define PG 4096U

static int nfail;

static void check(const char *name, bool ok)
{
	if (ok) {
		printf("PASS %s\n", name);
	} else {
		printf("FAIL %s: wrong answer (see tests/unit/gntdev-check.c)\n", name);
		nfail++;
	}
}

/* In-tree first fit over a sorted list of (index, count), as the driver does. */
struct range { unsigned long long index; unsigned int count; };

static unsigned long long place(struct range *r, int *n, unsigned int count)
{
	unsigned long long cand = 0;
	int i, at = *n;

	for (i = 0; i < *n; i++) {
		if (xd_gntdev_fits_before(cand, count, r[i].index)) {
			at = i;
			break;
		}
		cand = r[i].index + r[i].count;
	}
	memmove(&r[at + 1], &r[at], (*n - at) * sizeof(*r));
	r[at].index = cand;
	r[at].count = count;
	(*n)++;
	return cand;
}

static void drop(struct range *r, int *n, unsigned long long index)
{
	int i;

	for (i = 0; i < *n; i++)
		if (r[i].index == index) {
			memmove(&r[i], &r[i + 1], (*n - i - 1) * sizeof(*r));
			(*n)--;
			return;
		}
}

int main(void)
{
	struct range r[16];
	unsigned long long rel = 0, a, b, c, d, e;
	unsigned int first = 0, n = 0;
	int nr = 0;

	/* counts */
	check("count/zero", !xd_gntdev_count_ok(0, 65536));
	check("count/one", xd_gntdev_count_ok(1, 65536));
	check("count/at-limit", xd_gntdev_count_ok(65536, 65536));
	check("count/over-limit", !xd_gntdev_count_ok(65537, 65536));
	check("count/max-u32", !xd_gntdev_count_ok(0xffffffffU, 65536));
	check("count/limit-zero", !xd_gntdev_count_ok(1, 0));

	/* first fit: the same offsets as the in-tree driver (gntdev-test "offsets") */
	a = place(r, &nr, 2);
	b = place(r, &nr, 3);
	drop(r, &nr, a);
	c = place(r, &nr, 1);
	d = place(r, &nr, 1);
	drop(r, &nr, b);
	e = place(r, &nr, 3);
	check("first-fit/sequence", a == 0 && b == 2 && c == 0 && d == 5 && e == 1);
	check("first-fit/exact-gap-unused", !xd_gntdev_fits_before(0, 2, 2));
	check("first-fit/no-wrap", !xd_gntdev_fits_before(~0ULL - 1, 2, 5));

	/* matching of mmap and unmap requests */
	check("match/exact", xd_gntdev_range_matches(5, 3, 5, 3, false));
	check("match/count-differs", !xd_gntdev_range_matches(5, 3, 5, 2, false));
	check("match/mmap-count-zero", !xd_gntdev_range_matches(5, 3, 5, 0, false));
	check("match/unmap-any-count", xd_gntdev_range_matches(5, 3, 5, 0, true));
	check("match/unmap-wrong-count", !xd_gntdev_range_matches(5, 3, 5, 4, true));
	check("match/index-differs", !xd_gntdev_range_matches(5, 3, 6, 3, true));

	/* unmap notify */
	check("notify/actions", xd_gntdev_notify_action_ok(0) && xd_gntdev_notify_action_ok(1) &&
	      xd_gntdev_notify_action_ok(2) && xd_gntdev_notify_action_ok(3));
	check("notify/bad-action", !xd_gntdev_notify_action_ok(4) &&
	      !xd_gntdev_notify_action_ok(0x80000001U));
	check("notify/offset-first-byte", xd_gntdev_offset_in_range(2, 3, PAGE_SHIFT, 2 * PG, &rel) &&
	      rel == 0);
	check("notify/offset-last-byte", xd_gntdev_offset_in_range(2, 3, PAGE_SHIFT, 5 * PG - 1, &rel) &&
	      rel == 3 * PG - 1);
	check("notify/offset-past-end", !xd_gntdev_offset_in_range(2, 3, PAGE_SHIFT, 5 * PG, &rel));
	check("notify/offset-before", !xd_gntdev_offset_in_range(2, 3, PAGE_SHIFT, 2 * PG - 1, &rel));
	check("notify/offset-huge", !xd_gntdev_offset_in_range(2, 3, PAGE_SHIFT, ~0ULL, &rel));

	/* invalidation ranges */
	check("overlap/whole", xd_gntdev_overlap(0x10000, 4, PAGE_SHIFT, 0, ~0UL, &first, &n) &&
	      first == 0 && n == 4);
	check("overlap/middle", xd_gntdev_overlap(0x10000, 4, PAGE_SHIFT, 0x11000, 0x13000, &first, &n) &&
	      first == 1 && n == 2);
	check("overlap/tail", xd_gntdev_overlap(0x10000, 4, PAGE_SHIFT, 0x13000, 0x20000, &first, &n) &&
	      first == 3 && n == 1);
	check("overlap/partial-page", xd_gntdev_overlap(0x10000, 4, PAGE_SHIFT, 0x11800, 0x11900, &first, &n) &&
	      first == 1 && n == 1);
	check("overlap/before", !xd_gntdev_overlap(0x10000, 4, PAGE_SHIFT, 0x0, 0x10000, &first, &n));
	check("overlap/after", !xd_gntdev_overlap(0x10000, 4, PAGE_SHIFT, 0x14000, 0x15000, &first, &n));
	check("overlap/empty", !xd_gntdev_overlap(0x10000, 4, PAGE_SHIFT, 0x11000, 0x11000, &first, &n));

	/* grant copy segments */
	check("copy/local-to-local", !xd_gntdev_copy_seg_ok(0, 0, 0, 10, PG));
	check("copy/from-grant", xd_gntdev_copy_seg_ok(1, 0, 0, PG, PG));
	check("copy/to-grant", xd_gntdev_copy_seg_ok(2, 0, PG - 1, 1, PG));
	check("copy/source-crosses", !xd_gntdev_copy_seg_ok(1, PG - 10, 0, 11, PG));
	check("copy/dest-crosses", !xd_gntdev_copy_seg_ok(3, 0, 0xffff, 0xffff, PG));
	check("copy/local-offset-ignored", xd_gntdev_copy_seg_ok(1, 0, 0xffff, 100, PG));
	check("copy/zero-length", xd_gntdev_copy_seg_ok(3, PG, PG, 0, PG));
	check("copy/chunk-grant-only", xd_gntdev_copy_chunk(100, false, 0, false, 0, PG) == 100);
	check("copy/chunk-local-src", xd_gntdev_copy_chunk(4096, true, 0x1f00, false, 0, PG) == 0x100);
	check("copy/chunk-local-dst", xd_gntdev_copy_chunk(50, false, 0, true, 0x1ff0, PG) == 16);
	check("copy/chunk-aligned", xd_gntdev_copy_chunk(4096, true, 0x2000, false, 0, PG) == 4096);
	return nfail != 0;
}
