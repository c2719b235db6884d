/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * xd_evlog.h - the event stream of the backends' control devices.
 *
 * A fixed ring of the last XD_EVLOG_SIZE events, each stored as one text
 * line "<seq> <sec>.<usec> <device> <event> [key=value ...]\n" with the
 * wall-clock time of the event.  Events are added from any context.  Each
 * open file has its own read position; a new reader starts at the oldest
 * event still held.  A reader that falls more than the ring behind reads
 * one line "- lost count=N\n" and continues at the oldest event.  read()
 * returns whole lines only, blocks (or fails with -EAGAIN on a
 * non-blocking file) while there is nothing new, and poll() reports
 * EPOLLIN when there is.
 *
 * The implementation (xd_evlog.c) is compiled into each module that
 * includes it (see the module's evlog.c), so nothing is exported.
 */
#ifndef XD_EVLOG_H
#define XD_EVLOG_H

#include <linux/compiler.h>
#include <linux/fs.h>
#include <linux/poll.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/wait.h>

#define XD_EVLOG_SIZE	256	/* events held; a power of two */
#define XD_EVLOG_LINE	192	/* bytes per line, newline included */

/**
 * struct xd_evlog - one event stream
 * @lock: protects @next and @lines
 * @wq: readers wait here
 * @next: sequence number of the next event (the first is 1)
 * @lines: the last events, event @seq at [@seq % XD_EVLOG_SIZE]
 */
struct xd_evlog {
	spinlock_t lock; /* see above */
	wait_queue_head_t wq;
	u64 next;
	char lines[XD_EVLOG_SIZE][XD_EVLOG_LINE];
};

void xd_evlog_init(struct xd_evlog *log);
__printf(4, 5)
void xd_evlog_add(struct xd_evlog *log, const char *dev, const char *event,
		  const char *fmt, ...);

/*
 * The file operations of a control device's event stream: the module's
 * open() calls xd_evlog_open() with its log; release, read and poll are
 * these as they are.
 */
int xd_evlog_open(struct xd_evlog *log, struct inode *inode, struct file *file);
int xd_evlog_release(struct inode *inode, struct file *file);
ssize_t xd_evlog_file_read(struct file *file, char __user *buf, size_t len,
			   loff_t *ppos);
__poll_t xd_evlog_file_poll(struct file *file, poll_table *wait);

#endif /* XD_EVLOG_H */
