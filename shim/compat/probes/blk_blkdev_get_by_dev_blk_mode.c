// SPDX-License-Identifier: GPL-2.0-only
/* blkdev_get_by_dev(dev, blk_mode_t, holder, hops) and blkdev_put(bdev, holder) (6.5, 6.6). */
#include <linux/blkdev.h>

int xd_probe(dev_t dev);
int xd_probe(dev_t dev)
{
	struct block_device *b = blkdev_get_by_dev(dev, BLK_OPEN_READ, NULL, NULL);

	if (IS_ERR(b))
		return PTR_ERR(b);
	blkdev_put(b, NULL);
	return 0;
}
