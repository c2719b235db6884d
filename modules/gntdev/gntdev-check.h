/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * gntdev-check.h - the decisions xen-gntdev takes on user input, as pure
 * functions: grant counts, offset allocation, mmap and unmap matching,
 * unmap-notify validation, invalidation ranges and grant-copy segments.
 *
 * Nothing here touches kernel state, so the same file compiles in user
 * space (tests/unit/gntdev-check.c).  It uses only plain C types and
 * includes nothing: the includer provides bool (the kernel's
 * <linux/types.h>, or <stdbool.h>).
 */
#ifndef XD_GNTDEV_CHECK_H
#define XD_GNTDEV_CHECK_H

/* Values of include/uapi/xen/gntdev.h and xen/interface/grant_table.h. */
#define XD_GNTDEV_NOTIFY_CLEAR_BYTE	0x1U
#define XD_GNTDEV_NOTIFY_SEND_EVENT	0x2U
#define XD_GNTDEV_COPY_SOURCE_GREF	0x1U
#define XD_GNTDEV_COPY_DEST_GREF	0x2U

/**
 * xd_gntdev_count_ok() - may one MAP_GRANT_REF request map @count grants?
 * @count: grants in the request
 * @limit: the module parameter "limit"
 *
 * The in-tree rule: at least one grant and at most @limit per request.
 */
static inline bool xd_gntdev_count_ok(unsigned int count, unsigned int limit)
{
	return count != 0 && count <= limit;
}

/**
 * xd_gntdev_fits_before() - first-fit placement of a new grant range
 * @cand: candidate first page index of the new range
 * @count: pages of the new range
 * @next: first page index of the next existing range (ranges are kept
 *	sorted by index)
 *
 * Offsets are handed out exactly as the in-tree driver does, so that the
 * same sequence of requests yields the same offsets: the new range goes
 * before @next only if it ends strictly before it.  Otherwise the caller
 * moves @cand past the existing range and tries the following one.
 * (Written so that it cannot wrap around.)
 */
static inline bool xd_gntdev_fits_before(unsigned long long cand,
					 unsigned int count,
					 unsigned long long next)
{
	return cand < next && next - cand > count;
}

/**
 * xd_gntdev_range_matches() - does a request name the range [@index, +@count)?
 * @index: first page index of an existing range
 * @count: its pages
 * @want_index: page index given by user space
 * @want_count: pages given by user space; 0 matches any count if
 *	@any_count (UNMAP_GRANT_REF), never otherwise (mmap)
 * @any_count: see @want_count
 */
static inline bool xd_gntdev_range_matches(unsigned long long index,
					   unsigned int count,
					   unsigned long long want_index,
					   unsigned long long want_count,
					   bool any_count)
{
	if (index != want_index)
		return false;
	if (any_count && want_count == 0)
		return true;
	return want_count == count;
}

/**
 * xd_gntdev_notify_action_ok() - are the SET_UNMAP_NOTIFY action bits valid?
 * @action: the action field given by user space
 */
static inline bool xd_gntdev_notify_action_ok(unsigned int action)
{
	return !(action & ~(XD_GNTDEV_NOTIFY_CLEAR_BYTE |
			    XD_GNTDEV_NOTIFY_SEND_EVENT));
}

/**
 * xd_gntdev_offset_in_range() - locate a byte offset of the device file
 * @index: first page index of a range
 * @count: pages of the range
 * @page_shift: log2 of the page size
 * @offset: byte offset given by user space (SET_UNMAP_NOTIFY's index)
 * @rel: set to @offset relative to the start of the range
 *
 * Return: true if @offset lies inside the range.
 */
static inline bool xd_gntdev_offset_in_range(unsigned long long index,
					     unsigned int count,
					     unsigned int page_shift,
					     unsigned long long offset,
					     unsigned long long *rel)
{
	unsigned long long begin = index << page_shift;
	unsigned long long end = (index + count) << page_shift;

	if (offset < begin || offset >= end)
		return false;
	*rel = offset - begin;
	return true;
}

/**
 * xd_gntdev_overlap() - pages of a mapping touched by an invalidated range
 * @map_start: user address the mapping was created at
 * @map_pages: pages of the mapping
 * @page_shift: log2 of the page size
 * @start: first address of the invalidated range
 * @end: address just past the invalidated range
 * @first: set to the first page of the mapping in the range
 * @n: set to the number of pages of the mapping in the range
 *
 * Return: false if the range does not touch the mapping.
 */
static inline bool xd_gntdev_overlap(unsigned long map_start,
				     unsigned int map_pages,
				     unsigned int page_shift,
				     unsigned long start, unsigned long end,
				     unsigned int *first, unsigned int *n)
{
	unsigned long map_end = map_start +
				((unsigned long)map_pages << page_shift);
	unsigned long s, e;

	if (start >= map_end || end <= map_start || start >= end)
		return false;
	s = start > map_start ? start : map_start;
	e = end < map_end ? end : map_end;
	/* Partial pages at either end count as touched. */
	*first = (s - map_start) >> page_shift;
	*n = ((e - map_start + (1UL << page_shift) - 1) >> page_shift) - *first;
	return true;
}

/**
 * xd_gntdev_copy_seg_ok() - may a GRANT_COPY segment be executed?
 * @flags: GNTCOPY_source_gref and/or GNTCOPY_dest_gref
 * @src_off: offset into the source grant (if a grant)
 * @dst_off: offset into the destination grant (if a grant)
 * @len: bytes to copy
 * @page_size: size of a grant page
 *
 * At least one side must be a grant (no local-to-local copies), and a
 * grant side must not cross the end of its page.  A bad segment makes
 * the whole ioctl fail with -EINVAL, as in-tree.
 */
static inline bool xd_gntdev_copy_seg_ok(unsigned int flags,
					 unsigned int src_off,
					 unsigned int dst_off,
					 unsigned int len,
					 unsigned int page_size)
{
	if (!(flags & (XD_GNTDEV_COPY_SOURCE_GREF | XD_GNTDEV_COPY_DEST_GREF)))
		return false;
	if ((flags & XD_GNTDEV_COPY_SOURCE_GREF) && src_off + len > page_size)
		return false;
	if ((flags & XD_GNTDEV_COPY_DEST_GREF) && dst_off + len > page_size)
		return false;
	return true;
}

/**
 * xd_gntdev_copy_chunk() - length of the next hypervisor copy op of a segment
 * @remaining: bytes of the segment still to copy
 * @src_local: the source is local memory at @src_addr
 * @src_addr: current source address (if local)
 * @dst_local: the destination is local memory at @dst_addr
 * @dst_addr: current destination address (if local)
 * @page_size: size of a page
 *
 * A local side is pinned one page at a time, so an op never crosses a page
 * boundary of local memory.
 */
static inline unsigned int xd_gntdev_copy_chunk(unsigned int remaining,
						bool src_local,
						unsigned long src_addr,
						bool dst_local,
						unsigned long dst_addr,
						unsigned int page_size)
{
	unsigned int len = remaining;
	unsigned int room;

	if (src_local) {
		room = page_size - (src_addr & (page_size - 1));
		if (room < len)
			len = room;
	}
	if (dst_local) {
		room = page_size - (dst_addr & (page_size - 1));
		if (room < len)
			len = room;
	}
	return len;
}

#endif /* XD_GNTDEV_CHECK_H */
