# SPDX-License-Identifier: GPL-2.0-only
# The fuzz harnesses of tests/fuzz/ (blkback-, netback-, gntdev-check.h),
# built with gcc and ASan+UBSan, run briefly with their standalone driver:
# first against a bug planted in a copy of each header (must be caught),
# then 4 s each on the real header (must pass).  `make fuzz` runs them
# longer, with libFuzzer when clang is there.
. "$(dirname "$0")/lib.inc"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if ! echo 'int main(void) { return 0; }' |
	gcc -x c -fsanitize=address,undefined -o "$tmp/probe" - 2> "$tmp/cc.log" ||
	! "$tmp/probe"; then
	bad fuzz-sanitizers "gcc cannot build with -fsanitize=address,undefined (libasan/libubsan): $(head -n 1 "$tmp/cc.log")"
	finish
fi
FUZZ_PREFIX='' "$top/tests/fuzz/run.sh" -e gcc -t 4 -m -o "$tmp"
rc=$?
[ $rc -eq 0 ] || nfail=$((nfail + 1))
finish
