# shellcheck shell=bash
# Scenario (make hostile; not in make check): every netif case of the hostile-guest suite
# against xen-netback, with guests of its own (tests/hostile/README.md). make check runs
# a subset of the same cases inside hostile-blk, sharing that scenario's guests.
# xd-timeout: 5400
#
# Two guests: "nv" (victim, normal frontends) does verified disk I/O all the time
# (/xd/progs/hostile-victim) and is pinged with 1400-byte packets; "na" (attacker) runs
# without blkfront and netfront and runs /xd/progs/hostile-net as a daemon. For each case
# (tests/vm/extra/hostile-net-lib.sh, hn_case) Dom0 attaches a fresh vif to "na"
# (xl network-attach), tells the daemon the case (data/xdn/cmd = "SEQ CASE DEVID"),
# answers its carrier probes (data/xdn/probe -> data/xdn/probe-ack = "SEQ CARRIER"),
# floods the vif from Dom0 when the case asks (data/xdn/flood, /xd/progs/hostile-flood),
# reads the verdict (data/xdn/res), detaches the vif and checks. Results
# hostile-net/<case>/<check>:
#   outcome    the backend answered the bad packet with an error / disabled the vif /
#              shut it down / survived, as the case expects, within the bound
#   rx-bounded (flood cases) Dom0's MemAvailable did not drop by more than 64 MiB while
#              the guest took no RX and Dom0 sent to it
#   dom0-alive xenstore and xl answer
#   teardown   xl network-detach completes, the backend directory and the vif are gone
#   dmesg      no Oops/BUG/WARNING/lockdep line since the case started
#   victim     the victim's disk I/O progressed (verified) and it answers 1400-byte pings
# and at the end hostile-net/leak/rmmod (xen-netback unloads once both guests are gone).
# A failed check is a FAIL when our xen-netback serves the device and a finding
# ("XDTEST SKIP ... finding: ...") with the in-tree one, as in hostile-blk.
# Cases: all; xdn.cases=a:b:c on the Dom0 command line (XD_DOM0_CMDLINE;
# scripts/hostile.sh passes HOSTILE_NET_CASES) selects some.

A=na
V=nv
# shellcheck source=tests/vm/extra/hostile-net-lib.sh
. "$XD_DIR/extra/hostile-net-lib.sh"

victim_count() {
	tr -d '\r' <"$(xd_guest_log "$V")" 2>/dev/null | awk '$1 == "HV-IO" {n = $2} END {print n + 0}'
}
victim_fails() { tr -d '\r' <"$(xd_guest_log "$V")" 2>/dev/null | grep -ac '^HV-IO-FAIL'; }
cleanup_all() {
	xd_guest_destroy "$A" >/dev/null 2>&1
	xd_guest_destroy "$V" >/dev/null 2>&1
}

# ---------------------------------------------------------------- setup
cases=$(sed -n 's/.*xdn\.cases=\([^ ]*\).*/\1/p' /proc/cmdline)
cases=${cases//:/,}
cases=${cases:-all}
[ "$cases" != all ] || cases=$("$XD_DIR/progs/hostile-net" -l | cut -d' ' -f1 | paste -sd, -)

start_victim() { XD_GUEST_CMDLINE="xd.run=/xd/progs/hostile-victim" xd_guest_start "$V"; }
if { start_victim || { xd_guest_destroy "$V" >/dev/null 2>&1; start_victim; }; } &&
	xd_guest_wait "$V" "HV-IO " 150; then
	xd_pass setup/victim
else
	xd_fail setup/victim "victim guest did not start its I/O loop"
	xd_guest_dump "$V"
	cleanup_all
	exit 0
fi
start_attacker() {
	rm -f "$(xd_guest_log "$A")"
	cat >"/tmp/xd-guest-$A.cfg" <<-EOF2
		name = "$A"
		type = "pv"
		kernel = "$XD_DIR/guest/vmlinuz"
		ramdisk = "$XD_DIR/guest/initrd.gz"
		extra = "console=hvc0 xd.id=8 xd.name=$A xd.noload=xen-blkfront,xen-netfront xd.run=/xd/progs/hostile-net"
		memory = 256
		vcpus = 1
		on_poweroff = "destroy"
		on_reboot = "destroy"
		on_crash = "destroy"
	EOF2
	timeout 240 xl create "/tmp/xd-guest-$A.cfg" >"$XD_STATE/guest-$A.create.log" 2>&1 || {
		echo "xl create $A failed: $(tail -n 5 "$XD_STATE/guest-$A.create.log")"
		return 1
	}
}
if { start_attacker || { xd_guest_destroy "$A" >/dev/null 2>&1; start_attacker; }; } &&
	xd_guest_wait "$A" "HOSTILE READY" 150; then
	xd_pass setup/attacker
else
	xd_fail setup/attacker "attacker guest did not start the hostile-net daemon"
	xd_guest_dump "$A"
	cleanup_all
	exit 0
fi
vip=$(xd_guest_ip "$V")
hn_setup || {
	cleanup_all
	exit 0
}
xd_info "attacker domid $adom, victim $(xl domid "$V") ($vip)"

# ---------------------------------------------------------------- cases
IFS=, read -r -a CASES <<<"$cases"
for c in "${CASES[@]}"; do
	hn_case "$c"
done

# ---------------------------------------------------------------- end
tr -d '\r' <"$(xd_guest_log "$A")" 2>/dev/null | grep -a '^HOSTILE' | sed 's/^/  na> /'
if xd_guest_destroy "$A"; then xd_pass end/attacker-destroyed; else hn_bad end/attacker-destroyed "xl destroy $A did not complete"; fi
n=$(victim_count)
if [ "$(victim_fails)" = 0 ] && [ "$n" -gt 0 ]; then
	xd_pass end/victim-io
else
	hn_bad end/victim-io "victim: $n iterations, $(victim_fails) failures"
fi
xd_guest_destroy "$V" >/dev/null 2>&1

if xd_wait_for 30 rmmod xen-netback; then
	xd_pass leak/rmmod
else
	hn_bad leak/rmmod "rmmod xen-netback fails after all guests are gone: $(rmmod xen-netback 2>&1) refcnt $(cat /sys/module/xen_netback/refcnt 2>&1)"
fi
if lsmod | grep -q '^xen_netback ' || modprobe xen-netback; then
	xd_pass leak/modprobe-again
else
	xd_fail leak/modprobe-again "modprobe xen-netback failed"
fi
