// SPDX-License-Identifier: GPL-2.0-only
/*
 * blkio: data-integrity checks on a block device, run in a guest on top of
 * the stock xen-blkfront (tests/vm/scenarios/blkback.sh).
 *
 *   blkio DEV          read/write checks (destroys DEV's content)
 *   blkio -r DEV       DEV is read-only: reads work, writes are refused
 *   blkio -l DEV       endless verified O_DIRECT I/O (for destroy-in-flight)
 *   blkio -t SECS BS DEV [N]  N processes (default 1) of O_DIRECT sequential
 *                      reads of BS bytes for SECS seconds; prints
 *                      "BLKRATE ops=N bytes=N ms=N iops=X bps=X" (the total)
 *   blkio -m WORD DEV  wait (up to 10 min) until DEV's first sector starts
 *                      with WORD, read with O_DIRECT every 0.2 s: a mailbox
 *                      Dom0 writes through the backing file
 *
 * Read/write checks: O_DIRECT writes of many sizes (one sector to 1 MiB,
 * i.e. direct and indirect requests) at sector-aligned offsets, from
 * buffers whose start is aligned to the page or only to a sector (so that
 * segments start mid-page), read back with O_DIRECT and compared; buffered
 * writes at unaligned offsets and lengths, fsync, page cache dropped, read
 * back with O_DIRECT; flush (fsync, BLKFLSBUF); discard (BLKDISCARD) where
 * the device offers it, the range then reads as zeros (or its old data)
 * consistently.  Prints PASS/FAIL/SKIP lines.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int nfail;

#define PASS(n) printf("PASS %s\n", n)
#define FAIL(n, ...) do { printf("FAIL %s: ", n); printf(__VA_ARGS__); \
			  printf("\n"); nfail++; } while (0)

static void fill(unsigned char *b, size_t len, uint64_t seed)
{
	uint64_t x = seed * 0x9e3779b97f4a7c15ULL + 1;
	size_t i;

	for (i = 0; i < len; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		b[i] = (unsigned char)x;
	}
}

static int pwrite_all(int fd, const void *b, size_t len, off_t off)
{
	ssize_t n = pwrite(fd, b, len, off);

	return n == (ssize_t)len ? 0 : -1;
}

static int pread_all(int fd, void *b, size_t len, off_t off)
{
	ssize_t n = pread(fd, b, len, off);

	return n == (ssize_t)len ? 0 : -1;
}

static void drop_caches(void)
{
	int fd = open("/proc/sys/vm/drop_caches", O_WRONLY);

	if (fd >= 0) {
		if (write(fd, "3", 1) < 0)
			perror("drop_caches");
		close(fd);
	}
}

static int rw_checks(const char *dev)
{
	static const size_t sizes[] = { 512, 1024, 3584, 4096, 4608, 8192, 12288,
					45056, 49152, 65536, 131072, 262144,
					524288, 1048576 };
	static const off_t offs[] = { 0, 512, 3584, 4096, 1048576 + 1536,
				      8388608 - 512 };
	static const size_t bufoffs[] = { 0, 512, 3584 };
	int dfd, bfd;
	unsigned char *wb, *rb;
	uint64_t devsz;
	unsigned int i, j, k, bad = 0, n = 0;
	char name[96];

	dfd = open(dev, O_RDWR | O_DIRECT);
	bfd = open(dev, O_RDWR);
	if (dfd >= 0 && ioctl(dfd, BLKGETSIZE64, &devsz)) {
		struct stat st;

		/* A regular file (trying the program out on the host). */
		devsz = fstat(dfd, &st) ? 0 : (uint64_t)st.st_size;
	}
	if (dfd < 0 || bfd < 0 || !devsz) {
		FAIL("open", "%s: %s", dev, strerror(errno));
		return 1;
	}
	PASS("open");
	if (posix_memalign((void **)&wb, 4096, (2 << 20) + 4096) ||
	    posix_memalign((void **)&rb, 4096, (2 << 20) + 4096))
		return 1;

	/* O_DIRECT, every size x offset x buffer alignment. */
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		for (j = 0; j < sizeof(offs) / sizeof(offs[0]); j++) {
			for (k = 0; k < sizeof(bufoffs) / sizeof(bufoffs[0]); k++) {
				size_t len = sizes[i];
				off_t off = offs[j] + (off_t)(i * 2 << 20) % (off_t)(devsz / 2);
				uint64_t seed = (uint64_t)i << 32 | j << 8 | k;

				off -= off % 512;
				if ((uint64_t)off + len > devsz)
					continue;
				n++;
				fill(wb + bufoffs[k], len, seed);
				memset(rb + bufoffs[k], 0xa5, len);
				if (pwrite_all(dfd, wb + bufoffs[k], len, off) ||
				    pread_all(dfd, rb + bufoffs[k], len, off) ||
				    memcmp(wb + bufoffs[k], rb + bufoffs[k], len)) {
					if (bad++ < 3)
						printf("  direct len %zu off %lld buf+%zu: %s\n",
						       len, (long long)off, bufoffs[k],
						       errno ? strerror(errno) : "data differs");
				}
			}
		}
	}
	snprintf(name, sizeof(name), "direct-%u-cases", n);
	if (bad)
		FAIL(name, "%u of %u O_DIRECT write/read-back cases failed", bad, n);
	else
		PASS(name);

	/* Buffered, unaligned, then read back with O_DIRECT. */
	bad = 0;
	for (i = 0; i < 16; i++) {
		size_t len = 1 + i * 7919 % 300000;
		off_t off = 16777216 + (off_t)i * 1048576 + i * 777;
		off_t a = off - off % 4096;
		size_t alen = ((off + len + 4095) / 4096) * 4096 - a;

		if ((uint64_t)a + alen > devsz || alen > (2 << 20))
			continue;
		fill(wb, len, 1000 + i);
		if (pwrite_all(bfd, wb, len, off) || fsync(bfd)) {
			bad++;
			continue;
		}
		drop_caches();
		if (pread_all(dfd, rb, alen, a) || memcmp(rb + (off - a), wb, len)) {
			if (bad++ < 3)
				printf("  buffered len %zu off %lld: differs\n", len,
				       (long long)off);
		}
	}
	if (bad)
		FAIL("buffered-unaligned", "%u of 16 cases failed", bad);
	else
		PASS("buffered-unaligned");

	/* Flush: fsync and BLKFLSBUF succeed. */
	if (fsync(dfd) || fdatasync(bfd) || ioctl(bfd, BLKFLSBUF, 0))
		FAIL("flush", "%s", strerror(errno));
	else
		PASS("flush");

	/* Discard, where offered. */
	{
		char path[128];
		unsigned long long max = 0;
		FILE *f;
		const char *b = strrchr(dev, '/');

		snprintf(path, sizeof(path), "/sys/block/%s/queue/discard_max_bytes",
			 b ? b + 1 : dev);
		f = fopen(path, "r");
		if (f) {
			if (fscanf(f, "%llu", &max) != 1)
				max = 0;
			fclose(f);
		}
		if (!max) {
			printf("SKIP discard: not offered by the device\n");
		} else {
			uint64_t range[2] = { 33554432, 1048576 };

			fill(wb, 1048576, 77);
			if (pwrite_all(dfd, wb, 1048576, 33554432)) {
				FAIL("discard", "write before discard: %s", strerror(errno));
			} else if (ioctl(bfd, BLKDISCARD, range)) {
				FAIL("discard", "BLKDISCARD: %s", strerror(errno));
			} else if (pread_all(dfd, rb, 1048576, 33554432)) {
				FAIL("discard", "read after discard: %s", strerror(errno));
			} else {
				memset(wb, 0, 1048576);
				if (memcmp(rb, wb, 1048576))
					FAIL("discard", "discarded range does not read as zeros");
				else
					PASS("discard");
			}
		}
	}
	close(dfd);
	close(bfd);
	return nfail ? 1 : 0;
}

static int ro_checks(const char *dev)
{
	unsigned char *b;
	int fd;

	if (posix_memalign((void **)&b, 4096, 65536))
		return 1;
	fd = open(dev, O_RDONLY | O_DIRECT);
	if (fd < 0 || pread_all(fd, b, 65536, 0)) {
		FAIL("ro-read", "%s", strerror(errno));
	} else {
		PASS("ro-read");
		printf("BLKIO-RO-HEAD %.16s\n", (char *)b);
	}
	if (fd >= 0)
		close(fd);
	fd = open(dev, O_RDWR | O_DIRECT);
	if (fd < 0) {
		PASS("ro-write-refused");
		printf("  open O_RDWR: %s\n", strerror(errno));
	} else {
		memset(b, 0x5a, 4096);
		if (pwrite(fd, b, 4096, 0) == 4096 && fsync(fd) == 0)
			FAIL("ro-write-refused", "a write to the read-only disk succeeded");
		else
			PASS("ro-write-refused");
		close(fd);
	}
	return nfail ? 1 : 0;
}

static int loop_io(const char *dev)
{
	unsigned char *wb, *rb;
	unsigned long i;
	int fd = open(dev, O_RDWR | O_DIRECT);

	if (fd < 0 || posix_memalign((void **)&wb, 4096, 262144) ||
	    posix_memalign((void **)&rb, 4096, 262144))
		return 1;
	printf("BLKIO-LOOP started\n");
	fflush(stdout);
	for (i = 0;; i++) {
		off_t off = (off_t)(i % 32) * 262144 + 4194304;

		fill(wb, 262144, i);
		if (pwrite_all(fd, wb, 262144, off) || pread_all(fd, rb, 262144, off) ||
		    memcmp(wb, rb, 262144)) {
			printf("BLKIO-LOOP-FAIL %lu\n", i);
			return 1;
		}
	}
	return 0;
}

static unsigned long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * @procs processes each read @bs bytes at a time, sequentially over
 * 1 MiB .. 9 MiB (away from the mailbox sector), for @secs seconds: at
 * most @procs requests in flight.  One line with the total.
 */
static int rate_io(const char *dev, unsigned int secs, unsigned int bs,
		   unsigned int procs)
{
	unsigned long long t0, t, ops = 0, span = 8ULL << 20, n;
	unsigned int i;
	int p[2];

	if (bs < 512 || bs > (1U << 20) || bs % 512 || procs < 1 || procs > 64 ||
	    pipe(p)) {
		printf("BLKRATE-FAIL arguments\n");
		return 1;
	}
	t0 = now_ms();
	for (i = 0; i < procs; i++) {
		if (fork() == 0) {
			unsigned char *b;
			int fd = open(dev, O_RDONLY | O_DIRECT);

			if (fd < 0 || posix_memalign((void **)&b, 4096, bs))
				_exit(1);
			do {
				off_t off = (off_t)(1ULL << 20) +
					    (off_t)((ops * procs + i) * bs % span);

				if (pread_all(fd, b, bs, off))
					_exit(1);
				ops++;
			} while (now_ms() - t0 < secs * 1000ULL);
			if (write(p[1], &ops, sizeof(ops)) != sizeof(ops))
				_exit(1);
			_exit(0);
		}
	}
	close(p[1]);
	for (i = 0; i < procs; i++) {
		if (read(p[0], &n, sizeof(n)) != sizeof(n)) {
			printf("BLKRATE-FAIL a reader failed\n");
			return 1;
		}
		ops += n;
	}
	while (wait(NULL) > 0)
		;
	t = now_ms();
	printf("BLKRATE ops=%llu bytes=%llu ms=%llu iops=%.1f bps=%.0f\n", ops,
	       ops * bs, t - t0, ops * 1000.0 / (t - t0), ops * bs * 1000.0 / (t - t0));
	return 0;
}

static int mailbox(const char *dev, const char *word)
{
	unsigned char *b;
	int i, fd = open(dev, O_RDONLY | O_DIRECT);

	if (fd < 0 || posix_memalign((void **)&b, 4096, 4096))
		return 1;
	for (i = 0; i < 3000; i++) {
		if (pread_all(fd, b, 512, 0) == 0 && !memcmp(b, word, strlen(word))) {
			close(fd);
			return 0;
		}
		usleep(200000);
	}
	close(fd);
	return 1;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 3 && !strcmp(argv[1], "-r"))
		return ro_checks(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "-l"))
		return loop_io(argv[2]);
	if ((argc == 5 || argc == 6) && !strcmp(argv[1], "-t"))
		return rate_io(argv[4], atoi(argv[2]), atoi(argv[3]),
			       argc == 6 ? atoi(argv[5]) : 1);
	if (argc == 4 && !strcmp(argv[1], "-m"))
		return mailbox(argv[3], argv[2]);
	if (argc == 2)
		return rw_checks(argv[1]);
	fprintf(stderr, "usage: blkio [-r|-l] DEV | -t SECS BS DEV [N] | -m WORD DEV\n");
	return 2;
}
