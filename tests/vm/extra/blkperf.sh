# shellcheck shell=bash
# Diagnostic (not a test): where the time of one guest I/O goes, by ftrace.
g=bperf
B=/xd/progs/blkio
truncate -s 32M /tmp/xbp.img
loop=$(losetup -f --show /tmp/xbp.img)
mkdir -p /tmp/xbp-payload
cat >/tmp/xbp-payload/run.sh <<EOF
i=0
while [ ! -b /dev/xvdc ] && [ \$i -lt 240 ]; do sleep 0.5; i=\$((i + 1)); done
echo "BP-DISK"
$B -t 8 4096 /dev/xvdc 1 | sed 's/^/BP-A /'
echo BP-DONE
EOF
tar -cf /tmp/xbp-payload.tar -C /tmp/xbp-payload run.sh
XD_GUEST_PAYLOAD=/tmp/xbp-payload.tar xd_guest_start "$g"
xd_guest_wait "$g" GUEST-DISK- 120
timeout 120 xl block-attach "$g" "$(xd_disk_spec xvdc rw "$loop")"
xd_guest_wait "$g" BP-DISK 120
sleep 1
xd_guest_wait "$g" BP-DONE 60
grep -a 'BP-A' "$(xd_guest_log "$g")" | sed 's/^/XDINFO /'
xd_guest_destroy "$g"
losetup -d "$loop"
xd_pass done
dmesg | grep XDDBG | tail -n 12 | sed 's/^/XDINFO /'
