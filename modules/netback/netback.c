// SPDX-License-Identifier: GPL-2.0-only
/*
 * netback.c - xen-netback: the xenbus "vif" backend and the vifD.N netdev.
 *
 * Toolstack flow: libxl creates the backend directory; probe() creates and
 * registers vif<domid>.<handle> (the hotplug script attaches it to a
 * bridge), advertises the features and waits in InitWait.  When the
 * frontend is Initialised/Connected, connect() reads its ring references
 * and event channels per queue, maps the rings, binds the channels (late
 * EOI) and switches to Connected.  Closing/Closed tear the datapath down;
 * the device goes away with its xenstore directory.
 */
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/etherdevice.h>
#include <linux/ethtool.h>
#include <linux/if_vlan.h>
#include <linux/rtnetlink.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <xen/xen.h>
#include <xen/events.h>
#include <xen/xenbus.h>

#include "xd_compat_net.h"
#include "netback.h"

#define XNB_VERSION "0.4.1"

/* 0 until module init: then the number of online CPUs, as in-tree. */
unsigned int xnb_max_queues;
module_param_named(max_queues, xnb_max_queues, uint, 0644);
MODULE_PARM_DESC(max_queues, "Maximum queues per vif offered to a new frontend (default: online CPUs)");

static bool xnb_separate_irqs = true;
module_param_named(separate_tx_rx_irq, xnb_separate_irqs, bool, 0644);
MODULE_PARM_DESC(separate_tx_rx_irq, "Offer split event channels for the two rings");

unsigned int xnb_max_skb_slots = XEN_NETIF_NR_SLOTS_MIN;
module_param_named(max_skb_slots, xnb_max_skb_slots, uint, 0444);
MODULE_PARM_DESC(max_skb_slots, "Slots per guest packet above which the packet is dropped");

unsigned int xnb_fatal_skb_slots = 20;
module_param_named(fatal_skb_slots, xnb_fatal_skb_slots, uint, 0444);
MODULE_PARM_DESC(fatal_skb_slots, "Slots per guest packet above which the vif is disabled");

unsigned int xnb_rx_queue_bytes = 512 * 1024;
module_param_named(rx_queue_bytes, xnb_rx_queue_bytes, uint, 0644);
MODULE_PARM_DESC(rx_queue_bytes, "Bytes queued per queue for a guest before the queue is stopped");

static bool xnb_rx_local;
module_param_named(rx_local, xnb_rx_local, bool, 0444);
MODULE_PARM_DESC(rx_local, "Deliver to the guest on the CPU that queued the packet (a per-CPU high-priority worker) instead of any CPU");

unsigned int xnb_rx_copy_ops = 64;
module_param_named(rx_copy_ops, xnb_rx_copy_ops, uint, 0644);
MODULE_PARM_DESC(rx_copy_ops, "Grant-copy operations per receive batch before the guest is notified (at most 1024; a larger packet goes alone)");

unsigned int xnb_rx_drain_msecs = 10000;
module_param_named(rx_drain_timeout_msecs, xnb_rx_drain_msecs, uint, 0444);
MODULE_PARM_DESC(rx_drain_timeout_msecs, "Packets a guest does not take within this time are dropped");

unsigned int xnb_rx_stall_msecs = 60000;
module_param_named(rx_stall_timeout_msecs, xnb_rx_stall_msecs, uint, 0444);
MODULE_PARM_DESC(rx_stall_timeout_msecs, "A guest posting no buffers this long is stalled (carrier off)");

/* As in-tree: whether new vifs offer "feature-xdp-headroom". */
static bool xnb_provides_xdp_headroom = true;
module_param_named(provides_xdp_headroom, xnb_provides_xdp_headroom, bool, 0644);
MODULE_PARM_DESC(provides_xdp_headroom, "Offer XDP headroom (feature-xdp-headroom) to the frontends of new vifs");

struct workqueue_struct *xnb_wq;
/* The receive work's queue: xnb_wq, or a per-CPU one (rx_local). */
struct workqueue_struct *xnb_rx_wq;

/* ---- protocol violations ------------------------------------------------ */

/**
 * xnb_carrier() - set the carrier of a vif, reporting a change as an event
 * @vif: the vif
 * @on: the new state
 *
 * Callable from any context.
 */
void xnb_carrier(struct xnb_vif *vif, bool on)
{
	if (netif_carrier_ok(vif->dev) == on)
		return;
	if (on)
		netif_carrier_on(vif->dev);
	else
		netif_carrier_off(vif->dev);
	xd_evlog_add(&xnb_evlog, vif->dev->name, "carrier", "state=%s",
		     on ? "on" : "off");
}

/**
 * xnb_fatal() - a frontend violated the protocol: disable its vif
 * @q: the queue on which the violation was seen
 * @reason: static description, logged and written to xenstore
 *
 * Callable from any context.  The datapath stops serving the vif at once
 * (its event channels stay masked), the carrier goes off, and the work
 * item reports the error through xenbus, which moves the backend to
 * Closing.  Other vifs are not affected.  The violation is reported on
 * /dev/xen/netback as a "violation" event.
 */
void xnb_fatal(struct xnb_queue *q, const char *reason)
{
	struct xnb_vif *vif = q->vif;

	atomic64_inc(&q->st.violations);
	if (test_and_set_bit(XNB_F_DISABLED, &vif->flags))
		return;
	vif->fatal_reason = reason;
	netdev_err(vif->dev, "frontend violated the netif protocol: %s; vif disabled\n",
		   reason);
	xd_evlog_add(&xnb_evlog, vif->dev->name, "violation",
		     "queue=%u reason=%s", q->id, reason);
	xnb_carrier(vif, false);
	schedule_work(&vif->fatal_work);
}

static void xnb_fatal_work(struct work_struct *work)
{
	struct xnb_vif *vif = container_of(work, struct xnb_vif, fatal_work);

	xenbus_dev_fatal(vif->xdev, -EPROTO, "%s", vif->fatal_reason);
}

/* ---- netdev ------------------------------------------------------------ */

static int xnb_open(struct net_device *dev)
{
	struct xnb_vif *vif = netdev_priv(dev);

	/*
	 * The core set __LINK_STATE_START before calling us, xnb_connect()
	 * sets CONNECTED before it tests netif_running(): with a full
	 * barrier on each side, at least one of the two sees the other's
	 * bit and turns the carrier on (an up racing a connect, as the
	 * hotplug script and a restored guest do, must not leave it off).
	 */
	smp_mb();
	if (test_bit(XNB_F_CONNECTED, &vif->flags) &&
	    !test_bit(XNB_F_DISABLED, &vif->flags) &&
	    !atomic_read(&vif->stalled))
		xnb_carrier(vif, true);
	netif_tx_start_all_queues(dev);
	return 0;
}

static int xnb_close(struct net_device *dev)
{
	netif_tx_stop_all_queues(dev);
	return 0;
}

static int xnb_change_mtu(struct net_device *dev, int mtu)
{
	struct xnb_vif *vif = netdev_priv(dev);

	if (!vif->fe_sg && mtu > ETH_DATA_LEN)
		return -EINVAL;
	dev->mtu = mtu;
	return 0;
}

static netdev_features_t xnb_fix_features(struct net_device *dev,
					  netdev_features_t features)
{
	struct xnb_vif *vif = netdev_priv(dev);

	if (!vif->fe_sg)
		features &= ~NETIF_F_SG;
	if (!vif->fe_gso4)
		features &= ~NETIF_F_TSO;
	if (!vif->fe_gso6)
		features &= ~NETIF_F_TSO6;
	if (!vif->fe_csum)
		features &= ~NETIF_F_IP_CSUM;
	if (!vif->fe_ipv6_csum)
		features &= ~NETIF_F_IPV6_CSUM;
	return features;
}

static void xnb_get_stats64(struct net_device *dev,
			    struct rtnl_link_stats64 *s)
{
	struct xnb_vif *vif = netdev_priv(dev);
	unsigned int i;

	/* The queues (and their counters) live as long as the netdev. */
	for (i = 0; i < vif->dev->num_tx_queues; i++) {
		struct xnb_stats *st = &vif->queues[i].st;

		s->rx_packets += READ_ONCE(st->rx_packets);
		s->rx_bytes += READ_ONCE(st->rx_bytes);
		s->rx_errors += READ_ONCE(st->rx_errors);
		s->rx_dropped += atomic64_read(&st->rx_dropped);
		s->tx_packets += READ_ONCE(st->tx_packets);
		s->tx_bytes += READ_ONCE(st->tx_bytes);
		s->tx_errors += READ_ONCE(st->tx_errors);
		s->tx_dropped += atomic64_read(&st->tx_dropped) +
				 atomic64_read(&st->tx_expired);
	}
}

static const struct net_device_ops xnb_netdev_ops = {
	.ndo_open		= xnb_open,
	.ndo_stop		= xnb_close,
	.ndo_start_xmit		= xnb_start_xmit,
	.ndo_select_queue	= xnb_select_queue,
	.ndo_change_mtu		= xnb_change_mtu,
	.ndo_fix_features	= xnb_fix_features,
	.ndo_get_stats64	= xnb_get_stats64,
	.ndo_set_mac_address	= eth_mac_addr,
	.ndo_validate_addr	= eth_validate_addr,
};

/* ethtool -S: per-vif sums of the per-queue counters. */
static const struct {
	char name[ETH_GSTRING_LEN];
	size_t off;
} xnb_stat_names[] = {
	{ "rx_gso_packets", offsetof(struct xnb_stats, rx_gso) },
	{ "rx_gso_checksum_fixup", offsetof(struct xnb_stats, rx_csum_fixup) },
	{ "rx_copy_failures", offsetof(struct xnb_stats, rx_copy_fail) },
	{ "tx_gso_packets", offsetof(struct xnb_stats, tx_gso) },
	{ "tx_copy_failures", offsetof(struct xnb_stats, tx_copy_fail) },
	{ "tx_queue_stalls", offsetof(struct xnb_stats, tx_stalls) },
	{ "tx_hash_extras", offsetof(struct xnb_stats, tx_hash) },
};

#define XNB_NR_STATS (ARRAY_SIZE(xnb_stat_names) + 4)

static int xnb_get_sset_count(struct net_device *dev, int sset)
{
	return sset == ETH_SS_STATS ? XNB_NR_STATS : -EOPNOTSUPP;
}

static void xnb_get_strings(struct net_device *dev, u32 sset, u8 *data)
{
	unsigned int i;

	if (sset != ETH_SS_STATS)
		return;
	for (i = 0; i < ARRAY_SIZE(xnb_stat_names); i++)
		memcpy(data + i * ETH_GSTRING_LEN, xnb_stat_names[i].name,
		       ETH_GSTRING_LEN);
	strscpy(data + i++ * ETH_GSTRING_LEN, "tx_drain_drops", ETH_GSTRING_LEN);
	strscpy(data + i++ * ETH_GSTRING_LEN, "rx_alloc_drops", ETH_GSTRING_LEN);
	strscpy(data + i++ * ETH_GSTRING_LEN, "tx_mcast_filtered", ETH_GSTRING_LEN);
	strscpy(data + i * ETH_GSTRING_LEN, "spurious_events", ETH_GSTRING_LEN);
}

static void xnb_get_ethtool_stats(struct net_device *dev,
				  struct ethtool_stats *stats, u64 *data)
{
	struct xnb_vif *vif = netdev_priv(dev);
	unsigned int i, q;

	memset(data, 0, XNB_NR_STATS * sizeof(*data));
	for (q = 0; q < dev->num_tx_queues; q++) {
		struct xnb_stats *st = &vif->queues[q].st;

		for (i = 0; i < ARRAY_SIZE(xnb_stat_names); i++)
			data[i] += READ_ONCE(*(u64 *)((char *)st +
						       xnb_stat_names[i].off));
		data[i] += atomic64_read(&st->tx_expired);
		data[i + 1] += atomic64_read(&st->rx_dropped);
		data[i + 2] += atomic64_read(&st->mcast_filtered);
		data[i + 3] += atomic64_read(&st->spurious);
	}
}

static const struct ethtool_ops xnb_ethtool_ops = {
	.get_link		= ethtool_op_get_link,
	.get_sset_count		= xnb_get_sset_count,
	.get_strings		= xnb_get_strings,
	.get_ethtool_stats	= xnb_get_ethtool_stats,
};

/* ---- connect / disconnect ----------------------------------------------- */

static int xnb_bind(struct xnb_vif *vif, struct xnb_irq *xi, unsigned int port,
		    irq_handler_t fn, struct xnb_queue *q)
{
	int irq;

	atomic_set(&xi->eoi, 0);
	irq = bind_interdomain_evtchn_to_irqhandler_lateeoi(vif->xdev, port, fn,
							    0, xi->name, q);
	if (irq < 0)
		return irq;
	WRITE_ONCE(xi->irq, irq);
	return 0;
}

static void xnb_unbind(struct xnb_queue *q, struct xnb_irq *xi)
{
	if (xi->irq) {
		unbind_from_irqhandler(xi->irq, q);
		xi->irq = 0;
	}
}

static void xnb_queue_stop(struct xnb_queue *q)
{
	struct xenbus_device *xdev = q->vif->xdev;

	xnb_unbind(q, &q->tx_irq);
	xnb_unbind(q, &q->rx_irq);
	cancel_delayed_work_sync(&q->rx_work);
	if (q->napi.poll) {
		napi_disable(&q->napi);
		cancel_delayed_work_sync(&q->credit_work);
		netif_napi_del(&q->napi);
		q->napi.poll = NULL;
	}
	skb_queue_purge(&q->rx_queue);
	q->rx_bytes = 0;
	if (q->rx_stalled)
		atomic_dec(&q->vif->stalled);
	q->rx_stalled = false;
	if (q->tx.sring) {
		xenbus_unmap_ring_vfree(xdev, q->tx.sring);
		q->tx.sring = NULL;
	}
	if (q->rx.sring) {
		xenbus_unmap_ring_vfree(xdev, q->rx.sring);
		q->rx.sring = NULL;
	}
	kvfree(q->tx_copy);
	kvfree(q->rx_copy);
	kvfree(q->tx_pkts);
	kvfree(q->rx_pkts);
	q->tx_copy = NULL;
	q->rx_copy = NULL;
	q->tx_pkts = NULL;
	q->rx_pkts = NULL;
}

/* Map the rings and bind the channels of queue @q from xenstore @dir. */
static int xnb_queue_start(struct xnb_queue *q, const char *dir)
{
	struct xnb_vif *vif = q->vif;
	struct xenbus_device *xdev = vif->xdev;
	unsigned int tx_ref, rx_ref, tx_port, rx_port;
	void *addr;
	int err;

	err = xenbus_gather(XBT_NIL, dir, "tx-ring-ref", "%u", &tx_ref,
			    "rx-ring-ref", "%u", &rx_ref, NULL);
	if (err) {
		xenbus_dev_fatal(xdev, err, "reading %s/{tx,rx}-ring-ref", dir);
		return err;
	}
	q->split = xenbus_gather(XBT_NIL, dir, "event-channel-tx", "%u", &tx_port,
				 "event-channel-rx", "%u", &rx_port, NULL) == 0;
	if (!q->split) {
		err = xenbus_scanf(XBT_NIL, dir, "event-channel", "%u", &tx_port);
		if (err != 1) {
			err = err < 0 ? err : -EINVAL;
			xenbus_dev_fatal(xdev, err, "reading %s/event-channel", dir);
			return err;
		}
	}

	q->tx_copy = kvcalloc(XNB_COPY_OPS, sizeof(*q->tx_copy), GFP_KERNEL);
	q->rx_copy = kvcalloc(XNB_COPY_OPS, sizeof(*q->rx_copy), GFP_KERNEL);
	q->tx_pkts = kvcalloc(XNB_BATCH, sizeof(*q->tx_pkts), GFP_KERNEL);
	q->rx_pkts = kvcalloc(XNB_BATCH, sizeof(*q->rx_pkts), GFP_KERNEL);
	if (!q->tx_copy || !q->rx_copy || !q->tx_pkts || !q->rx_pkts)
		return -ENOMEM;

	err = xenbus_map_ring_valloc(xdev, &tx_ref, 1, &addr);
	if (err)
		return err;
	BACK_RING_INIT(&q->tx, (struct xen_netif_tx_sring *)addr, XEN_PAGE_SIZE);
	err = xenbus_map_ring_valloc(xdev, &rx_ref, 1, &addr);
	if (err)
		return err;
	BACK_RING_INIT(&q->rx, (struct xen_netif_rx_sring *)addr, XEN_PAGE_SIZE);
	q->tx_need = 1;
	q->tx_throttled = false;
	q->credit_start = jiffies;
	q->credit_left = vif->credit_bytes;
	q->rx_progress = jiffies;

	xd_netif_napi_add(vif->dev, &q->napi, xnb_poll);
	napi_enable(&q->napi);

	snprintf(q->tx_irq.name, sizeof(q->tx_irq.name), "%s-q%u%s",
		 vif->dev->name, q->id, q->split ? "-tx" : "");
	snprintf(q->rx_irq.name, sizeof(q->rx_irq.name), "%s-q%u-rx",
		 vif->dev->name, q->id);
	if (q->split) {
		err = xnb_bind(vif, &q->tx_irq, tx_port, xnb_tx_interrupt, q);
		if (!err)
			err = xnb_bind(vif, &q->rx_irq, rx_port, xnb_rx_interrupt, q);
	} else {
		err = xnb_bind(vif, &q->tx_irq, tx_port, xnb_interrupt, q);
	}
	if (err)
		xenbus_dev_fatal(xdev, err, "binding event channels of %s", dir);
	return err;
}

static void xnb_disconnect(struct xnb_vif *vif)
{
	unsigned int i;

	if (!vif->nr_queues)
		return;
	clear_bit(XNB_F_CONNECTED, &vif->flags);
	xnb_carrier(vif, false);
	/* After this no xmit runs or starts with CONNECTED seen set. */
	netif_tx_disable(vif->dev);
	xnb_ctrl_disconnect(vif);
	for (i = 0; i < vif->nr_queues; i++)
		xnb_queue_stop(&vif->queues[i]);
	vif->nr_queues = 0;
	atomic_set(&vif->stalled, 0);
	xnb_mcast_reset(vif);	/* reports suppressed multicast events */
	netdev_info(vif->dev, "disconnected\n");
	xd_evlog_add(&xnb_evlog, vif->dev->name, "disconnect", "%s", "");
}

static bool xnb_fe_flag(struct xnb_vif *vif, const char *node, bool dflt)
{
	return xenbus_read_unsigned(vif->xdev->otherend, node, dflt) != 0;
}

/**
 * xnb_set_rate() - set the rate limit of the guest's transmit
 * @vif: the vif, its @lock held, its queues not being served (not
 *	connected, or their NAPI disabled)
 * @bytes: bytes per window, 0 for unlimited
 * @usec: the window
 *
 * A change is reported as a "rate" event.
 */
void xnb_set_rate(struct xnb_vif *vif, unsigned long long bytes,
		  unsigned long usec)
{
	if (!bytes)
		usec = 0;
	if (vif->credit_bytes == bytes && vif->credit_usec == usec)
		return;
	vif->credit_bytes = bytes;
	vif->credit_usec = usec;
	vif->credit_jiffies = max(usecs_to_jiffies(usec), 1UL);
	xd_evlog_add(&xnb_evlog, vif->dev->name, "rate", "bytes=%llu usec=%lu",
		     bytes, usec);
}

/**
 * xnb_get_rate() - read and parse the toolstack's "rate" node
 * @vif: the vif
 * @bytes: set to the bytes per window of a valid value
 * @usec: set to its window
 *
 * The node is "<bytes>,<usec>" (libxl's vif rate=); a malformed value is
 * logged and ignored.
 *
 * Return: true if the node exists and is valid.
 */
static bool xnb_get_rate(struct xnb_vif *vif, unsigned long long *bytes,
			 unsigned long *usec)
{
	char *rate;
	bool ok;

	rate = xenbus_read(XBT_NIL, vif->xdev->nodename, "rate", NULL);
	if (IS_ERR(rate))
		return false;
	ok = xnb_parse_rate(rate, bytes, usec);
	if (!ok)
		netdev_warn(vif->dev, "ignoring malformed rate \"%s\"\n", rate);
	kfree(rate);
	return ok;
}

/* At connect: the node's limit, none if it is missing or malformed. */
static void xnb_read_rate(struct xnb_vif *vif)
{
	unsigned long long bytes = 0;
	unsigned long usec = 0;

	if (xnb_get_rate(vif, &bytes, &usec))
		netdev_info(vif->dev, "rate limit %llu bytes per %lu us\n",
			    bytes, usec);
	else
		bytes = 0;
	xnb_set_rate(vif, bytes, usec);
}

/*
 * The toolstack's "rate" node was written (the watch also fires once when
 * it is registered).  A valid value applies at once, as the control
 * device's SET_RATE does; a missing node (the toolstack removing the
 * device) or a malformed one changes nothing.
 */
static void xnb_rate_changed(struct xenbus_watch *watch, const char *path,
			     const char *token)
{
	struct xnb_vif *vif = container_of(watch, struct xnb_vif, rate_watch);
	unsigned long long bytes;
	unsigned long usec;

	if (xnb_get_rate(vif, &bytes, &usec))
		xnb_apply_rate(vif, bytes, usec);
}

/*
 * The frontend's "request-multicast-control": read at connect and, as we
 * offer feature-dynamic-multicast-control, whenever it changes.  The
 * filter applies only while it is set; the list is kept either way.
 */
static void xnb_read_mcast(struct xnb_vif *vif)
{
	bool on = xenbus_read_unsigned(vif->xdev->otherend,
				       "request-multicast-control", 0) != 0;

	if (on == READ_ONCE(vif->mcast_ctrl))
		return;
	WRITE_ONCE(vif->mcast_ctrl, on);
	xd_evlog_add(&xnb_evlog, vif->dev->name, "mcast", "control=%s",
		     on ? "on" : "off");
}

static void xnb_mcast_changed(struct xenbus_watch *watch, const char *path,
			      const char *token)
{
	xnb_read_mcast(container_of(watch, struct xnb_vif, mcast_watch));
}

/*
 * The frontend's "xdp-headroom": bytes to leave free before the data of
 * each received packet (netfront asks for 256 while an XDP program is
 * attached, 0 otherwise).  An unusable value leaves no headroom.
 */
static void xnb_read_xdp(struct xnb_vif *vif)
{
	unsigned int v;

	/* Not offered: a frontend must not use it (netfront does not). */
	if (!vif->xdp_offered)
		return;
	v = xenbus_read_unsigned(vif->xdev->otherend, "xdp-headroom", 0);
	if (!xnb_xdp_headroom_ok(v)) {
		netdev_warn(vif->dev, "ignoring xdp-headroom %u (at most %u)\n",
			    v, XNB_XDP_HEADROOM_MAX);
		v = 0;
	}
	if (v == vif->xdp_headroom)
		return;
	WRITE_ONCE(vif->xdp_headroom, v);
	xd_evlog_add(&xnb_evlog, vif->dev->name, "xdp", "headroom=%u", v);
}

static int xnb_connect(struct xnb_vif *vif)
{
	struct xenbus_device *xdev = vif->xdev;
	unsigned int i, n;
	char *dir;
	int err;

	if (xenbus_read_unsigned(xdev->otherend, "request-rx-copy", 0) != 1) {
		xenbus_dev_fatal(xdev, -EOPNOTSUPP, "frontend must request rx-copy");
		return -EOPNOTSUPP;
	}
	if (!xnb_fe_flag(vif, "feature-rx-notify", true)) {
		xenbus_dev_fatal(xdev, -EOPNOTSUPP, "frontend must support rx-notify");
		return -EOPNOTSUPP;
	}
	n = xenbus_read_unsigned(xdev->otherend, "multi-queue-num-queues", 1);
	if (n == 0 || n > vif->dev->num_tx_queues) {
		xenbus_dev_fatal(xdev, -EINVAL, "bad multi-queue-num-queues %u", n);
		return -EINVAL;
	}
	vif->fe_sg = xnb_fe_flag(vif, "feature-sg", false);
	vif->fe_gso4 = xnb_fe_flag(vif, "feature-gso-tcpv4", false);
	vif->fe_gso6 = xnb_fe_flag(vif, "feature-gso-tcpv6", false);
	vif->fe_csum = !xnb_fe_flag(vif, "feature-no-csum-offload", false);
	vif->fe_ipv6_csum = xnb_fe_flag(vif, "feature-ipv6-csum-offload", false);
	xnb_read_rate(vif);
	xnb_read_xdp(vif);
	xnb_mcast_reset(vif);
	xnb_read_mcast(vif);

	vif->nr_queues = n;
	clear_bit(XNB_F_DISABLED, &vif->flags);
	atomic_set(&vif->stalled, 0);

	for (i = 0; i < n; i++) {
		if (n == 1)
			dir = kstrdup(xdev->otherend, GFP_KERNEL);
		else
			dir = kasprintf(GFP_KERNEL, "%s/queue-%u", xdev->otherend, i);
		if (!dir) {
			err = -ENOMEM;
			goto fail;
		}
		err = xnb_queue_start(&vif->queues[i], dir);
		kfree(dir);
		if (err)
			goto fail;
	}
	err = xnb_ctrl_connect(vif);
	if (err)
		goto fail;

	rtnl_lock();
	err = netif_set_real_num_tx_queues(vif->dev, n);
	if (!err)
		err = netif_set_real_num_rx_queues(vif->dev, n);
	if (!vif->fe_sg && vif->dev->mtu > ETH_DATA_LEN)
		dev_set_mtu(vif->dev, ETH_DATA_LEN);
	netdev_update_features(vif->dev);
	rtnl_unlock();
	if (err)
		goto fail;

	set_bit(XNB_F_CONNECTED, &vif->flags);
	smp_mb__after_atomic();	/* pairs with xnb_open() */
	xd_evlog_add(&xnb_evlog, vif->dev->name, "connect", "queues=%u split=%d",
		     n, vif->queues[0].split ? 1 : 0);
	if (netif_running(vif->dev)) {
		xnb_carrier(vif, true);
		netif_tx_wake_all_queues(vif->dev);
	}
	/*
	 * The frontend may have queued requests and notified before the
	 * channels were bound: look at both rings once.
	 */
	for (i = 0; i < n; i++) {
		local_bh_disable();
		napi_schedule(&vif->queues[i].napi);
		local_bh_enable();
		mod_delayed_work(xnb_rx_wq, &vif->queues[i].rx_work, 0);
	}
	netdev_info(vif->dev, "connected: %u queue(s), %s event channels\n",
		    n, vif->queues[0].split ? "split" : "shared");
	return 0;

fail:
	xnb_disconnect(vif);
	return err;
}

/* ---- xenbus ---------------------------------------------------------- */

static int xnb_write_features(struct xenbus_device *xdev, unsigned int nq,
			      bool xdp)
{
	static const char * const on[] = {
		"feature-sg", "feature-gso-tcpv4", "feature-gso-tcpv6",
		"feature-ipv6-csum-offload", "feature-rx-copy",
		"feature-ctrl-ring",
		"feature-multicast-control",
		"feature-dynamic-multicast-control",
	};
	struct xenbus_transaction xbt;
	unsigned int i;
	int err;

again:
	err = xenbus_transaction_start(&xbt);
	if (err)
		return err;
	for (i = 0; i < ARRAY_SIZE(on) && !err; i++)
		err = xenbus_printf(xbt, xdev->nodename, on[i], "%d", 1);
	if (!err)
		err = xenbus_printf(xbt, xdev->nodename, "feature-xdp-headroom",
				    "%d", xdp ? 1 : 0);
	if (!err)
		err = xenbus_printf(xbt, xdev->nodename, "feature-rx-flip", "%d", 0);
	if (!err)
		err = xenbus_printf(xbt, xdev->nodename,
				    "feature-split-event-channels", "%u",
				    xnb_separate_irqs ? 1 : 0);
	if (!err)
		err = xenbus_printf(xbt, xdev->nodename, "multi-queue-max-queues",
				    "%u", nq);
	if (err) {
		xenbus_transaction_end(xbt, 1);
		return err;
	}
	err = xenbus_transaction_end(xbt, 0);
	if (err == -EAGAIN)
		goto again;
	return err;
}

static void xnb_setup(struct net_device *dev)
{
	static const u8 addr[ETH_ALEN] = { 0xfe, 0xff, 0xff, 0xff, 0xff, 0xff };

	ether_setup(dev);
	dev->netdev_ops = &xnb_netdev_ops;
	dev->ethtool_ops = &xnb_ethtool_ops;
	dev->hw_features = NETIF_F_SG | NETIF_F_IP_CSUM | NETIF_F_IPV6_CSUM |
			   NETIF_F_TSO | NETIF_F_TSO6;
	dev->features = dev->hw_features | NETIF_F_RXCSUM;
	dev->min_mtu = ETH_MIN_MTU;
	dev->max_mtu = XEN_NETIF_MAX_TX_SIZE - VLAN_ETH_HLEN;
	dev->needs_free_netdev = false;
	/*
	 * Never the lowest address on a bridge, so the bridge keeps the
	 * address of its physical port.
	 */
	eth_hw_addr_set(dev, addr);
}

static int xnb_probe(struct xenbus_device *xdev,
		     const struct xenbus_device_id *id)
{
	struct net_device *dev;
	struct xnb_vif *vif;
	char name[IFNAMSIZ];
	unsigned int handle, i, nq;
	int err;

	handle = xenbus_read_unsigned(xdev->nodename, "handle", UINT_MAX);
	if (handle == UINT_MAX) {
		xenbus_dev_fatal(xdev, -EINVAL, "reading handle");
		return -EINVAL;
	}
	snprintf(name, sizeof(name), "vif%u.%u", xdev->otherend_id, handle);
	/* Writable at run time: applies to vifs created afterwards. */
	nq = READ_ONCE(xnb_max_queues);
	nq = clamp(nq ? nq : num_online_cpus(), 1U, XNB_MAX_QUEUES);
	dev = alloc_netdev_mq(sizeof(*vif), name, NET_NAME_USER, xnb_setup, nq);
	if (!dev) {
		xenbus_dev_fatal(xdev, -ENOMEM, "allocating %s", name);
		return -ENOMEM;
	}
	SET_NETDEV_DEV(dev, &xdev->dev);
	vif = netdev_priv(dev);
	vif->xdev = xdev;
	vif->dev = dev;
	vif->domid = xdev->otherend_id;
	vif->handle = handle;
	/* Assume the usual frontend until it says otherwise at connect. */
	vif->fe_sg = true;
	vif->fe_csum = true;
	vif->fe_ipv6_csum = true;
	vif->fe_gso4 = true;
	vif->fe_gso6 = true;
	mutex_init(&vif->lock);
	INIT_WORK(&vif->fatal_work, xnb_fatal_work);
	xnb_ctrl_init(vif);
	netif_carrier_off(dev);
	vif->queues = kcalloc(dev->num_tx_queues, sizeof(*vif->queues),
			      GFP_KERNEL);
	if (!vif->queues) {
		free_netdev(dev);
		return -ENOMEM;
	}
	for (i = 0; i < dev->num_tx_queues; i++) {
		struct xnb_queue *q = &vif->queues[i];

		q->vif = vif;
		q->id = i;
		skb_queue_head_init(&q->rx_queue);
		INIT_DELAYED_WORK(&q->rx_work, xnb_rx_work);
		INIT_DELAYED_WORK(&q->credit_work, xnb_credit_work);
		atomic64_set(&q->st.rx_dropped, 0);
		atomic64_set(&q->st.tx_dropped, 0);
		atomic64_set(&q->st.tx_expired, 0);
		atomic64_set(&q->st.violations, 0);
		atomic64_set(&q->st.mcast_filtered, 0);
	}
	INIT_LIST_HEAD(&vif->node);

	err = register_netdev(dev);
	if (err) {
		xenbus_dev_fatal(xdev, err, "registering %s", name);
		kfree(vif->queues);
		free_netdev(dev);
		return err;
	}
	dev_set_drvdata(&xdev->dev, vif);

	vif->xdp_offered = READ_ONCE(xnb_provides_xdp_headroom);
	err = xnb_write_features(xdev, dev->num_tx_queues, vif->xdp_offered);
	if (!err)
		err = xenbus_watch_pathfmt(xdev, &vif->rate_watch, NULL,
					   xnb_rate_changed, "%s/rate",
					   xdev->nodename);
	if (!err) {
		err = xenbus_watch_pathfmt(xdev, &vif->mcast_watch, NULL,
					   xnb_mcast_changed,
					   "%s/request-multicast-control",
					   xdev->otherend);
		if (err) {
			unregister_xenbus_watch(&vif->rate_watch);
			kfree(vif->rate_watch.node);
		}
	}
	if (!err) {
		err = xenbus_switch_state(xdev, XNB_INITWAIT);
		if (err) {
			unregister_xenbus_watch(&vif->mcast_watch);
			kfree(vif->mcast_watch.node);
			unregister_xenbus_watch(&vif->rate_watch);
			kfree(vif->rate_watch.node);
		}
	}
	if (err) {
		xenbus_dev_fatal(xdev, err, "advertising features");
		dev_set_drvdata(&xdev->dev, NULL);
		unregister_netdev(dev);
		kfree(vif->queues);
		free_netdev(dev);
		return err;
	}
	netdev_info(dev, "created for domain %u handle %u\n", vif->domid, handle);
	xd_evlog_add(&xnb_evlog, dev->name, "add", "domid=%u handle=%u",
		     vif->domid, handle);
	xnb_ctl_add_vif(vif);
	return 0;
}

static void xnb_frontend_changed(struct xenbus_device *xdev,
				 enum xenbus_state fe_state)
{
	struct xnb_vif *vif = dev_get_drvdata(&xdev->dev);

	if (!vif)
		return;
	mutex_lock(&vif->lock);
	switch (fe_state) {
	case XNB_INITIALISING:
		if (xdev->state == XNB_CLOSED)
			xenbus_switch_state(xdev, XNB_INITWAIT);
		break;
	case XNB_RECONFIGURING:
		/*
		 * netfront attaching or detaching an XDP program: it has
		 * written "xdp-headroom" and waits for Reconfigured.
		 */
		if (xdev->state != XNB_CONNECTED &&
		    xdev->state != XNB_RECONFIGURED)
			break;
		xnb_read_xdp(vif);
		xenbus_switch_state(xdev, XNB_RECONFIGURED);
		break;
	case XNB_INITIALISED:
	case XNB_CONNECTED:
		/*
		 * Back from a reconfiguration.  netfront writes the node
		 * after it switched to Reconfiguring: read it again now.
		 */
		if (fe_state == XNB_CONNECTED &&
		    xdev->state == XNB_RECONFIGURED) {
			xnb_read_xdp(vif);
			xenbus_switch_state(xdev, XNB_CONNECTED);
			break;
		}
		if (xdev->state == XNB_CONNECTED || vif->nr_queues)
			break;
		if (xdev->state != XNB_INITWAIT &&
		    xdev->state != XNB_INITIALISED)
			break;
		if (!xnb_connect(vif))
			xenbus_switch_state(xdev, XNB_CONNECTED);
		break;
	case XNB_CLOSING:
		xnb_disconnect(vif);
		xenbus_switch_state(xdev, XNB_CLOSING);
		break;
	case XNB_CLOSED:
		xnb_disconnect(vif);
		xenbus_switch_state(xdev, XNB_CLOSED);
		if (xenbus_dev_is_online(xdev))
			break;
		mutex_unlock(&vif->lock);
		device_unregister(&xdev->dev);
		return;
	case XNB_UNKNOWN:
		xnb_disconnect(vif);
		mutex_unlock(&vif->lock);
		device_unregister(&xdev->dev);
		return;
	default:
		break;
	}
	mutex_unlock(&vif->lock);
}

static void xnb_remove(struct xenbus_device *xdev)
{
	struct xnb_vif *vif = dev_get_drvdata(&xdev->dev);

	if (!vif)
		return;
	/* No ioctl finds or uses the vif after this. */
	xnb_ctl_del_vif(vif);
	/* Waits for a running callback; none starts after this. */
	unregister_xenbus_watch(&vif->rate_watch);
	kfree(vif->rate_watch.node);
	unregister_xenbus_watch(&vif->mcast_watch);
	kfree(vif->mcast_watch.node);
	mutex_lock(&vif->lock);
	xnb_disconnect(vif);
	mutex_unlock(&vif->lock);
	cancel_work_sync(&vif->fatal_work);
	dev_set_drvdata(&xdev->dev, NULL);
	netdev_info(vif->dev, "removed\n");
	xd_evlog_add(&xnb_evlog, vif->dev->name, "remove", "%s", "");
	unregister_netdev(vif->dev);
	kfree(vif->queues);
	free_netdev(vif->dev);
}

static const struct xenbus_device_id xnb_ids[] = {
	{ "vif" },
	{ "" }
};

static struct xenbus_driver xnb_driver = {
	.ids			= xnb_ids,
	.probe			= xnb_probe,
	.remove			= XD_NET_XENBUS_REMOVE,
	.otherend_changed	= xnb_frontend_changed,
	.allow_rebind		= true,
};

static int __init xnb_init(void)
{
	int err;

	BUILD_BUG_ON(XNB_EXTRA_TYPE_MAX != XEN_NETIF_EXTRA_TYPE_MAX);
	BUILD_BUG_ON(XNB_EXTRA_TYPE_GSO != XEN_NETIF_EXTRA_TYPE_GSO);
	BUILD_BUG_ON(XNB_GSO_TYPE_TCPV4 != XEN_NETIF_GSO_TYPE_TCPV4);
	BUILD_BUG_ON(XNB_GSO_TYPE_TCPV6 != XEN_NETIF_GSO_TYPE_TCPV6);
	BUILD_BUG_ON(XNB_MAX_TX_SIZE != XEN_NETIF_MAX_TX_SIZE);
	BUILD_BUG_ON(XNB_PAGE_SIZE != XEN_PAGE_SIZE);
	BUILD_BUG_ON(XNB_EXTRA_TYPE_MCAST_ADD != XEN_NETIF_EXTRA_TYPE_MCAST_ADD);
	BUILD_BUG_ON(XNB_EXTRA_TYPE_MCAST_DEL != XEN_NETIF_EXTRA_TYPE_MCAST_DEL);
	BUILD_BUG_ON(XNB_EXTRA_TYPE_HASH != XEN_NETIF_EXTRA_TYPE_HASH);
	BUILD_BUG_ON(XNB_EXTRA_TYPE_XDP != XEN_NETIF_EXTRA_TYPE_XDP);
	BUILD_BUG_ON(XNB_CTRL_TYPE_GET_HASH_FLAGS != XEN_NETIF_CTRL_TYPE_GET_HASH_FLAGS);
	BUILD_BUG_ON(XNB_CTRL_TYPE_SET_HASH_FLAGS != XEN_NETIF_CTRL_TYPE_SET_HASH_FLAGS);
	BUILD_BUG_ON(XNB_CTRL_TYPE_SET_HASH_KEY != XEN_NETIF_CTRL_TYPE_SET_HASH_KEY);
	BUILD_BUG_ON(XNB_CTRL_TYPE_GET_HASH_MAPPING_SIZE !=
		     XEN_NETIF_CTRL_TYPE_GET_HASH_MAPPING_SIZE);
	BUILD_BUG_ON(XNB_CTRL_TYPE_SET_HASH_MAPPING_SIZE !=
		     XEN_NETIF_CTRL_TYPE_SET_HASH_MAPPING_SIZE);
	BUILD_BUG_ON(XNB_CTRL_TYPE_SET_HASH_MAPPING != XEN_NETIF_CTRL_TYPE_SET_HASH_MAPPING);
	BUILD_BUG_ON(XNB_CTRL_TYPE_SET_HASH_ALGORITHM !=
		     XEN_NETIF_CTRL_TYPE_SET_HASH_ALGORITHM);
	BUILD_BUG_ON(XNB_CTRL_STATUS_SUCCESS != XEN_NETIF_CTRL_STATUS_SUCCESS);
	BUILD_BUG_ON(XNB_CTRL_STATUS_NOT_SUPPORTED != XEN_NETIF_CTRL_STATUS_NOT_SUPPORTED);
	BUILD_BUG_ON(XNB_CTRL_STATUS_INVALID_PARAMETER !=
		     XEN_NETIF_CTRL_STATUS_INVALID_PARAMETER);
	BUILD_BUG_ON(XNB_CTRL_STATUS_BUFFER_OVERFLOW !=
		     XEN_NETIF_CTRL_STATUS_BUFFER_OVERFLOW);
	BUILD_BUG_ON(XNB_HASH_ALG_TOEPLITZ != XEN_NETIF_CTRL_HASH_ALGORITHM_TOEPLITZ);
	BUILD_BUG_ON(BIT(XNB_HASH_TYPE_IPV4) != XEN_NETIF_CTRL_HASH_TYPE_IPV4);
	BUILD_BUG_ON(BIT(XNB_HASH_TYPE_IPV4_TCP) != XEN_NETIF_CTRL_HASH_TYPE_IPV4_TCP);
	BUILD_BUG_ON(BIT(XNB_HASH_TYPE_IPV6) != XEN_NETIF_CTRL_HASH_TYPE_IPV6);
	BUILD_BUG_ON(BIT(XNB_HASH_TYPE_IPV6_TCP) != XEN_NETIF_CTRL_HASH_TYPE_IPV6_TCP);
	BUILD_BUG_ON(sizeof(struct xen_netif_extra_info) >
		     sizeof(struct xen_netif_rx_response));

	if (!xen_domain() || !xen_initial_domain())
		return -ENODEV;
	if (!xnb_max_queues)
		xnb_max_queues = num_online_cpus();
	xnb_fatal_skb_slots = clamp(xnb_fatal_skb_slots,
				    (unsigned int)XEN_NETIF_NR_SLOTS_MIN,
				    (unsigned int)XNB_SLOTS_LIMIT);
	xnb_max_skb_slots = clamp(xnb_max_skb_slots,
				  (unsigned int)XEN_NETIF_NR_SLOTS_MIN,
				  xnb_fatal_skb_slots);
	if (!xnb_rx_queue_bytes)
		xnb_rx_queue_bytes = 512 * 1024;

	xd_evlog_init(&xnb_evlog);
	xnb_wq = alloc_workqueue("xen-netback", WQ_UNBOUND, 0);
	if (!xnb_wq)
		return -ENOMEM;
	xnb_rx_wq = xnb_wq;
	if (xnb_rx_local) {
		/*
		 * Chosen at load time only: a work item is kept from running
		 * twice at once only within one workqueue.
		 */
		xnb_rx_wq = alloc_workqueue("xen-netback-rx", WQ_HIGHPRI, 0);
		if (!xnb_rx_wq) {
			err = -ENOMEM;
			goto fail_wq;
		}
	}
	err = xenbus_register_backend(&xnb_driver);
	if (err)
		goto fail_wq;
	err = xnb_ctl_init();
	if (err)
		goto fail_xenbus;
	return 0;

fail_xenbus:
	xenbus_unregister_driver(&xnb_driver);
fail_wq:
	if (xnb_rx_wq && xnb_rx_wq != xnb_wq)
		destroy_workqueue(xnb_rx_wq);
	destroy_workqueue(xnb_wq);
	return err;
}
module_init(xnb_init);

static void __exit xnb_exit(void)
{
	xnb_ctl_exit();
	xenbus_unregister_driver(&xnb_driver);
	if (xnb_rx_wq != xnb_wq)
		destroy_workqueue(xnb_rx_wq);
	destroy_workqueue(xnb_wq);
}
module_exit(xnb_exit);

MODULE_DESCRIPTION("Xen network backend (xen-dom0)");
MODULE_LICENSE("GPL");
MODULE_VERSION(XNB_VERSION);
MODULE_ALIAS("xen-backend:vif");
