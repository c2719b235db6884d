# Scenario: /dev/xen/gntdev (xen-gntdev).
# 1. tests/progs/gntdev-test.c in Dom0: Dom0 grants its own pages through
#    gntalloc and maps them through gntdev (map, read/write, offsets, unmap,
#    both unmap notifications, grant copy, error paths, partial munmap,
#    mremap, fork, exit/kill with live mappings; nothing may leak).
# 2. xl create / xl destroy of a guest, 20 times in a row (xd.gntdev_cycles=N
#    on the Dom0 command line changes the count): xenconsoled and xenstored
#    map each guest's console and xenstore rings through gntdev; console,
#    disk and network must work every time, and the daemons' gntdev
#    mappings must be back to where they were afterwards.
#    The host gives a boot a fixed deadline (scripts/vm/run.sh), so no new
#    cycle starts after xd.gntdev_budget=S seconds (default 480): cycles
#    that did not fit are reported as SKIP cycles-count, never silently.
# The same scenario passes with the in-tree xen-gntdev (the reference).
# xd-timeout: 1500

impl=$(xd_module_impl xen-gntdev)
xd_info "xen-gntdev: $impl ($(cat /sys/module/xen_gntdev/version 2>/dev/null || echo no version))"
case "$(xd_impl):$impl" in
ours:ours | intree:intree) xd_pass impl ;;
ours:intree)
	if [ -n "$(find "/lib/modules/$(uname -r)/updates" -name 'xen-gntdev.ko*' 2>/dev/null)" ]; then
		xd_fail impl "the package ships xen-gntdev but the in-tree one is used"
	else
		xd_skip impl "the package does not ship xen-gntdev (yet): the in-tree one serves"
	fi
	;;
*) xd_fail impl "xd.impl=$(xd_impl) but xen-gntdev is $impl" ;;
esac

if [ ! -c /dev/xen/gntdev ] || [ ! -c /dev/xen/gntalloc ]; then
	xd_fail devices "/dev/xen/gntdev or /dev/xen/gntalloc missing"
	exit 0
fi
xd_pass devices

xd_run_prog abi gntdev-test || true

# The daemons' gntdev mappings (one per mapped guest ring).
gntdev_maps() {
	local p n=0 c
	for p in $(cat /run/xenstored.pid /run/xenconsoled.pid 2>/dev/null); do
		c=$(grep -c '/dev/xen/gntdev' "/proc/$p/maps" 2>/dev/null || true)
		n=$((n + ${c:-0}))
	done
	echo "$n"
}
maps0=$(gntdev_maps)

cycles=$(sed -n 's/.*xd\.gntdev_cycles=\([0-9]*\).*/\1/p' /proc/cmdline)
cycles=${cycles:-20}
budget=$(sed -n 's/.*xd\.gntdev_budget=\([0-9]*\).*/\1/p' /proc/cmdline)
budget=${budget:-480}
ok_create=0 ok_console=0 ok_disk=0 ok_net=0 ok_destroy=0 first_bad=""
note_bad() { [ -n "$first_bad" ] || first_bad="cycle $i: $*"; }
t0=$(date +%s)
i=1
while [ "$i" -le "$cycles" ]; do
	[ $(($(date +%s) - t0)) -lt "$budget" ] || break
	g=gc$i
	if ! xd_guest_start "$g" >/dev/null 2>&1; then
		note_bad "xl create: $(tail -n 2 "$XD_STATE/guest-$g.create.log" 2>/dev/null | tr '\n' ' ')"
		xd_guest_destroy "$g" >/dev/null 2>&1
		i=$((i + 1))
		continue
	fi
	ok_create=$((ok_create + 1))
	log=$(xd_guest_log "$g")
	if xd_guest_wait "$g" GUEST-INIT-START 60; then
		ok_console=$((ok_console + 1))
	else
		note_bad "no console output"
	fi
	if xd_guest_wait "$g" GUEST-DISK- 60 && grep -q GUEST-DISK-OK "$log"; then
		ok_disk=$((ok_disk + 1))
	else
		note_bad "disk: $(grep -a GUEST-DISK "$log" | head -n 1 | tr -d '\r')"
	fi
	net=0
	if xd_guest_wait "$g" GUEST-NET-UP 60; then
		for _ in 1 2 3 4 5; do
			if xd_ping -c 1 -W 2 "$(xd_guest_ip "$g")" >/dev/null 2>&1; then
				net=1
				break
			fi
			sleep 1
		done
	fi
	if [ "$net" = 1 ]; then
		ok_net=$((ok_net + 1))
	else
		note_bad "no ping reply from $(xd_guest_ip "$g")"
	fi
	if xd_guest_destroy "$g" && ! xd_guest_exists "$g"; then
		ok_destroy=$((ok_destroy + 1))
	else
		note_bad "xl destroy did not complete"
	fi
	xd_info "cycle $i/$cycles done at $(($(date +%s) - t0)) s: ok create $ok_create console $ok_console disk $ok_disk net $ok_net destroy $ok_destroy"
	i=$((i + 1))
done
done_cycles=$((i - 1))
xd_info "$done_cycles create/destroy cycles in $(($(date +%s) - t0)) s"
if [ "$done_cycles" -eq "$cycles" ]; then
	xd_pass cycles-count
else
	xd_skip cycles-count "only $done_cycles of $cycles cycles fit in the ${budget}s budget (slow machine)"
fi
for k in create console disk net destroy; do
	eval "n=\$ok_$k"
	if [ "$done_cycles" -gt 0 ] && [ "$n" -eq "$done_cycles" ]; then
		xd_pass "cycles-$k"
	else
		xd_fail "cycles-$k" "$n of $done_cycles; first problem: $first_bad"
	fi
done

if [ "$(xl list 2>/dev/null | tail -n +2 | grep -vc '^Domain-0 ')" = 0 ]; then
	xd_pass no-leftover-domain
else
	xd_fail no-leftover-domain "$(xl list 2>&1 | tail -n +2 | tr '\n' ';')"
fi
for d in xenstored xenconsoled; do
	if pid=$(cat "/run/$d.pid" 2>/dev/null) && [ -d "/proc/$pid" ]; then
		xd_pass "$d-still-running"
	else
		xd_fail "$d-still-running" "$d died"
	fi
done
if xd_wait_for 10 sh -c "[ \"\$(grep -hc /dev/xen/gntdev \$(sed 's|.*|/proc/&/maps|' /run/xenstored.pid /run/xenconsoled.pid) 2>/dev/null | awk '{s += \$1} END {print s + 0}')\" -le $maps0 ]"; then
	xd_pass daemons-no-leftover-maps
else
	xd_fail daemons-no-leftover-maps "gntdev mappings of xenstored+xenconsoled: $maps0 before the cycles, $(gntdev_maps) after"
fi

# And the program once more, after all that.
xd_run_prog after gntdev-test basic exit notify || true

# Not a test: map/unmap rate and grant-copy throughput (info lines).
xd_run_prog bench gntdev-test bench || true
true
