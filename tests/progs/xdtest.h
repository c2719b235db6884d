/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * xdtest.h - the result lines of the VM test programs (tests/vm/lib.sh reads
 * them): "PASS <check>", "FAIL <check>: <detail>", "SKIP <check>: <reason>",
 * "INFO <text>". xt_npass / xt_nfail count them; a program exits non-zero
 * when xt_nfail is.
 */
#ifndef XDTEST_H
#define XDTEST_H

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int xt_npass, xt_nfail;

static inline void pass(const char *check)
{
	printf("PASS %s\n", check);
	fflush(stdout);
	xt_npass++;
}

static inline void xt_line(const char *kind, const char *check, const char *fmt, va_list ap)
{
	printf("%s %s: ", kind, check);
	vprintf(fmt, ap);
	printf("\n");
	fflush(stdout);
}

__attribute__((format(printf, 2, 3)))
static inline void fail(const char *check, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	xt_line("FAIL", check, fmt, ap);
	va_end(ap);
	xt_nfail++;
}

__attribute__((format(printf, 2, 3)))
static inline void skip(const char *check, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	xt_line("SKIP", check, fmt, ap);
	va_end(ap);
}

/* Informational lines (which variant of a behaviour was seen). */
__attribute__((format(printf, 1, 2)))
static inline void info(const char *fmt, ...)
{
	va_list ap;

	printf("INFO ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

/*
 * RC is an ioctl()/syscall return value, errno is read when RC < 0; WANT is
 * the errno expected, 0 for success.
 */
static inline void expect_errno(const char *check, long rc, int want)
{
	int e = rc < 0 ? errno : 0;

	if ((rc >= 0 && want == 0) || (rc < 0 && want && e == want))
		pass(check);
	else if (rc < 0)
		fail(check, "failed with errno %d (%s), want %s", e, strerror(e),
		     want ? strerror(want) : "success");
	else
		fail(check, "returned %ld, want errno %d (%s)", rc, want, strerror(want));
}

#endif /* XDTEST_H */
