/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * xd_compat_blk.h - every kernel conditional xen-blkback needs.
 *
 * Detected by the compile probes shim/compat/probes/blk_*.c (HAVE_BLK_*
 * in xd_compat_gen.h), never by version numbers.  The driver calls the
 * xd_bdev_* helpers and XD_XENBUS_REMOVE() and contains no #if itself.
 */
#ifndef XD_COMPAT_BLK_H
#define XD_COMPAT_BLK_H

#include <linux/blkdev.h>
#include <linux/err.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <xen/xenbus.h>

#include "xd_compat_gen.h"

/**
 * struct xd_bdev - an opened block device, whatever the kernel's handle is
 * @bdev: the block device
 * @priv: the kernel's own handle (struct file, struct bdev_handle), or NULL
 * @write: opened for writing
 */
struct xd_bdev {
	struct block_device *bdev;
	void *priv;
	bool write;
};

/*
 * Open a block device by number, shared (not exclusive), read-only or
 * read-write:
 *   bdev_file_open_by_dev() -> struct file      about 6.9 and later
 *   bdev_open_by_dev() -> struct bdev_handle    6.7, 6.8
 *   blkdev_get_by_dev(dev, blk_mode_t, ...)     6.5, 6.6
 *   blkdev_get_by_dev(dev, fmode_t, holder)     up to 6.4 (Debian's 6.1)
 */
#if defined(HAVE_BLK_BDEV_FILE_OPEN_BY_DEV)
static inline int xd_bdev_open(dev_t dev, bool write, struct xd_bdev *b)
{
	struct file *f;

	f = bdev_file_open_by_dev(dev, BLK_OPEN_READ |
				  (write ? BLK_OPEN_WRITE : 0), NULL, NULL);
	if (IS_ERR(f))
		return PTR_ERR(f);
	b->priv = f;
	b->bdev = file_bdev(f);
	b->write = write;
	return 0;
}

static inline void xd_bdev_close(struct xd_bdev *b)
{
	fput(b->priv);
	b->priv = NULL;
	b->bdev = NULL;
}
#elif defined(HAVE_BLK_BDEV_OPEN_BY_DEV)
static inline int xd_bdev_open(dev_t dev, bool write, struct xd_bdev *b)
{
	struct bdev_handle *h;

	h = bdev_open_by_dev(dev, BLK_OPEN_READ | (write ? BLK_OPEN_WRITE : 0),
			     NULL, NULL);
	if (IS_ERR(h))
		return PTR_ERR(h);
	b->priv = h;
	b->bdev = h->bdev;
	b->write = write;
	return 0;
}

static inline void xd_bdev_close(struct xd_bdev *b)
{
	bdev_release(b->priv);
	b->priv = NULL;
	b->bdev = NULL;
}
#elif defined(HAVE_BLK_BLKDEV_GET_BY_DEV_BLK_MODE)
static inline int xd_bdev_open(dev_t dev, bool write, struct xd_bdev *b)
{
	struct block_device *bdev;

	bdev = blkdev_get_by_dev(dev, BLK_OPEN_READ |
				 (write ? BLK_OPEN_WRITE : 0), NULL, NULL);
	if (IS_ERR(bdev))
		return PTR_ERR(bdev);
	b->priv = NULL;
	b->bdev = bdev;
	b->write = write;
	return 0;
}

static inline void xd_bdev_close(struct xd_bdev *b)
{
	blkdev_put(b->bdev, NULL);
	b->bdev = NULL;
}
#else
static inline int xd_bdev_open(dev_t dev, bool write, struct xd_bdev *b)
{
	struct block_device *bdev;

	bdev = blkdev_get_by_dev(dev, FMODE_READ | (write ? FMODE_WRITE : 0),
				 NULL);
	if (IS_ERR(bdev))
		return PTR_ERR(bdev);
	b->priv = NULL;
	b->bdev = bdev;
	b->write = write;
	return 0;
}

static inline void xd_bdev_close(struct xd_bdev *b)
{
	blkdev_put(b->bdev, FMODE_READ | (b->write ? FMODE_WRITE : 0));
	b->bdev = NULL;
}
#endif

/**
 * struct xd_xenbus_driver - a xenbus driver whose remove callback is void
 * @drv: the kernel's driver; set @drv.remove to xd_xenbus_remove
 * @remove: the driver's remove function
 *
 * struct xenbus_driver.remove returns void since 6.2 (and in 6.1.162+),
 * int before; xd_xenbus_remove() has the kernel's type and calls @remove.
 */
struct xd_xenbus_driver {
	struct xenbus_driver drv;
	void (*remove)(struct xenbus_device *dev);
};

static inline struct xd_xenbus_driver *xd_xenbus_driver_of(struct xenbus_device *dev)
{
	return container_of(to_xenbus_driver(dev->dev.driver),
			    struct xd_xenbus_driver, drv);
}

#ifdef HAVE_BLK_XENBUS_REMOVE_VOID
static inline void xd_xenbus_remove(struct xenbus_device *dev)
{
	xd_xenbus_driver_of(dev)->remove(dev);
}
#else
static inline int xd_xenbus_remove(struct xenbus_device *dev)
{
	xd_xenbus_driver_of(dev)->remove(dev);
	return 0;
}
#endif

#endif /* XD_COMPAT_BLK_H */
