// SPDX-License-Identifier: GPL-2.0-only
/*
 * xen-privcmd: /dev/xen/privcmd, the toolstack's hypercall and foreign
 * memory device (also /proc/xen/privcmd, through xenfs).
 *
 * The ABI is the one of include/uapi/xen/privcmd.h as the in-tree driver
 * implements it: raw hypercalls, device-model operations, and mappings of
 * other domains' frames (and of Xen resources) into VMAs made by mmap() of
 * this device.  An open file may be restricted to one domain; from then on
 * every operation that names a domain must name that one, and raw
 * hypercalls are refused.
 *
 * Foreign mappings.  A VMA of this device starts empty; the first map
 * operation must cover all of it, later ones may fill holes left by frames
 * that failed (paged out).  On a PV domain the PTEs point at the foreign
 * machine frames and Xen drops its references when they are zapped, so a
 * VMA owns nothing else.  On an auto-translated domain (PVH, ARM) the
 * frames are placed at unpopulated pseudo-physical pages that the VMA owns:
 * those live in a reference counted holder shared by every VMA derived
 * from the original one (split, mremap), and go back only when the last of
 * them is closed.  The VMAs are never copied into a child (VM_DONTCOPY).
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/list.h>
#include <linux/refcount.h>
#include <linux/overflow.h>
#include <linux/uaccess.h>
#include <linux/sched/signal.h>

#include <xen/xen.h>
#include <xen/xen-ops.h>
#include <xen/features.h>
#include <xen/page.h>
#include <xen/interface/xen.h>
#include <xen/interface/memory.h>
#include <xen/interface/hvm/dm_op.h>
#include <asm/xen/hypervisor.h>
#include <asm/xen/hypercall.h>

#include "xd_compat.h"
#include "xd_variant.h"
#include "privcmd.h"
#include "eventfd.h"

/* Limits of IOCTL_PRIVCMD_DM_OP, under the in-tree parameter names. */
static unsigned int dm_op_max_nr_bufs = 16;
module_param(dm_op_max_nr_bufs, uint, 0644);
MODULE_PARM_DESC(dm_op_max_nr_bufs,
		 "Maximum number of buffers per dm_op hypercall");

static unsigned int dm_op_buf_max_size = 4096;
module_param(dm_op_buf_max_size, uint, 0644);
MODULE_PARM_DESC(dm_op_buf_max_size,
		 "Maximum size of a dm_op hypercall buffer");

/* vm_private_data of a PV VMA that a map operation has claimed. */
#define XD_PRIVCMD_PV_CLAIMED ((void *)1)

/**
 * struct xd_privcmd_file - state of one open privcmd file
 * @restrict_domid: the only domain this file may act on, or
 *	%DOMID_INVALID; set once (cmpxchg), never cleared
 */
struct xd_privcmd_file {
	domid_t restrict_domid;
};

/**
 * struct xd_privcmd_xlate - pages owned by the VMAs of one mmap() on an
 *	auto-translated domain
 * @users: VMAs sharing the holder
 * @pgoff: vm_pgoff of the original VMA: page @pgoff + i of any derived
 *	VMA is @pages[i]
 * @nr_pages: number of entries in @pages
 * @pages: unpopulated pages where the foreign frames are placed
 */
struct xd_privcmd_xlate {
	refcount_t users;
	pgoff_t pgoff;
	unsigned int nr_pages;
	struct page *pages[];
};

/**
 * struct xd_privcmd_array - a user array copied into kernel pages
 * @pages: the pages, linked through page->lru
 * @esize: size of one element
 * @per_page: elements per page (an element never straddles two pages)
 * @nr: number of elements
 *
 * Arrays are copied before mmap_lock is taken: user memory is never
 * touched with mmap_lock held for writing.
 */
struct xd_privcmd_array {
	struct list_head pages;
	size_t esize;
	unsigned int per_page;
	unsigned long nr;
};

static const struct vm_operations_struct xd_privcmd_vm_ops;

static bool xd_privcmd_xlated(void)
{
	return xen_feature(XENFEAT_auto_translated_physmap);
}

static bool xd_privcmd_may_target(struct xd_privcmd_file *f, domid_t dom)
{
	domid_t r = READ_ONCE(f->restrict_domid);

	return r == DOMID_INVALID || r == dom;
}

/* ---- user arrays ------------------------------------------------------ */

static void xd_privcmd_array_free(struct xd_privcmd_array *a)
{
	struct page *page, *tmp;

	list_for_each_entry_safe(page, tmp, &a->pages, lru) {
		list_del(&page->lru);
		__free_page(page);
	}
}

static int xd_privcmd_array_gather(struct xd_privcmd_array *a,
				   const void __user *uarr, unsigned long nr,
				   size_t esize)
{
	unsigned long done = 0;

	INIT_LIST_HEAD(&a->pages);
	a->esize = esize;
	a->per_page = PAGE_SIZE / esize;
	a->nr = nr;

	while (done < nr) {
		unsigned long n = min_t(unsigned long, nr - done, a->per_page);
		struct page *page;

		if (fatal_signal_pending(current))
			return -EINTR;
		page = alloc_page(GFP_KERNEL_ACCOUNT);
		if (!page)
			return -ENOMEM;
		list_add_tail(&page->lru, &a->pages);
		if (copy_from_user(page_address(page), uarr + done * esize,
				   n * esize))
			return -EFAULT;
		done += n;
		cond_resched();
	}
	return 0;
}

/* Number of elements in the page that starts with element @done. */
static unsigned int xd_privcmd_array_chunk(struct xd_privcmd_array *a,
					   unsigned long done)
{
	return min_t(unsigned long, a->nr - done, a->per_page);
}

/* ---- VMAs ------------------------------------------------------------- */

static bool xd_privcmd_is_xlate_holder(void *priv)
{
	return priv && priv != XD_PRIVCMD_PV_CLAIMED;
}

static void xd_privcmd_vm_open(struct vm_area_struct *vma)
{
	struct xd_privcmd_xlate *x = vma->vm_private_data;

	if (xd_privcmd_is_xlate_holder(x))
		refcount_inc(&x->users);
}

static void xd_privcmd_vm_close(struct vm_area_struct *vma)
{
	struct xd_privcmd_xlate *x = vma->vm_private_data;
	int rc;

	if (!xd_privcmd_is_xlate_holder(x) || !refcount_dec_and_test(&x->users))
		return;

	/* The PTEs are gone: take the frames out of our physmap. */
	rc = xen_unmap_domain_gfn_range(vma, x->nr_pages, x->pages);
	if (rc)
		pr_crit("cannot unmap foreign frames: leaking %u pages (%d)\n",
			x->nr_pages, rc);
	else
		xen_free_unpopulated_pages(x->nr_pages, x->pages);
	kvfree(x);
}

/* Nothing is ever faulted in: unmapped pages of a foreign VMA are holes. */
static vm_fault_t xd_privcmd_vm_fault(struct vm_fault *vmf)
{
	return VM_FAULT_SIGBUS;
}

/*
 * A foreign VMA is never split (partial munmap/mprotect/mremap fail with
 * -EINVAL, as in-tree): map operations and the auto-translated holder
 * assume one VMA per mmap().  The holder is reference counted all the same,
 * for the duplicates a move by mremap makes.
 */
static int xd_privcmd_vm_may_split(struct vm_area_struct *vma,
				   unsigned long addr)
{
	return -EINVAL;
}

static const struct vm_operations_struct xd_privcmd_vm_ops = {
	.open = xd_privcmd_vm_open,
	.close = xd_privcmd_vm_close,
	.may_split = xd_privcmd_vm_may_split,
	.fault = xd_privcmd_vm_fault,
};

int xd_privcmd_mmap(struct file *filp, struct vm_area_struct *vma)
{
	/* The PTEs cannot be copied into a child: DONTCOPY is essential. */
	xd_vm_flags_set(vma, VM_IO | VM_PFNMAP | VM_DONTCOPY |
				VM_DONTEXPAND | VM_DONTDUMP);
	vma->vm_ops = &xd_privcmd_vm_ops;
	vma->vm_private_data = NULL;
	return 0;
}

/* The VMA of this open file at @addr, or NULL. mmap_lock held. */
static struct vm_area_struct *xd_privcmd_find_vma(struct file *filp,
						  unsigned long addr)
{
	struct vm_area_struct *vma = vma_lookup(current->mm, addr);

	if (!vma || vma->vm_ops != &xd_privcmd_vm_ops || vma->vm_file != filp)
		return NULL;
	return vma;
}

static int xd_privcmd_pte_none(pte_t *pte, unsigned long addr, void *data)
{
	return pte_none(ptep_get(pte)) ? 0 : -EBUSY;
}

static int xd_privcmd_xlate_attach(struct vm_area_struct *vma)
{
	unsigned long nr = vma_pages(vma);
	struct xd_privcmd_xlate *x;

	if (nr > INT_MAX)
		return -EINVAL;
	x = kvzalloc(struct_size(x, pages, nr), GFP_KERNEL_ACCOUNT);
	if (!x)
		return -ENOMEM;
	if (xen_alloc_unpopulated_pages(nr, x->pages)) {
		kvfree(x);
		return -ENOMEM;
	}
	refcount_set(&x->users, 1);
	x->pgoff = vma->vm_pgoff;
	x->nr_pages = nr;
	vma->vm_private_data = x;
	return 0;
}

/*
 * Claim @nr pages at @addr of @vma for a map operation: the first one must
 * cover the whole VMA (and, auto-translated, allocates its pages); later
 * ones may only fill holes.  mmap_lock held for writing.
 */
static int xd_privcmd_claim(struct vm_area_struct *vma, unsigned long addr,
			    unsigned long nr)
{
	if (addr < vma->vm_start || offset_in_page(addr) || !nr ||
	    nr > (vma->vm_end - addr) >> PAGE_SHIFT)
		return -EINVAL;

	if (!vma->vm_private_data) {
		if (addr != vma->vm_start || nr != vma_pages(vma))
			return -EINVAL;
		if (xd_privcmd_xlated())
			return xd_privcmd_xlate_attach(vma);
		vma->vm_private_data = XD_PRIVCMD_PV_CLAIMED;
		return 0;
	}

	if (apply_to_page_range(vma->vm_mm, addr, nr << PAGE_SHIFT,
				xd_privcmd_pte_none, NULL))
		return -EINVAL;
	return 0;
}

/* The holder pages backing @addr of @vma, or NULL on a PV domain. */
static struct page **xd_privcmd_pages_at(struct vm_area_struct *vma,
					 unsigned long addr)
{
	struct xd_privcmd_xlate *x = vma->vm_private_data;

	if (!xd_privcmd_is_xlate_holder(x))
		return NULL;
	return &x->pages[vma->vm_pgoff - x->pgoff +
			 ((addr - vma->vm_start) >> PAGE_SHIFT)];
}

/*
 * Is @addr inside a privcmd mapping backed by our own pages (a resource
 * mapping of an auto-translated domain)? Used by IOCTL_PRIVCMD_IOEVENTFD.
 */
bool xd_privcmd_ioreq_mapped(struct mm_struct *mm, unsigned long addr)
{
	struct vm_area_struct *vma;
	bool ok;

	mmap_read_lock(mm);
	vma = vma_lookup(mm, addr);
	ok = vma && vma->vm_ops == &xd_privcmd_vm_ops &&
	     xd_privcmd_is_xlate_holder(vma->vm_private_data);
	mmap_read_unlock(mm);
	return ok;
}

/* ---- ioctls ----------------------------------------------------------- */

static long xd_privcmd_hypercall(struct xd_privcmd_file *f, void __user *uarg)
{
	struct privcmd_hypercall call;
	long rc;

	/* A restricted file may not make arbitrary hypercalls. */
	if (READ_ONCE(f->restrict_domid) != DOMID_INVALID)
		return -EPERM;
	if (copy_from_user(&call, uarg, sizeof(call)))
		return -EFAULT;

	xen_preemptible_hcall_begin();
	rc = privcmd_call(call.op, call.arg[0], call.arg[1], call.arg[2],
			  call.arg[3], call.arg[4]);
	xen_preemptible_hcall_end();
	return rc;
}

/* IOCTL_PRIVCMD_MMAP: ranges of contiguous frames (PV only). */
static long xd_privcmd_mmap_ranges(struct file *filp,
				   struct xd_privcmd_file *f, void __user *uarg)
{
	struct mm_struct *mm = current->mm;
	struct privcmd_mmap m;
	struct xd_privcmd_array a;
	struct vm_area_struct *vma;
	unsigned long va = 0, done = 0;
	struct page *page;
	long rc;

	if (xd_privcmd_xlated())
		return -ENOSYS;
	if (copy_from_user(&m, uarg, sizeof(m)))
		return -EFAULT;
	if (!xd_privcmd_may_target(f, m.dom))
		return -EPERM;
	if (m.num < 0)
		return -EINVAL;

	rc = xd_privcmd_array_gather(&a, m.entry, m.num,
				     sizeof(struct privcmd_mmap_entry));
	if (rc || !m.num)
		goto out;

	mmap_write_lock(mm);
	page = list_first_entry(&a.pages, struct page, lru);
	va = ((struct privcmd_mmap_entry *)page_address(page))->va;
	vma = xd_privcmd_find_vma(filp, va);
	rc = -EINVAL;
	if (!vma || va != vma->vm_start || vma->vm_private_data)
		goto out_unlock;
	vma->vm_private_data = XD_PRIVCMD_PV_CLAIMED;

	rc = 0;
	list_for_each_entry(page, &a.pages, lru) {
		struct privcmd_mmap_entry *e = page_address(page);
		unsigned int i, n = xd_privcmd_array_chunk(&a, done);

		for (i = 0; i < n && !rc; i++, e++) {
			/* Chunks are contiguous, inside the VMA. */
			if (e->va != va || e->npages > INT_MAX ||
			    e->npages > (vma->vm_end - va) >> PAGE_SHIFT) {
				rc = -EINVAL;
				break;
			}
			rc = xen_remap_domain_gfn_range(vma, va, e->mfn,
							e->npages,
							vma->vm_page_prot,
							m.dom, NULL);
			if (rc > 0)
				rc = 0;
			va += e->npages << PAGE_SHIFT;
		}
		if (rc)
			break;
		done += n;
	}

out_unlock:
	mmap_write_unlock(mm);
out:
	xd_privcmd_array_free(&a);
	return rc;
}

/*
 * Map one chunk of @n frames at @va and leave the per-frame results as
 * ints at the start of the chunk (the frame numbers are no longer needed).
 * Returns true if some frame failed with -ENOENT (paged out).
 */
static bool xd_privcmd_map_chunk(struct vm_area_struct *vma, unsigned long va,
				 xen_pfn_t *gfns, unsigned int n, domid_t dom,
				 int *errs)
{
	int *out = (int *)gfns;
	bool paged = false;
	unsigned int i;
	int rc;

	for (i = 0; i < n; i++)
		errs[i] = INT_MIN;
	rc = xen_remap_domain_gfn_array(vma, va, gfns, n, errs,
					vma->vm_page_prot, dom,
					xd_privcmd_pages_at(vma, va));
	for (i = 0; i < n; i++) {
		/* A frame never reached has no result of its own. */
		if (errs[i] == INT_MIN)
			errs[i] = rc < 0 ? rc : -EIO;
		out[i] = errs[i];
		if (out[i] == -ENOENT)
			paged = true;
	}
	return paged;
}

/* Report per-frame errors: v1 ORs flags into the frame numbers. */
static int xd_privcmd_report_v1(struct xd_privcmd_array *a,
				xen_pfn_t __user *arr)
{
	unsigned long done = 0;
	struct page *page;

	list_for_each_entry(page, &a->pages, lru) {
		unsigned int i, n = xd_privcmd_array_chunk(a, done);
		int *errs = page_address(page);

		for (i = 0; i < n; i++) {
			xen_pfn_t gfn;

			if (!errs[i])
				continue;
			if (get_user(gfn, &arr[done + i]))
				return -EFAULT;
			gfn |= errs[i] == -ENOENT ?
				PRIVCMD_MMAPBATCH_PAGED_ERROR :
				PRIVCMD_MMAPBATCH_MFN_ERROR;
			if (put_user(gfn, &arr[done + i]))
				return -EFAULT;
		}
		done += n;
	}
	return 0;
}

static int xd_privcmd_report_v2(struct xd_privcmd_array *a, int __user *uerr)
{
	unsigned long done = 0;
	struct page *page;

	list_for_each_entry(page, &a->pages, lru) {
		unsigned int n = xd_privcmd_array_chunk(a, done);

		if (copy_to_user(uerr + done, page_address(page),
				 n * sizeof(int)))
			return -EFAULT;
		done += n;
	}
	return 0;
}

static long xd_privcmd_mmapbatch(struct file *filp, struct xd_privcmd_file *f,
				 void __user *uarg, int version)
{
	struct mm_struct *mm = current->mm;
	struct privcmd_mmapbatch_v2 m;
	struct xd_privcmd_array a;
	struct vm_area_struct *vma;
	unsigned long done = 0;
	struct page *page;
	bool failed = false, paged = false;
	int *errs;
	long rc;

	if (version == 1) {
		struct privcmd_mmapbatch m1;

		if (copy_from_user(&m1, uarg, sizeof(m1)))
			return -EFAULT;
		m.num = m1.num;
		m.dom = m1.dom;
		m.addr = m1.addr;
		m.arr = m1.arr;
		m.err = NULL;
		if (!access_ok(m.arr, (size_t)m.num * sizeof(*m.arr)))
			return -EFAULT;
	} else {
		if (copy_from_user(&m, uarg, sizeof(m)))
			return -EFAULT;
		if (!access_ok(m.err, (size_t)m.num * sizeof(*m.err)))
			return -EFAULT;
	}
	if (!xd_privcmd_may_target(f, m.dom))
		return -EPERM;
	if (!m.num)
		return -EINVAL;

	errs = (int *)__get_free_page(GFP_KERNEL);
	if (!errs)
		return -ENOMEM;
	BUILD_BUG_ON(XEN_PFN_PER_PAGE != 1);
	BUILD_BUG_ON(PAGE_SIZE / sizeof(xen_pfn_t) > PAGE_SIZE / sizeof(int));

	rc = xd_privcmd_array_gather(&a, m.arr, m.num, sizeof(xen_pfn_t));
	if (rc)
		goto out;

	mmap_write_lock(mm);
	vma = xd_privcmd_find_vma(filp, m.addr);
	rc = vma ? xd_privcmd_claim(vma, m.addr, m.num) : -EINVAL;
	if (rc) {
		mmap_write_unlock(mm);
		goto out;
	}
	list_for_each_entry(page, &a.pages, lru) {
		unsigned int i, n = xd_privcmd_array_chunk(&a, done);
		int *res = page_address(page);

		if (xd_privcmd_map_chunk(vma, m.addr + (done << PAGE_SHIFT),
					 page_address(page), n, m.dom, errs))
			paged = true;
		for (i = 0; i < n; i++)
			failed |= res[i] != 0;
		done += n;
	}
	mmap_write_unlock(mm);

	/* Results go back to user memory without mmap_lock. */
	if (version == 1)
		rc = failed ? xd_privcmd_report_v1(&a, (xen_pfn_t __user *)m.arr) : 0;
	else
		rc = xd_privcmd_report_v2(&a, m.err);
	/* Paged-out frames: user space retries them (-ENOENT). */
	if (!rc && paged)
		rc = -ENOENT;
out:
	xd_privcmd_array_free(&a);
	free_page((unsigned long)errs);
	return rc;
}

static int xd_privcmd_pin(struct privcmd_dm_op_buf *bufs, unsigned int nr,
			  struct page **pages, unsigned int max_pages,
			  unsigned int *pinned)
{
	unsigned int i;

	for (i = 0; i < nr; i++) {
		unsigned long start = (unsigned long)bufs[i].uptr & PAGE_MASK;
		unsigned int want = DIV_ROUND_UP(offset_in_page(bufs[i].uptr) +
						 bufs[i].size, PAGE_SIZE);

		while (want) {
			int got;

			if (want > max_pages - *pinned)
				return -ENOSPC;
			got = pin_user_pages_fast(start, want, FOLL_WRITE,
						  pages + *pinned);
			if (got <= 0)
				return got ? got : -EFAULT;
			*pinned += got;
			want -= got;
			start += (unsigned long)got << PAGE_SHIFT;
		}
	}
	return 0;
}

static long xd_privcmd_dm_op(struct xd_privcmd_file *f, void __user *uarg)
{
	struct privcmd_dm_op op;
	struct privcmd_dm_op_buf *bufs;
	struct xen_dm_op_buf *xbufs = NULL;
	struct page **pages = NULL;
	unsigned int i, nr_pages = 0, pinned = 0;
	long rc;

	if (copy_from_user(&op, uarg, sizeof(op)))
		return -EFAULT;
	if (!xd_privcmd_may_target(f, op.dom))
		return -EPERM;
	if (!op.num)
		return 0;
	if (op.num > READ_ONCE(dm_op_max_nr_bufs))
		return -E2BIG;

	bufs = memdup_user(op.ubufs, op.num * sizeof(*bufs));
	if (IS_ERR(bufs))
		return PTR_ERR(bufs);

	for (i = 0; i < op.num; i++) {
		rc = -E2BIG;
		if (bufs[i].size > READ_ONCE(dm_op_buf_max_size))
			goto out;
		rc = -EFAULT;
		if (!access_ok(bufs[i].uptr, bufs[i].size))
			goto out;
		nr_pages += DIV_ROUND_UP(offset_in_page(bufs[i].uptr) +
					 bufs[i].size, PAGE_SIZE);
	}

	rc = -ENOMEM;
	pages = kvcalloc(nr_pages, sizeof(*pages), GFP_KERNEL);
	xbufs = kcalloc(op.num, sizeof(*xbufs), GFP_KERNEL);
	if (!pages || !xbufs)
		goto out;

	/* Xen accesses the buffers directly: keep them resident. */
	rc = xd_privcmd_pin(bufs, op.num, pages, nr_pages, &pinned);
	if (rc)
		goto out;

	for (i = 0; i < op.num; i++) {
		set_xen_guest_handle(xbufs[i].h, (__force void *)bufs[i].uptr);
		xbufs[i].size = bufs[i].size;
	}

	xen_preemptible_hcall_begin();
	rc = HYPERVISOR_dm_op(op.dom, op.num, xbufs);
	xen_preemptible_hcall_end();

out:
	if (pinned)
		unpin_user_pages(pages, pinned);
	kvfree(pages);
	kfree(xbufs);
	kfree(bufs);
	return rc;
}

static long xd_privcmd_restrict(struct xd_privcmd_file *f, void __user *uarg)
{
	domid_t dom, old;

	if (copy_from_user(&dom, uarg, sizeof(dom)))
		return -EFAULT;
	/* The first restriction sticks; repeating it is harmless. */
	old = cmpxchg(&f->restrict_domid, DOMID_INVALID, dom);
	if (old != DOMID_INVALID && old != dom)
		return -EINVAL;
	return 0;
}

static int xd_privcmd_resource_map(struct vm_area_struct *vma,
				   struct privcmd_mmap_resource *r)
{
	struct xen_mem_acquire_resource xr = {
		.domid = r->dom,
		.type = r->type,
		.id = r->id,
		.frame = r->idx,
		.nr_frames = r->num,
	};
	struct page **pages;
	xen_pfn_t *pfns;
	unsigned int i;
	int *errs, rc;

	rc = xd_privcmd_claim(vma, r->addr, r->num);
	if (rc)
		return rc;

	pfns = kvcalloc(r->num, sizeof(*pfns), GFP_KERNEL | __GFP_NOWARN);
	if (!pfns)
		return -ENOMEM;

	/* Auto-translated: Xen places the frames at our own pages. */
	pages = xd_privcmd_pages_at(vma, r->addr);
	for (i = 0; pages && i < r->num; i++)
		pfns[i] = page_to_xen_pfn(pages[i]);

	set_xen_guest_handle(xr.frame_list, pfns);
	xen_preemptible_hcall_begin();
	rc = HYPERVISOR_memory_op(XENMEM_acquire_resource, &xr);
	xen_preemptible_hcall_end();
	if (rc)
		goto out;

	if (pages) {
		rc = xen_remap_vma_range(vma, r->addr, r->num << PAGE_SHIFT);
	} else {
		domid_t owner = (xr.flags & XENMEM_rsrc_acq_caller_owned) ?
				DOMID_SELF : r->dom;
		int n;

		errs = (int *)pfns;
		n = xen_remap_domain_mfn_array(vma, r->addr, pfns, r->num,
					       errs, vma->vm_page_prot, owner);
		if (n < 0) {
			rc = n;
		} else if (n != r->num) {
			rc = -EFAULT;
			for (i = 0; i < r->num; i++) {
				if (errs[i] < 0) {
					rc = errs[i];
					break;
				}
			}
		}
	}
out:
	kvfree(pfns);
	return rc;
}

static long xd_privcmd_mmap_resource(struct file *filp,
				     struct xd_privcmd_file *f,
				     struct privcmd_mmap_resource __user *uarg)
{
	struct mm_struct *mm = current->mm;
	struct privcmd_mmap_resource r;
	struct vm_area_struct *vma;
	long rc;

	if (copy_from_user(&r, uarg, sizeof(r)))
		return -EFAULT;
	if (!xd_privcmd_may_target(f, r.dom))
		return -EPERM;
	/* Both set (map) or both zero (size query). */
	if (!!r.addr != !!r.num)
		return -EINVAL;

	if (!r.addr) {
		struct xen_mem_acquire_resource xr = {
			.domid = r.dom,
			.type = r.type,
			.id = r.id,
		};

		rc = HYPERVISOR_memory_op(XENMEM_acquire_resource, &xr);
		if (rc)
			return rc;
		return put_user((__u64)xr.nr_frames, &uarg->num);
	}

	/* Xen takes a 32-bit count, the remap an int. */
	if (r.num > INT_MAX)
		return -EINVAL;

	mmap_write_lock(mm);
	vma = xd_privcmd_find_vma(filp, r.addr);
	rc = vma ? xd_privcmd_resource_map(vma, &r) : -EINVAL;
	mmap_write_unlock(mm);
	return rc;
}

static long xd_privcmd_get_gsi(void __user *uarg)
{
	struct privcmd_pcidev_get_gsi g;
	int rc;

	if (copy_from_user(&g, uarg, sizeof(g)))
		return -EFAULT;
	rc = xd_privcmd_gsi_from_sbdf(g.sbdf);
	if (rc < 0)
		return rc;
	g.gsi = rc;
	if (copy_to_user(uarg, &g, sizeof(g)))
		return -EFAULT;
	return 0;
}

long xd_privcmd_ioctl(struct file *filp, unsigned int cmd, unsigned long arg)
{
	struct xd_privcmd_file *f = filp->private_data;
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case IOCTL_PRIVCMD_HYPERCALL:
		return xd_privcmd_hypercall(f, uarg);
	case IOCTL_PRIVCMD_MMAP:
		return xd_privcmd_mmap_ranges(filp, f, uarg);
	case IOCTL_PRIVCMD_MMAPBATCH:
		return xd_privcmd_mmapbatch(filp, f, uarg, 1);
	case IOCTL_PRIVCMD_MMAPBATCH_V2:
		return xd_privcmd_mmapbatch(filp, f, uarg, 2);
	case IOCTL_PRIVCMD_DM_OP:
		return xd_privcmd_dm_op(f, uarg);
	case IOCTL_PRIVCMD_RESTRICT:
		return xd_privcmd_restrict(f, uarg);
	case IOCTL_PRIVCMD_MMAP_RESOURCE:
		return xd_privcmd_mmap_resource(filp, f, uarg);
	case IOCTL_PRIVCMD_IRQFD:
		/* Unknown commands where the uapi does not have them. */
		if (!XD_PRIVCMD_HAVE_EVENTFD_IOCTLS)
			return -ENOTTY;
		return xd_privcmd_irqfd(filp, READ_ONCE(f->restrict_domid),
					uarg);
	case IOCTL_PRIVCMD_IOEVENTFD:
		if (!XD_PRIVCMD_HAVE_EVENTFD_IOCTLS)
			return -ENOTTY;
		return xd_privcmd_ioeventfd(filp, READ_ONCE(f->restrict_domid),
					    uarg);
	case IOCTL_PRIVCMD_PCIDEV_GET_GSI:
		return XD_PRIVCMD_HAVE_GET_GSI ? xd_privcmd_get_gsi(uarg) :
						 -ENOTTY;
	default:
		/* libxenforeignmemory and libxencall probe for this. */
		return -ENOTTY;
	}
}

int xd_privcmd_open(struct inode *inode, struct file *filp)
{
	struct xd_privcmd_file *f;

	f = kzalloc(sizeof(*f), GFP_KERNEL);
	if (!f)
		return -ENOMEM;
	f->restrict_domid = DOMID_INVALID;
	filp->private_data = f;
	return 0;
}

int xd_privcmd_release(struct inode *inode, struct file *filp)
{
	xd_privcmd_eventfd_release(filp);
	kfree(filp->private_data);
	return 0;
}

static struct miscdevice xd_privcmd_dev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = XD_DEVNAME("privcmd"),
	.fops = &xen_privcmd_fops,
};

static struct miscdevice xd_hcall_dev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = XD_DEVNAME("hypercall"),
	.fops = &xd_hcall_fops,
};

static int __init xd_privcmd_init(void)
{
	int rc;

	if (!xen_domain())
		return -ENODEV;

	rc = xd_privcmd_eventfd_init();
	if (rc)
		return rc;
	rc = misc_register(&xd_privcmd_dev);
	if (rc) {
		pr_err("cannot register /dev/xen/privcmd: %d\n", rc);
		xd_privcmd_eventfd_exit();
		return rc;
	}
	rc = misc_register(&xd_hcall_dev);
	if (rc) {
		pr_err("cannot register /dev/xen/hypercall: %d\n", rc);
		misc_deregister(&xd_privcmd_dev);
		xd_privcmd_eventfd_exit();
		return rc;
	}
	pr_info("xen-dom0 privcmd device %s\n", XD_PRIVCMD_VERSION);
	return 0;
}

static void __exit xd_privcmd_exit(void)
{
	misc_deregister(&xd_hcall_dev);
	misc_deregister(&xd_privcmd_dev);
	xd_privcmd_eventfd_exit();
}

module_init(xd_privcmd_init);
module_exit(xd_privcmd_exit);

MODULE_DESCRIPTION("Xen /dev/xen/privcmd and /dev/xen/hypercall (xen-dom0)");
MODULE_LICENSE("GPL");
MODULE_VERSION(XD_PRIVCMD_VERSION);
