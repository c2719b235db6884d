#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# tests/bench/report-test.sh: scripts/bench/report.sh on a synthetic console log with
# known values (medians, per-round ratios, verdicts, in-tree-only rows, proofs,
# parameterised sides such as ours:rx_copy_ops=256).
# Prints PASS/FAIL lines; exit status 0 only if all passed. No VM needed.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
nfail=0
check() {
	local name=$1 want=$2 got=$3
	if [ "$got" = "$want" ]; then
		echo "PASS bench-report/$name"
	else
		echo "FAIL bench-report/$name: got '$got', want '$want'"
		nfail=$((nfail + 1))
	fi
}
cat >"$t/console-K.log" <<'LOG'
XDBINFO bench kernel=K rounds=3 seconds=1 rows=all net-sides=intree,ours,ours:rx_copy_ops=256 blk-sides=intree,ours vcpus=2
XDBINFO xen 4.17.9 cpus=2
XDBROW thr x/s hi intree,ours a throughput row
XDBENCH thr intree 1 100
XDBENCH thr ours 1 110
XDBENCH thr ours 2 90
XDBENCH thr intree 2 100
XDBENCH thr intree 3 200
XDBENCH thr ours 3 260
XDBROW lat us lo intree,ours a latency row
XDBENCH lat intree 1 10
XDBENCH lat ours 1 12
XDBENCH lat ours 2 11
XDBENCH lat intree 2 10
XDBERR lat ours 3 something broke
XDBROW blk IOPS hi intree,qdisk,local backend row
XDBENCH blk intree 1 100
XDBENCH blk qdisk 1 50
XDBENCH blk local 1 300
XDBROW xs s lo intree,ours toolstack row
XDBENCH xs intree 1 4
XDBENCH xs ours 1 3
XDBPROOF xs intree 1 xdb_privcmd=0 xdb_evtchn=0 xdb_gntdev=0
XDBPROOF xs ours 1 xdb_privcmd=2 xdb_evtchn=1 xdb_gntdev=0
XDBROW xu s lo intree,ours unproven row
XDBENCH xu intree 1 4
XDBENCH xu ours 1 3
XDBPROOF xu ours 1 xdb_privcmd=0 xdb_evtchn=0 xdb_gntdev=0
XDBROW be IOPS hi intree,ours,qdisk swapped backend row
XDBPROOF be intree 1 xen_blkback=intree srcversion=AAA
XDBENCH be intree 1 100
XDBPROOF be ours 1 xen_blkback=ours srcversion=BBB
XDBENCH be ours 1 150
XDBENCH be qdisk 1 50
XDBROW bu Mbit/s hi intree,ours swapped backend row, wrong module
XDBPROOF bu intree 1 xen_netback=intree srcversion=AAA
XDBENCH bu intree 1 100
XDBPROOF bu ours 1 xen_netback=other:CCC srcversion=CCC
XDBENCH bu ours 1 90
XDBROW np Mbit/s hi intree,ours,ours:rx_copy_ops=256,intree:max_queues=2 parameterised net sides
XDBPROOF np intree 1 xen_netback=intree srcversion=AAA
XDBENCH np intree 1 100
XDBPROOF np ours 1 xen_netback=ours srcversion=BBB
XDBENCH np ours 1 120
XDBPROOF np ours:rx_copy_ops=256 1 xen_netback=ours srcversion=BBB rx_copy_ops=256
XDBENCH np ours:rx_copy_ops=256 1 150
XDBPROOF np intree:max_queues=2 1 xen_netback=intree srcversion=AAA max_queues=2
XDBENCH np intree:max_queues=2 1 90
XDBPROOF np intree:max_queues=2 2 xen_netback=intree srcversion=AAA max_queues=2
XDBENCH np intree:max_queues=2 2 110
XDBPROOF np ours:rx_copy_ops=256 2 xen_netback=ours srcversion=BBB rx_copy_ops=256
XDBENCH np ours:rx_copy_ops=256 2 170
XDBPROOF np ours 2 xen_netback=ours srcversion=BBB
XDBENCH np ours 2 130
XDBPROOF np intree 2 xen_netback=intree srcversion=AAA
XDBENCH np intree 2 100
XDBROW rr us lo intree,ours,ours:feature_persistent=0 parameterised latency row, bool parameter
XDBPROOF rr intree 1 xen_blkback=intree srcversion=AAA
XDBENCH rr intree 1 200
XDBPROOF rr ours 1 xen_blkback=ours srcversion=BBB
XDBENCH rr ours 1 180
XDBPROOF rr ours:feature_persistent=0 1 xen_blkback=ours srcversion=BBB feature_persistent=N
XDBENCH rr ours:feature_persistent=0 1 100
XDBROW pb IOPS hi intree,ours:poll_us=300 parameter not taken
XDBPROOF pb intree 1 xen_blkback=intree srcversion=AAA
XDBENCH pb intree 1 100
XDBPROOF pb ours:poll_us=300 1 xen_blkback=ours srcversion=BBB poll_us=0
XDBENCH pb ours:poll_us=300 1 100
XDBROW pw IOPS hi intree,ours:poll_us=300 parameterised side on the wrong module
XDBPROOF pw intree 1 xen_blkback=intree srcversion=AAA
XDBENCH pw intree 1 100
XDBPROOF pw ours:poll_us=300 1 xen_blkback=intree srcversion=AAA poll_us=?
XDBENCH pw ours:poll_us=300 1 100
LOG
"$top/scripts/bench/report.sh" "$t" K >"$t/out" 2>&1
r() { awk -F, -v row="$1" -v f="$2" '$2 == row {print $f}' "$t/results.csv"; }
# thr: ratios 1.1, 0.9, 1.3 -> median 1.1, min 0.9, max 1.3; medians 100 / 110
check thr-median-intree 100 "$(r thr 5)"
check thr-median-ours 110 "$(r thr 6)"
check thr-ratio "1.1 0.9 1.3" "$(r thr 7) $(r thr 8) $(r thr 9)"
check thr-verdict ahead "$(r thr 11)"
# lat: ratios 1.2, 1.1 (round 3 failed) -> median 1.15: lower is better, so behind
check lat-ratio-rounds "2" "$(r lat 10)"
check lat-verdict BEHIND "$(r lat 11)"
check lat-errors 1 "$(r lat 14)"
check blk-intree-only "in-tree only (ours not shipped yet)" "$(r blk 11)"
check blk-others "qdisk 50.0 (0.50x [0.50-0.50]); local 300 (3.00x [3.00-3.00])" "$(r blk 12)"
check xs-proof "ours in use (xdb_privcmd refcount up to 2)" "$(r xs 13)"
check xu-unproven "UNPROVEN: ours not in use or in-tree run touched ours" "$(r xu 13)"
check be-ratio "1.5 ahead" "$(r be 7) $(r be 11)"
check be-others "qdisk 50.0 (0.50x [0.50-0.50])" "$(r be 12)"
check be-proof "each run on its side's xen_blkback (srcversion checked)" "$(r be 13)"
check bu-unproven "UNPROVEN: a run was not on its side's xen_netback" "$(r bu 13)"
# parameterised sides: an "other side" each, by its name, ratio to in-tree per round
check np-ours "1.25 ahead" "$(r np 7) $(r np 11)"
check np-others "ours:rx_copy_ops=256 160 (1.60x [1.50-1.70]); intree:max_queues=2 100 (1.00x [0.90-1.10])" "$(r np 12)"
check np-proof "each run on its side's xen_netback (srcversion and module parameters checked)" "$(r np 13)"
check np-raw 1 "$(grep -c '^K,np,ours:rx_copy_ops=256,2,170$' "$t/raw.csv")"
check np-table 1 "$(grep -c '^| np | Mbit/s | 100 | 125 | 1.25 \[1.20-1.30\] | ahead; .* | ours:rx_copy_ops=256 160 (1.60x \[1.50-1.70\]); intree:max_queues=2 100 (1.00x \[0.90-1.10\]) |$' "$t/table.md")"
check rr-lo "0.90 ahead ours:feature_persistent=0 100 (0.50x [0.50-0.50])" "$(r rr 7 | xargs printf '%.2f') $(r rr 11) $(r rr 12)"
check rr-bool-proof "each run on its side's xen_blkback (srcversion and module parameters checked)" "$(r rr 13)"
check pb-unproven "UNPROVEN: module parameter not as asked (ours:poll_us=300 round 1: poll_us=0)" "$(r pb 13)"
check pb-no-ours "ours only with parameters (other sides)" "$(r pb 11)"
check pw-unproven "UNPROVEN: a run was not on its side's xen_blkback" "$(r pw 13)"
check raw-lines 37 "$(($(wc -l <"$t/raw.csv") - 1))"
check summary-vcpus 1 "$(grep -c 'guests 2 vCPU' "$t/out")"
check table-has-xen 1 "$(grep -c 'Xen 4.17.9' "$t/table.md")"
if command -v gnuplot >/dev/null; then
	check chart-png 1 "$(file -b "$t/chart.png" 2>/dev/null | grep -c PNG)"
fi
[ "$nfail" -eq 0 ] || cat "$t/out"
exit $((nfail > 0))
