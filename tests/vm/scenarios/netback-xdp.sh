# shellcheck shell=bash
# Scenario: XDP headroom negotiation (feature-xdp-headroom, "xdp-headroom",
# the Reconfiguring/Reconfigured handshake, the XDP extra-info on receive).
# A guest attaches an XDP program to netfront's eth0 (tests/progs/xdp-count:
# counts IPv4 frames, passes everything); Dom0 pings it. netfront runs the
# program on the data at its fixed headroom, so the IPv4 count rises only if
# the backend placed the data there. Then the program is detached (headroom 0
# again) and the guest must still answer. Against the in-tree backend too:
# there, a failed check while the program is attached is reported as a finding (XDTEST SKIP ... finding:,
# and an XDFINDING line), not a failure. Seen with the in-tree backend on 6.12:
# it stays Reconfigured after the frontend is back to Connected, and XDP sees
# no IPv4 frame at netfront's headroom (it reads "xdp-headroom" when the
# frontend switches to Reconfiguring, before netfront has written the node).
# About 100 s.
# xd-timeout: 420
g=xdp
glog() { xd_guest_log "$g"; }
NBDEV=/dev/xen/netback
checks="create attached states-attached ping xdp-ran ping-large detached states-detached ping-after-detach events destroy"
nofail() { for c in $checks; do xd_fail "$c" "$1"; done; }
impl=$(xd_module_impl xen-netback)
# A failed XDP check: FAIL for our module, a finding for the in-tree one.
bad() { xd_finding "$impl" "$1" "$2"; }

xd_info "xen-netback: $impl ($(cat /sys/module/xen_netback/srcversion 2>/dev/null))"
mkdir -p /tmp/xd-xdp
cat >/tmp/xd-xdp/run.sh <<'EOS'
/xd/progs/xdp-count eth0 45 &
EOS
tar -cf /tmp/xd-xdp.tar -C /tmp/xd-xdp run.sh

if ! XD_GUEST_PAYLOAD=/tmp/xd-xdp.tar xd_guest_start "$g"; then
	nofail "guest did not start"
	exit 0
fi
xd_pass create
domid=$(xl domid "$g")
ip=$(xd_guest_ip "$g")
be=/local/domain/0/backend/vif/$domid/0
fe=/local/domain/$domid/device/vif/0
states() { echo "$(xenstore-read "$be/state" 2>/dev/null)/$(xenstore-read "$fe/state" 2>/dev/null)"; }

if ! xd_guest_wait "$g" XDP- 180 || grep -aq XDP-FAIL "$(glog)"; then
	bad attached "$(grep -a -A3 'XDP-' "$(glog)" | tr -d '\r' | head -n 5 | tr '\n' ' ')"
	xd_guest_dump "$g" 20
	xd_guest_destroy "$g"
	exit 0
fi
xd_pass attached
xd_info "frontend xdp-headroom: $(xenstore-read "$fe/xdp-headroom" 2>&1); backend feature-xdp-headroom: $(xenstore-read "$be/feature-xdp-headroom" 2>&1)"
if xd_wait_for 15 sh -c "[ \"\$(xenstore-read $be/state)/\$(xenstore-read $fe/state)\" = 4/4 ]"; then
	xd_pass states-attached
else
	bad states-attached "backend/frontend states $(states), want 4/4"
fi

count_v4() { tr -d '\r' <"$(glog)" | sed -n 's/^XDP-COUNT ipv4=\([0-9]*\) .*/\1/p' | tail -n 1; }
c0=$(count_v4)
if xd_ping_retry "$XD_STATE/xdp-ping.log" -c 5 -W 3 "$ip"; then
	xd_pass ping
else
	bad ping "$(tail -n 2 "$XD_STATE/xdp-ping.log" | tr '\n' ' '); $(xd_net_brief "$g")"
fi
# At least the 5 echo requests were IPv4 frames the program saw (the count is
# printed each second).
sleep 2
c1=$(count_v4)
if [ -n "$c1" ] && [ "$c1" -ge $((${c0:-0} + 5)) ]; then
	xd_pass xdp-ran
else
	bad xdp-ran "IPv4 frames counted by XDP: ${c0:-none} before 5 pings, ${c1:-none} after ($(grep -a XDP-COUNT "$(glog)" | tail -n 1 | tr -d '\r'))"
fi
if xd_ping_retry "$XD_STATE/xdp-ping.log" -c 3 -s 1400 -W 3 "$ip"; then
	xd_pass ping-large
else
	bad ping-large "$(tail -n 2 "$XD_STATE/xdp-ping.log" | tr '\n' ' ')"
fi

if xd_guest_wait "$g" XDP-DETACHED 90; then
	xd_pass detached
else
	bad detached "$(grep -a 'XDP-' "$(glog)" | tail -n 2 | tr -d '\r' | tr '\n' ' ')"
fi
if xd_wait_for 15 sh -c "[ \"\$(xenstore-read $be/state)/\$(xenstore-read $fe/state)\" = 4/4 ]"; then
	xd_pass states-detached
else
	bad states-detached "backend/frontend states $(states), want 4/4"
fi
if xd_ping_retry "$XD_STATE/xdp-ping.log" -c 3 -W 3 "$ip"; then
	xd_pass ping-after-detach
else
	bad ping-after-detach "$(tail -n 2 "$XD_STATE/xdp-ping.log" | tr '\n' ' '); $(xd_net_brief "$g")"
fi

# Ours reports the headroom changes on /dev/xen/netback.
if [ -e "$NBDEV" ]; then
	ev=$(timeout 5 "$XD_DIR/progs/xdctl" net events 2>&1 | awk -v v="vif$domid.0" '$3 == v && $4 == "xdp" { print $5 }' | tr '\n' ' ')
	if [ "$ev" = "headroom=256 headroom=0 " ]; then
		xd_pass events
	else
		xd_fail events "xdp events of vif$domid.0: '$ev', want headroom=256 then headroom=0"
	fi
else
	xd_skip events "no $NBDEV (in-tree netback)"
fi

if xd_guest_destroy "$g"; then
	xd_pass destroy
else
	xd_fail destroy "guest or its loop devices remain"
fi
