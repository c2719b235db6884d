/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * xd_compat_net.h - the kernel API differences xen-netback meets
 * (modules/netback).  Each is detected by a compile probe
 * (shim/compat/probes/net_*.c, HAVE_NET_* in xd_compat_gen.h); the driver
 * uses the xd_* helpers below and contains no preprocessor conditionals.
 */
#ifndef XD_COMPAT_NET_H
#define XD_COMPAT_NET_H

#include <linux/netdevice.h>
#include <xen/xenbus.h>

#include "xd_compat_gen.h"

/*
 * xenbus_driver.remove: void since 6.2 (and in 6.1.162+), int before.
 * XD_NET_XENBUS_REMOVE is what the driver puts in .remove; its own
 * xnb_remove() returns void.
 */
#ifdef HAVE_NET_XENBUS_REMOVE_VOID
#define XD_NET_XENBUS_REMOVE xnb_remove
#else
static void xnb_remove(struct xenbus_device *dev);
static inline int xd_net_xenbus_remove(struct xenbus_device *dev)
{
	xnb_remove(dev);
	return 0;
}

#define XD_NET_XENBUS_REMOVE xd_net_xenbus_remove
#endif

/* netif_napi_add() lost its weight argument in 6.1. */
static inline void xd_netif_napi_add(struct net_device *dev,
				     struct napi_struct *napi,
				     int (*poll)(struct napi_struct *, int))
{
#ifdef HAVE_NET_NETIF_NAPI_ADD_3ARG
	netif_napi_add(dev, napi, poll);
#else
	netif_napi_add(dev, napi, poll, NAPI_POLL_WEIGHT);
#endif
}

#endif /* XD_COMPAT_NET_H */
