// SPDX-License-Identifier: GPL-2.0-only
/*
 * xd_evlog.c - the event stream of the backends' control devices
 * (xd_evlog.h).  Included by modules/<backend>/evlog.c, so each module
 * carries its own copy.
 */
#include <linux/kernel.h>
#include <linux/minmax.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>

#include "xd_evlog.h"

/**
 * xd_evlog_init() - set up an empty event stream
 * @log: the stream
 */
void xd_evlog_init(struct xd_evlog *log)
{
	spin_lock_init(&log->lock);
	init_waitqueue_head(&log->wq);
	log->next = 1;
}

/**
 * xd_evlog_add() - record an event and wake the readers
 * @log: the stream
 * @dev: the device it concerns (no spaces)
 * @event: what happened (one word)
 * @fmt: further "key=value" fields, separated by spaces ("%s", "" for none)
 *
 * Callable from any context.  A line longer than XD_EVLOG_LINE is cut
 * (its end is always a newline).
 */
void xd_evlog_add(struct xd_evlog *log, const char *dev, const char *event,
		  const char *fmt, ...)
{
	struct timespec64 ts;
	unsigned long flags;
	va_list ap;
	char *line;
	int n, m;

	ktime_get_real_ts64(&ts);
	spin_lock_irqsave(&log->lock, flags);
	line = log->lines[log->next % XD_EVLOG_SIZE];
	n = scnprintf(line, XD_EVLOG_LINE - 1, "%llu %lld.%06ld %s %s",
		      log->next, (long long)ts.tv_sec, ts.tv_nsec / 1000,
		      dev, event);
	if (n < XD_EVLOG_LINE - 2) {
		/* The fields after a space; no space if there are none. */
		line[n] = ' ';
		va_start(ap, fmt);
		m = vscnprintf(line + n + 1, XD_EVLOG_LINE - 2 - n, fmt, ap);
		va_end(ap);
		if (m)
			n += 1 + m;
	}
	line[n] = '\n';
	line[n + 1] = '\0';
	log->next++;
	spin_unlock_irqrestore(&log->lock, flags);
	wake_up_interruptible(&log->wq);
}

/**
 * struct xd_evlog_reader - an open file of a control device
 * @log: the stream it reads
 * @pos: sequence number of its next event
 */
struct xd_evlog_reader {
	struct xd_evlog *log;
	u64 pos;
};

/*
 * The sequence number of the oldest event held: where a new reader
 * starts (== the next event's number when the stream is empty).
 */
static u64 xd_evlog_oldest(struct xd_evlog *log)
{
	unsigned long flags;
	u64 oldest;

	spin_lock_irqsave(&log->lock, flags);
	oldest = log->next > XD_EVLOG_SIZE ? log->next - XD_EVLOG_SIZE : 1;
	spin_unlock_irqrestore(&log->lock, flags);
	return oldest;
}

static bool xd_evlog_ready(struct xd_evlog *log, u64 pos)
{
	return READ_ONCE(log->next) > pos;
}

/*
 * Copy the line at *@pos (or the "lost" line) into @tmp under the lock.
 * Return its length, 0 if there is nothing new.
 */
static size_t xd_evlog_fetch(struct xd_evlog *log, u64 *pos, char *tmp)
{
	unsigned long flags;
	size_t n = 0;
	u64 oldest;

	spin_lock_irqsave(&log->lock, flags);
	oldest = log->next > XD_EVLOG_SIZE ? log->next - XD_EVLOG_SIZE : 1;
	if (*pos < oldest) {
		n = scnprintf(tmp, XD_EVLOG_LINE, "- lost count=%llu\n",
			      oldest - *pos);
		*pos = oldest;
	} else if (*pos < log->next) {
		n = strscpy(tmp, log->lines[*pos % XD_EVLOG_SIZE],
			    XD_EVLOG_LINE);
		(*pos)++;
	}
	spin_unlock_irqrestore(&log->lock, flags);
	return n;
}

/*
 * read() of a control device: whole event lines
 * (@pos: the reader's position).  Return: bytes read, -EAGAIN,
 * -ERESTARTSYS, -EFAULT, or -EINVAL when @len cannot hold the next line.
 */
static ssize_t xd_evlog_read(struct xd_evlog *log, u64 *pos, char __user *buf,
			     size_t len, bool nonblock)
{
	char tmp[XD_EVLOG_LINE];
	size_t done = 0;
	int err;

	for (;;) {
		u64 p = *pos;
		size_t n = xd_evlog_fetch(log, &p, tmp);

		if (!n) {
			if (done)
				return done;
			if (nonblock)
				return -EAGAIN;
			err = wait_event_interruptible(log->wq,
						       xd_evlog_ready(log, *pos));
			if (err)
				return err;
			continue;
		}
		if (n > len - done)
			return done ? done : -EINVAL;
		if (copy_to_user(buf + done, tmp, n))
			return done ? done : -EFAULT;
		done += n;
		*pos = p;
	}
}

/**
 * xd_evlog_open() - open() of a control device
 * @log: the module's event stream
 * @inode: the device's inode
 * @file: the file being opened
 *
 * The file reads @log from the oldest event held on.
 * Return: 0 or -ENOMEM.
 */
int xd_evlog_open(struct xd_evlog *log, struct inode *inode, struct file *file)
{
	struct xd_evlog_reader *rd = kmalloc(sizeof(*rd), GFP_KERNEL);

	if (!rd)
		return -ENOMEM;
	rd->log = log;
	rd->pos = xd_evlog_oldest(log);
	file->private_data = rd;
	return stream_open(inode, file);
}

/**
 * xd_evlog_release() - release() of a control device
 * @inode: the device's inode
 * @file: the file
 *
 * Return: 0.
 */
int xd_evlog_release(struct inode *inode, struct file *file)
{
	kfree(file->private_data);
	return 0;
}

/**
 * xd_evlog_file_read() - read() of a control device: whole event lines
 * @file: the file (O_NONBLOCK: -EAGAIN instead of waiting)
 * @buf: user buffer
 * @len: its size
 * @ppos: unused (a stream)
 *
 * Return: bytes read, -EAGAIN, -ERESTARTSYS, -EFAULT, or -EINVAL when
 * @len cannot hold the next line.
 */
ssize_t xd_evlog_file_read(struct file *file, char __user *buf, size_t len,
			   loff_t *ppos)
{
	struct xd_evlog_reader *rd = file->private_data;

	return xd_evlog_read(rd->log, &rd->pos, buf, len,
			     file->f_flags & O_NONBLOCK);
}

/**
 * xd_evlog_file_poll() - poll() of a control device
 * @file: the file polled
 * @wait: poll table
 *
 * Return: EPOLLIN | EPOLLRDNORM when an event (or a loss) is there to read.
 */
__poll_t xd_evlog_file_poll(struct file *file, poll_table *wait)
{
	struct xd_evlog_reader *rd = file->private_data;

	poll_wait(file, &rd->log->wq, wait);
	return xd_evlog_ready(rd->log, rd->pos) ? EPOLLIN | EPOLLRDNORM : 0;
}
