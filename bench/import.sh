#!/usr/bin/env bash
# Benchmark: `oci import` of a ~300 MB docker-archive, side by side with
# `skopeo copy docker-archive:… oci:…` of the same file, plus `oci --version` start-up.
# Prints wall time, MB/s, peak RSS (GNU time -v) and the oci/skopeo ratios. Not a test: run by hand.
#
#   bench/import.sh [SIZE_MB]      (default 300; work files in bench/work/, removed at the end)
#   ROUNDS=5 bench/import.sh       (oci and skopeo alternate ROUNDS times, default 3; medians printed)
#
# Needs: skopeo, umoci (to build the image), /usr/bin/time. The JVM runs with -Xmx256m to show that
# import streams (no layer is ever held in memory).
set -euo pipefail
here=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)
root=$(dirname "$here")
oci="$root/oci"
size=${1:-300}
work="$here/work"
for t in skopeo umoci /usr/bin/time; do command -v "$t" >/dev/null || { echo "bench: $t is not installed" >&2; exit 1; }; done
rm -rf "$work"; mkdir -p "$work"
trap 'rm -rf "$work"' EXIT

echo "== building a docker-archive with ${size} MB of layers (umoci + skopeo)"
# Four layers: 40% random (incompressible), 20% random, 25% text (compressible), 15% zeros.
umoci init --layout "$work/layout" >/dev/null
umoci new --image "$work/layout:bench" >/dev/null
layer() { # name, MB, kind
  local d="$work/src-$1"; mkdir -p "$d"
  case $3 in
    random) head -c "$(( $2 * 1000 * 1000 ))" /dev/urandom > "$d/data.bin" ;;
    text)   (set +o pipefail; yes "the quick brown fox jumps over the lazy dog $RANDOM" | head -c "$(( $2 * 1000 * 1000 ))" > "$d/data.txt") ;;
    zeros)  head -c "$(( $2 * 1000 * 1000 ))" /dev/zero > "$d/zeros.bin" ;;
  esac
  umoci insert --image "$work/layout:bench" "$d" "/$1" >/dev/null
  rm -rf "$d"
}
layer l1 $(( size * 40 / 100 )) random
layer l2 $(( size * 20 / 100 )) random
layer l3 $(( size * 25 / 100 )) text
layer l4 $(( size * 15 / 100 )) zeros
archive="$work/bench.tar"
skopeo --insecure-policy copy -q "oci:$work/layout:bench" "docker-archive:$archive:bench.example/import:1"
rm -rf "$work/layout"
bytes=$(stat -c %s "$archive")
mb=$(awk -v b="$bytes" 'BEGIN { printf "%.1f", b / 1e6 }')
echo "archive: $archive, $mb MB ($(tar -tf "$archive" | grep -c 'layer.tar$') layers, uncompressed as docker save writes them)"
cat "$archive" > /dev/null   # both tools read it from the page cache

measure() { # label, command... ; sets WALL (s) and RSS (kB)
  local label=$1; shift
  /usr/bin/time -v -o "$work/time.txt" "$@" > "$work/out.txt" 2>&1 || { cat "$work/out.txt" >&2; echo "bench: $label failed" >&2; exit 1; }
  WALL=$(awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s }' "$work/time.txt")
  RSS=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$work/time.txt")
  CPU=$(awk -F': ' '/User time|System time/ { s += $2 } END { print s }' "$work/time.txt")
}

echo "== oci --version start-up (after one warm-up run that builds the CDS archive)"
"$oci" --version > /dev/null 2>&1
starts=()
for i in 1 2 3 4 5; do measure "oci --version" "$oci" --version; starts+=("$WALL"); done
startup=$(printf '%s\n' "${starts[@]}" | sort -n | sed -n 3p)
echo "oci --version: median ${startup}s of 5 runs (${starts[*]}), peak RSS ${RSS} kB"

median() { printf '%s\n' "$@" | sort -n | sed -n "$(( ($# + 1) / 2 ))p"; }
rounds=${ROUNDS:-3}
echo "== import: $rounds alternating rounds, medians (each into an empty store)"
ow=(); orss=(); sw=(); srss=(); ocpu=(); scpu=()
for r in $(seq "$rounds"); do
  rm -rf "$work/oci-store" "$work/skopeo-store"
  OCI_JAVA_OPTS=-Xmx256m measure "oci import" "$oci" --store "$work/oci-store" import "$archive"
  ow+=("$WALL"); orss+=("$RSS"); ocpu+=("$CPU")
  grep -q "Loaded image: bench.example/import:1" "$work/out.txt" || { cat "$work/out.txt"; exit 1; }
  measure "skopeo copy" skopeo --insecure-policy copy -q "docker-archive:$archive" "oci:$work/skopeo-store:bench.example/import:1"
  sw+=("$WALL"); srss+=("$RSS"); scpu+=("$CPU")
done
echo "oci import walls: ${ow[*]}; skopeo copy walls: ${sw[*]}"
oci_wall=$(median "${ow[@]}"); oci_rss=$(median "${orss[@]}"); sk_wall=$(median "${sw[@]}"); sk_rss=$(median "${srss[@]}")
oci_cpu=$(median "${ocpu[@]}"); sk_cpu=$(median "${scpu[@]}")
"$oci" --store "$work/oci-store" fsck > /dev/null

echo "== the same archive gzip-compressed (gzip -1; both tools decompress on the fly)"
gzip -1 -c "$archive" > "$archive.gz"
cat "$archive.gz" > /dev/null
OCI_JAVA_OPTS=-Xmx256m measure "oci import (gzip)" "$oci" --store "$work/oci-store-gz" import "$archive.gz"
ogz_wall=$WALL; ogz_rss=$RSS; ogz_cpu=$CPU
if skopeo --insecure-policy copy -q "docker-archive:$archive.gz" "oci:$work/skopeo-probe:x" > "$work/probe.txt" 2>&1; then
  measure "skopeo copy (gzip)" skopeo --insecure-policy copy -q "docker-archive:$archive.gz" "oci:$work/skopeo-store-gz:bench.example/import:1"
  sgz_wall=$WALL; sgz_rss=$RSS; sgz_cpu=$CPU
else
  echo "skopeo cannot read a gzip-compressed docker-archive: $(tail -n1 "$work/probe.txt")"
  sgz_wall=nan; sgz_rss=nan; sgz_cpu=nan
fi

awk -v mb="$mb" -v ow="$oci_wall" -v orss="$oci_rss" -v oc="$oci_cpu" -v sw="$sk_wall" -v srss="$sk_rss" -v sc="$sk_cpu" \
    -v ogw="$ogz_wall" -v ogr="$ogz_rss" -v ogc="$ogz_cpu" -v sgw="$sgz_wall" -v sgr="$sgz_rss" -v sgc="$sgz_cpu" 'BEGIN {
  printf "%-40s %7s %8s %7s %12s\n", "(MB/s of the uncompressed archive)", "wall s", "MB/s", "CPU s", "peak RSS MB"
  printf "%-40s %7.2f %8.1f %7.2f %12.1f\n", "oci import (-Xmx256m)", ow, mb / ow, oc, orss / 1024
  printf "%-40s %7.2f %8.1f %7.2f %12.1f\n", "skopeo copy docker-archive: oci:", sw, mb / sw, sc, srss / 1024
  printf "%-40s %7.2f %8.1f %7.2f %12.1f\n", "oci import, gzip archive (-Xmx256m)", ogw, mb / ogw, ogc, ogr / 1024
  if (sgw != "nan") printf "%-40s %7.2f %8.1f %7.2f %12.1f\n", "skopeo copy, gzip archive", sgw, mb / sgw, sgc, sgr / 1024
  else printf "%-40s %7s\n", "skopeo copy, gzip archive", "fails"
  printf "ratio oci/skopeo: wall %.2f, CPU %.2f, peak RSS %.2f\n", ow / sw, oc / sc, orss / srss
  if (sgw != "nan") printf "ratio oci/skopeo, gzip archive: wall %.2f, CPU %.2f, peak RSS %.2f\n", ogw / sgw, ogc / sgc, ogr / sgr
}'
