# SPDX-License-Identifier: GPL-2.0-only
# scripts/vm/common.sh xd_int3_flake: which Dom0 crashes run.sh boots again for.
# Only an "Oops: int3" with its RIP in the kernel's own text is an emulation flake;
# the fixture is the first part of a real one (6.12, urandom_read_iter, under TCG).
. "$(dirname "$0")/lib.inc"
. "$top/scripts/vm/common.sh"
fx=$top/tests/unit/fixtures/oops-int3-core.txt
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

xd_int3_flake "$fx"
expect int3-core-text $? "a real int3 Oops in urandom_read_iter was not taken for a flake"

sed "s@RIP: e030:urandom_read_iter+0x10/0x90@& [xen_blkback]@" "$fx" >"$tmp/mod"
grep -q 'urandom_read_iter+0x10/0x90 \[xen_blkback\]' "$tmp/mod"
expect fixture-edit $? "the fixture's RIP line did not change"
! xd_int3_flake "$tmp/mod"
expect int3-in-module $? "an int3 in a module's text was taken for a flake"

sed 's/Oops: int3: 0000/Oops: general protection fault: 0000/' "$fx" >"$tmp/gp"
! xd_int3_flake "$tmp/gp"
expect general-protection $? "a general protection fault was taken for a flake"

# Only the first Oops counts: a BUG followed by an int3 is not a flake.
{ printf '[ 1.0] Oops: invalid opcode: 0000 [#1]\nRIP: e030:blk_mq_end_request+0x1/0x2\n'; cat "$fx"; } >"$tmp/two"
! xd_int3_flake "$tmp/two"
expect first-oops-counts $? "a later int3 made an earlier BUG a flake"

printf 'XDBOOT READY\nXDRUN DONE\n' >"$tmp/none"
! xd_int3_flake "$tmp/none"
expect no-oops $? "a clean console was taken for a flake"

# The second boot runs what the first did not end; the first's results of the scenarios
# it ended are kept, those of the scenario it crashed in are dropped.
{
	printf 'XDBOOT READY uptime=1\nXDRUN scenario aa start 2\n'
	printf 'XDTEST PASS aa/one\r\n[   3.1] XDTEST FAIL aa/two why\nXDTEST SKIP aa/three no\n'
	printf 'XDTEST PASS aa/dmesg-clean\nXDTEST END aa\n'
	printf 'XDTEST PASS aa-b/x\nXDTEST END aa-b\n'
	printf 'XDRUN scenario bb start 9\nXDTEST PASS bb/one\n'
	cat "$fx"
} >"$tmp/c1"
ended=$(xd_ended_scenarios "$tmp/c1" | paste -sd, -)
[ "$ended" = aa,aa-b ]
expect ended-scenarios $? "got '$ended', want aa,aa-b"
kept=$(xd_kept_results "$tmp/c1" aa | paste -sd'|' -)
want='XDTEST PASS aa/one|XDTEST FAIL aa/two why|XDTEST SKIP aa/three no|XDTEST PASS aa/dmesg-clean|XDTEST END aa'
[ "$kept" = "$want" ]
expect kept-results $? "got '$kept'"
kept=$(xd_kept_results "$tmp/c1" aa-b,zz | paste -sd'|' -)
[ "$kept" = 'XDTEST PASS aa-b/x|XDTEST END aa-b' ]
expect kept-results-exact-name $? "got '$kept'"
finish
