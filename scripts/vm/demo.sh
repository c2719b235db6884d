#!/bin/bash
# Demo: build everything, boot Xen in QEMU with OUR modules on the newest 6.12 kernel
# (or KVER given as $1 / XD_KVER), start a guest, show which modules are ours, the
# guest's disk check and a ping, then shut down. Called by "make demo".
set -eu
# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/common.sh"

KVER=${1:-${XD_KVER:-$(xd_kernels | grep '^6\.12\.' | tail -n1)}}
[ -n "$KVER" ] || xd_die "no 6.12 kernel found (set XD_KVER)"

echo "== Preparing images (Xen 4.17, Debian kernel $KVER, Dom0 tree with xen-dom0 via DKMS)"
"$XD_ROOT/scripts/vm/deps.sh"
XD_KERNELS=$(xd_kernels_with "$KVER") "$XD_ROOT/scripts/vm/images.sh" 2>&1 | grep -E 'stage|ERROR|ready|dkms|installed' || true
[ "${PIPESTATUS[0]}" -eq 0 ] || xd_die "image build failed"
echo "== Booting Xen + Dom0 in QEMU (software emulation: takes 1-2 minutes)"
T0=$(date +%s)
errf=$(mktemp)
set +e
XD_NO_BUILD=1 XD_SHOW='XDDEMO' "$XD_ROOT/scripts/vm/run.sh" "$KVER" ours demo 2>"$errf" |
	sed -u -n -e 's/^.*XDDEMO \{0,1\}/   /p' -e '/^FAIL /p' -e 's/^vm: /== result: /p'
rc=${PIPESTATUS[0]}
set -e
grep -E 'QEMU ran|ERROR' "$errf" | sed 's/^\[[0-9:]*\] //; s/^/== /'
log=$(find "$XD_LOGS" -maxdepth 1 -name "*-$KVER-ours*" | LC_ALL=C sort | tail -n1)
echo "== Done in $(($(date +%s) - T0)) s; full console log: $log/console.log"
rm -f "$errf"
exit "$rc"
