# SPDX-License-Identifier: GPL-2.0-only
# modules/gntdev/gntdev-check.h (the checks xen-gntdev applies to user
# input) compiled and tested in user space.
. "$(dirname "$0")/lib.inc"
c_unit gntdev-check.c
