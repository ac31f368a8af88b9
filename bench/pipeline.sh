#!/usr/bin/env bash
# Benchmark of the CI-pipeline job: a bundle straight from a registry, and a second bundle of the same
# image, against the tools one would use instead. A debian-like image (bench/pipeline-gen.py: 4 gzip
# layers, ~165 MB compressed, whiteouts and an opaque directory) is pushed to a docker-registry this
# script starts on 127.0.0.1. Each round, interleaved:
#   first:  oci bundle REF DIR with an empty store   vs  skopeo copy docker://REF oci:L:x && umoci unpack --image L:x DIR
#   second: oci bundle REF DIR2 (store and snapshots warm)  vs  umoci unpack --image L:x DIR2
# Goals: first <= 0.6x, second <= 0.1x and far under 1 s, oci peak RSS <= 256 MiB.
# Usage: bench/pipeline.sh [ROUNDS]   (default 3; the best wall time of each counts, and its least CPU
# time, user + system, which other load on the machine changes less; run as root)
# OCI_COMPARE=/path/to/another/oci adds that launcher (an older build) as "before", in the same rounds.
set -euo pipefail
here=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
rounds=${1:-3}
for tool in docker-registry skopeo umoci /usr/bin/time python3 gzip; do
  command -v "$tool" >/dev/null || { echo "bench: $tool is missing" >&2; exit 1; }
done
cache=${BENCH_DIR:-/tmp/oci-bench-pipeline}
work=$(mktemp -d /tmp/oci-bench-pipeline-run.XXXXXX)
reg_pid=
cleanup() {
  for d in "$work"/b-*; do [ -d "$d" ] && "$here/oci" --store "$work/store" rmbundle "$d" >/dev/null 2>&1 || true; done
  for d in "$work"/c-*; do [ -d "$d" ] && "$OCI_COMPARE" --store "$work/cstore" rmbundle "$d" >/dev/null 2>&1 || true; done
  if [ -n "$reg_pid" ]; then kill "$reg_pid" 2>/dev/null || true; wait "$reg_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

if [ ! -f "$cache/layout/index.json" ]; then
  rm -rf "$cache"; mkdir -p "$cache"
  echo "bench: building the debian-like image..." >&2
  python3 "$here/bench/pipeline-gen.py" "$cache/layout" 210
fi
. "$here/bench/registry.sh"
start_registry "$work"
ref=127.0.0.1:$port/bench/debian:1
skopeo --insecure-policy copy --quiet --dest-tls-verify=false "oci:$cache/layout:bench" "docker://$ref"
"$here/oci" --version >/dev/null # build and warm the launcher outside the timed runs
if [ -n "${OCI_COMPARE:-}" ]; then "$OCI_COMPARE" --version >/dev/null; fi

run() { # name, command...: prints "name wall_seconds max_rss_kib cpu_seconds" (cpu: user + system, children included)
  local name=$1; shift
  /usr/bin/time -v -o "$work/time" "$@" >/dev/null 2>"$work/err-$name" || { cat "$work/err-$name" >&2; echo "bench: $name failed" >&2; exit 1; }
  local wall rss cpu
  wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$work/time" | awk -F: '{ if (NF==3) print $1*3600+$2*60+$3; else print $1*60+$2 }')
  rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$work/time")
  cpu=$(awk -F': ' '/User time|System time/ { s += $2 } END { print s }' "$work/time")
  echo "$name $wall $rss $cpu"
}
reset() {
  for d in "$work"/b-*; do [ -d "$d" ] && "$here/oci" --store "$work/store" rmbundle "$d" >/dev/null; done
  for d in "$work"/c-*; do [ -d "$d" ] && "$OCI_COMPARE" --store "$work/cstore" rmbundle "$d" >/dev/null; done
  rm -rf "$work/store" "$work/cstore" "$work/L" "$work"/u-*
  sync
}

oci_runs() {
  run oci-first "$here/oci" --store "$work/store" bundle "$ref" "$work/b-1"
  run oci-second "$here/oci" --store "$work/store" bundle "$ref" "$work/b-2"
}
tool_runs() {
  run skopeo-umoci-first bash -c "skopeo --insecure-policy copy --quiet --src-tls-verify=false docker://$ref oci:$work/L:x && umoci unpack --image $work/L:x $work/u-1"
  run umoci-second umoci unpack --image "$work/L:x" "$work/u-2"
}
before_runs() {
  run before-first "$OCI_COMPARE" --store "$work/cstore" bundle "$ref" "$work/c-1"
  run before-second "$OCI_COMPARE" --store "$work/cstore" bundle "$ref" "$work/c-2"
}
# The order rotates from round to round: the first runs after the reset's deletions cost more on some
# file systems (an ext4 without a journal steps over inodes freed in the last minute), and each
# contender takes that place as often as the others.
groups=(oci_runs tool_runs)
if [ -n "${OCI_COMPARE:-}" ]; then groups+=(before_runs); fi
results=$(
  for r in $(seq "$rounds"); do
    reset
    for i in $(seq 0 $((${#groups[@]} - 1))); do "${groups[$(( (i + r - 1) % ${#groups[@]} ))]}"; done
  done
)
reset
echo "$results" | awk -v load="$(cut -d' ' -f1-3 /proc/loadavg)" '
  { if (!($1 in wall) || $2 < wall[$1]) wall[$1]=$2; if ($3 > rss[$1]) rss[$1]=$3; if (!($1 in cpu) || $4 < cpu[$1]) cpu[$1]=$4 }
  END {
    printf "%-20s %14s %12s %14s\n", "run", "best wall (s)", "peak RSS", "least CPU (s)";
    split("oci-first skopeo-umoci-first oci-second umoci-second", order, " ");
    for (i = 1; i <= 4; i++) { t = order[i]; printf "%-20s %14.2f %8.1f MiB %14.2f\n", t, wall[t], rss[t]/1024, cpu[t] }
    printf "first bundle  oci / (skopeo copy + umoci unpack): %.2f (goal <= 0.6); CPU %.2f\n", wall["oci-first"]/wall["skopeo-umoci-first"], cpu["oci-first"]/cpu["skopeo-umoci-first"];
    printf "second bundle oci / umoci unpack:                 %.2f (goal <= 0.1)\n", wall["oci-second"]/wall["umoci-second"];
    m = rss["oci-first"] > rss["oci-second"] ? rss["oci-first"] : rss["oci-second"];
    printf "oci peak RSS: %.1f MiB (goal <= 256)\n", m/1024;
    if ("before-first" in wall) {
      printf "%-20s %14.2f %8.1f MiB %14.2f\n", "before-first", wall["before-first"], rss["before-first"]/1024, cpu["before-first"];
      printf "%-20s %14.2f %8.1f MiB %14.2f\n", "before-second", wall["before-second"], rss["before-second"]/1024, cpu["before-second"];
      printf "before: first bundle %.2f, second bundle %.2f\n", wall["before-first"]/wall["skopeo-umoci-first"], wall["before-second"]/wall["umoci-second"];
    }
    printf "load average: %s\n", load;
  }'
echo "image: $(du -sh "$cache/layout/blobs" | cut -f1) compressed, $rounds rounds"
