# SPDX-License-Identifier: GPL-2.0-only
# modules/netback/netback-check.h (the checks xen-netback applies to what a
# netif frontend puts on its rings) compiled and tested in user space.
. "$(dirname "$0")/lib.inc"
c_unit netback-check.c
