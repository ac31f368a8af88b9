package oci.unpack;

import java.nio.file.Path;
import java.util.List;
import oci.image.Digest;

/**
 * A root file system that unpacking wrote.
 *
 * @param dir the directory, now complete
 * @param diffIds the uncompressed digests of the layers applied, lowest first (verified against the
 *     image config; for {@link Unpacker#unpackTar} the digest of the one stream)
 * @param entries tar entries applied, over all layers
 * @param bytes bytes of file content written (sparse holes counted at their apparent size)
 * @param devicesSkipped device nodes not created because the unpack ran rootless
 */
public record Rootfs(Path dir, List<Digest> diffIds, long entries, long bytes, int devicesSkipped) {
    public Rootfs {
        diffIds = List.copyOf(diffIds);
    }
}
