# shellcheck shell=bash
# Scenario: /dev/xen/blkback, the control device of our xen-blkback, driven by
# /xd/progs/xdctl, and online resize.
# xd-timeout: 600
#
# One guest; a 32 MiB loop disk hot-plugged as xvdc. Through xdctl: the device node
# (0600), the device list, the buffered event stream (add, connect), I/O limits measured
# in the guest (4 processes of O_DIRECT sequential reads: an IOPS limit, then a bytes per
# second limit set at runtime without reconnecting, then unlimited again), the statistics (throttling
# counted, the same request counts as sysfs), errors (unknown device: ENODEV; rate out of
# range: EINVAL); then the backing device grows (truncate + losetup -c) and the guest
# must see the new size (this part also runs against the in-tree module, which has online
# resize); a follower of the event stream started before sees resize, disconnect and
# remove as they happen; a non-blocking read of the stream returns. The limits are set to
# an eighth of what the guest reached unlimited just before (4 readers, O_DIRECT: under
# TCG a guest round trip takes tens of ms, so fixed figures would not fit every host),
# and must be met within 10 %; lifted, the guest must go faster than twice the limit
# again. The guest is steered
# through the phases by a mailbox: Dom0 writes a word into the disk's first sector
# through the backing file, the guest polls it with O_DIRECT reads (blkio -m).
# Against the in-tree module (no control device) the control checks are skipped.
g=bctl
X=/xd/progs/xdctl
B=/xd/progs/blkio
ctl=/dev/xen/blkback
impl=$(xd_module_impl xen-blkback)
xd_info "blkback-ctl: xen-blkback is $impl"
have_ctl=0
[ -c "$ctl" ] && have_ctl=1
# Readers in the guest; seconds per limited phase (the result includes the bucket's
# burst, a tenth of a second of the rate: 1-2 % over).
QD=4
SECS=8

follower=""
cleanup() {
	[ -z "$follower" ] || kill "$follower" 2>/dev/null
	xd_guest_destroy "$g" >/dev/null 2>&1
	[ -z "${loop:-}" ] || losetup -d "$loop" 2>/dev/null
	rm -f /tmp/xbc.img
}
ctl_checks="node list events-buffered limit-iops rate-iops limit-runtime rate-bps stats stats-sysfs unlimited errors-enodev errors-einval resize-event follow-disconnect follow-remove events-nonblock"
skip_ctl() { for c in $ctl_checks; do xd_skip "$c" "$1"; done; }
[ "$have_ctl" = 1 ] || skip_ctl "no $ctl (the in-tree xen-blkback has no control device)"
ctl_fail_all() { [ "$have_ctl" = 1 ] && for c in $ctl_checks; do xd_fail "$c" "$1"; done; }
mailbox() { printf '%-16s' "$1" | dd of=/tmp/xbc.img bs=16 count=1 conv=notrunc 2>/dev/null; }

truncate -s 32M /tmp/xbc.img
loop=$(losetup -f --show /tmp/xbc.img) || {
	xd_fail setup "losetup failed"
	exit 0
}

mkdir -p /tmp/xbc-payload
cat >/tmp/xbc-payload/run.sh <<EOF
i=0
while [ ! -b /dev/xvdc ] && [ \$i -lt 240 ]; do sleep 0.5; i=\$((i + 1)); done
size0=\$(cat /sys/block/xvdc/size)
echo "BC-DISK \$size0"
$B -m PHASE-P /dev/xvdc && $B -t 4 4096 /dev/xvdc $QD | sed 's/^/BC-P /'
$B -m PHASE-Q /dev/xvdc && $B -t 4 65536 /dev/xvdc $QD | sed 's/^/BC-Q /'
$B -m PHASE-A /dev/xvdc && $B -t $SECS 4096 /dev/xvdc $QD | sed 's/^/BC-A /'
$B -m PHASE-B /dev/xvdc && $B -t $SECS 65536 /dev/xvdc $QD | sed 's/^/BC-B /'
$B -m PHASE-C /dev/xvdc && $B -t 4 4096 /dev/xvdc $QD | sed 's/^/BC-C /'
# Dom0 grew the disk; our reads wake the backend, which tells blkfront.
i=0
while [ "\$(cat /sys/block/xvdc/size)" = "\$size0" ] && [ \$i -lt 120 ]; do
	$B -m PHASE-D /dev/xvdc; sleep 0.5; i=\$((i + 1))
done
echo "BC-SIZE \$(cat /sys/block/xvdc/size)"
echo "BC-DONE"
EOF
tar -cf /tmp/xbc-payload.tar -C /tmp/xbc-payload run.sh
if ! XD_GUEST_PAYLOAD=/tmp/xbc-payload.tar xd_guest_start "$g"; then
	xd_fail create "xl create failed"
	ctl_fail_all "no guest"
	cleanup
	exit 0
fi
domid=$(xl domid "$g" 2>/dev/null)
log=$(xd_guest_log "$g")
if ! xd_guest_wait "$g" GUEST-DISK- 120 ||
	! timeout 120 xl block-attach "$g" "$(xd_disk_spec xvdc rw "$loop")" >"$XD_STATE/bc-attach.log" 2>&1 ||
	! xd_guest_wait "$g" BC-DISK 120; then
	xd_fail attach "xvdc not attached: $(tail -n 3 "$XD_STATE/bc-attach.log" 2>/dev/null | tr '\n' ' ')"
	ctl_fail_all "no disk"
	xd_guest_dump "$g" 20
	cleanup
	exit 0
fi
xd_pass attach
devid=$(xenstore-list "/local/domain/0/backend/vbd/$domid" 2>/dev/null | while read -r d; do
	[ "$(xenstore-read "/local/domain/0/backend/vbd/$domid/$d/dev" 2>/dev/null)" = xvdc ] && echo "$d"
done)
dev=$domid.$devid
name=vbd-$domid-$devid
st=/sys/bus/xen-backend/devices/$name/statistics
# phase NAME: let the guest run phase NAME, print its BLKRATE line's field $2.
phase() {
	mailbox "PHASE-$1"
	xd_guest_wait "$g" "BC-$1 " 60 || return 1
	tr -d '\r' <"$log" | sed -n "s/^BC-$1 BLKRATE .*$2=\([0-9]*\).*/\1/p" | head -n 1
}
# within VALUE WANT: VALUE is within 10 % of WANT.
within() { [ -n "$1" ] && [ "$(($1 * 10))" -ge "$(($2 * 9))" ] && [ "$(($1 * 10))" -le "$(($2 * 11))" ]; }

if [ "$have_ctl" = 1 ]; then
	if [ "$(stat -c '%F %a' "$ctl")" = "character special file 600" ]; then
		xd_pass node
	else
		xd_fail node "$(stat -c '%F %a %U' "$ctl")"
	fi
	out=$($X blk list 2>&1)
	maj=$(stat -c %t "$loop")
	min=$(stat -c %T "$loop")
	if echo "$out" | grep -qE "^$name +$domid +$devid +Connected +1 +[0-9]+ +$maj:$min +65536 +connected,rw" &&
		echo "$out" | grep -qE "^vbd-$domid-51712 +$domid +51712 +Connected"; then
		xd_pass list
	else
		xd_fail list "$(xd__oneline "$out")"
	fi
	ev=$($X blk events 2>&1)
	if echo "$ev" | grep -qE "^[0-9]+ [0-9]+\.[0-9]{6} $name add domid=$domid devid=$devid$" &&
		echo "$ev" | grep -qE "^[0-9]+ [0-9.]+ $name connect queues=1 .*device=$maj:$min sectors=65536 mode=w$"; then
		xd_pass events-buffered
	else
		xd_fail events-buffered "$(xd__oneline "$(echo "$ev" | grep "$name")")"
	fi
fi

# ---- the limits, measured in the guest (unlimited against the in-tree module)
# An eighth of the unlimited rate, with a burst of half a second: the guest must get
# rate * seconds + burst within 10 % (a burst well above the backend thread's wake-up
# delay under TCG, so that no credit is lost while it sleeps).
p=$(phase P iops)
q=$(phase Q bps)
xd_info "unlimited: ${p:-?} IOPS (4 KiB), ${q:-?} B/s (64 KiB); $QD readers, O_DIRECT"
IOPS=$((${p:-0} / 8))
[ "$IOPS" -ge 4 ] || IOPS=4
IBURST=$((IOPS / 2))
BPS=$((${q:-0} / 8))
[ "$BPS" -ge 65536 ] || BPS=65536
BBURST=$((BPS / 2))
# expect PHASE FIELD RATE BURST: the guest's FIELD (ops or bytes) against RATE * its
# seconds + BURST; prints "got want".
expect() {
	local line got ms
	line=$(tr -d '\r' <"$log" | grep -a "^BC-$1 BLKRATE" | head -n 1)
	got=$(echo "$line" | sed -n "s/.* $2=\([0-9]*\).*/\1/p")
	ms=$(echo "$line" | sed -n 's/.* ms=\([0-9]*\).*/\1/p')
	echo "${got:-0} $(($3 * ${ms:-0} / 1000 + $4))"
}
if [ "$have_ctl" = 1 ]; then
	out=$($X blk limit "$dev" iops="$IOPS" iops_burst="$IBURST" 2>&1)
	if [ "$out" = "iops=$IOPS bps=0 iops_burst=$IBURST bps_burst=0" ]; then
		xd_pass limit-iops
	else
		xd_fail limit-iops "$(xd__oneline "$out")"
	fi
fi
a=$(phase A iops)
if [ "$have_ctl" = 1 ]; then
	# shellcheck disable=SC2046 # two numbers
	set -- $(expect A ops "$IOPS" "$IBURST")
	if within "$1" "$2"; then
		xd_pass rate-iops
	else
		xd_fail rate-iops "$1 requests where $2 were due ($IOPS/s, burst $IBURST)"
	fi
	# Changed while the guest stays connected.
	out=$($X blk limit "$name" bps="$BPS" bps_burst="$BBURST" 2>&1)
	if [ "$out" = "iops=0 bps=$BPS iops_burst=0 bps_burst=$BBURST" ] &&
		$X blk list | grep -qE "^$name .*connected,rw,discard,limited|^$name .*connected,rw,limited"; then
		xd_pass limit-runtime
	else
		xd_fail limit-runtime "$(xd__oneline "$out")"
	fi
fi
lim() { if [ "$have_ctl" = 1 ]; then echo "under a limit of $1"; else echo "(in-tree: no limit)"; fi; }
xd_info "phase A: ${a:-?} IOPS $(lim "$IOPS") (4 KiB)"
b=$(phase B bps)
xd_info "phase B: ${b:-?} B/s $(lim "$BPS") (64 KiB)"
if [ "$have_ctl" = 1 ]; then
	# shellcheck disable=SC2046 # two numbers
	set -- $(expect B bytes "$BPS" "$BBURST")
	if within "$1" "$2"; then
		xd_pass rate-bps
	else
		xd_fail rate-bps "$1 bytes where $2 were due ($BPS B/s, burst $BBURST)"
	fi
	s=$($X blk stats "$dev" 2>&1)
	v() { echo "$s" | sed -n "s/^$1 *//p"; }
	if [ "$(v throttled)" -gt 10 ] 2>/dev/null && [ "$(v throttle_ns)" -gt 1000000000 ] &&
		[ "$(v rd_req)" -gt 40 ] && [ "$(v violations)" = 0 ] && [ "$(v inflight)" -le 1 ]; then
		xd_pass stats
	else
		xd_fail stats "$(xd__oneline "$s")"
	fi
	# The same counters as sysfs (the guest polls the mailbox meanwhile: a few apart).
	d=$(($(cat "$st/rd_req") - $(v rd_req)))
	if [ "$d" -ge 0 ] && [ "$d" -le 30 ]; then
		xd_pass stats-sysfs
	else
		xd_fail stats-sysfs "sysfs rd_req $(cat "$st/rd_req"), control device $(v rd_req)"
	fi
	$X blk limit "$dev" iops=0 >/dev/null
fi
c=$(phase C iops)
xd_info "phase C: ${c:-?} IOPS (unlimited)"
if [ "$have_ctl" = 1 ]; then
	if [ -n "$c" ] && [ "${c%%.*}" -gt $((IOPS * 2)) ]; then
		xd_pass unlimited
	else
		xd_fail unlimited "measured ${c:-nothing} IOPS after the limit was lifted"
	fi
	out=$($X blk stats 999.51712 2>&1)
	rc=$?
	if [ "$rc" = 1 ] && echo "$out" | grep -q ENODEV; then
		xd_pass errors-enodev
	else
		xd_fail errors-enodev "rc $rc: $(xd__oneline "$out")"
	fi
	out=$($X blk limit "$dev" iops=20000000000 2>&1)
	rc=$?
	if [ "$rc" = 1 ] && echo "$out" | grep -q EINVAL; then
		xd_pass errors-einval
	else
		xd_fail errors-einval "rc $rc: $(xd__oneline "$out")"
	fi
	$X blk events -f >/tmp/xbc-follow.log 2>&1 &
	follower=$!
fi

# ---- online resize: 32 MiB -> 48 MiB
truncate -s 48M /tmp/xbc.img
losetup -c "$loop"
mailbox PHASE-D
if xd_guest_wait "$g" BC-DONE 90 && [ "$(tr -d '\r' <"$log" | sed -n 's/^BC-SIZE //p')" = 98304 ]; then
	xd_pass resize
else
	xd_fail resize "the guest sees $(tr -d '\r' <"$log" | sed -n 's/^BC-SIZE //p') sectors, not 98304"
fi
if [ "$have_ctl" = 1 ]; then
	if grep -qE "^[0-9]+ [0-9.]+ $name resize old=65536 new=98304$" /tmp/xbc-follow.log; then
		xd_pass resize-event
	else
		xd_fail resize-event "$(xd__oneline "$(cat /tmp/xbc-follow.log)")"
	fi
fi

# ---- detach: the follower sees the device go
timeout 120 xl block-detach "$g" xvdc >"$XD_STATE/bc-detach.log" 2>&1 || xd_info "block-detach: $(tail -n 2 "$XD_STATE/bc-detach.log")"
if [ "$have_ctl" = 1 ]; then
	xd_wait_for 30 grep -q " $name remove" /tmp/xbc-follow.log
	if grep -qE "^[0-9]+ [0-9.]+ $name disconnect$" /tmp/xbc-follow.log; then
		xd_pass follow-disconnect
	else
		xd_fail follow-disconnect "$(xd__oneline "$(cat /tmp/xbc-follow.log)")"
	fi
	if grep -qE "^[0-9]+ [0-9.]+ $name remove$" /tmp/xbc-follow.log; then
		xd_pass follow-remove
	else
		xd_fail follow-remove "$(xd__oneline "$(cat /tmp/xbc-follow.log)")"
	fi
	timeout 10 $X blk events >/tmp/xbc-events.log 2>&1
	rc=$?
	if [ "$rc" = 0 ] && grep -q " $name remove" /tmp/xbc-events.log; then
		xd_pass events-nonblock
	else
		xd_fail events-nonblock "rc $rc (124: it blocked)"
	fi
	xd_info "events: $(xd__oneline "$(grep " $name " /tmp/xbc-events.log)")"
fi
cleanup
