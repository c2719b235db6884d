# shellcheck shell=bash
# Extra scenario: three guests at once, each with four data disks (xen-blkback with the
# stock xen-blkfront), data verified per disk with distinct patterns.
# xd-timeout: 900
#
# Guests bm1..bm3 (128 MiB each) get, besides the harness' xvda and payload xvdb, four
# loop-backed 8 MiB disks xvdc..xvdf at xl create. Each guest waits for a "go" that Dom0
# writes into the first sector of its xvda backing file (blkio -m), then runs rounds:
# the four disks written in parallel with a pattern of its own (tests/progs/blkpat, seed
# = guest number * 1000 + disk * 100 + round, O_DIRECT) and read back, until Dom0 writes
# "stop" (after every guest finished a round: so all guests were doing I/O at the same
# time). Cross-talk between guests, disks or rounds would show as wrong data in the
# guest, and Dom0 checks each backing device has its guest's last pattern. Then the
# guests are destroyed, no domain stays behind, and xen-blkback unloads.
# Run by name: scripts/vm/run.sh KVER IMPL blkback-multi
impl=$(xd_module_impl xen-blkback)
xd_info "blkback-multi: xen-blkback is $impl"
P=$XD_DIR/progs/blkpat
GUESTS="bm1 bm2 bm3"
DISKS="xvdc xvdd xvde xvdf"
MIB=8
M_LOOPS=""

cleanup() {
	local g l
	for g in $GUESTS; do xd_guest_destroy "$g" >/dev/null 2>&1; done
	for l in $M_LOOPS; do losetup -d "$l" 2>/dev/null; done
	rm -f /tmp/xbm-*.img
}
# mailbox WORD GUEST: WORD at the start of the guest's xvda (read by blkio -m / dd there)
mailbox() { printf '%s' "$1" | dd of="/tmp/xd-guest-$2.img" conv=notrunc 2>/dev/null; }

mkdir -p /tmp/xbm-payload
cat >/tmp/xbm-payload/run.sh <<'EOF'
ID=$(sed -n 's/.*xd\.id=\([0-9]*\).*/\1/p' /proc/cmdline)
i=0
while [ ! -b /dev/xvdf ] && [ $i -lt 240 ]; do sleep 0.5; i=$((i + 1)); done
echo "BLKM-DISKS $(ls /dev/xvd* | tr '\n' ' ')"
echo "BLKM-WAIT"
if ! /xd/progs/blkio -m XBM-GO /dev/xvda; then
	echo "BLKM-NOGO"
	exit 1
fi
echo "BLKM-GO"
r=0
while [ $r -lt 40 ]; do
	r=$((r + 1))
	n=0
	for d in c d e f; do
		n=$((n + 1))
		(
			out=$(timeout 300 /xd/progs/blkpat w $((ID * 1000 + n * 100 + r)) /dev/xvd$d 0 MIBKIB 2>&1)
			rc=$?
			echo "BLKM $r xvd$d $rc $out" >/tmp/res.$d
		) &
	done
	wait
	cat /tmp/res.c /tmp/res.d /tmp/res.e /tmp/res.f
	echo "BLKM-ROUND $r"
	[ "$(dd if=/dev/xvda bs=512 count=1 iflag=direct 2>/dev/null | head -c 8)" != XBM-STOP ] || break
done
n=0
for d in c d e f; do
	n=$((n + 1))
	out=$(timeout 300 /xd/progs/blkpat r $((ID * 1000 + n * 100 + r)) /dev/xvd$d 0 MIBKIB 2>&1)
	echo "BLKM-FINAL $r xvd$d $? $out"
done
echo "BLKM-DONE $r"
EOF
sed -i "s/MIBKIB/$((MIB * 1024))/g" /tmp/xbm-payload/run.sh
tar -cf /tmp/xbm-payload.tar -C /tmp/xbm-payload run.sh

# ---- three guests, each with four more disks
t0=$(date +%s)
for g in $GUESTS; do
	disks=""
	for d in $DISKS; do
		truncate -s "${MIB}M" "/tmp/xbm-$g-$d.img"
		l=$(losetup -f --show "/tmp/xbm-$g-$d.img") || break
		M_LOOPS="$M_LOOPS $l"
		disks="$disks${disks:+, }'$(xd_disk_spec "$d" rw "$l")'"
	done
	if XD_GUEST_DISK_MB=16 XD_GUEST_PAYLOAD=/tmp/xbm-payload.tar XD_GUEST_DISKS="$disks" \
		xd_guest_start "$g" 'memory = 128'; then
		xd_pass "create-$g"
	else
		xd_fail "create-$g" "xl create failed: $(grep -a error "$XD_STATE/guest-$g.create.log" | tail -n 3)"
		cleanup
		exit 0
	fi
done
xd_info "3 guests created in $(($(date +%s) - t0)) s"

# ---- all waiting for the go, all running: go
for g in $GUESTS; do
	if ! xd_guest_wait "$g" BLKM-WAIT 240; then
		xd_fail "ready-$g" "guest $g did not get its disks: $(grep -a -E 'BLKM|GUEST-' "$(xd_guest_log "$g")" | tail -n 4 | tr -d '\r' | tr '\n' ' ')"
		xd_guest_dump "$g" 30
		cleanup
		exit 0
	fi
	n=$(tr -d '\r' <"$(xd_guest_log "$g")" | sed -n 's/^BLKM-DISKS //p')
	xd_info "guest $g ready: $n"
done
xd_info "3 guests ready $(($(date +%s) - t0)) s after the first xl create"
running=$(xl list 2>/dev/null | awk 'NR > 1 && $1 ~ /^bm[123]$/' | wc -l)
if [ "$running" -eq 3 ]; then
	xd_pass all-running
else
	xd_fail all-running "$running of 3 guests in xl list"
fi
for g in $GUESTS; do mailbox XBM-GO "$g"; done
t1=$(date +%s)

# ---- stop once every guest has completed a round (the others are then still going)
ok=1
for g in $GUESTS; do
	xd_guest_wait "$g" "BLKM-ROUND 1" 300 || {
		ok=0
		xd_fail "round-$g" "no round completed: $(grep -a BLKM "$(xd_guest_log "$g")" | tail -n 3 | tr -d '\r' | tr '\n' ' ')"
	}
done
early=""
for g in $GUESTS; do grep -q BLKM-DONE "$(xd_guest_log "$g")" && early="$early $g"; done
for g in $GUESTS; do mailbox XBM-STOP "$g"; done
xd_info "stop written $(($(date +%s) - t1)) s after go"
if [ "$ok" = 1 ] && [ -z "$early" ]; then
	xd_pass concurrent
else
	xd_fail concurrent "guests done before every guest had finished a round:${early:- (none; a guest did not finish a round)}"
fi
for g in $GUESTS; do
	xd_guest_wait "$g" BLKM-DONE 300 || xd_fail "done-$g" "guest did not finish: $(grep -a BLKM "$(xd_guest_log "$g")" | tail -n 3 | tr -d '\r' | tr '\n' ' ')"
done
xd_info "I/O phase: $(($(date +%s) - t1)) s"

# ---- results per guest and disk: every round right, the final read right, the backing
# device holds the guest's last pattern
for g in $GUESTS; do
	log=$(tr -d '\r' <"$(xd_guest_log "$g")")
	id=$(cat "$XD_STATE/guest-$g.id")
	last=$(printf '%s\n' "$log" | sed -n 's/^BLKM-DONE //p' | head -n 1)
	xd_info "guest $g (id $id): ${last:-?} rounds"
	n=0
	for d in $DISKS; do
		n=$((n + 1))
		rounds=$(printf '%s\n' "$log" | awk -v d="$d" '$1 == "BLKM" && $3 == d' | wc -l)
		bad=$(printf '%s\n' "$log" | awk -v d="$d" '$1 == "BLKM" && $3 == d && $4 != 0' | head -n 2 | tr '\n' ' ')
		if [ "$rounds" -ge 1 ] && [ -z "$bad" ]; then
			xd_pass "io-$g-$d"
		else
			xd_fail "io-$g-$d" "$rounds rounds, failed: ${bad:-none}"
		fi
		fin=$(printf '%s\n' "$log" | awk -v d="$d" '$1 == "BLKM-FINAL" && $3 == d')
		# shellcheck disable=SC2086 # split on purpose
		set -- $fin
		if [ "${4:-}" = 0 ]; then
			xd_pass "final-$g-$d"
		else
			xd_fail "final-$g-$d" "${fin:-no final read}"
		fi
		l=$(losetup -j "/tmp/xbm-$g-$d.img" | cut -d: -f1)
		seed=$((id * 1000 + n * 100 + ${last:-0}))
		if [ -n "$last" ] && out=$("$P" r "$seed" "$l" 0 $((MIB * 1024)) 2>&1); then
			xd_pass "backing-$g-$d"
		else
			xd_fail "backing-$g-$d" "seed $seed on $l: ${out:-?}"
		fi
	done
done

# ---- destroy all, nothing left, the module unloads
bad=""
t1=$(date +%s)
for g in $GUESTS; do xd_guest_destroy "$g" || bad="$bad $g"; done
xd_info "destroy of the 3 guests: $(($(date +%s) - t1)) s"
if [ -z "$bad" ]; then
	xd_pass destroy
else
	xd_fail destroy "not cleanly destroyed:$bad"
fi
xd_domains_gone
for l in $M_LOOPS; do losetup -d "$l" 2>/dev/null; done
M_LOOPS=""
xd_module_cycle xen-blkback "$impl"
cleanup
xd_info "blkback-multi: $(($(date +%s) - t0)) s from the first xl create"
