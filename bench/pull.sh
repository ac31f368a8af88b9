#!/usr/bin/env bash
# Benchmark: `oci pull` against `skopeo copy docker://… oci:…` of the same images from a
# docker-registry this script starts on 127.0.0.1, each into an empty store: "busybox", one gzip
# layer of Debian's busybox-static (~1 MB, where start-up is the cost), and "big", ~300 MB in 6 gzip
# layers of random data, and "debian", the debian-like image of bench/pipeline.sh (bench/pipeline-gen.py:
# 4 gzip layers, ~165 MB, made once and kept in $BENCH_DIR, default /tmp/oci-bench-pipeline). Prints wall time, CPU time (user+sys) and peak RSS (/usr/bin/time -v) of
# each run, the medians, and the ratios oci/skopeo (the median of the per-round ratios). On a shared
# machine the CPU seconds are the steadier figure.
# Goals (issue 12): busybox oci wall <= 2 x skopeo; big and debian oci wall <= 1.0 x skopeo, peak
# RSS <= 300 MiB. IMAGES="busybox debian" picks images (default "busybox big"). OCI_COMPARE=/path/to/another/oci runs
# that launcher (an older build) alternately too, for a before/after ratio from one paired run. The
# contenders' order rotates from round to round.
# Usage: bench/pull.sh [RUNS]   (default 5 runs each, alternating; the medians are reported)
set -euo pipefail
here=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
runs=${1:-5}
layers=6
layer_mib=50
read -r -a images <<< "${IMAGES:-busybox big}"
for tool in docker-registry skopeo /usr/bin/time python3 gzip busybox; do
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

# push_layout DIR REF: the OCI layout in DIR (one image, ref name "bench") into the registry.
push_layout() {
  skopeo --insecure-policy copy --quiet --dest-tls-verify=false "oci:$1:bench" "docker://127.0.0.1:$port/$2"
  rm -rf "$1"
}
# write_layout DIR CONFIG LAYER_JSON: config blob, manifest and index of a one-manifest layout.
write_layout() {
  local layout=$1 config=$2 layers=$3 cd_ manifest md
  cd_=$(printf '%s' "$config" | sha256sum | cut -d' ' -f1)
  printf '%s' "$config" > "$layout/blobs/sha256/$cd_"
  manifest="{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"sha256:$cd_\",\"size\":${#config}},\"layers\":[$layers]}"
  md=$(printf '%s' "$manifest" | sha256sum | cut -d' ' -f1)
  printf '%s' "$manifest" > "$layout/blobs/sha256/$md"
  printf '{"imageLayoutVersion":"1.0.0"}' > "$layout/oci-layout"
  printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%d,"annotations":{"org.opencontainers.image.ref.name":"bench"}}]}' "$md" "${#manifest}" > "$layout/index.json"
}
declare -A refs sizes

# busybox: /bin/busybox (Debian's static build) and /bin/sh linked to it, gzip -9 as Docker Hub's is.
layout=$work/bb-layout
mkdir -p "$layout/blobs/sha256" "$work/bb/bin"
cp "$(readlink -f "$(command -v busybox)")" "$work/bb/bin/busybox"
ln -s busybox "$work/bb/bin/sh"
tar -C "$work/bb" -cf "$work/bb.tar" bin
bb_diff=$(sha256sum < "$work/bb.tar" | cut -d' ' -f1)
gzip -9 -n -c "$work/bb.tar" > "$work/bb.tar.gz"
d=$(sha256sum < "$work/bb.tar.gz" | cut -d' ' -f1)
mv "$work/bb.tar.gz" "$layout/blobs/sha256/$d"
write_layout "$layout" "{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{\"Cmd\":[\"sh\"]},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"sha256:$bb_diff\"]}}" \
  "{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"sha256:$d\",\"size\":$(stat -c %s "$layout/blobs/sha256/$d")}"
sizes[busybox]=$(du -sb "$layout/blobs" | cut -f1)
push_layout "$layout" bench/busybox:1
refs[busybox]=127.0.0.1:$port/bench/busybox:1
rm -rf "$work/bb" "$work/bb.tar"

if [[ " ${images[*]} " == *" big "* ]]; then
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
  write_layout "$layout" "{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[$(join "${diff_ids[@]}")]}}" \
    "$(join "${layer_json[@]}")"
  sizes[big]=$(du -sb "$layout/blobs" | cut -f1)
  push_layout "$layout" bench/big:1
  refs[big]=127.0.0.1:$port/bench/big:1
fi

if [[ " ${images[*]} " == *" debian "* ]]; then
  cache=${BENCH_DIR:-/tmp/oci-bench-pipeline}
  if [ ! -f "$cache/layout/index.json" ]; then
    rm -rf "$cache"; mkdir -p "$cache"
    echo "bench: building the debian-like image..." >&2
    python3 "$here/bench/pipeline-gen.py" "$cache/layout" 210
  fi
  sizes[debian]=$(du -sb "$cache/layout/blobs" | cut -f1)
  skopeo --insecure-policy copy --quiet --dest-tls-verify=false "oci:$cache/layout:bench" "docker://127.0.0.1:$port/bench/debian:1"
  refs[debian]=127.0.0.1:$port/bench/debian:1
fi

echo "bench: warming up the oci launcher (build + class-data archive)..." >&2
"$here/oci" --version >/dev/null

measure() { # prints "wall_seconds rss_kib cpu_seconds" (wall from the clock in ns: /usr/bin/time's is 10 ms steps)
  local log=$work/time.log t0 t1
  t0=$(date +%s%N)
  /usr/bin/time -v -o "$log" "$@" >/dev/null
  t1=$(date +%s%N)
  local wall rss u s
  wall=$(awk -v n=$((t1 - t0)) 'BEGIN { printf "%.4f", n / 1e9 }')
  rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$log")
  u=$(sed -n 's/.*User time (seconds): //p' "$log"); s=$(sed -n 's/.*System time (seconds): //p' "$log")
  echo "$wall $rss $(awk -v u="$u" -v s="$s" 'BEGIN { print u + s }')"
}

# The machine's load with every figure: on a shared machine, other work slows both tools.
load() { cut -d' ' -f1-3 /proc/loadavg; }
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END { print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2) }'; }
max() { printf '%s\n' "$@" | sort -n | tail -1; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.4f", a / b }'; }
for img in "${images[@]}"; do
  ref=${refs[$img]}
  load_before=$(load)
  oci_w=(); oci_r=(); oci_c=(); sko_w=(); sko_r=(); sko_c=(); bef_w=(); bef_c=(); rw=(); rc=(); rb=()
  contenders=(oci skopeo); [ -n "${OCI_COMPARE:-}" ] && contenders+=(before)
  for i in $(seq "$runs"); do
    sync; rm -rf "$work/oci-store" "$work/skopeo-layout" "$work/before-store"
    # The order rotates each round (as in bench/pipeline.sh), so that no contender always runs
    # first after the reset, which frees the last round's files (~0.5 GB in a debian-like round).
    n=${#contenders[@]}
    for k in $(seq 0 $((n - 1))); do
      sync
      case ${contenders[$(( (k + i - 1) % n ))]} in
        oci)
          read -r w r c < <(measure "$here/oci" --store "$work/oci-store" pull -q "$ref")
          oci_w+=("$w"); oci_r+=("$r"); oci_c+=("$c")
          printf '%s run %d: oci pull      %6.2f s  cpu %5.2f s  %6d MiB  (load %s)\n' "$img" "$i" "$w" "$c" $((r / 1024)) "$(load)" ;;
        skopeo)
          read -r w r c < <(measure skopeo --insecure-policy copy --quiet --src-tls-verify=false "docker://$ref" "oci:$work/skopeo-layout:bench")
          sko_w+=("$w"); sko_r+=("$r"); sko_c+=("$c")
          printf '%s run %d: skopeo copy   %6.2f s  cpu %5.2f s  %6d MiB  (load %s)\n' "$img" "$i" "$w" "$c" $((r / 1024)) "$(load)" ;;
        before)
          read -r w r c < <(measure "$OCI_COMPARE" --store "$work/before-store" pull -q "$ref")
          bef_w+=("$w"); bef_c+=("$c")
          printf '%s run %d: before pull   %6.2f s  cpu %5.2f s  %6d MiB  (load %s)\n' "$img" "$i" "$w" "$c" $((r / 1024)) "$(load)" ;;
      esac
    done
    rw+=("$(ratio "${oci_w[-1]}" "${sko_w[-1]}")"); rc+=("$(ratio "${oci_c[-1]}" "${sko_c[-1]}")")
    if [ -n "${OCI_COMPARE:-}" ]; then rb+=("$(ratio "${oci_w[-1]}" "${bef_w[-1]}")"); fi
  done
  ow=$(median "${oci_w[@]}"); sw=$(median "${sko_w[@]}")
  oc=$(median "${oci_c[@]}"); sc=$(median "${sko_c[@]}")
  orss=$(( $(max "${oci_r[@]}") / 1024 )); srss=$(( $(max "${sko_r[@]}") / 1024 ))
  echo "image $img: $(( sizes[$img] / 1024 )) KiB, loopback docker-registry, $runs runs each; load average $load_before before, $(load) after"
  printf '  oci pull:    median %.3f s, CPU %.2f s, peak RSS %d MiB\n' "$ow" "$oc" "$orss"
  printf '  skopeo copy: median %.3f s, CPU %.2f s, peak RSS %d MiB\n' "$sw" "$sc" "$srss"
  if [ -n "${OCI_COMPARE:-}" ]; then
    printf '  before pull: median %.3f s, CPU %.2f s\n' "$(median "${bef_w[@]}")" "$(median "${bef_c[@]}")"
    printf '  ratio oci/before wall (median per round): %.2f\n' "$(median "${rb[@]}")"
  fi
  printf '  ratio oci/skopeo (median per round): wall %.2f, CPU %.2f\n' "$(median "${rw[@]}")" "$(median "${rc[@]}")"
done
