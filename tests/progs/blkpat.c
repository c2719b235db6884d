// SPDX-License-Identifier: GPL-2.0-only
/*
 * blkpat: deterministic data patterns on a block device (or file), with
 * O_DIRECT, telling an I/O error (EIO) apart from wrong data.  Used by
 * tests/vm/extra/blkback-dm.sh and blkback-multi.sh, in the guests (on the
 * stock xen-blkfront) and in Dom0 (on the backing devices).
 *
 *   blkpat w SEED DEV OFF_KIB LEN_KIB   write the pattern, read it back, compare
 *   blkpat r SEED DEV OFF_KIB LEN_KIB   read and compare with the pattern
 *   blkpat f SEED DEV OFF_KIB LEN_KIB SECS
 *                 reads of 64 KiB over the range, again and again, for up to
 *                 SECS seconds or until 3 succeeded and 3 failed with EIO
 *                 (a dm-flakey device): every read that succeeds is compared
 *
 * The pattern of the 4 KiB block at byte offset B is a function of SEED and
 * B / 4096 only, so a range can be written in one place and checked in
 * another (guest disk and Dom0 backing file agree on offsets).
 *
 * Output, one line: "BLKPAT <mode> <dev> <off> <len> ok", or "... eio at
 * <KiB>", "... mismatch at <KiB>", "... error <why> at <KiB>"; mode f prints
 * "BLKPAT f <dev> ok=N eio=N bad=N ms=N".
 * Exit status: 0 ok, 5 EIO, 2 data mismatch, 1 anything else; mode f: 0 if at
 * least one read succeeded and one failed with EIO and none was wrong or
 * failed otherwise, else 1.
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

#define BLK 4096
#define CHUNK (256 * 1024)

static void fill(unsigned char *b, uint64_t seed, uint64_t off, size_t len)
{
	size_t i, j;

	for (i = 0; i < len; i += BLK) {
		uint64_t x = (seed << 32 ^ (off + i) / BLK) * 0x9e3779b97f4a7c15ULL + 1;

		for (j = 0; j < BLK; j += 8) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			memcpy(b + i + j, &x, 8);
		}
	}
}

static unsigned long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* 0 ok, 5 EIO, 2 mismatch, 1 other; errno kept for the message. */
static int xfer(int fd, int wr, unsigned char *b, size_t len, uint64_t off)
{
	ssize_t n;

	errno = 0;
	n = wr ? pwrite(fd, b, len, off) : pread(fd, b, len, off);
	if (n == (ssize_t)len)
		return 0;
	if (n >= 0)
		errno = ENOSPC; /* short: past the end */
	return errno == EIO ? 5 : 1;
}

static int report(const char *mode, const char *dev, uint64_t off, uint64_t len,
		  int rc, uint64_t at)
{
	printf("BLKPAT %s %s %llu %llu ", mode, dev, (unsigned long long)off / 1024,
	       (unsigned long long)len / 1024);
	if (rc == 0)
		printf("ok\n");
	else if (rc == 5)
		printf("eio at %llu\n", (unsigned long long)at / 1024);
	else if (rc == 2)
		printf("mismatch at %llu\n", (unsigned long long)at / 1024);
	else
		printf("error %s at %llu\n", strerror(errno), (unsigned long long)at / 1024);
	return rc;
}

static int range(const char *mode, uint64_t seed, const char *dev, uint64_t off,
		 uint64_t len, unsigned char *want, unsigned char *got)
{
	int wr = mode[0] == 'w', fd, rc = 0;
	uint64_t p, n;

	fd = open(dev, (wr ? O_RDWR : O_RDONLY) | O_DIRECT);
	if (fd < 0)
		return report(mode, dev, off, len, 1, off);
	for (p = off; p < off + len; p += n) {
		n = off + len - p < CHUNK ? off + len - p : CHUNK;
		fill(want, seed, p, n);
		if (wr) {
			rc = xfer(fd, 1, want, n, p);
			if (rc)
				break;
		}
		memset(got, 0xa5, n);
		rc = xfer(fd, 0, got, n, p);
		if (!rc && memcmp(want, got, n))
			rc = 2;
		if (rc)
			break;
	}
	close(fd);
	return report(mode, dev, off, len, rc, p);
}

static int flakey(uint64_t seed, const char *dev, uint64_t off, uint64_t len,
		  unsigned int secs, unsigned char *want, unsigned char *got)
{
	unsigned long long t0 = now_ms(), ok = 0, eio = 0, bad = 0;
	uint64_t p = off, n = 64 * 1024;
	int fd = open(dev, O_RDONLY | O_DIRECT), rc;

	if (fd < 0 || len < n)
		return report("f", dev, off, len, 1, off);
	while (now_ms() - t0 < secs * 1000ULL && (ok < 3 || eio < 3)) {
		if (p + n > off + len)
			p = off;
		fill(want, seed, p, n);
		memset(got, 0xa5, n);
		rc = xfer(fd, 0, got, n, p);
		if (!rc && memcmp(want, got, n))
			rc = 2;
		if (rc == 0) {
			ok++;
		} else if (rc == 5) {
			eio++;
		} else {
			if (bad++ < 3)
				printf("  read at %llu KiB: %s\n", (unsigned long long)p / 1024,
				       rc == 2 ? "data differs" : strerror(errno));
		}
		p += n;
		usleep(100000);
	}
	close(fd);
	printf("BLKPAT f %s ok=%llu eio=%llu bad=%llu ms=%llu\n", dev, ok, eio, bad,
	       now_ms() - t0);
	return ok && eio && !bad ? 0 : 1;
}

int main(int argc, char **argv)
{
	unsigned char *want, *got;
	uint64_t seed, off, len;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 6 || strlen(argv[1]) != 1 || !strchr("wrf", argv[1][0]) ||
	    (argv[1][0] == 'f') != (argc == 7) || (argv[1][0] != 'f' && argc != 6)) {
		fprintf(stderr, "usage: blkpat w|r SEED DEV OFF_KIB LEN_KIB | f SEED DEV OFF_KIB LEN_KIB SECS\n");
		return 1;
	}
	seed = strtoull(argv[2], NULL, 0);
	off = strtoull(argv[4], NULL, 0) * 1024;
	len = strtoull(argv[5], NULL, 0) * 1024;
	if (off % BLK || len % BLK || !len) {
		fprintf(stderr, "blkpat: offset and length must be multiples of 4 KiB\n");
		return 1;
	}
	if (posix_memalign((void **)&want, BLK, CHUNK) || posix_memalign((void **)&got, BLK, CHUNK))
		return 1;
	if (argv[1][0] == 'f')
		return flakey(seed, argv[3], off, len, atoi(argv[6]), want, got);
	return range(argv[1], seed, argv[3], off, len, want, got);
}
