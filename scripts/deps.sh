#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Install what `make check` needs on the host, from Debian's packages:
# compilers, kernel headers of the Dom0 kernels under test, static
# checkers, and (through scripts/vm/deps.sh) the VM harness's tools.
# Idempotent and quick when everything is there.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
export DEBIAN_FRONTEND=noninteractive

apt_updated=
apt_update() {
	[ -n "$apt_updated" ] && return 0
	# Non-Debian sources configured on a host may fail; Debian's must not.
	apt-get update -q >/dev/null 2>&1 || apt-get update -q 2>&1 | tail -n 5 || true
	apt_updated=1
}

installed() {
	dpkg-query -W -f='${Status}\n' "$1" 2>/dev/null | grep -q '^install ok installed'
}

# kernels.sh resolves names with apt-cache, which needs the lists.
if [ ! -d /var/lib/apt/lists ] || [ -z "$(ls /var/lib/apt/lists/*Packages* 2>/dev/null)" ]; then
	apt_update
fi
kernels=$("$top/scripts/vm/kernels.sh")
if [ -z "$kernels" ]; then
	apt_update
	kernels=$("$top/scripts/vm/kernels.sh")
fi

# gnuplot-nox: the chart of `make bench`
pkgs="gcc make perl sparse cpio xz-utils kmod binutils linux-libc-dev gnuplot-nox"
for k in $kernels; do
	pkgs="$pkgs linux-headers-$k"
done

missing=
for p in $pkgs; do
	installed "$p" || missing="$missing $p"
done
if [ -n "$missing" ]; then
	apt_update
	echo "deps: installing$missing"
	# shellcheck disable=SC2086
	apt-get install -y -q --no-install-recommends $missing >/dev/null
fi

if [ -x "$top/scripts/vm/deps.sh" ]; then
	"$top/scripts/vm/deps.sh"
fi
