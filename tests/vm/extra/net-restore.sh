# shellcheck shell=bash
# Scenario (extra, run by name): xl save / xl restore of a guest, repeated, with the
# network checked after each restore: the guest must answer ping, and Dom0 must reach it
# within XD_NR_PING_S seconds. Each round also reports how long the first answer took.
# Written after a CI run in which a restored guest did not answer ping for 40 s on
# 6.1 with our netback (privcmd/restored-ping); on a failure the vif's state is dumped
# (xd_net_diag) and the ping goes on for up to 60 s to see whether it recovers.
# Knobs: XD_NR_ROUNDS (default 8), XD_NR_PING_S (default 30).
# xd-timeout: 1500
g=nr
st=$XD_STATE/net-restore
mkdir -p "$st"
ROUNDS=${XD_NR_ROUNDS:-8}
PING_S=${XD_NR_PING_S:-30}

xd_info "xen-netback: $(xd_module_impl xen-netback) ($(cat /sys/module/xen_netback/srcversion 2>/dev/null))"
if ! xd_guest_start "$g" || ! xd_guest_wait "$g" GUEST-READY 180; then
	xd_fail create "guest did not start: $(xd_guest_dump "$g" 15)"
	xd_guest_destroy "$g"
	exit 0
fi
xd_pass create
ip=$(xd_guest_ip "$g")
if xd_ping_retry "$st/ping.log" -c 1 -W 3 "$ip"; then
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
