# shellcheck shell=bash
# Common definitions for the VM harness scripts (sourced, not executed).
# shellcheck disable=SC2034 # variables used by the scripts sourcing this file

XD_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
XD_BUILD=${XD_BUILD:-$XD_ROOT/build/vm}
XD_DEBS=$XD_BUILD/debs
XD_STAMPS=$XD_BUILD/stamps
XD_LOGS=$XD_BUILD/logs
export XD_ROOT XD_BUILD

xd_log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
xd_die() { xd_log "ERROR: $*"; exit 1; }

# xd_int3_flake CONSOLE: true if the first Oops in the console log is an "Oops: int3"
# whose RIP is in the kernel's own text (no "[module]" after the symbol). See run.sh.
xd_int3_flake() {
	tr -d '\r' <"$1" | awk '
		/Oops: / && !seen { seen = 1; int3 = ($0 ~ /Oops: int3/); next }
		seen && /RIP: [0-9a-f]+:/ { found = 1; ok = int3 && $0 !~ /\[[A-Za-z0-9_]+\]/; exit }
		END { exit !(found && ok) }'
}

# xd_ended_scenarios CONSOLE: the scenarios the runner ended ("XDTEST END NAME"), a line each.
xd_ended_scenarios() {
	tr -d '\r' <"$1" | grep -aoE 'XDTEST END [^ ]+' | cut -d' ' -f3
}

# xd_kept_results CONSOLE NAME[,NAME...]: the XDTEST lines (results and END) of the
# named scenarios, from a console whose boot crashed later (run.sh's second boot).
xd_kept_results() {
	tr -d '\r' <"$1" | grep -aoE 'XDTEST .*' |
		awk -v kept="$2" 'BEGIN { n = split(kept, a, ","); for (j = 1; j <= n; j++) keep[a[j]] = 1 }
			{ name = $3; sub(/\/.*/, "", name) } name in keep'
}

# Hash of all arguments (strings) -> short hex.
xd_hash() { printf '%s\n' "$@" | sha256sum | cut -c1-16; }

# Candidate version of a Debian package from the host's apt cache.
xd_pkgver() {
	local v
	v=$(apt-cache policy "$1" 2>/dev/null | awk '/Candidate:/ {print $2; exit}')
	if [ -z "$v" ] || [ "$v" = "(none)" ]; then
		xd_die "package $1 not found on the mirror (apt-get update?)"
	fi
	printf '%s\n' "$v"
}

# The Debian mirror from the host's apt sources (deb.debian.org only).
xd_mirror() {
	local m
	m=$(grep -rhoE 'https?://deb\.debian\.org/debian/?( |$)' /etc/apt/sources.list /etc/apt/sources.list.d/ 2>/dev/null |
		head -n1 | tr -d ' ')
	printf '%s\n' "${m:-http://deb.debian.org/debian}"
}

# Kernels under test (one per line), see kernels.sh.
xd_kernels() { "$XD_ROOT/scripts/vm/kernels.sh"; }
# The kernels under test plus $1 (if not among them), space separated: images are always
# built for the whole set, so that running one kernel does not rebuild the shared tree.
xd_kernels_with() {
	local ks
	ks=$(xd_kernels | tr '\n' ' ')
	case " $ks " in *" $1 "*) ;; *) ks="$ks $1" ;; esac
	echo "$ks" | xargs
}

# Download a .deb into the cache (once per exact version); prints its path.
xd_fetch_deb() {
	local pkg=$1 ver f
	ver=$(xd_pkgver "$pkg")
	mkdir -p "$XD_DEBS"
	f=$XD_DEBS/${pkg}_${ver//:/%3a}_amd64.deb
	if [ ! -s "$f" ]; then
		xd_log "downloading $pkg $ver"
		(cd "$XD_DEBS" && apt-get download -q -o APT::Sandbox::User=root "$pkg=$ver" >/dev/null) || xd_die "apt-get download $pkg failed"
		[ -s "$f" ] || f=$(find "$XD_DEBS" -name "${pkg}_*.deb" | head -n1)
	fi
	printf '%s\n' "$f"
}

# Version of the project from dkms.conf (empty if there is no dkms.conf yet).
xd_project_version() {
	[ -f "$XD_ROOT/dkms.conf" ] || return 0
	sed -n 's/^PACKAGE_VERSION=["'\'']\{0,1\}\([^"'\'' ]*\).*/\1/p' "$XD_ROOT/dkms.conf" | head -n1
}
