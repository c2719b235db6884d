// SPDX-License-Identifier: GPL-2.0-only
/*
 * xen-evtchn: /dev/xen/evtchn, event channels for user space.
 *
 * Each open file owns a set of event channel ports.  When one of them
 * fires, the port number is queued on the file's ring, where read()
 * returns it; the port then stays masked until user space writes it back
 * (late EOI), so a remote domain that notifies without end costs Dom0 one
 * wake-up per round trip of the consumer, never a CPU.
 *
 * The ABI (ioctl numbers, argument layouts, errnos, read/write/poll
 * semantics) is the one of include/uapi/xen/evtchn.h as the in-tree driver
 * implements it, so xenstored, xenconsoled, libxenevtchn and QEMU work
 * unchanged.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/poll.h>
#include <linux/sched.h>
#include <linux/uaccess.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/wait.h>
#include <linux/xarray.h>
#include <linux/interrupt.h>

#include <xen/xen.h>
#include <xen/events.h>
#include <xen/xen-ops.h>
#include <asm/xen/hypervisor.h>

#include "xd_compat.h"
#include "xd_variant.h"

#define XD_EVTCHN_VERSION "1.0.0"

/* Restriction value of a file that may reach every domain. */
#define XD_EVTCHN_UNRESTRICTED ((domid_t)-1)

/* The ring never shrinks below this many entries once a port is bound. */
#define XD_EVTCHN_RING_MIN 64U

/* read() and write() move at most a page of port numbers per call. */
#define XD_EVTCHN_IO_MAX PAGE_SIZE

struct xd_evtchn_file;

/**
 * struct xd_evtchn_port - one event channel port bound by an open file
 * @file: the open file that owns the port
 * @port: the port number
 * @irq: the Linux IRQ the port is bound to
 * @masked: an event was queued and user space has not written the port
 *	back yet; the event channel stays masked (no EOI) until it does
 * @unbinding: set before the IRQ handler is removed
 */
struct xd_evtchn_port {
	struct xd_evtchn_file *file;
	evtchn_port_t port;
	int irq;
	bool masked;
	bool unbinding;
};

/**
 * struct xd_evtchn_file - state of one open /dev/xen/evtchn
 * @lock: serialises binding, unbinding, unmasking and the ioctls
 * @ports: bound ports, indexed by port number
 * @nr_ports: number of entries in @ports
 * @restrict_domid: the only domain this file may bind to, or
 *	%XD_EVTCHN_UNRESTRICTED
 * @read_lock: serialises readers and RESET against each other
 * @ring_lock: protects the ring; taken in the IRQ handler
 * @ring: pending ports, @ring_size entries, a power of two
 * @ring_size: entries in @ring; at least @nr_ports so every bound port
 *	fits once
 * @ring_cons: consumer index (free running)
 * @ring_prod: producer index (free running)
 * @overflow: an event was lost because the ring was full; read() fails
 *	with -EFBIG until RESET
 * @bounce: a page read() copies pending ports into under @ring_lock,
 *	so user memory is never touched with a spinlock held
 * @wait: readers and pollers wait here
 * @fasync: SIGIO subscribers
 * @name: IRQ name, "evtchn:<comm of the opener>"
 */
struct xd_evtchn_file {
	struct mutex lock;		/* ports, restriction, ioctls */
	struct xarray ports;
	unsigned int nr_ports;
	domid_t restrict_domid;

	struct mutex read_lock;		/* readers against RESET */
	spinlock_t ring_lock;		/* ring, indices, overflow */
	evtchn_port_t *ring;
	unsigned int ring_size;
	unsigned int ring_cons;
	unsigned int ring_prod;
	bool overflow;
	evtchn_port_t *bounce;

	wait_queue_head_t wait;
	struct fasync_struct *fasync;
	char *name;
};

static irqreturn_t xd_evtchn_interrupt(int irq, void *data)
{
	struct xd_evtchn_port *p = data;
	struct xd_evtchn_file *f = p->file;
	bool was_empty = false;

	/* The handler may run once more while the IRQ is being released. */
	if (READ_ONCE(p->unbinding))
		return IRQ_HANDLED;

	spin_lock(&f->ring_lock);
	WRITE_ONCE(p->masked, true);
	if (f->ring_prod - f->ring_cons < f->ring_size) {
		f->ring[f->ring_prod & (f->ring_size - 1)] = p->port;
		was_empty = f->ring_prod == f->ring_cons;
		f->ring_prod++;
	} else {
		f->overflow = true;
	}
	spin_unlock(&f->ring_lock);

	if (was_empty) {
		wake_up_interruptible(&f->wait);
		kill_fasync(&f->fasync, SIGIO, POLL_IN);
	}
	return IRQ_HANDLED;
}

/*
 * Make the ring hold at least @want entries.  Entries keep their free
 * running indices, so readers and the IRQ handler see the same queue.
 */
static int xd_evtchn_ring_reserve(struct xd_evtchn_file *f, unsigned int want)
{
	unsigned int size, old_size, i;
	evtchn_port_t *ring, *old;

	if (want <= f->ring_size)
		return 0;
	size = max(f->ring_size, XD_EVTCHN_RING_MIN);
	while (size < want) {
		if (size > UINT_MAX / 2)
			return -ENOSPC;
		size *= 2;
	}

	ring = kvmalloc_array(size, sizeof(*ring), GFP_KERNEL);
	if (!ring)
		return -ENOMEM;

	spin_lock_irq(&f->ring_lock);
	old = f->ring;
	old_size = f->ring_size;
	for (i = f->ring_cons; i != f->ring_prod; i++)
		ring[i & (size - 1)] = old[i & (old_size - 1)];
	f->ring = ring;
	f->ring_size = size;
	spin_unlock_irq(&f->ring_lock);

	kvfree(old);
	return 0;
}

/*
 * Take ownership of @port for @f: bind it to an IRQ whose handler queues
 * the port on @f's ring.  On failure a port that Xen allocated for us is
 * closed again; a static port is left as it was.  Called with f->lock held.
 */
static int xd_evtchn_attach(struct xd_evtchn_file *f, evtchn_port_t port,
			    bool is_static)
{
	struct xd_evtchn_port *p;
	int rc;

	/*
	 * No range check against xen_evtchn_nr_channels() here: that is the
	 * size of the event array so far, which grows when a higher port is
	 * bound (FIFO ABI).  Ports come from Xen, or, for static ones, are
	 * range checked by the event core.
	 */
	rc = -ENOMEM;
	p = kzalloc(sizeof(*p), GFP_KERNEL);
	if (!p)
		goto out_close;
	p->file = f;
	p->port = port;

	rc = xa_insert(&f->ports, port, p, GFP_KERNEL);
	if (rc)
		goto out_free;

	rc = xd_evtchn_ring_reserve(f, f->nr_ports + 1);
	if (rc)
		goto out_erase;

	/* No IRQF_SHARED: a port never delivers to two owners. */
	rc = bind_evtchn_to_irqhandler_lateeoi(port, xd_evtchn_interrupt, 0,
					       f->name, p);
	if (rc < 0)
		goto out_erase;
	p->irq = rc;

	rc = xd_evtchn_make_refcounted(port, is_static);
	if (rc) {
		WRITE_ONCE(p->unbinding, true);
		/* Closes a non-static port, as the IRQ core owns it now. */
		unbind_from_irqhandler(p->irq, p);
		xa_erase(&f->ports, port);
		kfree(p);
		return rc;
	}

	f->nr_ports++;
	return 0;

out_erase:
	xa_erase(&f->ports, port);
out_free:
	kfree(p);
out_close:
	if (!is_static)
		xd_evtchn_close(port);
	return rc;
}

/* Release @p: remove its IRQ (which closes or releases the port). */
static void xd_evtchn_detach(struct xd_evtchn_file *f, struct xd_evtchn_port *p)
{
	xa_erase(&f->ports, p->port);
	WRITE_ONCE(p->unbinding, true);
	/* free_irq() waits for a handler still running on another CPU. */
	unbind_from_irqhandler(p->irq, p);
	f->nr_ports--;
	kfree(p);
}

static ssize_t xd_evtchn_read(struct file *filp, char __user *buf,
			      size_t count, loff_t *ppos)
{
	struct xd_evtchn_file *f = filp->private_data;
	unsigned int n, i, avail;
	ssize_t rc;

	count &= ~(sizeof(evtchn_port_t) - 1);
	if (!count)
		return 0;
	count = min_t(size_t, count, XD_EVTCHN_IO_MAX);

	for (;;) {
		mutex_lock(&f->read_lock);
		spin_lock_irq(&f->ring_lock);
		if (f->overflow) {
			rc = -EFBIG;
			goto out_unlock;
		}
		if (f->ring_prod != f->ring_cons)
			break;
		spin_unlock_irq(&f->ring_lock);
		mutex_unlock(&f->read_lock);

		if (filp->f_flags & O_NONBLOCK)
			return -EAGAIN;
		rc = wait_event_interruptible(f->wait,
					      READ_ONCE(f->ring_prod) !=
					      READ_ONCE(f->ring_cons));
		if (rc)
			return rc;
	}

	/* Copy out under the lock; touch user memory without it. */
	avail = f->ring_prod - f->ring_cons;
	n = min_t(unsigned int, avail, count / sizeof(evtchn_port_t));
	for (i = 0; i < n; i++)
		f->bounce[i] = f->ring[(f->ring_cons + i) & (f->ring_size - 1)];
	spin_unlock_irq(&f->ring_lock);

	if (copy_to_user(buf, f->bounce, n * sizeof(evtchn_port_t))) {
		rc = -EFAULT;
		goto out;
	}

	/* RESET also takes read_lock, so the entries are still ours. */
	spin_lock_irq(&f->ring_lock);
	f->ring_cons += n;
	rc = n * sizeof(evtchn_port_t);
out_unlock:
	spin_unlock_irq(&f->ring_lock);
out:
	mutex_unlock(&f->read_lock);
	return rc;
}

/* write(): each port written is unmasked (its late EOI is sent). */
static ssize_t xd_evtchn_write(struct file *filp, const char __user *buf,
			       size_t count, loff_t *ppos)
{
	struct xd_evtchn_file *f = filp->private_data;
	evtchn_port_t *ports;
	unsigned int i;

	count &= ~(sizeof(evtchn_port_t) - 1);
	if (!count)
		return 0;
	count = min_t(size_t, count, XD_EVTCHN_IO_MAX);

	ports = memdup_user(buf, count);
	if (IS_ERR(ports))
		return PTR_ERR(ports);

	mutex_lock(&f->lock);
	for (i = 0; i < count / sizeof(evtchn_port_t); i++) {
		struct xd_evtchn_port *p = xa_load(&f->ports, ports[i]);

		/* Ports of other files, and unknown ones, are ignored. */
		if (p && READ_ONCE(p->masked)) {
			WRITE_ONCE(p->masked, false);
			xen_irq_lateeoi(p->irq, 0);
		}
	}
	mutex_unlock(&f->lock);

	kfree(ports);
	return count;
}

static long xd_evtchn_bind_virq(struct xd_evtchn_file *f, void __user *arg)
{
	struct ioctl_evtchn_bind_virq bind;
	struct evtchn_bind_virq op = {};
	int rc;

	if (f->restrict_domid != XD_EVTCHN_UNRESTRICTED)
		return -EACCES;
	if (copy_from_user(&bind, arg, sizeof(bind)))
		return -EFAULT;

	op.virq = bind.virq;
	op.vcpu = xen_vcpu_nr(0);
	rc = HYPERVISOR_event_channel_op(EVTCHNOP_bind_virq, &op);
	if (rc)
		return rc;
	rc = xd_evtchn_attach(f, op.port, false);
	return rc ? rc : op.port;
}

static long xd_evtchn_bind_interdomain(struct xd_evtchn_file *f,
				       void __user *arg)
{
	struct ioctl_evtchn_bind_interdomain bind;
	struct evtchn_bind_interdomain op = {};
	int rc;

	if (copy_from_user(&bind, arg, sizeof(bind)))
		return -EFAULT;
	if (f->restrict_domid != XD_EVTCHN_UNRESTRICTED &&
	    f->restrict_domid != bind.remote_domain)
		return -EACCES;

	op.remote_dom = bind.remote_domain;
	op.remote_port = bind.remote_port;
	rc = HYPERVISOR_event_channel_op(EVTCHNOP_bind_interdomain, &op);
	if (rc)
		return rc;
	rc = xd_evtchn_attach(f, op.local_port, false);
	return rc ? rc : op.local_port;
}

static long xd_evtchn_bind_unbound(struct xd_evtchn_file *f, void __user *arg)
{
	struct ioctl_evtchn_bind_unbound_port bind;
	struct evtchn_alloc_unbound op = {};
	int rc;

	if (f->restrict_domid != XD_EVTCHN_UNRESTRICTED)
		return -EACCES;
	if (copy_from_user(&bind, arg, sizeof(bind)))
		return -EFAULT;

	op.dom = DOMID_SELF;
	op.remote_dom = bind.remote_domain;
	rc = HYPERVISOR_event_channel_op(EVTCHNOP_alloc_unbound, &op);
	if (rc)
		return rc;
	rc = xd_evtchn_attach(f, op.port, false);
	return rc ? rc : op.port;
}

static long xd_evtchn_bind_static(struct xd_evtchn_file *f, void __user *arg)
{
	struct ioctl_evtchn_bind bind;

	if (!XD_EVTCHN_HAVE_BIND_STATIC)
		return -ENOSYS;
	if (copy_from_user(&bind, arg, sizeof(bind)))
		return -EFAULT;
	if (xa_load(&f->ports, bind.port))
		return -EISCONN;
	/*
	 * A port that already has an IRQ belongs to the kernel or to another
	 * open file: never take it over (binding it would hand its events to
	 * this file, and failing would close it under its owner).
	 */
	if (irq_from_evtchn(bind.port) >= 0)
		return -EBUSY;
	return xd_evtchn_attach(f, bind.port, true);
}

static long xd_evtchn_unbind(struct xd_evtchn_file *f, void __user *arg)
{
	struct ioctl_evtchn_unbind unbind;
	struct xd_evtchn_port *p;

	if (copy_from_user(&unbind, arg, sizeof(unbind)))
		return -EFAULT;
	if (unbind.port >= xen_evtchn_nr_channels())
		return -EINVAL;
	p = xa_load(&f->ports, unbind.port);
	if (!p)
		return -ENOTCONN;
	xd_evtchn_detach(f, p);
	return 0;
}

static long xd_evtchn_notify(struct xd_evtchn_file *f, void __user *arg)
{
	struct ioctl_evtchn_notify notify;

	if (copy_from_user(&notify, arg, sizeof(notify)))
		return -EFAULT;
	/* Only a port this file owns can be signalled through it. */
	if (!xa_load(&f->ports, notify.port))
		return -ENOTCONN;
	notify_remote_via_evtchn(notify.port);
	return 0;
}

static long xd_evtchn_reset(struct xd_evtchn_file *f)
{
	mutex_lock(&f->read_lock);
	spin_lock_irq(&f->ring_lock);
	f->ring_cons = 0;
	f->ring_prod = 0;
	f->overflow = false;
	spin_unlock_irq(&f->ring_lock);
	mutex_unlock(&f->read_lock);
	return 0;
}

static long xd_evtchn_restrict(struct xd_evtchn_file *f, void __user *arg)
{
	struct ioctl_evtchn_restrict_domid r;

	if (f->restrict_domid != XD_EVTCHN_UNRESTRICTED)
		return -EACCES;
	if (copy_from_user(&r, arg, sizeof(r)))
		return -EFAULT;
	if (r.domid == 0 || r.domid >= DOMID_FIRST_RESERVED)
		return -EINVAL;
	f->restrict_domid = r.domid;
	return 0;
}

static long xd_evtchn_ioctl(struct file *filp, unsigned int cmd,
			    unsigned long arg)
{
	struct xd_evtchn_file *f = filp->private_data;
	void __user *uarg = (void __user *)arg;
	long rc;

	mutex_lock(&f->lock);
	switch (cmd) {
	case IOCTL_EVTCHN_BIND_VIRQ:
		rc = xd_evtchn_bind_virq(f, uarg);
		break;
	case IOCTL_EVTCHN_BIND_INTERDOMAIN:
		rc = xd_evtchn_bind_interdomain(f, uarg);
		break;
	case IOCTL_EVTCHN_BIND_UNBOUND_PORT:
		rc = xd_evtchn_bind_unbound(f, uarg);
		break;
	case IOCTL_EVTCHN_BIND_STATIC:
		rc = xd_evtchn_bind_static(f, uarg);
		break;
	case IOCTL_EVTCHN_UNBIND:
		rc = xd_evtchn_unbind(f, uarg);
		break;
	case IOCTL_EVTCHN_NOTIFY:
		rc = xd_evtchn_notify(f, uarg);
		break;
	case IOCTL_EVTCHN_RESET:
		rc = xd_evtchn_reset(f);
		break;
	case IOCTL_EVTCHN_RESTRICT_DOMID:
		rc = xd_evtchn_restrict(f, uarg);
		break;
	default:
		/* The in-tree device's answer, which libraries rely on. */
		rc = -ENOSYS;
		break;
	}
	mutex_unlock(&f->lock);
	return rc;
}

static __poll_t xd_evtchn_poll(struct file *filp, poll_table *wait)
{
	struct xd_evtchn_file *f = filp->private_data;
	__poll_t mask = EPOLLOUT | EPOLLWRNORM;

	poll_wait(filp, &f->wait, wait);
	if (READ_ONCE(f->ring_cons) != READ_ONCE(f->ring_prod))
		mask |= EPOLLIN | EPOLLRDNORM;
	if (READ_ONCE(f->overflow))
		mask = EPOLLERR;
	return mask;
}

static int xd_evtchn_fasync(int fd, struct file *filp, int on)
{
	struct xd_evtchn_file *f = filp->private_data;

	return fasync_helper(fd, filp, on, &f->fasync);
}

static int xd_evtchn_open(struct inode *inode, struct file *filp)
{
	struct xd_evtchn_file *f;

	f = kzalloc(sizeof(*f), GFP_KERNEL);
	if (!f)
		return -ENOMEM;

	f->name = kasprintf(GFP_KERNEL, "evtchn:%s", current->comm);
	f->bounce = kmalloc(XD_EVTCHN_IO_MAX, GFP_KERNEL);
	if (!f->name || !f->bounce) {
		kfree(f->bounce);
		kfree(f->name);
		kfree(f);
		return -ENOMEM;
	}

	mutex_init(&f->lock);
	mutex_init(&f->read_lock);
	spin_lock_init(&f->ring_lock);
	xa_init(&f->ports);
	init_waitqueue_head(&f->wait);
	f->restrict_domid = XD_EVTCHN_UNRESTRICTED;

	filp->private_data = f;
	return stream_open(inode, filp);
}

static int xd_evtchn_release(struct inode *inode, struct file *filp)
{
	struct xd_evtchn_file *f = filp->private_data;
	struct xd_evtchn_port *p;
	unsigned long index;

	xa_for_each(&f->ports, index, p)
		xd_evtchn_detach(f, p);
	xa_destroy(&f->ports);

	kvfree(f->ring);
	kfree(f->bounce);
	kfree(f->name);
	kfree(f);
	return 0;
}

static const struct file_operations xd_evtchn_fops = {
	.owner = THIS_MODULE,
	.open = xd_evtchn_open,
	.release = xd_evtchn_release,
	.read = xd_evtchn_read,
	.write = xd_evtchn_write,
	.poll = xd_evtchn_poll,
	.fasync = xd_evtchn_fasync,
	.unlocked_ioctl = xd_evtchn_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

static struct miscdevice xd_evtchn_miscdev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = XD_DEVNAME("evtchn"),
	.fops = &xd_evtchn_fops,
};

static int __init xd_evtchn_init(void)
{
	int rc;

	if (!xen_domain())
		return -ENODEV;

	rc = misc_register(&xd_evtchn_miscdev);
	if (rc) {
		pr_err("cannot register /dev/xen/evtchn: %d\n", rc);
		return rc;
	}
	pr_info("xen-dom0 event channel device %s\n", XD_EVTCHN_VERSION);
	return 0;
}

static void __exit xd_evtchn_exit(void)
{
	misc_deregister(&xd_evtchn_miscdev);
}

module_init(xd_evtchn_init);
module_exit(xd_evtchn_exit);

MODULE_DESCRIPTION("Xen /dev/xen/evtchn: event channels for user space (xen-dom0)");
MODULE_LICENSE("GPL");
MODULE_VERSION(XD_EVTCHN_VERSION);
