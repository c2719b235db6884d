# shellcheck shell=bash disable=SC1091
# Scenario (extra, not in make check): the full create/destroy test of issue 3,
# `xl create` / `xl destroy` of a PV guest 20 times in a row with xenstored and
# xenconsoled mapping the guest's rings through whichever xen-gntdev serves
# (ours or in-tree, as booted). Each cycle checks console output, a disk
# write/read with data verification (in the guest and against the backing
# file) and a ping. It is part 3 of scenarios/gntdev.sh without the time
# budget: fewer than 20 completed cycles, or any failed cycle, is a FAIL.
# xd.gntdev_cycles=N on the Dom0 command line changes the count.
# Run: scripts/vm/run.sh KVER ours gntdev-cycles   (~20-40 min under TCG)
# xd-timeout: 4200
export XD_GNTDEV_FULL=1
. "$XD_DIR/scenarios/gntdev.sh"
