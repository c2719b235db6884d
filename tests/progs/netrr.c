// SPDX-License-Identifier: GPL-2.0-only
/*
 * netrr - UDP request/response latency for the net-rr row of `make bench`
 * (tests/vm/extra/bench.sh): the client sends a 1-byte request, the server
 * answers with the same byte, one round trip at a time.
 *
 *   netrr server PORT LIFE        echo until LIFE seconds have passed
 *   netrr client HOST PORT SECS   round trips for SECS seconds (after 20
 *                                 unrecorded ones), then one line
 *       XBRESULT <us per round trip> median=<us> mean=<us> min=<us> p99=<us>
 *                n=<round trips> lost=<n>
 *
 * The result is the time of the answered round trips divided by their
 * number: the run's two clock readings, seconds apart, less the time of the
 * lost trips (about 1 s each).  The per-trip figures after it
 * come from two readings around each trip, which a guest's clock can spoil:
 * a paravirtual clock kept monotonic across vCPUs returns the last value
 * read until the reading vCPU's clock catches up (round trips of 0.0 us were
 * seen in TCG guests), so the median and minimum are for information.
 *
 * HOST is a numeric IPv4 or IPv6 address; the server listens on both
 * families.  The request byte is a sequence number: a late answer to a lost
 * request is skipped, not counted.  A request without an answer within 1 s is
 * lost (the next one goes out).  Exit status 1 (and a FAIL line) if no round
 * trip was recorded.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "sock6.h"

#define WARMUP 20

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int fail(const char *what, const char *detail)
{
	printf("FAIL netrr: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
	fflush(stdout);
	return 1;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static int server(int port, int life)
{
	struct sockaddr_storage peer;
	double end = now() + life;
	int fd;

	fd = sock6_bind_any(SOCK_DGRAM, port);
	if (fd < 0)
		return fail("bind", strerror(errno));
	printf("INFO netrr server on port %d for %d s\n", port, life);
	fflush(stdout);
	while (now() < end) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		socklen_t len = sizeof(peer);
		unsigned char b[64];
		ssize_t r;

		if (poll(&p, 1, 1000) <= 0)
			continue;
		r = recvfrom(fd, b, sizeof(b), 0, (struct sockaddr *)&peer, &len);
		if (r > 0)
			sendto(fd, b, r, 0, (struct sockaddr *)&peer, len);
	}
	close(fd);
	return 0;
}

/*
 * One round trip with request byte @seq; returns its time in microseconds, or
 * a negative value if no answer came within @tmo_ms.
 */
static double round_trip(int fd, unsigned char seq, int tmo_ms)
{
	double t0 = now(), t;
	unsigned char b[64];

	if (send(fd, &seq, 1, 0) != 1)
		return -1;
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int left = tmo_ms - (int)((now() - t0) * 1000);
		ssize_t r;

		if (left <= 0 || poll(&p, 1, left) <= 0)
			return -1;
		r = recv(fd, b, sizeof(b), 0);
		t = now();
		if (r == 1 && b[0] == seq)
			return (t - t0) * 1e6;
		/* a late answer to an earlier request, or an error: keep waiting */
	}
}

static int client(const char *host, int port, int secs)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
	socklen_t len;
	size_t n = 0, cap = 4096, lost = 0, i;
	double *v, sum = 0, start, end, t, lost_time = 0, wall;
	unsigned char seq = 0;
	int fd;

	memset(&ss, 0, sizeof(ss));
	if (inet_pton(AF_INET, host, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		len = sizeof(*s4);
	} else if (inet_pton(AF_INET6, host, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		len = sizeof(*s6);
	} else {
		return fail("bad address", host);
	}
	fd = socket(ss.ss_family, SOCK_DGRAM, 0);
	if (fd < 0)
		return fail("socket", strerror(errno));
	if (connect(fd, (struct sockaddr *)&ss, len) < 0)
		return fail("connect", strerror(errno));
	v = malloc(cap * sizeof(*v));
	if (!v)
		return fail("malloc", NULL);
	/* unrecorded: ARP, caches, the server's first wake-up */
	for (i = 0; i < WARMUP; i++)
		round_trip(fd, ++seq, 1000);
	start = now();
	end = start + secs;
	while (now() < end) {
		double t0 = now();

		t = round_trip(fd, ++seq, 1000);
		if (t < 0) {
			/* about 1 s each: a skewed reading hardly matters */
			lost_time += now() - t0;
			lost++;
			continue;
		}
		if (n == cap) {
			double *nv = realloc(v, 2 * cap * sizeof(*v));

			if (!nv)
				break;
			v = nv;
			cap *= 2;
		}
		v[n++] = t;
		sum += t;
	}
	wall = now() - start - lost_time;
	close(fd);
	if (!n) {
		free(v);
		return fail("no answer from the server", host);
	}
	qsort(v, n, sizeof(*v), cmp_double);
	printf("XBRESULT %.1f median=%.1f mean=%.1f min=%.1f p99=%.1f n=%zu lost=%zu\n",
	       wall * 1e6 / n,
	       n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2, sum / n, v[0],
	       v[(size_t)((n - 1) * 0.99)], n, lost);
	free(v);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "server"))
		return server(atoi(argv[2]), atoi(argv[3]));
	if (argc == 5 && !strcmp(argv[1], "client"))
		return client(argv[2], atoi(argv[3]), atoi(argv[4]));
	fprintf(stderr, "usage: netrr server PORT LIFE | netrr client HOST PORT SECS\n");
	return 2;
}
