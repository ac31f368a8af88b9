package oci.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import oci.bundle.spec.RuntimeSpec;

/**
 * A bundle for tests: a rootfs holding Debian's static busybox (with a symlink per applet) and the
 * config.json that Debian's `runc spec` writes, adjusted (no terminal, the given args).
 */
final class TestBundle {
    final Path dir;
    final RuntimeSpec spec;
    private byte[] pristine;

    private TestBundle(Path dir, RuntimeSpec spec) {
        this.dir = dir;
        this.spec = spec;
    }

    static boolean toolsPresent() {
        return Files.isExecutable(Path.of("/bin/busybox")) && Files.isExecutable(Path.of("/usr/sbin/runc"));
    }

    static TestBundle create(Path dir, String... args) throws IOException, InterruptedException {
        return create(dir, List.of("runc", "spec"), args);
    }

    /** The bundle of `runc spec --rootless`, its user namespace mapping root inside to {@code uid}/{@code gid} outside. */
    static TestBundle createRootless(Path dir, int uid, int gid, String... args) throws IOException, InterruptedException {
        TestBundle b = create(dir, List.of("runc", "spec", "--rootless"), args);
        b.spec.linux.uidMappings.get(0).hostID = uid;
        b.spec.linux.gidMappings.get(0).hostID = gid;
        b.save();
        b.pristine = b.spec.toJson();
        return b;
    }

    private static TestBundle create(Path dir, List<String> specCommand, String... args) throws IOException, InterruptedException {
        Path rootfs = dir.resolve("rootfs");
        for (String d : List.of("bin", "proc", "dev", "sys", "tmp", "etc", "root")) Files.createDirectories(rootfs.resolve(d));
        Files.copy(Path.of("/bin/busybox"), rootfs.resolve("bin/busybox"));
        Process list = new ProcessBuilder("/bin/busybox", "--list").redirectErrorStream(true).start();
        for (String applet : new String(list.getInputStream().readAllBytes()).split("\n")) {
            if (!applet.isBlank() && !applet.equals("busybox")) Files.createSymbolicLink(rootfs.resolve("bin").resolve(applet.trim()), Path.of("busybox"));
        }
        list.waitFor();
        Files.writeString(rootfs.resolve("etc/passwd"), "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/sh\n");
        Files.writeString(rootfs.resolve("etc/group"), "root:x:0:\nnogroup:x:65534:\n");
        Process spec = new ProcessBuilder(specCommand).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(spec.getInputStream().readAllBytes());
        if (spec.waitFor() != 0) throw new IOException("runc spec: " + out);
        RuntimeSpec s = RuntimeSpec.read(dir.resolve("config.json"));
        s.process.terminal = false;
        s.process.args = new ArrayList<>(List.of(args));
        TestBundle b = new TestBundle(dir, s);
        b.save();
        b.pristine = s.toJson();
        return b;
    }

    TestBundle args(String... args) throws IOException {
        spec.process.args = new ArrayList<>(List.of(args));
        save();
        return this;
    }

    /** Runs a shell command line in the container. */
    TestBundle sh(String script) throws IOException {
        return args("sh", "-c", script);
    }

    /** Puts back what tests change (process, mounts, linux, root, hostname, hooks) as the bundle was made, and saves. */
    void restore() throws IOException {
        RuntimeSpec s = RuntimeSpec.parse(pristine);
        spec.process = s.process;
        spec.mounts = s.mounts;
        spec.linux = s.linux;
        spec.root = s.root;
        spec.hostname = s.hostname;
        spec.hooks = null;
        save();
    }

    void save() throws IOException {
        Files.write(dir.resolve("config.json"), spec.toJson());
    }
}
