// SPDX-License-Identifier: GPL-2.0-only
/*
 * hostile-victim - the well-behaved guest next to a hostile one (tests/hostile/).
 *
 * Started by the guest's init through xd.run= (no arguments). Forever (5 per second,
 * to leave the CPU to the others under TCG): write a
 * 64 KiB pattern (unique per iteration) to /dev/xvda with O_DIRECT at a moving
 * offset above the first MiB, read it back with O_DIRECT and compare. Once a
 * second it prints
 *     HV-IO <iterations> <failures>
 * and every failure as
 *     HV-IO-FAIL <iteration> <what>
 * Dom0 checks that the counter keeps moving and that no failure appears.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define CHUNK (64 * 1024)
#define SLOTS 64

int main(int argc, char **argv)
{
	const char *dev = argc > 1 ? argv[1] : "/dev/xvda";
	unsigned long it = 0, fails = 0;
	time_t last = 0;
	uint8_t *w, *r;
	int fd;

	setvbuf(stdout, NULL, _IOLBF, 0);
	fd = open(dev, O_RDWR | O_DIRECT);
	if (fd < 0) {
		printf("HV-IO-FAIL 0 open %s: %s\n", dev, strerror(errno));
		return 1;
	}
	if (posix_memalign((void **)&w, 4096, CHUNK) || posix_memalign((void **)&r, 4096, CHUNK))
		return 1;
	for (;;) {
		off_t off = (off_t)(1 << 20) + (off_t)(it % SLOTS) * CHUNK;
		uint64_t x = 0x9e3779b97f4a7c15ull * (it + 1);
		const char *what = NULL;

		for (size_t i = 0; i < CHUNK; i += 8) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			memcpy(w + i, &x, 8);
		}
		memset(r, 0, CHUNK);
		if (pwrite(fd, w, CHUNK, off) != CHUNK)
			what = "write";
		else if (pread(fd, r, CHUNK, off) != CHUNK)
			what = "read";
		else if (memcmp(w, r, CHUNK))
			what = "data read back differs";
		if (what) {
			fails++;
			printf("HV-IO-FAIL %lu %s at %lld: %s\n", it, what, (long long)off,
			       errno ? strerror(errno) : "-");
			errno = 0;
			sleep(1);
		}
		it++;
		usleep(200000);
		if (time(NULL) != last) {
			last = time(NULL);
			printf("HV-IO %lu %lu\n", it, fails);
		}
	}
}
