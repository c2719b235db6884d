# Scenario: the /dev/xen/evtchn user-space ABI, checked in Dom0 by
# tests/progs/evtchn-test.c (loopback channel pairs inside Dom0, VIRQ_ENOMEM,
# ring overflow, fasync, restrictions, ...). The same program must pass with the
# in-tree xen-evtchn (the reference) and with ours.
# Results: evtchn/abi/<check> from the program (dynamically linked build), plus
# evtchn/static/<check> for a short run of the statically linked guest build.
# Knobs (kernel command line): xd.evtchn_scale=N multiplies the program's timeouts.
# xd-timeout: 420

impl=$(xd_impl)
got=$(xd_module_impl xen-evtchn)
xd_info "evtchn implemented by: $got (xd.impl=$impl)"

# The results only mean something if the implementation asked for is the one in use.
case "$impl:$got" in
intree:intree | ours:ours) xd_pass impl ;;
*) xd_fail impl "xd.impl=$impl but xen-evtchn is served by: $got" ;;
esac

if [ ! -c /dev/xen/evtchn ]; then
	xd_fail device "/dev/xen/evtchn missing"
	exit 0
fi
xd_pass device

scale=$(sed -n 's/.*xd\.evtchn_scale=\([0-9.]*\).*/\1/p' /proc/cmdline)
scale=${scale:-2}

# Full run, dynamically linked program.
xd_run_prog abi evtchn-test -s "$scale" || true

# The statically linked build (what guests run) works too: a quick subset.
static=$XD_DIR/guest/progs/evtchn-test
if [ -x "$static" ]; then
	xd_run_prog static "$static" -s "$scale" bind read write || true
else
	xd_skip static "no statically linked build at $static"
fi

# Nothing may stay bound after the program exited: no "evtchn:evtchn-test" IRQs left.
left=$(grep -c 'evtchn:evtchn-test' /proc/interrupts || true)
if [ "${left:-0}" -eq 0 ]; then
	xd_pass no-leftover-irqs
else
	xd_fail no-leftover-irqs "$left IRQs named evtchn:evtchn-test remain in /proc/interrupts"
fi
