// SPDX-License-Identifier: GPL-2.0-only
/*
 * xen-gntdev: /dev/xen/gntdev, grants of other domains mapped into user
 * space, and grant copies on behalf of user space.
 *
 * A process describes a set of grants with MAP_GRANT_REF and gets an
 * offset into the device file; mmap() of that offset maps the grants.  On
 * a PV Dom0 Xen writes the grant mappings straight into the process's page
 * table entries (GNTMAP_contains_pte) next to a kernel mapping of the same
 * frames; an mmu interval notifier tears the user entries down before the
 * kernel zaps or moves the range, so no grant PTE outlives its VMA.  On an
 * auto-translated Dom0 (PVH) the grants are mapped at the kernel address of
 * pages from gnttab_alloc_pages() and those pages are inserted in the VMA.
 *
 * The ABI (ioctl numbers, argument layouts, offsets, errnos) is the one of
 * include/uapi/xen/gntdev.h as the in-tree driver of the same kernel
 * implements it; see README.md for the details and the deliberate
 * differences.
 *
 * Locking (see also the kernel-doc of the structures):
 *   mmap_lock -> file->lock -> map->lock
 * No lock of this driver is held across a user-space copy, so a fault
 * (which takes mmap_lock) can never wait on one of them; and nothing that
 * can allocate memory runs under map->lock, which the mmu notifier takes.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/mmu_notifier.h>
#include <linux/mutex.h>
#include <linux/list.h>
#include <linux/refcount.h>
#include <linux/sched.h>
#include <linux/uaccess.h>
#include <linux/bitmap.h>

#include <xen/xen.h>
#include <xen/features.h>
#include <xen/grant_table.h>
#include <xen/events.h>
#include <xen/page.h>
#include <xen/gntdev.h>
#include <asm/xen/hypervisor.h>
#include <asm/xen/hypercall.h>
#include <asm/xen/page.h>

#include "xd_compat.h"
#include "xd_variant.h"
#include "gntdev-check.h"

#define XD_GNTDEV_VERSION "1.0.0"

/* Hypervisor copy ops issued per GNTTABOP_copy batch. */
#define XD_GNTDEV_COPY_BATCH 32

static unsigned int xd_gntdev_limit = 64 * 1024;
module_param_named(limit, xd_gntdev_limit, uint, 0644);
MODULE_PARM_DESC(limit,
		 "Maximum number of grants that may be mapped by one mapping request");

/* PV: grants go into the user page tables; else auto-translated. */
static bool xd_gntdev_pv;

/**
 * struct xd_gntdev_map - one MAP_GRANT_REF range and its mapping
 * @node: entry in the owning file's @maps, sorted by @index; the list
 *	holds a reference
 * @users: references: the file's list, each VMA, an mmap in progress
 * @index: first page offset of the range in the device file
 * @count: number of grants
 * @mmapped: the range was handed to mmap() once; it never is again
 * @readonly: mapped without write access (GNTMAP_readonly)
 * @lock: serialises unmapping (notifier, mmap error path, teardown) and
 *	protects @notify; never held while allocating memory
 * @notifier: PV: invalidations of the user range unmap the user PTEs
 * @notifier_on: @notifier is registered
 * @vm_start: user address the range was mmap()ed at
 * @grants: the grant references and domains, copied from user space
 * @map_ops: PV: user PTE mappings; else the kernel mappings
 * @unmap_ops: the matching unmap ops (handle INVALID if not mapped)
 * @kmap_ops: PV: kernel mappings of the same frames
 * @kunmap_ops: PV: the matching unmap ops
 * @user_live: PV: bitmap of pages whose user PTE maps a grant
 * @pages: pages (ballooned/unpopulated) the grants are mapped over
 * @notify: the unmap notification: @notify.action (UNMAP_NOTIFY_*),
 *	@notify.offset (byte offset into the range), @notify.port
 * @leak: an unmap failed: the pages must never return to the allocator
 * @unmap_data: the final asynchronous unmap of the kernel mappings
 */
struct xd_gntdev_map {
	struct list_head node;
	refcount_t users;
	u64 index;
	unsigned int count;
	bool mmapped;
	bool readonly;

	struct mutex lock;		/* unmapping, notify */
	struct mmu_interval_notifier notifier;
	bool notifier_on;
	unsigned long vm_start;

	struct ioctl_gntdev_grant_ref *grants;
	struct gnttab_map_grant_ref *map_ops;
	struct gnttab_unmap_grant_ref *unmap_ops;
	struct gnttab_map_grant_ref *kmap_ops;
	struct gnttab_unmap_grant_ref *kunmap_ops;
	unsigned long *user_live;
	struct page **pages;

	struct {
		unsigned int action;
		u64 offset;
		evtchn_port_t port;
	} notify;
	bool leak;
	struct gntab_unmap_queue_data unmap_data;
};

/**
 * struct xd_gntdev_file - state of one open /dev/xen/gntdev
 * @lock: protects @maps; never held across a user copy (the in-tree
 *	driver's lockdep-reported deadlock against mmap)
 * @maps: the file's ranges, sorted by index
 */
struct xd_gntdev_file {
	struct mutex lock;		/* maps */
	struct list_head maps;
};

static const struct vm_operations_struct xd_gntdev_vmops;

/* ------------------------------------------------------------------ maps */

static void xd_gntdev_free_arrays(struct xd_gntdev_map *map)
{
	kvfree(map->grants);
	kvfree(map->map_ops);
	kvfree(map->unmap_ops);
	kvfree(map->kmap_ops);
	kvfree(map->kunmap_ops);
	kvfree(map->user_live);
	kvfree(map->pages);
	kfree(map);
}

static struct xd_gntdev_map *xd_gntdev_alloc_map(unsigned int count)
{
	struct xd_gntdev_map *map;
	unsigned int i;

	map = kzalloc(sizeof(*map), GFP_KERNEL);
	if (!map)
		return NULL;
	map->count = count;
	refcount_set(&map->users, 1);
	mutex_init(&map->lock);
	INIT_LIST_HEAD(&map->node);

	map->grants = kvmalloc_array(count, sizeof(*map->grants), GFP_KERNEL);
	map->map_ops = kvmalloc_array(count, sizeof(*map->map_ops), GFP_KERNEL);
	map->unmap_ops = kvmalloc_array(count, sizeof(*map->unmap_ops),
					GFP_KERNEL);
	map->pages = kvcalloc(count, sizeof(*map->pages), GFP_KERNEL);
	if (!map->grants || !map->map_ops || !map->unmap_ops || !map->pages)
		goto fail;
	if (xd_gntdev_pv) {
		map->kmap_ops = kvmalloc_array(count, sizeof(*map->kmap_ops),
					       GFP_KERNEL);
		map->kunmap_ops = kvmalloc_array(count,
						 sizeof(*map->kunmap_ops),
						 GFP_KERNEL);
		map->user_live = kvcalloc(BITS_TO_LONGS(count),
					  sizeof(unsigned long), GFP_KERNEL);
		if (!map->kmap_ops || !map->kunmap_ops || !map->user_live)
			goto fail;
	}

	for (i = 0; i < count; i++) {
		map->map_ops[i].handle = INVALID_GRANT_HANDLE;
		map->map_ops[i].status = GNTST_general_error;
		map->unmap_ops[i].handle = INVALID_GRANT_HANDLE;
		if (xd_gntdev_pv) {
			map->kmap_ops[i].handle = INVALID_GRANT_HANDLE;
			map->kmap_ops[i].status = GNTST_general_error;
			map->kunmap_ops[i].handle = INVALID_GRANT_HANDLE;
		}
	}

	if (gnttab_alloc_pages(count, map->pages))
		goto fail;
	return map;

fail:
	xd_gntdev_free_arrays(map);
	return NULL;
}

/* The kernel-side unmap ops: the only mappings on auto-translated. */
static struct gnttab_unmap_grant_ref *
xd_gntdev_kernel_unmap_ops(struct xd_gntdev_map *map)
{
	return xd_gntdev_pv ? map->kunmap_ops : map->unmap_ops;
}

/*
 * Clear the notify byte if its page is among [@first, @first + @n) and its
 * kernel mapping is still there.  A read-only mapping cannot be written,
 * and SET_UNMAP_NOTIFY refuses CLEAR_BYTE on it once mapped; a request made
 * before mmap() that then mapped read-only is dropped here.
 * Called with map->lock held.
 */
static void xd_gntdev_clear_byte(struct xd_gntdev_map *map,
				 unsigned int first, unsigned int n)
{
	u64 pg = map->notify.offset >> PAGE_SHIFT;
	u8 *va;

	if (!(map->notify.action & UNMAP_NOTIFY_CLEAR_BYTE))
		return;
	if (pg < first || pg >= (u64)first + n)
		return;
	map->notify.action &= ~UNMAP_NOTIFY_CLEAR_BYTE;
	if (map->readonly ||
	    xd_gntdev_kernel_unmap_ops(map)[pg].handle == INVALID_GRANT_HANDLE)
		return;
	va = page_address(map->pages[pg]);
	WRITE_ONCE(va[map->notify.offset & ~PAGE_MASK], 0);
}

/**
 * xd_gntdev_unmap_user() - unmap the grant PTEs of pages [@first, +@n) (PV)
 * @map: the range
 * @first: first page
 * @n: number of pages
 *
 * Must run while the page tables of the range still exist: from the mmu
 * notifier before the kernel zaps or moves the range, or from mmap() under
 * mmap_lock.  The kernel mappings stay until the final teardown, so that a
 * page still referenced elsewhere in the kernel keeps a valid mapping.
 * Called with map->lock held; allocates nothing.
 */
static void xd_gntdev_unmap_user(struct xd_gntdev_map *map,
				 unsigned int first, unsigned int n)
{
	unsigned int i = first, end = first + n, run, j;
	int rc;

	xd_gntdev_clear_byte(map, first, n);

	while ((i = find_next_bit(map->user_live, end, i)) < end) {
		/*
		 * One hypercall for the whole run of live PTEs (all of them
		 * after a full mmap): Xen flushes the TLBs once per batch, and
		 * preempts a long batch itself (continuation).
		 */
		run = find_next_zero_bit(map->user_live, end, i) - i;
		rc = HYPERVISOR_grant_table_op(GNTTABOP_unmap_grant_ref,
					       &map->unmap_ops[i], run);
		for (j = i; j < i + run; j++) {
			if (rc || map->unmap_ops[j].status != GNTST_okay) {
				pr_warn_ratelimited("unmapping grant %u of range %llu failed: %d/%d\n",
						    j, map->index, rc,
						    map->unmap_ops[j].status);
				map->leak = true;
			}
			map->unmap_ops[j].handle = INVALID_GRANT_HANDLE;
			clear_bit(j, map->user_live);
		}
		i += run;
	}
}

static void xd_gntdev_free_map(struct xd_gntdev_map *map)
{
	if (map->leak)
		pr_err("range %llu: %u pages kept out of use after failed unmaps\n",
		       map->index, map->count);
	else
		gnttab_free_pages(map->count, map->pages);

	if (map->notify.action & UNMAP_NOTIFY_SEND_EVENT) {
		notify_remote_via_evtchn(map->notify.port);
		evtchn_put(map->notify.port);
	}
	xd_gntdev_free_arrays(map);
}

static void xd_gntdev_unmap_done(int result, struct gntab_unmap_queue_data *data)
{
	struct xd_gntdev_map *map = data->data;
	struct gnttab_unmap_grant_ref *ops = data->unmap_ops;
	unsigned int i;

	for (i = 0; i < data->count; i++) {
		if (ops[i].handle == INVALID_GRANT_HANDLE)
			continue;
		if (ops[i].status != GNTST_okay) {
			pr_warn_ratelimited("kernel unmap of grant %u of range %llu failed: %d\n",
					    i, map->index, ops[i].status);
			map->leak = true;
		}
		ops[i].handle = INVALID_GRANT_HANDLE;
	}
	xd_gntdev_free_map(map);
}

/*
 * Last reference gone: nothing maps the range in user space any more (every
 * VMA is closed).  Unmap the kernel mappings, asynchronously: the grant
 * table code waits until no one else holds the pages, then frees the map.
 */
static void xd_gntdev_teardown(struct xd_gntdev_map *map)
{
	struct gnttab_unmap_grant_ref *kops = xd_gntdev_kernel_unmap_ops(map);
	unsigned int i;
	bool live = false;

	if (map->notifier_on)
		mmu_interval_notifier_remove(&map->notifier);

	mutex_lock(&map->lock);
	if (xd_gntdev_pv && !bitmap_empty(map->user_live, map->count)) {
		/* Cannot happen: every user PTE goes with its VMA. */
		WARN_ONCE(1, "grant PTEs left behind their VMA\n");
		map->leak = true;
	}
	xd_gntdev_clear_byte(map, 0, map->count);
	mutex_unlock(&map->lock);

	for (i = 0; i < map->count && !live; i++)
		live = kops[i].handle != INVALID_GRANT_HANDLE;
	if (!live) {
		xd_gntdev_free_map(map);
		return;
	}

	/*
	 * On PV the kernel mappings are host mappings of their own, unmapped
	 * like a backend's (no separate kunmap list); the p2m entries of the
	 * pages are restored with them.
	 */
	map->unmap_data.unmap_ops = kops;
	map->unmap_data.kunmap_ops = NULL;
	map->unmap_data.pages = map->pages;
	map->unmap_data.count = map->count;
	map->unmap_data.done = xd_gntdev_unmap_done;
	map->unmap_data.data = map;
	gnttab_unmap_refs_async(&map->unmap_data);
}

static void xd_gntdev_put_map(struct xd_gntdev_map *map)
{
	if (refcount_dec_and_test(&map->users))
		xd_gntdev_teardown(map);
}

/* ------------------------------------------------------------- notifier */

static bool xd_gntdev_invalidate(struct mmu_interval_notifier *mn,
				 const struct mmu_notifier_range *range,
				 unsigned long cur_seq)
{
	struct xd_gntdev_map *map =
		container_of(mn, struct xd_gntdev_map, notifier);
	unsigned int first, n;

	if (!mmu_notifier_range_blockable(range))
		return false;

	mutex_lock(&map->lock);
	mmu_interval_set_seq(mn, cur_seq);
	if (xd_gntdev_overlap(map->vm_start, map->count, PAGE_SHIFT,
			      range->start, range->end, &first, &n))
		xd_gntdev_unmap_user(map, first, n);
	mutex_unlock(&map->lock);
	return true;
}

static const struct mmu_interval_notifier_ops xd_gntdev_mn_ops = {
	.invalidate = xd_gntdev_invalidate,
};

/* ----------------------------------------------------------------- VMAs */

static void xd_gntdev_vma_open(struct vm_area_struct *vma)
{
	struct xd_gntdev_map *map = vma->vm_private_data;

	refcount_inc(&map->users);
}

static void xd_gntdev_vma_close(struct vm_area_struct *vma)
{
	struct xd_gntdev_map *map = vma->vm_private_data;

	vma->vm_private_data = NULL;
	xd_gntdev_put_map(map);
}

/* get_user_pages() on a grant PTE (PV): the page the grant is mapped over. */
static struct page * __maybe_unused
xd_gntdev_vma_find_page(struct vm_area_struct *vma, unsigned long addr)
{
	struct xd_gntdev_map *map = vma->vm_private_data;
	unsigned long i;

	if (!map || addr < map->vm_start)
		return NULL;
	i = (addr - map->vm_start) >> PAGE_SHIFT;
	return i < map->count ? map->pages[i] : NULL;
}

static const struct vm_operations_struct xd_gntdev_vmops = {
	.open = xd_gntdev_vma_open,
	.close = xd_gntdev_vma_close,
	XD_GNTDEV_VM_FIND_PAGE(xd_gntdev_vma_find_page)
};

/* apply_to_page_range() callback: point map op @i at the user PTE. */
static int xd_gntdev_set_pte_op(pte_t *pte, unsigned long addr, void *data)
{
	struct xd_gntdev_map *map = data;
	unsigned long i = (addr - map->vm_start) >> PAGE_SHIFT;
	u32 flags = GNTMAP_host_map | GNTMAP_application_map |
		    GNTMAP_contains_pte | (1 << _GNTMAP_guest_avail0);
	u64 maddr;

	if (WARN_ON_ONCE(i >= map->count))
		return -EINVAL;
	if (map->readonly)
		flags |= GNTMAP_readonly;
	maddr = arbitrary_virt_to_machine(pte).maddr;
	gnttab_set_map_op(&map->map_ops[i], maddr, flags, map->grants[i].ref,
			  map->grants[i].domid);
	gnttab_set_unmap_op(&map->unmap_ops[i], maddr, flags,
			    INVALID_GRANT_HANDLE);
	return 0;
}

/* Set up the kernel-address map ops: the PV kmap ops or the PVH map ops. */
static void xd_gntdev_set_kernel_ops(struct xd_gntdev_map *map)
{
	struct gnttab_map_grant_ref *mops;
	struct gnttab_unmap_grant_ref *uops;
	u32 flags = GNTMAP_host_map;
	unsigned int i;

	mops = xd_gntdev_pv ? map->kmap_ops : map->map_ops;
	uops = xd_gntdev_kernel_unmap_ops(map);
	if (map->readonly)
		flags |= GNTMAP_readonly;
	for (i = 0; i < map->count; i++) {
		unsigned long addr = (unsigned long)page_address(map->pages[i]);

		gnttab_set_map_op(&mops[i], addr, flags, map->grants[i].ref,
				  map->grants[i].domid);
		gnttab_set_unmap_op(&uops[i], addr, flags,
				    INVALID_GRANT_HANDLE);
	}
}

/*
 * Map every grant of @map for the VMA being created.  Each entry of the
 * batch is checked; if any failed, every entry that succeeded in user
 * space is unmapped again at once (the kernel side goes with the range).
 */
static int xd_gntdev_map_grants(struct xd_gntdev_map *map,
				struct vm_area_struct *vma)
{
	unsigned long seq = 0;
	unsigned int i;
	int rc;

	if (xd_gntdev_pv) {
		seq = mmu_interval_read_begin(&map->notifier);
		rc = apply_to_page_range(vma->vm_mm, vma->vm_start,
					 vma->vm_end - vma->vm_start,
					 xd_gntdev_set_pte_op, map);
		if (rc)
			return rc;
	}
	xd_gntdev_set_kernel_ops(map);

	rc = gnttab_map_refs(map->map_ops, map->kmap_ops, map->pages,
			     map->count);

	mutex_lock(&map->lock);
	for (i = 0; i < map->count; i++) {
		if (map->map_ops[i].status == GNTST_okay) {
			map->unmap_ops[i].handle = map->map_ops[i].handle;
			if (xd_gntdev_pv)
				set_bit(i, map->user_live);
		} else if (!rc) {
			rc = -EINVAL;
		}
		if (!xd_gntdev_pv)
			continue;
		if (map->kmap_ops[i].status == GNTST_okay)
			map->kunmap_ops[i].handle = map->kmap_ops[i].handle;
		else if (!rc)
			rc = -EINVAL;
	}
	/* Nothing may have invalidated the range under mmap_lock; be sure. */
	if (!rc && xd_gntdev_pv && mmu_interval_read_retry(&map->notifier, seq))
		rc = -EAGAIN;
	if (rc && xd_gntdev_pv)
		xd_gntdev_unmap_user(map, 0, map->count);
	mutex_unlock(&map->lock);
	return rc;
}

/* ------------------------------------------------------------- file ops */

static struct xd_gntdev_map *xd_gntdev_find(struct xd_gntdev_file *f,
					    u64 index, u64 count,
					    bool any_count)
{
	struct xd_gntdev_map *map;

	list_for_each_entry(map, &f->maps, node)
		if (xd_gntdev_range_matches(map->index, map->count, index,
					    count, any_count))
			return map;
	return NULL;
}

static int xd_gntdev_mmap(struct file *filp, struct vm_area_struct *vma)
{
	struct xd_gntdev_file *f = filp->private_data;
	struct xd_gntdev_map *map;
	int rc;

	if ((vma->vm_flags & VM_WRITE) && !(vma->vm_flags & VM_SHARED))
		return -EINVAL;
	/* A private mapping of granted frames never becomes writable. */
	if (!(vma->vm_flags & VM_SHARED))
		xd_vm_flags_clear(vma, VM_MAYWRITE);

	mutex_lock(&f->lock);
	map = xd_gntdev_find(f, vma->vm_pgoff, vma_pages(vma), false);
	if (!map || map->mmapped) {
		mutex_unlock(&f->lock);
		return -EINVAL;
	}
	map->mmapped = true;
	refcount_inc(&map->users);
	map->readonly = !(vma->vm_flags & VM_WRITE);
	map->vm_start = vma->vm_start;
	if (xd_gntdev_pv) {
		rc = mmu_interval_notifier_insert_locked(&map->notifier,
							 vma->vm_mm,
							 vma->vm_start,
							 vma->vm_end - vma->vm_start,
							 &xd_gntdev_mn_ops);
		if (rc) {
			mutex_unlock(&f->lock);
			goto out_put;
		}
		map->notifier_on = true;
	}
	mutex_unlock(&f->lock);

	vma->vm_ops = &xd_gntdev_vmops;
	vma->vm_private_data = map;
	xd_vm_flags_set(vma, VM_DONTEXPAND | VM_DONTDUMP | VM_MIXEDMAP);
	/* Grant PTEs cannot be copied into a child's page tables. */
	if (xd_gntdev_pv)
		xd_vm_flags_set(vma, VM_DONTCOPY);

	rc = xd_gntdev_map_grants(map, vma);
	if (rc)
		goto out_put;
	if (!xd_gntdev_pv) {
		rc = vm_map_pages_zero(vma, map->pages, map->count);
		if (rc)
			goto out_put;
	}
	return 0;

out_put:
	/* A failed mmap() never calls ->close: drop its reference here. */
	vma->vm_private_data = NULL;
	xd_gntdev_put_map(map);
	return rc;
}

static long xd_gntdev_ioctl_map(struct xd_gntdev_file *f,
				struct ioctl_gntdev_map_grant_ref __user *u)
{
	struct ioctl_gntdev_map_grant_ref op;
	struct xd_gntdev_map *map, *pos;
	struct list_head *before;
	u64 index = 0;

	if (copy_from_user(&op, u, sizeof(op)))
		return -EFAULT;
	if (!xd_gntdev_count_ok(op.count, READ_ONCE(xd_gntdev_limit)))
		return -EINVAL;

	map = xd_gntdev_alloc_map(op.count);
	if (!map)
		return -ENOMEM;
	if (copy_from_user(map->grants, u->refs,
			   sizeof(map->grants[0]) * op.count)) {
		xd_gntdev_put_map(map);
		return -EFAULT;
	}

	/* First fit, the in-tree way, so offsets are the same. */
	mutex_lock(&f->lock);
	before = &f->maps;
	list_for_each_entry(pos, &f->maps, node) {
		if (xd_gntdev_fits_before(index, op.count, pos->index)) {
			before = &pos->node;
			break;
		}
		index = pos->index + pos->count;
	}
	map->index = index;
	list_add_tail(&map->node, before);
	mutex_unlock(&f->lock);

	/* Outside the lock: the copy may fault, and a fault takes mmap_lock. */
	op.index = index << PAGE_SHIFT;
	if (copy_to_user(u, &op, sizeof(op))) {
		/* Undo as UNMAP_GRANT_REF would (unless it already did). */
		mutex_lock(&f->lock);
		if (!list_empty(&map->node)) {
			list_del_init(&map->node);
			mutex_unlock(&f->lock);
			xd_gntdev_put_map(map);
		} else {
			mutex_unlock(&f->lock);
		}
		return -EFAULT;
	}
	return 0;
}

static long xd_gntdev_ioctl_unmap(struct xd_gntdev_file *f,
				  struct ioctl_gntdev_unmap_grant_ref __user *u)
{
	struct ioctl_gntdev_unmap_grant_ref op;
	struct xd_gntdev_map *map;

	if (copy_from_user(&op, u, sizeof(op)))
		return -EFAULT;

	mutex_lock(&f->lock);
	map = xd_gntdev_find(f, op.index >> PAGE_SHIFT, op.count, true);
	if (map)
		list_del_init(&map->node);
	mutex_unlock(&f->lock);
	if (!map)
		return -ENOENT;
	xd_gntdev_put_map(map);
	return 0;
}

static long
xd_gntdev_ioctl_offset(struct ioctl_gntdev_get_offset_for_vaddr __user *u)
{
	struct ioctl_gntdev_get_offset_for_vaddr op;
	struct vm_area_struct *vma;
	struct xd_gntdev_map *map;
	long rc = -EINVAL;

	if (copy_from_user(&op, u, sizeof(op)))
		return -EFAULT;

	/* in-tree: the first VMA ending above vaddr (find_vma()) */
	mmap_read_lock(current->mm);
	vma = find_vma(current->mm, op.vaddr);
	if (vma && vma->vm_ops == &xd_gntdev_vmops) {
		map = vma->vm_private_data;
		if (map) {
			op.offset = map->index << PAGE_SHIFT;
			op.count = map->count;
			rc = 0;
		}
	}
	mmap_read_unlock(current->mm);

	if (!rc && copy_to_user(u, &op, sizeof(op)))
		return -EFAULT;
	return rc;
}

static long xd_gntdev_ioctl_notify(struct xd_gntdev_file *f,
				   struct ioctl_gntdev_unmap_notify __user *u)
{
	struct ioctl_gntdev_unmap_notify op;
	struct xd_gntdev_map *map;
	unsigned int old_action;
	evtchn_port_t old_port;
	u64 rel = 0;
	long rc;

	if (copy_from_user(&op, u, sizeof(op)))
		return -EFAULT;
	if (!xd_gntdev_notify_action_ok(op.action))
		return -EINVAL;
	/*
	 * Hold the new port before dropping any old one: a request may keep
	 * the same port while changing the byte, and the map's reference may
	 * be the last one.
	 */
	if ((op.action & UNMAP_NOTIFY_SEND_EVENT) &&
	    evtchn_get(op.event_channel_port))
		return -EINVAL;
	old_action = op.action;
	old_port = op.event_channel_port;

	mutex_lock(&f->lock);
	rc = -ENOENT;
	list_for_each_entry(map, &f->maps, node) {
		if (!xd_gntdev_offset_in_range(map->index, map->count,
					       PAGE_SHIFT, op.index, &rel))
			continue;
		mutex_lock(&map->lock);
		if ((op.action & UNMAP_NOTIFY_CLEAR_BYTE) && map->mmapped &&
		    map->readonly) {
			rc = -EINVAL;
		} else {
			old_action = map->notify.action;
			old_port = map->notify.port;
			map->notify.action = op.action;
			map->notify.offset = rel;
			map->notify.port = op.event_channel_port;
			rc = 0;
		}
		mutex_unlock(&map->lock);
		break;
	}
	mutex_unlock(&f->lock);

	/* Drop the reference the map does not keep (the old or the new). */
	if (old_action & UNMAP_NOTIFY_SEND_EVENT)
		evtchn_put(old_port);
	return rc;
}

/* -------------------------------------------------------------- copying */

/**
 * struct xd_gntdev_copy - one GRANT_COPY call in progress
 * @ops: hypervisor copy ops of the current batch
 * @status: for each op, the user status field of its segment
 * @pages: local pages pinned for the current batch
 * @dirty: for each pinned page, whether the copy writes it
 * @nr_ops: ops in the batch
 * @nr_pages: pinned pages
 */
struct xd_gntdev_copy {
	struct gnttab_copy ops[XD_GNTDEV_COPY_BATCH];
	s16 __user *status[XD_GNTDEV_COPY_BATCH];
	struct page *pages[2 * XD_GNTDEV_COPY_BATCH];
	bool dirty[2 * XD_GNTDEV_COPY_BATCH];
	unsigned int nr_ops;
	unsigned int nr_pages;
};

static void xd_gntdev_copy_unpin(struct xd_gntdev_copy *c)
{
	unsigned int i;

	for (i = 0; i < c->nr_pages; i++)
		unpin_user_pages_dirty_lock(&c->pages[i], 1, c->dirty[i]);
	c->nr_pages = 0;
}

/* Run the batch; a failed op sets its segment's status, first error wins. */
static int xd_gntdev_copy_flush(struct xd_gntdev_copy *c)
{
	unsigned int i, n = c->nr_ops;
	int rc = 0;

	if (n)
		gnttab_batch_copy(c->ops, n);
	xd_gntdev_copy_unpin(c);
	c->nr_ops = 0;

	for (i = 0; i < n && !rc; i++) {
		s16 st = c->ops[i].status, old;

		if (st == GNTST_okay)
			continue;
		if (get_user(old, c->status[i]))
			rc = -EFAULT;
		else if (old == GNTST_okay && put_user(st, c->status[i]))
			rc = -EFAULT;
	}
	return rc;
}

/* Pin the local page at @addr and return its frame for the copy op. */
static int xd_gntdev_copy_pin(struct xd_gntdev_copy *c, unsigned long addr,
			      bool write, xen_pfn_t *gfn)
{
	struct page *page;
	int rc;

	rc = pin_user_pages_fast(addr, 1, write ? FOLL_WRITE : 0, &page);
	if (rc < 0)
		return rc;
	if (rc != 1)
		return -EFAULT;
	c->pages[c->nr_pages] = page;
	c->dirty[c->nr_pages] = write;
	c->nr_pages++;
	*gfn = pfn_to_gfn(page_to_xen_pfn(page) +
			  XEN_PFN_DOWN(addr & ~PAGE_MASK));
	return 0;
}

static int xd_gntdev_copy_segment(struct xd_gntdev_copy *c,
				  const struct gntdev_grant_copy_segment *seg,
				  s16 __user *status)
{
	bool src_local = !(seg->flags & GNTCOPY_source_gref);
	bool dst_local = !(seg->flags & GNTCOPY_dest_gref);
	unsigned int done = 0;
	int rc;

	if (!xd_gntdev_copy_seg_ok(seg->flags, seg->source.foreign.offset,
				   seg->dest.foreign.offset, seg->len,
				   XEN_PAGE_SIZE))
		return -EINVAL;
	if (put_user((s16)GNTST_okay, status))
		return -EFAULT;

	while (done < seg->len) {
		unsigned long src = (unsigned long)seg->source.virt + done;
		unsigned long dst = (unsigned long)seg->dest.virt + done;
		struct gnttab_copy *op;
		xen_pfn_t gfn;

		if (c->nr_ops == XD_GNTDEV_COPY_BATCH) {
			rc = xd_gntdev_copy_flush(c);
			if (rc)
				return rc;
		}
		op = &c->ops[c->nr_ops];
		memset(op, 0, sizeof(*op));
		op->len = xd_gntdev_copy_chunk(seg->len - done, src_local, src,
					       dst_local, dst, XEN_PAGE_SIZE);

		if (src_local) {
			rc = xd_gntdev_copy_pin(c, src, false, &gfn);
			if (rc)
				return rc;
			op->source.u.gmfn = gfn;
			op->source.domid = DOMID_SELF;
			op->source.offset = xen_offset_in_page(src);
		} else {
			op->source.u.ref = seg->source.foreign.ref;
			op->source.domid = seg->source.foreign.domid;
			op->source.offset = seg->source.foreign.offset + done;
			op->flags |= GNTCOPY_source_gref;
		}
		if (dst_local) {
			rc = xd_gntdev_copy_pin(c, dst, true, &gfn);
			if (rc)
				return rc;
			op->dest.u.gmfn = gfn;
			op->dest.domid = DOMID_SELF;
			op->dest.offset = xen_offset_in_page(dst);
		} else {
			op->dest.u.ref = seg->dest.foreign.ref;
			op->dest.domid = seg->dest.foreign.domid;
			op->dest.offset = seg->dest.foreign.offset + done;
			op->flags |= GNTCOPY_dest_gref;
		}
		c->status[c->nr_ops++] = status;
		done += op->len;
	}
	return 0;
}

static long xd_gntdev_ioctl_copy(struct ioctl_gntdev_grant_copy __user *u)
{
	struct ioctl_gntdev_grant_copy arg;
	struct xd_gntdev_copy *c;
	unsigned int i;
	int rc = 0, rc2;

	if (copy_from_user(&arg, u, sizeof(arg)))
		return -EFAULT;

	c = kmalloc(sizeof(*c), GFP_KERNEL);
	if (!c)
		return -ENOMEM;
	c->nr_ops = 0;
	c->nr_pages = 0;

	for (i = 0; i < arg.count; i++) {
		struct gntdev_grant_copy_segment seg;

		if (copy_from_user(&seg, &arg.segments[i], sizeof(seg))) {
			rc = -EFAULT;
			break;
		}
		rc = xd_gntdev_copy_segment(c, &seg, &arg.segments[i].status);
		if (rc)
			break;
		cond_resched();
	}
	/*
	 * Segments accepted so far were told GNTST_okay: carry them out, also
	 * when a later segment fails the call.  A segment that failed midway
	 * was not; its queued ops are dropped with their pins.
	 */
	if (rc) {
		while (c->nr_ops && c->status[c->nr_ops - 1] ==
		       &arg.segments[i].status)
			c->nr_ops--;
	}
	rc2 = xd_gntdev_copy_flush(c);
	kfree(c);
	return rc ? rc : rc2;
}

/* ------------------------------------------------------------------ file */

static long xd_gntdev_ioctl(struct file *filp, unsigned int cmd,
			    unsigned long arg)
{
	struct xd_gntdev_file *f = filp->private_data;
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case IOCTL_GNTDEV_MAP_GRANT_REF:
		return xd_gntdev_ioctl_map(f, uarg);
	case IOCTL_GNTDEV_UNMAP_GRANT_REF:
		return xd_gntdev_ioctl_unmap(f, uarg);
	case IOCTL_GNTDEV_GET_OFFSET_FOR_VADDR:
		return xd_gntdev_ioctl_offset(uarg);
	case IOCTL_GNTDEV_SET_UNMAP_NOTIFY:
		return xd_gntdev_ioctl_notify(f, uarg);
	case IOCTL_GNTDEV_GRANT_COPY:
		return xd_gntdev_ioctl_copy(uarg);
	default:
		/*
		 * SET_MAX_GRANTS and, without CONFIG_XEN_GNTDEV_DMABUF (as in
		 * Debian), the DMABUF commands: unknown, -ENOTTY, as in-tree.
		 */
		return -ENOIOCTLCMD;
	}
}

static int xd_gntdev_open(struct inode *inode, struct file *filp)
{
	struct xd_gntdev_file *f;

	f = kzalloc(sizeof(*f), GFP_KERNEL);
	if (!f)
		return -ENOMEM;
	mutex_init(&f->lock);
	INIT_LIST_HEAD(&f->maps);
	filp->private_data = f;
	return 0;
}

static int xd_gntdev_release(struct inode *inode, struct file *filp)
{
	struct xd_gntdev_file *f = filp->private_data;
	struct xd_gntdev_map *map, *tmp;
	LIST_HEAD(gone);

	mutex_lock(&f->lock);
	list_splice_init(&f->maps, &gone);
	mutex_unlock(&f->lock);

	list_for_each_entry_safe(map, tmp, &gone, node) {
		list_del_init(&map->node);
		xd_gntdev_put_map(map);
	}
	kfree(f);
	return 0;
}

static const struct file_operations xd_gntdev_fops = {
	.owner = THIS_MODULE,
	.open = xd_gntdev_open,
	.release = xd_gntdev_release,
	.mmap = xd_gntdev_mmap,
	.unlocked_ioctl = xd_gntdev_ioctl,
};

static struct miscdevice xd_gntdev_miscdev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = XD_DEVNAME("gntdev"),
	.fops = &xd_gntdev_fops,
};

static int __init xd_gntdev_init(void)
{
	int rc;

	if (!xen_domain())
		return -ENODEV;

	xd_gntdev_pv = !xen_feature(XENFEAT_auto_translated_physmap);
	rc = misc_register(&xd_gntdev_miscdev);
	if (rc) {
		pr_err("cannot register /dev/xen/gntdev: %d\n", rc);
		return rc;
	}
	pr_info("xen-dom0 grant device %s (%s)\n", XD_GNTDEV_VERSION,
		xd_gntdev_pv ? "PV" : "auto-translated");
	return 0;
}

static void __exit xd_gntdev_exit(void)
{
	misc_deregister(&xd_gntdev_miscdev);
}

module_init(xd_gntdev_init);
module_exit(xd_gntdev_exit);

MODULE_DESCRIPTION("Xen /dev/xen/gntdev: grant mapping and copying for user space (xen-dom0)");
MODULE_LICENSE("GPL");
MODULE_VERSION(XD_GNTDEV_VERSION);
