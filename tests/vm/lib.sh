# shellcheck shell=bash
# Helpers for VM test scenarios, sourced inside Dom0 (as /xd/lib.sh).
#
# Result protocol (Dom0 console -> QEMU serial -> host):
#   XDTEST PASS <scenario>/<check>
#   XDTEST FAIL <scenario>/<check> <detail>
#   XDTEST SKIP <scenario>/<check> <reason>
#   XDTEST END <scenario>          (printed by the runner)
# The current scenario name is $XD_SCENARIO (set by the runner).

XD_SCENARIO=${XD_SCENARIO:-adhoc}
XD_DIR=${XD_DIR:-/xd}
XD_STATE=${XD_STATE:-/run/xd}
XD_CONSOLE_DIR=/var/log/xen/console
mkdir -p "$XD_STATE" 2>/dev/null || true

# One line, no newlines or carriage returns inside.
xd__oneline() { printf '%s' "$*" | tr '\r\n\t' '   ' | cut -c1-400; }

xd_pass() { echo "XDTEST PASS $XD_SCENARIO/$1"; }
xd_fail() {
	local c=$1
	shift
	echo "XDTEST FAIL $XD_SCENARIO/$c $(xd__oneline "${*:-failed}")"
	echo "$XD_SCENARIO/$c" >>"$XD_STATE/failed"
}
xd_skip() {
	local c=$1
	shift
	echo "XDTEST SKIP $XD_SCENARIO/$c $(xd__oneline "${*:-skipped}")"
}
xd_info() { echo "XDINFO $*"; }

# xd_finding IMPL NAME DETAIL: a failed check.  A FAIL when our module serves
# the device (IMPL=ours); with the in-tree module, the reference we replace,
# it is a finding: SKIP with "finding:" plus an XDFINDING console line.
xd_finding() {
	if [ "$1" = ours ]; then
		xd_fail "$2" "$3"
	else
		xd_skip "$2" "finding: $3"
		echo "XDFINDING $XD_SCENARIO/$2 $1 $(xd__oneline "$3")"
	fi
}

# xd_check CHECK CMD [ARGS...]: PASS if CMD exits 0, else FAIL with its output.
xd_check() {
	local c=$1 out rc
	shift
	out=$("$@" 2>&1) && rc=0 || rc=$?
	if [ "$rc" -eq 0 ]; then
		xd_pass "$c"
	else
		xd_fail "$c" "'$*' exited $rc: $(printf '%s' "$out" | tail -n 3)"
	fi
	return "$rc"
}

# xd_run_prog PREFIX PROG [ARGS...]: run a test program (from /xd/progs unless a path is
# given) and turn its "PASS <check>" / "FAIL <check>: <detail>" / "SKIP <check>: <reason>"
# lines into results named PREFIX/<check>. Other output is shown indented.
# A non-zero exit without any FAIL line, or no result at all, is a failure.
xd_run_prog() {
	local prefix=$1 prog=$2 out rc line nres=0 nfail=0
	shift 2
	case "$prog" in
	*/*) ;;
	*) prog=$XD_DIR/progs/$prog ;;
	esac
	if [ ! -x "$prog" ]; then
		xd_fail "$prefix/missing" "test program $prog not found"
		return 1
	fi
	out=$(mktemp)
	"$prog" "$@" >"$out" 2>&1 && rc=0 || rc=$?
	while IFS= read -r line; do
		case "$line" in
		"PASS "*)
			xd_pass "$prefix/${line#PASS }"
			nres=$((nres + 1))
			;;
		"FAIL "*)
			line=${line#FAIL }
			xd_fail "$prefix/${line%%:*}" "${line#*:}"
			nres=$((nres + 1))
			nfail=$((nfail + 1))
			;;
		"SKIP "*)
			line=${line#SKIP }
			xd_skip "$prefix/${line%%:*}" "${line#*:}"
			nres=$((nres + 1))
			;;
		*) printf '  | %s\n' "$line" ;;
		esac
	done <"$out"
	rm -f "$out"
	if [ "$rc" -ne 0 ] && [ "$nfail" -eq 0 ]; then
		xd_fail "$prefix/exit" "$(basename "$prog") exited with status $rc without a FAIL line"
	elif [ "$rc" -eq 0 ] && [ "$nfail" -gt 0 ]; then
		xd_fail "$prefix/exit" "$(basename "$prog") reported failures but exited 0"
	elif [ "$nres" -eq 0 ]; then
		xd_fail "$prefix/no-results" "$(basename "$prog") printed no PASS/FAIL line"
	fi
	[ "$rc" -eq 0 ] && [ "$nfail" -eq 0 ]
}

# Which implementation serves module $1 (as detected at boot by /init):
# prints "ours", "intree", "builtin" or "none".
xd_module_impl() {
	awk -v m="$1" '$1 == m {print $2; found = 1} END {if (!found) print "none"}' "$XD_STATE/modules" 2>/dev/null
}
# The implementation selected on the kernel command line (xd.impl=ours|intree).
xd_impl() { sed -n 's/.*xd\.impl=\([a-z]*\).*/\1/p' /proc/cmdline; }

# Wait until CMD succeeds, at most TIMEOUT seconds: xd_wait_for TIMEOUT CMD [ARGS...]
xd_wait_for() {
	local t=$1 i=0
	shift
	while ! "$@" >/dev/null 2>&1; do
		i=$((i + 1))
		[ "$i" -le "$t" ] || return 1
		sleep 1
	done
}

# ping that works in Dom0 (minbase has no iputils; Debian's busybox has the applet).
xd_ping() {
	if command -v ping >/dev/null 2>&1; then ping "$@"; else busybox ping "$@"; fi
}

# xd_ping_retry LOG PING-ARGS...: up to 5 pings 2 s apart (a bridge port may still be
# learning); the last output in LOG. Returns 0 at the first answer.
xd_ping_retry() {
	local log=$1
	shift
	for _ in 1 2 3 4 5; do
		xd_ping "$@" >"$log" 2>&1 && return 0
		sleep 2
	done
	return 1
}

# xd_net_brief NAME: one short line on guest NAME's vif (for a failure message, which
# the suite's summary keeps): carrier, bridge port state, packet counters, backend and
# frontend states, the guest's network line.
xd_net_brief() {
	local domid v out="" n
	domid=$(xl domid "$1" 2>/dev/null) || {
		echo "no domain $1"
		return 0
	}
	for v in /sys/class/net/vif"$domid".*; do
		[ -e "$v" ] || continue
		n=${v##*/}
		out="$out$n carrier=$(cat "$v/carrier" 2>/dev/null) brport=$(cat "$v/brport/state" 2>/dev/null) rx=$(cat "$v/statistics/rx_packets") tx=$(cat "$v/statistics/tx_packets") txdrop=$(cat "$v/statistics/tx_dropped"); "
	done
	out="${out:-no vif$domid.* netdev; }$(xd_net_rings "$domid" | tr '\n' ' ')be=$(xenstore-read "/local/domain/0/backend/vif/$domid/0/state" 2>/dev/null) fe=$(xenstore-read "/local/domain/$domid/device/vif/0/state" 2>/dev/null); "
	echo "$out$(grep -a -E 'GUEST-NET|eth0' "$(xd_guest_log "$1")" 2>/dev/null | tail -n 3 | tr -d '\r' | tr '\n' ' ')"
}

# xd_net_rings DOMID: the shared-ring indices of the domain's vif 0 (each queue's
# tx and rx ring, mapped read-only through gntdev by /xd/progs/ringpeek).
xd_net_rings() {
	local fe=/local/domain/$1/device/vif/0 d q t r
	for d in "$fe" $(xenstore-list "$fe" 2>/dev/null | grep '^queue-' | sed "s|^|$fe/|"); do
		t=$(xenstore-read "$d/tx-ring-ref" 2>/dev/null) || continue
		r=$(xenstore-read "$d/rx-ring-ref" 2>/dev/null) || continue
		q=${d#"$fe"}
		echo "${q#/}${q:+ }tx: $("$XD_DIR/progs/ringpeek" "$1" "$t" | cut -d' ' -f3-) rx: $("$XD_DIR/progs/ringpeek" "$1" "$r" | cut -d' ' -f3-);"
	done
}

# xd_net_diag NAME: the state of guest NAME's vif as XDINFO lines (after a failed ping):
# carrier and counters of each vif of the domain, its bridge port, the bridge's entry for
# the guest's MAC, the neighbour entry, the backend and frontend xenstore states, the
# backend's own statistics (ours: xdctl) and the vif's kernel messages.
xd_net_diag() {
	local name=$1 domid v be n mac
	domid=$(xl domid "$name" 2>/dev/null) || {
		xd_info "netdiag $name: no such domain"
		return 0
	}
	n=$(cat "$XD_STATE/guest-$name.id" 2>/dev/null)
	mac=00:16:3e:00:00:0$n
	for v in /sys/class/net/vif"$domid".*; do
		[ -e "$v" ] || continue
		v=${v##*/}
		xd_info "netdiag $v: $(xd__oneline "$(ip -s link show "$v" 2>&1)") carrier=$(cat "/sys/class/net/$v/carrier" 2>&1) master=$(basename "$(readlink "/sys/class/net/$v/master" 2>/dev/null)" 2>/dev/null) brport-state=$(cat "/sys/class/net/$v/brport/state" 2>&1)"
		xd_info "netdiag $v kernel: $(xd__oneline "$(dmesg | grep -a "$v" | tail -n 6)")"
		[ ! -x "$XD_DIR/progs/xdctl" ] || [ ! -e /dev/xen/netback ] ||
			xd_info "netdiag $v xdctl: $(xd__oneline "$("$XD_DIR/progs/xdctl" net stats "$v" 2>&1)")"
	done
	xd_info "netdiag fdb: $(xd__oneline "$(bridge fdb show 2>/dev/null | grep -i "$mac")") neigh: $(xd__oneline "$(ip neigh show 2>/dev/null | grep -i "$mac")")"
	xd_info "netdiag rings of $name: $(xd__oneline "$(xd_net_rings "$domid")")"
	for be in $(xenstore-list "/local/domain/0/backend/vif/$domid" 2>/dev/null); do
		be=/local/domain/0/backend/vif/$domid/$be
		xd_info "netdiag backend $be state=$(xenstore-read "$be/state" 2>&1) hotplug=$(xenstore-read "$be/hotplug-status" 2>&1) fe-state=$(xenstore-read "/local/domain/$domid/device/vif/${be##*/}/state" 2>&1)"
	done
}

# ------------------------------------------------------------------ guests
# xd_disk_spec VDEV ACCESS TARGET: one xl disk spec (without quotes) for a phy device,
# e.g. disk = ['$(xd_disk_spec xvda rw /dev/loop0)']. It names the harness' lean hotplug
# script (/xd/block-script, see there why) unless XD_GUEST_BLOCK_SCRIPT=debian, which
# leaves Debian's /etc/xen/scripts/block (slow under TCG: about 20-40 s per disk).
xd_disk_spec() {
	local script=""
	[ "${XD_GUEST_BLOCK_SCRIPT:-lean}" = debian ] || script="script=$XD_DIR/block-script,"
	echo "format=raw,vdev=$1,access=$2,${script}target=$3"
}

# xd_guest_start NAME [XL-CONFIG-LINE...]
# Starts a PV guest of the running kernel with the harness' guest initramfs, a fresh
# disk (XD_GUEST_DISK_MB, default 64, sparse file in /tmp on a new loop device, as xvda)
# and a vif on xenbr0. The guest's number N (1-9) gives MAC 00:16:3e:00:00:0N and IP
# 192.0.2.1N (see xd_guest_ip). Extra arguments are appended to the xl config as lines
# (a later key overrides an earlier one). XD_GUEST_CMDLINE adds kernel parameters,
# e.g. "xd.poweroff=1" or "xd.run=/xd/progs/foo". XD_GUEST_PAYLOAD=FILE.tar attaches
# FILE.tar read-only as xvdb: the guest unpacks it and runs its run.sh.
# XD_GUEST_DISKS="'SPEC', 'SPEC'" adds disks (the scenario frees their devices).
# Files: /tmp/xd-guest-NAME.{cfg,img}; console log $XD_CONSOLE_DIR/guest-NAME.log.
xd_guest_start() {
	local name=$1 n loop img cfg kernel=$XD_DIR/guest/vmlinuz ramdisk=$XD_DIR/guest/initrd.gz line
	shift
	n=$(($(cat "$XD_STATE/guest-seq" 2>/dev/null || echo 0) % 9 + 1))
	echo "$n" >"$XD_STATE/guest-seq"
	echo "$n" >"$XD_STATE/guest-$name.id"
	img=/tmp/xd-guest-$name.img
	cfg=/tmp/xd-guest-$name.cfg
	rm -f "$img" "$XD_CONSOLE_DIR/guest-$name.log"
	truncate -s "${XD_GUEST_DISK_MB:-64}M" "$img" || return 1
	loop=$(losetup -f --show "$img") || {
		echo "xd_guest_start: losetup failed" >&2
		return 1
	}
	echo "$loop" >"$XD_STATE/guest-$name.loop"
	local disks
	disks="'$(xd_disk_spec xvda rw "$loop")'"
	if [ -n "${XD_GUEST_PAYLOAD:-}" ]; then
		local ploop
		ploop=$(losetup -f --show -r "$XD_GUEST_PAYLOAD") || {
			echo "xd_guest_start: losetup of $XD_GUEST_PAYLOAD failed" >&2
			return 1
		}
		echo "$ploop" >>"$XD_STATE/guest-$name.loop"
		disks="$disks, '$(xd_disk_spec xvdb ro "$ploop")'"
	fi
	# more disks, as quoted xl specs separated by commas (see xd_disk_spec)
	[ -z "${XD_GUEST_DISKS:-}" ] || disks="$disks, $XD_GUEST_DISKS"
	{
		echo "name = \"$name\""
		echo 'type = "pv"'
		echo "kernel = \"$kernel\""
		echo "ramdisk = \"$ramdisk\""
		echo "extra = \"console=hvc0 xd.id=$n xd.name=$name ${XD_GUEST_CMDLINE:-}\""
		echo 'memory = 256'
		echo 'vcpus = 1'
		echo "disk = [$disks]"
		echo "vif = ['bridge=xenbr0,mac=00:16:3e:00:00:0$n']"
		echo 'on_poweroff = "destroy"'
		echo 'on_reboot = "destroy"'
		echo 'on_crash = "destroy"'
		for line in "$@"; do echo "$line"; done
	} >"$cfg"
	xd_info "guest $name: id $n ip 192.0.2.1$n disk $loop ($img)"
	if ! timeout 120 xl create "$cfg" >"$XD_STATE/guest-$name.create.log" 2>&1; then
		echo "xl create $name failed:" >&2
		tail -n 20 "$XD_STATE/guest-$name.create.log" >&2
		echo "---- /var/log/xen/xen-hotplug.log (tail)" >&2
		tail -n 30 /var/log/xen/xen-hotplug.log >&2 2>/dev/null
		echo "---- /var/log/xen/xl-$name.log (tail)" >&2
		tail -n 30 "/var/log/xen/xl-$name.log" >&2 2>/dev/null
		echo "----" >&2
		return 1
	fi
}

xd_guest_ip() { echo "192.0.2.1$(cat "$XD_STATE/guest-$1.id")"; }
xd_guest_log() { echo "$XD_CONSOLE_DIR/guest-$1.log"; }
xd_guest_exists() { xl list "$1" >/dev/null 2>&1; }

# xd_sh_wait_ping TRIES ONFAIL HOST...: prints guest shell code (for a guest
# payload's run.sh) that waits until every HOST answers a ping, at most TRIES
# seconds per host, else runs ONFAIL (e.g. "break"; @HOST@ in it is replaced
# by the host).  A HOST may be a guest shell variable ('$peer').
xd_sh_wait_ping() {
	local tries=$1 onfail=$2 h p
	shift 2
	for h in "$@"; do
		p=ping
		case $h in *:*) p="ping -6" ;; esac
		printf 'i=0\nuntil %s -c 1 -W 2 %s >/dev/null 2>&1; do\n' "$p" "$h"
		# shellcheck disable=SC2016 # guest code, expanded by the guest
		printf '\ti=$((i + 1))\n\t[ $i -lt %s ] || { %s; }\n\tsleep 1\ndone\n' \
			"$tries" "${onfail//@HOST@/$h}"
	done
}

# xd_domains_gone [CHECK]: only Domain-0 is left within 30 s (a domain whose
# grants are still mapped stays as a dying "(null)" domain).
xd_domains_gone() {
	local c=${1:-domain-gone}
	if xd_wait_for 30 sh -c "! xl list 2>/dev/null | tail -n +2 | grep -vq '^Domain-0 '"; then
		xd_pass "$c"
	else
		xd_fail "$c" "domains left: $(xl list 2>&1 | tail -n +2 | tr '\n' ';')"
	fi
}

# xd__backends_left DOMID: prints what Dom0 still holds of domain DOMID's
# devices (nothing if none): its backend directories in xenstore
# (backend/vbd|vif/DOMID, with their state and hotplug-status), its
# xen-backend devices in sysfs (vbd-DOMID-*, vif-DOMID-*), its blkback queue
# threads (blkback.DOMID.*).
xd__backends_left() {
	local d=$1 t f
	for t in vbd vif; do
		xenstore-read "/local/domain/0/backend/$t/$d" >/dev/null 2>&1 &&
			printf 'xenstore: %s ' "$(xenstore-ls -f "/local/domain/0/backend/$t/$d" 2>/dev/null |
				grep -E '/(state|hotplug-status) ' | tr -d '"' | tr '\n' ';')"
	done
	for f in /sys/bus/xen-backend/devices/vbd-"$d"-* /sys/bus/xen-backend/devices/vif-"$d"-*; do
		[ ! -e "$f" ] || printf 'sysfs: %s ' "${f##*/}"
	done
	pgrep -l "^blkback\.$d\." | tr '\n' ' ' | sed 's/^./threads: &/'
}
xd__backends_none() { [ -z "$(xd__backends_left "$1")" ]; }

# xd_backends_gone DOMID [SEC]: waits (default 30 s) until Dom0 holds nothing
# of domain DOMID's devices (xd__backends_left). Else prints what is left and
# returns 1.
xd_backends_gone() {
	xd_wait_for "${2:-30}" xd__backends_none "$1" && return 0
	echo "left of domain $1: $(xd__backends_left "$1")"
	return 1
}

# xd_module_cycle MODULE IMPL: checks rmmod (the module unloads once no
# device uses it: nothing leaked) and reload (modprobe loads IMPL again).
xd_module_cycle() {
	local m=$1 impl=$2
	if xl list 2>/dev/null | tail -n +2 | grep -vq '^Domain-0 '; then
		xd_skip rmmod "other domains are running"
	elif xd_wait_for 30 rmmod "$m"; then
		xd_pass rmmod
	else
		xd_fail rmmod "rmmod $m: $(rmmod "$m" 2>&1) refcnt $(cat "/sys/module/${m//-/_}/refcnt" 2>&1)"
	fi
	if modprobe "$m" && [ "$(xd_module_impl "$m")" = "$impl" ]; then
		xd_pass reload
	else
		xd_fail reload "modprobe $m failed or loaded another implementation"
	fi
}

# xd_guest_wait NAME MARKER TIMEOUT: wait for MARKER (fixed string) in the guest's console log.
xd_guest_wait() {
	local log i=0
	log=$(xd_guest_log "$1")
	while ! grep -qF -- "$2" "$log" 2>/dev/null; do
		i=$((i + 1))
		[ "$i" -le "$3" ] || return 1
		sleep 1
	done
}

# Print the guest's console log (indented), e.g. after a failure.
xd_guest_dump() {
	echo "---- console of guest $1"
	sed 's/^/  > /' "$(xd_guest_log "$1")" 2>/dev/null | tr -d '\r' | tail -n "${2:-60}"
	echo "----"
}

# xd_guest_destroy NAME: xl destroy (if it still exists), wait until it is gone, free
# the loop device and the disk file. Returns non-zero if something stays behind.
xd_guest_destroy() {
	local name=$1 loop rc=0
	if xd_guest_exists "$name"; then
		timeout 60 xl destroy "$name" >&2 || rc=1
	fi
	xd_wait_for 30 sh -c "! xl list '$name'" || rc=1
	[ ! -f "$XD_STATE/guest-$name.loop" ] ||
		while read -r loop; do
			xd_wait_for 20 losetup -d "$loop" || rc=1
		done <"$XD_STATE/guest-$name.loop"
	rm -f "$XD_STATE/guest-$name.loop"
	rm -f "/tmp/xd-guest-$name.img"
	return "$rc"
}
