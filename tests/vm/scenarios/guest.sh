# shellcheck shell=bash
# Scenario: a PV guest on the Dom0 backends: console, disk, network, teardown.
# xd-timeout: 300
g=g1

# A payload for the guest on a second, read-only disk (xvdb): a tar with run.sh.
mkdir -p /tmp/xd-payload
# shellcheck disable=SC2016 # expanded in the guest
printf 'echo "GUEST-PAYLOAD-OK $(cat /proc/sys/kernel/osrelease)"\n' >/tmp/xd-payload/run.sh
tar -cf /tmp/xd-payload.tar -C /tmp/xd-payload run.sh

if XD_GUEST_PAYLOAD=/tmp/xd-payload.tar xd_guest_start "$g"; then
	xd_pass create
else
	xd_fail create "xl create failed: $(grep -a error "$XD_STATE/guest-$g.create.log" | tail -n 3)"
	for c in console-log disk-readback disk-backing-file payload-xvdb ping; do
		xd_fail "$c" "no guest"
	done
	xd_guest_destroy "$g"
	exit 0
fi
domid=$(xl domid "$g" 2>/dev/null)

# The guest's console output reaches xenconsoled's log (the "xl console" path).
if xd_guest_wait "$g" GUEST-INIT-START 90; then
	xd_pass console-log
else
	xd_fail console-log "no GUEST-INIT-START in $(xd_guest_log "$g") after 90 s"
fi

# Disk: the guest writes and reads back 1 MiB through blkfront/blkback.
if xd_guest_wait "$g" GUEST-DISK- 90; then
	if grep -q GUEST-DISK-OK "$(xd_guest_log "$g")"; then
		xd_pass disk-readback
	else
		xd_fail disk-readback "$(grep -a GUEST-DISK-FAIL "$(xd_guest_log "$g")" | head -n1 | tr -d '\r')"
	fi
else
	xd_fail disk-readback "no disk result from the guest"
fi
# ... and the data really landed in the backing file in Dom0.
want=$(grep -a GUEST-DISK-MD5 "$(xd_guest_log "$g")" 2>/dev/null | head -n1 | tr -d '\r' | cut -d' ' -f2)
have=$(head -c 1048576 "/tmp/xd-guest-$g.img" 2>/dev/null | md5sum | cut -d' ' -f1)
if [ -n "$want" ] && [ "$want" = "$have" ]; then
	xd_pass disk-backing-file
else
	xd_fail disk-backing-file "guest wrote md5 '${want:-?}', backing file has '$have'"
fi

# The payload from xvdb ran.
if xd_guest_wait "$g" GUEST-RUN-RC 60 && grep -qa "GUEST-PAYLOAD-OK" "$(xd_guest_log "$g")" &&
	grep -qa "GUEST-RUN-RC 0" "$(xd_guest_log "$g")"; then
	xd_pass payload-xvdb
else
	xd_fail payload-xvdb "$(grep -a -E 'GUEST-(RUN|PAYLOAD)' "$(xd_guest_log "$g")" | tr -d '\r' | tr '\n' ' ')"
fi

# Network: Dom0 pings the guest over xenbr0 and netback.
ip=$(xd_guest_ip "$g")
if xd_guest_wait "$g" GUEST-NET-UP 60; then
	if xd_ping_retry "$XD_STATE/ping.log" -c 3 -W 3 "$ip"; then
		xd_pass ping
		xd_info "$(grep -E 'packets|round-trip|rtt' "$XD_STATE/ping.log" | tr '\n' ' ')"
	else
		xd_fail ping "no reply from $ip: $(tail -n 2 "$XD_STATE/ping.log" | tr '\n' ' ')"
	fi
else
	xd_fail ping "guest reported no network: $(grep -a GUEST-NET "$(xd_guest_log "$g")" | tr -d '\r')"
fi

# Teardown.
if xd_guest_destroy "$g"; then
	xd_pass destroy
else
	xd_fail destroy "xl destroy $g did not complete"
fi
if [ "$(xl list 2>/dev/null | tail -n +2 | grep -vc '^Domain-0 ')" = 0 ]; then
	xd_pass no-leftover-domain
else
	xd_fail no-leftover-domain "$(xl list 2>&1 | tail -n +2 | tr '\n' ';')"
fi
# Backends let go of the guest's devices (xenstore backend entries removed).
if [ -n "$domid" ] && ! xd_wait_for 20 sh -c \
	"! xenstore-ls /local/domain/0/backend 2>/dev/null | grep -qE '^ *$domid = '"; then
	xd_fail backend-cleanup "backend entries for domain $domid remain: $(xenstore-ls /local/domain/0/backend 2>&1 | head -n 5 | tr '\n' ';')"
else
	xd_pass backend-cleanup
fi

if grep -qaE 'GUEST-DISK-FAIL|GUEST-NET-FAIL|GUEST-INSMOD-FAIL' "$(xd_guest_log "$g")" 2>/dev/null ||
	[ -s "$XD_STATE/failed" ]; then
	xd_guest_dump "$g"
fi
