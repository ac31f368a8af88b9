#!/usr/bin/env python3
"""Writes an OCI image layout with several gzip layers of many files of mixed sizes (some
incompressible) for bench/unpack.sh. Usage: unpack-gen.py LAYOUT_DIR [TOTAL_MB] [LAYERS]."""
import os, random, subprocess, sys, tempfile, shutil
from ocilayout import finish, put_gzip_layer

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
    desc, diff_id = put_gzip_layer(out, tar)
    layers.append(desc)
    diff_ids.append(diff_id)
    print(f"layer {li}: {len(tar) >> 20} MiB tar, {desc['size'] >> 20} MiB gzip, {i} files", file=sys.stderr)

finish(out, layers, diff_ids, {})
with open(os.path.join(out, "layers.txt"), "w") as f:
    for l in layers:
        f.write(l["digest"].split(":")[1] + "\n")
