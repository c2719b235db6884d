# SPDX-License-Identifier: GPL-2.0-only
# tests/progs/toeplitz.h (the Toeplitz hash of the hostile netif frontend)
# against the Microsoft RSS vectors (IPv4, IPv6) and xen-netback's own implementation.
. "$(dirname "$0")/lib.inc"
c_unit toeplitz.c
