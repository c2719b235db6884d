#!/bin/bash
# Scenario runner, inside Dom0 (as /xd/runner.sh). Usage: runner.sh a,b,c
# Runs /xd/scenarios/NAME.sh for each name in order, each in its own bash with
# /xd/lib.sh sourced and XD_SCENARIO=NAME, under a timeout (default 300 s, or the
# value of a "# xd-timeout: N" line in the scenario, or xd.timeout=N on the kernel
# command line). Afterwards: dmesg check, "XDTEST END NAME".
set -u
export XD_DIR=/xd XD_STATE=/run/xd
mkdir -p "$XD_STATE"

BAD='\<(Oops|BUG|WARNING)\>|lockdep|general protection|possible circular locking|INFO: task .* blocked'
default_timeout=$(sed -n 's/.*xd\.timeout=\([0-9]*\).*/\1/p' /proc/cmdline)
default_timeout=${default_timeout:-300}

echo "XDRUN START $(cut -d' ' -f1 /proc/uptime)"
IFS=',: ' read -r -a names <<<"${1:-}"
for s in "${names[@]}"; do
	[ -n "$s" ] || continue
	f=$XD_DIR/scenarios/$s.sh
	[ -f "$f" ] || f=$XD_DIR/extra/$s.sh
	export XD_SCENARIO=$s
	echo "XDRUN scenario $s start $(cut -d' ' -f1 /proc/uptime)"
	if [ ! -f "$f" ]; then
		echo "XDTEST FAIL $s/exists no such scenario: $s"
		echo "XDTEST END $s"
		continue
	fi
	t=$(sed -n 's/^# *xd-timeout: *\([0-9]*\).*/\1/p' "$f" | head -n1)
	t=${t:-$default_timeout}
	echo "XD-SCENARIO-START $s" >/dev/kmsg
	rm -f "$XD_STATE/failed"
	out=$XD_STATE/out-$s
	# The scenario's output goes to the console as it happens and to a file (to count results).
	# shellcheck disable=SC2016 # $1 is expanded by the inner bash
	timeout -k 10 "$t" bash -c '. /xd/lib.sh && . "$1"' xd-scenario "$f" 2>&1 | tee "$out"
	rc=${PIPESTATUS[0]}
	if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
		echo "XDTEST FAIL $s/timeout scenario did not finish within $t s"
	elif [ "$rc" -ne 0 ] && ! grep -q '^XDTEST FAIL ' "$out"; then
		echo "XDTEST FAIL $s/exit-status scenario exited with status $rc"
	fi
	if ! grep -qE '^XDTEST (PASS|FAIL|SKIP) ' "$out"; then
		echo "XDTEST FAIL $s/no-results scenario reported no result"
	fi
	# Kernel complaints during this scenario (since its start marker).
	bad=$(dmesg | awk -v m="XD-SCENARIO-START $s" 'index($0, m) {p = 1; next} p' | grep -E "$BAD" | grep -v 'XD-SCENARIO')
	if [ -n "$bad" ]; then
		printf '%s\n' "$bad" | sed 's/^/XDDMESG /' | head -n 40
		echo "XDTEST FAIL $s/dmesg-clean $(printf '%s' "$bad" | head -n1 | tr -d '\r' | cut -c1-200)"
	else
		echo "XDTEST PASS $s/dmesg-clean"
	fi
	echo "XDTEST END $s"
done

echo "XDRUN dmesg lines matching /$BAD/ since boot:"
dmesg | grep -E "$BAD" | grep -v 'XD-SCENARIO' | sed 's/^/XDDMESG /' | head -n 100
echo "XDRUN DONE $(cut -d' ' -f1 /proc/uptime)"
