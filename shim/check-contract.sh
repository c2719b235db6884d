#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# check-contract.sh KDIR [MODULE_DIR...]
#
# Check that the kernel whose build directory is KDIR offers what the
# xen-dom0 modules need from it: the built-in configuration and the exported
# symbols listed in shim/contract/base and in each module's `contract` file
# (default: every modules/*/contract).  Names every missing item and which
# module needs it; exits 1 if anything is missing, 0 otherwise.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
kdir=${1:?usage: check-contract.sh KDIR [MODULE_DIR...]}
shift

config=$kdir/.config
symvers=$kdir/Module.symvers
for f in "$config" "$symvers"; do
	if [ ! -r "$f" ]; then
		echo "contract: $f not found: $kdir is not a kernel build directory" >&2
		exit 1
	fi
done

if [ $# -eq 0 ]; then
	for d in "$top"/modules/*/; do
		[ -r "$d/contract" ] && set -- "$@" "$d"
	done
fi

missing=0
nconf=0
nsym=0

# check_file FILE WHO
check_file() {
	while read -r kind name req; do
		case "$kind" in
		''|'#'*|name) continue ;;
		config)
			nconf=$((nconf + 1))
			val=$(sed -n "s/^$name=//p" "$config")
			[ -n "$val" ] || val=unset
			ok=0
			case "$req:$val" in
			y:y|m:m|ym:y|ym:m) ok=1 ;;
			not-y:m|not-y:unset) ok=1 ;;
			esac
			if [ $ok -eq 0 ]; then
				case "$req" in
				not-y) why="is built in (=y): a built-in driver cannot be replaced by a module" ;;
				*) why="must be '$req', is '$val'" ;;
				esac
				echo "contract: missing: $name $why (needed by $2)"
				missing=$((missing + 1))
			fi
			;;
		symbol)
			nsym=$((nsym + 1))
			if ! awk -v s="$name" '$2 == s { f = 1 } END { exit !f }' "$symvers"; then
				echo "contract: missing: exported symbol $name (needed by $2)"
				missing=$((missing + 1))
			fi
			;;
		*)
			echo "contract: $1: unknown line '$kind $name'" >&2
			exit 2
			;;
		esac
	done < "$1"
}

check_file "$here/contract/base" "all modules"
for d in "$@"; do
	who=$(sed -n 's/^name[[:space:]]*//p' "$d/contract")
	check_file "$d/contract" "${who:-$(basename "$d")}"
done

if [ $missing -ne 0 ]; then
	echo "contract: $kdir does not satisfy the xen-dom0 contract ($missing missing)"
	exit 1
fi
echo "contract: $kdir OK ($nconf config options, $nsym symbols)"
