#!/usr/bin/env bash
# Benchmark: `oci pull` against `skopeo copy docker://… oci:…` of the same ~300 MB image (6 gzip
# layers of random data) from a docker-registry this script starts on 127.0.0.1. Prints wall time,
# CPU time (user+sys) and peak RSS (/usr/bin/time -v) of each run, the medians, and the ratios
# oci/skopeo. On a shared machine the CPU seconds are the steadier figure.
# Goal: oci wall <= 0.6 x skopeo, oci peak RSS <= 300 MiB.
# Usage: bench/pull.sh [RUNS]   (default 5 runs each, alternating; the medians are reported)
set -euo pipefail
here=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
runs=${1:-5}
layers=6
layer_mib=50
for tool in docker-registry skopeo /usr/bin/time python3 gzip; do
  command -v "$tool" >/dev/null || { echo "bench: $tool is missing" >&2; exit 1; }
done

work=$(mktemp -d /tmp/oci-bench-pull.XXXXXX)
reg_pid=
cleanup() {
  if [ -n "$reg_pid" ]; then kill "$reg_pid" 2>/dev/null || true; wait "$reg_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

. "$here/bench/registry.sh"
start_registry "$work"

echo "bench: building a ${layers}x${layer_mib} MiB image..." >&2
layout=$work/layout
mkdir -p "$layout/blobs/sha256"
diff_ids=()
layer_json=()
for i in $(seq "$layers"); do
  mkdir -p "$work/l$i"
  head -c "${layer_mib}M" /dev/urandom > "$work/l$i/data$i"
  tar -C "$work/l$i" -cf "$work/l$i.tar" "data$i"
  diff_ids+=("\"sha256:$(sha256sum < "$work/l$i.tar" | cut -d' ' -f1)\"")
  gzip -1 -n -c "$work/l$i.tar" > "$work/l$i.tar.gz"
  d=$(sha256sum < "$work/l$i.tar.gz" | cut -d' ' -f1)
  mv "$work/l$i.tar.gz" "$layout/blobs/sha256/$d"
  layer_json+=("{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"sha256:$d\",\"size\":$(stat -c %s "$layout/blobs/sha256/$d")}")
  rm -rf "$work/l$i" "$work/l$i.tar"
done
join() { local IFS=,; echo "$*"; }
config="{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[$(join "${diff_ids[@]}")]}}"
cd_=$(printf '%s' "$config" | sha256sum | cut -d' ' -f1)
printf '%s' "$config" > "$layout/blobs/sha256/$cd_"
manifest="{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"sha256:$cd_\",\"size\":${#config}},\"layers\":[$(join "${layer_json[@]}")]}"
md=$(printf '%s' "$manifest" | sha256sum | cut -d' ' -f1)
printf '%s' "$manifest" > "$layout/blobs/sha256/$md"
printf '{"imageLayoutVersion":"1.0.0"}' > "$layout/oci-layout"
printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%d,"annotations":{"org.opencontainers.image.ref.name":"bench"}}]}' "$md" "${#manifest}" > "$layout/index.json"
total=$(du -sb "$layout/blobs" | cut -f1)
skopeo --insecure-policy copy --quiet --dest-tls-verify=false "oci:$layout:bench" "docker://127.0.0.1:$port/bench/big:1"
rm -rf "$layout"
ref=127.0.0.1:$port/bench/big:1

echo "bench: warming up the oci launcher (build + class-data archive)..." >&2
"$here/oci" --version >/dev/null

measure() { # prints "wall_seconds rss_kib cpu_seconds"
  local log=$work/time.log
  /usr/bin/time -v -o "$log" "$@" >/dev/null
  local wall rss u s
  wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$log" | awk -F: '{ if (NF==3) print $1*3600+$2*60+$3; else print $1*60+$2 }')
  rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$log")
  u=$(sed -n 's/.*User time (seconds): //p' "$log"); s=$(sed -n 's/.*System time (seconds): //p' "$log")
  echo "$wall $rss $(awk -v u="$u" -v s="$s" 'BEGIN { print u + s }')"
}

# The machine's load with every figure: on a shared machine, other work slows both tools.
load() { cut -d' ' -f1-3 /proc/loadavg; }
load_before=$(load)
oci_w=(); oci_r=(); oci_c=(); sko_w=(); sko_r=(); sko_c=()
for i in $(seq "$runs"); do
  sync; rm -rf "$work/oci-store" "$work/skopeo-layout"
  read -r w r c < <(measure "$here/oci" --store "$work/oci-store" pull -q "$ref")
  oci_w+=("$w"); oci_r+=("$r"); oci_c+=("$c")
  printf 'run %d: oci pull      %6.2f s  cpu %5.2f s  %6d MiB  (load %s)\n' "$i" "$w" "$c" $((r / 1024)) "$(load)"
  sync
  read -r w r c < <(measure skopeo --insecure-policy copy --quiet --src-tls-verify=false "docker://$ref" "oci:$work/skopeo-layout:bench")
  sko_w+=("$w"); sko_r+=("$r"); sko_c+=("$c")
  printf 'run %d: skopeo copy   %6.2f s  cpu %5.2f s  %6d MiB  (load %s)\n' "$i" "$w" "$c" $((r / 1024)) "$(load)"
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END { print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2) }'; }
max() { printf '%s\n' "$@" | sort -n | tail -1; }
ow=$(median "${oci_w[@]}"); sw=$(median "${sko_w[@]}")
oc=$(median "${oci_c[@]}"); sc=$(median "${sko_c[@]}")
orss=$(( $(max "${oci_r[@]}") / 1024 )); srss=$(( $(max "${sko_r[@]}") / 1024 ))
echo "image: $((total / 1048576)) MiB in $layers layers, loopback docker-registry, $runs runs each; load average $load_before before, $(load) after"
printf 'oci pull:    median %.2f s, CPU %.2f s, peak RSS %d MiB\n' "$ow" "$oc" "$orss"
printf 'skopeo copy: median %.2f s, CPU %.2f s, peak RSS %d MiB\n' "$sw" "$sc" "$srss"
awk -v o="$oc" -v s="$sc" 'BEGIN { printf "ratio oci/skopeo CPU: %.2f\n", o / s }'
awk -v o="$ow" -v s="$sw" 'BEGIN { r = o / s; printf "ratio oci/skopeo wall: %.2f (goal <= 0.60) %s\n", r, (r <= 0.6 ? "OK" : "MISSED") }'
awk -v m="$orss" 'BEGIN { printf "oci peak RSS: %d MiB (goal <= 300) %s\n", m, (m <= 300 ? "OK" : "MISSED") }'
