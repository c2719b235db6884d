// SPDX-License-Identifier: GPL-2.0-only
/* bdev_file_open_by_dev() returning a struct file (about 6.9). */
#include <linux/blkdev.h>
#include <linux/file.h>
#include <linux/fs.h>

int xd_probe(dev_t dev);
int xd_probe(dev_t dev)
{
	struct file *f = bdev_file_open_by_dev(dev, BLK_OPEN_READ, NULL, NULL);
	struct block_device *bdev;

	if (IS_ERR(f))
		return PTR_ERR(f);
	bdev = file_bdev(f);
	fput(f);
	return bdev ? 0 : -ENODEV;
}
