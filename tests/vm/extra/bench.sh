# shellcheck shell=bash
# xd-timeout: 3300
# `make bench` inside Dom0 (booted with IMPL=intree): every row is measured for the
# in-tree module and for ours side by side in this one boot, alternating the order of
# the sides each round (A B, B A, ...). Not a test: it prints numbers.
#
# Ours is the benchmark build of the device modules (xdb-*.ko from `make
# bench-modules`, shipped by scripts/bench/bench.sh in /xd/bench/modules/): it
# registers /dev/xen/{evtchn,gntdev,privcmd,hypercall}-xd next to the in-tree
# /dev/xen/*, which keep serving xenstored and xenconsoled. Toolstack rows run xl in a
# private mount namespace where /dev/xen/X is a bind mount of /dev/xen/X-xd, and record
# the xdb modules' reference counts during the run as proof (XDBPROOF lines).
#
# Kernel command line knobs (set by scripts/bench/bench.sh):
#   xd.bench.rounds=N   rounds (default 5)
#   xd.bench.seconds=S  seconds per micro/fio/iperf3 measurement (default 2)
#   xd.bench.xlrounds=N rounds of the xl rows (default: xd.bench.rounds; each round is
#                       2 guest boots or 2 saves + 2 restores, 40-130 s each under TCG)
#   xd.bench.rows=P+P   only rows matching one of these shell patterns (default all)
# Output (console):
#   XDBROW <row> <unit> <hi|lo> <side,side,...> <what>
#   XDBENCH <row> <side> <round> <value>
#   XDBERR <row> <side> <round> <why>
#   XDBPROOF <row> <side> <round> <module>=<max refcount during the run> ...
#   XDBINFO <text>
#
# Sides: intree, ours (our module; a row lists it only where we ship the module),
# qdisk (QEMU's userspace block backend), local (Dom0 itself on the backing device).
# A side may have hooks side_enter_<group>_<side> / side_leave_<group>_<side>, run
# around each of its measurements: that is where a row for our blkback/netback goes,
# since backends cannot load side by side (see side_enter_blk_ours below).

param() { sed -n "s/.*\(^\| \)$1=\([^ ]*\).*/\2/p" /proc/cmdline; }
ROUNDS=$(param xd.bench.rounds)
ROUNDS=${ROUNDS:-5}
SECS=$(param xd.bench.seconds)
SECS=${SECS:-2}
XLROUNDS=$(param xd.bench.xlrounds)
XLROUNDS=${XLROUNDS:-$ROUNDS}
ROWS=$(param xd.bench.rows)
ROWS=${ROWS//+/ }
BX=/xd/progs/bench-xen
XB=/xd/bench
DOM0_IP=192.0.2.1
xb() { echo "XDB$*"; }
xb INFO "bench kernel=$(uname -r) rounds=$ROUNDS xl-rounds=$XLROUNDS seconds=$SECS rows=${ROWS:-all}"
xb INFO "xen $(xl info 2>/dev/null | awk '$1 == "xen_version" {print $3}') cpus=$(xl info 2>/dev/null | awk '$1 == "nr_cpus" {print $3}')"

selected() {
	local p
	[ -n "$ROWS" ] || return 0
	for p in $ROWS; do
		# shellcheck disable=SC2053 # a pattern on purpose
		[[ $1 == $p ]] && return 0
	done
	return 1
}
any_selected() {
	local r
	for r in "$@"; do selected "$r" && return 0; done
	return 1
}

# ---------------------------------------------------------------- setup
# ours: the xdb modules
OURS_OK=1
for m in evtchn gntdev privcmd; do
	if ! insmod "$XB/modules/xdb-$m.ko" 2>/tmp/xb-insmod.err; then
		xd_fail "insmod-xdb-$m" "$(cat /tmp/xb-insmod.err)"
		OURS_OK=""
	fi
done
for d in evtchn gntdev privcmd hypercall; do
	xd_wait_for 5 test -c "/dev/xen/$d-xd" || {
		xd_fail "dev-$d-xd" "/dev/xen/$d-xd did not appear"
		OURS_OK=""
	}
done
[ -z "$OURS_OK" ] || xd_pass "ours-loaded"
xb INFO "modules: $(for m in xen_evtchn xen_gntdev xen_privcmd xdb_evtchn xdb_gntdev xdb_privcmd xen_blkback xen_netback; do
	printf '%s=%s ' "$m" "$(cat /sys/module/$m/refcnt 2>/dev/null || echo -)"
done)"

# A delay without a program start (they cost 0.1-1.5 s each under TCG).
exec {XB_SLEEPFD}<> <(:)
xb_sleep() { read -r -t "$1" -u "$XB_SLEEPFD" || true; }
now() { echo "${EPOCHREALTIME/,/.}"; }

# xb_ns SUFFIX CMD...: CMD in a private mount namespace where /dev/xen/X is a bind
# mount of /dev/xen/X$SUFFIX for X in privcmd, hypercall, evtchn, gntdev: SUFFIX -xd
# for ours, empty (the node onto itself) for in-tree, so that both sides pay the same
# set-up (unshare, 4 mounts: program starts cost 0.1-1.5 s each under TCG).
xb_ns() {
	# shellcheck disable=SC2016 # expanded by the inner bash
	unshare -m --propagation private bash -c '
		s=$1
		shift
		for d in privcmd hypercall evtchn gntdev; do
			mount --bind /dev/xen/$d$s /dev/xen/$d || exit 97
		done
		exec "$@"' xb-ns "$@"
}

# Run CMD in the namespace of SIDE, print its wall time in seconds; the maxima of
# the xdb modules' reference counts while it ran, above their values at its start, go
# to $XB_PROOF.
XB_PROOF=""
xb_timed() {
	local side=$1 t0 t1 pid rc mp=0 me=0 mg=0 v bp=0 be=0 bg=0
	shift
	# references held before (e.g. the xl daemon of a guest restored on ours) do not count
	read -r bp </sys/module/xdb_privcmd/refcnt
	read -r be </sys/module/xdb_evtchn/refcnt
	read -r bg </sys/module/xdb_gntdev/refcnt
	mp=$bp me=$be mg=$bg
	t0=$(now)
	if [ "$side" = ours ]; then xb_ns -xd "$@" >&2 & else xb_ns "" "$@" >&2 & fi
	pid=$!
	while kill -0 "$pid" 2>/dev/null; do
		if read -r v </sys/module/xdb_privcmd/refcnt && [ "$v" -gt "$mp" ]; then mp=$v; fi
		if read -r v </sys/module/xdb_evtchn/refcnt && [ "$v" -gt "$me" ]; then me=$v; fi
		if read -r v </sys/module/xdb_gntdev/refcnt && [ "$v" -gt "$mg" ]; then mg=$v; fi
		xb_sleep 0.05
	done
	wait "$pid"
	rc=$?
	t1=$(now)
	XB_PROOF="xdb_privcmd=$((mp - bp)) xdb_evtchn=$((me - be)) xdb_gntdev=$((mg - bg))"
	[ "$rc" -eq 0 ] || return "$rc"
	awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.3f\n", b - a}'
}

# xb_row ROW UNIT BETTER SIDES WHAT FUNC [ARGS...]: measure ROW for each side over
# ROUNDS rounds (order of the sides reversed every other round); FUNC SIDE ROUND ARGS
# prints the value.
xb_row() {
	local row=$1 unit=$2 better=$3 sides=$4 what=$5 fn=$6 r s v order grp
	shift 6
	selected "$row" || return 0
	xb ROW "$row $unit $better $sides $what"
	grp=${row%%-*}
	# micro rows: one unrecorded run per side first (first-use effects: page tables,
	# grant-table frames, caches)
	case "$grp" in
	evtchn | gntdev | privcmd)
		for s in ${sides//,/ }; do
			[ "$s" != ours ] || [ -n "$OURS_OK" ] || continue
			SECS=1 "$fn" "$s" 0 "$@" >/dev/null 2>&1
		done
		;;
	esac
	for r in $(seq 1 "${XB_ROUNDS:-$ROUNDS}"); do
		order=${sides//,/ }
		[ $((r % 2)) -eq 1 ] || order=$(echo "$order" | awk '{for (i = NF; i > 0; i--) printf "%s ", $i}')
		for s in $order; do
			if [ "$s" = ours ] && [ -z "$OURS_OK" ]; then
				xb ERR "$row $s $r ours not loaded"
				continue
			fi
			! declare -F "side_enter_${grp}_$s" >/dev/null || "side_enter_${grp}_$s"
			XB_PROOF=""
			rm -f /tmp/xb-proof
			if v=$("$fn" "$s" "$r" "$@" 2>/tmp/xb-err) && [ -n "$v" ]; then
				xb ENCH "$row $s $r $v"
			else
				xb ERR "$row $s $r $(tr '\n' ' ' </tmp/xb-err | cut -c1-300)"
			fi
			[ ! -s /tmp/xb-proof ] || xb PROOF "$row $s $r $(cat /tmp/xb-proof)"
			rm -f /tmp/xb-proof
			! declare -F "side_leave_${grp}_$s" >/dev/null || "side_leave_${grp}_$s"
		done
	done
}

dev() { if [ "$1" = ours ]; then echo "/dev/xen/$2-xd"; else echo "/dev/xen/$2"; fi; }
bx() { "$BX" "$@" | awk '$1 == "XBRESULT" {print $2; ok = 1} END {exit !ok}'; }

# ---------------------------------------------------------------- micro rows (no guest)
m_evtchn_local() { bx evtchn-local "$(dev "$1" evtchn)" "$SECS"; }
m_gntdev_map() { bx gntdev-map "$(dev "$1" gntdev)" "$3" "$SECS"; }
m_gntdev_copy() { bx gntdev-copy "$(dev "$1" gntdev)" "$SECS"; }
m_privcmd_hcall() { bx privcmd-hcall "$(dev "$1" privcmd)" "$SECS"; }
m_privcmd_batch() { bx privcmd-mmapbatch "$(dev "$1" privcmd)" "$SECS"; }

xb_row evtchn-rtt-dom0 us lo intree,ours "event-channel round trip, two Dom0 processes" m_evtchn_local
xb_row gntdev-map-1 grants/s hi intree,ours "gntdev map+mmap+munmap+unmap, 1 grant" m_gntdev_map 1
xb_row gntdev-map-64 grants/s hi intree,ours "gntdev map+mmap+munmap+unmap, 64 grants" m_gntdev_map 64
xb_row gntdev-map-1024 grants/s hi intree,ours "gntdev map+mmap+munmap+unmap, 1024 grants" m_gntdev_map 1024
xb_row gntdev-copy MiB/s hi intree,ours "gntdev GRANT_COPY, 1024 x 4 KiB segments" m_gntdev_copy
xb_row privcmd-hcall calls/s hi intree,ours "privcmd IOCTL_PRIVCMD_HYPERCALL (xen_version)" m_privcmd_hcall
xb_row privcmd-mmapbatch pages/s hi intree,ours "privcmd mmap + MMAPBATCH_V2 of 1024 frames + munmap" m_privcmd_batch

# ---------------------------------------------------------------- toolstack rows
# A lean 256 MiB guest (the harness' kernel and initramfs, no disk, no vif: the
# toolstack's own work and the guest boot, not the hotplug scripts) for xl create and
# xl save / xl restore.
lean_cfg() {
	cat <<-EOF
		name = "$1"
		type = "pv"
		kernel = "$XD_DIR/guest/vmlinuz"
		ramdisk = "$XD_DIR/guest/initrd.gz"
		extra = "console=hvc0 xd.id=9 xd.name=$1 xd.noload=xen-blkfront,xen-netfront"
		memory = 256
		vcpus = 1
		on_poweroff = "destroy"
		on_reboot = "destroy"
		on_crash = "destroy"
	EOF
}

# xl create to GUEST-READY on the guest's console.
m_xl_create() {
	local side=$1 name=xbc log t0 t1 pid line tfd
	log=$(xd_guest_log "$name")
	rm -f "$log"
	t0=$(now)
	xb_timed "$side" timeout 120 xl create /tmp/xb-xbc.cfg >/dev/null || return 1
	echo "$XB_PROOF" >/tmp/xb-proof
	xd_wait_for 30 test -f "$log" || return 1
	exec {tfd}< <(timeout 180 tail -F -n +1 "$log" 2>/dev/null)
	pid=$!
	while IFS= read -r -u "$tfd" line; do
		[[ $line == *GUEST-READY* ]] && break
	done
	t1=$(now)
	kill "$pid" 2>/dev/null
	exec {tfd}<&-
	grep -q GUEST-READY "$log" || { echo "no GUEST-READY" >&2; return 1; }
	timeout 60 xl destroy "$name" >/dev/null 2>&1
	xd_wait_for 30 sh -c "! xl list $name" || { echo "destroy failed" >&2; return 1; }
	awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.3f\n", b - a}'
}
if any_selected xl-create; then
	lean_cfg xbc >/tmp/xb-xbc.cfg
	XB_ROUNDS=$XLROUNDS xb_row xl-create s lo intree,ours "xl create to GUEST-READY (256 MiB guest, no disk/vif)" m_xl_create
	! xd_guest_exists xbc || timeout 60 xl destroy xbc
fi

# xl save / xl restore of a running 256 MiB guest (saved to tmpfs)
m_xl_save() {
	rm -f /tmp/xbsr.save
	xb_timed "$1" timeout 300 xl save xbsr /tmp/xbsr.save && echo "$XB_PROOF" >/tmp/xb-proof
}
m_xl_restore() {
	xb_timed "$1" timeout 300 xl restore /tmp/xbsr.save && echo "$XB_PROOF" >/tmp/xb-proof
	rm -f /tmp/xbsr.save
}
# Save then restore, so that the guest is running between measurements; the two times
# go to two rows.
m_xl_saverestore() {
	local s r
	s=$(m_xl_save "$1") || return 1
	cp /tmp/xb-proof /tmp/xb-proof-save 2>/dev/null
	r=$(m_xl_restore "$1") || return 1
	xd_guest_exists xbsr || { echo "guest gone after restore" >&2; return 1; }
	echo "$s $r"
}
if any_selected xl-save xl-restore; then
	lean_cfg xbsr >/tmp/xb-xbsr.cfg
	rm -f "$(xd_guest_log xbsr)"
	if timeout 120 xl create /tmp/xb-xbsr.cfg >/dev/null && xd_guest_wait xbsr GUEST-READY 240; then
		xb ROW "xl-save s lo intree,ours xl save of a running 256 MiB guest (to tmpfs)"
		xb ROW "xl-restore s lo intree,ours xl restore of that guest"
		for r in $(seq 1 "$XLROUNDS"); do
			order="intree ours"
			[ $((r % 2)) -eq 1 ] || order="ours intree"
			for s in $order; do
				rm -f /tmp/xb-proof /tmp/xb-proof-save
				if v=$(m_xl_saverestore "$s" 2>/tmp/xb-err); then
					xb ENCH "xl-save $s $r ${v% *}"
					xb ENCH "xl-restore $s $r ${v#* }"
				else
					xb ERR "xl-save $s $r $(tr '\n' ' ' </tmp/xb-err | cut -c1-300)"
					xd_guest_exists xbsr || break 2
				fi
				[ ! -s /tmp/xb-proof-save ] || xb PROOF "xl-save $s $r $(cat /tmp/xb-proof-save)"
				[ ! -s /tmp/xb-proof ] || xb PROOF "xl-restore $s $r $(cat /tmp/xb-proof)"
			done
		done
	else
		xb ERR "xl-save - 0 guest did not start: $(xd_guest_dump xbsr 10 | tr '\n' ' ')"
	fi
	! xd_guest_exists xbsr || timeout 60 xl destroy xbsr
	rm -f /tmp/xbsr.save
fi

# ---------------------------------------------------------------- guest rows
# One guest (memory 1024 MiB) with fio and iperf3 (payload on xvdb), xvda on in-tree
# blkback and xvdc on QEMU qdisk, both backed by the brd RAM disk /dev/ram0. It runs a
# small agent that fetches numbered command scripts from Dom0's busybox httpd
# (/tmp/xbweb/cmd-N) and prints their output between XBG-BEGIN N / XBG-END N rc.
GUEST_ROWS="evtchn-rtt-guest blk-randread-4k-qd1 blk-randread-4k-qd32 blk-randwrite-4k-qd1
blk-randwrite-4k-qd32 blk-seqread-1m blk-seqwrite-1m net-g2d-1 net-g2d-4 net-d2g-1 net-d2g-4"
# shellcheck disable=SC2086
if any_selected $GUEST_ROWS && [ -d "$XB/guest" ]; then
	if ! modprobe brd rd_nr=1 rd_size=262144 || ! dd if=/dev/zero of=/dev/ram0 bs=1M count=256 2>/dev/null; then
		xb ERR "blk - 0 brd RAM disk not available"
	fi
	rm -rf /tmp/xbpay /tmp/xbweb
	mkdir -p /tmp/xbpay /tmp/xbweb
	cp -a "$XB/guest/." /tmp/xbpay/
	cat >/tmp/xbpay/agent.sh <<-'EOF'
		#!/bin/sh
		mkdir -p /lib64
		cp /xdx/lib64/* /lib64/
		export LD_LIBRARY_PATH=/xdx/xb/lib PATH=/xdx/xb/bin:$PATH
		echo "XBG-AGENT-UP"
		n=1
		while :; do
			if wget -q -O /tmp/xbcmd "http://192.0.2.1:8080/cmd-$n" 2>/dev/null; then
				echo "XBG-BEGIN $n"
				sh /tmp/xbcmd 2>&1
				echo "XBG-END $n $?"
				n=$((n + 1))
			else
				sleep 1
			fi
		done
	EOF
	printf '#!/bin/sh\nsh /xdx/agent.sh </dev/null &\n' >/tmp/xbpay/run.sh
	tar -cf /tmp/xbpay.tar -C /tmp/xbpay . && rm -rf /tmp/xbpay
	busybox httpd -f -p "$DOM0_IP:8080" -h /tmp/xbweb &
	HTTPD_PID=$!
	iperf3 -s -B "$DOM0_IP" >/dev/null 2>&1 &
	IPERF_PID=$!
	echo 0 >/tmp/xbweb/.n
	PLOOP=$(losetup -f --show -r /tmp/xbpay.tar)
	QDISK="'format=raw,vdev=xvdc,access=rw,backendtype=qdisk,target=/dev/ram0'"
	BLK_SIDES="intree qdisk local"
	xbg_start() {
		XD_GUEST_CMDLINE="" xd_guest_start xbg "memory = 1024" \
			"disk = ['$(xd_disk_spec xvda rw /dev/ram0)', '$(xd_disk_spec xvdb ro "$PLOOP")'$1]" \
			>/tmp/xbg-start.log 2>&1
	}
	GLOG=$(xd_guest_log xbg)
	GUEST_OK=""
	if xbg_start ", $QDISK" && xd_guest_wait xbg XBG-AGENT-UP 300; then
		GUEST_OK=1
	else
		xb ERR "guest - 0 bench guest with a qdisk disk did not start: $(cat /tmp/xbg-start.log; xd_guest_dump xbg 15 | tr '\n' ' ')"
		for f in /var/log/xen/qemu-dm-xbg.log*; do
			[ -f "$f" ] && xb INFO "$f: $(tail -n 15 "$f" | tr '\n' ' ' | cut -c1-1500)"
		done
		xd_guest_destroy xbg
		# without QEMU: in-tree blkback and Dom0-local only
		BLK_SIDES="intree local"
		if xbg_start "" && xd_guest_wait xbg XBG-AGENT-UP 300; then
			GUEST_OK=1
		else
			xb ERR "guest - 0 bench guest did not start: $(cat /tmp/xbg-start.log; xd_guest_dump xbg 15 | tr '\n' ' ')"
		fi
	fi
	[ -z "$GUEST_OK" ] ||
		xb INFO "bench guest up: $(grep -a -m1 GUEST-DISK "$GLOG" | tr -d '\r'); backends $(cd /sys/bus/xen-backend/devices 2>/dev/null && echo *)"
	# where the CPUs go while nothing is measured (a busy domain skews every row)
	[ -z "$GUEST_OK" ] || xb INFO "idle CPU use: $(xentop -b -i 2 -d 3 2>/dev/null | awk '$1 == "NAME" {n++} n == 2 && $1 != "NAME" {printf "%s %s%%; ", $1, $4}')"
	[ -z "$GUEST_OK" ] || xb INFO "vcpus: $(xl vcpu-list 2>/dev/null | awk 'NR > 1 {printf "%s/%s cpu %s %s; ", $1, $3, $4, $5}')"
fi

# gcmd TIMEOUT SCRIPT: run SCRIPT in the guest, print its output. (The counter is a
# file: gcmd runs in command substitutions.)
gcmd() {
	local t=$1 n
	read -r n </tmp/xbweb/.n
	n=$((n + 1))
	echo "$n" >/tmp/xbweb/.n
	printf '%s\n' "$2" >"/tmp/xbweb/cmd-$n"
	xd_guest_wait xbg "XBG-END $n " "$t" || { echo "guest command $n timed out" >&2; return 1; }
	tr -d '\r' <"$GLOG" | awk -v b="XBG-BEGIN $n" -v e="XBG-END $n " '
		$0 == b {p = 1; next} index($0, e) == 1 {exit} p'
}

if [ -n "${GUEST_OK:-}" ]; then
	GDOM=$(xl domid xbg)
	if selected evtchn-rtt-guest; then
		GPORT=$(gcmd 60 "/xd/progs/bench-xen evtchn-echo" | awk '$1 == "XBPORT" {print $2}')
		m_evtchn_guest() { bx evtchn-remote "$(dev "$1" evtchn)" "$GDOM" "$GPORT" "$SECS"; }
		if [ -n "$GPORT" ]; then
			xb_row evtchn-rtt-guest us lo intree,ours "event-channel round trip Dom0 <-> guest" m_evtchn_guest
		else
			xb ERR "evtchn-rtt-guest - 0 no port from the guest echo program"
		fi
	fi

	# fio: all selected block jobs in one fio run per side and round (one start of fio
	# and its libraries), one after the other (stonewall), --output-format=terse v3:
	# field 3 job name, 7 read KiB/s, 8 read IOPS, 48 write KiB/s, 49 write IOPS.
	# name:row:rw:bs:iodepth:field:divisor:unit:what
	BLK_JOBS="r1:blk-randread-4k-qd1:randread:4k:1:8:1:IOPS:fio_4_KiB_randread_QD1
	r32:blk-randread-4k-qd32:randread:4k:32:8:1:IOPS:fio_4_KiB_randread_QD32
	w1:blk-randwrite-4k-qd1:randwrite:4k:1:49:1:IOPS:fio_4_KiB_randwrite_QD1
	w32:blk-randwrite-4k-qd32:randwrite:4k:32:49:1:IOPS:fio_4_KiB_randwrite_QD32
	sr:blk-seqread-1m:read:1M:8:7:1024:MiB/s:fio_1_MiB_sequential_read_QD8
	sw:blk-seqwrite-1m:write:1M:8:48:1024:MiB/s:fio_1_MiB_sequential_write_QD8"
	# Sides: in-tree blkback (xvda), QEMU qdisk (xvdc), Dom0 itself on the RAM disk.
	# Our blkback, once it ships, is one more side, "ours", with hooks like these
	# (backends cannot be loaded side by side: swap with no vbd attached):
	#   side_enter_blk_ours() { xl block-detach xbg xvda; xl block-detach xbg xvdb
	#       rmmod xen-blkback; insmod /xd/bench/modules/xen-blkback.ko
	#       xl block-attach xbg "$(xd_disk_spec xvda rw /dev/ram0)"; }
	#   side_leave_blk_ours() { the same back to the in-tree module; }
	# and a case "ours) dev=/dev/xvda" in blk_run. Net rows likewise (network-detach).
	side_enter_blk_local() { xl pause xbg; }
	side_leave_blk_local() { xl unpause xbg; }
	blk_run() {
		local side=$1 args=$2 common
		common="--direct=1 --ioengine=libaio --runtime=$SECS --time_based --size=240M --output-format=terse --terse-version=3"
		# shellcheck disable=SC2086 # word lists
		case "$side" in
		local) fio $common --filename=/dev/ram0 $args ;;
		intree) gcmd $((SECS * 20 + 180)) "fio $common --filename=/dev/xvda $args" ;;
		qdisk) gcmd $((SECS * 20 + 180)) "fio $common --filename=/dev/xvdc $args" ;;
		*) return 1 ;;
		esac
	}
	blk_args="" blk_table=""
	for j in $BLK_JOBS; do
		IFS=: read -r name row rw bs qd field div unit what <<<"$j"
		selected "$row" || continue
		blk_args="$blk_args --name=$name --stonewall --rw=$rw --bs=$bs --iodepth=$qd"
		blk_table="$blk_table $name:$row:$field:$div"
		xb ROW "$row $unit hi ${BLK_SIDES// /,} ${what//_/ } (guest; local: Dom0 on the RAM disk)"
	done
	if [ -n "$blk_args" ]; then
		for r in $(seq 1 "$ROUNDS"); do
			order=$BLK_SIDES
			[ $((r % 2)) -eq 1 ] || order=$(echo "$order" | awk '{for (i = NF; i > 0; i--) printf "%s ", $i}')
			for s in $order; do
				! declare -F "side_enter_blk_$s" >/dev/null || "side_enter_blk_$s"
				# CPU use of each domain while fio runs (first round only: diagnostics)
				[ "$r" != 1 ] || { sleep 5; xentop -b -i 2 -d 3 2>/dev/null | awk '$1 == "NAME" {n++} n == 2 && $1 != "NAME" {printf "%s %s%%; ", $1, $4}' >/tmp/xb-top.out; } &
				top_pid=$!
				blk_run "$s" "$blk_args" >/tmp/xb-fio.out 2>&1
				wait "$top_pid"
				[ "$r" != 1 ] || xb INFO "CPU use during fio on $s: $(cat /tmp/xb-top.out 2>/dev/null)"
				! declare -F "side_leave_blk_$s" >/dev/null || "side_leave_blk_$s"
				awk -F';' -v t="$blk_table" -v s="$s" -v r="$r" '
					BEGIN { n = split(t, a, " "); for (i = 1; i <= n; i++) { split(a[i], b, ":"); row[b[1]] = b[2]; f[b[1]] = b[3]; d[b[1]] = b[4] } }
					NF > 50 && ($3 in row) { printf "XDBENCH %s %s %s %.1f\n", row[$3], s, r, $(f[$3]) / d[$3]; done[$3] = 1 }
					END { for (j in row) if (!(j in done)) printf "XDBERR %s %s %s no fio result\n", row[j], s, r }' /tmp/xb-fio.out
				grep -q ';' /tmp/xb-fio.out || xb INFO "fio $s round $r: $(tail -n 5 /tmp/xb-fio.out | tr '\n' ' ' | cut -c1-300)"
			done
		done
	fi

	# iperf3, the guest is the client; -R: Dom0 sends
	m_net() {
		local out
		out=$(gcmd $((SECS * 3 + 120)) "iperf3 -c $DOM0_IP -t $SECS -P $3 -f m $4") || return 1
		printf '%s\n' "$out" | awk '/receiver/ {for (i = 2; i <= NF; i++) if ($i == "Mbits/sec") v = $(i - 1)}
			END {if (v == "") exit 1; print v}' || { printf '%s\n' "$out" | tail -n 3 >&2; return 1; }
	}
	NET_SIDES=intree
	xb_row net-g2d-1 Mbit/s hi "$NET_SIDES" "iperf3 guest -> Dom0, 1 stream (in-tree netback)" m_net 1 ""
	xb_row net-g2d-4 Mbit/s hi "$NET_SIDES" "iperf3 guest -> Dom0, 4 streams" m_net 4 ""
	xb_row net-d2g-1 Mbit/s hi "$NET_SIDES" "iperf3 Dom0 -> guest, 1 stream" m_net 1 -R
	xb_row net-d2g-4 Mbit/s hi "$NET_SIDES" "iperf3 Dom0 -> guest, 4 streams" m_net 4 -R
fi
[ ! -f /tmp/xd-guest-xbg.cfg ] || xd_guest_destroy xbg
[ -z "${PLOOP:-}" ] || losetup -d "$PLOOP" 2>/dev/null
[ -z "${HTTPD_PID:-}" ] || kill "$HTTPD_PID" 2>/dev/null
[ -z "${IPERF_PID:-}" ] || kill "$IPERF_PID" 2>/dev/null
rm -f /tmp/xbpay.tar
for m in privcmd gntdev evtchn; do rmmod "xdb_$m" 2>/dev/null || xb INFO "rmmod xdb_$m failed (still in use?)"; done
xd_pass "finished"
