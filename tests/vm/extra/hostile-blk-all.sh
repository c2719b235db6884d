# shellcheck shell=bash
# Every case of tests/vm/scenarios/hostile-blk.sh (`make hostile`, scripts/hostile.sh):
# the same scenario with all cases of the table and a timeout that fits them
# (about 40-110 s per case under TCG). Results hostile-blk-all/<case>/<check>.
# xd-timeout: 5400
HOSTILE_BLK_CASES=all
HOSTILE_BLK_NET_CASES=none # every netif case: hostile-net.sh
# shellcheck source=tests/vm/scenarios/hostile-blk.sh
. "$XD_DIR/scenarios/hostile-blk.sh"
