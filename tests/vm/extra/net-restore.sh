# shellcheck shell=bash
# Scenario (extra, run by name): xl save / xl restore of a guest, repeated, with the
# network checked after each restore: the guest must answer ping, and Dom0 must reach it
# within XD_NR_PING_S seconds. Each round also reports how long the first answer took.
# Written after a CI run in which a restored guest did not answer ping for 40 s on
# 6.1 with our netback (privcmd/restored-ping); on a failure the vif's state is dumped
# (xd_net_diag) and the ping goes on for up to 60 s to see whether it recovers.
# The first save/restore happens while the guest sends a verified TCP stream to
# Dom0 (tests/progs/netbulk), slowed down by the vif's rate limit (rate=200KB/s,
# so that 12 MB last about 60 s): the connection must survive and every byte
# arrive (check tcp-across-restore).
# Knobs: XD_NR_ROUNDS (default 8), XD_NR_PING_S (default 30).
# xd-timeout: 1500
g=nr
st=$XD_STATE/net-restore
mkdir -p "$st"
ROUNDS=${XD_NR_ROUNDS:-8}
PING_S=${XD_NR_PING_S:-30}

xd_info "xen-netback: $(xd_module_impl xen-netback) ($(cat /sys/module/xen_netback/srcversion 2>/dev/null))"
NB=/xd/progs/netbulk
TBYTES=12000000
mkdir -p /tmp/xd-nr
cat >/tmp/xd-nr/run.sh <<EOS
(
$(xd_sh_wait_ping 60 break 192.0.2.1)
	$NB tcp-send across 192.0.2.1 7100 $TBYTES 71
) &
EOS
tar -cf /tmp/xd-nr.tar -C /tmp/xd-nr run.sh
# The save and restore stop the stream for tens of seconds under TCG, and TCP's
# retransmission back-off adds as much: the receiver waits up to 200 s for data.
NETBULK_IDLE=200 $NB tcp-recv across 7100 $TBYTES 71 600 >"$st/across.log" 2>&1 &
rpid=$!
n=$(($(cat "$XD_STATE/guest-seq" 2>/dev/null || echo 0) % 9 + 1))
if ! XD_GUEST_PAYLOAD=/tmp/xd-nr.tar xd_guest_start "$g" "vif = ['bridge=xenbr0,mac=00:16:3e:00:00:0$n,rate=200KB/s']" ||
	! xd_guest_wait "$g" GUEST-READY 180; then
	kill "$rpid" 2>/dev/null
	xd_fail create "guest did not start: $(xd_guest_dump "$g" 15)"
	xd_guest_destroy "$g"
	exit 0
fi
xd_pass create
ip=$(xd_guest_ip "$g")
if xd_ping_retry "$st/ping.log" -c 1 -W 5 "$ip"; then
	xd_pass ping-before
else
	xd_fail ping-before "$(tail -n 2 "$st/ping.log")"
	xd_net_diag "$g"
fi

# first_answer SECONDS: seconds (1 s steps) until the guest answers, or fail.
first_answer() {
	local t0 now
	t0=$(date +%s)
	while :; do
		xd_ping -c 1 -W 1 "$ip" >"$st/ping.log" 2>&1 && {
			echo $(($(date +%s) - t0))
			return 0
		}
		now=$(date +%s)
		[ $((now - t0)) -lt "$1" ] || return 1
	done
}

# The stream is under way (some of it arrived) before the first save.
vif=vif$(xl domid "$g").0
xd_wait_for 90 sh -c "[ \$(cat /sys/class/net/$vif/statistics/rx_bytes) -ge 500000 ]" ||
	xd_info "the stream had not started before the save: rx_bytes $(cat "/sys/class/net/$vif/statistics/rx_bytes" 2>&1)"
xd_info "rate node: $(xenstore-read "/local/domain/0/backend/vif/$(xl domid "$g")/0/rate" 2>&1); rx_bytes before the save $(cat "/sys/class/net/$vif/statistics/rx_bytes" 2>&1)"

for r in $(seq 1 "$ROUNDS"); do
	if ! timeout 120 xl save "$g" "$st/$g.save" >"$st/save.log" 2>&1; then
		xd_fail "round$r/save" "$(tail -n 3 "$st/save.log")"
		break
	fi
	if ! timeout 120 xl restore "$st/$g.save" >"$st/restore.log" 2>&1 || ! xd_guest_exists "$g"; then
		xd_fail "round$r/restore" "$(tail -n 3 "$st/restore.log")"
		break
	fi
	rm -f "$st/$g.save"
	[ "$r" != 1 ] || xd_info "restored mid-stream: rx_bytes of the new vif $(cat /sys/class/net/vif"$(xl domid "$g")".0/statistics/rx_bytes 2>&1), the receiver $(kill -0 "$rpid" 2>/dev/null && echo still waiting || echo done)"
	if [ "$r" = 1 ]; then
		# restored mid-stream: the stream must complete (before the ping,
		# which would queue behind it at the limited rate)
		t=0
		while kill -0 "$rpid" 2>/dev/null && [ $t -lt 300 ]; do
			sleep 1
			t=$((t + 1))
		done
		kill "$rpid" 2>/dev/null
		if grep -q "^PASS across" "$st/across.log"; then
			xd_pass tcp-across-restore
			xd_info "tcp-across-restore: $(grep '^PASS across' "$st/across.log")"
		else
			xd_fail tcp-across-restore "$(tr '\n' ' ' <"$st/across.log") guest: $(grep -a 'across' "$(xd_guest_log "$g")" | tail -n 2 | tr -d '\r' | tr '\n' ' ')"
		fi
	fi
	if s=$(first_answer "$PING_S"); then
		xd_pass "round$r/ping"
		xd_info "round $r: first answer after restore in $s s"
	else
		xd_fail "round$r/ping" "no answer within $PING_S s: $(tail -n 2 "$st/ping.log")"
		xd_net_diag "$g"
		xd_guest_dump "$g" 25
		if s=$(first_answer 60); then
			xd_info "round $r: the guest answered $((PING_S + s)) s after the restore"
		else
			xd_info "round $r: still no answer 60 s later"
			xd_net_diag "$g"
		fi
	fi
done

if xd_guest_destroy "$g"; then
	xd_pass destroy
else
	xd_fail destroy "guest or its loop devices remain"
fi
