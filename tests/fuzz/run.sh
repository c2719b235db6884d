#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Build and run the fuzz harnesses of tests/fuzz/ (one per *-check.h
# header); prints one PASS/FAIL line per harness.
#
#   tests/fuzz/run.sh [-e auto|gcc|libfuzzer] [-t SECONDS] [-o DIR] [-m] [HARNESS...]
#
# -e: engine: libFuzzer (clang -fsanitize=fuzzer) or the standalone driver
#     of fuzz.h built with gcc; auto (default) takes libFuzzer if clang can
#     build it.  Both use -fsanitize=address,undefined -fno-sanitize-recover.
# -t: seconds per harness (default: $FUZZ_SECONDS, else 300)
# -o: build and output directory (default: build/fuzz); libFuzzer keeps
#     the inputs it finds in DIR/corpus-HARNESS, crash inputs in DIR/
# -m: first check that each harness catches a bug planted in a copy of
#     its header (the oracles can fail)
# HARNESS: blkback, netback, gntdev (default: all)
# Result lines are "PASS|FAIL fuzz/HARNESS..." (FUZZ_PREFIX replaces "fuzz/").
set -u
pfx=${FUZZ_PREFIX-fuzz/}
top=$(cd "$(dirname "$0")/../.." && pwd)
engine=auto
secs=${FUZZ_SECONDS:-300}
out=$top/build/fuzz
mutants=0
while getopts e:t:o:m opt; do
	case $opt in
	e) engine=$OPTARG ;;
	t) secs=$OPTARG ;;
	o) out=$OPTARG ;;
	m) mutants=1 ;;
	*) exit 2 ;;
	esac
done
shift $((OPTIND - 1))
harnesses=${*:-blkback netback gntdev}
mkdir -p "$out"
# shellcheck disable=SC2054 # one option with a comma
san=(-fsanitize=address,undefined -fno-sanitize-recover=all)
cflags=(-std=gnu11 -g -O1 -Wall -Wextra -Werror)
nfail=0

if [ "$engine" = auto ]; then
	engine=gcc
	if command -v clang > /dev/null &&
		printf 'int LLVMFuzzerTestOneInput(const char *d, long n) { return 0; }\n' |
		clang -x c -fsanitize=fuzzer -o "$out/probe" - 2> /dev/null; then
		engine=libfuzzer
	fi
fi

# One planted bug per header, which the harness must report.
declare -A plant=(
	[blkback]='s/sector <= dev_sectors - n;/sector + n <= dev_sectors;/'
	[netback]='s/if (rest > s\[0\].size)/if (rest > s[0].size + 1)/'
	[gntdev]='s/next - cand > count/next - cand >= count/'
)

# build_gcc SRC-TREE HARNESS OUTPUT
build_gcc() {
	gcc "${cflags[@]}" "${san[@]}" -DXD_FUZZ_STANDALONE -o "$3" \
		"$1/tests/fuzz/$2-fuzz.c" 2> "$3.cc.log"
}

for h in $harnesses; do
	src=$top/tests/fuzz/$h-fuzz.c
	if [ ! -r "$src" ]; then
		echo "FAIL $pfx$h: no $src"; nfail=$((nfail + 1)); continue
	fi
	hdr=$(echo "$top"/modules/*/"$h"-check.h)
	if [ "$mutants" = 1 ]; then
		m=$out/mutant-$h
		rm -rf "$m"
		mkdir -p "$m/tests/fuzz" "$m/modules/$h"
		cp "$top/tests/fuzz/fuzz.h" "$src" "$m/tests/fuzz/"
		sed "${plant[$h]}" "$hdr" > "$m/modules/$h/$h-check.h"
		if cmp -s "$hdr" "$m/modules/$h/$h-check.h"; then
			echo "FAIL $pfx$h-planted-bug: the planted bug no longer applies to $hdr"
			nfail=$((nfail + 1))
		elif ! build_gcc "$m" "$h" "$m/f"; then
			echo "FAIL $pfx$h-planted-bug: build: $(head -n 3 "$m/f.cc.log" | tr '\n' ' ')"
			nfail=$((nfail + 1))
		elif ("$m/f" -t 5 "$top/tests/fuzz/corpus/$h"; exit $?) > "$m/log" 2>&1; then
			echo "FAIL $pfx$h-planted-bug: a bug planted in $h-check.h went unnoticed for 5 s"
			nfail=$((nfail + 1))
		elif grep -q 'FUZZ ORACLE FAILED' "$m/log"; then
			echo "PASS $pfx$h-planted-bug: caught ($(grep -m1 'FUZZ ORACLE FAILED' "$m/log" | cut -c 21-90))"
		else
			echo "FAIL $pfx$h-planted-bug: the mutant failed without an oracle: $(head -n 1 "$m/log")"
			nfail=$((nfail + 1))
		fi
		rm -rf "$m"
	fi

	log=$out/$h.log
	if [ "$engine" = libfuzzer ]; then
		if ! clang -g -O1 -fsanitize=fuzzer "${san[@]}" -o "$out/$h-fuzz" "$src" \
			2> "$out/$h.cc.log"; then
			echo "FAIL $pfx$h: clang build: $(head -n 3 "$out/$h.cc.log" | tr '\n' ' ')"
			nfail=$((nfail + 1)); continue
		fi
		mkdir -p "$out/corpus-$h"
		"$out/$h-fuzz" -max_total_time="$secs" -print_final_stats=1 \
			-artifact_prefix="$out/$h-" "$out/corpus-$h" \
			"$top/tests/fuzz/corpus/$h" > "$log" 2>&1
		rc=$?
		runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
		detail="libFuzzer, ${runs:-?} runs in $secs s, corpus $(find "$out/corpus-$h" -type f | wc -l) inputs"
	else
		if ! build_gcc "$top" "$h" "$out/$h-fuzz-gcc"; then
			echo "FAIL $pfx$h: gcc build: $(head -n 3 "$out/$h-fuzz-gcc.cc.log" | tr '\n' ' ')"
			nfail=$((nfail + 1)); continue
		fi
		"$out/$h-fuzz-gcc" -t "$secs" "$top/tests/fuzz/corpus/$h" > "$log" 2>&1
		rc=$?
		detail="gcc driver, $(grep -m1 '^iterations' "$log")"
	fi
	if [ $rc -eq 0 ]; then
		echo "PASS $pfx$h: $detail"
	else
		echo "FAIL $pfx$h: exit $rc, $(grep -m1 -E 'FUZZ ORACLE FAILED|ERROR: |runtime error' "$log"), see $log"
		nfail=$((nfail + 1))
	fi
done
exit $((nfail != 0))
