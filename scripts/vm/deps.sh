#!/bin/bash
# Install the host packages the VM harness needs (idempotent, quick when present).
# busybox-static, the kernels and Xen are only downloaded (by images.sh), never installed.
set -eu
PKGS="qemu-system-x86 debootstrap cpio gzip pigz xz-utils zstd kmod linux-libc-dev gcc make
libc6-dev dpkg-dev apt util-linux coreutils git"

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' ||
		missing="$missing $p"
done
if [ -n "$missing" ]; then
	[ "$(id -u)" = 0 ] || { echo "deps.sh: need root to install:$missing" >&2; exit 1; }
	echo "deps.sh: installing:$missing" >&2
	# Failures of third-party sources in the host's apt config must not stop us.
	apt-get update -q >/dev/null 2>&1 || echo "deps.sh: apt-get update reported errors (ignored)" >&2
	# shellcheck disable=SC2086
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing >/dev/null
fi
# apt-cache needs package lists for the kernels/Xen look-ups (a fresh machine may have none).
if ! apt-cache policy xen-hypervisor-4.17-amd64 2>/dev/null | grep -q 'Candidate: [0-9]'; then
	apt-get update -q >/dev/null 2>&1 || echo "deps.sh: apt-get update reported errors (ignored)" >&2
fi
for t in qemu-system-x86_64 debootstrap cpio depmod gcc make; do
	command -v "$t" >/dev/null || { echo "deps.sh: $t still missing" >&2; exit 1; }
done
