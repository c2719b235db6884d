// SPDX-License-Identifier: GPL-2.0-only
/*
 * ctl.c - /dev/xen/netback, the control device of xen-netback: list the
 * vifs, read their counters, set their rate limit (ioctls of
 * uapi/xen-netback-ctl.h), and read or poll the event stream (xd_evlog).
 *
 * Locking: xnb_vifs_lock protects the list of vifs and is taken before
 * a vif's lock (xnb_vif.lock), never after it.  A vif is on the list from
 * the end of its probe until the start of its removal, and an ioctl uses
 * a vif only while it holds xnb_vifs_lock, so removal (which takes
 * xnb_vifs_lock to unlist the vif first) cannot free a vif in use.
 * Nothing called with a vif's lock held takes xnb_vifs_lock.
 */
#include <linux/fs.h>
#include <linux/list.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "netback.h"
#include "uapi/xen-netback-ctl.h"

/* Longest rate window accepted (as for the toolstack's "rate" node). */
#define XNB_RATE_USEC_MAX	10000000ULL

struct xd_evlog xnb_evlog;

static LIST_HEAD(xnb_vifs);
static DEFINE_MUTEX(xnb_vifs_lock);	/* the list; before xnb_vif.lock */

/**
 * xnb_ctl_add_vif() - make a new vif visible to the control device
 * @vif: the vif, fully set up
 */
void xnb_ctl_add_vif(struct xnb_vif *vif)
{
	mutex_lock(&xnb_vifs_lock);
	list_add_tail(&vif->node, &xnb_vifs);
	mutex_unlock(&xnb_vifs_lock);
}

/**
 * xnb_ctl_del_vif() - hide a vif from the control device before removal
 * @vif: the vif; its lock must not be held
 *
 * Returns when no ioctl uses @vif any more.
 */
void xnb_ctl_del_vif(struct xnb_vif *vif)
{
	mutex_lock(&xnb_vifs_lock);
	list_del_init(&vif->node);
	mutex_unlock(&xnb_vifs_lock);
}

/* The vif of @domid/@handle, or NULL; xnb_vifs_lock held. */
static struct xnb_vif *xnb_ctl_find(u32 domid, u32 handle)
{
	struct xnb_vif *vif;

	lockdep_assert_held(&xnb_vifs_lock);
	list_for_each_entry(vif, &xnb_vifs, node)
		if (vif->domid == domid && vif->handle == handle)
			return vif;
	return NULL;
}

/* Fill @out from @vif; xnb_vifs_lock held. */
static void xnb_ctl_describe(struct xnb_vif *vif, struct xnb_ctl_vif *out)
{
	struct net_device *dev = vif->dev;

	memset(out, 0, sizeof(*out));
	mutex_lock(&vif->lock);
	out->domid = vif->domid;
	out->handle = vif->handle;
	out->state = vif->xdev->state;
	out->nr_queues = vif->nr_queues;
	if (test_bit(XNB_F_CONNECTED, &vif->flags))
		out->flags |= XNB_CTL_F_CONNECTED;
	if (test_bit(XNB_F_DISABLED, &vif->flags))
		out->flags |= XNB_CTL_F_DISABLED;
	if (netif_carrier_ok(dev))
		out->flags |= XNB_CTL_F_CARRIER;
	out->mtu = READ_ONCE(dev->mtu);
	strscpy(out->ifname, dev->name, sizeof(out->ifname));
	memcpy(out->mac, dev->dev_addr, sizeof(out->mac));
	out->rate_bytes = vif->credit_bytes;
	out->rate_usec = vif->credit_bytes ? vif->credit_usec : 0;
	mutex_unlock(&vif->lock);
}

static long xnb_ctl_list(struct xnb_ctl_list __user *uarg)
{
	struct xnb_ctl_vif *tab = NULL;
	struct xnb_ctl_list arg;
	struct xnb_vif *vif;
	u32 n = 0, i, cap;
	long err = 0;

	if (copy_from_user(&arg, uarg, sizeof(arg)))
		return -EFAULT;
	mutex_lock(&xnb_vifs_lock);
	list_for_each_entry(vif, &xnb_vifs, node)
		n++;
	cap = min(arg.count, n);
	if (cap) {
		tab = kcalloc(cap, sizeof(*tab), GFP_KERNEL);
		if (!tab) {
			mutex_unlock(&xnb_vifs_lock);
			return -ENOMEM;
		}
		i = 0;
		list_for_each_entry(vif, &xnb_vifs, node)
			if (i < cap)
				xnb_ctl_describe(vif, &tab[i++]);
	}
	mutex_unlock(&xnb_vifs_lock);
	if (cap && copy_to_user(u64_to_user_ptr(arg.vifs), tab,
				cap * sizeof(*tab)))
		err = -EFAULT;
	kfree(tab);
	if (err)
		return err;
	arg.count = n;
	if (copy_to_user(uarg, &arg, sizeof(arg)))
		return -EFAULT;
	return 0;
}

/* Add the counters of queue @q to @out. */
static void xnb_ctl_add_stats(struct xnb_ctl_stats *out,
			      const struct xnb_queue *q)
{
	const struct xnb_stats *st = &q->st;

	out->guest_tx_packets += READ_ONCE(st->rx_packets);
	out->guest_tx_bytes += READ_ONCE(st->rx_bytes);
	out->guest_tx_errors += READ_ONCE(st->rx_errors);
	out->guest_tx_dropped += atomic64_read(&st->rx_dropped);
	out->guest_tx_gso += READ_ONCE(st->rx_gso);
	out->guest_tx_csum_fixup += READ_ONCE(st->rx_csum_fixup);
	out->guest_rx_packets += READ_ONCE(st->tx_packets);
	out->guest_rx_bytes += READ_ONCE(st->tx_bytes);
	out->guest_rx_errors += READ_ONCE(st->tx_errors);
	out->guest_rx_dropped += atomic64_read(&st->tx_dropped);
	out->guest_rx_gso += READ_ONCE(st->tx_gso);
	out->guest_rx_expired += atomic64_read(&st->tx_expired);
	out->guest_tx_copy_fail += READ_ONCE(st->rx_copy_fail);
	out->guest_rx_copy_fail += READ_ONCE(st->tx_copy_fail);
	out->stalls += READ_ONCE(st->tx_stalls);
	out->throttled += READ_ONCE(st->throttled);
	out->violations += atomic64_read(&st->violations);
	out->guest_rx_hash += READ_ONCE(st->tx_hash);
	out->guest_rx_mcast_filtered += atomic64_read(&st->mcast_filtered);
	out->spurious_events += atomic64_read(&st->spurious);
}

static long xnb_ctl_get_stats(struct xnb_ctl_stats __user *uarg)
{
	struct xnb_ctl_stats arg;
	u32 domid, handle, queue;
	struct xnb_vif *vif;
	unsigned int i, nq;
	long err = 0;

	if (copy_from_user(&arg, uarg, sizeof(arg)))
		return -EFAULT;
	mutex_lock(&xnb_vifs_lock);
	vif = xnb_ctl_find(arg.domid, arg.handle);
	if (!vif) {
		err = -ENODEV;
		goto out;
	}
	/* The counters of every queue live as long as the vif. */
	nq = vif->dev->num_tx_queues;
	if (arg.queue != XNB_CTL_ALL_QUEUES && arg.queue >= nq) {
		err = -EINVAL;
		goto out;
	}
	domid = arg.domid;
	handle = arg.handle;
	queue = arg.queue;
	memset(&arg, 0, sizeof(arg));
	arg.domid = domid;
	arg.handle = handle;
	arg.queue = queue;
	arg.nr_queues = nq;
	for (i = 0; i < nq; i++)
		if (queue == XNB_CTL_ALL_QUEUES || queue == i)
			xnb_ctl_add_stats(&arg, &vif->queues[i]);
out:
	mutex_unlock(&xnb_vifs_lock);
	if (!err && copy_to_user(uarg, &arg, sizeof(arg)))
		err = -EFAULT;
	return err;
}

/**
 * xnb_apply_rate() - apply a new rate limit to a vif, connected or not
 * @vif: the vif (its @lock not held)
 * @bytes: bytes per window, 0 for unlimited
 * @usec: the window
 *
 * The queues' NAPI is disabled meanwhile (and credit_work cancelled), so
 * no poll sees a half updated limit; every queue starts a fresh window
 * with the new credit, and a queue that was throttled is polled again
 * under the new rate.  Used by SET_RATE and the toolstack's "rate" node.
 */
void xnb_apply_rate(struct xnb_vif *vif, u64 bytes, u64 usec)
{
	unsigned int i, n;

	mutex_lock(&vif->lock);
	n = vif->nr_queues;	/* > 0: every queue started (connect) */
	for (i = 0; i < n; i++) {
		napi_disable(&vif->queues[i].napi);
		cancel_delayed_work_sync(&vif->queues[i].credit_work);
	}
	xnb_set_rate(vif, bytes, usec);
	for (i = 0; i < n; i++) {
		struct xnb_queue *q = &vif->queues[i];

		q->credit_left = vif->credit_bytes;
		q->credit_start = jiffies;
		q->tx_throttled = false;
		napi_enable(&q->napi);
	}
	/* Events that came while NAPI was disabled are served now. */
	local_bh_disable();
	for (i = 0; i < n; i++)
		napi_schedule(&vif->queues[i].napi);
	local_bh_enable();
	mutex_unlock(&vif->lock);
}

static long xnb_ctl_rate(unsigned int cmd, struct xnb_ctl_rate __user *uarg)
{
	struct xnb_ctl_rate arg;
	struct xnb_vif *vif;
	long err = 0;

	if (copy_from_user(&arg, uarg, sizeof(arg)))
		return -EFAULT;
	if (cmd == XNB_CTL_SET_RATE && arg.bytes &&
	    (!arg.usec || arg.usec > XNB_RATE_USEC_MAX))
		return -EINVAL;
	mutex_lock(&xnb_vifs_lock);
	vif = xnb_ctl_find(arg.domid, arg.handle);
	if (!vif) {
		err = -ENODEV;
	} else if (cmd == XNB_CTL_SET_RATE) {
		xnb_apply_rate(vif, arg.bytes, arg.bytes ? arg.usec : 0);
	} else {
		mutex_lock(&vif->lock);
		arg.bytes = vif->credit_bytes;
		arg.usec = vif->credit_bytes ? vif->credit_usec : 0;
		mutex_unlock(&vif->lock);
	}
	mutex_unlock(&xnb_vifs_lock);
	if (!err && cmd == XNB_CTL_GET_RATE &&
	    copy_to_user(uarg, &arg, sizeof(arg)))
		err = -EFAULT;
	return err;
}

static long xnb_ctl_ioctl(struct file *file, unsigned int cmd,
			  unsigned long arg)
{
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case XNB_CTL_LIST:
		return xnb_ctl_list(uarg);
	case XNB_CTL_GET_STATS:
		return xnb_ctl_get_stats(uarg);
	case XNB_CTL_SET_RATE:
	case XNB_CTL_GET_RATE:
		return xnb_ctl_rate(cmd, uarg);
	default:
		return -ENOTTY;
	}
}

/* Each open file reads the event stream from its own position. */
static int xnb_ctl_open(struct inode *inode, struct file *file)
{
	return xd_evlog_open(&xnb_evlog, inode, file);
}

static const struct file_operations xnb_ctl_fops = {
	.owner = THIS_MODULE,
	.open = xnb_ctl_open,
	.release = xd_evlog_release,
	.read = xd_evlog_file_read,
	.poll = xd_evlog_file_poll,
	.unlocked_ioctl = xnb_ctl_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

static struct miscdevice xnb_ctl_dev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "xen/netback",
	.fops = &xnb_ctl_fops,
	.mode = 0600,
};

int xnb_ctl_init(void)
{
	/* The same layouts for 32-bit callers (compat_ptr_ioctl). */
	BUILD_BUG_ON(sizeof(struct xnb_ctl_vif) != 64);
	BUILD_BUG_ON(sizeof(struct xnb_ctl_list) != 16);
	BUILD_BUG_ON(sizeof(struct xnb_ctl_stats) != 16 + 17 * 8 + 8 * 8);
	BUILD_BUG_ON(sizeof(struct xnb_ctl_rate) != 24);
	return misc_register(&xnb_ctl_dev);
}

void xnb_ctl_exit(void)
{
	misc_deregister(&xnb_ctl_dev);
}
