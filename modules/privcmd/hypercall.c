// SPDX-License-Identifier: GPL-2.0-only
/*
 * xen-privcmd: /dev/xen/hypercall, buffers for hypercall arguments.
 *
 * A hypercall issued through /dev/xen/privcmd passes user addresses to
 * Xen, which reads and writes them directly: the memory must be present
 * for the whole call.  mmap() of this device returns zeroed kernel pages,
 * all of them mapped at once, that are never swapped, migrated or moved.
 * Only shared mappings are accepted.
 *
 * The pages of one mmap() are owned by a reference counted buffer that all
 * VMAs made from that mapping (by fork, split or mremap) share; the last
 * VMA to go frees it.  A page that user space dropped (MADV_DONTNEED) is
 * mapped again from the buffer on the next access.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/refcount.h>
#include <linux/overflow.h>

#include "xd_compat.h"
#include "privcmd.h"

/**
 * struct xd_hcall_buf - the pages of one mmap() of /dev/xen/hypercall
 * @users: VMAs that map (part of) the buffer
 * @pgoff: vm_pgoff of the original VMA; page i of the buffer is file
 *	offset @pgoff + i in every VMA derived from it
 * @nr_pages: number of entries in @pages
 * @pages: the zeroed pages, one reference each held by the buffer
 */
struct xd_hcall_buf {
	refcount_t users;
	pgoff_t pgoff;
	unsigned long nr_pages;
	struct page *pages[];
};

static void xd_hcall_buf_free(struct xd_hcall_buf *buf)
{
	unsigned long i;

	for (i = 0; i < buf->nr_pages; i++)
		__free_page(buf->pages[i]);
	kvfree(buf);
}

static void xd_hcall_vm_open(struct vm_area_struct *vma)
{
	struct xd_hcall_buf *buf = vma->vm_private_data;

	if (buf)
		refcount_inc(&buf->users);
}

static void xd_hcall_vm_close(struct vm_area_struct *vma)
{
	struct xd_hcall_buf *buf = vma->vm_private_data;

	if (buf && refcount_dec_and_test(&buf->users))
		xd_hcall_buf_free(buf);
}

/* Map a page again that user space dropped; never anything new. */
static vm_fault_t xd_hcall_vm_fault(struct vm_fault *vmf)
{
	struct xd_hcall_buf *buf = vmf->vma->vm_private_data;
	pgoff_t i;

	if (!buf || vmf->pgoff < buf->pgoff)
		return VM_FAULT_SIGBUS;
	i = vmf->pgoff - buf->pgoff;
	if (i >= buf->nr_pages)
		return VM_FAULT_SIGBUS;
	get_page(buf->pages[i]);
	vmf->page = buf->pages[i];
	return 0;
}

static const struct vm_operations_struct xd_hcall_vm_ops = {
	.open = xd_hcall_vm_open,
	.close = xd_hcall_vm_close,
	.fault = xd_hcall_vm_fault,
};

static int xd_hcall_mmap(struct file *filp, struct vm_area_struct *vma)
{
	unsigned long nr = vma_pages(vma);
	struct xd_hcall_buf *buf;
	unsigned long i;
	int rc;

	if (!(vma->vm_flags & VM_SHARED))
		return -EINVAL;

	buf = kvzalloc(struct_size(buf, pages, nr), GFP_KERNEL_ACCOUNT);
	if (!buf)
		return -ENOMEM;
	for (i = 0; i < nr; i++) {
		buf->pages[i] = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
		if (!buf->pages[i]) {
			rc = -ENOMEM;
			goto out_free;
		}
		buf->nr_pages++;
	}
	refcount_set(&buf->users, 1);
	buf->pgoff = vma->vm_pgoff;

	/*
	 * The VMA carries its ops from here on, but no buffer until every
	 * page is in: if mapping fails, the core unmaps what was inserted and
	 * the buffer is freed here, never by a close() of the failed VMA.
	 */
	xd_vm_flags_set(vma, VM_IO | VM_DONTEXPAND | VM_DONTDUMP);
	vma->vm_ops = &xd_hcall_vm_ops;
	vma->vm_private_data = NULL;

	rc = vm_map_pages_zero(vma, buf->pages, buf->nr_pages);
	if (rc)
		goto out_free;
	vma->vm_private_data = buf;
	return 0;

out_free:
	xd_hcall_buf_free(buf);
	return rc;
}

const struct file_operations xd_hcall_fops = {
	.owner = THIS_MODULE,
	.mmap = xd_hcall_mmap,
};
