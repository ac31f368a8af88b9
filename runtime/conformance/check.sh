#!/usr/bin/env bash
# Compares one output of the conformance suite's run.sh (../shared/conformance/run.sh) with the
# baseline beside this script, prints a table, and exits 1 when a program regressed.
#
#   runtime/conformance/check.sh RUN_OUTPUT [BASELINE]
#
# Baseline lines: PROGRAM MIN_OK MAX_NOT_OK EXPECT [note...]. EXPECT is the status run.sh printed
# when the baseline was taken (PASS, FAIL, EMPTY, CRASH:...); a program regresses when it has fewer
# "ok" than MIN_OK, more "not ok" than MAX_NOT_OK, a status other than EXPECT or PASS, or no row.
# EXPECT "any": the host decides (a controller or security module this machine lacks), so only the
# counts are checked. EXPECT "flaky": timing-sensitive for every runtime (the suite's README),
# reported, never failing. A program the baseline does not list is reported as new.
set -euo pipefail
run=${1:?usage: check.sh RUN_OUTPUT [BASELINE]}
base=${2:-$(dirname "${BASH_SOURCE[0]}")/baseline.txt}
[[ -f "$run" ]] || { echo "conformance: no run output at $run" >&2; exit 2; }
grep -q '^runtime-tools: ' "$run" || { echo "conformance: $run has no summary line (the run did not finish)" >&2; exit 2; }
awk -v base="$base" '
  BEGIN {
    while ((getline l < base) > 0) {
      if (l ~ /^[ \t]*(#|$)/) continue
      n = split(l, f, /[ \t]+/)
      name[++np] = f[1]; minok[f[1]] = f[2]; maxnok[f[1]] = f[3]; expect[f[1]] = f[4]
    }
    printf "%-34s %9s %9s %-14s %-14s %s\n", "program", "ok/min", "nok/max", "status", "expected", "verdict"
  }
  # run.sh rows: program ok not-ok skip rc secs status
  NF == 7 && $2 ~ /^[0-9]+$/ && $3 ~ /^[0-9]+$/ { ok[$1] = $2; nok[$1] = $3; st[$1] = $7; seen[$1] = 1; order[++nr] = $1 }
  END {
    bad = 0
    for (i = 1; i <= np; i++) {
      p = name[i]; e = expect[p]
      if (!(p in seen)) { v = "REGRESSED (no row)"; bad++; printf "%-34s %9s %9s %-14s %-14s %s\n", p, "-/" minok[p], "-/" maxnok[p], "-", e, v; continue }
      why = ""
      if (ok[p] + 0 < minok[p] + 0) why = why " fewer ok"
      if (nok[p] + 0 > maxnok[p] + 0) why = why " more not-ok"
      if (e != "any" && e != "flaky" && st[p] != e && st[p] != "PASS") why = why " status"
      if (e == "flaky") v = why == "" ? "ok (flaky)" : "differs (flaky, not counted):" why
      else if (why != "") { v = "REGRESSED:" why; bad++ }
      else if (ok[p] + 0 > minok[p] + 0 || nok[p] + 0 < maxnok[p] + 0 || (st[p] == "PASS" && e != "PASS" && e != "any")) v = "better (raise the baseline)"
      else v = "ok"
      printf "%-34s %9s %9s %-14s %-14s %s\n", p, ok[p] "/" minok[p], nok[p] "/" maxnok[p], st[p], e, v
    }
    for (i = 1; i <= nr; i++) if (!(order[i] in expect)) printf "%-34s %9s %9s %-14s %-14s %s\n", order[i], ok[order[i]], nok[order[i]], st[order[i]], "-", "new (not in the baseline)"
    if (bad) { printf "conformance: FAILED, %d program(s) regressed against %s\n", bad, base; exit 1 }
    printf "conformance: OK, no program below %s\n", base
  }' "$run"
