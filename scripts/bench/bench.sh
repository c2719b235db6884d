#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# make bench: one VM boot per Dom0 kernel (in parallel), each measuring every row for
# the in-tree module and for ours side by side, A/B alternating over several rounds
# (tests/vm/extra/bench.sh; method: /work/shared/benchmarks.md). Device modules run
# side by side (xdb-*.ko); the backends (xen-blkback, xen-netback) are swapped in the
# boot with no device attached. Then the report
# (scripts/bench/report.sh): per row the raw medians, the median of the per-round
# ratios ours/in-tree with min-max and whether ours is ahead; CSV, PNG, summary in
# build/bench/<UTC-time>/ and build/bench/latest.
#
# Knobs (environment or make variables):
#   BENCH_ROUNDS=N      rounds per row (default 5)
#   BENCH_SECONDS=S     seconds per micro / fio / iperf3 measurement (default 2)
#   BENCH_XL_ROUNDS=N   rounds of the xl create/save/restore rows (default BENCH_ROUNDS)
#   BENCH_ROWS=P,P      only rows matching these shell patterns (e.g. 'gntdev-*,xl-*')
#   BENCH_KERNELS="k k" Dom0 kernels (default: scripts/vm/kernels.sh)
#   BENCH_SERIAL=1      boot the kernels one after the other instead of in parallel
#   BENCH_XEN_EXTRA="..." more Xen command-line options (e.g. sched=credit)
#   BENCH_NET_SIDES="s s" sides of the net rows (default "intree ours"); a side is
#                       intree or ours, optionally with module parameters for the
#                       modprobe / insmod of that xen-netback: ours:rx_copy_ops=256,
#                       ours:rx_copy_ops=256:max_queues=2 (no spaces or commas inside
#                       a side; the name goes as it is into raw.csv and the table)
#   BENCH_BLK_SIDES="s s" sides of the blk rows (default "intree ours qdisk local"), the
#                       same way: e.g. "intree ours ours:poll_us=300 qdisk local"
#   BENCH_GUEST_VCPUS=N vCPUs of the bench guests (default 1)
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source-path=SCRIPTDIR/../vm
. "$top/scripts/vm/common.sh"

ROUNDS=${BENCH_ROUNDS:-5}
SECS=${BENCH_SECONDS:-2}
ROWS=${BENCH_ROWS:-}
XLROUNDS=${BENCH_XL_ROUNDS:-$ROUNDS}
case "$ROUNDS$SECS$XLROUNDS" in *[!0-9]*) xd_die "BENCH_ROUNDS and BENCH_SECONDS must be integers" ;; esac
case "$ROWS" in *[!a-zA-Z0-9_,*?.+\ -]*) xd_die "bad BENCH_ROWS '$ROWS'" ;; esac
ROWS=$(echo "$ROWS" | tr ', ' '++')
# sides: intree|ours[:param=value...] (and qdisk, local for blk), passed as one word
# with + between the sides (QEMU splits its -initrd list on commas)
NETSIDES=${BENCH_NET_SIDES:-}
BLKSIDES=${BENCH_BLK_SIDES:-}
GVCPUS=${BENCH_GUEST_VCPUS:-1}
case "$GVCPUS" in '' | *[!0-9]* | 0) xd_die "BENCH_GUEST_VCPUS must be a positive integer" ;; esac
for v in "$NETSIDES" "$BLKSIDES"; do
	case "$v" in *[!a-zA-Z0-9_:=.,\ -]*) xd_die "bad BENCH_NET_SIDES / BENCH_BLK_SIDES '$v'" ;; esac
done
NETSIDES=$(echo "$NETSIDES" | tr ',' ' ' | xargs | tr ' ' '+')
BLKSIDES=$(echo "$BLKSIDES" | tr ',' ' ' | xargs | tr ' ' '+')
if [ -n "${BENCH_KERNELS:-}" ]; then
	read -r -a KERNELS <<<"$BENCH_KERNELS"
else
	mapfile -t KERNELS < <(xd_kernels)
fi
[ "${#KERNELS[@]}" -gt 0 ] || xd_die "no kernels"

OUT=$top/build/bench/$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$OUT"
ln -sfn "$(basename "$OUT")" "$top/build/bench/latest"
xd_log "bench: kernels ${KERNELS[*]}, $ROUNDS rounds ($XLROUNDS for xl rows), $SECS s per measurement, rows ${ROWS:-all}${NETSIDES:+, net sides $NETSIDES}${BLKSIDES:+, blk sides $BLKSIDES}, guest vCPUs $GVCPUS; results in $OUT"

"$top/scripts/vm/deps.sh"
command -v gnuplot >/dev/null || xd_log "WARNING: no gnuplot (make deps installs gnuplot-nox): no PNG"
# the same kernel set as the test boots (images are built for the whole set)
ks=$(xd_kernels | xargs)
for k in "${KERNELS[@]}"; do
	case " $ks " in *" $k "*) ;; *) ks="$ks $k" ;; esac
done
XD_BENCH_IMAGES=1 XD_KERNELS=$ks "$top/scripts/vm/images.sh" || xd_die "image build failed"

# ours: the side-by-side build of the device modules and our normal backends
# (xen-blkback.ko, xen-netback.ko of `make modules`, swapped with the in-tree ones in
# the boot), per kernel, in a cpio appended to the Dom0 initramfs with the guest's
# fio/iperf3 tree. The backends are built in a stage of their own: a build of only
# these two in build/kbuild/KVER would leave there a Module.symvers without the other
# modules' CRCs, which unit/privcmd-crc checks.
BACKENDS="modules/blkback modules/netback"
for k in "${KERNELS[@]}"; do
	make -s -C "$top" bench-modules KVER="$k" >"$OUT/bench-modules-$k.log" 2>&1 || {
		tail -n 20 "$OUT/bench-modules-$k.log" >&2
		xd_die "make bench-modules KVER=$k failed"
	}
	bstage=$top/build/bench-kbuild/backends-$k
	make -s -C "$top" modules KVER="$k" STAGE="$bstage" XD_MODULES="$BACKENDS" >"$OUT/backends-$k.log" 2>&1 || {
		tail -n 20 "$OUT/backends-$k.log" >&2
		xd_die "make modules KVER=$k XD_MODULES=\"$BACKENDS\" failed"
	}
	x=$OUT/extra-$k
	rm -rf "$x"
	mkdir -p "$x/xd/bench/modules"
	cp "$top"/build/bench-kbuild/"$k"/modules/*/xdb-*.ko "$x/xd/bench/modules/"
	for m in $BACKENDS; do
		cp "$bstage/$m/xen-${m#modules/}.ko" "$x/xd/bench/modules/"
	done
	cp -a "$XD_BUILD/bench/guest" "$x/xd/bench/guest"
	(cd "$x" && find . -print0 | LC_ALL=C sort -z | cpio -0 -o -H newc --quiet) | gzip -1 >"$OUT/extra-$k.cpio.gz"
	rm -rf "$x"
done

# More memory than the test boots: the Dom0 tree with qemu/fio is larger, the bench
# guest has 1 GiB (its fio library closure), the second one of the net-g2g rows 256
# MiB (iperf3 only), the RAM disk 256 MiB: QEMU 4608 - Dom0 2560 leaves about 1.9 GiB
# to Xen and the guests.
boot() {
	local k=$1 log=$OUT/run-$1.log dir
	XD_NO_BUILD=1 XD_QEMU_MEM=4608 \
		XD_XEN_CMDLINE="dom0_mem=2560M,max:2560M console=com1 com1=115200,8n1 noreboot loglvl=all guest_loglvl=all${BENCH_XEN_EXTRA:+ $BENCH_XEN_EXTRA}" \
		XD_EXTRA_INITRD="$XD_BUILD/bench/dom0-extra.cpio.gz $OUT/extra-$k.cpio.gz" \
		XD_DOM0_CMDLINE="xd.bench.rounds=$ROUNDS xd.bench.xlrounds=$XLROUNDS xd.bench.seconds=$SECS${ROWS:+ xd.bench.rows=$ROWS}${NETSIDES:+ xd.bench.netsides=$NETSIDES}${BLKSIDES:+ xd.bench.blksides=$BLKSIDES} xd.bench.vcpus=$GVCPUS" \
		"$top/scripts/vm/run.sh" "$k" intree bench >"$log" 2>&1 || true
	dir=$(sed -n 's/.*log \(.*\)\/console.log).*/\1/p' "$log" | tail -n1)
	if [ -n "$dir" ] && [ -f "$dir/console.log" ]; then
		tr -d '\r' <"$dir/console.log" >"$OUT/console-$k.log"
	else
		xd_log "bench: no console log for $k (see $log)"
	fi
}
pids=()
for k in "${KERNELS[@]}"; do
	if [ -n "${BENCH_SERIAL:-}" ]; then
		boot "$k"
	else
		boot "$k" &
		pids+=($!)
		sleep 20
	fi
done
for p in "${pids[@]}"; do wait "$p" || true; done
for k in "${KERNELS[@]}"; do
	grep -E '^(PASS|FAIL)|^vm:' "$OUT/run-$k.log" | sed "s/^/  /" >&2 || true
done

"$top/scripts/bench/report.sh" "$OUT" "${KERNELS[@]}"
