# shellcheck shell=bash
# Scenario: the network backend (xen-netback: ours or the in-tree one) with the
# stock xen-netfront in a 2-vCPU guest: IPv4 and IPv6 ping, TCP and UDP bulk
# transfers in both directions with every byte verified (tests/progs/netbulk),
# MTU 1500 and 9000, network-attach/detach on the running guest, the guest
# destroyed under traffic, then rmmod/modprobe of xen-netback.
# xd-timeout: 900
g=nb
NB=/xd/progs/netbulk
TCP_BYTES=${XD_NB_TCP_BYTES:-3000000}
UDP_COUNT=${XD_NB_UDP_COUNT:-400}
XD_NB_DIAG=${XD_NB_DIAG-1}
glog() { xd_guest_log "$g"; }
# Diagnostics: the vif's event counts, counters and kernel messages.
diag() {
	grep -E "$vif" /proc/interrupts | sed 's/^/Dom0 /'
	ip -s link show "$vif"
	dmesg | grep -E 'vif|netback' | tail -n 20
	grep -a GUEST-DIAG "$(glog)" | tail -n 8
}

MQ_FLOWS=${XD_NB_MQ_FLOWS:-12}
MQ_BYTES=${XD_NB_MQ_BYTES:-150000}
# A queue that carried flows has many events; one that did not has at most
# the frontend's kick at connect and a few stray packets.
MQ_MIN_EVENTS=10
checks="create guest-ready queues ping4 ping6 tcp-g2d udp-g2d mq-g2d tcp-d2g udp-d2g mq-d2g queues-g2d queues-d2g mtu9000-ping mtu9000-tcp attach detach after-detach-ping destroy-under-traffic vif-gone rmmod modprobe"
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
# Many short flows Dom0 -> guest: the hashes spread them over the queues.
(
	i=0
	while [ \$i -lt $MQ_FLOWS ]; do
		$NB tcp-recv mq-d2g-\$i \$((6100 + i)) $MQ_BYTES \$((100 + i)) 500 &
		i=\$((i + 1))
	done
	wait
	echo "GUEST-MQ-RECV-DONE"
	grep -E -- '-q[0-9]+-(rx|tx)' /proc/interrupts | sed 's/^/GUEST-IRQ /'
	echo "GUEST-IRQ-END"
) &
# The senders to Dom0 in the background too: GUEST-READY comes at once.
(
	# Dom0 reachable over both families first (bridge port forwarding,
	# neighbour discovery), or the first connect can fail at once.
$(xd_sh_wait_ping 60 break 192.0.2.1 2001:db8:9::1)
	$NB tcp-send tcp-g2d-send 192.0.2.1 6001 $TCP_BYTES 11
	$NB udp-send udp-g2d-send 2001:db8:9::1 6002 $UDP_COUNT 1400 12
	i=0
	while [ \$i -lt $MQ_FLOWS ]; do
		$NB tcp-send mq-g2d-send-\$i 192.0.2.1 \$((6200 + i)) $MQ_BYTES \$((200 + i))
		i=\$((i + 1))
	done
	echo "GUEST-SEND-DONE"
) &
if [ -n "$XD_NB_DIAG" ]; then
	(
		while sleep 20; do
			grep -E -- 'eth0|-q[0-9]+-(rx|tx)' /proc/interrupts /proc/net/dev | sed 's/^/GUEST-DIAG /'
		done
	) &
fi
EOS
tar -cf /tmp/xd-nb.tar -C /tmp/xd-nb run.sh

# Dom0 receivers for the guest's senders.
$NB tcp-recv tcp-g2d 6001 "$TCP_BYTES" 11 300 >"$XD_STATE/nb-tcp-g2d.log" 2>&1 &
p1=$!
$NB udp-recv udp-g2d 6002 "$UDP_COUNT" 1400 12 300 >"$XD_STATE/nb-udp-g2d.log" 2>&1 &
p2=$!
mqp=""
i=0
while [ $i -lt "$MQ_FLOWS" ]; do
	$NB tcp-recv mq-g2d-$i $((6200 + i)) "$MQ_BYTES" $((200 + i)) 400 >"$XD_STATE/nb-mq-g2d-$i.log" 2>&1 &
	mqp="$mqp $!"
	i=$((i + 1))
done

# Events per queue and direction, summed over the CPUs: "NAME COUNT" for
# the /proc/interrupts lines whose name matches $1.
irq_counts() {
	awk -v pat="$1" 'NR == 1 { n = NF; next }
		$NF ~ pat { s = 0; for (i = 2; i <= n + 1; i++) s += $i; print $NF, s }' /proc/interrupts
}
irq_count() { irq_counts "$1" | awk -v name="$2" '$1 == name { print $2; f = 1 } END { if (!f) print 0 }'; }

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
nq=0
for d in /sys/class/net/"$vif"/queues/tx-*; do [ -e "$d" ] && nq=$((nq + 1)); done
xd_info "queues of $vif: $(cd /sys/class/net/"$vif"/queues 2>/dev/null && echo *)"
if [ "$nq" -ge 2 ]; then
	xd_pass queues
else
	xd_fail queues "$vif has $nq transmit queue(s), want 2 (2-vCPU guest and Dom0)"
fi

# Ping over IPv4 and IPv6.
ping_ok() { for _ in 1 2 3 4 5; do xd_ping "$@" >"$XD_STATE/nb-ping.log" 2>&1 && return 0; sleep 2; done; return 1; }
if ping_ok -c 3 -W 3 "$ip"; then xd_pass ping4; else xd_fail ping4 "$(tail -n 2 "$XD_STATE/nb-ping.log" | tr '\n' ' ')"; fi
if ping_ok -6 -c 3 -W 3 "$ip6"; then xd_pass ping6; else xd_fail ping6 "$(tail -n 2 "$XD_STATE/nb-ping.log" | tr '\n' ' ')"; fi

[ -s "$XD_STATE/failed" ] && diag | tr -d '\r' | while read -r line; do xd_info "diag: $line"; done

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

# Many guest -> Dom0 flows, every byte verified; then each queue must have
# carried some of them (events of its transmit channel).
for pid in $mqp; do
	xd_wait_for 300 sh -c "! kill -0 $pid 2>/dev/null"
done
bad=""
i=0
while [ $i -lt "$MQ_FLOWS" ]; do
	grep -q "^PASS mq-g2d-$i " "$XD_STATE/nb-mq-g2d-$i.log" ||
		bad="$bad $(grep -v INFO "$XD_STATE/nb-mq-g2d-$i.log" | tr '\n' ' ')"
	i=$((i + 1))
done
if [ -z "$bad" ]; then
	xd_pass mq-g2d
else
	xd_fail mq-g2d "$bad"
fi
irq_counts "$vif-q" | while read -r n c; do xd_info "Dom0 events $n: $c"; done
bad=""
q=0
while [ $q -lt "$nq" ]; do
	c=$(irq_count "$vif-q" "$vif-q$q-tx")
	[ "$c" -ge "$MQ_MIN_EVENTS" ] || bad="$bad q$q:$c"
	q=$((q + 1))
done
if [ "$nq" -ge 2 ] && [ -z "$bad" ]; then
	xd_pass queues-g2d
else
	xd_fail queues-g2d "$nq queue(s); transmit events per queue in Dom0:$bad"
fi

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

# Many Dom0 -> guest flows (one socket each, so each gets its own hash and
# queue), every byte verified in the guest; then each of the guest's
# receive channels must have had events.
out=""
i=0
while [ $i -lt "$MQ_FLOWS" ]; do
	out="$out $($NB tcp-send mq-d2g-send-$i "$ip" $((6100 + i)) "$MQ_BYTES" $((100 + i)) 2>&1 | grep -v '^PASS')"
	i=$((i + 1))
done
if xd_guest_wait "$g" GUEST-IRQ-END 120; then
	bad=$(grep -a -E "FAIL mq-d2g-" "$(glog)" | tr -d '\r' | tr '\n' ' ')
	n=$(grep -a -c -E "PASS mq-d2g-" "$(glog)")
	if [ -z "$bad" ] && [ "$n" -eq "$MQ_FLOWS" ]; then
		xd_pass mq-d2g
	else
		xd_fail mq-d2g "$n of $MQ_FLOWS flows verified: $bad $out"
	fi
	grep -a 'GUEST-IRQ .*-q[0-9]' "$(glog)" | tr -d '\r' | while read -r line; do xd_info "guest ${line#GUEST-IRQ }"; done
	bad=""
	q=0
	while [ $q -lt "$nq" ]; do
		c=$(grep -a -E "GUEST-IRQ .*-q$q-rx" "$(glog)" | tr -d '\r' |
			awk '{ s = 0; for (i = 3; i <= NF; i++) if ($i ~ /^[0-9]+$/) s += $i; print s; exit }')
		[ "${c:-0}" -ge "$MQ_MIN_EVENTS" ] || bad="$bad q$q:${c:-none}"
		q=$((q + 1))
	done
	if [ "$nq" -ge 2 ] && [ -z "$bad" ]; then
		xd_pass queues-d2g
	else
		xd_fail queues-d2g "$nq queue(s); receive events per queue in the guest:$bad"
	fi
else
	xd_fail mq-d2g "the guest's receivers did not finish: $(grep -a -E "(FAIL|PASS) mq-d2g" "$(glog)" | tr -d '\r' | tr '\n' ' ') $out"
	xd_fail queues-d2g "no event counts from the guest"
fi

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

# network-attach / network-detach on the running guest.  The second vif
# uses the lean hotplug script tests/vm/vif-script (/xd/vif-script).
vifscript=$XD_DIR/vif-script
be=/local/domain/0/backend/vif/$domid/1
if timeout 90 xl network-attach "$g" bridge=xenbr0 mac=00:16:3e:00:01:01 script="$vifscript" >"$XD_STATE/nb-attach.log" 2>&1 &&
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
if [ -s "$XD_STATE/failed" ]; then
	xd_guest_dump "$g"
	dmesg | grep -E 'vif|netback' | tail -n 40 | sed 's/^/  dmesg> /'
fi
exit 0
