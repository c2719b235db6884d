# shellcheck shell=bash
# Scenario: the user devices as an attack surface (security checklist rule 11;
# tests/hostile/README.md). tests/progs/hostile-dev.c, started as root in Dom0, opens
# /dev/xen/{evtchn,privcmd,gntdev,gntalloc}, restricts some files (evtchn
# RESTRICT_DOMID, privcmd RESTRICT), drops to uid 65534 keeping them and then tries
# to reach other domains and other open files' ports and mappings: every attempt must
# be refused with the in-tree errno. Runs against whichever modules the boot uses
# (ours or in-tree) and must pass on both. Results hostile-dev/<area>/<check>.
# xd-timeout: 120

refcnt() { cat "/sys/module/${1//-/_}/refcnt" 2>/dev/null || echo none; }
refcnt_is() { [ "$(refcnt "$1")" = "$2" ]; }
declare -A before
for m in xen-evtchn xen-privcmd xen-gntdev xen-gntalloc; do
	xd_info "hostile-dev: $m is $(xd_module_impl "$m")"
	before[$m]=$(refcnt "$m")
done
xd_run_prog ioctls hostile-dev || true
# nothing the program did may stay behind: every module's reference count (open
# files, mappings) is back where it was (xenstored and xenconsoled hold some)
for m in xen-evtchn xen-privcmd xen-gntdev xen-gntalloc; do
	if xd_wait_for 10 refcnt_is "$m" "${before[$m]}"; then
		xd_pass "leak/$m-refcnt"
	else
		xd_fail "leak/$m-refcnt" "module refcount ${before[$m]} before, $(refcnt "$m") after"
	fi
done
