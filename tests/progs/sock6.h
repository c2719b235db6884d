/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * sock6.h - one dual-stack socket for the test programs (netbulk, netrr):
 * an AF_INET6 socket of @type bound to the wildcard address and @port with
 * IPV6_V6ONLY off, so IPv4 peers reach it too (as ::ffff:a.b.c.d).
 */
#ifndef XD_SOCK6_H
#define XD_SOCK6_H

#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* The bound socket, or -1 with errno set (the socket is closed then). */
static inline int sock6_bind_any(int type, int port)
{
	struct sockaddr_in6 s6;
	int fd, on = 1, off = 0, e;

	fd = socket(AF_INET6, type, 0);
	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off));
	memset(&s6, 0, sizeof(s6));
	s6.sin6_family = AF_INET6;
	s6.sin6_addr = in6addr_any;
	s6.sin6_port = htons(port);
	if (bind(fd, (struct sockaddr *)&s6, sizeof(s6)) < 0) {
		e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

#endif
