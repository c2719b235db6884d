#!/bin/bash
# Print the Dom0 kernels to test, one per line: the newest 6.1.0-NN-amd64 and
# the newest 6.12.N+deb12-amd64 the mirror offers. XD_KERNELS="k1 k2" pins them.
set -eu

if [ -n "${XD_KERNELS:-}" ]; then
	for k in $XD_KERNELS; do printf '%s\n' "$k"; done
	exit 0
fi

newest() {
	# $1: regex of the kernel release, matched on linux-image-RELEASE.
	# Only releases whose image AND headers have a candidate version qualify.
	local k
	apt-cache pkgnames linux-image- | sed -n "s/^linux-image-\($1\)\$/\1/p" | sort -rV |
		while read -r k; do
			if apt-cache policy "linux-image-$k" "linux-headers-$k" 2>/dev/null |
				awk '/Candidate:/ {n++; if ($2 == "(none)") bad=1} END {exit !(n == 2 && !bad)}'; then
				printf '%s\n' "$k"
				break
			fi
		done
}

k61=$(newest '6\.1\.0-[0-9]*-amd64')
k612=$(newest '6\.12\.[0-9]*+deb12-amd64')
if [ -z "$k61" ] || [ -z "$k612" ]; then
	echo "kernels.sh: cannot resolve kernels from apt (run apt-get update)" >&2
	exit 1
fi
printf '%s\n%s\n' "$k61" "$k612"
