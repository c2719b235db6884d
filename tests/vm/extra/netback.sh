# shellcheck shell=bash
# Scenario: the network backend (xen-netback: ours or the in-tree one) with the
# stock xen-netfront in a 2-vCPU guest: IPv4 and IPv6 ping, TCP and UDP bulk
# transfers in both directions with every byte verified (tests/progs/netbulk),
# MTU 1500 and 9000, network-attach/detach on the running guest, the guest
# destroyed under traffic, then rmmod/modprobe of xen-netback.
# xd-timeout: 420
g=nb
NB=/xd/progs/netbulk
TCP_BYTES=${XD_NB_TCP_BYTES:-8000000}
UDP_COUNT=${XD_NB_UDP_COUNT:-400}
glog() { xd_guest_log "$g"; }

checks="create guest-ready ping4 ping6 tcp-g2d udp-g2d tcp-d2g udp-d2g mtu9000-ping mtu9000-tcp attach detach after-detach-ping destroy-under-traffic vif-gone rmmod modprobe"
nofail() { for c in $checks; do xd_fail "$c" "$1"; done; }

info=$(xd_module_impl xen-netback)
srcv=$(cat /sys/module/xen_netback/srcversion 2>/dev/null)
xd_info "xen-netback served by: $info ($srcv)"

ip -6 addr add 2001:db8:9::1/64 dev xenbr0 nodad 2>/dev/null

# Guest side: receivers in the background, then its senders to Dom0.
mkdir -p /tmp/xd-nb
cat >/tmp/xd-nb/run.sh <<EOS
ip4=\$(ip -4 addr show dev eth0 | sed -n 's/.*inet \([0-9.]*\).*/\1/p')
ip -6 addr add 2001:db8:9::\${ip4##*.}/64 dev eth0 nodad 2>/dev/null ||
	ip -6 addr add 2001:db8:9::\${ip4##*.}/64 dev eth0 || echo "GUEST-IPV6-FAIL"
ip link set eth0 mtu 9000 || echo "GUEST-MTU-FAIL"
$NB tcp-recv tcp-d2g 6003 $TCP_BYTES 13 400 &
$NB udp-recv udp-d2g 6004 $UDP_COUNT 1400 14 400 &
$NB tcp-recv mtu9000-tcp 6005 $TCP_BYTES 15 400 &
$NB tcp-recv sink 6006 4000000000 16 400 >/dev/null &
sleep 1
$NB tcp-send tcp-g2d-send 192.0.2.1 6001 $TCP_BYTES 11
$NB udp-send udp-g2d-send 2001:db8:9::1 6002 $UDP_COUNT 1400 12
EOS
tar -cf /tmp/xd-nb.tar -C /tmp/xd-nb run.sh

# Dom0 receivers for the guest's senders.
$NB tcp-recv tcp-g2d 6001 "$TCP_BYTES" 11 300 >"$XD_STATE/nb-tcp-g2d.log" 2>&1 &
p1=$!
$NB udp-recv udp-g2d 6002 "$UDP_COUNT" 1400 12 300 >"$XD_STATE/nb-udp-g2d.log" 2>&1 &
p2=$!

if XD_GUEST_PAYLOAD=/tmp/xd-nb.tar xd_guest_start "$g" 'vcpus = 2'; then
	xd_pass create
else
	nofail "xl create failed"
	kill $p1 $p2 2>/dev/null
	xd_guest_destroy "$g"
	exit 0
fi
domid=$(xl domid "$g" 2>/dev/null)
vif=vif$domid.0
ip=$(xd_guest_ip "$g")
ip6=2001:db8:9::${ip##*.}

if xd_guest_wait "$g" GUEST-READY 240; then
	xd_pass guest-ready
else
	xd_fail guest-ready "no GUEST-READY: $(grep -a GUEST- "$(glog)" | tr -d '\r' | tr '\n' ' ')"
fi
xd_info "queues of $vif: $(ls /sys/class/net/$vif/queues 2>/dev/null | tr '\n' ' ')"

# Ping over IPv4 and IPv6.
ping_ok() { for _ in 1 2 3 4 5; do xd_ping "$@" >"$XD_STATE/nb-ping.log" 2>&1 && return 0; sleep 2; done; return 1; }
if ping_ok -c 3 -W 3 "$ip"; then xd_pass ping4; else xd_fail ping4 "$(tail -n 2 "$XD_STATE/nb-ping.log" | tr '\n' ' ')"; fi
if ping_ok -6 -c 3 -W 3 "$ip6"; then xd_pass ping6; else xd_fail ping6 "$(tail -n 2 "$XD_STATE/nb-ping.log" | tr '\n' ' ')"; fi

# Guest -> Dom0: TCP over IPv4, UDP over IPv6, verified in Dom0.
for c in tcp-g2d:$p1 udp-g2d:$p2; do
	n=${c%%:*}
	xd_wait_for 300 sh -c "! kill -0 ${c##*:} 2>/dev/null"
	if grep -q "^PASS $n " "$XD_STATE/nb-$n.log"; then
		xd_pass "$n"
		xd_info "$(grep "^PASS" "$XD_STATE/nb-$n.log")"
	else
		xd_fail "$n" "$(grep -v INFO "$XD_STATE/nb-$n.log" | tr '\n' ' ')"
	fi
done

# Dom0 -> guest, verified in the guest (result on its console).
guest_result() {
	if xd_guest_wait "$g" "PASS $1 " "$2"; then
		xd_pass "$1"
		xd_info "$(grep -a "PASS $1 " "$(glog)" | tr -d '\r')"
	else
		xd_fail "$1" "$(grep -a -E "(FAIL|INFO) $1" "$(glog)" | tr -d '\r' | tr '\n' ' ') ${3:-}"
	fi
}
out=$($NB tcp-send tcp-d2g-send "$ip" 6003 "$TCP_BYTES" 13 2>&1)
guest_result tcp-d2g 120 "$out"
out=$($NB udp-send udp-d2g-send "$ip6" 6004 "$UDP_COUNT" 1400 14 2>&1)
guest_result udp-d2g 60 "$out"

# MTU 9000: the bridge follows its only port; a jumbo ping must cross as
# one frame each way (a 1500 path would fragment it into 6).
ip link set "$vif" mtu 9000 && ip link set xenbr0 mtu 9000
tx0=$(cat "/sys/class/net/$vif/statistics/tx_packets")
rx0=$(cat "/sys/class/net/$vif/statistics/rx_packets")
if ping_ok -c 5 -W 5 -s 8900 "$ip"; then
	dtx=$(($(cat "/sys/class/net/$vif/statistics/tx_packets") - tx0))
	drx=$(($(cat "/sys/class/net/$vif/statistics/rx_packets") - rx0))
	if [ "$dtx" -le 12 ] && [ "$drx" -le 12 ]; then
		xd_pass mtu9000-ping
	else
		xd_fail mtu9000-ping "fragmented: $dtx frames to, $drx from the guest for 5 pings"
	fi
else
	xd_fail mtu9000-ping "no reply to 8900-byte pings: $(tail -n 2 "$XD_STATE/nb-ping.log" | tr '\n' ' ')"
fi
out=$($NB tcp-send mtu9000-send "$ip" 6005 "$TCP_BYTES" 15 2>&1)
guest_result mtu9000-tcp 120 "$out"
ip link set "$vif" mtu 1500 2>/dev/null
ip link set xenbr0 mtu 1500 2>/dev/null

# network-attach / network-detach on the running guest.
be=/local/domain/0/backend/vif/$domid/1
if timeout 90 xl network-attach "$g" bridge=xenbr0 mac=00:16:3e:00:01:01 >"$XD_STATE/nb-attach.log" 2>&1 &&
	xd_wait_for 60 sh -c "[ \"\$(xenstore-read $be/state 2>/dev/null)\" = 4 ] && [ -e /sys/class/net/vif$domid.1 ]"; then
	xd_pass attach
else
	xd_fail attach "state $(xenstore-read "$be/state" 2>&1), $(tr '\n' ' ' <"$XD_STATE/nb-attach.log")"
fi
if timeout 90 xl network-detach "$g" 1 >"$XD_STATE/nb-detach.log" 2>&1 &&
	xd_wait_for 30 sh -c "! xenstore-read $be/state >/dev/null 2>&1 && [ ! -e /sys/class/net/vif$domid.1 ]"; then
	xd_pass detach
else
	xd_fail detach "$(tr '\n' ' ' <"$XD_STATE/nb-detach.log"); backend $(xenstore-read "$be/state" 2>&1)"
fi
if ping_ok -c 3 -W 3 "$ip"; then xd_pass after-detach-ping; else xd_fail after-detach-ping "$(tail -n 2 "$XD_STATE/nb-ping.log" | tr '\n' ' ')"; fi

# The guest destroyed in the middle of a transfer to it.
$NB tcp-send sink-send "$ip" 6006 4000000000 16 >/dev/null 2>&1 &
ps=$!
sleep 5
if xd_guest_destroy "$g"; then
	xd_pass destroy-under-traffic
else
	xd_fail destroy-under-traffic "xl destroy did not complete"
fi
kill $ps 2>/dev/null
wait $ps 2>/dev/null
if xd_wait_for 30 sh -c "[ ! -e /sys/class/net/$vif ] && ! xenstore-ls /local/domain/0/backend/vif/$domid >/dev/null 2>&1"; then
	xd_pass vif-gone
else
	xd_fail vif-gone "$vif or its backend directory remain"
fi

# Nothing holds the module any more.
if ! grep -q '^xen_netback ' /proc/modules; then
	xd_skip rmmod "xen-netback is not a loaded module ($info)"
	xd_skip modprobe "xen-netback is not a loaded module"
elif xd_wait_for 20 rmmod xen-netback 2>"$XD_STATE/nb-rmmod.log"; then
	xd_pass rmmod
	if modprobe xen-netback && [ "$(cat /sys/module/xen_netback/srcversion 2>/dev/null)" = "$srcv" ]; then
		xd_pass modprobe
	else
		xd_fail modprobe "reload failed or another module: $(modinfo -F filename xen-netback 2>&1)"
	fi
else
	xd_fail rmmod "$(cat "$XD_STATE/nb-rmmod.log"); $(grep '^xen_netback ' /proc/modules)"
	xd_skip modprobe "not unloaded"
fi
ip -6 addr del 2001:db8:9::1/64 dev xenbr0 2>/dev/null
[ -s "$XD_STATE/failed" ] && xd_guest_dump "$g"
exit 0
