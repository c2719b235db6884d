#!/bin/bash
# The hostile-guest suite (tests/hostile/README.md): run the hostile-* VM scenarios on
# every Dom0 kernel (scripts/vm/kernels.sh) x {ours, intree}, the boots side by side
# (at most XD_VM_SLOTS QEMUs at once, see run.sh), and print the table
# case x (kernel, implementation) -> outcome.
#   scripts/hostile.sh [SCENARIO[,SCENARIO...]]
#     default: hostile-blk-all,hostile-net,hostile-dev (every case of both tables:
#     tests/vm/extra/hostile-{blk-all,net}.sh); HOSTILE_QUICK=1: the make-check subsets
#     (tests/vm/scenarios/hostile-*.sh with their default lists)
# Environment:
#   HOSTILE_CASES=a:b:c         blkif cases (xdh.cases=) instead of the scenario's list
#   HOSTILE_NET_CASES=a:b:c     netif cases (xdn.cases=)
#   XD_KERNELS="k1 k2"          kernels (see kernels.sh)
#   HOSTILE_IMPLS="ours intree" implementations
#   HOSTILE_SERIAL=1            one boot at a time
# Cells: PASS (every check of the case passed), FINDING (a check failed with the in-tree
# driver: reported, not an error), FAIL (a check failed with our driver, or the harness
# failed), "-" (not run). The column header names the module that really served the
# device (an "ours" boot uses the in-tree backend until ours exists).
# Exit status: non-zero if any FAIL.
set -eu
# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/vm/common.sh"

if [ $# -ge 1 ] && [ -n "$1" ]; then
	SCENARIOS=$1
elif [ -z "${HOSTILE_QUICK:-}" ]; then
	SCENARIOS=hostile-blk-all,hostile-net,hostile-dev
else
	SCENARIOS=$(find "$XD_ROOT/tests/vm/scenarios" -maxdepth 1 -name 'hostile-*.sh' -printf '%f\n' |
		sed 's/\.sh$//' | LC_ALL=C sort | paste -sd, -)
fi
[ -n "$SCENARIOS" ] || xd_die "no hostile scenarios"
mapfile -t KERNELS < <(xd_kernels)
read -r -a IMPLS <<<"${HOSTILE_IMPLS:-ours intree}"
T0=$(date +%s)

"$XD_ROOT/scripts/vm/deps.sh"
XD_KERNELS="${KERNELS[*]}" "$XD_ROOT/scripts/vm/images.sh" || xd_die "image build failed"

OUT=$(mktemp -d "$XD_BUILD/hostile.XXXXXX")
trap 'rm -rf "$OUT"' EXIT
extra=""
[ -z "${HOSTILE_CASES:-}" ] || extra="xdh.cases=$HOSTILE_CASES"
[ -z "${HOSTILE_NET_CASES:-}" ] || extra="$extra xdn.cases=$HOSTILE_NET_CASES"
# boot I K IMPL: one column's boot; its lines, the module that served each scenario's
# device and its seconds go to $OUT/I.*; status non-zero if a check failed.
boot() {
	local i=$1 k=$2 impl=$3 t log served brc=0
	t=$(date +%s)
	XD_NO_BUILD=1 XD_KERNELS="${KERNELS[*]}" XD_DOM0_CMDLINE="${XD_DOM0_CMDLINE:-} $extra" \
		"$XD_ROOT/scripts/vm/run.sh" "$k" "$impl" "$SCENARIOS" >"$OUT/$i.out" 2>"$OUT/$i.err" || brc=1
	log=$(sed -n 's/.*log \(.*console\.log\)).*/\1/p' "$OUT/$i.err" | head -n1)
	# which module served each scenario's device ("XDINFO hostile-blk: xen-blkback is intree")
	served=$(tr -d '\r' <"$log" 2>/dev/null | sed -n 's/.*XDINFO hostile-[a-z]*: \(xen-[a-z]*\) is \([a-z]*\).*/\1=\2/p' |
		sort -u | paste -sd, -)
	echo "${served:-?}" >"$OUT/$i.served"
	echo "$(($(date +%s) - t))" >"$OUT/$i.secs"
	xd_log "  [$((i + 1))] $k $impl: $(tail -n 1 "$OUT/$i.err") in $(cat "$OUT/$i.secs") s; log $log"
	return "$brc"
}

# Every boot at once unless HOSTILE_SERIAL=1: run.sh lets at most XD_VM_SLOTS QEMUs
# (default 3) run on this host, the others wait for a slot (their deadline counts from
# the start of their QEMU).
rc=0
cols=()
pids=()
for k in "${KERNELS[@]}"; do
	for impl in "${IMPLS[@]}"; do
		i=${#cols[@]}
		cols+=("$k $impl")
		xd_log "hostile: [$((i + 1))] $k $impl ($SCENARIOS)"
		if [ -n "${HOSTILE_SERIAL:-}" ]; then
			boot "$i" "$k" "$impl" || rc=1
		else
			boot "$i" "$k" "$impl" &
			pids+=($!)
		fi
	done
done
for p in "${pids[@]}"; do
	wait "$p" || rc=1
done

# ------------------------------------------------------------------ table
echo
echo "Hostile-guest suite: case x (kernel, impl) -> outcome"
for i in "${!cols[@]}"; do
	echo "  [$((i + 1))] ${cols[$i]}: served by $(cat "$OUT/$i.served"), $(cat "$OUT/$i.secs") s"
done
awk -v ncol="${#cols[@]}" -v dir="$OUT" '
	function cell(i, c) { return (i SUBSEP c) in st ? st[i, c] : "-" }
	BEGIN {
		for (i = 0; i < ncol; i++) {
			f = dir "/" i ".out"
			while ((getline line < f) > 0) {
				split(line, w, " ")
				kind = w[1]; name = w[4]; sub(/:$/, "", name)
				if (kind != "PASS" && kind != "FAIL" && kind != "SKIP") continue
				n = split(name, p, "/")
				# scenario/case/check -> scenario/case; scenario/check -> scenario/(scenario)
				c = n >= 3 ? p[1] "/" p[2] : p[1] "/(" p[n] ")"
				if (!(c in seen)) { seen[c] = 1; order[++nc] = c }
				v = "PASS"
				if (kind == "FAIL") v = "FAIL"
				else if (kind == "SKIP" && line ~ /finding:/) v = "FINDING"
				else if (kind == "SKIP") v = "SKIP"
				old = cell(i, c)
				if (old == "-" || v == "FAIL" || (v == "FINDING" && old != "FAIL") || (v == "SKIP" && old == "PASS"))
					st[i, c] = v
				if (v == "FAIL" || v == "FINDING") {
					d = line; sub(/^[A-Z]+ [^ ]+ [^ ]+ /, "", d)
					detail[++nd] = "[" i + 1 "] " v " " d
				}
			}
		}
		printf "%-40s", "case"
		for (i = 0; i < ncol; i++) printf " %-8s", "[" i + 1 "]"
		printf "\n"
		for (j = 1; j <= nc; j++) {
			printf "%-40s", order[j]
			for (i = 0; i < ncol; i++) printf " %-8s", cell(i, order[j])
			printf "\n"
		}
		if (nd) {
			printf "\nFindings and failures:\n"
			for (j = 1; j <= nd; j++) print "  " detail[j]
		}
	}'
echo
xd_log "hostile suite took $(($(date +%s) - T0)) s"
exit "$rc"
