#!/usr/bin/env bash
# The main job, offline: make a busybox image tarball (Debian's busybox-static, no registry),
# import it into a fresh store, list and inspect it, turn it into an OCI bundle, validate the
# bundle, and run it as a container (root only). Everything lives in one temp dir, removed at the end.
set -euo pipefail
here=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
oci="$here/oci"
work=$(mktemp -d /tmp/oci-demo.XXXXXX)
trap 'rm -rf "$work"' EXIT
export OCI_STORE="$work/store"
# bold only on a terminal: piped or logged output gets no escape codes
if [ -t 1 ]; then bold=$'\033[1m' plain=$'\033[0m'; else bold='' plain=''; fi
step() { printf '\n%s$ %s%s\n' "$bold" "$*" "$plain"; }

step "examples/busybox-archive.sh busybox.tar busybox:demo"
"$here/examples/busybox-archive.sh" "$work/busybox.tar" busybox:demo >/dev/null
step "oci import busybox.tar"
"$oci" import "$work/busybox.tar"
step "oci images"
"$oci" images
step "oci inspect busybox:demo"
"$oci" inspect busybox:demo
# --root: the containers' state, here in the temp dir too; bundle prepares the first run there.
step "oci bundle busybox:demo bundle -- sh -c 'echo hello from \$(hostname) as \$(id -un)'"
"$oci" --root "$work/state" bundle busybox:demo "$work/bundle" -- sh -c 'echo hello from $(hostname) as $(id -un)'
step "oci validate bundle"
"$oci" validate "$work/bundle"
if [ "$(id -u)" = 0 ]; then
  step "oci run -b bundle --rm demo"
  "$oci" --root "$work/state" run -b "$work/bundle" --rm "demo-$$"
else
  echo "(oci run needs root: skipped)"
fi
