#!/bin/bash
# Build and cache the VM images under build/vm/ from Debian packages only:
#   xen/xen.elf                      Xen 4.17 hypervisor (multiboot ELF)
#   kernels/KVER/vmlinuz             Dom0 (and guest) kernel
#   rootfs/                          the one Dom0 tree (debootstrap + toolstack + toolchain
#                                    + headers + module subsets + the project via DKMS)
#   dom0-KVER.cpio.gz                Dom0 initramfs per kernel (no toolchain, no other kernel)
#   guest-base/KVER/                 guest tree: busybox-static + frontends (packed per run)
#   bench/dom0-extra.cpio.gz         only with XD_BENCH_IMAGES=1 (make bench): fio, iperf3,
#                                    qemu-system-xen for Dom0, appended to its initramfs
#   bench/guest/                     only with XD_BENCH_IMAGES=1: fio + iperf3 and their
#                                    shared libraries for the guest (/xb/{bin,lib})
#
# Every stage is cached with a stamp keyed on a hash of its inputs (package
# versions, the stage's own code, the previous stage's hash, sources).
# Usage: images.sh            (kernels from kernels.sh / XD_KERNELS)
set -eu
# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/common.sh"

mkdir -p "$XD_BUILD" "$XD_STAMPS" "$XD_DEBS"
exec 9>"$XD_BUILD/.images.lock"
flock 9

mapfile -t KERNELS < <(xd_kernels)
[ "${#KERNELS[@]}" -gt 0 ] || xd_die "no kernels to build for"

ROOTFS=$XD_BUILD/rootfs
BASE=$XD_BUILD/rootfs-base
# Packages of the Dom0 base tree (debootstrap --include) and of the build toolchain.
BASE_PKGS="xen-utils-4.17,kmod,iproute2,busybox,procps,e2fsprogs,dmsetup"
TOOL_PKGS="dkms gcc make libc6-dev openssl"

# ---------------------------------------------------------------- helpers
stamp_ok() { [ -f "$XD_STAMPS/$1" ] && [ "$(cat "$XD_STAMPS/$1")" = "$2" ]; }
stamp_set() { printf '%s\n' "$2" >"$XD_STAMPS/$1"; }
stamp_get() { cat "$XD_STAMPS/$1" 2>/dev/null || true; }

# Mount points below $1, deepest first.
mounts_below() {
	local d
	d=$(readlink -f "$1")
	awk -v d="$d" '$2 == d || index($2, d "/") == 1 {print $2}' /proc/mounts | sort -r
}
umount_below() {
	local m
	for m in $(mounts_below "$1"); do
		umount "$m" 2>/dev/null || umount -l "$m" || true
	done
}
# Safe removal of a tree: refuse if anything is still mounted inside it.
remove_tree() {
	[ -e "$1" ] || return 0
	umount_below "$1"
	[ -z "$(mounts_below "$1")" ] || xd_die "still mounted below $1, not removing"
	rm -rf --one-file-system "$1"
}

CHROOT_DIRS=()
cleanup() {
	local d
	for d in "${CHROOT_DIRS[@]}"; do umount_below "$d"; done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

chroot_prepare() {
	local d=$1
	CHROOT_DIRS+=("$d")
	umount_below "$d"
	mount -t proc proc "$d/proc"
	mount -t sysfs sysfs "$d/sys"
	mount --bind /dev "$d/dev"
	mount --bind /dev/pts "$d/dev/pts"
}
chroot_release() { umount_below "$1"; }
in_chroot() {
	local d=$1
	shift
	chroot "$d" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 \
		DEBIAN_FRONTEND=noninteractive "$@"
}

# The host's apt sources restricted to deb.debian.org, as a deb822 file.
debian_sources() {
	local f
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		awk 'BEGIN {RS=""; ORS="\n\n"} /deb\.debian\.org/' "$f"
	done
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -f "$f" ] || continue
		grep -E '^[[:space:]]*deb[[:space:]].*deb\.debian\.org' "$f" | while read -r _ uri suite comps; do
			printf 'Types: deb\nURIs: %s\nSuites: %s\nComponents: %s\n\n' "$uri" "$suite" "$comps"
		done
	done
}

# ---------------------------------------------------------------- stages
build_xen() {
	local deb tmp
	deb=$(xd_fetch_deb xen-hypervisor-4.17-amd64)
	tmp=$(mktemp -d "$XD_BUILD/tmp.XXXXXX")
	dpkg-deb -x "$deb" "$tmp"
	mkdir -p "$XD_BUILD/xen"
	zcat "$tmp/boot/xen-4.17-amd64.gz" >"$XD_BUILD/xen/xen.elf"
	rm -rf "$tmp"
}

# Extract linux-image-KVER; run depmod on the full tree (used for dependency closure).
build_kernel() {
	local k=$1 deb dir=$XD_BUILD/kernels/$1
	deb=$(xd_fetch_deb "linux-image-$k")
	rm -rf "$dir"
	mkdir -p "$dir/tree"
	dpkg-deb -x "$deb" "$dir/tree"
	cp "$dir/tree/boot/vmlinuz-$k" "$dir/vmlinuz"
	depmod -b "$dir/tree" "$k"
}

# debootstrap + toolchain. Independent of the kernels.
build_base() {
	local tmp=$XD_BUILD/rootfs-base.new
	remove_tree "$tmp"
	xd_log "debootstrap bookworm ($BASE_PKGS) from $(xd_mirror)"
	debootstrap --variant=minbase --include="$BASE_PKGS" bookworm "$tmp" "$(xd_mirror)" \
		>"$XD_BUILD/debootstrap.log" 2>&1 || {
		tail -n 30 "$XD_BUILD/debootstrap.log" >&2
		xd_die "debootstrap failed (log: $XD_BUILD/debootstrap.log)"
	}
	rm -f "$tmp"/etc/apt/sources.list
	debian_sources >"$tmp/etc/apt/sources.list.d/debian.sources"
	printf '#!/bin/sh\nexit 101\n' >"$tmp/usr/sbin/policy-rc.d"
	chmod +x "$tmp/usr/sbin/policy-rc.d"
	# No initramfs generation in the tree (linux-headers-6.12 pulls in linux-image).
	in_chroot "$tmp" dpkg-divert --local --rename --divert /usr/sbin/update-initramfs.distrib \
		--add /usr/sbin/update-initramfs >/dev/null
	ln -sf /bin/true "$tmp/usr/sbin/update-initramfs"
	chroot_prepare "$tmp"
	xd_log "chroot apt-get install $TOOL_PKGS"
	# shellcheck disable=SC2086
	in_chroot "$tmp" sh -c "apt-get update -q && apt-get install -y -q --no-install-recommends $TOOL_PKGS" \
		>"$XD_BUILD/base-apt.log" 2>&1 || {
		tail -n 30 "$XD_BUILD/base-apt.log" >&2
		xd_die "apt-get install in the base tree failed"
	}
	chroot_release "$tmp"
	rm -rf "$tmp"/usr/share/doc "$tmp"/usr/share/man "$tmp"/usr/share/locale
	remove_tree "$BASE"
	mv "$tmp" "$BASE"
}

# Modules of the kernel's tree that Dom0 gets: these directories plus the
# dependency closure (from the full tree's modules.dep).
# Directories or globs; veth gives the hostile-net cases a real receive path into the bridge.
DOM0_MODDIRS="kernel/drivers/xen kernel/drivers/block kernel/drivers/net/xen-netback
kernel/drivers/net/veth.ko* kernel/drivers/md kernel/net/bridge kernel/net/802
kernel/net/llc kernel/net/ipv6 kernel/crypto kernel/lib"

dom0_module_list() {
	local k=$1 t d
	t=$XD_BUILD/kernels/$k/tree/lib/modules/$k
	for d in $DOM0_MODDIRS; do
		(cd "$t" && for p in $d; do [ -e "$p" ] && find "$p" -name '*.ko*'; done) || true
	done | sort -u >"$XD_BUILD/mods.want"
	# closure over modules.dep
	awk -F': *' 'NR == FNR {want[$1] = 1; next}
		($1 in want) {print $1; n = split($2, a, " "); for (i = 1; i <= n; i++) print a[i]}' \
		"$XD_BUILD/mods.want" "$t/modules.dep" | sort -u
	rm -f "$XD_BUILD/mods.want"
}

# Copy of the base + headers for each kernel + module subsets.
build_rootfs() {
	local tmp=$XD_BUILD/rootfs.new k t hdrs=""
	remove_tree "$tmp"
	remove_tree "$ROOTFS"
	xd_log "copying the base tree"
	cp -a "$BASE" "$tmp"
	for k in "${KERNELS[@]}"; do hdrs="$hdrs linux-headers-$k"; done
	chroot_prepare "$tmp"
	xd_log "chroot apt-get install$hdrs"
	in_chroot "$tmp" sh -c "apt-get update -q && apt-get install -y -q --no-install-recommends $hdrs && apt-get clean" \
		>"$XD_BUILD/rootfs-apt.log" 2>&1 || {
		tail -n 30 "$XD_BUILD/rootfs-apt.log" >&2
		xd_die "apt-get install of the headers failed"
	}
	chroot_release "$tmp"
	rm -rf "$tmp"/usr/share/doc "$tmp"/usr/share/man "$tmp"/usr/share/locale
	# Some headers packages depend on the image package: drop its files (kernel, full
	# module tree); the tree gets only the module subsets below.
	find "$tmp/boot" -mindepth 1 -delete
	for k in "${KERNELS[@]}"; do
		t=$XD_BUILD/kernels/$k/tree/lib/modules/$k
		find "$tmp/lib/modules/$k" -mindepth 1 -maxdepth 1 ! -name build ! -name source \
			-exec rm -rf {} + 2>/dev/null || true
		mkdir -p "$tmp/lib/modules/$k"
		(cd "$t" && dom0_module_list "$k" | cpio -pdm --quiet "$tmp/lib/modules/$k")
		cp "$t"/modules.order "$t"/modules.builtin "$t"/modules.builtin.modinfo "$tmp/lib/modules/$k/"
		depmod -b "$tmp" "$k"
		xd_log "Dom0 modules for $k: $(find "$tmp/lib/modules/$k/kernel" -name '*.ko*' | wc -l)"
	done
	mv "$tmp" "$ROOTFS"
}

# The project's tracked files (working tree contents), NUL separated, existing only.
project_files() {
	git -C "$XD_ROOT" ls-files -z | while IFS= read -r -d '' f; do
		[ -f "$XD_ROOT/$f" ] && printf '%s\0' "$f"
	done
}
# Hash of what a DKMS build depends on (harness and tests excluded).
sources_hash() {
	project_files | tr '\0' '\n' | grep -vE '^(tests/|scripts/vm/|\.ci/)|\.md$' |
		(cd "$XD_ROOT" && tr '\n' '\0' | xargs -0 -r sha256sum) | sha256sum | cut -c1-16
}

build_dkms() {
	local ver=$1 k v src log
	src=$ROOTFS/usr/src/xen-dom0-$ver
	chroot_prepare "$ROOTFS"
	# remove every registered version of the package and its sources
	for v in "$ROOTFS"/var/lib/dkms/xen-dom0/*/; do
		v=$(basename "$v")
		[ -d "$ROOTFS/var/lib/dkms/xen-dom0/$v/source" ] || [ -L "$ROOTFS/var/lib/dkms/xen-dom0/$v/source" ] || continue
		in_chroot "$ROOTFS" dkms remove "xen-dom0/$v" --all >/dev/null 2>&1 || true
	done
	rm -rf "$ROOTFS"/usr/src/xen-dom0-* "$ROOTFS/var/lib/dkms/xen-dom0"
	mkdir -p "$src"
	(cd "$XD_ROOT" && project_files | cpio -0 -pdm --quiet "$src")
	xd_log "dkms add xen-dom0/$ver"
	in_chroot "$ROOTFS" dkms add "xen-dom0/$ver" || xd_die "dkms add failed"
	for k in "${KERNELS[@]}"; do
		xd_log "dkms build + install xen-dom0/$ver for $k"
		log=$ROOTFS/var/lib/dkms/xen-dom0/$ver/build/make.log
		if ! in_chroot "$ROOTFS" dkms build "xen-dom0/$ver" -k "$k" >"$XD_BUILD/dkms-$k.log" 2>&1; then
			cat "$XD_BUILD/dkms-$k.log" >&2
			[ -f "$log" ] && { echo "---- $log" >&2; cat "$log" >&2; }
			xd_die "dkms build for $k failed"
		fi
		if ! in_chroot "$ROOTFS" dkms install "xen-dom0/$ver" -k "$k" >>"$XD_BUILD/dkms-$k.log" 2>&1; then
			cat "$XD_BUILD/dkms-$k.log" >&2
			xd_die "dkms install for $k failed"
		fi
		xd_log "installed: $(cd "$ROOTFS/lib/modules/$k" && find updates -name '*.ko*' 2>/dev/null | tr '\n' ' ')"
	done
	in_chroot "$ROOTFS" dkms status >&2 || true
	chroot_release "$ROOTFS"
}

# Dom0 initramfs for kernel $1: the tree minus toolchain and other kernels.
pack_dom0() {
	local k=$1 out=$XD_BUILD/dom0-$1.cpio.gz o
	local prune=(./usr/src/linux-headers-\* ./usr/lib/linux-kbuild-\* ./usr/lib/gcc ./usr/libexec/gcc
		./usr/include ./var/cache/apt ./var/lib/apt/lists ./var/lib/dkms/\*/\*/build
		./usr/lib/modules/"$k"/build ./usr/lib/modules/"$k"/source
		./lib/modules/"$k"/build ./lib/modules/"$k"/source
		./usr/share/perl ./usr/lib/x86_64-linux-gnu/perl ./usr/lib/x86_64-linux-gnu/\*.a
		./usr/share/dkms ./usr/share/doc ./usr/share/man ./usr/share/locale ./usr/share/info
		./boot ./var/lib/dpkg/info ./usr/lib/udev/hwdb.d ./usr/lib/udev/hwdb.bin
		./usr/bin/x86_64-linux-gnu-\* ./usr/lib/x86_64-linux-gnu/lib\?san.so\*
		./usr/lib/x86_64-linux-gnu/libhwasan.so\* ./usr/lib/x86_64-linux-gnu/libubsan.so\*
		./usr/lib/x86_64-linux-gnu/libbfd\* ./usr/lib/x86_64-linux-gnu/libopcodes\*
		./usr/lib/x86_64-linux-gnu/libctf\* ./usr/lib/x86_64-linux-gnu/libgprofng\*
		./usr/lib/python3\* ./usr/bin/python3\* ./usr/lib/xen-4.17/boot)
	for o in "${KERNELS[@]}"; do
		[ "$o" = "$k" ] || prune+=(./usr/lib/modules/"$o" ./lib/modules/"$o")
	done
	local expr=() p
	for p in "${prune[@]}"; do expr+=(-path "$p" -o); done
	unset 'expr[${#expr[@]}-1]'
	[ -e "$XD_BUILD/kernels/$k/vmlinuz" ] || xd_die "no vmlinuz for $k"
	# Extra files only this kernel's image has: the guest kernel.
	mkdir -p "$XD_BUILD/dom0-extra-$k/xd/guest"
	cp "$XD_BUILD/kernels/$k/vmlinuz" "$XD_BUILD/dom0-extra-$k/xd/guest/vmlinuz"
	{
		(cd "$ROOTFS" && find . \( "${expr[@]}" \) -prune -o -print0 | LC_ALL=C sort -z |
			cpio -0 -o -H newc --quiet)
	} | $GZ >"$out.tmp"
	(cd "$XD_BUILD/dom0-extra-$k" && find . -print0 | cpio -0 -o -H newc --quiet) | $GZ >>"$out.tmp"
	mv "$out.tmp" "$out"
	xd_log "dom0-$k.cpio.gz: $(du -m "$out" | cut -f1) MB"
}

# Guest base tree for kernel $1: busybox-static and the frontends (decompressed).
build_guest_base() {
	local k=$1 dir=$XD_BUILD/guest-base/$1 deb tmp t m
	deb=$(xd_fetch_deb busybox-static)
	rm -rf "$dir"
	mkdir -p "$dir/bin" "$dir/lib/modules"
	tmp=$(mktemp -d "$XD_BUILD/tmp.XXXXXX")
	dpkg-deb -x "$deb" "$tmp"
	cp "$tmp/bin/busybox" "$dir/bin/busybox"
	rm -rf "$tmp"
	t=$XD_BUILD/kernels/$k/tree/lib/modules/$k
	# frontends and their dependencies, in load order (dependencies first)
	# (+ xen-gntalloc, xen-evtchn: /dev/xen/{gntalloc,evtchn} for the user-space hostile
	# frontend of tests/hostile/, which runs with xd.noload=xen-blkfront,xen-netfront)
	: >"$dir/lib/modules/load-order"
	for m in kernel/drivers/block/xen-blkfront kernel/drivers/net/xen-netfront \
		kernel/drivers/xen/xen-gntalloc kernel/drivers/xen/xen-evtchn; do
		awk -F': *' -v m="$m" '$1 ~ "^" m "\\.ko" {n = split($2, a, " "); for (i = n; i >= 1; i--) print a[i]; print $1}' \
			"$t/modules.dep"
	done | awk '!seen[$0]++' | while read -r m; do
		case "$m" in
		*.ko.xz) xz -dc "$t/$m" >"$dir/lib/modules/$(basename "$m" .xz)" ;;
		*.ko.zst) zstd -qdc "$t/$m" >"$dir/lib/modules/$(basename "$m" .zst)" ;;
		*.ko.gz) zcat "$t/$m" >"$dir/lib/modules/$(basename "$m" .gz)" ;;
		*) cp "$t/$m" "$dir/lib/modules/" ;;
		esac
		m=$(basename "$m")
		echo "${m%.ko*}.ko" >>"$dir/lib/modules/load-order"
	done
	[ "$(wc -l <"$dir/lib/modules/load-order")" -ge 2 ] || xd_die "guest frontends not found for $k"
}

# Benchmark extras (make bench, XD_BENCH_IMAGES=1): a copy of the base tree gets
# BENCH_PKGS; the files that appeared are packed as a cpio appended to the Dom0
# initramfs by the benchmark only (the normal images do not change), and fio/iperf3
# with their shared-library closure go to a guest tree copied into the guest initramfs
# at /xb (run with LD_LIBRARY_PATH=/xb/lib).
BENCH_PKGS="fio iperf3 qemu-system-xen"
build_bench_extra() {
	local tmp=$XD_BUILD/bench-root.new out=$XD_BUILD/bench b l
	remove_tree "$tmp"
	xd_log "bench: copying the base tree"
	cp -a "$BASE" "$tmp"
	(cd "$tmp" && find . -xdev | LC_ALL=C sort) >"$XD_BUILD/bench-before.lst"
	chroot_prepare "$tmp"
	xd_log "bench: chroot apt-get install $BENCH_PKGS"
	in_chroot "$tmp" sh -c "apt-get update -q && apt-get install -y -q --no-install-recommends $BENCH_PKGS && apt-get clean" \
		>"$XD_BUILD/bench-apt.log" 2>&1 || {
		tail -n 30 "$XD_BUILD/bench-apt.log" >&2
		xd_die "apt-get install of $BENCH_PKGS failed"
	}
	in_chroot "$tmp" sh -c 'ldd /usr/bin/fio /usr/bin/iperf3' |
		awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\/lib64\// {print $1}' | LC_ALL=C sort -u \
		>"$XD_BUILD/bench-guest-libs.lst"
	chroot_release "$tmp"
	rm -rf "$out.new"
	mkdir -p "$out.new/guest/xb/bin" "$out.new/guest/xb/lib" "$out.new/guest/lib64"
	# Dom0: new files and directories (no package database, docs or caches), plus the
	# loader cache. New directories must be in the archive: the kernel's initramfs
	# unpacker does not create missing parents (a file below one is silently dropped).
	(cd "$tmp" && find . -xdev | LC_ALL=C sort) |
		LC_ALL=C comm -13 "$XD_BUILD/bench-before.lst" - |
		grep -vE '^\./(var/lib/(dpkg|apt)|var/cache|var/log|usr/share/(doc|man|locale|info)|usr/lib/python3|usr/bin/python3)' |
		{
			cat
			echo ./etc/ld.so.cache
		} | (cd "$tmp" && cpio -o -H newc --quiet) | $GZ >"$out.new/dom0-extra.cpio.gz"
	# Guest: fio, iperf3 and their libraries (flat), the loader at its PT_INTERP path.
	cp "$tmp/usr/bin/fio" "$tmp/usr/bin/iperf3" "$out.new/guest/xb/bin/"
	while read -r l; do
		b=$(basename "$l")
		cp -L "$tmp$l" "$out.new/guest/xb/lib/$b"
		case "$l" in /lib64/*) cp -L "$tmp$l" "$out.new/guest/lib64/$b" ;; esac
	done <"$XD_BUILD/bench-guest-libs.lst"
	remove_tree "$tmp"
	rm -rf "$out"
	mv "$out.new" "$out"
	xd_log "bench extras: Dom0 $(du -m "$out/dom0-extra.cpio.gz" | cut -f1) MB packed, guest $(du -sm "$out/guest" | cut -f1) MB"
}

# ---------------------------------------------------------------- main
GZ="gzip -1"
command -v pigz >/dev/null && GZ="pigz -1"
T0=$(date +%s)

h=$(xd_hash "$(declare -f build_xen)" "$(xd_pkgver xen-hypervisor-4.17-amd64)")
if ! stamp_ok xen "$h" || [ ! -s "$XD_BUILD/xen/xen.elf" ]; then
	xd_log "stage xen"
	build_xen
	stamp_set xen "$h"
fi

kh=""
for k in "${KERNELS[@]}"; do
	h=$(xd_hash "$(declare -f build_kernel)" "$k" "$(xd_pkgver "linux-image-$k")")
	if ! stamp_ok "kernel-$k" "$h" || [ ! -s "$XD_BUILD/kernels/$k/vmlinuz" ]; then
		xd_log "stage kernel $k"
		build_kernel "$k"
		stamp_set "kernel-$k" "$h"
	fi
	kh="$kh $h $(xd_pkgver "linux-headers-$k")"
	h=$(xd_hash "$(declare -f build_guest_base)" "$h" "$(xd_pkgver busybox-static)")
	if ! stamp_ok "guest-base-$k" "$h" || [ ! -d "$XD_BUILD/guest-base/$k" ]; then
		xd_log "stage guest-base $k"
		build_guest_base "$k"
		stamp_set "guest-base-$k" "$h"
	fi
done

# base: the package set, this code and the versions of the main packages (other
# versions float with the mirror; delete build/vm/stamps/base to refresh everything)
h_base=$(xd_hash "$(declare -f build_base debian_sources)" "$BASE_PKGS" "$TOOL_PKGS" \
	"$(xd_pkgver xen-utils-4.17)" "$(xd_pkgver dkms)" "$(xd_pkgver gcc-12)")
if ! stamp_ok base "$h_base" || [ ! -d "$BASE/usr" ]; then
	xd_log "stage base (debootstrap, 2-4 min)"
	build_base
	stamp_set base "$h_base"
fi

h_rootfs=$(xd_hash "$h_base" "$(declare -f build_rootfs dom0_module_list)" "$DOM0_MODDIRS" "$kh")
if ! stamp_ok rootfs "$h_rootfs" || [ ! -d "$ROOTFS/usr" ]; then
	xd_log "stage rootfs (headers, modules)"
	rm -f "$XD_STAMPS/dkms"
	build_rootfs
	stamp_set rootfs "$h_rootfs"
fi

VER=$(xd_project_version)
if [ -n "$VER" ]; then
	h_dkms=$(xd_hash "$h_rootfs" "$(declare -f build_dkms project_files)" "$VER" "$(sources_hash)")
else
	h_dkms=$(xd_hash "$h_rootfs" nodkms)
fi
if ! stamp_ok dkms "$h_dkms"; then
	if [ -n "$VER" ]; then
		xd_log "stage dkms (xen-dom0/$VER)"
		build_dkms "$VER"
	else
		xd_log "SKIPPING the DKMS install: $XD_ROOT/dkms.conf does not exist yet" \
			"(images carry only the in-tree modules)"
		chroot_prepare "$ROOTFS"
		for v in "$ROOTFS"/var/lib/dkms/xen-dom0/*/; do
			if [ -d "$v" ]; then
				in_chroot "$ROOTFS" dkms remove "xen-dom0/$(basename "$v")" --all >/dev/null 2>&1 || true
			fi
		done
		chroot_release "$ROOTFS"
		rm -rf "$ROOTFS"/usr/src/xen-dom0-* "$ROOTFS/var/lib/dkms/xen-dom0"
	fi
	stamp_set dkms "$h_dkms"
fi

for k in "${KERNELS[@]}"; do
	h=$(xd_hash "$h_dkms" "$(declare -f pack_dom0)" "$k" "${KERNELS[*]}" "$(stamp_get "kernel-$k")")
	if ! stamp_ok "dom0-$k" "$h" || [ ! -s "$XD_BUILD/dom0-$k.cpio.gz" ]; then
		xd_log "stage pack dom0 initramfs $k"
		pack_dom0 "$k"
		stamp_set "dom0-$k" "$h"
	fi
done
if [ -n "${XD_BENCH_IMAGES:-}" ]; then
	h=$(xd_hash "$h_base" "$(declare -f build_bench_extra)" "$BENCH_PKGS" "$(xd_pkgver fio)" \
		"$(xd_pkgver iperf3)" "$(xd_pkgver qemu-system-xen)")
	if ! stamp_ok bench "$h" || [ ! -s "$XD_BUILD/bench/dom0-extra.cpio.gz" ]; then
		xd_log "stage bench extras ($BENCH_PKGS)"
		build_bench_extra
		stamp_set bench "$h"
	fi
fi
xd_log "images ready in $(($(date +%s) - T0)) s"
