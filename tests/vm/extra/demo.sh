# shellcheck shell=bash
# Demo (scripts/vm/demo.sh, not part of the suite): human-readable "XDDEMO" lines.
# xd-timeout: 300
say() { echo "XDDEMO $*"; }

say "Dom0 is up: Debian kernel $(uname -r) on Xen $(xl info 2>/dev/null | awk '/^xen_version/ {print $3}')"
say "Dom0 driver modules (modinfo):"
while read -r m impl ver file; do
	case "$m" in xen-*) ;; *) continue ;; esac
	n=${m//-/_}
	loaded=no
	[ -d "/sys/module/$n" ] && loaded=yes
	case "$impl" in
	ours) say "$(printf '  %-13s OURS (xen-dom0 DKMS) version %-8s loaded=%s  %s' "$m" "$ver" "$loaded" "$file")" ;;
	*) say "$(printf '  %-13s in-tree kernel module            loaded=%s  %s' "$m" "$loaded" "$file")" ;;
	esac
done <"$XD_STATE/modules"

say ""
say "Starting PV guest 'demo' (256 MiB; disk xvda on blkback, eth0 on netback via xenbr0)..."
if xd_guest_start demo; then
	xd_pass guest-start
	say "  guest is domain $(xl domid demo)"
else
	xd_fail guest-start "xl create failed"
	say "  xl create FAILED"
fi
if xd_guest_wait demo GUEST-DISK- 120; then
	line=$(grep -a GUEST-DISK- "$(xd_guest_log demo)" | head -n1 | tr -d '\r')
	say "  guest disk check: $line"
	case "$line" in *GUEST-DISK-OK*) xd_pass guest-disk ;; *) xd_fail guest-disk "$line" ;; esac
else
	xd_fail guest-disk "no disk result"
	say "  guest disk check: no answer"
fi
ip=$(xd_guest_ip demo)
if xd_guest_wait demo GUEST-NET-UP 60 && xd_wait_for 20 xd_ping -c 1 -W 2 "$ip"; then
	xd_ping -c 3 -W 2 "$ip" 2>&1 | grep -E 'bytes from|packets' | while read -r l; do say "  ping: $l"; done
	xd_pass ping
else
	xd_fail ping "no reply from $ip"
	say "  ping $ip: no reply"
fi
say "Guest console (xenconsoled log), last lines:"
tr -d '\r' <"$(xd_guest_log demo)" | grep -a GUEST- | tail -n 6 | sed 's/^/    /' | while IFS= read -r l; do say "$l"; done
if xd_guest_destroy demo; then
	xd_pass guest-destroy
	say "Guest destroyed; $(xl list | tail -n +2 | wc -l) domain(s) left (Domain-0). Powering off."
else
	xd_fail guest-destroy "xl destroy failed"
fi
