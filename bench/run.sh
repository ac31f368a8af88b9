#!/usr/bin/env bash
# Benchmark: start-to-exit of a busybox container running `true`, `oci run` against Debian's runc
# and crun on the same bundle (a busybox rootfs + the config.json of `runc spec`, terminal off),
# in one run with hyperfine: `oci run` as users get it (the native front end replaying the plan
# Java made on the first run) and with OCI_FASTRUN=0 (the JVM on every run, as on a first run).
# "oci-cold" runs a second bundle whose config.json changes before every run (an environment
# variable counts up), as every engine-created container's and every new bundle's does: the
# front end's replay cannot help, the JVM parses, plans and creates. OCI_COMPARE=/path/to/another/oci
# adds that launcher (an older build) as "before" and "before-cold", for before/after ratios.
# Prints the means, the ratios, and where the JVM path's time goes (from `oci --debug`).
# Goal: oci <= 1.5 x runc.
# crun runs with --cgroup-manager=disabled: it refuses this machine's hybrid cgroup layout otherwise.
# Usage: bench/run.sh [RUNS]   (default 20; INTERLEAVE=1: see below). Needs root.
set -euo pipefail
here=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
runs=${1:-20}
[ "$(id -u)" = 0 ] || { echo "bench: needs root (containers)" >&2; exit 1; }
for tool in hyperfine runc crun busybox python3; do
  command -v "$tool" >/dev/null || { echo "bench: $tool is missing" >&2; exit 1; }
done
oci="$here/oci"
# Build if needed (the build makes the start-up archive too).
"$oci" --version >/dev/null

work=$(mktemp -d /tmp/oci-bench-run.XXXXXX)
cleanup() {
  for id in bench-oci bench-jvm bench-dbg bench-cold; do "$oci" --root "$work/oci" delete --force "$id" >/dev/null 2>&1 || true; done
  runc --root "$work/runc" delete --force bench-runc >/dev/null 2>&1 || true
  crun --root "$work/crun" delete --force bench-crun >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

b="$work/bundle"
mkdir -p "$b/rootfs/bin" "$b/rootfs/proc" "$b/rootfs/dev" "$b/rootfs/sys" "$b/rootfs/tmp"
cp "$(readlink -f "$(command -v busybox)")" "$b/rootfs/bin/busybox"
for a in sh true; do ln -s busybox "$b/rootfs/bin/$a"; done
(cd "$b" && runc spec)
python3 - "$b/config.json" <<'PY'
import json, sys
p = sys.argv[1]
c = json.load(open(p))
c["process"]["terminal"] = False
c["process"]["args"] = ["true"]
json.dump(c, open(p, "w"), indent=1)
PY
# The cold bundle: the same, with a variable the prepare step counts up before each run.
cold="$work/cold"
mkdir -p "$cold"
cp -a "$b/rootfs" "$cold/rootfs"
python3 - "$b/config.json" "$cold/config.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
c["process"]["env"].append("OCI_BENCH_RUN=0")
json.dump(c, open(sys.argv[2], "w"), indent=1)
PY
cat > "$work/new-config" <<SH
#!/bin/sh
n=\$(( \$(cat "$work/n" 2>/dev/null || echo 0) + 1 )); echo "\$n" > "$work/n"
sed -i "s/OCI_BENCH_RUN=[0-9]*/OCI_BENCH_RUN=\$n/" "$cold/config.json"
SH
chmod +x "$work/new-config"

echo "load average: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores"
# "oci" is the everyday path: the launcher's native front end replays the run Java decided the
# first time (oci.runtime.RunCache; hyperfine's warm-up runs make that entry). "oci-jvm" is the
# same command with OCI_FASTRUN=0: every run parses, plans and creates in the JVM, as a first run does.
cmds=(-n oci "$oci --root $work/oci run --rm -b $b bench-oci"
      -n oci-jvm "env OCI_FASTRUN=0 $oci --root $work/oci run --rm -b $b bench-jvm"
      -n oci-cold "$oci --root $work/oci run --rm -b $cold bench-cold"
      -n runc "runc --root $work/runc run -b $b bench-runc")
if [ -n "${OCI_COMPARE:-}" ]; then
  cmds+=(-n before "$OCI_COMPARE --root $work/oci run --rm -b $b bench-oci"
         -n before-cold "$OCI_COMPARE --root $work/oci run --rm -b $cold bench-cold")
fi
# The front end alone, without the launcher script in front of it: what the script costs.
java_bin=$(cat "$here/cli/target/.java-path")
cmds+=(-n fastrun-alone "$here/runtime/target/oci-fastrun $java_bin -jar $here/cli/target/oci-cli.jar -- --root $work/oci run --rm -b $b bench-oci")
crun_cmd="crun --cgroup-manager=disabled --root $work/crun run -b $b bench-crun"
if crun_err=$($crun_cmd 2>&1); then
  cmds+=(-n crun "$crun_cmd")
else
  echo "crun left out: it fails on this machine: $crun_err"
fi
# Every run is prepared by counting the cold bundle's variable up (untimed; only the cold
# commands read that bundle).
# INTERLEAVE=1 runs them round by round in a rotating order (bench/interleave.py) instead of all of
# one command's runs before the next's: on a machine whose load changes, the ratios stay fair.
if [ "${INTERLEAVE:-0}" = 1 ]; then
  python3 "$here/bench/interleave.py" --warmup 3 --runs "$runs" --prepare "$work/new-config" --export-json "$work/h.json" "${cmds[@]}"
else
  hyperfine -N --warmup 3 --runs "$runs" --prepare "$work/new-config" --export-json "$work/h.json" "${cmds[@]}"
fi

python3 - "$work/h.json" <<'PY'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
ms = lambda n: r[n]["mean"] * 1000
print()
for n in r:
    print(f"{n:5s} mean {ms(n):7.1f} ms  median {r[n]['median']*1000:7.1f} ms  min {r[n]['min']*1000:7.1f} ms  user+sys {(r[n]['user']+r[n]['system'])*1000:6.1f} ms")
line = f"ratio oci/runc {ms('oci')/ms('runc'):.2f}   oci-jvm/runc {ms('oci-jvm')/ms('runc'):.2f}   oci-cold/runc {ms('oci-cold')/ms('runc'):.2f}"
if "crun" in r:
    line += f"   oci/crun {ms('oci')/ms('crun'):.2f}"
print(line + "   (goal oci/runc <= 1.5)")
print(f"the launcher script's share of oci: {ms('oci') - ms('fastrun-alone'):.1f} ms")
if "before" in r:
    print(f"ratio oci/before {ms('oci')/ms('before'):.2f}   oci-cold/before-cold {ms('oci-cold')/ms('before-cold'):.2f}")
PY

echo
echo "where oci-jvm's time goes (one run with --debug, which always takes the JVM; +ms from entering the runtime):"
"$oci" --root "$work/oci" --debug run --rm -b "$b" bench-dbg 2>&1 | sed -n 's/^oci: debug: /  /p'
t0=$(date +%s%N); "$java_bin" -XX:+UseSerialGC -Xshare:auto -version >/dev/null 2>&1; t1=$(date +%s%N)
t2=$(date +%s%N); "$oci" --version >/dev/null; t3=$(date +%s%N)
echo "  bare JVM (java -version): $(( (t1 - t0) / 1000000 )) ms; oci --version (JVM + picocli): $(( (t3 - t2) / 1000000 )) ms"
