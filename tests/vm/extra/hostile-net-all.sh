# shellcheck shell=bash
# Every case of tests/vm/scenarios/hostile-net.sh (`make hostile`, scripts/hostile.sh):
# the same scenario with all cases of the table and a timeout that fits them
# (about 40-110 s per case under TCG). Results hostile-net-all/<case>/<check>.
# xd-timeout: 5400
HOSTILE_NET_CASES=all
# shellcheck source=tests/vm/scenarios/hostile-net.sh
. "$XD_DIR/scenarios/hostile-net.sh"
