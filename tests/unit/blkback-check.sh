# SPDX-License-Identifier: GPL-2.0-only
# modules/blkback/blkback-check.h (the checks xen-blkback applies to what a
# frontend sends) compiled and tested in user space.
. "$(dirname "$0")/lib.inc"
c_unit blkback-check.c
