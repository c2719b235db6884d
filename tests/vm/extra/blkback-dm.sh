# shellcheck shell=bash
# Extra scenario: backing-device errors reach the guest as I/O errors (xen-blkback with
# the stock xen-blkfront), and nothing hangs or leaks.
# xd-timeout: 420
#
# Four device-mapper devices over loop devices, given to one guest at xl create:
#   xvdc  xdm-mix  16 MiB: 0-8 MiB linear, 8-12 MiB the `error` target, 12-16 MiB linear
#   xvdd  xdm-err   8 MiB: `error` target only
#   xvde  xdm-fl   16 MiB: `flakey`, up 2 s / down 2 s (all I/O fails while down)
#   xvdf  xdm-we    8 MiB: `flakey` always down with error_writes (reads work, writes fail)
# Dom0 fills the loop devices with known patterns (tests/progs/blkpat). In the guest,
# blkpat (O_DIRECT) checks that the healthy ranges read and write with data verified and
# that I/O on the failing ranges returns EIO (not wrong data, not a hang), also after
# errors. Dom0 then checks the backing devices (what the guest wrote landed, nothing
# landed where it failed), detaches the four disks (xl block-detach), removes the dm
# devices (they would be busy if the backend still held them), destroys the guest and
# unloads xen-blkback. Each guest step runs under a timeout, Dom0 waits are bounded.
# Run by name: scripts/vm/run.sh KVER IMPL blkback-dm
g=bdm
impl=$(xd_module_impl xen-blkback)
xd_info "blkback-dm: xen-blkback is $impl"
P=$XD_DIR/progs/blkpat
DM_NAMES="xdm-mix xdm-err xdm-fl xdm-we"
DM_LOOPS="" l_mix="" l_fl="" l_we=""

cleanup() {
	local n l
	xd_guest_destroy "$g" >/dev/null 2>&1
	for n in $DM_NAMES; do dmsetup remove "$n" >/dev/null 2>&1; done
	for l in $DM_LOOPS; do losetup -d "$l" 2>/dev/null; done
	rm -f /tmp/xdm-*.img
}

# ---- setup: modules, loops with known content, dm tables
if ! command -v dmsetup >/dev/null; then
	xd_fail setup "no dmsetup in Dom0 (images.sh BASE_PKGS)"
	exit 0
fi
if ! modprobe dm-mod || ! modprobe dm-flakey; then
	xd_fail setup "modprobe dm-mod dm-flakey failed"
	exit 0
fi
mkloop() { # VAR FILE MIB SEED: VAR= a loop device on a new file filled with pattern SEED
	local l
	truncate -s "$3M" "$2" || return 1
	l=$(losetup -f --show "$2") || return 1
	DM_LOOPS="$DM_LOOPS $l"
	"$P" w "$4" "$l" 0 $(($3 * 1024)) >/dev/null || return 1
	printf -v "$1" %s "$l"
}
if ! mkloop l_mix /tmp/xdm-mix.img 16 10 || ! mkloop l_fl /tmp/xdm-fl.img 16 20 ||
	! mkloop l_we /tmp/xdm-we.img 8 30; then
	xd_fail setup "loop devices with the patterns could not be set up"
	cleanup
	exit 0
fi
# No udev in Dom0: dmsetup must create the /dev/mapper nodes itself.
dms() { dmsetup --noudevsync "$@"; }
bad=""
printf '0 16384 linear %s 0\n16384 8192 error\n24576 8192 linear %s 24576\n' "$l_mix" "$l_mix" |
	dms create xdm-mix || bad="$bad xdm-mix"
echo "0 16384 error" | dms create xdm-err || bad="$bad xdm-err"
echo "0 32768 flakey $l_fl 0 2 2" | dms create xdm-fl || bad="$bad xdm-fl"
echo "0 16384 flakey $l_we 0 0 3600 1 error_writes" | dms create xdm-we || bad="$bad xdm-we"
dmsetup mknodes >/dev/null 2>&1
for n in $DM_NAMES; do [ -b "/dev/mapper/$n" ] || bad="$bad /dev/mapper/$n"; done
if [ -n "$bad" ]; then
	xd_fail setup "dm devices:$bad; $(dmsetup table 2>&1 | tr '\n' ';')"
	cleanup
	exit 0
fi
xd_pass setup
xd_info "dm tables: $(dmsetup table 2>&1 | tr '\n' ';')"

# ---- the guest's checks: "BLKDM NAME WANT RC OUTPUT" (WANT/RC: blkpat's exit status,
# 0 ok, 5 EIO, 2 wrong data, 1 other; 124/143 the timeout)
mkdir -p /tmp/xdm-payload
cat >/tmp/xdm-payload/run.sh <<'EOF'
i=0
while [ ! -b /dev/xvdf ] && [ $i -lt 240 ]; do sleep 0.5; i=$((i + 1)); done
echo "BLKDM-DISKS $(ls /dev/xvd* | tr '\n' ' ')"
chk() {
	n=$1 want=$2
	shift 2
	t=$(date +%s)
	out=$(timeout 120 /xd/progs/blkpat "$@" 2>&1)
	rc=$?
	echo "BLKDM $n $want $rc $(echo "$out" | tr '\n' ' ') [$(($(date +%s) - t)) s]"
}
chk mix-low-write 0 w 11 /dev/xvdc 0 8192
chk mix-high-write 0 w 12 /dev/xvdc 12288 4096
chk mix-bad-read 5 r 10 /dev/xvdc 8192 4096
chk mix-bad-read-4k 5 r 10 /dev/xvdc 10240 4
chk mix-straddle-read 5 r 11 /dev/xvdc 8188 8
chk mix-bad-write 5 w 13 /dev/xvdc 8192 4096
chk mix-bad-write-4k 5 w 13 /dev/xvdc 12284 4
chk mix-low-reread 0 r 11 /dev/xvdc 0 8192
chk mix-high-reread 0 r 12 /dev/xvdc 12288 4096
chk err-read 5 r 0 /dev/xvdd 0 64
chk err-write 5 w 1 /dev/xvdd 4096 64
chk err-read-again 5 r 0 /dev/xvdd 1024 4
chk flakey 0 f 20 /dev/xvde 0 16384 90
chk ew-read 0 r 30 /dev/xvdf 0 8192
chk ew-write 5 w 31 /dev/xvdf 64 64
chk ew-reread 0 r 30 /dev/xvdf 0 8192
echo "BLKDM-DONE"
i=0
while [ -b /dev/xvdc ] || [ -b /dev/xvdd ] || [ -b /dev/xvde ] || [ -b /dev/xvdf ]; do
	[ $i -lt 480 ] || break
	sleep 0.5
	i=$((i + 1))
done
echo "BLKDM-DETACHED $(ls /dev/xvd* | tr '\n' ' ')"
EOF
tar -cf /tmp/xdm-payload.tar -C /tmp/xdm-payload run.sh
disks=""
for d in xvdc:xdm-mix xvdd:xdm-err xvde:xdm-fl xvdf:xdm-we; do
	disks="$disks${disks:+, }'$(xd_disk_spec "${d%%:*}" rw "/dev/mapper/${d#*:}")'"
done
t0=$(date +%s)
if ! XD_GUEST_DISK_MB=16 XD_GUEST_PAYLOAD=/tmp/xdm-payload.tar XD_GUEST_DISKS="$disks" \
	xd_guest_start "$g" 'memory = 192'; then
	xd_fail create "xl create failed: $(grep -a error "$XD_STATE/guest-$g.create.log" | tail -n 3)"
	cleanup
	exit 0
fi
xd_pass create
domid=$(xl domid "$g" 2>/dev/null)
log=$(xd_guest_log "$g")
xd_info "xl create: $(($(date +%s) - t0)) s"
xd_guest_wait "$g" BLKDM-DISKS 240 && xd_info "guest has its disks: $(($(date +%s) - t0)) s"
if ! xd_guest_wait "$g" BLKDM-DONE 300; then
	xd_fail io "guest checks did not finish: $(grep -a BLKDM "$log" | tail -n 5 | tr -d '\r' | tr '\n' ' ')"
	xd_guest_dump "$g" 40
else
	xd_info "$(grep -a BLKDM-DISKS "$log" | tr -d '\r') (guest up to done: $(($(date +%s) - t0)) s)"
	n=0
	while read -r _ name want rc out; do
		n=$((n + 1))
		if [ "$rc" = "$want" ]; then
			xd_pass "io/$name"
		else
			xd_fail "io/$name" "blkpat exit $rc, want $want: $out"
		fi
		xd_info "$name: $out"
	done < <(tr -d '\r' <"$log" | grep -a '^BLKDM ')
	[ "$n" -eq 16 ] || xd_fail io/results "$n results from the guest, want 16"
fi
# The guest kernel's view (timestamps: where a slow boot spent its time).
tr -d '\r' <"$log" | grep -a -E 'blkfront|GUEST-|BLKDM-|partition table' | head -n 24 | sed 's/^/  guest> /'

# ---- the backing devices: the guest's writes landed where they worked, and nowhere else
for c in "mix-low 11 $l_mix 0 8192" "mix-high 12 $l_mix 12288 4096" "mix-error-range 10 $l_mix 8192 4096" \
	"flakey-untouched 20 $l_fl 0 16384" "ew-untouched 30 $l_we 0 8192"; do
	# shellcheck disable=SC2086 # split on purpose
	set -- $c
	if out=$("$P" r "$2" "$3" "$4" "$5" 2>&1); then
		xd_pass "backing/$1"
	else
		xd_fail "backing/$1" "$out"
	fi
done

# ---- block-detach of the four disks (one is failing every request, one flaps)
for d in xvdc xvdd xvde xvdf; do
	t1=$(date +%s)
	if timeout 120 xl block-detach "$g" "$d" >"$XD_STATE/xdm-detach-$d.log" 2>&1; then
		xd_pass "detach-$d"
		xd_info "xl block-detach $d: $(($(date +%s) - t1)) s"
	else
		xd_fail "detach-$d" "xl block-detach: $(tail -n 3 "$XD_STATE/xdm-detach-$d.log" | tr '\n' ' ')"
	fi
done
if xd_guest_wait "$g" BLKDM-DETACHED 90; then
	left=$(tr -d '\r' <"$log" | sed -n 's/^BLKDM-DETACHED //p' | tr ' ' '\n' | grep -E 'xvd[c-f]')
	if [ -z "$left" ]; then
		xd_pass detach-guest-sees
	else
		xd_fail detach-guest-sees "still in the guest: $left"
	fi
else
	xd_fail detach-guest-sees "guest did not report the disks gone"
fi
if xd_wait_for 30 sh -c "[ -z \"\$(xenstore-list /local/domain/0/backend/vbd/$domid 2>/dev/null | grep -E '^(51744|51760|51776|51792)\$')\" ]"; then
	xd_pass detach-backend-gone
else
	xd_fail detach-backend-gone "backend devices left: $(xenstore-list "/local/domain/0/backend/vbd/$domid" 2>&1 | tr '\n' ' ')"
fi

# ---- the dm devices are free again: nothing holds them (open count 0, remove works)
bad=""
for n in $DM_NAMES; do
	xd_wait_for 20 sh -c "[ \"\$(dmsetup info -c --noheadings -o open $n)\" = 0 ]" ||
		bad="$bad $n(open $(dmsetup info -c --noheadings -o open "$n" 2>&1))"
	dmsetup --noudevsync remove "$n" >/dev/null 2>&1 || bad="$bad $n(remove failed)"
done
if [ -z "$bad" ]; then
	xd_pass dm-released
else
	xd_fail dm-released "after block-detach:$bad"
fi

# ---- destroy, nothing left behind, the module unloads
t1=$(date +%s)
if xd_guest_destroy "$g"; then
	xd_pass destroy
else
	xd_fail destroy "xl destroy did not complete"
fi
xd_info "destroy: $(($(date +%s) - t1)) s"
xd_domains_gone
xd_module_cycle xen-blkback "$impl"
cleanup
xd_info "blkback-dm: $(($(date +%s) - t0)) s from xl create"
