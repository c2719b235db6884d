# shellcheck shell=bash
# xd-timeout: 4200
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
# Our backends (xen-blkback.ko, xen-netback.ko of `make modules`, in /xd/bench/modules/
# too) cannot load next to the in-tree ones: the blk and net rows swap them with no
# device of that type attached (detach, rmmod, insmod or modprobe, re-attach; see
# blk_use / net_use), outside the measurements, and before each run record which
# module serves it (XDBPROOF <row> <side> <round> xen_blkback=<ours|intree|...>).
#
# Kernel command line knobs (set by scripts/bench/bench.sh):
#   xd.bench.rounds=N   rounds (default 5)
#   xd.bench.seconds=S  seconds per micro/fio/iperf3 measurement (default 2)
#   xd.bench.xlrounds=N rounds of the xl rows (default: xd.bench.rounds; each round is
#                       2 guest boots or 2 saves + 2 restores, 40-130 s each under TCG)
#   xd.bench.rows=P+P   only rows matching one of these shell patterns (default all)
#   xd.bench.netsides=S+S sides of the net rows (default intree+ours)
#   xd.bench.blksides=S+S sides of the blk rows (default intree+ours+qdisk+local)
#   xd.bench.vcpus=N    vCPUs of the bench guests xbg and xbh (default 1)
# Output (console):
#   XDBROW <row> <unit> <hi|lo> <side,side,...> <what>
#   XDBENCH <row> <side> <round> <value>
#   XDBERR <row> <side> <round> <why>
#   XDBPROOF <row> <side> <round> <module>=<max refcount during the run> ...
#   XDBPROOF <row> <side> <round> xen_blkback|xen_netback=<which module> <srcversion>
#   XDBINFO <text>
#
# Sides: intree, ours (our module), qdisk (QEMU's userspace block backend), local (Dom0
# itself on the backing device). A side may have hooks side_enter_<group>_<side> /
# side_leave_<group>_<side>, run around each of its measurements (not timed). The
# backend rows (blk, net) also take parameterised sides, intree:P=V[:P=V...] or
# ours:P=V[:P=V...]: that backend loaded with these module parameters (modprobe /
# insmod arguments); the proof lines then carry each parameter's value as read back
# from /sys/module/<module>/parameters/ (P=V, "?" if unreadable).

param() { sed -n "s/.*\(^\| \)$1=\([^ ]*\).*/\2/p" /proc/cmdline; }
ROUNDS=$(param xd.bench.rounds)
ROUNDS=${ROUNDS:-5}
SECS=$(param xd.bench.seconds)
SECS=${SECS:-2}
XLROUNDS=$(param xd.bench.xlrounds)
XLROUNDS=${XLROUNDS:-$ROUNDS}
ROWS=$(param xd.bench.rows)
ROWS=${ROWS//+/ }
NET_SIDES=$(param xd.bench.netsides)
NET_SIDES=${NET_SIDES:-intree+ours}
NET_SIDES=${NET_SIDES//+/ }
BLK_SIDES_WANT=$(param xd.bench.blksides)
BLK_SIDES_WANT=${BLK_SIDES_WANT:-intree+ours+qdisk+local}
BLK_SIDES_WANT=${BLK_SIDES_WANT//+/ }
GVCPUS=$(param xd.bench.vcpus)
GVCPUS=${GVCPUS:-1}
BX=/xd/progs/bench-xen
XB=/xd/bench
DOM0_IP=192.0.2.1
xb() { echo "XDB$*"; }
xb INFO "bench kernel=$(uname -r) rounds=$ROUNDS xl-rounds=$XLROUNDS seconds=$SECS rows=${ROWS:-all} net-sides=${NET_SIDES// /,} blk-sides=${BLK_SIDES_WANT// /,} vcpus=$GVCPUS"
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

# Our backends: which module is loaded is told by its srcversion (ours: that of
# /xd/bench/modules/xen-*.ko; in-tree: that of the module modprobe finds, the boot
# being IMPL=intree) and, for ours, its control device /dev/xen/blkback|netback.
declare -A BE_OURS BE_INTREE
for m in xen_blkback xen_netback; do
	BE_OURS[$m]=$(modinfo -F srcversion "$XB/modules/${m//_/-}.ko" 2>/dev/null)
	BE_INTREE[$m]=$(modinfo -F srcversion "${m//_/-}" 2>/dev/null)
	xb INFO "backend $m: ours srcversion ${BE_OURS[$m]:-MISSING} ($XB/modules/${m//_/-}.ko), in-tree ${BE_INTREE[$m]:-none} ($(modinfo -F filename "${m//_/-}" 2>&1)), loaded $(cat "/sys/module/$m/srcversion" 2>/dev/null || echo none)"
done
# be_which MODULE: ours, intree, none (not loaded) or other:<srcversion>
be_which() {
	local m=$1 v=""
	[ -d "/sys/module/$m" ] || { echo none; return; }
	read -r v 2>/dev/null <"/sys/module/$m/srcversion"
	if [ -n "${BE_OURS[$m]}" ] && [ "$v" = "${BE_OURS[$m]}" ] && [ -c "/dev/xen/${m#xen_}" ]; then
		echo ours
	elif [ "$v" = "${BE_INTREE[$m]}" ] && [ "$v" != "${BE_OURS[$m]}" ] && [ ! -e "/dev/xen/${m#xen_}" ]; then
		echo intree
	else
		echo "other:${v:-nosrcversion}"
	fi
}
# side_params SIDE: the module parameters of a parameterised side (ours:a=1:b=2 ->
# "a=1 b=2"), nothing for a plain one
side_params() { case "$1" in *:*) local p=${1#*:}; echo "${p//:/ }" ;; esac; }
# be_proof MODULE [SIDE]: the XDBPROOF payload for the module serving the next run; for
# a parameterised SIDE also the parameters' values read back (P=V)
be_proof() {
	local p v
	printf '%s=%s srcversion=%s' "$1" "$(be_which "$1")" "$(cat "/sys/module/$1/srcversion" 2>/dev/null || echo -)"
	for p in $(side_params "${2:-}"); do
		v=$(cat "/sys/module/$1/parameters/${p%%=*}" 2>/dev/null) || v="?"
		printf ' %s=%s' "${p%%=*}" "${v:-?}"
	done
	echo
}
# be_load MODULE SIDE: load SIDE's MODULE (none loaded): insmod ours or modprobe the
# in-tree one, with SIDE's parameters; on failure the reason on stdout
be_load() {
	local m=$1 base=${2%%:*} out
	# shellcheck disable=SC2046 # the parameters are words
	case "$base" in
	ours) out=$(insmod "$XB/modules/${m//_/-}.ko" $(side_params "$2") 2>&1) || { echo "insmod ours: $out"; return 1; } ;;
	intree) out=$(modprobe "${m//_/-}" $(side_params "$2") 2>&1) || { echo "modprobe ${m//_/-}: $out"; return 1; } ;;
	*) echo "unknown side $2 (intree[:P=V...] or ours[:P=V...])"; return 1 ;;
	esac
}

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
# (/tmp/xbweb/<guest>/cmd-N) and prints their output between XBG-BEGIN N / XBG-END N
# rc. The net-g2g rows add a second guest xbh (256 MiB, iperf3 only) with the same
# agent, started after the blk rows.
GUEST_ROWS="evtchn-rtt-guest blk-randread-4k-qd1 blk-randread-4k-qd32 blk-randwrite-4k-qd1
blk-randwrite-4k-qd32 blk-seqread-1m blk-seqwrite-1m net-g2d-1 net-g2d-4 net-d2g-1 net-d2g-4
net-rr net-g2g-1 net-g2g-4"
# shellcheck disable=SC2086
if any_selected $GUEST_ROWS && [ -d "$XB/guest" ]; then
	if ! modprobe brd rd_nr=1 rd_size=262144 || ! dd if=/dev/zero of=/dev/ram0 bs=1M count=256 2>/dev/null; then
		xb ERR "blk - 0 brd RAM disk not available"
	fi
	rm -rf /tmp/xbpay /tmp/xbweb /tmp/xbhpay
	mkdir -p /tmp/xbpay /tmp/xbweb/xbg /tmp/xbweb/xbh
	cp -a "$XB/guest/." /tmp/xbpay/
	cat >/tmp/xbpay/agent.sh <<-'EOF'
		#!/bin/sh
		mkdir -p /lib64
		cp /xdx/lib64/* /lib64/
		export LD_LIBRARY_PATH=/xdx/xb/lib PATH=/xdx/xb/bin:$PATH
		# Everything runs from RAM (guest-init unpacked xvdb into /xdx): Dom0 detaches
		# xvdb, so that every vbd served by blkback can go for a backend swap.
		IP=192.0.2.1$(sed -n 's/.*xd\.id=\([0-9]\).*/\1/p' /proc/cmdline)
		NAME=$(sed -n 's/.*xd\.name=\([^ ]*\).*/\1/p' /proc/cmdline)
		# After a backend swap the vif comes back as a new eth0 (new ifindex) without
		# address: bring it up and add the address again (idempotent).
		netidx=""
		netup() {
			for d in /sys/class/net/eth*; do
				[ -e "$d" ] || continue
				ip link set "${d##*/}" up
				ip addr add "$IP/24" dev "${d##*/}" 2>/dev/null
			done
			netidx=""
			read -r netidx 2>/dev/null </sys/class/net/eth0/ifindex
		}
		netup
		echo "XBG-AGENT-UP"
		n=1
		while :; do
			if wget -q -O /tmp/xbcmd "http://192.0.2.1:8080/$NAME/cmd-$n" 2>/dev/null; then
				echo "XBG-BEGIN $n"
				sh /tmp/xbcmd 2>&1
				echo "XBG-END $n $?"
				n=$((n + 1))
			else
				idx=""
				read -r idx 2>/dev/null </sys/class/net/eth0/ifindex
				[ "$idx" = "$netidx" ] || { netup; echo "XBG-NET-READD eth0 ifindex ${netidx:-none}"; }
				sleep 1
			fi
		done
	EOF
	printf '#!/bin/sh\nsh /xdx/agent.sh </dev/null &\n' >/tmp/xbpay/run.sh
	# xbh's payload: the agent, iperf3 and its libraries only (ldd; without ldd all
	# the libraries, and xbh gets 512 MiB instead of 256)
	XBH_MEM=256
	if any_selected net-g2g-1 net-g2g-4; then
		mkdir -p /tmp/xbhpay/xb/bin /tmp/xbhpay/xb/lib
		cp -a /tmp/xbpay/lib64 /tmp/xbpay/agent.sh /tmp/xbpay/run.sh /tmp/xbhpay/
		cp -a /tmp/xbpay/xb/bin/iperf3 /tmp/xbhpay/xb/bin/
		libs=$(LD_LIBRARY_PATH=/tmp/xbpay/xb/lib ldd /tmp/xbpay/xb/bin/iperf3 2>/dev/null | awk '$2 == "=>" {print $1}')
		if [ -n "$libs" ]; then
			for l in $libs; do
				[ ! -e "/tmp/xbpay/xb/lib/$l" ] || cp -a "/tmp/xbpay/xb/lib/$l" /tmp/xbhpay/xb/lib/
			done
		else
			cp -a /tmp/xbpay/xb/lib/. /tmp/xbhpay/xb/lib/
			XBH_MEM=512
		fi
		tar -cf /tmp/xbhpay.tar -C /tmp/xbhpay . && rm -rf /tmp/xbhpay
	fi
	tar -cf /tmp/xbpay.tar -C /tmp/xbpay . && rm -rf /tmp/xbpay
	busybox httpd -f -p "$DOM0_IP:8080" -h /tmp/xbweb &
	HTTPD_PID=$!
	iperf3 -s -B "$DOM0_IP" >/dev/null 2>&1 &
	IPERF_PID=$!
	echo 0 >/tmp/xbweb/xbg/.n
	echo 0 >/tmp/xbweb/xbh/.n
	PLOOP=$(losetup -f --show -r /tmp/xbpay.tar)
	QDISK="'format=raw,vdev=xvdc,access=rw,backendtype=qdisk,target=/dev/ram0'"
	# the blk sides asked for (default intree ours qdisk local); the guest gets the
	# qdisk disk only if qdisk is one of them
	BLK_SIDES=$BLK_SIDES_WANT
	blk_noqdisk() { BLK_SIDES=$(echo " $BLK_SIDES " | sed 's/ qdisk / /g' | xargs); }
	xbg_start() {
		XD_GUEST_CMDLINE="" xd_guest_start xbg "memory = 1024" "vcpus = $GVCPUS" \
			"disk = ['$(xd_disk_spec xvda rw /dev/ram0)', '$(xd_disk_spec xvdb ro "$PLOOP")'$1]" \
			>/tmp/xbg-start.log 2>&1
	}
	GLOG=$(xd_guest_log xbg)
	GUEST_OK=""
	if [ "$BLK_SIDES" = "$(echo " $BLK_SIDES " | sed 's/ qdisk / /g' | xargs)" ]; then
		# no qdisk side: the guest without it
		if xbg_start "" && xd_guest_wait xbg XBG-AGENT-UP 300; then
			GUEST_OK=1
		else
			xb ERR "guest - 0 bench guest did not start: $(cat /tmp/xbg-start.log; xd_guest_dump xbg 15 | tr '\n' ' ')"
		fi
	elif xbg_start ", $QDISK" && xd_guest_wait xbg XBG-AGENT-UP 300; then
		GUEST_OK=1
	else
		xb ERR "guest - 0 bench guest with a qdisk disk did not start: $(cat /tmp/xbg-start.log; xd_guest_dump xbg 15 | tr '\n' ' ')"
		for f in /var/log/xen/qemu-dm-xbg.log*; do
			[ -f "$f" ] && xb INFO "$f: $(tail -n 15 "$f" | tr '\n' ' ' | cut -c1-1500)"
		done
		xd_guest_destroy xbg
		# without QEMU: the blkbacks and Dom0-local only
		blk_noqdisk
		if xbg_start "" && xd_guest_wait xbg XBG-AGENT-UP 300; then
			GUEST_OK=1
		else
			xb ERR "guest - 0 bench guest did not start: $(cat /tmp/xbg-start.log; xd_guest_dump xbg 15 | tr '\n' ' ')"
		fi
	fi
	# the payload is in the guest's RAM now: release xvdb (a blk swap needs no vbd on
	# blkback but xvda, which it detaches itself)
	if [ -n "$GUEST_OK" ]; then
		if timeout 120 xl block-detach xbg xvdb >/tmp/xb-detach.log 2>&1; then
			losetup -d "$PLOOP" 2>/dev/null && PLOOP=""
		else
			xb INFO "block-detach xvdb failed (blk swaps will fail): $(tr '\n' ' ' </tmp/xb-detach.log)"
		fi
	fi
	[ -z "$GUEST_OK" ] ||
		xb INFO "bench guest up: $(grep -a -m1 GUEST-DISK "$GLOG" | tr -d '\r'); backends $(cd /sys/bus/xen-backend/devices 2>/dev/null && echo *)"
	# where the CPUs go while nothing is measured (a busy domain skews every row)
	[ -z "$GUEST_OK" ] || xb INFO "idle CPU use: $(xentop -b -i 2 -d 3 2>/dev/null | awk '$1 == "NAME" {n++} n == 2 && $1 != "NAME" {printf "%s %s%%; ", $1, $4}')"
	[ -z "$GUEST_OK" ] || xb INFO "vcpus: $(xl vcpu-list 2>/dev/null | awk 'NR > 1 {printf "%s/%s cpu %s %s; ", $1, $3, $4, $5}')"
fi

# gcmd_on GUEST TIMEOUT SCRIPT: run SCRIPT in GUEST (xbg, xbh), print its output.
# (The counter is a file: gcmd runs in command substitutions.) gcmd: on xbg.
gcmd_on() {
	local g=$1 t=$2 n
	read -r n <"/tmp/xbweb/$g/.n"
	n=$((n + 1))
	echo "$n" >"/tmp/xbweb/$g/.n"
	printf '%s\n' "$3" >"/tmp/xbweb/$g/cmd-$n"
	xd_guest_wait "$g" "XBG-END $n " "$t" || { echo "guest $g: command $n timed out" >&2; return 1; }
	tr -d '\r' <"$(xd_guest_log "$g")" | awk -v b="XBG-BEGIN $n" -v e="XBG-END $n " '
		$0 == b {p = 1; next} index($0, e) == 1 {exit} p'
}
gcmd() { gcmd_on xbg "$@"; }

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
	# Sides: in-tree blkback and ours (xvda, whichever module serves it), QEMU qdisk
	# (xvdc), Dom0 itself on the RAM disk.
	#
	# blk_use SIDE: make SIDE's xen-blkback (intree or ours, with the parameters of a
	# parameterised side) serve xvda; on failure the reason on stdout. Backends cannot
	# load side by side: with no vbd on blkback (xvdb was released at the start,
	# qdisk's xvdc is QEMU's), detach xvda, rmmod, insmod ours or modprobe the in-tree
	# one, check which module is loaded, attach xvda again and wait until the guest
	# sees it. Lazy: nothing to do if SIDE's module serves already (the sides' order
	# keeps it at one swap a round).
	BLK_NOW=intree
	blk_use() {
		local want=$1 be=/local/domain/0/backend/vbd/$GDOM/51712 w out
		[ "$BLK_NOW" != "$want" ] || [ "$(be_which xen_blkback)" != "${want%%:*}" ] || return 0
		BLK_NOW=unknown
		if xenstore-read "$be/state" >/dev/null 2>&1 &&
			! timeout 120 xl block-detach xbg xvda >/tmp/xb-swap.log 2>&1; then
			echo "block-detach xvda: $(tail -n 2 /tmp/xb-swap.log | tr '\n' ' ')"
			return 1
		fi
		# shellcheck disable=SC2016 # for sh -c
		xd_wait_for 60 sh -c '! ls /sys/bus/xen-backend/devices 2>/dev/null | grep -q "^vbd-"' || {
			echo "vbds still on blkback: $(cd /sys/bus/xen-backend/devices && echo vbd-*)"
			return 1
		}
		if [ -d /sys/module/xen_blkback ] && ! xd_wait_for 20 rmmod xen_blkback; then
			echo "rmmod xen_blkback: $(rmmod xen_blkback 2>&1), refcnt $(cat /sys/module/xen_blkback/refcnt)"
			return 1
		fi
		be_load xen_blkback "$want" || return 1
		w=$(be_which xen_blkback)
		[ "$w" = "${want%%:*}" ] || { echo "loaded xen_blkback is $w, not ${want%%:*}"; return 1; }
		if ! timeout 120 xl block-attach xbg "$(xd_disk_spec xvda rw /dev/ram0)" >/tmp/xb-swap.log 2>&1; then
			echo "block-attach xvda: $(tail -n 2 /tmp/xb-swap.log | tr '\n' ' ')"
			return 1
		fi
		xd_wait_for 60 sh -c "[ \"\$(xenstore-read $be/state 2>/dev/null)\" = 4 ]" || {
			echo "xvda backend state $(xenstore-read "$be/state" 2>&1), not 4"
			return 1
		}
		# shellcheck disable=SC2016 # the guest's shell expands
		out=$(gcmd 240 'i=0; while [ ! -b /dev/xvda ] && [ $i -lt 60 ]; do sleep 1; i=$((i + 1)); done; blockdev --getsize64 /dev/xvda') || {
			echo "guest: no answer after the attach"
			return 1
		}
		[ "$out" = 268435456 ] || { echo "guest: xvda size '$out', not 268435456"; return 1; }
		BLK_NOW=$want
	}
	side_enter_blk_local() { xl pause xbg; }
	side_leave_blk_local() { xl unpause xbg; }
	blk_run() {
		local side=$1 args=$2 common
		common="--direct=1 --ioengine=libaio --runtime=$SECS --time_based --size=240M --output-format=terse --terse-version=3"
		# shellcheck disable=SC2086 # word lists
		case "$side" in
		local) fio $common --filename=/dev/ram0 $args ;;
		intree | ours | intree:* | ours:*) gcmd $((SECS * 20 + 180)) "fio $common --filename=/dev/xvda $args" ;;
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
				# the backend swap (not timed): on failure no run, an error per row
				if [ "${s%%:*}" = intree ] || [ "${s%%:*}" = ours ]; then
					# (not in a subshell: blk_use keeps BLK_NOW)
					if ! blk_use "$s" >/tmp/xb-why 2>&1; then
						why=$(tr '\n' ' ' </tmp/xb-why | cut -c1-300)
						for t in $blk_table; do t=${t#*:}; xb ERR "${t%%:*} $s $r backend swap failed: $why"; done
						continue
					fi
					proof=$(be_proof xen_blkback "$s")
					for t in $blk_table; do t=${t#*:}; xb PROOF "${t%%:*} $s $r $proof"; done
				fi
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
		blk_use intree >/tmp/xb-why 2>&1 || xb INFO "swap back to the in-tree blkback failed: $(tr '\n' ' ' </tmp/xb-why)"
		xb INFO "blkback after the blk rows: $(be_proof xen_blkback)"
	fi

	# iperf3, the guest is the client; -R: the server sends. HOST: Dom0 or xbh.
	m_net() {
		local out
		out=$(gcmd $((SECS * 3 + 120)) "iperf3 -c ${5:-$DOM0_IP} -t $SECS -P $3 -f m $4") || return 1
		printf '%s\n' "$out" | awk '/receiver/ {for (i = 2; i <= NF; i++) if ($i == "Mbits/sec") v = $(i - 1)}
			END {if (v == "") exit 1; print v}' || { printf '%s\n' "$out" | tail -n 3 >&2; return 1; }
	}
	# UDP request/response (tests/progs/netrr): the guest is the client, the server runs
	# in Dom0; the mean round trip in us, the run's time over its round trips (the
	# rest of its line, with the per-trip median, to /tmp/xb-detail)
	NETRR_PORT=7007
	m_net_rr() {
		local out
		out=$(gcmd $((SECS * 3 + 120)) "/xd/progs/netrr client $DOM0_IP $NETRR_PORT $SECS") || return 1
		printf '%s\n' "$out" | awk '$1 == "XBRESULT" {print $2; $1 = $2 = ""; print >"/tmp/xb-detail"; ok = 1}
			END {exit !ok}' || { printf '%s\n' "$out" | tail -n 3 >&2; return 1; }
	}

	# The net-g2g rows' second guest xbh (256 MiB, iperf3 server, same agent), started
	# now (after the blk rows: no blk swap has to detach its payload disk) and paused
	# while the other net rows run, so that those see the same domains as without it.
	NET_GUESTS=xbg
	XBH_OK="" XBH_PAUSED="" HLOOP=""
	if any_selected net-g2g-1 net-g2g-4; then
		if [ ! -s /tmp/xbhpay.tar ]; then
			xb ERR "net-g2g - 0 no payload for the second guest"
		elif ! HLOOP=$(losetup -f --show -r /tmp/xbhpay.tar); then
			xb ERR "net-g2g - 0 losetup of the second guest's payload failed"
		elif ! XD_GUEST_CMDLINE="" xd_guest_start xbh "memory = $XBH_MEM" "vcpus = $GVCPUS" \
			"disk = ['$(xd_disk_spec xvdb ro "$HLOOP")']" >/tmp/xbh-start.log 2>&1 ||
			! xd_guest_wait xbh XBG-AGENT-UP 300; then
			xb ERR "net-g2g - 0 second guest did not start: $(cat /tmp/xbh-start.log; xd_guest_dump xbh 15 | tr '\n' ' ')"
		elif ! out=$(gcmd_on xbh 120 'iperf3 -s -D >/dev/null 2>&1; sleep 1; pidof iperf3') || [ -z "$out" ]; then
			xb ERR "net-g2g - 0 no iperf3 server in the second guest: $out"
		else
			XBH_OK=1
			NET_GUESTS="xbg xbh"
			XBH_IP=$(xd_guest_ip xbh)
			xb INFO "second guest xbh up: $XBH_MEM MiB, $GVCPUS vCPU(s), $XBH_IP; vcpus: $(xl vcpu-list 2>/dev/null | awk 'NR > 1 {printf "%s/%s cpu %s %s; ", $1, $3, $4, $5}')"
		fi
		# a second guest that is not in use must not keep a vif on netback (the swaps)
		if [ -z "$XBH_OK" ] && [ -f /tmp/xd-guest-xbh.cfg ]; then
			xd_guest_destroy xbh >/dev/null 2>&1 || xb INFO "destroying the second guest failed"
		fi
	fi
	xbh_pause() { [ -z "$XBH_OK" ] || [ -n "$XBH_PAUSED" ] || { xl pause xbh && XBH_PAUSED=1; }; }
	xbh_run() { [ -z "$XBH_PAUSED" ] || { xl unpause xbh && XBH_PAUSED=""; }; }
	m_net_g2g() {
		[ -n "$XBH_OK" ] || { echo "no second guest" >&2; return 1; }
		m_net "$1" "$2" "$3" "$4" "$XBH_IP"
	}

	# net_use SIDE: make SIDE's xen-netback (intree or ours, with the parameters of a
	# parameterised side) serve the vifs of every bench guest; on failure the reason on
	# stdout. As blk_use: network-detach every vif of every guest, rmmod, insmod ours
	# or modprobe the in-tree one, check which module is loaded, network-attach (same
	# MAC, the lean hotplug script), wait for the backends to connect and for the
	# guests' agents to answer (each brings its new eth0 up and adds its address
	# itself when a fetch fails). Lazy like blk_use.
	NET_NOW=intree
	net_use() {
		local want=$1 w out d g dom
		[ "$NET_NOW" != "$want" ] || [ "$(be_which xen_netback)" != "${want%%:*}" ] || return 0
		NET_NOW=unknown
		xbh_run || { echo "xl unpause xbh failed"; return 1; }
		for g in $NET_GUESTS; do
			for d in $(xl network-list "$g" 2>/dev/null | awk 'NR > 1 {print $1}'); do
				timeout 90 xl network-detach "$g" "$d" >/tmp/xb-swap.log 2>&1 || {
					echo "network-detach $g $d: $(tail -n 2 /tmp/xb-swap.log | tr '\n' ' ')"
					return 1
				}
			done
		done
		# shellcheck disable=SC2016 # for sh -c
		xd_wait_for 60 sh -c '! ls /sys/bus/xen-backend/devices 2>/dev/null | grep -q "^vif-"' || {
			echo "vifs still on netback: $(cd /sys/bus/xen-backend/devices && echo vif-*)"
			return 1
		}
		if [ -d /sys/module/xen_netback ] && ! xd_wait_for 20 rmmod xen_netback; then
			echo "rmmod xen_netback: $(rmmod xen_netback 2>&1), refcnt $(cat /sys/module/xen_netback/refcnt)"
			return 1
		fi
		be_load xen_netback "$want" || return 1
		w=$(be_which xen_netback)
		[ "$w" = "${want%%:*}" ] || { echo "loaded xen_netback is $w, not ${want%%:*}"; return 1; }
		for g in $NET_GUESTS; do
			if ! timeout 90 xl network-attach "$g" bridge=xenbr0 "mac=00:16:3e:00:00:0$(cat "$XD_STATE/guest-$g.id")" \
				"script=$XD_DIR/vif-script" >/tmp/xb-swap.log 2>&1; then
				echo "network-attach $g: $(tail -n 2 /tmp/xb-swap.log | tr '\n' ' ')"
				return 1
			fi
		done
		for g in $NET_GUESTS; do
			dom=$(xl domid "$g")
			xd_wait_for 60 sh -c "for d in \$(xenstore-list /local/domain/0/backend/vif/$dom 2>/dev/null); do
				[ \"\$(xenstore-read /local/domain/0/backend/vif/$dom/\$d/state)\" = 4 ] && exit 0; done; exit 1" || {
				echo "vif backend of $g not connected: $(xenstore-ls "/local/domain/0/backend/vif/$dom" 2>&1 | grep -E 'state|hotplug' | tr '\n' ' ')"
				return 1
			}
		done
		for g in $NET_GUESTS; do
			out=$(gcmd_on "$g" 240 'echo XBG-NET-BACK') || {
				net_swap_diag "$g" >>/tmp/xb-diag
				echo "guest $g: agent did not answer after the attach"
				return 1
			}
			[ "$out" = XBG-NET-BACK ] || { echo "guest $g: agent answered '$out'"; return 1; }
		done
		NET_NOW=$want
	}
	# net_swap_diag G: what a guest that stopped answering after a swap looked like (on
	# stdout, as XDBINFO lines; the caller prints them once after the swap's ERR lines):
	# its state, its vif's backend and netdev, and the end of its console.
	net_swap_diag() {
		local g=$1 dom
		dom=$(xl domid "$g" 2>/dev/null)
		xb INFO "swap-diag $g: $(xl list "$g" 2>&1 | tail -n 1 | tr -s ' ')"
		xb INFO "swap-diag $g: $(xenstore-ls "/local/domain/0/backend/vif/$dom" 2>&1 |
			grep -E '^ *[0-9]+ =|state|hotplug|feature-split|multi-queue' | tr -s ' ' | tr '\n' ' ')"
		xb INFO "swap-diag $g: $(ip -s -o link show 2>&1 | grep "vif$dom\\." | tr -s ' ' | cut -c1-400)"
		tr -d '\r' <"$(xd_guest_log "$g")" 2>/dev/null | tail -n 30 | sed "s/^/XDBINFO swap-diag $g console: /"
	}
	# All selected net rows per side and round (one swap a round at most), the sides'
	# order reversed every other round, as the blk rows. xbh runs only for the g2g rows
	# (they come last).
	# row:kind:streams:flag:unit:better:what; kind d: iperf3 to Dom0, rr: netrr to Dom0,
	# g: iperf3 to xbh
	NET_JOBS="net-g2d-1:d:1::Mbit/s:hi:iperf3_guest_->_Dom0,_1_stream
	net-g2d-4:d:4::Mbit/s:hi:iperf3_guest_->_Dom0,_4_streams
	net-d2g-1:d:1:-R:Mbit/s:hi:iperf3_Dom0_->_guest,_1_stream
	net-d2g-4:d:4:-R:Mbit/s:hi:iperf3_Dom0_->_guest,_4_streams
	net-rr:rr:1::us:lo:UDP_1-byte_request/response_guest_<->_Dom0,_mean_round_trip
	net-g2g-1:g:1::Mbit/s:hi:iperf3_guest_->_guest_across_the_bridge,_1_stream
	net-g2g-4:g:4::Mbit/s:hi:iperf3_guest_->_guest_across_the_bridge,_4_streams"
	net_sel=""
	for j in $NET_JOBS; do
		IFS=: read -r row kind p f unit better what <<<"$j"
		selected "$row" || continue
		net_sel="$net_sel $row:$kind:$p:$f"
		xb ROW "$row $unit $better ${NET_SIDES// /,} ${what//_/ }"
	done
	NETRR_PID=""
	if [[ " $net_sel" == *" net-rr:"* ]]; then
		/xd/progs/netrr server "$NETRR_PORT" 7200 >/tmp/xb-netrr.log 2>&1 &
		NETRR_PID=$!
	fi
	if [ -n "$net_sel" ]; then
		for r in $(seq 1 "$ROUNDS"); do
			order=$NET_SIDES
			[ $((r % 2)) -eq 1 ] || order=$(echo "$order" | awk '{for (i = NF; i > 0; i--) printf "%s ", $i}')
			for s in $order; do
				if ! net_use "$s" >/tmp/xb-why 2>&1; then
					why=$(tr '\n' ' ' </tmp/xb-why | cut -c1-300)
					for t in $net_sel; do xb ERR "${t%%:*} $s $r backend swap failed: $why"; done
					if [ -s /tmp/xb-diag ]; then
						cat /tmp/xb-diag
						rm -f /tmp/xb-diag
					fi
					continue
				fi
				proof=$(be_proof xen_netback "$s")
				for t in $net_sel; do
					IFS=: read -r row kind p f <<<"$t"
					if [ "$kind" = g ]; then xbh_run; else xbh_pause; fi
					xb PROOF "$row $s $r $proof"
					rm -f /tmp/xb-detail
					case "$kind" in
					d) fn=m_net ;;
					rr) fn=m_net_rr ;;
					g) fn=m_net_g2g ;;
					esac
					if v=$("$fn" "$s" "$r" "$p" "$f" 2>/tmp/xb-err) && [ -n "$v" ]; then
						xb ENCH "$row $s $r $v"
						[ ! -s /tmp/xb-detail ] || xb INFO "$row $s $r:$(cat /tmp/xb-detail)"
					else
						xb ERR "$row $s $r $(tr '\n' ' ' </tmp/xb-err | cut -c1-300)"
					fi
				done
			done
		done
		net_use intree >/tmp/xb-why 2>&1 || xb INFO "swap back to the in-tree netback failed: $(tr '\n' ' ' </tmp/xb-why)"
		xb INFO "netback after the net rows: $(be_proof xen_netback)"
	fi
	[ -z "$NETRR_PID" ] || kill "$NETRR_PID" 2>/dev/null
	xbh_run
	[ ! -f /tmp/xd-guest-xbh.cfg ] || xd_guest_destroy xbh
	[ -z "$HLOOP" ] || losetup -d "$HLOOP" 2>/dev/null
fi
[ ! -f /tmp/xd-guest-xbg.cfg ] || xd_guest_destroy xbg
[ -z "${PLOOP:-}" ] || losetup -d "$PLOOP" 2>/dev/null
[ -z "${HTTPD_PID:-}" ] || kill "$HTTPD_PID" 2>/dev/null
[ -z "${IPERF_PID:-}" ] || kill "$IPERF_PID" 2>/dev/null
rm -f /tmp/xbpay.tar
for m in privcmd gntdev evtchn; do rmmod "xdb_$m" 2>/dev/null || xb INFO "rmmod xdb_$m failed (still in use?)"; done
xd_pass "finished"
