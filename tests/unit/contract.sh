# SPDX-License-Identifier: GPL-2.0-only
# The contract checker accepts the real kernels and names exactly what is
# missing from kernels made unsuitable on purpose.
. "$(dirname "$0")/lib.inc"

chk=$top/shim/check-contract.sh
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

for k in $(header_kvers); do
	kd=/lib/modules/$k/build
	out=$("$chk" "$kd" 2>&1); rc=$?
	expect "accepts/$k" $rc "$out"

	# A fake build directory: the real .config and Module.symvers, mutated.
	f=$tmp/$k
	mkdir -p "$f"

	cp "$kd/.config" "$f/.config"
	grep -v -w 'bind_evtchn_to_irqhandler_lateeoi' "$kd/Module.symvers" > "$f/Module.symvers"
	out=$("$chk" "$f" 2>&1); rc=$?
	[ $rc -eq 1 ] && echo "$out" | grep -q 'missing: exported symbol bind_evtchn_to_irqhandler_lateeoi (needed by xen-evtchn)'
	expect "names-missing-symbol/$k" $? "rc=$rc: $out"

	cp "$kd/Module.symvers" "$f/Module.symvers"
	sed 's/^CONFIG_XEN_DEV_EVTCHN=.*/CONFIG_XEN_DEV_EVTCHN=y/' "$kd/.config" > "$f/.config"
	out=$("$chk" "$f" 2>&1); rc=$?
	[ $rc -eq 1 ] && echo "$out" | grep -q 'missing: CONFIG_XEN_DEV_EVTCHN is built in'
	expect "refuses-builtin-driver/$k" $? "rc=$rc: $out"

	sed 's/^CONFIG_XEN_DOM0=.*/# CONFIG_XEN_DOM0 is not set/' "$kd/.config" > "$f/.config"
	out=$("$chk" "$f" 2>&1); rc=$?
	[ $rc -eq 1 ] && echo "$out" | grep -q "missing: CONFIG_XEN_DOM0 must be 'y', is 'unset' (needed by all modules)"
	expect "names-missing-config/$k" $? "rc=$rc: $out"

	sed '/^CONFIG_XEN_DEV_EVTCHN=/d' "$kd/.config" > "$f/.config"
	out=$("$chk" "$f" 2>&1); rc=$?
	expect "accepts-driver-absent/$k" $rc "$out"
done

out=$("$chk" "$tmp/nonexistent" 2>&1); rc=$?
[ $rc -eq 1 ] && echo "$out" | grep -q 'not a kernel build directory'
expect "rejects-non-kdir" $? "rc=$rc: $out"
finish
