// SPDX-License-Identifier: GPL-2.0-only
/*
 * netif_napi_add(dev, napi, poll): the weight argument was dropped in 6.1
 * (netif_napi_add_weight() takes it); before, it was the fourth argument.
 */
#include <linux/netdevice.h>

static int xd_probe_poll(struct napi_struct *napi, int budget)
{
	return 0;
}

void xd_probe(struct net_device *dev, struct napi_struct *napi);
void xd_probe(struct net_device *dev, struct napi_struct *napi)
{
	netif_napi_add(dev, napi, xd_probe_poll);
}
