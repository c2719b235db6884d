/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * fuzz.h - common part of the user-space fuzz harnesses of tests/fuzz/.
 *
 * Each harness defines LLVMFuzzerTestOneInput() and includes this file.
 * Built with clang -fsanitize=fuzzer, libFuzzer drives it.  Built with
 * -DXD_FUZZ_STANDALONE (gcc), this file adds a main() that replays the
 * corpus files given on the command line, then runs a deterministic
 * mutation loop from a fixed seed:
 *
 *	harness [-n ITERATIONS] [-t SECONDS] [-s SEED] [CORPUS-FILE-OR-DIR...]
 *
 * (it stops at whichever limit comes first: -n 0 only replays the corpus;
 * the default is 10 seconds)
 * and prints "iterations N corpus M seconds S" at the end.  An oracle that
 * fails prints the input in hex (xd_fuzz_fail()) and aborts.
 */
#ifndef XD_FUZZ_H
#define XD_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * Outcome counters a harness may keep (XD_STAT()), named by the harness's
 * XD_STAT_NAMES (defined before including this file), printed by the
 * standalone driver, so that a run shows every outcome was reached.
 */
#define XD_NSTATS 12
static unsigned long long xd_stats[XD_NSTATS];
#ifndef XD_STAT_NAMES
#define XD_STAT_NAMES { NULL }
#endif
static const char *const xd_stat_names[XD_NSTATS] = XD_STAT_NAMES;
#define XD_STAT(i)	(xd_stats[i]++)

/* The input being run, for xd_fuzz_fail(). */
static const uint8_t *xd_fuzz_data;
static size_t xd_fuzz_size;

/**
 * struct xd_in - a cursor over the fuzz input
 * @p: next byte
 * @n: bytes left
 *
 * Reading past the end yields zeroes, so every input is a valid one.
 */
struct xd_in {
	const uint8_t *p;
	size_t n;
};

static inline void xd_in_init(struct xd_in *in, const uint8_t *d, size_t n)
{
	in->p = d;
	in->n = n;
	xd_fuzz_data = d;
	xd_fuzz_size = n;
}

static inline uint64_t xd_in_bytes(struct xd_in *in, unsigned int nbytes)
{
	uint64_t v = 0;
	unsigned int i;

	for (i = 0; i < nbytes; i++) {
		v <<= 8;
		if (in->n) {
			v |= *in->p++;
			in->n--;
		}
	}
	return v;
}

static inline uint8_t xd_u8(struct xd_in *in)
{
	return (uint8_t)xd_in_bytes(in, 1);
}

static inline uint16_t xd_u16(struct xd_in *in)
{
	return (uint16_t)xd_in_bytes(in, 2);
}

static inline uint32_t xd_u32(struct xd_in *in)
{
	return (uint32_t)xd_in_bytes(in, 4);
}

static inline uint64_t xd_u64(struct xd_in *in)
{
	return xd_in_bytes(in, 8);
}

/**
 * xd_near() - a 64-bit value, biased towards the edges around @pivot
 * @in: input
 * @pivot: an interesting value (a device size, a page size...)
 *
 * One selector byte picks a raw value, a value near @pivot, near 0 or
 * near 2^64, so that boundary cases come up often.
 */
static inline uint64_t xd_near(struct xd_in *in, uint64_t pivot)
{
	uint8_t sel = xd_u8(in);
	int8_t d = (int8_t)xd_u8(in);

	switch (sel & 3) {
	case 0:
		return xd_u64(in);
	case 1:
		return pivot + (uint64_t)(int64_t)d;
	case 2:
		return (uint64_t)(uint8_t)d;
	default:
		return ~0ULL - (uint8_t)d;
	}
}

static inline void xd_fuzz_fail(const char *what)
{
	size_t i;

	fprintf(stderr, "FUZZ ORACLE FAILED: %s\ninput (%zu bytes):", what,
		xd_fuzz_size);
	for (i = 0; i < xd_fuzz_size; i++)
		fprintf(stderr, "%s%02x", i % 32 ? "" : "\n  ", xd_fuzz_data[i]);
	fprintf(stderr, "\n");
	abort();
}

/* Assert an oracle: on failure, print the input and abort. */
#define XD_CHECK(cond, what)						\
	do {								\
		if (!(cond))						\
			xd_fuzz_fail(what " [" #cond "]");		\
	} while (0)

#ifdef XD_FUZZ_STANDALONE

#include <dirent.h>
#include <sys/stat.h>
#include <time.h>

#define XD_MAX_INPUT	512
#define XD_MAX_CORPUS	256

static uint8_t xd_corpus[XD_MAX_CORPUS][XD_MAX_INPUT];
static size_t xd_corpus_len[XD_MAX_CORPUS];
static unsigned int xd_corpus_n;
static uint64_t xd_rng_state;

/* xorshift64*: deterministic for a given seed. */
static uint64_t xd_rand(void)
{
	uint64_t x = xd_rng_state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	xd_rng_state = x;
	return x * 0x2545F4914F6CDD1DULL;
}

static const uint64_t xd_interesting[] = {
	0, 1, 2, 7, 8, 9, 11, 12, 14, 18, 20, 63, 64, 65, 127, 128, 255, 256,
	257, 511, 512, 513, 4095, 4096, 4097, 0x7fff, 0x8000, 0xffff,
	0x10000, 0x7fffffff, 0x80000000, 0xffffffff, 0x100000000ULL,
	0x7fffffffffffffffULL, 0x8000000000000000ULL, ~0ULL,
};

static void xd_run(const uint8_t *d, size_t n)
{
	/* A private copy: a harness must not depend on bytes past the end. */
	uint8_t *copy = malloc(n ? n : 1);

	if (!copy)
		abort();
	memcpy(copy, d, n);
	LLVMFuzzerTestOneInput(copy, n);
	free(copy);
}

static void xd_add_corpus(const uint8_t *d, size_t n)
{
	if (xd_corpus_n >= XD_MAX_CORPUS)
		return;
	if (n > XD_MAX_INPUT)
		n = XD_MAX_INPUT;
	memcpy(xd_corpus[xd_corpus_n], d, n);
	xd_corpus_len[xd_corpus_n++] = n;
}

static unsigned long xd_replay_file(const char *path)
{
	uint8_t buf[XD_MAX_INPUT];
	FILE *f = fopen(path, "rb");
	size_t n;

	if (!f) {
		perror(path);
		exit(2);
	}
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	xd_run(buf, n);
	xd_add_corpus(buf, n);
	return 1;
}

static unsigned long xd_replay(const char *path)
{
	struct stat st;
	struct dirent **ents;
	unsigned long n = 0;
	int i, k;

	if (stat(path, &st) != 0) {
		perror(path);
		exit(2);
	}
	if (!S_ISDIR(st.st_mode))
		return xd_replay_file(path);
	k = scandir(path, &ents, NULL, alphasort);
	if (k < 0) {
		perror(path);
		exit(2);
	}
	for (i = 0; i < k; i++) {
		char p[4096];

		if (ents[i]->d_name[0] != '.') {
			snprintf(p, sizeof(p), "%s/%s", path, ents[i]->d_name);
			n += xd_replay_file(p);
		}
		free(ents[i]);
	}
	free(ents);
	return n;
}

/* One mutation of @buf (length *@n, capacity XD_MAX_INPUT). */
static void xd_mutate_once(uint8_t *buf, size_t *n)
{
	size_t pos = *n ? xd_rand() % *n : 0;
	uint64_t v;
	unsigned int k, w;

	switch (xd_rand() % 8) {
	case 0:	/* flip a bit */
		if (*n)
			buf[pos] ^= 1U << (xd_rand() % 8);
		break;
	case 1:	/* random byte */
		if (*n)
			buf[pos] = (uint8_t)xd_rand();
		break;
	case 2:	/* interesting value, 1, 2, 4 or 8 bytes, big-endian */
		v = xd_interesting[xd_rand() % (sizeof(xd_interesting) /
						sizeof(xd_interesting[0]))];
		if (xd_rand() & 1)
			v = ~v + 1 + (xd_rand() % 3) - 1;
		w = 1U << (xd_rand() % 4);
		for (k = 0; k < w && pos + k < *n; k++)
			buf[pos + k] = (uint8_t)(v >> (8 * (w - 1 - k)));
		break;
	case 3:	/* add or subtract a little */
		if (*n)
			buf[pos] += (uint8_t)(xd_rand() % 33) - 16;
		break;
	case 4:	/* grow by random bytes */
		w = 1 + xd_rand() % 16;
		for (k = 0; k < w && *n < XD_MAX_INPUT; k++)
			buf[(*n)++] = (uint8_t)xd_rand();
		break;
	case 5:	/* truncate */
		if (*n)
			*n = xd_rand() % *n;
		break;
	case 6:	/* copy a block from another corpus entry */
		if (xd_corpus_n) {
			unsigned int c = xd_rand() % xd_corpus_n;
			size_t from, len;

			if (!xd_corpus_len[c] || !*n)
				break;
			from = xd_rand() % xd_corpus_len[c];
			len = 1 + xd_rand() % 16;
			if (len > xd_corpus_len[c] - from)
				len = xd_corpus_len[c] - from;
			if (len > *n - pos)
				len = *n - pos;
			memcpy(buf + pos, xd_corpus[c] + from, len);
		}
		break;
	default: /* set a byte to 0x00 or 0xff */
		if (*n)
			buf[pos] = xd_rand() & 1 ? 0xff : 0;
		break;
	}
}

static double xd_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	unsigned long long iters = 0, max_iters = ~0ULL, seed = 0x5eed;
	unsigned long ncorpus = 0;
	double secs = 10, t0 = xd_now();
	uint8_t buf[XD_MAX_INPUT];
	size_t n;
	int i, m;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-n") && i + 1 < argc)
			max_iters = strtoull(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "-t") && i + 1 < argc)
			secs = strtod(argv[++i], NULL);
		else if (!strcmp(argv[i], "-s") && i + 1 < argc)
			seed = strtoull(argv[++i], NULL, 0);
		else
			ncorpus += xd_replay(argv[i]);
	}
	xd_rng_state = seed ? seed : 1;
	for (;;) {
		if (iters >= max_iters)
			break;
		if ((iters & 1023) == 0 && xd_now() - t0 >= secs)
			break;
		if (xd_corpus_n && xd_rand() % 8) {
			unsigned int c = xd_rand() % xd_corpus_n;

			n = xd_corpus_len[c];
			memcpy(buf, xd_corpus[c], n);
		} else {
			n = xd_rand() % 96;
			for (m = 0; m < (int)n; m++)
				buf[m] = (uint8_t)xd_rand();
		}
		for (m = 1 + xd_rand() % 8; m > 0; m--)
			xd_mutate_once(buf, &n);
		xd_run(buf, n);
		iters++;
		/* Keep some mutants as new starting points. */
		if ((xd_rand() & 0xfff) == 0) {
			if (xd_corpus_n < XD_MAX_CORPUS) {
				xd_add_corpus(buf, n);
			} else {
				unsigned int c = xd_rand() % XD_MAX_CORPUS;

				memcpy(xd_corpus[c], buf, n);
				xd_corpus_len[c] = n;
			}
		}
	}
	printf("iterations %llu corpus %lu seconds %.1f seed %#llx\n", iters,
	       ncorpus, xd_now() - t0, seed);
	for (i = 0; i < XD_NSTATS; i++)
		if (xd_stat_names[i])
			printf("  %s %llu\n", xd_stat_names[i], xd_stats[i]);
	return 0;
}

#endif /* XD_FUZZ_STANDALONE */

#endif /* XD_FUZZ_H */
