# SPDX-License-Identifier: GPL-2.0-only
# The compat probes find the API facts known of the Debian kernels
# (../shared/kernel-notes.md), and refuse a broken build directory.
. "$(dirname "$0")/lib.inc"

gen=$top/shim/compat/gen-compat.sh
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

have() { grep -q "^#define HAVE_$2 1" "$1"; }

for k in $(header_kvers); do
	h=$tmp/$k.h
	if ! "$gen" "/lib/modules/$k/build" "$h" > "$tmp/log" 2>&1; then
		bad "generates/$k" "$(tail -n 3 "$tmp/log")"
		continue
	fi
	ok "generates/$k"
	have "$h" BASELINE; expect "baseline/$k" $? "baseline probe did not compile"
	# Static event channels (two-argument evtchn_make_refcounted and
	# IOCTL_EVTCHN_BIND_STATIC) exist in 6.12 and not in 6.1.
	case $k in
	6.1.0-*)
		! have "$h" EVTCHN_MAKE_REFCOUNTED_STATIC && ! have "$h" IOCTL_EVTCHN_BIND_STATIC &&
			! have "$h" XEN_EVTCHN_CLOSE
		expect "evtchn-api/$k" $? "6.1 has no static event channels: $(grep HAVE "$h" | tr '\n' ' ')"
		;;
	6.12.*)
		have "$h" EVTCHN_MAKE_REFCOUNTED_STATIC && have "$h" IOCTL_EVTCHN_BIND_STATIC &&
			have "$h" XEN_EVTCHN_CLOSE
		expect "evtchn-api/$k" $? "6.12 has static event channels: $(grep HAVE "$h" | tr '\n' ' ')"
		;;
	esac
done

mkdir -p "$tmp/broken"
"$gen" "$tmp/broken" "$tmp/broken.h" > /dev/null 2>&1
[ $? -ne 0 ] && [ ! -e "$tmp/broken.h" ] || ! grep -q 'HAVE_BASELINE 1' "$tmp/broken.h"
expect "refuses-broken-kdir" $? "gen-compat succeeded on an empty directory"
finish
