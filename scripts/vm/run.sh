#!/bin/bash
# Boot Xen + Dom0 (kernel KVER, driver implementation IMPL) in QEMU and run scenarios.
#   scripts/vm/run.sh KVER IMPL SCENARIO[,SCENARIO...]
#     KVER       e.g. 6.1.0-56-amd64 (see kernels.sh)
#     IMPL       ours | intree
# Prints one line per check: "PASS <kver> <impl> <scenario>/<check>" or
# "FAIL <kver> <impl> <scenario>/<check>: <detail>", then a summary line.
# Exit status: 0 only if nothing failed.
# Environment:
#   XD_NO_BUILD=1      do not run images.sh (images must exist)
#   XD_TIMEOUT=SEC     host-side deadline for the whole boot (default: 240 + for each
#                      scenario its xd-timeout + 30)
#   XD_SHOW=REGEX      stream console lines matching REGEX while running (XD_SHOW=. for all)
#   XD_DOM0_CMDLINE    extra Dom0 kernel parameters
#   XD_XEN_CMDLINE     replaces the Xen command line
#   XD_QEMU_CPU        QEMU -cpu (default qemu64,+svm,+rdrand: with RDRAND the kernels'
#                      CRNG is ready seconds into boot, long before any test runs)
#   XD_QEMU_MEM        QEMU -m in MiB (default 3072; Xen + 1536 MiB Dom0 + guests)
#   XD_EXTRA_INITRD    space-separated cpio(.gz) archives appended to the Dom0 initramfs
#                      after the overlay (make bench: xdb-*.ko, fio, qemu-system-xen)
#   XD_VM_SLOTS        at most this many QEMUs started by run.sh run at once on this
#                      host, whatever the checkout (default 3); a boot waits for a free
#                      slot (its deadline counts from the start of QEMU)
# The full console goes to build/vm/logs/<UTC-timestamp>-KVER-IMPL/console.log.
set -eu
# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/common.sh"

[ $# -eq 3 ] || {
	sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
}
KVER=$1 IMPL=$2 SCENARIOS=$3
case "$IMPL" in ours | intree) ;; *) xd_die "IMPL must be ours or intree, not '$IMPL'" ;; esac
case "$SCENARIOS" in *[!a-zA-Z0-9_,.-]*) xd_die "bad scenario list '$SCENARIOS'" ;; esac
IFS=, read -r -a SCEN <<<"$SCENARIOS"

if [ -z "${XD_NO_BUILD:-}" ]; then
	"$XD_ROOT/scripts/vm/deps.sh"
	XD_KERNELS=$(xd_kernels_with "$KVER") "$XD_ROOT/scripts/vm/images.sh" ||
		xd_die "image build failed"
fi
XEN=$XD_BUILD/xen/xen.elf
VMLINUZ=$XD_BUILD/kernels/$KVER/vmlinuz
DOM0=$XD_BUILD/dom0-$KVER.cpio.gz
GBASE=$XD_BUILD/guest-base/$KVER
for f in "$XEN" "$VMLINUZ" "$DOM0" "$GBASE/bin/busybox"; do
	[ -e "$f" ] || xd_die "missing $f (run scripts/vm/images.sh with XD_KERNELS=$KVER)"
done

RUN_ID=$(date -u +%Y%m%dT%H%M%SZ)-$KVER-$IMPL
LOGDIR=$XD_LOGS/$RUN_ID
[ ! -e "$LOGDIR" ] || LOGDIR=$LOGDIR-$$
mkdir -p "$LOGDIR"
WORK=$(mktemp -d "$XD_BUILD/run.XXXXXX")
QPID="" TPID=""
# shellcheck disable=SC2317 # invoked by trap
cleanup() {
	[ -z "$QPID" ] || kill "$QPID" 2>/dev/null || true
	[ -z "$TPID" ] || kill "$TPID" 2>/dev/null || true
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

GZ="gzip -1"
command -v pigz >/dev/null && GZ="pigz -1"
pack() { (cd "$1" && find . -print0 | LC_ALL=C sort -z | cpio -0 -o -H newc --quiet) | $GZ; }

# ---------------------------------------------------------------- overlay
PROGS=$XD_BUILD/progs
# A program that does not build is reported (progs/build) but does not stop the run:
# the scenarios using it fail on their own ("missing").
PROGS_FAIL=""
if ! (
	flock 8
	make -k -s -C "$XD_ROOT/tests/progs" O="$PROGS" >"$LOGDIR/progs-build.log" 2>&1
) 8>"$XD_BUILD/.progs.lock"; then
	tail -n 20 "$LOGDIR/progs-build.log" >&2
	PROGS_FAIL=$(grep -o 'progs/[a-z]*/[^] ]*' "$LOGDIR/progs-build.log" | sort -u | tr '\n' ' ')
	xd_log "WARNING: building tests/progs failed: ${PROGS_FAIL:-see $LOGDIR/progs-build.log}"
	PROGS_FAIL="tests/progs build failed (${PROGS_FAIL:-see log}); see $LOGDIR/progs-build.log"
fi

ov=$WORK/overlay
mkdir -p "$ov/xd/scenarios" "$ov/xd/extra" "$ov/xd/progs" "$ov/xd/guest/progs"
install -m 0755 "$XD_ROOT/tests/vm/dom0-init" "$ov/init"
install -m 0755 "$XD_ROOT/tests/vm/runner.sh" "$ov/xd/runner.sh"
install -m 0644 "$XD_ROOT/tests/vm/lib.sh" "$ov/xd/lib.sh"
install -m 0755 "$XD_ROOT/tests/vm/block-script" "$ov/xd/block-script"
install -m 0755 "$XD_ROOT/tests/vm/vif-script" "$ov/xd/vif-script"
cp "$XD_ROOT"/tests/vm/scenarios/*.sh "$ov/xd/scenarios/"
cp "$XD_ROOT"/tests/vm/extra/*.sh "$ov/xd/extra/" 2>/dev/null || true
cp -a "$PROGS"/dom0/. "$ov/xd/progs/" 2>/dev/null || true
cp -a "$PROGS"/guest/. "$ov/xd/guest/progs/" 2>/dev/null || true

# guest initramfs: busybox + frontends (cached base) + init + static programs
groot=$WORK/guest
mkdir -p "$groot/xd/progs"
cp -a "$GBASE"/. "$groot/"
install -m 0755 "$XD_ROOT/tests/vm/guest-init" "$groot/init"
cp -a "$PROGS"/guest/. "$groot/xd/progs/" 2>/dev/null || true
pack "$groot" >"$ov/xd/guest/initrd.gz"

pack "$ov" >"$LOGDIR/overlay.cpio.gz"
INITRD=$WORK/initrd.cpio.gz
# shellcheck disable=SC2086 # a list of paths
cat "$DOM0" "$LOGDIR/overlay.cpio.gz" ${XD_EXTRA_INITRD:-} >"$INITRD"

# ---------------------------------------------------------------- boot
XEN_CMDLINE=${XD_XEN_CMDLINE:-dom0_mem=1536M,max:1536M console=com1 com1=115200,8n1 noreboot loglvl=all guest_loglvl=all}
# QEMU splits the multiboot module list on ",": a literal comma is written ",,".
# qemu_cmd LIST FILE: the QEMU command line (array QEMU) of a boot that runs scenarios
# LIST, also written to FILE.
qemu_cmd() {
	local dom0_cmdline="console=hvc0 earlyprintk=xen rdinit=/init xd.impl=$IMPL xd.scenarios=${1//,/,,} ${XD_DOM0_CMDLINE:-}"
	case "$VMLINUZ$INITRD$dom0_cmdline" in *" ,"* | *", "*) xd_die "odd characters in paths" ;; esac
	QEMU=(qemu-system-x86_64 -machine q35 -cpu "${XD_QEMU_CPU:-qemu64,+svm,+rdrand}" -smp 2 -m "${XD_QEMU_MEM:-3072}"
		-nographic -no-reboot -serial mon:stdio -display none -net none
		-kernel "$XEN" -append "$XEN_CMDLINE"
		-initrd "$VMLINUZ $dom0_cmdline,$INITRD")
	printf '%q ' "${QEMU[@]}" >"$2"
	echo >>"$2"
}
# Deadline: boot allowance + each scenario's own timeout (its "# xd-timeout: N" line, else
# the runner's default 300 s) + 30 s slack per scenario.
deadline=240
for s in "${SCEN[@]}"; do
	f=$XD_ROOT/tests/vm/scenarios/$s.sh
	[ -f "$f" ] || f=$XD_ROOT/tests/vm/extra/$s.sh
	t=$(sed -n 's/^# *xd-timeout: *\([0-9]*\).*/\1/p' "$f" 2>/dev/null | head -n1)
	deadline=$((deadline + ${t:-300} + 30))
done
TIMEOUT=${XD_TIMEOUT:-$deadline}
CONSOLE=$LOGDIR/console.log
qemu_cmd "$SCENARIOS" "$LOGDIR/qemu-cmdline"

# A slot (/var/tmp/xd-vm-slots/N, flock; host-wide, so that several checkouts share it):
# QEMU inherits the lock and holds it while it runs.
SLOTDIR=/var/tmp/xd-vm-slots
mkdir -p "$SLOTDIR"
slot="" waited=""
while [ -z "$slot" ]; do
	for i in $(seq 1 "${XD_VM_SLOTS:-3}"); do
		exec 9>"$SLOTDIR/$i"
		if flock -n 9; then
			slot=$i
			break
		fi
		exec 9>&-
	done
	if [ -z "$slot" ]; then
		[ -n "$waited" ] || xd_log "all ${XD_VM_SLOTS:-3} VM slots busy: waiting"
		waited=1
		sleep 5
	fi
done
# Two kinds of crash are emulation flakes, not results, and boot once more (once),
# keeping the first console as console-attempt1.log:
# - a crash of the stock kernel before Dom0's /init printed anything (nothing of this
#   project has run yet);
# - an "Oops: int3" in the kernel's own text: int3 is only ever planted there by the
#   kernel's live patching of static keys and alternatives (text_poke_bp), and under
#   TCG a CPU may still execute the planted int3 after the patch is complete (seen in
#   sched_clock_cpu and urandom_read_iter on 6.12). The retry is printed as a SKIP
#   line ("boot/retried"), so it stays visible in the results.
# Any other crash (a BUG, a page fault, an int3 in a module's text) is a result.
# The second boot runs only the scenarios the first did not end (KEPT: those it did;
# their results are taken from the first console).
attempt=1
retried=""
KEPT=""
RUN_SCENARIOS=$SCENARIOS
while :; do
	xd_log "boot $KVER impl=$IMPL scenarios=$RUN_SCENARIOS (deadline ${TIMEOUT}s, log $CONSOLE)"
	T0=$(date +%s)
	: >"$CONSOLE"
	"${QEMU[@]}" </dev/null >"$CONSOLE" 2>&1 &
	QPID=$!
	if [ -n "${XD_SHOW:-}" ]; then
		tail --pid="$QPID" -n +1 -f "$CONSOLE" 2>/dev/null | grep -a --line-buffered -E "$XD_SHOW" |
			sed -u 's/\r$//' &
		TPID=$!
	fi

	why=""
	grace=""
	while kill -0 "$QPID" 2>/dev/null; do
		now=$(date +%s)
		if [ $((now - T0)) -ge "$TIMEOUT" ]; then
			why="watchdog: killed QEMU after ${TIMEOUT}s"
			break
		fi
		if [ -z "$grace" ]; then
			if grep -aq 'XDRUN DONE' "$CONSOLE"; then
				grace=$((now + 30))
			elif grep -aqE 'Kernel panic - not syncing|Panic on CPU|Hardware Dom0 crashed|Dom0 crashed' "$CONSOLE"; then
				why="crash: $(grep -aoE 'Kernel panic - not syncing.*|Panic on CPU.*|Hardware Dom0 crashed.*' "$CONSOLE" | head -n1 | tr -d '\r')"
				grace=$((now + 10))
			fi
		elif [ "$now" -ge "$grace" ]; then
			[ -n "$why" ] || why="QEMU did not exit 30s after the runner finished"
			break
		fi
		sleep 1
	done
	if kill -0 "$QPID" 2>/dev/null; then
		kill "$QPID" 2>/dev/null || true
		sleep 1
		kill -9 "$QPID" 2>/dev/null || true
		wait "$QPID" 2>/dev/null || true
	else
		# QEMU exited by itself: normally after Dom0's power-off (status 0). Anything else,
		# e.g. 137 when the host's OOM killer took it, is reported.
		wait "$QPID" 2>/dev/null && qrc=0 || qrc=$?
		if [ -z "$why" ] && [ "$qrc" -ne 0 ]; then
			why="QEMU exited with status $qrc$([ "$qrc" -gt 128 ] && echo " (signal $((qrc - 128)); host OOM killer?)")"
		fi
		if [ -z "$why" ] && ! grep -aq 'XDRUN DONE' "$CONSOLE"; then
			why="QEMU exited before the runner finished"
		fi
	fi
	QPID=""
	if [ -n "$TPID" ]; then
		# the display pipeline ends by itself once QEMU is gone (tail --pid)
		for _ in 1 2 3 4; do
			kill -0 "$TPID" 2>/dev/null || break
			sleep 1
		done
		kill "$TPID" 2>/dev/null || true
		TPID=""
	fi
	ELAPSED=$(($(date +%s) - T0))
	xd_log "QEMU ran ${ELAPSED}s${why:+ ($why)}"
	if [ "$attempt" -eq 1 ] && [ "${why#crash:}" != "$why" ]; then
		flake=""
		if ! grep -aq 'XDBOOT' "$CONSOLE"; then
			flake="Dom0 crashed before /init"
		elif xd_int3_flake "$CONSOLE"; then
			flake="Oops: int3 in the kernel's own text ($(tr -d '\r' <"$CONSOLE" |
				grep -aoE 'RIP: [0-9a-f]+:[^ ]+' | head -n1))"
		fi
		ended=$(xd_ended_scenarios "$CONSOLE")
		rest=()
		for s in "${SCEN[@]}"; do
			grep -qxF -- "$s" <<<"$ended" || rest+=("$s")
		done
		if [ -n "$flake" ] && [ "${#rest[@]}" -gt 0 ]; then
			mv "$CONSOLE" "$LOGDIR/console-attempt1.log"
			KEPT=$(printf '%s\n' "$ended" | paste -sd, -)
			RUN_SCENARIOS=$(IFS=,; echo "${rest[*]}")
			retried="$flake, $why; first console: $LOGDIR/console-attempt1.log${KEPT:+; its results kept for: $KEPT}"
			xd_log "$flake ($why): booting once more for $RUN_SCENARIOS (first console: $LOGDIR/console-attempt1.log)"
			qemu_cmd "$RUN_SCENARIOS" "$LOGDIR/qemu-cmdline-attempt2"
			attempt=2 why="" grace=""
			continue
		fi
	fi
	break
done

# ---------------------------------------------------------------- results
RESULTS=$LOGDIR/results.txt
# (after a retry: the first console's results of the scenarios it ended, then the second's)
{
	[ -z "$KEPT" ] || xd_kept_results "$LOGDIR/console-attempt1.log" "$KEPT"
	tr -d '\r' <"$CONSOLE" | grep -aoE 'XD(TEST|BOOT|RUN) .*'
} |
	awk -v k="$KVER" -v i="$IMPL" -v scen="$SCENARIOS" -v why="$why" -v logf="$CONSOLE" -v progs="$PROGS_FAIL" \
		-v retried="$retried" '
	function res(kind, name, detail) {
		if (kind == "FAIL") { print "FAIL " k " " i " " name ": " detail; nf++ }
		else if (kind == "SKIP") { print "SKIP " k " " i " " name ": " detail; ns++ }
		else { print "PASS " k " " i " " name; np++ }
	}
	$1 == "XDBOOT" && $2 == "READY" { ready = 1 }
	$1 == "XDRUN" && $2 == "START" { ready = 1 }
	$1 == "XDTEST" && ($2 == "PASS" || $2 == "FAIL" || $2 == "SKIP") {
		d = ""; for (j = 4; j <= NF; j++) d = d (j > 4 ? " " : "") $j
		res($2, $3, d); next
	}
	$1 == "XDTEST" && $2 == "END" { ended[$3] = 1 }
	END {
		if (progs != "") res("FAIL", "progs/build", progs)
		if (retried != "") res("SKIP", "boot/retried", "booted twice: emulation flake on the first boot (" retried ")")
		if (!ready) res("FAIL", "dom0/boot", "Dom0 never reached the test runner" (why != "" ? " (" why ")" : "") "; see " logf)
		n = split(scen, s, ",")
		for (j = 1; j <= n; j++)
			if (!(s[j] in ended)) res("FAIL", s[j] "/incomplete", "no XDTEST END" (why != "" ? " (" why ")" : "") "; see " logf)
		printf "vm: %d passed, %d failed, %d skipped\n", np, nf, ns > "/dev/stderr"
		exit (nf > 0)
	}' >"$RESULTS" 2>"$LOGDIR/summary" && rc=0 || rc=$?
cat "$RESULTS"
cat "$LOGDIR/summary"
exit "$rc"
