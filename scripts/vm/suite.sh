#!/bin/bash
# Run VM scenarios on every kernel from kernels.sh with both implementations.
#   scripts/vm/suite.sh [SCENARIO[,SCENARIO...]]   (default: all of tests/vm/scenarios)
# One boot per (kernel, impl); XD_JOBS boots run at a time (default 2).
# Prints all PASS/FAIL lines and a summary; exit status non-zero if anything failed.
set -eu
# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/common.sh"

if [ $# -ge 1 ] && [ -n "$1" ]; then
	SCENARIOS=$1
else
	SCENARIOS=$(find "$XD_ROOT/tests/vm/scenarios" -maxdepth 1 -name '*.sh' -printf '%f\n' |
		sed 's/\.sh$//' | LC_ALL=C sort | paste -sd, -)
fi
[ -n "$SCENARIOS" ] || xd_die "no scenarios"
mapfile -t KERNELS < <(xd_kernels)
JOBS=${XD_JOBS:-2}
T0=$(date +%s)

"$XD_ROOT/scripts/vm/deps.sh"
XD_KERNELS="${KERNELS[*]}" "$XD_ROOT/scripts/vm/images.sh" || xd_die "image build failed"
xd_log "images ready after $(($(date +%s) - T0))s; scenarios: $SCENARIOS; $JOBS boot(s) at a time"

OUT=$(mktemp -d "$XD_BUILD/suite.XXXXXX")
pids=()
# On exit (also when interrupted) stop the boots still running (run.sh kills its QEMU).
# shellcheck disable=SC2317 # invoked by trap
cleanup() {
	local p
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	rm -rf "$OUT"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
runs=()
for k in "${KERNELS[@]}"; do
	for impl in ours intree; do runs+=("$k $impl"); done
done

running() {
	local n=0 p
	for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && n=$((n + 1)); done
	echo "$n"
}
i=0
for r in "${runs[@]}"; do
	# wait for a free slot
	while [ "$(running)" -ge "$JOBS" ]; do sleep 1; done
	read -r k impl <<<"$r"
	XD_NO_BUILD=1 XD_KERNELS="${KERNELS[*]}" "$XD_ROOT/scripts/vm/run.sh" "$k" "$impl" "$SCENARIOS" \
		>"$OUT/$i.out" 2>"$OUT/$i.err" &
	pids+=($!)
	i=$((i + 1))
	sleep 2 # distinct log directory timestamps
done
rc=0
for j in "${!pids[@]}"; do
	wait "${pids[$j]}" || rc=1
done
np=0 nf=0 ns=0
for j in "${!runs[@]}"; do
	grep -E '^(PASS|FAIL|SKIP) ' "$OUT/$j.out" || true
	if ! grep -qE '^(PASS|FAIL) ' "$OUT/$j.out"; then
		echo "FAIL ${runs[$j]} suite/run: run.sh printed no result: $(tail -n 3 "$OUT/$j.err" | tr '\n' ' ')"
		nf=$((nf + 1))
		rc=1
	fi
	grep -h 'QEMU ran' "$OUT/$j.err" | sed "s/^/[${runs[$j]}] /" >&2 || true
	np=$((np + $(grep -c '^PASS ' "$OUT/$j.out" || true)))
	nf=$((nf + $(grep -c '^FAIL ' "$OUT/$j.out" || true)))
	ns=$((ns + $(grep -c '^SKIP ' "$OUT/$j.out" || true)))
done
xd_log "suite took $(($(date +%s) - T0))s"
echo "vm-suite: $np passed, $nf failed, $ns skipped"
[ "$nf" -eq 0 ] || rc=1
exit "$rc"
