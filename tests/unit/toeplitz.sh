# SPDX-License-Identifier: GPL-2.0-only
# tests/progs/toeplitz.h (the Toeplitz hash of the hostile netif frontend)
# against the Microsoft RSS vectors and xen-netback's own implementation.
. "$(dirname "$0")/lib.inc"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if ! cc -std=gnu11 -Wall -Wextra -Werror -o "$tmp/t" "$top/tests/unit/toeplitz.c" 2>"$tmp/cc.log"; then
	bad compiles "$(head -n 5 "$tmp/cc.log" | tr '\n' ' ')"
	finish
fi
ok compiles
out=$("$tmp/t"); rc=$?
echo "$out" | grep -E '^(PASS|FAIL) '
nfail=$((nfail + $(echo "$out" | grep -c '^FAIL ')))
[ $rc -eq 0 ] || [ $nfail -ne 0 ] || bad exit "test exited $rc"
finish
