#!/usr/bin/env bash
# Benchmark of `oci unpack` against `umoci unpack` and GNU tar (the floor) on the same image:
# several gzip layers, several hundred MB of files of mixed sizes, some incompressible.
# Usage: bench/unpack.sh [TOTAL_MB] [LAYERS]   (run as root, like umoci without --rootless)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
total=${1:-400}
nlayers=${2:-4}
work=${BENCH_DIR:-/tmp/oci-bench-unpack}
layout="$work/layout"

if [ ! -f "$layout/index.json" ] || [ "$(cat "$work/.params" 2>/dev/null)" != "$total $nlayers" ]; then
  rm -rf "$work"; mkdir -p "$layout"
  echo "generating a ${total} MB image in $nlayers gzip layers..." >&2
  python3 "$here/bench/unpack-gen.py" "$layout" "$total" "$nlayers"
  echo "$total $nlayers" > "$work/.params"
fi
"$here/oci" --help >/dev/null # build the CLI outside the timed run

run() { # name, command...: prints "name wall_seconds max_rss_kib"
  local name=$1; shift
  rm -rf "$work/out-$name"
  sync
  cat "$layout"/blobs/sha256/* >/dev/null # same warm page cache for everyone
  /usr/bin/time -v -o "$work/time-$name" "$@" >/dev/null
  local wall rss
  wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$work/time-$name" | awk -F: '{ if (NF==3) print $1*3600+$2*60+$3; else print $1*60+$2 }')
  rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$work/time-$name")
  echo "$name $wall $rss"
}

tar_floor() {
  mkdir -p "$work/out-tar"
  while read -r h; do tar -xzf "$layout/blobs/sha256/$h" -C "$work/out-tar"; done < "$layout/layers.txt"
}
export -f tar_floor; export work layout

# The machine may be shared: each tool runs ${ROUNDS:-3} times, interleaved; the best wall time counts.
results=$(
  for r in $(seq "${ROUNDS:-3}"); do
    run oci "$here/oci" --store "$layout" unpack bench "$work/out-oci"
    run umoci umoci unpack --image "$layout:bench" "$work/out-umoci"
    run tar bash -c tar_floor
  done
)
echo "$results" | awk '
  { if (!($1 in wall) || $2 < wall[$1]) wall[$1]=$2; if ($3 > rss[$1]) rss[$1]=$3 }
  END {
    printf "%-6s %9s %12s\n", "tool", "best wall (s)", "peak RSS";
    for (t in wall) printf "%-6s %9.2f %9.1f MiB\n", t, wall[t], rss[t]/1024;
    printf "oci/umoci wall: %.2f (goal <= 0.5)\n", wall["oci"]/wall["umoci"];
    printf "oci/tar   wall: %.2f (goal <= 1.2)\n", wall["oci"]/wall["tar"];
    printf "oci peak RSS:   %.1f MiB (goal <= 256)\n", rss["oci"]/1024;
  }'
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
du -sh "$work/out-oci" "$work/out-umoci/rootfs" "$work/out-tar" 2>/dev/null | sed 's/^/size: /'
rm -rf "$work/out-oci" "$work/out-umoci" "$work/out-tar"
