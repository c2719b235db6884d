# SPDX-License-Identifier: GPL-2.0-only
# Project rules that the compiler does not check.
. "$(dirname "$0")/lib.inc"
cd "$top" || exit 2

# No kernel version numbers anywhere in the code.
out=$(git grep -n -E 'LINUX_VERSION_CODE|KERNEL_VERSION\(' -- modules shim)
[ -z "$out" ]; expect "no-version-checks" $? "$out"

# No preprocessor conditionals in driver code: they live in shim/.
# (Include guards of a module's own headers are allowed.)
out=$(git grep -n -E '^#\s*(if|ifdef|elif)' -- 'modules/*.c' 'modules/*.h' |
	grep -v -E '#\s*ifndef\s+[A-Z0-9_]+_H$')
[ -z "$out" ]; expect "no-ifs-in-drivers" $? "$out"

# Builds use the kernel they are given, never the running one.
out=$(git grep -n 'uname -r' -- Makefile Kbuild dkms.conf 'modules/*' 'shim/*')
[ -z "$out" ]; expect "no-uname-r" $? "$out"

# Each module: GPL, a description, its own version; listed in dkms.conf.
for d in modules/*/; do
	m=$(basename "$d")
	[ -e "$d/Kbuild" ] || continue
	name=$(sed -n 's/^obj-m[[:space:]]*+=[[:space:]]*\(.*\)\.o$/\1/p' "$d/Kbuild" | head -n 1)
	src=$(cat "$d"/*.c)
	echo "$src" | grep -q 'MODULE_LICENSE("GPL")'; expect "license/$m" $? "no MODULE_LICENSE(\"GPL\")"
	echo "$src" | grep -q 'MODULE_DESCRIPTION('; expect "description/$m" $? "no MODULE_DESCRIPTION"
	echo "$src" | grep -q 'MODULE_VERSION('; expect "version/$m" $? "no MODULE_VERSION"
	[ -r "$d/contract" ]; expect "contract/$m" $? "modules/$m/contract missing"
done

# Each module dkms.conf ships: built from its directory under its name,
# installed to updates/dkms.  (A module directory not listed yet is still
# in development: built and checked by `make check`, not installed.)
for i in $(sed -n 's/^BUILT_MODULE_NAME\[\([0-9]*\)\]=.*/\1/p' dkms.conf); do
	name=$(sed -n "s/^BUILT_MODULE_NAME\[$i\]=\"\(.*\)\"/\1/p" dkms.conf)
	loc=$(sed -n "s/^BUILT_MODULE_LOCATION\[$i\]=\"\(.*\)\/\"/\1/p" dkms.conf)
	[ -n "$loc" ] && [ -r "$loc/Kbuild" ] &&
		grep -q "^obj-m[[:space:]]*+=[[:space:]]*$name\.o" "$loc/Kbuild" &&
		grep -q "^DEST_MODULE_LOCATION\[$i\]=\"/updates/dkms\"" dkms.conf
	expect "dkms-entry/$name" $? "entry $i: location '$loc' must hold Kbuild building $name.o, installed to /updates/dkms"
done

grep -q '^AUTOINSTALL="yes"' dkms.conf; expect "dkms-autoinstall" $? "AUTOINSTALL not yes"
grep -q '^PACKAGE_NAME="xen-dom0"' dkms.conf; expect "dkms-name" $? "package name"
grep -q 'kernelver' dkms.conf; expect "dkms-kernelver" $? "dkms.conf does not build for \$kernelver"
finish
