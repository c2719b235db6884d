# shellcheck shell=bash
# Scenario: Dom0 is up with the Xen toolstack and the selected driver implementation.
# xd-timeout: 120

# Dom0 is the control domain.
if grep -q control_d /proc/xen/capabilities 2>/dev/null; then
	xd_pass dom0-up
else
	xd_fail dom0-up "/proc/xen/capabilities does not say control_d (xenfs mounted?)"
fi

# Boot steps of /init that failed, if any.
if [ -s "$XD_STATE/boot-failed" ]; then
	xd_fail init-steps "failed: $(tr '\n' ' ' <"$XD_STATE/boot-failed")"
else
	xd_pass init-steps
fi

for d in xenstored xenconsoled; do
	if pid=$(cat "/run/$d.pid" 2>/dev/null) && [ -d "/proc/$pid" ]; then
		xd_pass "$d-running"
	else
		xd_fail "$d-running" "$d is not running"
	fi
done
xd_check xenstore-read xenstore-read /local/domain/0/name

if [ -c /dev/xen/evtchn ]; then
	xd_pass evtchn-device
else
	xd_fail evtchn-device "/dev/xen/evtchn missing"
fi

# Which implementation serves each function, against what xd.impl asked for.
impl=$(xd_impl)
for m in xen-evtchn xen-gntdev xen-gntalloc xen-privcmd xen-blkback xen-netback; do
	got=$(xd_module_impl "$m")
	n=${m//-/_}
	if [ ! -d "/sys/module/$n" ]; then
		xd_fail "loaded-$m" "$m is not loaded (module file: $got)"
		continue
	fi
	xd_pass "loaded-$m"
	# Under impl=intree nothing of ours may be used. Under impl=ours, every module
	# the DKMS package installed must be the one in use.
	if [ "$impl" = intree ] && [ "$got" != intree ]; then
		xd_fail "impl-$m" "impl=intree but $m comes from: $got"
	elif [ "$impl" = ours ] && [ -n "$(find "/lib/modules/$(uname -r)/updates" -name "$m.ko*" 2>/dev/null)" ]; then
		if [ "$got" = ours ]; then
			xd_pass "impl-$m"
		else
			xd_fail "impl-$m" "impl=ours and the package ships $m, but modprobe resolved: $got"
		fi
	elif [ "$impl" = intree ]; then
		xd_pass "impl-$m"
	fi
done
evtchn=$(awk '$1 == "xen-evtchn"' "$XD_STATE/modules")
xd_info "evtchn implemented by: ${evtchn:-unknown}"
if [ "$impl" = ours ]; then
	if [ "$(xd_module_impl xen-evtchn)" = ours ]; then
		xd_pass evtchn-ours
	else
		xd_fail evtchn-ours "xen-evtchn does not come from the DKMS package: $evtchn"
	fi
fi

if out=$(xl info 2>&1) && printf '%s\n' "$out" | grep -q '^xen_version'; then
	xd_pass xl-info
	xd_info "$(printf '%s\n' "$out" | grep -E '^(xen_version|nr_cpus|total_memory|free_memory) ' | tr -s ' ' | tr '\n' ';')"
else
	xd_fail xl-info "xl info failed: $(printf '%s' "$out" | tail -n 3)"
fi
if xl list 2>/dev/null | grep -q '^Domain-0 '; then
	xd_pass xl-list
else
	xd_fail xl-list "Domain-0 missing from xl list"
fi
