#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# report.sh DIR KVER...: the report of a `make bench` run from DIR/console-KVER.log
# (XDBROW / XDBENCH / XDBERR / XDBPROOF / XDBINFO lines of tests/vm/extra/bench.sh).
# Writes DIR/raw.csv (every measurement), DIR/results.csv (one line per kernel and
# row), DIR/table.md (the table per kernel), DIR/chart.png (ratios ours/in-tree, with
# gnuplot) and DIR/summary.txt (machine, date, kernels, Xen, the tables); prints the
# summary.
#
# Per row: the median of each side's values; for each round with both sides the ratio
# ours/in-tree, quoted as median [min-max]; ours is ahead when that median is >= 1 for
# a throughput (hi) and <= 1 for a time or latency (lo). Rows without an "ours" side
# (modules the project does not ship yet) are "in-tree only"; their other sides
# (qdisk, local) are quoted with their ratio to in-tree the same way, and so are the
# parameterised sides of the backend rows (e.g. ours:rx_copy_ops=256: ours loaded with
# that module parameter), under their own names in every file. Proofs: for the xdb
# rows the modules' reference counts, for the backend rows which module (xen_blkback /
# xen_netback) served each run and, for a parameterised side, that each parameter
# read back from sysfs has the value asked for (Y/N count as 1/0).
set -eu
[ $# -ge 2 ] || { echo "usage: $0 DIR KVER..." >&2; exit 2; }
dir=$1
shift

echo "kernel,row,side,round,value" >"$dir/raw.csv"
echo "kernel,row,unit,better,intree_median,ours_median,ratio_median,ratio_min,ratio_max,rounds,verdict,other_sides,proof,errors" >"$dir/results.csv"
: >"$dir/table.md"
: >"$dir/chart.dat"
for k in "$@"; do
	log=$dir/console-$k.log
	if [ ! -f "$log" ]; then
		printf '\n### Dom0 %s\n\nno console log (the boot failed; see %s)\n' "$k" "$dir/run-$k.log" >>"$dir/table.md"
		continue
	fi
	grep -aE '^XDB(ROW|ENCH|ERR|PROOF|INFO) ' "$log" | awk -v k="$k" -v dir="$dir" '
	function fmt(v) {
		if (v == "") return "-"
		if (v >= 100) return sprintf("%.0f", v)
		if (v >= 10) return sprintf("%.1f", v)
		if (v >= 1) return sprintf("%.2f", v)
		return sprintf("%.3f", v)
	}
	function rfmt(v) { return v == "" ? "-" : sprintf("%.2f", v) }
	function pnorm(v) { return v == "Y" || v == "y" ? "1" : v == "N" || v == "n" ? "0" : v }
	# median of the n values in a[1..n] (sorted in place)
	function median(a, n,   i, j, t) {
		for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j > 0 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
		if (n == 0) return ""
		return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
	}
	function side_median(row, side,   a, n, r) {
		n = 0
		for (r = 1; r <= maxr; r++) if ((row SUBSEP side SUBSEP r) in val) a[++n] = val[row, side, r]
		return median(a, n)
	}
	# per-round ratios side/intree: sets RN, RMED, RMIN, RMAX
	function ratios(row, side,   a, n, r, x) {
		n = 0; RMIN = ""; RMAX = ""
		for (r = 1; r <= maxr; r++)
			if ((row SUBSEP side SUBSEP r) in val && (row SUBSEP "intree" SUBSEP r) in val && val[row, "intree", r] > 0) {
				x = val[row, side, r] / val[row, "intree", r]
				a[++n] = x
				if (RMIN == "" || x < RMIN) RMIN = x
				if (RMAX == "" || x > RMAX) RMAX = x
			}
		RN = n
		RMED = median(a, n)
	}
	$1 == "XDBINFO" && $2 == "xen" { xen = $3 }
	$1 == "XDBINFO" && $2 == "bench" && $3 ~ /^kernel=/ { sub(/^XDBINFO bench /, ""); cfg = $0 }
	$1 == "XDBROW" { nrows++; order[nrows] = $2; unit[$2] = $3; better[$2] = $4; sides[$2] = $5
		w = $0; sub(/^XDBROW [^ ]+ [^ ]+ [^ ]+ [^ ]+ /, "", w); what[$2] = w }
	$1 == "XDBENCH" { val[$2, $3, $4] = $5 + 0; if ($4 > maxr) maxr = $4
		print k "," $2 "," $3 "," $4 "," $5 >> (dir "/raw.csv") }
	$1 == "XDBERR" { err[$2]++; if (!($2 in errtxt)) { e = $0; sub(/^XDBERR /, "", e); errtxt[$2] = substr(e, 1, 160) } }
	# backend rows: which module served the run (xen_blkback=ours|intree|...), checked
	# before each run after the swap; qdisk / local runs carry no proof
	$1 == "XDBPROOF" && $5 ~ /^xen_(blk|net)back=/ {
		v = $5; sub(/.*=/, "", v)
		base = $3; sub(/:.*/, "", base)
		if ((base == "ours" || base == "intree") && v != base) unproven[$2]++
		# a parameterised side (ours:P=V:P=V): each P read back (P=V after srcversion=)
		np = split($3, sp, ":")
		for (i = 2; i <= np; i++) {
			pk = sp[i]; sub(/=.*/, "", pk); pv = substr(sp[i], length(pk) + 2)
			got = "(not read back)"
			for (j = 7; j <= NF; j++) if (index($j, pk "=") == 1) got = substr($j, length(pk) + 2)
			if (pnorm(got) != pnorm(pv) && !($2 in badpar)) badpar[$2] = $3 " round " $4 ": " pk "=" got
			parchk[$2] = 1
		}
		bemod[$2] = $5; sub(/=.*/, "", bemod[$2])
		proofs[$2]++
		next
	}
	$1 == "XDBPROOF" {
		# ours: the xdb modules were in use (privcmd for every xl command);
		# in-tree: they were not touched
		p = $5; sub(/.*=/, "", p); q = 0
		for (i = 5; i <= NF; i++) { v = $i; sub(/.*=/, "", v); q += v }
		if ($3 == "ours" && p + 0 == 0) unproven[$2]++
		if ($3 == "intree" && q > 0) unproven[$2]++
		if ($3 == "ours" && p + 0 > pmax[$2]) pmax[$2] = p + 0
		proofs[$2]++
	}
	END {
		printf "\n### Dom0 %s (Xen %s; %s)\n\n", k, xen == "" ? "?" : xen, cfg >> (dir "/table.md")
		print "| row | unit | in-tree | ours | ours/in-tree median [min-max] | verdict | other sides: median (ratio to in-tree) |" >> (dir "/table.md")
		print "|---|---|---|---|---|---|---|" >> (dir "/table.md")
		for (i = 1; i <= nrows; i++) {
			row = order[i]
			mi = side_median(row, "intree")
			mo = ""; verdict = ""; rmed = ""; rmin = ""; rmax = ""; rn = 0
			if (index("," sides[row] ",", ",ours,")) {
				mo = side_median(row, "ours")
				ratios(row, "ours"); rmed = RMED; rmin = RMIN; rmax = RMAX; rn = RN
				if (rn == 0) verdict = "no data"
				else if (better[row] == "hi") verdict = rmed >= 1 ? "ahead" : "BEHIND"
				else verdict = rmed <= 1 ? "ahead" : "BEHIND"
			} else if (index("," sides[row], ",ours:"))
				verdict = "ours only with parameters (other sides)"
			else
				verdict = "in-tree only (ours not shipped yet)"
			others = ""
			ns = split(sides[row], s, ",")
			for (j = 1; j <= ns; j++) {
				if (s[j] == "intree" || s[j] == "ours") continue
				ratios(row, s[j])
				others = others (others == "" ? "" : "; ") s[j] " " fmt(side_median(row, s[j])) \
					(RN ? " (" rfmt(RMED) "x [" rfmt(RMIN) "-" rfmt(RMAX) "])" : "")
			}
			proof = ""
			if (proofs[row] && (row in bemod))
				proof = unproven[row] ? "UNPROVEN: a run was not on its side'"'"'s " bemod[row] : \
					(row in badpar) ? "UNPROVEN: module parameter not as asked (" badpar[row] ")" : \
					"each run on its side'"'"'s " bemod[row] " (srcversion " (parchk[row] ? "and module parameters " : "") "checked)"
			else if (proofs[row]) proof = unproven[row] ? "UNPROVEN: ours not in use or in-tree run touched ours" : "ours in use (xdb_privcmd refcount up to " pmax[row] ")"
			if (err[row]) others = others (others == "" ? "" : "; ") err[row] " failed measurement(s): " errtxt[row]
			printf "| %s | %s | %s | %s | %s | %s | %s |\n", row, unit[row], fmt(mi), fmt(mo),
				rn ? rfmt(rmed) " [" rfmt(rmin) "-" rfmt(rmax) "]" : "-", verdict (proof != "" ? "; " proof : ""), others \
				>> (dir "/table.md")
			gsub(/,/, ";", others)
			printf "%s,%s,%s,%s,%s,%s,%s,%s,%s,%d,%s,%s,%s,%d\n", k, row, unit[row], better[row], mi, mo, rmed, rmin, rmax,
				rn, verdict, others, proof, err[row] >> (dir "/results.csv")
			if (rn) printf "%s %s %s %s %s\n", k, row (better[row] == "lo" ? "(*)" : ""), rmed, rmin, rmax >> (dir "/chart.dat")
		}
		if (!nrows) print "no rows measured" >> (dir "/table.md")
	}'
done

# The chart: ratio ours/in-tree per row, one bar per kernel, min-max as error bars.
if command -v gnuplot >/dev/null && [ -s "$dir/chart.dat" ]; then
	awk -v ks="$*" '
		BEGIN { nk = split(ks, K, " ") }
		{ if (!($2 in seen)) { seen[$2] = 1; rows[++n] = $2 } m[$1, $2] = $3 " " $4 " " $5 }
		END {
			printf "row"; for (j = 1; j <= nk; j++) printf " med%d min%d max%d", j, j, j; print ""
			for (i = 1; i <= n; i++) {
				printf "%s", rows[i]
				for (j = 1; j <= nk; j++) printf " %s", ((K[j], rows[i]) in m) ? m[K[j], rows[i]] : "- - -"
				print ""
			}
		}' "$dir/chart.dat" >"$dir/chart.tab"
	{
		echo 'set terminal png size 1100,560 noenhanced'
		echo "set output '$dir/chart.png'"
		echo "set title 'ours / in-tree: median of per-round ratios, min-max bars; above 1 is better, except (*) time/latency rows'"
		echo 'set datafile missing "-"'
		echo 'set style data histogram'
		echo 'set style histogram errorbars gap 1 lw 1'
		echo 'set style fill solid 0.6 border -1'
		echo 'set xtics rotate by -35'
		echo 'set logscale y 2'
		echo 'set ylabel "ours / in-tree (log scale)"'
		echo 'set grid ytics'
		echo 'set key below'
		echo 'set arrow from graph 0, first 1 to graph 1, first 1 nohead lw 2 dt 2'
		printf 'plot '
		j=1
		for k in "$@"; do
			[ "$j" = 1 ] || printf ', '
			if [ "$j" = 1 ]; then
				printf "'%s' skip 1 using %d:%d:%d:xtic(1) title '%s'" "$dir/chart.tab" $((3 * j - 1)) $((3 * j)) $((3 * j + 1)) "$k"
			else
				printf "'' skip 1 using %d:%d:%d title '%s'" $((3 * j - 1)) $((3 * j)) $((3 * j + 1)) "$k"
			fi
			j=$((j + 1))
		done
		echo
	} >"$dir/chart.gp"
	gnuplot "$dir/chart.gp" 2>"$dir/chart.err" || echo "gnuplot failed: $(head -n 3 "$dir/chart.err")" >&2
fi

{
	echo "make bench: ours (xdb-*.ko side by side; xen-blkback/xen-netback swapped in the boot) against the in-tree modules of the same kernel"
	echo "date:    $(date -u '+%Y-%m-%d %H:%M UTC')"
	gv=$(for k in "$@"; do [ ! -f "$dir/console-$k.log" ] || sed -n 's/^XDBINFO bench kernel=.* vcpus=\([0-9]*\).*/\1/p' "$dir/console-$k.log"; done | head -n1)
	echo "machine: $(uname -n), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) CPUs;" \
		"Xen 4.17 + Dom0 under QEMU TCG (2 vCPUs), guests ${gv:-1} vCPU"
	for k in "$@"; do
		[ -f "$dir/console-$k.log" ] || continue
		echo "Dom0 $k: Xen $(awk '$1 == "XDBINFO" && $2 == "xen" {print $3; exit}' "$dir/console-$k.log"); $(awk '$1 == "XDBINFO" && $2 == "bench" && $3 ~ /^kernel=/ {$1 = $2 = ""; print; exit}' "$dir/console-$k.log" | xargs)"
	done
	echo "method: /work/shared/benchmarks.md -- one boot per kernel, sides alternated A B / B A per round,"
	echo "        ratio = ours / in-tree per round, median [min-max]; ahead: >= 1 (throughput), <= 1 (time, latency);"
	echo "        other sides (qdisk, local, ours:P=V = ours with module parameter P=V) with their ratio to in-tree"
	echo "files:  raw.csv results.csv table.md chart.png console-*.log"
	cat "$dir/table.md"
} >"$dir/summary.txt"
cat "$dir/summary.txt"
