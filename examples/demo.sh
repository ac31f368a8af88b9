#!/usr/bin/env bash
# The README's main job, offline: build a busybox image tarball, import it, list it, inspect it,
# make a bundle and run it. Everything goes into a temporary directory that is removed at the end.
#   examples/demo.sh
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
oci() { "$here/oci" --store "$work/store" "$@"; }
say() { printf '\n$ %s\n' "$*"; }

"$here/examples/busybox-archive.sh" "$work/busybox.tar" >/dev/null
say oci import busybox.tar;                          oci import "$work/busybox.tar"
say oci images;                                      oci images
say oci inspect busybox;                             oci inspect busybox
say oci bundle busybox BUNDLE -- echo hello from busybox; oci bundle busybox "$work/bundle" -- echo hello from busybox >/dev/null
say oci validate BUNDLE;                             oci validate "$work/bundle"
if [ "$(id -u)" != 0 ]; then
    echo "(running a container needs root; stopping before the run)"
elif "$here/oci" help run >/dev/null 2>&1; then
    say oci run -b BUNDLE demo;                      oci run -b "$work/bundle" "demo-$$"
else
    say runc run -b BUNDLE demo;                     runc run -b "$work/bundle" "demo-$$" </dev/null
fi
