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
finish
