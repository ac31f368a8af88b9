#!/usr/bin/env bash
# Benchmark of `oci bundle` (unpack + config.json) against `umoci unpack` (unpack + config.json) on the
# same OCI layout; of config generation alone in one JVM (bench/ConfigGenBench.java: first call and
# warm median); and of `oci spec` against `runc spec`.
# Usage: bench/bundle.sh [RUNS]   (run as root, like umoci without --rootless)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
runs=${1:-5}
work=${BENCH_DIR:-/tmp/oci-bench-bundle}
layout="$work/layout"

if [ ! -f "$layout/index.json" ]; then
  rm -rf "$work"; mkdir -p "$work"
  echo "building a test image with umoci (busybox + /usr/share/doc + /usr/lib/python3*)..." >&2
  umoci init --layout "$layout"
  umoci new --image "$layout:bench"
  umoci unpack --image "$layout:bench" "$work/seed"
  mkdir -p "$work/seed/rootfs/bin" "$work/seed/rootfs/usr/share" "$work/seed/rootfs/usr/lib" "$work/seed/rootfs/etc"
  cp /bin/busybox "$work/seed/rootfs/bin/" && ln -s busybox "$work/seed/rootfs/bin/sh"
  printf 'root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n' > "$work/seed/rootfs/etc/passwd"
  printf 'root:x:0:\napp:x:1000:\nwheel:x:10:app\n' > "$work/seed/rootfs/etc/group"
  cp -a /usr/share/doc "$work/seed/rootfs/usr/share/" 2>/dev/null || true
  cp -a /usr/lib/python3* "$work/seed/rootfs/usr/lib/" 2>/dev/null || true
  umoci repack --image "$layout:bench" "$work/seed"
  umoci config --image "$layout:bench" --config.cmd sh --config.cmd -c --config.cmd 'echo hi' \
    --config.user app --config.env LANG=C.UTF-8 --config.volume /data --config.workingdir /srv
  rm -rf "$work/seed"
fi
"$here/oci" --help >/dev/null # build the CLI outside the timed runs

ms() { # command...: prints the median wall time in ms over $runs runs (after one warm-up)
  local t=() i s e
  "$@" >/dev/null 2>&1 || { echo "failed: $*" >&2; exit 1; }
  for ((i = 0; i < runs; i++)); do
    cleanup
    s=$(date +%s%N); "$@" >/dev/null 2>&1; e=$(date +%s%N)
    t+=($(( (e - s) / 1000000 )))
  done
  cleanup
  printf '%s\n' "${t[@]}" | sort -n | awk '{ a[NR]=$1 } END { print a[int((NR+1)/2)] }'
}
cleanup() { rm -rf "$work/b-oci" "$work/b-umoci" "$work/b-spec" "$work/b-runc"; mkdir -p "$work/b-spec" "$work/b-runc"; }

oci_bundle=$(ms "$here/oci" --store "$layout" bundle bench "$work/b-oci")
umoci_unpack=$(ms umoci unpack --image "$layout:bench" "$work/b-umoci")
oci_spec=$(ms "$here/oci" spec -b "$work/b-spec")
runc_spec=$(ms bash -c "cd '$work/b-runc' && runc spec")

# config generation alone, inside one JVM (no JVM start, no unpack)
"$here/oci" --store "$layout" bundle bench "$work/b-oci" >/dev/null
java_bin=$(cat "$here/cli/target/.java-path")
inproc=$("$java_bin" --enable-native-access=ALL-UNNAMED -cp "$here/cli/target/oci-cli.jar:$here/cli/target/lib/*" \
  "$here/bench/ConfigGenBench.java" "$layout" bench "$work/b-oci/rootfs")
cleanup

size=$(du -sh "$layout" | cut -f1)
echo "image: $size layout, $runs runs each, median wall time"
printf '%-44s %7s ms\n' "oci bundle (unpack + config)" "$oci_bundle" "umoci unpack (unpack + config)" "$umoci_unpack" \
  "oci spec (JVM start + default config)" "$oci_spec" \
  "runc spec" "$runc_spec"
awk -v inproc="$inproc" -v a="$oci_bundle" -v b="$umoci_unpack" 'BEGIN {
  printf "oci bundle / umoci unpack: %.2f\n", a / b;
  printf "in-process %s\n", inproc;
  printf "(oci bundle warms the config serialiser up on another thread while unpacking, so only the warm figure is added)\n";
}'
