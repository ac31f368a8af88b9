#!/usr/bin/env bash
# Benchmark: start-up of short `oci` commands under each JVM set-up, side by side with
# `skopeo --version` and `runc --version` for reference. Set-ups (all with the launcher's
# -XX:+UseSerialGC; the first four with the JVM's default JIT settings):
#   plain     the JDK's default CDS archive only
#   first     a dynamic CDS archive of the first command run after a build, here a pull (what the
#             launcher did before: -XX:+AutoCreateSharedArchive)
#   aot       a JEP 483/515 AOT cache made from the training run (oci.cli.Training)
#   cds       a dynamic CDS archive of the same training run (the launcher's archive)
#   launcher  ./oci as a user runs it: that archive (the smaller oci-meta.jsa for --version, images,
#             inspect, list, spec and validate), C1 alone for metadata commands, raised compile
#             thresholds for commands that move data
#   before    OCI_COMPARE=/path/to/another/oci: that launcher (an older build), run alternately with
#             this one, for before/after ratios from one paired run
# SETUPS="cds launcher" picks setups (default: all but before; before is added with OCI_COMPARE).
# Commands: --version, images, list, spec, validate, inspect, and a pull of a small image that is
# already in the store (a loopback docker-registry started here: resolve the manifest, find every
# blob present). `java -version` (same JDK, -XX:+UseSerialGC) is the reference, as in issue 12.
# Prints the median wall and CPU (user+sys) seconds of RUNS alternating rounds, and each setup's
# median ratio to `java -version` in the same round.
# Usage: bench/startup.sh [RUNS]   (default 5)
set -euo pipefail
here=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
runs=${1:-5}
for tool in docker-registry skopeo /usr/bin/time python3; do
  command -v "$tool" >/dev/null || { echo "bench: $tool is missing" >&2; exit 1; }
done

work=$(mktemp -d /tmp/oci-bench-startup.XXXXXX)
reg_pid=
cleanup() {
  if [ -n "$reg_pid" ]; then kill "$reg_pid" 2>/dev/null || true; wait "$reg_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

echo "bench: building oci and its start-up archive..." >&2
"$here/oci" --version >/dev/null
java_bin=$(cat "$here/cli/target/.java-path" 2>/dev/null || command -v java)
jar=$here/cli/target/oci-cli.jar
cds=$here/cli/target/oci.jsa
read -r -a setups <<< "${SETUPS:-plain first aot cds launcher}"
if [ -n "${OCI_COMPARE:-}" ]; then setups+=(before); fi
has() { [[ " ${setups[*]} " == *" $1 "* ]]; }
if has cds; then [ -f "$cds" ] || { echo "bench: the launcher made no CDS archive ($cds)" >&2; exit 1; }; fi

. "$here/bench/registry.sh"
start_registry "$work"

# A one-layer image (64 KiB of random data) pushed with skopeo, then pulled once into the store.
layout=$work/layout
mkdir -p "$layout/blobs/sha256" "$work/l"
head -c 65536 /dev/urandom > "$work/l/data"
tar -C "$work/l" -cf "$work/l.tar" data
diff_id=$(sha256sum < "$work/l.tar" | cut -d' ' -f1)
gzip -1 -n -c "$work/l.tar" > "$work/l.tar.gz"
ld=$(sha256sum < "$work/l.tar.gz" | cut -d' ' -f1); ls_=$(stat -c %s "$work/l.tar.gz")
mv "$work/l.tar.gz" "$layout/blobs/sha256/$ld"
config="{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"sha256:$diff_id\"]}}"
cd_=$(printf '%s' "$config" | sha256sum | cut -d' ' -f1)
printf '%s' "$config" > "$layout/blobs/sha256/$cd_"
manifest="{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"sha256:$cd_\",\"size\":${#config}},\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"sha256:$ld\",\"size\":$ls_}]}"
md=$(printf '%s' "$manifest" | sha256sum | cut -d' ' -f1)
printf '%s' "$manifest" > "$layout/blobs/sha256/$md"
printf '{"imageLayoutVersion":"1.0.0"}' > "$layout/oci-layout"
printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%d,"annotations":{"org.opencontainers.image.ref.name":"small"}}]}' "$md" "${#manifest}" > "$layout/index.json"
ref=127.0.0.1:$port/bench/small:1
skopeo --insecure-policy copy --quiet --dest-tls-verify=false "oci:$layout:small" "docker://$ref"
store=$work/store
"$here/oci" --store "$store" pull -q "$ref" >/dev/null

jvm=(-XX:+UseSerialGC -Xss1m)  # as the launcher: the jar's manifest grants native access
echo "bench: making the comparison archives..." >&2
if has first; then
  "$java_bin" "${jvm[@]}" -XX:ArchiveClassesAtExit="$work/first.jsa" -Xlog:cds=off -Xlog:cds+dynamic=off \
    -jar "$jar" --store "$store" pull -q "$ref" >/dev/null
fi
if has aot; then
  "$java_bin" "${jvm[@]}" -XX:AOTCacheOutput="$work/oci.aot" -cp "$jar" oci.cli.Training >"$work/aot.log" 2>&1 \
    || { echo "bench: could not make the AOT cache:" >&2; cat "$work/aot.log" >&2; exit 1; }
fi

declare -A setup=(
  [plain]=""
  [first]="-XX:SharedArchiveFile=$work/first.jsa -Xlog:cds=off"
  [aot]="-XX:AOTCache=$work/oci.aot -Xlog:aot=off -Xlog:cds=off"
  [cds]="-XX:SharedArchiveFile=$cds -Xlog:cds=off"
)
mkdir -p "$work/spec" "$work/valid/rootfs" "$work/state"
"$here/oci" spec -b "$work/valid"
declare -A cmd=(
  [version]="--version"
  [images]="--store $store images"
  [list]="--root $work/state list"
  [spec]="spec -b $work/spec"
  [validate]="validate $work/valid"
  [inspect]="--store $store inspect $ref"
  [pull]="--store $store pull -q $ref"
)
read -r -a cmds <<< "${COMMANDS:-version images list spec validate inspect pull}"

measure() { # prints "wall cpu" of one run of "$@" (wall from the clock in ns, CPU from /usr/bin/time)
  local log=$work/time.log t0 t1 u s
  t0=$(date +%s%N)
  /usr/bin/time -f '%U %S' -o "$log" "$@" >/dev/null 2>&1 || { echo "bench: failed: $*" >&2; exit 1; }
  t1=$(date +%s%N)
  read -r u s < "$log"
  echo "$(( (t1 - t0) / 1000 ))e-6 $(awk -v u="$u" -v s="$s" 'BEGIN { print u + s }')"
}

# Each round runs every command under every setup, then the references; the ratio to `java
# -version` is taken within a round (the load changes between rounds), and its median reported.
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores"
declare -A walls cpus ratios
for i in $(seq "$runs"); do
  declare -A this=()
  for c in "${cmds[@]}"; do
    for s in "${setups[@]}"; do
      rm -f "$work/spec/config.json"
      # shellcheck disable=SC2086 # the option strings are word lists
      if [ "$s" = launcher ]; then read -r w u < <(measure "$here/oci" ${cmd[$c]})
      elif [ "$s" = before ]; then read -r w u < <(measure "$OCI_COMPARE" ${cmd[$c]})
      else read -r w u < <(measure "$java_bin" "${jvm[@]}" ${setup[$s]} -jar "$jar" ${cmd[$c]}); fi
      walls[$c,$s]+="$w "; cpus[$c,$s]+="$u "; this[$c,$s]=$w
    done
  done
  for t in skopeo runc; do
    read -r w u < <(measure "$t" --version)
    walls[$t]+="$w "; cpus[$t]+="$u "
  done
  read -r w u < <(measure "$java_bin" -XX:+UseSerialGC -version)
  walls[java]+="$w "; cpus[java]+="$u "
  for k in "${!this[@]}"; do ratios[$k]+="$(awk -v a="${this[$k]}" -v b="$w" 'BEGIN { printf "%.3f", a / b }') "; done
done

median() { printf '%s\n' $1 | sort -g | awk '{a[NR]=$1} END { print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2) }'; }
echo "start-up, median of $runs alternating runs: wall s / CPU s (user+sys) / wall ratio to java -version"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-10s' ""; for s in "${setups[@]}"; do printf '%22s' "$s"; done; echo
for c in "${cmds[@]}"; do
  printf '%-10s' "$c"
  for s in "${setups[@]}"; do printf '%22s' "$(printf '%.3f / %.2f / %.1fx' "$(median "${walls[$c,$s]}")" "$(median "${cpus[$c,$s]}")" "$(median "${ratios[$c,$s]}")")"; done
  echo
done
for t in java skopeo runc; do printf '%-10s%22s\n' "$t" "$(printf '%.3f / %.2f' "$(median "${walls[$t]}")" "$(median "${cpus[$t]}")")"; done
if [ -n "${OCI_COMPARE:-}" ] && [[ " ${setups[*]} " == *" launcher "* ]]; then
  echo "launcher / before, median of the per-round wall ratios:"
  for c in "${cmds[@]}"; do
    r=
    for i in $(seq "$runs"); do
      a=$(echo ${walls[$c,launcher]} | cut -d' ' -f"$i"); b=$(echo ${walls[$c,before]} | cut -d' ' -f"$i")
      r+="$(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.3f", a / b }') "
    done
    printf '  %-10s %.2f\n' "$c" "$(median "$r")"
  done
fi
