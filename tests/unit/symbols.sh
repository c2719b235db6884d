# SPDX-License-Identifier: GPL-2.0-only
# Every Xen interface symbol a built module imports is declared in the
# contract (shim/contract/base or the module's contract file), so the
# contract checker cannot fall behind the code.
. "$(dirname "$0")/lib.inc"

pattern='xen|evtchn|gnttab|xenbus|hypercall|HYPERVISOR|virq|irqhandler|balloon|grant|foreign'
n=0
for k in $(header_kvers); do
	for ko in "$top"/build/kbuild/"$k"/modules/*/*.ko; do
		[ -e "$ko" ] || continue
		d=$(dirname "$ko")
		m=$(basename "$d")
		declared=$(cat "$top/shim/contract/base" "$top/modules/$m/contract" 2>/dev/null |
			awk '$1 == "symbol" { print $2 }')
		undeclared=
		for s in $(nm -u "$ko" | awk '{ print $2 }' | grep -E -i "$pattern"); do
			echo "$declared" | grep -qx -- "$s" || undeclared="$undeclared $s"
		done
		[ -z "$undeclared" ]
		expect "declared/$m/$k" $? "imported but not in the contract:$undeclared"
		n=$((n + 1))
	done
done
[ $n -gt 0 ]
expect "modules-built" $? "no built module found under build/kbuild (run make modules-all)"
finish
