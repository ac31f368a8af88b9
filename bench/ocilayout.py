"""What bench/'s image generators share: writing blobs and the index of an OCI image layout."""
import hashlib, json, os, subprocess

GZIP_LAYER = "application/vnd.oci.image.layer.v1.tar+gzip"
MANIFEST = "application/vnd.oci.image.manifest.v1+json"


def put_blob(out, data):
    """Stores data as a blob of the layout at out; returns (digest, size)."""
    h = hashlib.sha256(data).hexdigest()
    os.makedirs(os.path.join(out, "blobs", "sha256"), exist_ok=True)
    with open(os.path.join(out, "blobs", "sha256", h), "wb") as f:
        f.write(data)
    return "sha256:" + h, len(data)


def put_gzip_layer(out, tar):
    """Compresses a layer tar as `gzip -6 -n` does and stores it; returns (descriptor, diff_id)."""
    gz = subprocess.run(["gzip", "-6", "-n"], input=tar, check=True, stdout=subprocess.PIPE).stdout
    digest, size = put_blob(out, gz)
    return {"mediaType": GZIP_LAYER, "digest": digest, "size": size}, "sha256:" + hashlib.sha256(tar).hexdigest()


def finish(out, layers, diff_ids, container_config, ref="bench"):
    """Writes the config, the manifest, index.json (one manifest named ref) and oci-layout."""
    config = json.dumps({"architecture": "amd64", "os": "linux", "config": container_config,
                         "rootfs": {"type": "layers", "diff_ids": diff_ids}}).encode()
    cd, cs = put_blob(out, config)
    manifest = json.dumps({"schemaVersion": 2, "mediaType": MANIFEST,
                           "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": cd, "size": cs},
                           "layers": layers}).encode()
    md, ms = put_blob(out, manifest)
    with open(os.path.join(out, "index.json"), "w") as f:
        json.dump({"schemaVersion": 2, "manifests": [{"mediaType": MANIFEST, "digest": md, "size": ms,
                   "annotations": {"org.opencontainers.image.ref.name": ref}}]}, f)
    with open(os.path.join(out, "oci-layout"), "w") as f:
        json.dump({"imageLayoutVersion": "1.0.0"}, f)
