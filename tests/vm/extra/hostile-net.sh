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
# shellcheck source=tests/vm/extra/hostile-guests.sh
. "$XD_DIR/extra/hostile-guests.sh"
# shellcheck source=tests/vm/extra/hostile-net-lib.sh
. "$XD_DIR/extra/hostile-net-lib.sh"

# ---------------------------------------------------------------- setup
cases=$(sed -n 's/.*xdn\.cases=\([^ ]*\).*/\1/p' /proc/cmdline)
cases=${cases//:/,}
cases=${cases:-all}
[ "$cases" != all ] || cases=$("$XD_DIR/progs/hostile-net" -l | cut -d' ' -f1 | paste -sd, -)

hg_start_guests 8 hostile-net || exit 0
vip=$(xd_guest_ip "$V")
hn_setup || {
	hg_cleanup
	exit 0
}
xd_info "attacker domid $adom, victim $(xl domid "$V") ($vip)"

# ---------------------------------------------------------------- cases
IFS=, read -r -a CASES <<<"$cases"
for c in "${CASES[@]}"; do
	hn_case "$c"
done

# ---------------------------------------------------------------- end
hn_inject_del
hg_end na hn_bad

hg_unload xen-netback leak/rmmod hn_bad leak/modprobe-again
