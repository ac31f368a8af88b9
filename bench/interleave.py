#!/usr/bin/env python3
"""Times commands round by round, each round running every command once in an order that rotates,
and writes hyperfine's --export-json shape (command, mean, median, min, user, system, times) so the
bench scripts read either. hyperfine runs all of one command's runs before the next command's: on a
machine whose load changes minute by minute that puts the change into the ratios; interleaving
spreads it over every contender alike.

Usage: interleave.py --runs N --warmup W [--prepare CMD] --export-json FILE -n NAME CMD [-n NAME CMD]...
Commands run without a shell, split on whitespace (as hyperfine -N does). A failing command stops
the run with its exit code and stderr, as hyperfine does."""
import argparse
import json
import os
import shlex
import statistics
import subprocess
import sys
import time


def run(argv):
    """Wall seconds, user and system CPU seconds of one run of argv (its children included)."""
    t0 = time.perf_counter()
    p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    err = p.stderr.read()
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    code = os.waitstatus_to_exitcode(status)
    p.returncode = code
    if code != 0:
        sys.stderr.write(f"interleave: {' '.join(argv)} exited {code}: {err.decode(errors='replace')}")
        sys.exit(1)
    return wall, ru.ru_utime, ru.ru_stime


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--prepare")
    ap.add_argument("--export-json", required=True)
    ap.add_argument("-n", nargs=2, action="append", metavar=("NAME", "CMD"), required=True)
    a = ap.parse_args()
    cmds = [(name, shlex.split(cmd)) for name, cmd in a.n]
    prepare = shlex.split(a.prepare) if a.prepare else None
    samples = {name: [] for name, _ in cmds}
    for r in range(a.warmup + a.runs):
        k = r % len(cmds)
        for name, argv in cmds[k:] + cmds[:k]:
            if prepare:
                subprocess.run(prepare, check=True)
            s = run(argv)
            if r >= a.warmup:
                samples[name].append(s)
    results = []
    for name, _ in cmds:
        v = samples[name]
        walls = [x[0] for x in v]
        results.append({"command": name, "mean": statistics.mean(walls), "median": statistics.median(walls),
                        "min": min(walls), "max": max(walls),
                        "stddev": statistics.stdev(walls) if len(walls) > 1 else 0.0,
                        "user": statistics.mean(x[1] for x in v), "system": statistics.mean(x[2] for x in v),
                        "times": walls})
        print(f"{name:14s} median {results[-1]['median'] * 1000:7.1f} ms  "
              f"user+sys {(results[-1]['user'] + results[-1]['system']) * 1000:6.1f} ms", flush=True)
    with open(a.export_json, "w") as f:
        json.dump({"results": results}, f, indent=1)


if __name__ == "__main__":
    main()
