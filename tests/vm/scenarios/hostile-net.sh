# shellcheck shell=bash
# Scenario: a hostile netif (vif) frontend against xen-netback (tests/hostile/README.md).
# xd-timeout: 1200
#
# Two guests: "nv" (victim, normal frontends) does verified disk I/O all the time
# (/xd/progs/hostile-victim) and is pinged with 1400-byte packets; "na" (attacker) runs
# without blkfront and netfront and runs /xd/progs/hostile-net as a daemon. For each case
# Dom0 attaches a fresh vif to "na" (xl network-attach), tells the daemon the case
# (data/xdn/cmd = "SEQ CASE DEVID"), answers its carrier probes (data/xdn/probe ->
# data/xdn/probe-ack = "SEQ CARRIER"), floods the vif from Dom0 when the case asks
# (data/xdn/flood, /xd/progs/hostile-flood), reads the verdict (data/xdn/res), detaches
# the vif and checks. Results hostile-net/<case>/<check>:
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
# Cases: HN_DEFAULT below in make check; xdn.cases=all or xdn.cases=a:b:c on the Dom0
# command line (XD_DOM0_CMDLINE; scripts/hostile.sh passes HOSTILE_NET_CASES) for others.

HN_DEFAULT="slots-30,gso-bad-type,ctrl-map-offset,rx-never-consumed,queues-huge"

impl=$(xd_module_impl xen-netback)
xd_info "hostile-net: xen-netback is $impl"
A=na
V=nv
BAD='\<(Oops|BUG|WARNING)\>|lockdep|general protection|possible circular locking|INFO: task .* blocked'

hn_bad() {
	if [ "$impl" = ours ]; then
		xd_fail "$1" "$2"
	else
		xd_skip "$1" "finding: $2"
		echo "XDFINDING $XD_SCENARIO/$1 $impl $(xd__oneline "$2")"
	fi
}

victim_count() {
	tr -d '\r' <"$(xd_guest_log "$V")" 2>/dev/null | awk '$1 == "HV-IO" {n = $2} END {print n + 0}'
}
victim_fails() { tr -d '\r' <"$(xd_guest_log "$V")" 2>/dev/null | grep -ac '^HV-IO-FAIL'; }
mem_avail() { awk '$1 == "MemAvailable:" {print int($2 / 1024)}' /proc/meminfo; }
vif_gone() { ! xenstore-read "$1/state" >/dev/null 2>&1 && ! ip link show "$2" >/dev/null 2>&1; }

cleanup_all() {
	xd_guest_destroy "$A" >/dev/null 2>&1
	xd_guest_destroy "$V" >/dev/null 2>&1
}

# ---------------------------------------------------------------- setup
cases=$(sed -n 's/.*xdn\.cases=\([^ ]*\).*/\1/p' /proc/cmdline)
cases=${cases//:/,}
# (the command line wins over $HOSTILE_NET_CASES, which tests/vm/extra/hostile-net-all.sh sets)
cases=${cases:-${HOSTILE_NET_CASES:-$HN_DEFAULT}}
[ "$cases" != all ] || cases=$("$XD_DIR/progs/hostile-net" -l | cut -d' ' -f1 | paste -sd, -)
"$XD_DIR/progs/hostile-net" -l >"$XD_STATE/hostile-net-cases" || {
	xd_fail setup/case-list "hostile-net -l failed"
	exit 0
}

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
# The attacker's vifs use a lean hotplug script (like /xd/block-script for disks):
# Debian's vif-bridge overruns libxl's hotplug timeout under TCG with a loaded host.
# It puts the vif on xenbr0 and reports hotplug-status, which netback waits for.
VIF_SCRIPT=/tmp/xd-vif-script
cat >"$VIF_SCRIPT" <<'EOF2'
#!/bin/sh
# lean vif hotplug script (tests/vm/scenarios/hostile-net.sh); $1 online|offline|add|remove
dev=${vif:-$(echo "$XENBUS_PATH" | awk -F/ '{print "vif" $(NF-1) "." $NF}')}
case "$1" in
online | add)
	ip link set dev "$dev" master xenbr0 && ip link set dev "$dev" up &&
		xenstore-write "$XENBUS_PATH/hotplug-status" connected
	;;
*) ip link set dev "$dev" nomaster 2>/dev/null ;;
esac
exit 0
EOF2
chmod +x "$VIF_SCRIPT"

vip=$(xd_guest_ip "$V")
adom=$(xl domid "$A")
xd_info "attacker domid $adom, victim $(xl domid "$V") ($vip)"
ad=/local/domain/$adom/data/xdn

# ---------------------------------------------------------------- cases
seq=0
IFS=, read -r -a CASES <<<"$cases"
for c in "${CASES[@]}"; do
	line=$(awk -v c="$c" '$1 == c' "$XD_STATE/hostile-net-cases")
	if [ -z "$line" ]; then
		xd_fail "$c/exists" "no such case in hostile-net -l"
		continue
	fi
	action=$(echo "$line" | cut -d' ' -f2)
	seq=$((seq + 1))
	mac=$(printf '00:16:3e:00:01:%02x' "$seq")
	t0=$(date +%s)
	xd_info "case $c ($line), mac $mac"
	if ! out=$(timeout 90 xl network-attach "$A" bridge=xenbr0 "mac=$mac" "script=$VIF_SCRIPT" 2>&1); then
		xd_fail "$c/attach" "xl network-attach failed: $out"
		continue
	fi
	devid=$(xl network-list "$A" 2>/dev/null | awk -v m="$mac" '$3 == m {print $1}')
	if [ -z "$devid" ]; then
		xd_fail "$c/attach" "no vif with $mac in xl network-list: $(xl network-list "$A" 2>&1 | tr '\n' ' ')"
		continue
	fi
	vif=vif$adom.$devid
	bepath=/local/domain/0/backend/vif/$adom/$devid
	ta=$(date +%s)
	echo "XD-HOSTILE-CASE $c" >/dev/kmsg
	v0=$(victim_count)
	f0=$(victim_fails)
	xenstore-rm "$ad/flood" 2>/dev/null
	mem0=$(mem_avail)
	memmin=$mem0
	flood_pid=""
	xenstore-write "$ad/cmd" "$seq $c $devid"
	res=""
	for _ in $(seq 1 200); do
		res=$(xenstore-read "$ad/res" 2>/dev/null)
		case "$res" in "$seq "*) break ;; esac
		res=""
		if [ "$(xenstore-read "$ad/probe" 2>/dev/null)" = "$seq" ] &&
			[ "$(xenstore-read "$ad/probe-ack" 2>/dev/null | cut -d' ' -f1)" != "$seq" ]; then
			carrier=$(cat "/sys/class/net/$vif/carrier" 2>/dev/null || echo 0)
			xenstore-write "$ad/probe-ack" "$seq $carrier"
			xd_info "case $c: carrier probe: $vif carrier $carrier, operstate $(cat "/sys/class/net/$vif/operstate" 2>&1)"
		fi
		if [ "$action" = flood ] && [ -z "$flood_pid" ] &&
			[ "$(xenstore-read "$ad/flood" 2>/dev/null)" = 1 ]; then
			"$XD_DIR/progs/hostile-flood" "$vif" 30 >"$XD_STATE/flood.out" 2>&1 &
			flood_pid=$!
		fi
		m=$(mem_avail)
		[ "$m" -ge "$memmin" ] || memmin=$m
		sleep 1
	done
	read -r _ verdict outcome detail <<<"$res"
	case "$verdict" in
	ok) xd_pass "$c/outcome" ;;
	"") hn_bad "$c/outcome" "no verdict from the hostile-net daemon within 200 s" ;;
	*) hn_bad "$c/outcome" "$verdict: outcome $outcome: $detail" ;;
	esac
	tv=$(date +%s)
	xd_info "case $c: $verdict $outcome $detail"
	if [ "$action" = flood ]; then
		if [ -z "$flood_pid" ]; then
			xd_fail "$c/rx-bounded" "the case never asked for the flood"
		else
			wait "$flood_pid"
			fl=$(cat "$XD_STATE/flood.out")
			drop=$((mem0 - memmin))
			xd_info "case $c: $fl; MemAvailable $mem0 MiB -> min $memmin MiB; $vif tx_dropped $(cat "/sys/class/net/$vif/statistics/tx_dropped" 2>&1)"
			if ! echo "$fl" | grep -q '^FLOOD sent [1-9]'; then
				xd_fail "$c/rx-bounded" "the flood did not send: $fl"
			elif [ "$drop" -gt 64 ]; then
				hn_bad "$c/rx-bounded" "Dom0 MemAvailable dropped by $drop MiB while the guest took no RX ($fl)"
			else
				xd_pass "$c/rx-bounded"
			fi
		fi
	fi

	if timeout 20 xenstore-read /local/domain/0/name >/dev/null 2>&1 &&
		timeout 30 xl list >/dev/null 2>&1; then
		xd_pass "$c/dom0-alive"
	else
		hn_bad "$c/dom0-alive" "xenstore-read or xl list did not answer"
	fi

	how=graceful
	if ! timeout 60 xl network-detach "$A" "$devid" >"$XD_STATE/detach.log" 2>&1; then
		how="failed ($(tail -n 1 "$XD_STATE/detach.log"))"
	fi
	if xd_wait_for 30 vif_gone "$bepath" "$vif"; then
		if [ "$how" = graceful ]; then
			xd_pass "$c/teardown"
		else
			hn_bad "$c/teardown" "xl network-detach did not complete gracefully: $how"
		fi
	else
		hn_bad "$c/teardown" "backend $bepath or $vif remain after detach ($how): state $(xenstore-read "$bepath/state" 2>&1)"
	fi

	td=$(date +%s)
	bad=$(dmesg | awk -v m="XD-HOSTILE-CASE $c" 'index($0, m) {p = 1; next} p' | grep -E "$BAD" | grep -v XD-)
	if [ -z "$bad" ]; then
		xd_pass "$c/dmesg"
	else
		hn_bad "$c/dmesg" "$(printf '%s' "$bad" | head -n 2 | tr '\n' ' ')"
	fi

	ok=0
	for _ in $(seq 1 60); do
		if [ "$(victim_count)" -gt "$v0" ]; then
			ok=1
			break
		fi
		sleep 1
	done
	if [ "$ok" = 0 ]; then
		hn_bad "$c/victim" "victim disk I/O stalled (counter stays at $v0)"
	elif [ "$(victim_fails)" != "$f0" ]; then
		hn_bad "$c/victim" "victim I/O failed: $(tr -d '\r' <"$(xd_guest_log "$V")" | grep -a '^HV-IO-FAIL' | tail -n 1)"
	elif ! xd_ping -c 2 -s 1400 -W 5 "$vip" >/dev/null 2>&1 && ! xd_ping -c 3 -s 1400 -W 5 "$vip" >/dev/null 2>&1; then
		hn_bad "$c/victim" "victim does not answer 1400-byte pings"
	else
		xd_pass "$c/victim"
	fi
	xd_info "case $c took $(($(date +%s) - t0)) s (attach $((ta - t0)), case $((tv - ta)), detach $((td - tv)), checks $(($(date +%s) - td)))"
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
