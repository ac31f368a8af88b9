#!/usr/bin/env python3
"""Writes a debian-like OCI image layout for bench/pipeline.sh: 4 gzip layers (~165 MB compressed)
of this machine's own files (libraries, locales, compilers), later layers removing files and
directories of earlier ones with whiteouts and an opaque directory, as apt-get layers do.
Usage: pipeline-gen.py LAYOUT_DIR [BUDGET_MB]   (BUDGET_MB: uncompressed size of the first layer)"""
import io, os, sys, tarfile
from ocilayout import finish, put_gzip_layer

out = sys.argv[1]
budget = int(sys.argv[2] if len(sys.argv) > 2 else 260) << 20


def files_under(roots, limit):
    """Regular files, dirs and symlinks under roots, sorted, up to limit bytes of file content."""
    picked, total = [], 0
    for root in roots:
        if not os.path.isdir(root):
            continue
        for d, dirs, names in os.walk(root):
            dirs.sort()
            picked.append(d)
            for n in sorted(names):
                p = os.path.join(d, n)
                if os.path.islink(p):
                    picked.append(p)
                elif os.path.isfile(p):
                    size = os.path.getsize(p)
                    if total + size > limit:
                        continue
                    total += size
                    picked.append(p)
            if total >= limit:
                return picked
    return picked


def layer(paths, whiteouts=(), opaque=(), extra=()):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as t:
        for p in paths:
            info = t.gettarinfo(p, arcname=p.lstrip("/"))
            info.uname = info.gname = ""
            if info.isreg():
                with open(p, "rb") as f:
                    t.addfile(info, f)
            else:
                t.addfile(info)
        for w in list(whiteouts) + [o + "/.wh..wh..opq" for o in opaque]:
            d, b = os.path.split(w)
            name = w if b == ".wh..wh..opq" else os.path.join(d, ".wh." + b)
            info = tarfile.TarInfo(name.lstrip("/"))
            info.mtime = 1700000000
            t.addfile(info)
        for name, data in extra:
            info = tarfile.TarInfo(name)
            info.size, info.mtime, info.mode = len(data), 1700000000, 0o644
            t.addfile(info, io.BytesIO(data))
    return buf.getvalue()


py = "/usr/lib/python3.11"
tars = [
    layer(["/etc"] + files_under(["/etc", "/usr/sbin", "/usr/share/zoneinfo", "/usr/share/i18n", py,
                                  "/usr/lib/x86_64-linux-gnu"], budget)),
    layer(files_under(["/usr/share/locale", "/usr/share/man"], budget * 2 // 3),
          whiteouts=[py + "/email", py + "/json/decoder.py", "/etc/motd", "/usr/share/zoneinfo/Europe/Paris"]),
    layer(files_under(["/usr/lib/gcc", "/usr/share/doc"], budget // 2), opaque=["/usr/share/zoneinfo/Asia"],
          whiteouts=["/usr/share/locale/fr", "/usr/share/man/man1"]),
    layer([], whiteouts=[py + "/unittest", "/usr/share/zoneinfo/America"],
          extra=[("etc/motd", b"a debian-like image for bench/pipeline.sh\n"), ("etc/hostname", b"bench\n")]),
]
layers, diff_ids = [], []
for i, tar in enumerate(tars):
    desc, diff_id = put_gzip_layer(out, tar)
    layers.append(desc)
    diff_ids.append(diff_id)
    print(f"layer {i}: {len(tar) >> 20} MiB tar, {desc['size'] >> 20} MiB gzip", file=sys.stderr)
finish(out, layers, diff_ids, {"Cmd": ["/bin/sh"]})
