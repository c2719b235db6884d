# shellcheck shell=bash
# The guests and the per-case checks shared by the hostile-guest scenarios
# (tests/vm/scenarios/hostile-blk.sh, tests/vm/extra/hostile-net.sh and
# tests/vm/extra/hostile-net-lib.sh; tests/hostile/README.md). The caller sets A (the
# attacker guest) and V (the victim guest). BADFN arguments name the caller's function
# that records a failed check (a FAIL for our module, a finding for the in-tree one).
# shellcheck disable=SC2154 # A, V come from the caller

# Kernel log lines that fail a case.
HOSTILE_BAD='\<(Oops|BUG|WARNING)\>|lockdep|general protection|possible circular locking|INFO: task .* blocked'

# The victim's verified I/O iterations so far, and its failed ones.
victim_count() {
	tr -d '\r' <"$(xd_guest_log "$V")" 2>/dev/null | awk '$1 == "HV-IO" {n = $2} END {print n + 0}'
}
victim_fails() { tr -d '\r' <"$(xd_guest_log "$V")" 2>/dev/null | grep -ac '^HV-IO-FAIL'; }

hg_cleanup() {
	xd_guest_destroy "$A" >/dev/null 2>&1
	xd_guest_destroy "$V" >/dev/null 2>&1
}

# hg_start_guests XDID PROG: the victim (verified disk I/O loop), then the attacker: its
# own xl config (no disk, no vif, no frontends loaded) running the daemon PROG. xl create
# is slow under load: 240 s, each retried once. Results setup/victim, setup/attacker;
# returns 1 (guests destroyed) if one did not come up.
hg_start_guests() {
	local id=$1 prog=$2
	hg__victim() { XD_GUEST_CMDLINE="xd.run=/xd/progs/hostile-victim" xd_guest_start "$V"; }
	hg__attacker() {
		rm -f "$(xd_guest_log "$A")"
		cat >"/tmp/xd-guest-$A.cfg" <<-EOF
			name = "$A"
			type = "pv"
			kernel = "$XD_DIR/guest/vmlinuz"
			ramdisk = "$XD_DIR/guest/initrd.gz"
			extra = "console=hvc0 xd.id=$id xd.name=$A xd.noload=xen-blkfront,xen-netfront xd.run=/xd/progs/$prog"
			memory = 256
			vcpus = 1
			on_poweroff = "destroy"
			on_reboot = "destroy"
			on_crash = "destroy"
		EOF
		timeout 240 xl create "/tmp/xd-guest-$A.cfg" >"$XD_STATE/guest-$A.create.log" 2>&1 || {
			echo "xl create $A failed: $(tail -n 5 "$XD_STATE/guest-$A.create.log")"
			return 1
		}
	}
	if { hg__victim || { xd_guest_destroy "$V" >/dev/null 2>&1; hg__victim; }; } &&
		xd_guest_wait "$V" "HV-IO " 150; then
		xd_pass setup/victim
	else
		xd_fail setup/victim "victim guest did not start its I/O loop"
		xd_guest_dump "$V"
		hg_cleanup
		return 1
	fi
	if { hg__attacker || { xd_guest_destroy "$A" >/dev/null 2>&1; hg__attacker; }; } &&
		xd_guest_wait "$A" "HOSTILE READY" 150; then
		xd_pass setup/attacker
	else
		xd_fail setup/attacker "attacker guest did not start the $prog daemon"
		xd_guest_dump "$A"
		hg_cleanup
		return 1
	fi
}

# hg_dom0_alive CHECK PASSFN BADFN: xenstore and xl answer.
hg_dom0_alive() {
	if timeout 20 xenstore-read /local/domain/0/name >/dev/null 2>&1 &&
		timeout 30 xl list >/dev/null 2>&1; then
		"$2" "$1"
	else
		"$3" "$1" "xenstore-read or xl list did not answer"
	fi
}

# hg_dmesg CHECK MARKER PASSFN BADFN: no bad kernel line after the line MARKER.
hg_dmesg() {
	local bad
	bad=$(dmesg | awk -v m="$2" 'index($0, m) {p = 1; next} p' | grep -E "$HOSTILE_BAD" | grep -v XD-)
	if [ -z "$bad" ]; then
		"$3" "$1"
	else
		"$4" "$1" "$(printf '%s' "$bad" | head -n 2 | tr '\n' ' ')"
	fi
}

# hg_victim CHECK V0 F0 PINGSIZE PASSFN BADFN: the victim did verified I/O beyond V0
# with no failure since F0, and answers pings of PINGSIZE bytes.
hg_victim() {
	local ok=0
	for _ in $(seq 1 60); do
		if [ "$(victim_count)" -gt "$2" ]; then
			ok=1
			break
		fi
		sleep 1
	done
	if [ "$ok" = 0 ]; then
		"$6" "$1" "victim disk I/O stalled (counter stays at $2)"
	elif [ "$(victim_fails)" != "$3" ]; then
		"$6" "$1" "victim I/O failed: $(tr -d '\r' <"$(xd_guest_log "$V")" | grep -a '^HV-IO-FAIL' | tail -n 1)"
	elif ! xd_ping -c 2 -s "$4" -W 5 "$vip" >/dev/null 2>&1 && ! xd_ping -c 3 -s "$4" -W 5 "$vip" >/dev/null 2>&1; then
		"$6" "$1" "victim does not answer $4-byte pings"
	else
		"$5" "$1"
	fi
}

# hg_end TAG BADFN: the attacker's own account into the log; the attacker is destroyed;
# the victim's I/O never failed; then the victim goes too.
hg_end() {
	local n
	tr -d '\r' <"$(xd_guest_log "$A")" 2>/dev/null | grep -a '^HOSTILE' | sed "s/^/  $1> /"
	if xd_guest_destroy "$A"; then xd_pass end/attacker-destroyed; else "$2" end/attacker-destroyed "xl destroy $A did not complete"; fi
	n=$(victim_count)
	if [ "$(victim_fails)" = 0 ] && [ "$n" -gt 0 ]; then
		xd_pass end/victim-io
		xd_info "victim: $n verified 64 KiB write+read iterations"
	else
		"$2" end/victim-io "victim: $n iterations, $(victim_fails) failures"
	fi
	xd_guest_destroy "$V" >/dev/null 2>&1
}

# hg_unload MODULE CHECK BADFN CHECK2: with every guest gone MODULE unloads (no grant
# mapping, thread or device reference left behind: CHECK), then it is loaded again for
# what follows (CHECK2).
hg_unload() {
	local mod=$1 check=$2 bad=$3 again=$4
	if xd_wait_for 30 rmmod "$mod"; then
		xd_pass "$check"
	else
		"$bad" "$check" "rmmod $mod fails after all guests are gone: $(rmmod "$mod" 2>&1) refcnt $(cat "/sys/module/${mod//-/_}/refcnt" 2>&1)"
	fi
	if lsmod | grep -q "^${mod//-/_} " || modprobe "$mod"; then
		xd_pass "$again"
	else
		xd_fail "$again" "modprobe $mod failed"
	fi
}
