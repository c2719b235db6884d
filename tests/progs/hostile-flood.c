// SPDX-License-Identifier: GPL-2.0-only
/*
 * hostile-flood - Dom0 side of the netif RX cases (tests/hostile/README.md): send
 * Ethernet frames straight into one vif (AF_PACKET on the interface, so they go to
 * the guest and nowhere else) as fast as the device takes them, for SECONDS.
 *   hostile-flood IFACE SECONDS
 * Prints "FLOOD sent N refused M" (refused: the queue was stopped/full).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netpacket/packet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	uint8_t frame[1514];
	struct sockaddr_ll sa;
	unsigned long sent = 0, refused = 0;
	double end;
	int s, ifindex;

	if (argc != 3) {
		fprintf(stderr, "usage: hostile-flood IFACE SECONDS\n");
		return 2;
	}
	ifindex = if_nametoindex(argv[1]);
	if (!ifindex) {
		fprintf(stderr, "FLOOD no interface %s\n", argv[1]);
		return 1;
	}
	s = socket(AF_PACKET, SOCK_RAW, htons(0x88b5));
	if (s < 0) {
		perror("FLOOD socket");
		return 1;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sll_family = AF_PACKET;
	sa.sll_ifindex = ifindex;
	sa.sll_halen = 6;
	memset(frame, 0x5a, sizeof(frame));
	memcpy(frame, "\x00\x16\x3e\x00\x00\xa0\x00\x16\x3e\x00\x00\xfe\x88\xb5", 14);
	memcpy(sa.sll_addr, frame, 6);
	end = now() + atoi(argv[2]);
	while (now() < end) {
		for (int i = 0; i < 64; i++) {
			if (sendto(s, frame, sizeof(frame), MSG_DONTWAIT, (struct sockaddr *)&sa,
				   sizeof(sa)) == (ssize_t)sizeof(frame))
				sent++;
			else
				refused++;
		}
		if (refused > sent + 1000)
			usleep(1000);	/* queue stopped: do not spin a Dom0 CPU */
	}
	printf("FLOOD sent %lu refused %lu\n", sent, refused);
	return 0;
}
