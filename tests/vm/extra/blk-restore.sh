# shellcheck shell=bash
# Scenario: xl save / xl restore of a guest whose disk I/O keeps running,
# with the data verified before and after (issue 7, xen-blkback).
# xd-timeout: 900
#
# The guest's data disk xvdc is a device-mapper linear device over a loop
# device in Dom0 (dm tells whether somebody holds it open: its open count).
# In the guest a writer (shell loop over tests/progs/blkpat) writes records
# of R KiB one after the other, record N to slot (N-1) mod NS with the
# pattern of generation (N-1)/NS+1 (blkpat's pattern is a function of seed
# and block offset, so each record's content follows from its sequence
# number), reads each back (O_DIRECT), prints "BLKSEQ N", and every V records
# re-reads every record still on the disk ("BLKSEQ-VERIFY N ok").
# Each of XD_BR_ROUNDS (default 3) rounds: xl save while the writer runs;
# the domain must be gone (no dying domain: no grant left mapped), its
# backends gone (xenstore, sysfs, queue threads), the dm device closed, Xen's
# free memory back; Dom0 verifies on the dm device every record the guest
# reported before the save; xl restore: the backend connects again, the
# writer goes on (its counter advances) and the guest's next full verify,
# which covers records from before and after the save, passes.
# At the end: the guest destroyed, Dom0 verifies the disk once more, the
# dm device is closed, no domain is left, xen-blkback unloads and loads.
g=brs
st=$XD_STATE/blk-restore
mkdir -p "$st"
ROUNDS=${XD_BR_ROUNDS:-3}
R=128 # KiB per record
NS=128 # slots: a 16 MiB data disk
V=16 # the guest verifies everything every V records
DM=xbr-data
impl=$(xd_module_impl xen-blkback)
xd_info "blk-restore: xen-blkback is $impl ($(modinfo -F version xen-blkback 2>/dev/null || echo in-tree))"
step() { xd_info "blk-restore step $1 at $(cut -d' ' -f1 /proc/uptime)"; }

# The records LO..HI (at most NS of them) as "GEN OFF_KIB LEN_KIB" ranges,
# and their check with blkpat on DEV. Shared by Dom0 and the guest (its
# run.sh gets the same text).
SEQ_FUNCS=$(
	cat <<EOF
R=$R
NS=$NS
seq_ranges() {
	sr_lo=\$1
	while [ "\$sr_lo" -le "\$2" ]; do
		sr_g=\$(((sr_lo - 1) / NS + 1))
		sr_e=\$((sr_g * NS))
		[ "\$sr_e" -le "\$2" ] || sr_e=\$2
		echo "\$sr_g \$(((sr_lo - 1) % NS * R)) \$(((sr_e - sr_lo + 1) * R))"
		sr_lo=\$((sr_e + 1))
	done
}
seq_verify() {
	seq_ranges "\$2" "\$3" | while read -r sv_g sv_o sv_l; do
		/xd/progs/blkpat r "\$sv_g" "\$1" "\$sv_o" "\$sv_l" || exit 1
	done
}
EOF
)
eval "$SEQ_FUNCS"

dmdev=""
loop=""
cleanup() {
	xd_guest_destroy "$g" >/dev/null 2>&1
	[ -z "$dmdev" ] || dmsetup --noudevsync remove "$DM" >/dev/null 2>&1
	[ -z "$loop" ] || losetup -d "$loop" 2>/dev/null
	rm -f /tmp/xbr-data.img "$st/$g.save"
}
dm_open() { dmsetup info -c --noheadings -o open "$DM" 2>&1 | tr -d ' '; }
# The highest record number the guest reported (kernel messages may split a line).
last_seq() { grep -ao 'BLKSEQ [0-9][0-9]*' "$log" 2>/dev/null | awk '$2 > m {m = $2} END {print m + 0}'; }
last_verify() { grep -ao 'BLKSEQ-VERIFY [0-9][0-9]* ok' "$log" 2>/dev/null | awk '$2 > m {m = $2} END {print m + 0}'; }
xen_free() { xl info 2>/dev/null | awk '$1 == "free_memory" {print $3}'; }
secs() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN {printf "%.1f", b - a}'; }
vbd_state() { xenstore-read "/local/domain/0/backend/vbd/$1/51744/state" 2>/dev/null; }
# Conditions to wait for (xd_wait_for runs shell functions too).
seq_ge() { [ "$(last_seq)" -ge "$1" ]; }
verify_gt() { grep -aq BLKSEQ-VERIFY-FAIL "$log" || [ "$(last_verify)" -gt "$1" ]; }
dm_closed() { [ "$(dm_open)" = 0 ]; }
vbd_connected() { [ "$(vbd_state "$1")" = 4 ] && [ "$(dm_open)" -ge 1 ]; }
free_ge() { [ "$(xen_free)" -ge "$1" ]; }

# ---- the data disk: dm linear over a loop device over a sparse file
step setup
truncate -s $((R * NS))K /tmp/xbr-data.img
loop=$(losetup -f --show /tmp/xbr-data.img)
if [ -z "$loop" ] || ! modprobe dm-mod ||
	! dmsetup --noudevsync create "$DM" --table "0 $((R * NS * 2)) linear $loop 0" ||
	! dmsetup mknodes "$DM" >/dev/null 2>&1 || [ ! -b "/dev/mapper/$DM" ]; then
	xd_fail setup "loop '$loop', dm-mod or dmsetup create failed: $(dmsetup table 2>&1 | tr '\n' ';')"
	cleanup
	exit 0
fi
dmdev=/dev/mapper/$DM
xd_pass setup

# ---- the guest's payload: wait for xvdc, then the writer, forever
mkdir -p /tmp/xbr-payload
{
	echo "$SEQ_FUNCS"
	cat <<EOF
V=$V
EOF
	cat <<'EOF'
D=/dev/xvdc
i=0
while [ ! -b $D ] && [ $i -lt 120 ]; do sleep 0.5; i=$((i + 1)); done
echo "BLKSEQ-START $(blockdev --getsize64 $D 2>&1)"
n=0
while :; do
	n=$((n + 1))
	if ! out=$(/xd/progs/blkpat w $(((n - 1) / NS + 1)) $D $(((n - 1) % NS * R)) $R 2>&1); then
		echo "BLKSEQ-FAIL $n $out"
		break
	fi
	echo "BLKSEQ $n"
	if [ $((n % V)) -eq 0 ]; then
		lo=$((n - NS + 1))
		[ $lo -ge 1 ] || lo=1
		if out=$(seq_verify $D $lo $n 2>&1); then
			echo "BLKSEQ-VERIFY $n ok records $lo-$n"
		else
			echo "BLKSEQ-VERIFY-FAIL $n records $lo-$n: $(echo "$out" | grep -v ' ok$' | head -n 2)"
		fi
	fi
done
EOF
} >/tmp/xbr-payload/run.sh
tar -cf /tmp/xbr-payload.tar -C /tmp/xbr-payload run.sh

# ---- the guest: 128 MiB (less to save), no vif (nothing to hot-plug again
# at each restore: this is about the disk)
step create
free0=$(xen_free)
if ! XD_GUEST_PAYLOAD=/tmp/xbr-payload.tar XD_GUEST_DISKS="'$(xd_disk_spec xvdc rw "$dmdev")'" \
	xd_guest_start "$g" "memory = 128" "vif = []"; then
	xd_fail create "xl create failed: $(grep -a error "$XD_STATE/guest-$g.create.log" | tail -n 3)"
	cleanup
	exit 0
fi
xd_pass create
log=$(xd_guest_log "$g")
domid=$(xl domid "$g")
if xd_wait_for 180 seq_ge 3; then
	xd_pass writer-started
	xd_info "$(grep -a BLKSEQ-START "$log" | tr -d '\r') after $(cut -d' ' -f1 /proc/uptime) s of Dom0 uptime"
else
	xd_fail writer-started "no BLKSEQ 3 from the guest: $(xd_guest_dump "$g" 10)"
	cleanup
	exit 0
fi
if vbd_connected "$domid" 2>/dev/null; then
	xd_pass connected
else
	xd_finding "$impl" connected "xvdc backend state '$(vbd_state "$domid")', dm open count '$(dm_open)'"
fi

for r in $(seq 1 "$ROUNDS"); do
	# The writer is under way (not between two records for long).
	n0=$(last_seq)
	if xd_wait_for 60 seq_ge $((n0 + 2)); then
		xd_pass "round$r/io-before-save"
	else
		xd_finding "$impl" "round$r/io-before-save" "the writer stays at record $n0"
	fi
	step "round$r-save"
	t0=$(date +%s.%N)
	if timeout 120 xl save "$g" "$st/$g.save" >"$st/save.log" 2>&1 && ! xd_guest_exists "$g"; then
		xd_pass "round$r/save"
		xd_info "round $r: xl save took $(secs "$t0") s, $(du -m "$st/$g.save" | cut -f1) MiB"
	else
		xd_fail "round$r/save" "$(tail -n 3 "$st/save.log" | tr '\n' ' ')"
		break
	fi
	sleep 1 # xenconsoled's last lines
	ns=$(last_seq)
	xd_info "round $r: record $ns was the last one reported before the save ($((ns - n0)) since the round started)"

	# Everything of the saved domain is released.
	if out=$(xd_backends_gone "$domid" 30); then
		xd_pass "round$r/backend-released"
	else
		xd_finding "$impl" "round$r/backend-released" "$out"
	fi
	if xd_wait_for 30 dm_closed; then
		xd_pass "round$r/device-closed"
	else
		xd_finding "$impl" "round$r/device-closed" "$DM still open ($(dm_open)) after the save"
	fi
	xd_domains_gone "round$r/domain-gone"
	if xd_wait_for 30 free_ge $((free0 - 4)); then
		xd_pass "round$r/memory-freed"
	else
		xd_fail "round$r/memory-freed" "Xen free_memory $(xen_free) MiB, $free0 before the guest"
	fi
	# What the guest was told is written is on the disk (record ns+1 may be
	# half written: it was in flight).
	lo=$((ns - NS + 2))
	[ "$lo" -ge 1 ] || lo=1
	if [ "$ns" -ge 1 ] && out=$(seq_verify "$dmdev" "$lo" "$ns" 2>&1); then
		xd_pass "round$r/data-at-save"
	else
		xd_finding "$impl" "round$r/data-at-save" "records $lo-$ns: $(echo "$out" | grep -v ' ok$' | head -n 2 | tr '\n' ' ')"
	fi

	step "round$r-restore"
	t0=$(date +%s.%N)
	if timeout 120 xl restore "$st/$g.save" >"$st/restore.log" 2>&1 && xd_guest_exists "$g"; then
		xd_pass "round$r/restore"
		xd_info "round $r: xl restore took $(secs "$t0") s"
	else
		xd_fail "round$r/restore" "$(tail -n 3 "$st/restore.log" | tr '\n' ' ')"
		break
	fi
	rm -f "$st/$g.save"
	domid=$(xl domid "$g")
	if xd_wait_for 30 vbd_connected "$domid"; then
		xd_pass "round$r/backend-connected"
	else
		xd_finding "$impl" "round$r/backend-connected" "domain $domid xvdc backend state '$(vbd_state "$domid")' frontend '$(xenstore-read "/local/domain/$domid/device/vbd/51744/state" 2>&1)', dm open count '$(dm_open)'"
	fi
	# The writer goes on: more records after the restore.
	if xd_wait_for 90 seq_ge $((ns + 3)); then
		xd_pass "round$r/io-continues"
		xd_info "round $r: record $(last_seq) $(secs "$t0") s after the restore began"
	else
		xd_finding "$impl" "round$r/io-continues" "the writer stays at record $(last_seq) (last before the save: $ns): $(tr -d '\r' <"$log" | grep -av '^BLKSEQ [0-9]' | tail -n 4 | tr '\n' ' ')"
		xd_guest_dump "$g" 20
		break
	fi
	# A full verify in the guest after the restore: records from before the
	# save (written by the old backend) and after it.
	if xd_wait_for 180 verify_gt "$ns" &&
		! grep -aq BLKSEQ-VERIFY-FAIL "$log"; then
		xd_pass "round$r/verify-after-restore"
		xd_info "round $r: $(grep -a 'BLKSEQ-VERIFY [0-9]* ok' "$log" | tail -n 1 | tr -d '\r')"
	else
		xd_finding "$impl" "round$r/verify-after-restore" "last good verify at record $(last_verify), save at $ns: $(grep -a 'BLKSEQ-.*FAIL' "$log" | head -n 2 | tr -d '\r' | tr '\n' ' ')"
	fi
done

# ---- no write or verify failed in the guest during the whole run
if grep -aq 'BLKSEQ-.*FAIL' "$log"; then
	xd_finding "$impl" writer-clean "$(grep -a 'BLKSEQ-.*FAIL' "$log" | head -n 2 | tr -d '\r' | tr '\n' ' ')"
else
	xd_pass writer-clean
	xd_info "writer: $(last_seq) records of $R KiB, $(grep -ac 'BLKSEQ-VERIFY [0-9]* ok' "$log") full verifies, the last at record $(last_verify)"
fi

# ---- destroy; the disk holds every record reported; nothing is left
step destroy
if xd_guest_destroy "$g"; then
	xd_pass destroy
else
	xd_fail destroy "xl destroy did not complete"
fi
if out=$(xd_backends_gone "$domid" 30); then
	xd_pass backend-released
else
	xd_finding "$impl" backend-released "$out"
fi
if xd_wait_for 30 dm_closed; then
	xd_pass device-closed
else
	xd_finding "$impl" device-closed "$DM still open ($(dm_open)) after the destroy"
fi
n=$(last_seq)
lo=$((n - NS + 2))
[ "$lo" -ge 1 ] || lo=1
if out=$(seq_verify "$dmdev" "$lo" "$n" 2>&1); then
	xd_pass final-data
else
	xd_finding "$impl" final-data "records $lo-$n: $(echo "$out" | grep -v ' ok$' | head -n 2 | tr '\n' ' ')"
fi
cleanup
dmdev=""
loop=""
xd_domains_gone
xd_module_cycle xen-blkback "$impl"
