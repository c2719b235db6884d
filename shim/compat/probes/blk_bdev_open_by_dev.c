// SPDX-License-Identifier: GPL-2.0-only
/* bdev_open_by_dev() returning a struct bdev_handle (6.7 and 6.8). */
#include <linux/blkdev.h>

int xd_probe(dev_t dev);
int xd_probe(dev_t dev)
{
	struct bdev_handle *h = bdev_open_by_dev(dev, BLK_OPEN_READ, NULL, NULL);

	if (IS_ERR(h))
		return PTR_ERR(h);
	bdev_release(h);
	return 0;
}
