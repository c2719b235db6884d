// SPDX-License-Identifier: GPL-2.0-only
/*
 * netbulk - bulk TCP/UDP transfers with the payload verified, for the
 * netback scenario (tests/vm/scenarios/netback.sh).  Runs in Dom0 and in
 * the guests.  The payload is a deterministic stream derived from SEED, so
 * the receiver checks every byte (and the byte count) against what the
 * sender must have sent; it also prints an FNV-1a hash of what it got.
 *
 *   netbulk tcp-send NAME HOST PORT BYTES SEED
 *   netbulk tcp-recv NAME PORT BYTES SEED TIMEOUT   (NETBULK_IDLE=S: idle limit)
 *   netbulk udp-send NAME HOST PORT COUNT SIZE SEED
 *   netbulk udp-recv NAME PORT COUNT SIZE SEED TIMEOUT
 *
 * HOST is a numeric IPv4 or IPv6 address.  Receivers listen on both
 * families.  Prints "PASS NAME ..." or "FAIL NAME: detail".
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "sock6.h"

static const char *name = "netbulk";

static uint64_t mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

/* Bytes [@pos, @pos + @n) of the stream, one mix() per 8 bytes. */
static void fill(unsigned char *b, size_t n, uint64_t seed, uint64_t pos)
{
	uint64_t v = 0;
	size_t k;

	for (k = 0; k < n; k++) {
		uint64_t i = pos + k;

		if (k == 0 || i % 8 == 0)
			v = mix(seed * 1000003ULL + i / 8);
		b[k] = (unsigned char)(v >> (8 * (i % 8)));
	}
}

static int fail(const char *fmt, const char *a)
{
	printf("FAIL %s: ", name);
	printf(fmt, a);
	printf("\n");
	fflush(stdout);
	return 1;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int addr(const char *host, int port, struct sockaddr_storage *ss,
		socklen_t *len)
{
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, host, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		*len = sizeof(*s4);
		return 0;
	}
	if (inet_pton(AF_INET6, host, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		*len = sizeof(*s6);
		return 0;
	}
	return -1;
}

static int listener(int type, int port)
{
	int fd = sock6_bind_any(type, port);

	if (fd >= 0 && type == SOCK_STREAM && listen(fd, 4) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static int wait_in(int fd, int secs)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, secs * 1000);
}

static int tcp_send(const char *host, int port, uint64_t bytes, uint64_t seed)
{
	static unsigned char buf[65536];
	struct sockaddr_storage ss;
	socklen_t len;
	uint64_t pos = 0;
	double t0;
	int fd, tries;

	if (addr(host, port, &ss, &len))
		return fail("bad address %s", host);
	for (tries = 0;; tries++) {
		fd = socket(ss.ss_family, SOCK_STREAM, 0);
		if (fd < 0)
			return fail("socket: %s", strerror(errno));
		if (connect(fd, (struct sockaddr *)&ss, len) == 0)
			break;
		close(fd);
		if (tries >= 30)
			return fail("connect: %s", strerror(errno));
		sleep(1);
	}
	t0 = now();
	while (pos < bytes) {
		size_t n = bytes - pos < sizeof(buf) ? bytes - pos : sizeof(buf);
		ssize_t w;

		fill(buf, n, seed, pos);
		w = write(fd, buf, n);
		if (w <= 0)
			return fail("write: %s", w < 0 ? strerror(errno) : "EOF");
		pos += w;
	}
	shutdown(fd, SHUT_WR);
	/* Wait for the receiver to close: everything was taken. */
	while (wait_in(fd, 60) > 0 && read(fd, buf, sizeof(buf)) > 0)
		;
	close(fd);
	printf("PASS %s sent %llu bytes in %.1f s\n", name,
	       (unsigned long long)bytes, now() - t0);
	return 0;
}

static int tcp_recv(int port, uint64_t bytes, uint64_t seed, int timeout)
{
	static unsigned char buf[65536], want[65536];
	uint64_t pos = 0, hash = 0xcbf29ce484222325ULL, bad = 0, first_bad = 0;
	double t0 = now();
	int lfd, fd, idle = 30;
	size_t k;

	/* NETBULK_IDLE=S: give up after S s without data (default 30). */
	if (getenv("NETBULK_IDLE"))
		idle = atoi(getenv("NETBULK_IDLE"));
	lfd = listener(SOCK_STREAM, port);
	if (lfd < 0)
		return fail("listen: %s", strerror(errno));
	printf("INFO %s listening on %d\n", name, port);
	fflush(stdout);
	if (wait_in(lfd, timeout) <= 0)
		return fail("%s", "no connection");
	fd = accept(lfd, NULL, NULL);
	if (fd < 0)
		return fail("accept: %s", strerror(errno));
	for (;;) {
		ssize_t r;

		if (now() - t0 > timeout)
			break;
		if (wait_in(fd, idle) <= 0)
			break;
		r = read(fd, buf, sizeof(buf));
		if (r <= 0)
			break;
		fill(want, r, seed, pos);
		if (memcmp(buf, want, r))
			for (k = 0; k < (size_t)r; k++)
				if (buf[k] != want[k]) {
					if (!bad)
						first_bad = pos + k;
					bad++;
				}
		for (k = 0; k < (size_t)r; k++)
			hash = (hash ^ buf[k]) * 0x100000001b3ULL;
		pos += r;
	}
	close(fd);
	close(lfd);
	if (bad || pos != bytes) {
		printf("FAIL %s: got %llu of %llu bytes, %llu corrupt (first at %llu), fnv %016llx\n",
		       name, (unsigned long long)pos, (unsigned long long)bytes,
		       (unsigned long long)bad, (unsigned long long)first_bad,
		       (unsigned long long)hash);
		return 1;
	}
	printf("PASS %s %llu bytes verified in %.1f s, fnv %016llx\n", name,
	       (unsigned long long)pos, now() - t0, (unsigned long long)hash);
	return 0;
}

static int udp_send(const char *host, int port, unsigned int count,
		    unsigned int size, uint64_t seed)
{
	static unsigned char buf[65536];
	struct sockaddr_storage ss;
	socklen_t len;
	unsigned int i;
	int fd;

	if (size < 8 || size > sizeof(buf) - 8 || addr(host, port, &ss, &len))
		return fail("bad size or address %s", host);
	fd = socket(ss.ss_family, SOCK_DGRAM, 0);
	if (fd < 0)
		return fail("socket: %s", strerror(errno));
	for (i = 0; i < count; i++) {
		uint64_t seq = i;

		memcpy(buf, &seq, 8);
		fill(buf + 8, size - 8, seed + i, 0);
		if (sendto(fd, buf, size, 0, (struct sockaddr *)&ss, len) < 0 &&
		    errno != ENOBUFS)
			return fail("sendto: %s", strerror(errno));
		if (i % 16 == 15)
			usleep(2000);	/* pace: the receiver is a TCG guest */
	}
	printf("PASS %s sent %u datagrams of %u bytes\n", name, count, size);
	return 0;
}

static int udp_recv(int port, unsigned int count, unsigned int size,
		    uint64_t seed, int timeout)
{
	static unsigned char buf[65536], want[65536];
	unsigned int good = 0, bad = 0, dup = 0;
	unsigned char *seen = calloc(count, 1);
	double t0 = now();
	int fd;

	fd = listener(SOCK_DGRAM, port);
	if (fd < 0 || !seen)
		return fail("listen: %s", strerror(errno));
	printf("INFO %s listening on %d\n", name, port);
	fflush(stdout);
	while (good < count && now() - t0 < timeout) {
		uint64_t seq;
		ssize_t r;

		/* After the first datagram, 5 s of silence ends the run. */
		if (wait_in(fd, good + bad ? 5 : timeout) <= 0)
			break;
		r = recv(fd, buf, sizeof(buf), 0);
		if (r < 0)
			break;
		memcpy(&seq, buf, 8);
		fill(want, size - 8, seed + seq, 0);
		if ((size_t)r != size || seq >= count || memcmp(buf + 8, want, size - 8)) {
			bad++;
			continue;
		}
		if (seen[seq]) {
			dup++;
			continue;
		}
		seen[seq] = 1;
		good++;
	}
	close(fd);
	if (bad || good < count / 2) {
		printf("FAIL %s: %u of %u datagrams intact, %u corrupt, %u duplicate\n",
		       name, good, count, bad, dup);
		return 1;
	}
	printf("PASS %s %u of %u datagrams of %u bytes intact, none corrupt\n",
	       name, good, count, size);
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc >= 3)
		name = argv[2];
	if (argc == 7 && !strcmp(argv[1], "tcp-send"))
		return tcp_send(argv[3], atoi(argv[4]), strtoull(argv[5], NULL, 0),
				strtoull(argv[6], NULL, 0));
	if (argc == 7 && !strcmp(argv[1], "tcp-recv"))
		return tcp_recv(atoi(argv[3]), strtoull(argv[4], NULL, 0),
				strtoull(argv[5], NULL, 0), atoi(argv[6]));
	if (argc == 8 && !strcmp(argv[1], "udp-send"))
		return udp_send(argv[3], atoi(argv[4]), atoi(argv[5]), atoi(argv[6]),
				strtoull(argv[7], NULL, 0));
	if (argc == 8 && !strcmp(argv[1], "udp-recv"))
		return udp_recv(atoi(argv[3]), atoi(argv[4]), atoi(argv[5]),
				strtoull(argv[6], NULL, 0), atoi(argv[7]));
	fprintf(stderr, "usage: see the comment at the top of netbulk.c\n");
	return 2;
}
