# SPDX-License-Identifier: GPL-2.0-only
# xenfs refuses a xen_privcmd_fops whose symbol CRC differs from the in-tree
# one ("disagrees about version of symbol"): the built module must export
# it with the CRC of the kernel's Module.symvers (see
# shim/include/xd_privcmd_fops.h).
. "$(dirname "$0")/lib.inc"

n=0
for k in $(header_kvers); do
	ours=$top/build/kbuild/$k/Module.symvers
	[ -e "$top/build/kbuild/$k/modules/privcmd/xen-privcmd.ko" ] || continue
	want=$(awk '$2 == "xen_privcmd_fops" { print $1 }' "/lib/modules/$k/build/Module.symvers")
	have=$(awk '$2 == "xen_privcmd_fops" { print $1 }' "$ours")
	[ -n "$want" ] && [ "$want" = "$have" ]
	expect "xen_privcmd_fops/$k" $? "CRC ${have:-none}, in-tree ${want:-none}"
	n=$((n + 1))
done
[ $n -gt 0 ]
expect "modules-built" $? "no built xen-privcmd.ko under build/kbuild (run make modules-all)"
finish
