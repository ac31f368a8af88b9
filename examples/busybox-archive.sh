#!/usr/bin/env bash
# Writes a `docker save`-style archive of a one-layer busybox image, made from Debian's
# busybox-static with nothing but tar and sha256sum: the offline input of the README's main job.
#   examples/busybox-archive.sh OUT.tar [NAME:TAG]
set -euo pipefail
out=${1:?usage: busybox-archive.sh OUT.tar [NAME:TAG]}
name=${2:-busybox:latest}
busybox=${BUSYBOX:-/bin/busybox}
[ -x "$busybox" ] || { echo "busybox-archive.sh: $busybox not found (apt-get install busybox-static)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/rootfs/bin" "$work/rootfs/etc" "$work/rootfs/tmp" "$work/rootfs/root" "$work/archive"
cp "$busybox" "$work/rootfs/bin/busybox"
for applet in sh echo cat ls id hostname sleep true false env pwd wc httpd; do ln -s busybox "$work/rootfs/bin/$applet"; done
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' > "$work/rootfs/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' > "$work/rootfs/etc/group"
chmod 1777 "$work/rootfs/tmp"; chmod 700 "$work/rootfs/root"
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime='2024-01-01 00:00Z' -C "$work/rootfs" -cf "$work/layer.tar" .
diff=$(sha256sum "$work/layer.tar" | cut -d' ' -f1)
mv "$work/layer.tar" "$work/archive/$diff.tar"
cat > "$work/config.json" <<JSON
{"architecture":"amd64","os":"linux","created":"2024-01-01T00:00:00Z","config":{"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],"Cmd":["sh"],"WorkingDir":"/"},"rootfs":{"type":"layers","diff_ids":["sha256:$diff"]},"history":[{"created":"2024-01-01T00:00:00Z","created_by":"examples/busybox-archive.sh"}]}
JSON
cfg=$(sha256sum "$work/config.json" | cut -d' ' -f1)
mv "$work/config.json" "$work/archive/$cfg.json"
printf '[{"Config":"%s.json","RepoTags":["%s"],"Layers":["%s.tar"]}]\n' "$cfg" "$name" "$diff" > "$work/archive/manifest.json"
tar -C "$work/archive" -cf "$out" manifest.json "$cfg.json" "$diff.tar"
echo "$out"
