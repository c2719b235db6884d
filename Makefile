# SPDX-License-Identifier: GPL-2.0-only
#
# xen-dom0: Xen Dom0 drivers as DKMS modules.
#
#   make [KVER=<kernel>]   build every module for one installed header set
#                          (default: the newest one)
#   make modules-all       build for every installed header set
#   make check             everything: builds, static checks, unit tests,
#                          VM suite on the 6.1 and 6.12 Dom0 kernels
#   make demo              boot Xen in QEMU with our modules and a guest
#   make bench-modules     the benchmark variant (xdb-*.ko, /dev/xen/*-xd)
#   make bench             ours against in-tree, side by side, one boot per Dom0
#                          kernel (BENCH_ROUNDS, BENCH_SECONDS, BENCH_ROWS,
#                          BENCH_KERNELS); results in build/bench/latest/
#   make vm-suite          only the VM suite (both kernels, ours and in-tree)
#   make fuzz              fuzz the guest-input checks in user space
#                          (tests/fuzz/; FUZZ_SECONDS per harness, default 300;
#                          libFuzzer if clang is installed, else gcc)
#
# DKMS calls the `kbuild` target in its own copy of the tree; it builds the
# modules dkms.conf ships.  `make modules` builds every modules/*/ directory
# (XD_MODULES=all), shipped or still in development; XD_MODULES="modules/x
# modules/y" picks some.

TOP := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))

installed_kvers = $(shell for d in /lib/modules/*/build; do \
	[ -r "$$d/Makefile" ] && basename "$$(dirname "$$d")"; done | sort -V)

KVER ?= $(lastword $(installed_kvers))
KDIR ?= /lib/modules/$(KVER)/build
W ?= 1
STAGE = $(TOP)/build/kbuild/$(KVER)
SRC_DIRS = Kbuild Makefile dkms.conf shim modules
PACKAGE_VERSION := $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' $(TOP)/dkms.conf)
SHIPPED := $(shell sed -n 's/^BUILT_MODULE_LOCATION\[[0-9]*\]="\([^"]*[^/]\)\/*"/\1/p' $(TOP)/dkms.conf)

.PHONY: all modules modules-all kbuild kbuild-clean contract compat \
	check demo vm-suite unit static clean version deps

all: modules

# Build out of the source tree, one copy per kernel, so that several
# kernels can be built side by side.
modules:
	@test -n "$(KVER)" || { echo "no kernel headers installed (try: make deps)"; exit 1; }
	@mkdir -p $(STAGE)
	@cd $(TOP) && tar -cf - --exclude=generated $(SRC_DIRS) | tar -C $(STAGE) -xf -
	$(MAKE) -C $(STAGE) kbuild KVER=$(KVER) KDIR=$(KDIR) W=$(W) XD_MODULES="$(or $(XD_MODULES),all)"
	@echo "built for $(KVER):"; cd $(STAGE) && ls -1 modules/*/*.ko

# The side-by-side benchmark variant of the device modules: xdb-*.ko with
# devices /dev/xen/<name>-xd, loadable next to the in-tree modules (make
# bench; shim/include/xd_variant.h).  Never installed.
BENCH_STAGE = $(TOP)/build/bench-kbuild/$(KVER)
BENCH_MODULES = modules/evtchn modules/gntdev modules/privcmd
.PHONY: bench-modules bench
bench:
	BENCH_ROUNDS="$(BENCH_ROUNDS)" BENCH_SECONDS="$(BENCH_SECONDS)" BENCH_ROWS="$(BENCH_ROWS)" \
		BENCH_XL_ROUNDS="$(BENCH_XL_ROUNDS)" BENCH_KERNELS="$(BENCH_KERNELS)" \
		BENCH_NET_SIDES="$(BENCH_NET_SIDES)" BENCH_BLK_SIDES="$(BENCH_BLK_SIDES)" \
		BENCH_GUEST_VCPUS="$(BENCH_GUEST_VCPUS)" $(TOP)/scripts/bench/bench.sh
bench-modules:
	@test -n "$(KVER)" || { echo "no kernel headers installed (try: make deps)"; exit 1; }
	@mkdir -p $(BENCH_STAGE)
	@cd $(TOP) && tar -cf - --exclude=generated $(SRC_DIRS) | tar -C $(BENCH_STAGE) -xf -
	$(MAKE) -C $(BENCH_STAGE) kbuild KVER=$(KVER) KDIR=$(KDIR) W=$(W) XD_BENCH=1 XD_MODULES="$(BENCH_MODULES)"
	@echo "built for $(KVER):"; cd $(BENCH_STAGE) && ls -1 modules/*/*.ko

modules-all:
	@set -e; for k in $(installed_kvers); do $(MAKE) -C $(TOP) modules KVER=$$k; done

# In-place build for one kernel (used by DKMS and by `modules`).
# Target-specific, so that `modules` (above) can default to `all`; the
# contract and compat prerequisites inherit it.
kbuild: XD_MODULES ?= $(SHIPPED)
xd_module_dirs = $(if $(filter all,$(XD_MODULES)),$(patsubst %/Kbuild,%,$(wildcard $(CURDIR)/modules/*/Kbuild)),$(addprefix $(CURDIR)/,$(XD_MODULES)))

kbuild: contract compat
	$(MAKE) -C $(KDIR) M=$(CURDIR) XD_TOP=$(CURDIR) XD_MODULES="$(XD_MODULES)" W=$(W) modules

contract:
	@$(CURDIR)/shim/check-contract.sh $(KDIR) $(xd_module_dirs)

compat:
	@$(CURDIR)/shim/compat/gen-compat.sh $(KDIR) $(CURDIR)/shim/generated/xd_compat_gen.h

kbuild-clean:
	-$(MAKE) -C $(KDIR) M=$(CURDIR) XD_TOP=$(CURDIR) XD_MODULES=all clean
	rm -rf $(CURDIR)/shim/generated

deps:
	$(TOP)/scripts/deps.sh

check:
	$(TOP)/scripts/check.sh

unit:
	$(TOP)/scripts/check.sh unit

static:
	$(TOP)/scripts/check.sh static

demo:
	$(TOP)/scripts/vm/demo.sh

vm-suite:
	$(TOP)/scripts/vm/suite.sh

# The hostile-guest suite on both kernels x {ours, intree}, with its table
# (tests/hostile/README.md): every blkif, netif and user-device case;
# HOSTILE_QUICK=1 runs only the subsets that make check runs.
.PHONY: hostile
hostile:
	$(TOP)/scripts/hostile.sh

# tests/fuzz/run.sh: blkback-, netback-, gntdev-check.h harnesses.
.PHONY: fuzz
fuzz:
	$(TOP)/tests/fuzz/run.sh

version:
	@echo $(PACKAGE_VERSION)

clean:
	rm -rf $(TOP)/build/kbuild
