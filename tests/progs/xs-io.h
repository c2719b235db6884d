/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * xs-io.h - one xenstore request over /dev/xen/xenbus, for the test programs
 * that speak xenstore themselves (hostile, hostile-net, gntpeer). The caller
 * opens xs_fd. Layouts: xen/include/public/io/xs_wire.h.
 */
#ifndef XS_IO_H
#define XS_IO_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

struct xsd_sockmsg { uint32_t type, req_id, tx_id, len; };
enum { XS_READ = 2, XS_WATCH = 4, XS_WRITE = 11, XS_RM = 13, XS_WATCH_EVENT = 15, XS_ERROR = 16 };

static int xs_fd = -1;
static uint32_t xs_reqid;

/*
 * Send request TYPE with payload A (NUL included) and B (BLEN bytes); copy the
 * reply into OUT (NUL-terminated, at most OUTSZ - 1 bytes). Watch events that
 * arrive meanwhile are dropped. Returns the reply length, -1 on error.
 */
static inline int xs_io(uint32_t type, const char *a, const char *b, size_t blen,
			char *out, size_t outsz)
{
	char msg[4096 + 64], reply[4096 + 1];
	struct xsd_sockmsg h = { .type = type, .req_id = ++xs_reqid };
	size_t alen = strlen(a) + 1, n;
	ssize_t r;

	if (alen + blen > 4000)
		return -1;
	h.len = alen + blen;
	memcpy(msg, &h, sizeof(h));
	memcpy(msg + sizeof(h), a, alen);
	if (blen)
		memcpy(msg + sizeof(h) + alen, b, blen);
	if (write(xs_fd, msg, sizeof(h) + h.len) != (ssize_t)(sizeof(h) + h.len))
		return -1;
	for (;;) {
		struct xsd_sockmsg rh;

		for (n = 0; n < sizeof(rh); n += r)
			if ((r = read(xs_fd, (char *)&rh + n, sizeof(rh) - n)) <= 0)
				return -1;
		if (rh.len > 4096)
			return -1;
		for (n = 0; n < rh.len; n += r)
			if ((r = read(xs_fd, reply + n, rh.len - n)) <= 0)
				return -1;
		reply[rh.len] = 0;
		if (rh.type == XS_WATCH_EVENT)
			continue;
		if (rh.type == XS_ERROR)
			return -1;
		if (out) {
			n = rh.len < outsz - 1 ? rh.len : outsz - 1;
			memcpy(out, reply, n);
			out[n] = 0;
		}
		return rh.len;
	}
}

#endif /* XS_IO_H */
