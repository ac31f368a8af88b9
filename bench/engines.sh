#!/usr/bin/env bash
# Benchmark: `ctr run --rm IMAGE true` end to end under Debian's containerd (runc v2 shim), with
# runc and with oci as the shim's runtime (--runc-binary), paired in one hyperfine run; then the
# time the shim's `create` and `start` calls take with each (a timing wrapper around the runtime).
# containerd runs with a config of its own (root, state and socket in a temp dir, no CRI plugin);
# the image is busybox-static, imported from a docker-archive made here.
# Usage: bench/engines.sh [RUNS]   (default 10; INTERLEAVE=1 as in bench/run.sh). Needs root, containerd, runc, hyperfine, busybox.
set -euo pipefail
here=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
runs=${1:-10}
[ "$(id -u)" = 0 ] || { echo "bench: needs root (containers)" >&2; exit 1; }
for tool in containerd ctr runc hyperfine busybox sha256sum python3; do
  command -v "$tool" >/dev/null || { echo "bench: $tool is missing" >&2; exit 1; }
done
oci="$here/oci"
"$oci" --version >/dev/null   # builds if needed
runc=$(command -v runc)

work=$(mktemp -d /tmp/oci-bench-engines.XXXXXX)
ctd_pid=
ctr=(ctr --address "$work/ctd.sock")
cleanup() {
  if [ -n "$ctd_pid" ]; then
    for t in $("${ctr[@]}" tasks ls -q 2>/dev/null); do "${ctr[@]}" tasks delete -f "$t" >/dev/null 2>&1 || true; done
    for c in $("${ctr[@]}" containers ls -q 2>/dev/null); do "${ctr[@]}" containers rm "$c" >/dev/null 2>&1 || true; done
    kill "$ctd_pid" 2>/dev/null || true
    wait "$ctd_pid" 2>/dev/null || true
  fi
  { grep -o " $work[^ ]*" /proc/self/mountinfo || true; } | sort -r | while read -r m; do umount -l "$m" || true; done
  rm -rf "$work"
}
trap cleanup EXIT

# The image: busybox-static as a docker-archive.
img="$work/img"
mkdir -p "$img/rootfs/bin" "$img/arch"
cp "$(readlink -f "$(command -v busybox)")" "$img/rootfs/bin/busybox"
for a in sh true; do ln -s busybox "$img/rootfs/bin/$a"; done
tar -C "$img/rootfs" -cf "$img/layer.tar" bin
d=$(sha256sum "$img/layer.tar" | cut -d' ' -f1)
printf '{"architecture":"amd64","os":"linux","config":{"Env":["PATH=/bin"],"Cmd":["sh"]},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]}}' "$d" > "$img/config.json"
c=$(sha256sum "$img/config.json" | cut -d' ' -f1)
mkdir -p "$img/arch/$d" && cp "$img/layer.tar" "$img/arch/$d/layer.tar" && cp "$img/config.json" "$img/arch/$c.json"
printf '[{"Config":"%s.json","RepoTags":["localhost/bench:1"],"Layers":["%s/layer.tar"]}]' "$c" "$d" > "$img/arch/manifest.json"
tar -C "$img/arch" -cf "$img/image.tar" .

cat > "$work/config.toml" <<EOF
version = 2
root = "$work/root"
state = "$work/state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "$work/ctd.sock"
EOF
containerd --config "$work/config.toml" >"$work/containerd.log" 2>&1 &
ctd_pid=$!
for _ in $(seq 100); do [ -S "$work/ctd.sock" ] && break; sleep 0.1; done
"${ctr[@]}" images import "$img/image.tar" >/dev/null

echo "load average: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores"
# OCI_COMPARE=/path/to/another/oci adds that launcher (an older build) as "before", in the same run.
names=(runc oci)
cmds=(-n runc "${ctr[*]} run --rm --runc-binary $runc localhost/bench:1 bench-runc true"
      -n oci "${ctr[*]} run --rm --runc-binary $oci localhost/bench:1 bench-oci true")
if [ -n "${OCI_COMPARE:-}" ]; then
  names+=(before)
  cmds+=(-n before "${ctr[*]} run --rm --runc-binary $OCI_COMPARE localhost/bench:1 bench-before true")
fi
# INTERLEAVE=1: round by round in a rotating order (bench/interleave.py), as the calls below run.
if [ "${INTERLEAVE:-0}" = 1 ]; then
  python3 "$here/bench/interleave.py" --warmup 2 --runs "$runs" --export-json "$work/e2e.json" "${cmds[@]}"
else
  hyperfine -N --warmup 2 --runs "$runs" --export-json "$work/e2e.json" "${cmds[@]}"
fi
python3 - "$work/e2e.json" <<'PY'
import json, sys
r = {x["command"]: x["mean"] for x in json.load(open(sys.argv[1]))["results"]}
for n in r:
    if n != "runc":
        print(f"ctr run --rm true: runc {r['runc']*1000:.0f} ms, {n} {r[n]*1000:.0f} ms, ratio {n}/runc {r[n]/r['runc']:.2f}")
PY

# create and start as the shim calls them: a wrapper logs each call's verb and wall time.
for name in "${names[@]}"; do
  real=$runc; [ "$name" = oci ] && real=$oci; [ "$name" = before ] && real=$OCI_COMPARE
  cat > "$work/time-$name" <<EOF
#!/bin/bash
verb=; skip=
for a in "\$@"; do
  if [ -n "\$skip" ]; then skip=; continue; fi
  case \$a in --root|--log|--log-format|--criu) skip=1 ;; -*) ;; *) verb=\$a; break ;; esac
done
t0=\$(date +%s%N)
"$real" "\$@"
rc=\$?
echo "\$verb \$(( (\$(date +%s%N) - t0) / 1000 ))" >> "$work/calls-$name"
exit \$rc
EOF
  chmod +x "$work/time-$name"
done
for i in $(seq "$runs"); do
  for name in "${names[@]}"; do
    "${ctr[@]}" run --rm --runc-binary "$work/time-$name" localhost/bench:1 "calls-$name" true
  done
done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
# Every verb the shim called (create and start on each run; kill, delete, state where it calls them).
for verb in $(awk '{print $1}' "$work/calls-runc" | sort -u); do
  r=$(awk -v v=$verb '$1==v {s+=$2; n++} END {printf "%.1f", s/n/1000}' "$work/calls-runc")
  for name in "${names[@]}"; do
    [ "$name" = runc ] && continue
    o=$(awk -v v=$verb '$1==v {s+=$2; n++} END {if (n) printf "%.1f", s/n/1000; else print "0"}' "$work/calls-$name")
    awk -v v=$verb -v r="$r" -v o="$o" -v n=$name 'BEGIN {printf "%s under containerd: runc %s ms, %s %s ms, ratio %.2f\n", v, r, n, o, o/r}'
  done
done
