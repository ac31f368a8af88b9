#!/usr/bin/env python3
"""Writes an OCI image layout with several gzip layers of many files of mixed sizes (some
incompressible) for bench/unpack.sh. Usage: unpack-gen.py LAYOUT_DIR [TOTAL_MB] [LAYERS]."""
import gzip, hashlib, io, json, os, random, subprocess, sys, tarfile, tempfile, shutil

out = sys.argv[1]
total_mb = int(sys.argv[2]) if len(sys.argv) > 2 else 400
n_layers = int(sys.argv[3]) if len(sys.argv) > 3 else 4
rnd = random.Random(42)
words = b"lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt ut labore\n"

def content(size, incompressible):
    if incompressible:
        return rnd.randbytes(size)
    reps = size // len(words) + 1
    return (words * reps)[:size]

def put_blob(data):
    h = hashlib.sha256(data).hexdigest()
    p = os.path.join(out, "blobs", "sha256", h)
    with open(p, "wb") as f:
        f.write(data)
    return "sha256:" + h, len(data)

os.makedirs(os.path.join(out, "blobs", "sha256"), exist_ok=True)
layers, diff_ids = [], []
per_layer = total_mb * 1024 * 1024 // n_layers
for li in range(n_layers):
    work = tempfile.mkdtemp(prefix="oci-bench-layer-")
    written, i = 0, 0
    while written < per_layer:
        d = os.path.join(work, "usr", "lib", f"pkg{li}", f"d{i // 200}")
        os.makedirs(d, exist_ok=True)
        r = rnd.random()
        size = rnd.randint(100, 4096) if r < 0.6 else rnd.randint(4096, 262144) if r < 0.99 else rnd.randint(1 << 20, 8 << 20)
        with open(os.path.join(d, f"f{i}"), "wb") as f:
            f.write(content(size, rnd.random() < 0.3))
        if i % 50 == 0:
            os.symlink(f"f{i}", os.path.join(d, f"l{i}"))
        written += size
        i += 1
    # a file every layer rewrites, so later layers replace earlier ones
    os.makedirs(os.path.join(work, "etc"), exist_ok=True)
    with open(os.path.join(work, "etc", "shared.conf"), "wb") as f:
        f.write(content(10000 + li, False))
    tar = subprocess.run(["tar", "--numeric-owner", "-C", work, "-cf", "-", "."], check=True,
                         stdout=subprocess.PIPE).stdout
    shutil.rmtree(work)
    diff_ids.append("sha256:" + hashlib.sha256(tar).hexdigest())
    gz = subprocess.run(["gzip", "-6", "-n"], input=tar, check=True, stdout=subprocess.PIPE).stdout
    digest, size = put_blob(gz)
    layers.append({"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": digest, "size": size})
    print(f"layer {li}: {len(tar) >> 20} MiB tar, {size >> 20} MiB gzip, {i} files", file=sys.stderr)

config = json.dumps({"architecture": "amd64", "os": "linux", "config": {},
                     "rootfs": {"type": "layers", "diff_ids": diff_ids}}).encode()
cd, cs = put_blob(config)
manifest = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                       "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": cd, "size": cs},
                       "layers": layers}).encode()
md, ms = put_blob(manifest)
with open(os.path.join(out, "index.json"), "w") as f:
    json.dump({"schemaVersion": 2, "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json",
               "digest": md, "size": ms, "annotations": {"org.opencontainers.image.ref.name": "bench"}}]}, f)
with open(os.path.join(out, "oci-layout"), "w") as f:
    json.dump({"imageLayoutVersion": "1.0.0"}, f)
with open(os.path.join(out, "layers.txt"), "w") as f:
    for l in layers:
        f.write(l["digest"].split(":")[1] + "\n")
