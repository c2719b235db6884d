// SPDX-License-Identifier: GPL-2.0-only
/*
 * xen-privcmd: eventfd-driven device-model operations.
 *
 * IOCTL_PRIVCMD_IRQFD binds an eventfd to a device-model operation: every
 * signal of the eventfd issues that dm_op for its domain (typically "set
 * this interrupt line"), so a backend in user space can raise a guest
 * interrupt by writing to an eventfd.  An eventfd carries one irqfd at a
 * time (-EBUSY for a second one, whichever file asks); deassigning one that
 * is not assigned succeeds.  An irqfd ends when it is deassigned, when the
 * eventfd is released (EPOLLHUP), or when the privcmd file that assigned it
 * is released; once the ioctl or the release returns, no dm_op of it runs
 * any more.  The dm_op is copied at assignment (at most one page) and
 * issued from process context (a work item), never from the waker's
 * context: a signal from interrupt context only queues the work, and
 * signals that arrive while it is pending are merged.
 *
 * IOCTL_PRIVCMD_IOEVENTFD (virtio-mmio queue notifications taken from an
 * ioreq server's shared page) is validated exactly as in-tree (flags,
 * restriction, address range and length, vcpu count, eventfd), but needs
 * the ioreq page to be a privcmd resource mapping backed by our own pages,
 * which only an auto-translated domain has: on a PV domain the answer is
 * -EFAULT (the in-tree driver would dereference the missing page array),
 * on an auto-translated one -EOPNOTSUPP (the notification path is not
 * implemented); nothing is ever assigned, so deassigning gives -ENODEV.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/eventfd.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <linux/uaccess.h>
#include <linux/overflow.h>
#include <linux/sched.h>

#include <xen/xen.h>
#include <xen/xen-ops.h>
#include <xen/interface/xen.h>
#include <xen/interface/hvm/dm_op.h>
#include <asm/xen/hypervisor.h>
#include <asm/xen/hypercall.h>

#include "xd_compat.h"
#include "eventfd.h"

/**
 * struct xd_irqfd - one eventfd bound to a dm_op
 * @list: on xd_irqfds while active (xd_irqfds_lock)
 * @owner: the privcmd file that assigned it
 * @eventfd: the eventfd (a reference held)
 * @wait: our entry on the eventfd's wait queue
 * @pt: poll table used once, to add @wait
 * @inject: issues the dm_op (system workqueue)
 * @shutdown: takes the irqfd down and frees it (xd_irqfd_wq)
 * @dom: target domain
 * @error: result of the last dm_op (a failure is logged once per run)
 * @xbuf: the hypercall's buffer descriptor, pointing at @op
 * @op: the dm_op, copied at assignment
 */
struct xd_irqfd {
	struct list_head list;
	struct file *owner;
	struct eventfd_ctx *eventfd;
	wait_queue_entry_t wait;
	poll_table pt;
	struct work_struct inject;
	struct work_struct shutdown;
	domid_t dom;
	long error;
	struct xen_dm_op_buf xbuf;
	u8 op[];
};

/* Active irqfds; the lock is also taken from eventfd wakeups. */
static LIST_HEAD(xd_irqfds);
static DEFINE_SPINLOCK(xd_irqfds_lock);
/* Serializes assign, deassign and release (never taken by wakeups). */
static DEFINE_MUTEX(xd_irqfds_mutex);
static struct workqueue_struct *xd_irqfd_wq;

static bool xd_may_target(domid_t restrict_domid, domid_t dom)
{
	return restrict_domid == DOMID_INVALID || restrict_domid == dom;
}

static void xd_irqfd_inject(struct work_struct *work)
{
	struct xd_irqfd *k = container_of(work, struct xd_irqfd, inject);
	long rc;

	xen_preemptible_hcall_begin();
	rc = HYPERVISOR_dm_op(k->dom, 1, &k->xbuf);
	xen_preemptible_hcall_end();
	if (rc && !k->error)
		pr_warn_ratelimited("irqfd: dm_op for domain %u failed: %ld\n",
				    k->dom, rc);
	k->error = rc;
}

static void xd_irqfd_shutdown(struct work_struct *work)
{
	struct xd_irqfd *k = container_of(work, struct xd_irqfd, shutdown);
	u64 cnt;

	/* After this no wakeup can queue @inject any more. */
	eventfd_ctx_remove_wait_queue(k->eventfd, &k->wait, &cnt);
	flush_work(&k->inject);
	eventfd_ctx_put(k->eventfd);
	kfree(k);
}

/* Take @k off the active list and queue its shutdown. xd_irqfds_lock held. */
static void xd_irqfd_deactivate(struct xd_irqfd *k)
{
	if (list_empty(&k->list))
		return;
	list_del_init(&k->list);
	queue_work(xd_irqfd_wq, &k->shutdown);
}

/* Called by the eventfd with its wait queue lock held, maybe in IRQ context. */
static int xd_irqfd_wakeup(wait_queue_entry_t *wait, unsigned int mode,
			   int sync, void *key)
{
	struct xd_irqfd *k = container_of(wait, struct xd_irqfd, wait);
	__poll_t flags = key_to_poll(key);
	unsigned long irqflags;
	u64 cnt;

	if (flags & EPOLLIN) {
		eventfd_ctx_do_read(k->eventfd, &cnt);
		schedule_work(&k->inject);
	}
	if (flags & EPOLLHUP) {
		spin_lock_irqsave(&xd_irqfds_lock, irqflags);
		xd_irqfd_deactivate(k);
		spin_unlock_irqrestore(&xd_irqfds_lock, irqflags);
	}
	return 0;
}

static void xd_irqfd_ptable(struct file *file, wait_queue_head_t *wqh,
			    poll_table *pt)
{
	struct xd_irqfd *k = container_of(pt, struct xd_irqfd, pt);

	add_wait_queue(wqh, &k->wait);
}

static long xd_irqfd_assign(struct file *filp, struct privcmd_irqfd *irq)
{
	struct xd_irqfd *k, *t;
	struct file *efile;
	__poll_t events;
	long rc = 0;

	if (irq->size > PAGE_SIZE)
		return -E2BIG;
	k = kzalloc(struct_size(k, op, irq->size), GFP_KERNEL);
	if (!k)
		return -ENOMEM;
	if (copy_from_user(k->op, u64_to_user_ptr(irq->dm_op), irq->size)) {
		rc = -EFAULT;
		goto out_free;
	}
	set_xen_guest_handle(k->xbuf.h, k->op);
	k->xbuf.size = irq->size;
	k->dom = irq->dom;
	k->owner = filp;
	INIT_LIST_HEAD(&k->list);
	INIT_WORK(&k->inject, xd_irqfd_inject);
	INIT_WORK(&k->shutdown, xd_irqfd_shutdown);
	init_waitqueue_func_entry(&k->wait, xd_irqfd_wakeup);
	init_poll_funcptr(&k->pt, xd_irqfd_ptable);

	efile = fget(irq->fd);
	if (!efile) {
		rc = -EBADF;
		goto out_free;
	}
	k->eventfd = eventfd_ctx_fileget(efile);
	if (IS_ERR(k->eventfd)) {
		rc = PTR_ERR(k->eventfd);
		goto out_fput;
	}

	mutex_lock(&xd_irqfds_mutex);
	spin_lock_irq(&xd_irqfds_lock);
	list_for_each_entry(t, &xd_irqfds, list) {
		if (t->eventfd == k->eventfd) {
			rc = -EBUSY;
			break;
		}
	}
	if (!rc)
		list_add_tail(&k->list, &xd_irqfds);
	spin_unlock_irq(&xd_irqfds_lock);
	if (!rc) {
		/* We hold @efile: no EPOLLHUP before we are on its queue. */
		events = vfs_poll(efile, &k->pt);
		if (events & EPOLLIN)
			schedule_work(&k->inject);
	}
	mutex_unlock(&xd_irqfds_mutex);
	fput(efile);
	if (rc) {
		eventfd_ctx_put(k->eventfd);
		kfree(k);
	}
	return rc;

out_fput:
	fput(efile);
out_free:
	kfree(k);
	return rc;
}

static long xd_irqfd_deassign(domid_t restrict_domid,
			      struct privcmd_irqfd *irq)
{
	struct eventfd_ctx *ctx;
	struct xd_irqfd *k;

	ctx = eventfd_ctx_fdget(irq->fd);
	if (IS_ERR(ctx))
		return PTR_ERR(ctx);

	mutex_lock(&xd_irqfds_mutex);
	spin_lock_irq(&xd_irqfds_lock);
	list_for_each_entry(k, &xd_irqfds, list) {
		if (k->eventfd == ctx) {
			/* A restricted file cannot end another domain's. */
			if (xd_may_target(restrict_domid, k->dom))
				xd_irqfd_deactivate(k);
			break;
		}
	}
	spin_unlock_irq(&xd_irqfds_lock);
	mutex_unlock(&xd_irqfds_mutex);
	eventfd_ctx_put(ctx);
	/* No dm_op of it runs once we return. */
	flush_workqueue(xd_irqfd_wq);
	return 0;
}

/**
 * xd_privcmd_irqfd() - IOCTL_PRIVCMD_IRQFD
 * @filp: the privcmd file
 * @restrict_domid: its restriction (%DOMID_INVALID: none)
 * @uarg: struct privcmd_irqfd
 *
 * Return: 0, or -EFAULT, -EINVAL (unknown flag; not an eventfd), -EPERM
 * (restricted to another domain), -EBADF, -EBUSY (eventfd already bound),
 * -E2BIG (dm_op larger than a page), -ENOMEM.
 */
long xd_privcmd_irqfd(struct file *filp, domid_t restrict_domid,
		      void __user *uarg)
{
	struct privcmd_irqfd irq;

	if (copy_from_user(&irq, uarg, sizeof(irq)))
		return -EFAULT;
	if (irq.flags & ~PRIVCMD_IRQFD_FLAG_DEASSIGN)
		return -EINVAL;
	if (!xd_may_target(restrict_domid, irq.dom))
		return -EPERM;
	if (irq.flags & PRIVCMD_IRQFD_FLAG_DEASSIGN)
		return xd_irqfd_deassign(restrict_domid, &irq);
	return xd_irqfd_assign(filp, &irq);
}

/**
 * xd_privcmd_ioeventfd() - IOCTL_PRIVCMD_IOEVENTFD (see the top of the file)
 * @filp: the privcmd file
 * @restrict_domid: its restriction (%DOMID_INVALID: none)
 * @uarg: struct privcmd_ioeventfd
 *
 * Return: -EFAULT, -EINVAL, -EPERM, -EBADF, -ENODEV or -EOPNOTSUPP.
 */
long xd_privcmd_ioeventfd(struct file *filp, domid_t restrict_domid,
			  void __user *uarg)
{
	struct privcmd_ioeventfd io;
	struct eventfd_ctx *ctx;
	long rc;

	if (copy_from_user(&io, uarg, sizeof(io)))
		return -EFAULT;
	if (io.flags & ~PRIVCMD_IOEVENTFD_FLAG_DEASSIGN)
		return -EINVAL;
	if (!xd_may_target(restrict_domid, io.dom))
		return -EPERM;

	if (io.flags & PRIVCMD_IOEVENTFD_FLAG_DEASSIGN) {
		ctx = eventfd_ctx_fdget(io.event_fd);
		if (IS_ERR(ctx))
			return PTR_ERR(ctx);
		eventfd_ctx_put(ctx);
		return -ENODEV;
	}

	if (io.addr + io.addr_len < io.addr)
		return -EINVAL;
	/* The lengths vhost uses. */
	if (io.addr_len != 1 && io.addr_len != 2 && io.addr_len != 4 &&
	    io.addr_len != 8)
		return -EINVAL;
	if (!io.vcpus || io.vcpus > 4096)
		return -EINVAL;

	ctx = eventfd_ctx_fdget(io.event_fd);
	if (IS_ERR(ctx))
		return PTR_ERR(ctx);
	rc = xd_privcmd_ioreq_mapped(current->mm, io.ioreq) ? -EOPNOTSUPP :
							      -EFAULT;
	eventfd_ctx_put(ctx);
	return rc;
}

/* The privcmd file @filp goes away: so do its irqfds. */
void xd_privcmd_eventfd_release(struct file *filp)
{
	struct xd_irqfd *k, *n;
	bool any = false;

	mutex_lock(&xd_irqfds_mutex);
	spin_lock_irq(&xd_irqfds_lock);
	list_for_each_entry_safe(k, n, &xd_irqfds, list) {
		if (k->owner == filp) {
			xd_irqfd_deactivate(k);
			any = true;
		}
	}
	spin_unlock_irq(&xd_irqfds_lock);
	mutex_unlock(&xd_irqfds_mutex);
	if (any)
		flush_workqueue(xd_irqfd_wq);
}

int xd_privcmd_eventfd_init(void)
{
	xd_irqfd_wq = alloc_workqueue("xd-privcmd-irqfd", 0, 0);
	return xd_irqfd_wq ? 0 : -ENOMEM;
}

void xd_privcmd_eventfd_exit(void)
{
	/* Every file is closed: all that can remain are queued shutdowns. */
	destroy_workqueue(xd_irqfd_wq);
}
