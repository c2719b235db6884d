# shellcheck shell=bash
# Scenario: xen-blkback with the stock xen-blkfront of a guest.
# xd-timeout: 420
#
# One guest; two disks hot-plugged into it while it runs (xl block-attach): xvdc, a
# read-write loop device, and xvdd, a read-only one with known content. In the guest,
# /xd/progs/blkio checks data integrity on xvdc (O_DIRECT writes of 512 B to 1 MiB at
# many offsets and buffer alignments, buffered unaligned writes, flush, discard) and that
# xvdd reads but refuses writes. Dom0 then checks the backing files (what the guest wrote
# really landed; the read-only file is unchanged), the backend statistics, detaches xvdc
# (xl block-detach: the guest sees the disk go, the backend goes), destroys the guest with
# verified I/O in flight on xvda, and finally checks the domain is really gone (no grant
# left mapped) and that `rmmod xen-blkback` succeeds; the module is loaded again after.
# Persistent grants: xvdc connects with max_persistent_grants 64 and
# persistent_grant_unused_seconds 2; while the guest's checks run, the grants kept stay
# within 64 per queue and some are evicted for new ones (control device, ours); once the
# I/O stops they are all unmapped within seconds (ours: control device, its event stream;
# in-tree: its log_stats line).
g=bb
impl=$(xd_module_impl xen-blkback)
xd_info "blkback: xen-blkback is $impl ($(modinfo -F version xen-blkback 2>/dev/null || echo in-tree))"

BB_LOOPS=""
cleanup() {
	xd_guest_destroy "$g" >/dev/null 2>&1
	for l in $BB_LOOPS; do losetup -d "$l" 2>/dev/null; done
	rm -f /tmp/xbb-data.img /tmp/xbb-ro.img
}

# Backing devices: 64 MiB read-write (sparse: discard punches holes), 8 MiB read-only
# whose first sector starts with a marker.
truncate -s 64M /tmp/xbb-data.img
truncate -s 8M /tmp/xbb-ro.img
printf 'XBB-RO-MARKER-01' | dd of=/tmp/xbb-ro.img conv=notrunc 2>/dev/null
dd if=/dev/urandom of=/tmp/xbb-ro.img bs=4k seek=1 count=255 conv=notrunc 2>/dev/null
ro_md5=$(md5sum </tmp/xbb-ro.img | cut -d' ' -f1)
loop_data=$(losetup -f --show /tmp/xbb-data.img) && BB_LOOPS="$loop_data"
loop_ro=$(losetup -f --show -r /tmp/xbb-ro.img) && BB_LOOPS="$BB_LOOPS $loop_ro"
if [ -z "$loop_data" ] || [ -z "$loop_ro" ]; then
	xd_fail setup "losetup failed"
	cleanup
	exit 0
fi

# The guest's payload: wait for the hot-plugged disks, run the checks, report the md5 of
# what it wrote, wait for xvdc to be detached, then loop verified I/O on xvda.
mkdir -p /tmp/xbb-payload
cat >/tmp/xbb-payload/run.sh <<'EOF'
i=0
while { [ ! -b /dev/xvdc ] || [ ! -b /dev/xvdd ]; } && [ $i -lt 240 ]; do sleep 0.5; i=$((i + 1)); done
echo "BLKIO-DISKS $(ls /dev/xvd* | tr '\n' ' ')"
/xd/progs/blkio /dev/xvdc 2>&1 | sed 's/^/BLKIO /'
/xd/progs/blkio -r /dev/xvdd 2>&1 | sed 's/^/BLKIO /'
# After the checks: blkfront turns its write cache off for good when a flush fails.
echo "BLKIO-WC $(cat /sys/block/xvdc/queue/write_cache)"
echo "BLKIO-MD5 $(dd if=/dev/xvdc bs=1M count=8 iflag=direct 2>/dev/null | md5sum | cut -d' ' -f1)"
echo "BLKIO-DONE"
i=0
while [ -b /dev/xvdc ] && [ $i -lt 240 ]; do sleep 0.5; i=$((i + 1)); done
[ -b /dev/xvdc ] || echo "BLKIO-DETACHED"
# Not through sed: its output would sit in a buffer while the loop runs.
/xd/progs/blkio -l /dev/xvda
EOF
tar -cf /tmp/xbb-payload.tar -C /tmp/xbb-payload run.sh

if ! XD_GUEST_PAYLOAD=/tmp/xbb-payload.tar xd_guest_start "$g"; then
	xd_fail create "xl create failed: $(grep -a error "$XD_STATE/guest-$g.create.log" | tail -n 3)"
	cleanup
	exit 0
fi
domid=$(xl domid "$g" 2>/dev/null)
log=$(xd_guest_log "$g")
if ! xd_guest_wait "$g" GUEST-DISK- 120; then
	xd_fail boot "guest $g did not reach its disk check: $(tail -n 5 "$log" | tr -d '\r' | tr '\n' ' ')"
	cleanup
	exit 0
fi

# max_buffer_pages (module parameter, the in-tree name): from now on each
# queue keeps at most 8 free grant pages (the rest goes back to the system).
bbp=/sys/module/xen_blkback/parameters
old_mbp=$(cat "$bbp/max_buffer_pages" 2>/dev/null)
if echo 8 >"$bbp/max_buffer_pages"; then
	xd_pass params-set
else
	xd_fail params-set "cannot set max_buffer_pages: $(ls "$bbp" 2>&1 | tr '\n' ' ')"
fi
# Persistent grants (in-tree names and meanings): disks connecting from now on keep at
# most 64 per queue; a grant unused for 2 s is unmapped. Restored at the end.
old_mpg=$(cat "$bbp/max_persistent_grants" 2>/dev/null)
old_pgu=$(cat "$bbp/persistent_grant_unused_seconds" 2>/dev/null)
pg_max=64
if [ -n "$old_mpg" ] && [ -n "$old_pgu" ] && echo $pg_max >"$bbp/max_persistent_grants" &&
	echo 2 >"$bbp/persistent_grant_unused_seconds"; then
	xd_pass pgnt-params
else
	pg_max=""
	xd_finding "$impl" pgnt-params "cannot set max_persistent_grants ('$old_mpg') and persistent_grant_unused_seconds ('$old_pgu'): $(ls "$bbp" 2>&1 | tr '\n' ' ')"
fi
pgnt_restore() {
	[ -n "$old_mpg" ] && echo "$old_mpg" >"$bbp/max_persistent_grants"
	[ -n "$old_pgu" ] && echo "$old_pgu" >"$bbp/persistent_grant_unused_seconds"
}

# ---- block-attach on the running guest
for spec in "xvdc rw $loop_data" "xvdd ro $loop_ro"; do
	# shellcheck disable=SC2086 # split on purpose
	set -- $spec
	if timeout 120 xl block-attach "$g" "$(xd_disk_spec "$1" "$2" "$3")" >"$XD_STATE/attach-$1.log" 2>&1; then
		xd_pass "attach-$1"
	else
		xd_fail "attach-$1" "xl block-attach: $(tail -n 3 "$XD_STATE/attach-$1.log" | tr '\n' ' ')"
	fi
done
devid=$(xenstore-list "/local/domain/0/backend/vbd/$domid" 2>/dev/null | while read -r d; do
	[ "$(xenstore-read "/local/domain/0/backend/vbd/$domid/$d/dev" 2>/dev/null)" = xvdc ] && echo "$d"
done)

# ours: xvdc's control-device statistics twice a second while the guest's checks run.
XS=/xd/progs/xdctl
xbb_stats() { "$XS" blk stats "$domid.$devid" 2>&1 | tr -s ' ' | tr '\n' ' '; }
pg_sampler=""
if [ "$impl" = ours ] && [ -n "$pg_max" ] && [ -n "$devid" ] && [ -x "$XS" ]; then
	rm -f /tmp/xbb-pg.stop /tmp/xbb-pg.log
	(while [ ! -e /tmp/xbb-pg.stop ]; do
		xbb_stats
		echo
		sleep 0.5
	done) >/tmp/xbb-pg.log &
	pg_sampler=$!
fi

if ! xd_guest_wait "$g" BLKIO-DONE 240; then
	xd_fail io "guest checks did not finish: $(grep -a BLKIO "$log" | tail -n 5 | tr -d '\r' | tr '\n' ' ')"
else
	xd_info "$(grep -a BLKIO-DISKS "$log" | tr -d '\r')"
	# Map the guest's "BLKIO PASS x" / "BLKIO FAIL x: why" / "BLKIO SKIP x: why" lines.
	n=0
	while IFS= read -r line; do
		# shellcheck disable=SC2086 # split on purpose
		set -- $line
		case "$2" in
		PASS) xd_pass "io/${3%:}"; n=$((n + 1)) ;;
		FAIL) xd_fail "io/${3%:}" "${line#* FAIL * }"; n=$((n + 1)) ;;
		SKIP) xd_skip "io/${3%:}" "${line#* SKIP * }" ;;
		esac
	done < <(tr -d '\r' <"$log" | grep -a '^BLKIO ')
	[ "$n" -ge 6 ] || xd_fail io/results "only $n results from the guest: $(grep -a BLKIO "$log" | tr -d '\r' | tr '\n' ' ')"

	# What the guest read back is what is in the backing file.
	want=$(tr -d '\r' <"$log" | sed -n 's/^BLKIO-MD5 //p' | head -n 1)
	have=$(head -c 8388608 /tmp/xbb-data.img | md5sum | cut -d' ' -f1)
	if [ -n "$want" ] && [ "$want" = "$have" ]; then
		xd_pass backing-file
	else
		xd_fail backing-file "guest read md5 '${want:-?}', backing file has '$have'"
	fi
	# The guest read the read-only disk's marker; its backing file is unchanged.
	if tr -d '\r' <"$log" | grep -q '^BLKIO BLKIO-RO-HEAD XBB-RO-MARKER-01'; then
		xd_pass ro-content
	else
		xd_fail ro-content "guest did not read the marker: $(grep -a RO-HEAD "$log" | tr -d '\r')"
	fi
	if [ "$(md5sum </tmp/xbb-ro.img | cut -d' ' -f1)" = "$ro_md5" ]; then
		xd_pass ro-unchanged
	else
		xd_fail ro-unchanged "the read-only backing file changed"
	fi
fi

# ---- persistent grants of xvdc (no I/O on it now): bounded and evicting while the
# checks ran, drained a few seconds after (persistent_grant_unused_seconds 2).
xbb_pg() { "$XS" blk stats "$domid.$devid" 2>/dev/null | awk -v k="$1" '$1 == k {print $2}'; }
xbb_pg_zero() { [ "$(xbb_pg persistent_grants)" = 0 ]; }
if [ -n "$pg_sampler" ]; then
	touch /tmp/xbb-pg.stop
	wait "$pg_sampler"
	nq=$(xenstore-read "/local/domain/$domid/device/vbd/$devid/multi-queue-num-queues" 2>/dev/null || echo 1)
	ev=$(xbb_pg pgnt_evicted)
	peak=$(sed -n 's/.*persistent_grants \([0-9]*\).*/\1/p' /tmp/xbb-pg.log | sort -n | tail -n 1)
	n=$(grep -c persistent_grants /tmp/xbb-pg.log)
	xd_info "xvdc persistent grants ($nq queue(s), $n samples): peak ${peak:-?}, evicted ${ev:-?}, now $(xbb_pg persistent_grants)"
	if [ "$n" -gt 0 ] && [ -n "$peak" ] && [ "$peak" -gt 0 ] && [ "$peak" -le $((pg_max * nq)) ]; then
		xd_pass pgnt-bounded
	else
		xd_fail pgnt-bounded "persistent_grants peak '${peak:-?}' (limit $pg_max x $nq queues, $n samples): $(tail -n 2 /tmp/xbb-pg.log | tr '\n' ' ')"
	fi
	if [ "${ev:-0}" -gt 0 ]; then
		xd_pass pgnt-evicted
	else
		xd_fail pgnt-evicted "no grant evicted with max_persistent_grants $pg_max: $(xbb_stats)"
	fi
	if xd_wait_for 15 xbb_pg_zero && [ "$(xbb_pg pgnt_reclaimed)" -gt 0 ]; then
		xd_pass pgnt-drained
	else
		xd_fail pgnt-drained "15 s after the I/O: $(xbb_stats)"
	fi
	if /xd/progs/xdctl blk events 2>/dev/null | grep -q " vbd-$domid-$devid reclaim queue=.* count=[1-9]"; then
		xd_pass pgnt-event
	else
		xd_fail pgnt-event "no reclaim event: $(/xd/progs/xdctl blk events 2>&1 | grep " vbd-$domid-$devid " | tail -n 3 | tr '\n' ' ')"
	fi
elif [ "$impl" = ours ]; then
	xd_fail pgnt-bounded "no samples (devid '$devid', $XS $([ -x "$XS" ] || echo missing), params ${pg_max:-not set})"
else
	xd_skip pgnt-bounded "in-tree counts its persistent grants only in the log_stats line (every 10 s, and it resets the statistics checked below)"
	xd_skip pgnt-evicted "in-tree has no eviction counter"
	xd_skip pgnt-event "in-tree has no event stream"
fi

# Backend statistics (sysfs, as the in-tree driver has them) counted the guest's I/O.
st=/sys/bus/xen-backend/devices/vbd-$domid-$devid/statistics
wr=$(cat "$st/wr_req" 2>/dev/null)
rd=$(cat "$st/rd_req" 2>/dev/null)
if [ -n "$wr" ] && [ "$wr" -gt 100 ] && [ "${rd:-0}" -gt 100 ]; then
	xd_pass statistics
	xd_info "xvdc statistics: rd_req $rd wr_req $wr rd_sect $(cat "$st/rd_sect") wr_sect $(cat "$st/wr_sect") f_req $(cat "$st/f_req") ds_req $(cat "$st/ds_req")"
else
	xd_fail statistics "$st: rd_req '${rd:-?}' wr_req '${wr:-?}'"
fi

# ---- the features announced: each node has the value the in-tree driver writes for the
# same device, by its rules, from the backing device's sysfs (so the same checks pass with
# both implementations): flush-cache and barrier = write cache on (never on the read-only
# loop: loop has no write cache there), discard from discard_max_bytes unless the
# toolstack's discard-enable is 0, sizes, info.
# Not compared: feature-persistent (a module parameter of both), multi-queue-max-queues (in-tree's
# default is the CPU count, ours 4).
xbb_features() { # DEVID LOOP RO (check name in XD_CHECK_NAME)
	local be=/local/domain/0/backend/vbd/$domid/$1 sys=/sys/block/${2#/dev/} ro=$3 bad="" n v
	local wc flush=0 disc=0 info=0
	wc=$(cat "$sys/queue/write_cache" 2>/dev/null)
	[ "$wc" = "write back" ] && [ "$ro" = 0 ] && flush=1
	[ "$(cat "$sys/queue/discard_max_bytes" 2>/dev/null || echo 0)" -gt 0 ] && disc=1
	# the toolstack's discard-enable (libxl: 0 for a read-only disk) wins
	[ "$(xenstore-read "$be/discard-enable" 2>/dev/null || echo 1)" = 0 ] && disc=0
	[ "$ro" = 1 ] && info=4
	[ "$(cat "$sys/removable" 2>/dev/null)" = 1 ] && info=$((info | 2))
	for n in "feature-flush-cache $flush" "feature-barrier $flush" "feature-discard $disc" \
		"sectors $(cat "$sys/size")" "info $info" \
		"sector-size $(cat "$sys/queue/logical_block_size")" \
		"physical-sector-size $(cat "$sys/queue/physical_block_size")" \
		"feature-max-indirect-segments 256" \
		"max-ring-page-order $(cat /sys/module/xen_blkback/parameters/max_ring_page_order)"; do
		# shellcheck disable=SC2086 # split on purpose
		set -- $n
		v=$(xenstore-read "$be/$1" 2>/dev/null)
		# no feature-discard node means 0 (in-tree writes none when discard-enable is 0)
		[ "$1/$2/$v" = "feature-discard/0/" ] && v=0
		[ "$v" = "$2" ] || bad="$bad $1='$v'(want $2)"
	done
	if [ "$disc" = 1 ]; then
		for n in "discard-granularity $(cat "$sys/queue/discard_granularity")" \
			"discard-alignment $(cat "$sys/discard_alignment")" "discard-secure 0"; do
			# shellcheck disable=SC2086 # split on purpose
			set -- $n
			v=$(xenstore-read "$be/$1" 2>/dev/null)
			[ "$v" = "$2" ] || bad="$bad $1='$v'(want $2)"
		done
	fi
	xd_info "$XD_CHECK_NAME backend nodes: $(xenstore-ls "$be" 2>/dev/null | grep -E '^(feature|discard|sector|physical-sector|info|max-ring|multi-queue)' | tr -d '"' | tr -s ' ' | tr '\n' ';')"
	if [ -z "$bad" ]; then
		xd_pass "$XD_CHECK_NAME"
	else
		xd_fail "$XD_CHECK_NAME" "$be (write_cache '$wc'):$bad"
	fi
}
devid_ro=$(xenstore-list "/local/domain/0/backend/vbd/$domid" 2>/dev/null | while read -r d; do
	[ "$(xenstore-read "/local/domain/0/backend/vbd/$domid/$d/dev" 2>/dev/null)" = xvdd ] && echo "$d"
done)
XD_CHECK_NAME=features-xvdc xbb_features "$devid" "$loop_data" 0
XD_CHECK_NAME=features-xvdd xbb_features "$devid_ro" "$loop_ro" 1

# A flush announced is a flush used: blkio fsyncs xvdc, so the guest sent flush requests
# (none at all means blkfront turned them off, e.g. after a flush answered with an error),
# and the guest's disk still has its write cache on after the checks.
if [ "$(xenstore-read "/local/domain/0/backend/vbd/$domid/$devid/feature-flush-cache" 2>/dev/null)" = 1 ]; then
	f=$(cat "$st/f_req" 2>/dev/null)
	if [ "${f:-0}" -gt 0 ]; then
		xd_pass flush-used
	else
		xd_fail flush-used "feature-flush-cache 1 but f_req '${f:-?}' after the guest's fsyncs"
	fi
	gwc=$(tr -d '\r' <"$log" | sed -n 's/^BLKIO-WC //p' | head -n 1)
	if [ "$gwc" = "write back" ]; then
		xd_pass flush-guest-cache
	else
		xd_fail flush-guest-cache "guest xvdc write_cache '${gwc:-?}' after the checks (blkfront turned flushes off?)"
	fi
else
	xd_skip flush-used "backend does not announce feature-flush-cache (backing write cache '$(cat "/sys/block/${loop_data#/dev/}/queue/write_cache" 2>/dev/null)')"
fi

# in-tree: xvdc's persistent grants drained, as its log_stats line shows ("pg: P/M",
# printed every 10 s while enabled; enabled only now since it resets the statistics).
if [ "$impl" != ours ] && [ -n "$pg_max" ]; then
	dmesg1=$(dmesg | wc -l)
	pglines() { dmesg | tail -n +$((dmesg1 + 1)) | grep -a "xen-blkback: (.*$domid\.xvdc-[0-9]*): .*| pg: "; }
	pg_drained() { pglines | tail -n 1 | grep -q '| pg: *0/'; }
	echo 1 >"$bbp/log_stats"
	if xd_wait_for 25 pg_drained; then
		xd_pass pgnt-drained
		xd_info "in-tree xvdc log_stats: $(pglines | tail -n 1)"
	elif pglines >/dev/null; then
		xd_finding "$impl" pgnt-drained "persistent grants still kept: $(pglines | tail -n 2 | tr '\n' ' ')"
	else
		xd_skip pgnt-drained "no log_stats line of $domid.xvdc in 25 s: $(dmesg | tail -n +$((dmesg1 + 1)) | tail -n 2 | tr '\n' ' ')"
	fi
	echo 0 >"$bbp/log_stats"
fi

# ---- block-detach on the running guest
bepath=/local/domain/0/backend/vbd/$domid/$devid
if [ -n "$devid" ] && timeout 120 xl block-detach "$g" xvdc >"$XD_STATE/detach.log" 2>&1; then
	xd_pass detach
else
	xd_fail detach "xl block-detach $g xvdc (devid '$devid'): $(tail -n 3 "$XD_STATE/detach.log" 2>/dev/null | tr '\n' ' ')"
fi
if xd_guest_wait "$g" BLKIO-DETACHED 60; then
	xd_pass detach-guest-sees
else
	xd_fail detach-guest-sees "xvdc still present in the guest"
fi
if xd_wait_for 30 sh -c "! xenstore-read '$bepath/state' >/dev/null 2>&1 && ! pgrep '^blkback.$domid.xvdc' >/dev/null"; then
	xd_pass detach-backend-gone
else
	xd_fail detach-backend-gone "$bepath state $(xenstore-read "$bepath/state" 2>&1), threads $(pgrep -l '^blkback' | tr '\n' ' ')"
fi

# ---- destroy with I/O in flight
if xd_guest_wait "$g" BLKIO-LOOP 60; then
	sleep 3
	if grep -aq BLKIO-LOOP-FAIL "$log"; then
		xd_fail io-loop "$(grep -a BLKIO-LOOP-FAIL "$log" | tr -d '\r')"
	else
		xd_pass io-loop
	fi
	# log_stats (in-tree name, and its line layout): while the guest's loop
	# runs, xvda's queue logs "(DOMID.xvda-0): oo N | rd N | ... | pg: P/M"
	# every 10 s; ours appends "| free: F", its free grant pages, which
	# max_buffer_pages 8 bounds. (Not enabled earlier: in-tree's log_stats
	# resets the counters the statistics check reads.)
	dmesg0=$(dmesg | wc -l)
	echo 1 >"$bbp/log_stats"
	qlines() { dmesg | tail -n +$((dmesg0 + 1)) | grep -a "xen-blkback: ($domid\.xvda-.*| pg: "; }
	if xd_wait_for 25 qlines; then
		xd_pass log-stats
		xd_info "log_stats: $(qlines | tail -n 2 | tr '\n' ' ')"
		free=$(qlines | sed -n 's/.*| free: *\([0-9]*\).*/\1/p')
		if [ "$impl" != ours ]; then
			xd_skip buffer-pages "in-tree's log line has no free-page count"
		elif [ -n "$free" ] && ! printf '%s\n' "$free" | awk '$1 > 8 { bad = 1 } END { exit !bad }'; then
			xd_pass buffer-pages
		else
			xd_fail buffer-pages "free grant pages above max_buffer_pages 8: $(qlines | tail -n 3 | tr '\n' ' ')"
		fi
	else
		xd_finding "$impl" log-stats "no log_stats line of $domid.xvda in 25 s: $(dmesg | tail -n +$((dmesg0 + 1)) | tail -n 3 | tr '\n' ' ')"
	fi
	echo 0 >"$bbp/log_stats"
else
	xd_fail io-loop "the guest's I/O loop did not start"
fi
if xd_guest_destroy "$g"; then
	xd_pass destroy-in-flight
else
	xd_fail destroy-in-flight "xl destroy did not complete"
fi
echo "${old_mbp:-1024}" >"$bbp/max_buffer_pages"
pgnt_restore
# A domain whose grants are still mapped stays as a dying "(null)" domain.
xd_domains_gone
for l in $BB_LOOPS; do losetup -d "$l" 2>/dev/null; done
BB_LOOPS=""

# ---- the module unloads once no device uses it, and loads again.
xd_module_cycle xen-blkback "$impl"
cleanup
