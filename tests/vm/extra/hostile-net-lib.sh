# shellcheck shell=bash
# Library of the netif hostile-guest cases (tests/hostile/README.md), sourced by
# tests/vm/extra/hostile-net.sh (every case, its own guests) and by
# tests/vm/scenarios/hostile-blk.sh (a subset in `make check`, sharing its guests: the
# attacker guest runs /xd/progs/hostile-net next to /xd/progs/hostile).
# The caller sets: A (attacker guest, runs the hostile-net daemon), V (victim guest),
# vip (victim IP), and has sourced tests/vm/extra/hostile-guests.sh. Results are named
# ${HN_PFX}<case>/<check>.
# shellcheck disable=SC2154 # A, V, vip come from the caller

hn_impl=$(xd_module_impl xen-netback)
xd_info "hostile-net: xen-netback is $hn_impl"
HN_PFX=${HN_PFX:-}
hn_seq=0

# A failed check: FAIL for our xen-netback, a finding for the in-tree one.
hn_bad() { xd_finding "$hn_impl" "$HN_PFX$1" "$2"; }
hn_pass() { xd_pass "$HN_PFX$1"; }
hn_fail() { xd_fail "$HN_PFX$1" "$2"; }
mem_avail() { awk '$1 == "MemAvailable:" {print int($2 / 1024)}' /proc/meminfo; }
vif_gone() { ! xenstore-read "$1/state" >/dev/null 2>&1 && ! ip link show "$2" >/dev/null 2>&1; }

# hn_setup: the case table and the vif hotplug script; call once the attacker runs.
hn_setup() {
	adom=$(xl domid "$A")
	ad=/local/domain/$adom/data/xdn
	if ! "$XD_DIR/progs/hostile-net" -l >"$XD_STATE/hostile-net-cases"; then
		hn_fail setup/case-list "hostile-net -l failed"
		return 1
	fi
	# The attacker's vifs use the lean hotplug script tests/vm/vif-script.
	VIF_SCRIPT=$XD_DIR/vif-script
}

# hn_inject: the interface the "send" cases' frames leave Dom0 by (HN_INJECT): frames
# sent out of it enter the bridge as received frames on one of its ports, not as frames
# sent straight into the vif.
# - A veth pair (xdnv0 -> port xdnv1) if the module exists (the Dom0 image carries it, see
#   scripts/vm/images.sh; XD_EXTRA_INITRD can add a veth.ko* under /lib/modules):
#   multicast frames arrive with pkt_type MULTICAST, as from another host.
# - Else an ip6gretap tunnel from and to fd00:7864::1 on lo (xdng, itself the port: what
#   it sends comes back in through it, hence allow-localremote; tunnels refuse ::1;
#   ip6_gre is in the image). Decapsulation resets pkt_type to PACKET_HOST, and the
#   in-tree backend filters only PACKET_MULTICAST frames: mcast-filter fails with it
#   (a finding), ours filters by the destination address.
# The port gets no flooded frames and learns nothing, so nothing loops through it.
hn_veth_mod() {
	local f
	modprobe veth 2>/dev/null && return 0
	# Not in the image's modules.dep: a veth.ko* added under /lib/modules (XD_EXTRA_INITRD).
	f=$(find "/lib/modules/$(uname -r)/" -name 'veth.ko*' 2>/dev/null | head -n 1)
	[ -n "$f" ] && insmod "$f"
}
hn_inject() {
	local port
	[ -z "${HN_INJECT:-}" ] || return 0
	if ip link show xdnv0 >/dev/null 2>&1 ||
		{ hn_veth_mod && ip link add xdnv0 type veth peer name xdnv1; }; then
		HN_INJECT=xdnv0 port=xdnv1
	elif modprobe ip6_gre 2>/dev/null && { ip link del xdng 2>/dev/null || :; } &&
		{ ip -6 addr show dev lo | grep -q 'fd00:7864::1/' ||
			ip -6 addr add fd00:7864::1/128 dev lo nodad; } &&
		ip link add xdng type ip6gretap local fd00:7864::1 remote fd00:7864::1 allow-localremote; then
		HN_INJECT=xdng port=xdng
	else
		return 1
	fi
	if ! { ip link set "$port" master xenbr0 &&
		ip link set "$port" type bridge_slave learning off flood off mcast_flood off bcast_flood off &&
		ip link set "$port" up && ip link set "$HN_INJECT" up; }; then
		HN_INJECT=""
		return 1
	fi
	xd_info "hostile-net: frames of the send cases enter xenbr0 through $port (sent out of $HN_INJECT)"
}

# hn_inject_del: remove what hn_inject made (the veth pair or the tunnel and its address).
hn_inject_del() {
	[ -n "${HN_INJECT:-}" ] || return 0
	ip link del "$HN_INJECT" 2>/dev/null
	[ "$HN_INJECT" != xdng ] || ip -6 addr del fd00:7864::1/128 dev lo 2>/dev/null
	HN_INJECT=""
}

# hn_send VALUE: a "send" case asked for frames (data/xdn/send = "ID ITEM..."): send them
# (tests/progs/hostile-frames) and answer data/xdn/send-ack = "ID RC DETAIL".
hn_send() {
	local id items out rc
	read -r id items <<<"$1"
	if ! hn_inject; then
		xenstore-write "$ad/send-ack" "$id 1 cannot create a veth pair or an ip6gretap tunnel"
		return 0
	fi
	# shellcheck disable=SC2086 # one argument per item
	out=$("$XD_DIR/progs/hostile-frames" "$HN_INJECT" $items 2>&1)
	rc=$?
	xd_info "case send $id: $out; $HN_INJECT: $(ip -s -o link show "$HN_INJECT" 2>&1 | tr -s ' ' | cut -c1-400)"
	xenstore-write "$ad/send-ack" "$id $rc $(echo "$out" | tail -n 1)"
}

# hn_churn_events CASE VIF KIND PATTERN CHANGES: after a churn case (CHANGES changes of
# the multicast filter or the hashing configuration), our control device's event stream
# must hold at most 160 KIND events of the vif matching PATTERN and "KIND suppressed
# count=N" events for the rest: reported + suppressed = CHANGES.
hn_churn_events() {
	local c=$1 vif=$2 kind=$3 pat=$4 changes=$5 ev n s
	if [ ! -e /dev/xen/netback ]; then
		xd_skip "$HN_PFX$c/events" "no /dev/xen/netback (the in-tree xen-netback has no event stream)"
		return 0
	fi
	# Since this vif's "add" event: a devid (and so the name) is reused after a detach.
	ev=$("$XD_DIR/progs/xdctl" net events 2>&1 |
		awk -v v="$vif" '$3 == v { if ($4 == "add") n = 0; l[n++] = $0 } END { for (i = 0; i < n; i++) print l[i] }')
	n=$(echo "$ev" | grep -cE " $kind $pat")
	s=$(echo "$ev" | sed -n "s/.* $kind suppressed count=\([0-9]*\).*/\1/p" | awk '{t += $1} END {print t + 0}')
	xd_info "case $c: $vif: $n $kind events, $s suppressed"
	if [ "$n" -ge 1 ] && [ "$n" -le 160 ] && [ $((n + s)) -eq "$changes" ]; then
		hn_pass "$c/events"
	else
		hn_fail "$c/events" "$n $kind events and $s suppressed for $changes changes (want 1..160 and a sum of $changes)"
	fi
}

# hn_spurious CASE VIF: after the event storm, our control device must have counted the
# empty events answered to Xen as spurious (so Xen delayed the channel): a few per second
# of storm once Xen's delay has grown, not one per notification (the storm sends millions).
hn_spurious() {
	local c=$1 vif=$2 n
	if [ ! -e /dev/xen/netback ]; then
		# not a skipped check: the in-tree xen-netback has no such counter
		xd_info "case $c: no /dev/xen/netback, no spurious_events to check"
		return 0
	fi
	n=$("$XD_DIR/progs/xdctl" net stats "$vif" 2>&1 | awk '$1 == "spurious_events" {print $2}')
	xd_info "case $c: $vif: spurious_events $n"
	if [ -n "$n" ] && [ "$n" -ge 3 ] && [ "$n" -le 5000 ]; then
		hn_pass "$c/spurious"
	else
		hn_fail "$c/spurious" "spurious_events '$n' after 5 s of empty notifications (want 3..5000)"
	fi
}

# hn_case CASE: attach a vif to the attacker, run CASE, detach, check.
hn_case() {
	local c=$1 line action mac out devid vif bepath t0 ta tv td v0 f0 mem0 memmin m flood_pid res
	local verdict outcome detail carrier fl drop how send sent
	line=$(awk -v c="$c" '$1 == c' "$XD_STATE/hostile-net-cases")
	if [ -z "$line" ]; then
		hn_fail "$c/exists" "no such case in hostile-net -l"
		return 0
	fi
	action=$(echo "$line" | cut -d' ' -f2)
	hn_seq=$((hn_seq + 1))
	mac=$(printf '00:16:3e:00:01:%02x' "$hn_seq")
	t0=$(date +%s)
	xd_info "case $c ($line), mac $mac"
	if ! out=$(timeout 90 xl network-attach "$A" bridge=xenbr0 "mac=$mac" "script=$VIF_SCRIPT" 2>&1); then
		hn_fail "$c/attach" "xl network-attach failed: $out"
		return 0
	fi
	devid=$(xl network-list "$A" 2>/dev/null | awk -v m="$mac" '$3 == m {print $1}')
	if [ -z "$devid" ]; then
		hn_fail "$c/attach" "no vif with $mac in xl network-list: $(xl network-list "$A" 2>&1 | tr '\n' ' ')"
		return 0
	fi
	vif=vif$adom.$devid
	bepath=/local/domain/0/backend/vif/$adom/$devid
	ta=$(date +%s)
	echo "XD-HOSTILE-CASE net-$hn_seq-$c" >/dev/kmsg
	v0=$(victim_count)
	f0=$(victim_fails)
	xenstore-rm "$ad/flood" 2>/dev/null
	xenstore-rm "$ad/send" 2>/dev/null
	sent=""
	mem0=$(mem_avail)
	memmin=$mem0
	flood_pid=""
	xenstore-write "$ad/cmd" "$hn_seq $c $devid"
	res=""
	for _ in $(seq 1 200); do
		res=$(xenstore-read "$ad/res" 2>/dev/null)
		case "$res" in "$hn_seq "*) break ;; esac
		res=""
		if [ "$(xenstore-read "$ad/probe" 2>/dev/null)" = "$hn_seq" ] &&
			[ "$(xenstore-read "$ad/probe-ack" 2>/dev/null | cut -d' ' -f1)" != "$hn_seq" ]; then
			carrier=$(cat "/sys/class/net/$vif/carrier" 2>/dev/null || echo 0)
			xenstore-write "$ad/probe-ack" "$hn_seq $carrier"
			xd_info "case $c: carrier probe: $vif carrier $carrier, operstate $(cat "/sys/class/net/$vif/operstate" 2>&1)"
		fi
		if [ "$action" = flood ] && [ -z "$flood_pid" ] &&
			[ "$(xenstore-read "$ad/flood" 2>/dev/null)" = 1 ]; then
			"$XD_DIR/progs/hostile-flood" "$vif" 30 >"$XD_STATE/flood.out" 2>&1 &
			flood_pid=$!
		fi
		if [ "$action" = send ]; then
			send=$(xenstore-read "$ad/send" 2>/dev/null)
			if [ -n "$send" ] && [ "$send" != "$sent" ]; then
				hn_send "$send"
				sent=$send
				continue
			fi
		fi
		m=$(mem_avail)
		[ "$m" -ge "$memmin" ] || memmin=$m
		sleep 1
	done
	read -r _ verdict outcome detail <<<"$res"
	case "$verdict" in
	ok) hn_pass "$c/outcome" ;;
	"") hn_bad "$c/outcome" "no verdict from the hostile-net daemon within 200 s" ;;
	# "broken": the case could not be carried out (set-up, Dom0's side): a failure of
	# the harness, with either driver, never a finding against the in-tree one
	broken) hn_fail "$c/outcome" "$verdict: outcome $outcome: $detail" ;;
	*) hn_bad "$c/outcome" "$verdict: outcome $outcome: $detail" ;;
	esac
	tv=$(date +%s)
	xd_info "case $c: $verdict $outcome $detail"
	if [ "$action" = flood ]; then
		if [ -z "$flood_pid" ]; then
			hn_fail "$c/rx-bounded" "the case never asked for the flood"
		else
			wait "$flood_pid"
			fl=$(cat "$XD_STATE/flood.out")
			drop=$((mem0 - memmin))
			xd_info "case $c: $fl; MemAvailable $mem0 MiB -> min $memmin MiB; $vif tx_dropped $(cat "/sys/class/net/$vif/statistics/tx_dropped" 2>&1)"
			if ! echo "$fl" | grep -q '^FLOOD sent [1-9]'; then
				hn_fail "$c/rx-bounded" "the flood did not send: $fl"
			elif [ "$drop" -gt 64 ]; then
				hn_bad "$c/rx-bounded" "Dom0 MemAvailable dropped by $drop MiB while the guest took no RX ($fl)"
			else
				hn_pass "$c/rx-bounded"
			fi
		fi
	fi

	hg_dom0_alive "$c/dom0-alive" hn_pass hn_bad
	[ "$c" != event-storm ] || hn_spurious "$c" "$vif"

	how=graceful
	if ! timeout 60 xl network-detach "$A" "$devid" >"$XD_STATE/detach.log" 2>&1; then
		how="failed ($(tail -n 1 "$XD_STATE/detach.log"))"
	fi
	if xd_wait_for 30 vif_gone "$bepath" "$vif"; then
		if [ "$how" = graceful ]; then
			hn_pass "$c/teardown"
		else
			hn_bad "$c/teardown" "xl network-detach did not complete gracefully: $how"
		fi
	else
		hn_bad "$c/teardown" "backend $bepath or $vif remain after detach ($how): state $(xenstore-read "$bepath/state" 2>&1)"
	fi

	case $c in
	mcast-churn) hn_churn_events "$c" "$vif" mcast '(add|del) ' 400 ;;
	hash-churn) hn_churn_events "$c" "$vif" hash '(algorithm|flags|key|mapping-size)=' 401 ;;
	esac

	td=$(date +%s)
	hg_dmesg "$c/dmesg" "XD-HOSTILE-CASE net-$hn_seq-$c" hn_pass hn_bad

	hg_victim "$c/victim" "$v0" "$f0" 1400 hn_pass hn_bad
	xd_info "case $c took $(($(date +%s) - t0)) s (attach $((ta - t0)), case $((tv - ta)), detach $((td - tv)), checks $(($(date +%s) - td)))"
}
