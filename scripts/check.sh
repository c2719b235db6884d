#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# check.sh [STAGE...]   STAGE: deps build static unit vm (default: all)
#
# Runs the project's checks and prints one line per check, `PASS <name>` or
# `FAIL <name>: <detail>`, then the totals as `N passed, N failed`.
# Logs go to build/check/.  Exit status 0 only if nothing failed.
set -u

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 2
logdir=$top/build/check
mkdir -p "$logdir"
results=$logdir/results.txt
: > "$results"

pass() { echo "PASS $*" | tee -a "$results"; }
fail() { echo "FAIL $*" | tee -a "$results"; }
note() { echo "== $*"; }

header_kvers() {
	for d in /lib/modules/*/build; do
		[ -r "$d/Makefile" ] && basename "$(dirname "$d")"
	done | sort -V
}

stage_deps() {
	note "installing dependencies"
	if "$top/scripts/deps.sh" > "$logdir/deps.log" 2>&1; then
		pass "deps"
	else
		fail "deps: see $logdir/deps.log"; tail -n 20 "$logdir/deps.log"
	fi
}

# Every module against every installed header set, W=1, zero warnings.
stage_build() {
	local k log
	note "building for every installed header set"
	for k in $(header_kvers); do
		log=$logdir/build-$k.log
		if ! make -C "$top" modules KVER="$k" W=1 > "$log" 2>&1; then
			fail "build/$k: see $log"; grep -E 'error|missing' "$log" | head -n 20
		elif grep -q 'warning:' "$log"; then
			fail "build/$k: warnings with W=1, see $log"; grep 'warning:' "$log" | head -n 20
		else
			pass "build/$k"
		fi
	done
	log=$logdir/build-xdctl.log
	if make -C "$top/tools/xdctl" O="$top/build/tools/xdctl" > "$log" 2>&1; then
		pass "build/xdctl"
	else
		fail "build/xdctl: see $log"; tail -n 20 "$log"
	fi
}

checkpatch_pl() {
	local dir=$top/build/tools deb
	if [ ! -x "$dir/checkpatch/checkpatch.pl" ]; then
		mkdir -p "$dir/checkpatch"
		(cd "$dir" && apt-get download -q linux-source-6.1 >/dev/null 2>&1) || return 1
		deb=$(ls -t "$dir"/linux-source-6.1_*.deb | head -n 1)
		dpkg-deb --fsys-tarfile "$deb" | tar -xOf - --wildcards '*.tar.xz' | xz -dc |
			tar -xf - -C "$dir/checkpatch" --strip-components=2 --wildcards \
				'*/scripts/checkpatch.pl' '*/scripts/spelling.txt' \
				'*/scripts/const_structs.checkpatch' || return 1
		rm -f "$deb"
		chmod +x "$dir/checkpatch/checkpatch.pl"
	fi
	echo "$dir/checkpatch/checkpatch.pl"
}

# checkpatch --strict on every kernel source file, sparse on every build.
stage_static() {
	local cp f k log out
	note "static checks"
	if cp=$(checkpatch_pl); then
		for f in $(git ls-files 'modules/*.c' 'modules/*.h' 'shim/*.c' 'shim/*.h'); do
			# ENOSYS: the in-tree ABI answers -ENOSYS to unknown ioctls,
			# and unmodified user space depends on it.
			out=$(perl "$cp" --no-tree --strict --terse --show-types \
				--ignore ENOSYS,FILE_PATH_CHANGES,SPDX_LICENSE_TAG -f "$f" 2>&1)
			if [ -z "$out" ]; then
				pass "checkpatch/$f"
			else
				fail "checkpatch/$f: $(echo "$out" | head -n 1)"; echo "$out" | head -n 10
			fi
		done
	else
		fail "checkpatch: cannot fetch checkpatch.pl from linux-source-6.1"
	fi
	for k in $(header_kvers); do
		log=$logdir/sparse-$k.log
		make -C "$top" modules KVER="$k" > /dev/null 2>&1
		if ! make -C "$top/build/kbuild/$k" -s kbuild KVER="$k" \
			KDIR="/lib/modules/$k/build" C=2 > "$log" 2>&1; then
			fail "sparse/$k: build failed, see $log"
		elif grep -E ': (warning|error):' "$log" > "$log.found"; then
			fail "sparse/$k: $(head -n 1 "$log.found")"
		else
			pass "sparse/$k"
		fi
	done
}

stage_unit() {
	local t name out
	note "unit tests"
	for t in "$top"/tests/unit/*.sh; do
		[ -e "$t" ] || continue
		name=$(basename "$t" .sh)
		out=$(bash "$t" 2>&1)
		echo "$out" > "$logdir/unit-$name.log"
		# A unit script prints PASS/FAIL lines of its own.
		echo "$out" | grep -E '^(PASS|FAIL) ' | sed -E "s@^(PASS|FAIL) @\1 unit/$name/@" |
			tee -a "$results"
		if ! echo "$out" | grep -qE '^(PASS|FAIL) '; then
			fail "unit/$name: printed no result (see $logdir/unit-$name.log)"
		fi
	done
}

stage_vm() {
	note "VM suite (Xen 4.17 in QEMU, both Dom0 kernels, ours and in-tree)"
	"$top/scripts/vm/suite.sh" 2>&1 | tee "$logdir/vm.log" |
		grep -E '^(PASS|FAIL) ' >> "$results"
	grep -E '^(PASS|FAIL) ' "$logdir/vm.log" || true
	if ! grep -qE '^(PASS|FAIL) ' "$logdir/vm.log"; then
		fail "vm: the suite reported no result, see $logdir/vm.log"
		tail -n 30 "$logdir/vm.log"
	fi
}

stages=${*:-deps build static unit vm}
start=$(date +%s)
for s in $stages; do
	t0=$(date +%s)
	"stage_$s"
	note "stage $s took $(( $(date +%s) - t0 )) s"
done

npass=$(grep -c '^PASS ' "$results")
nfail=$(grep -c '^FAIL ' "$results")
echo
if [ "$nfail" -ne 0 ]; then
	echo "failed checks:"
	grep '^FAIL ' "$results"
fi
echo "total time $(( $(date +%s) - start )) s"
echo "$npass passed, $nfail failed"
[ "$nfail" -eq 0 ]
