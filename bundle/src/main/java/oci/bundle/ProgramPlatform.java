package oci.bundle;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import oci.image.Platform;

/**
 * The platform of the program a bundle's process runs, read from its ELF header, when this host
 * cannot run it: another machine's binary (an arm64 image bundled on amd64) that no binfmt_misc
 * handler (qemu-user-static) takes. The exec of such a file fails with ENOEXEC, which by itself
 * names neither platform; this lets the CLI say what is wrong before the container starts.
 */
public final class ProgramPlatform {
    private ProgramPlatform() {}

    /** {@code program} as config.json names it, and the platform its ELF header says it is for. */
    public record Foreign(String program, Platform platform) {}

    private static final Path BINFMT = Path.of("/proc/sys/fs/binfmt_misc");

    /**
     * The foreign program of the bundle at {@code bundle}; null when it runs here, is not ELF, or
     * cannot be read. From its config.json as the caller parsed it (`oci run` and `oci create` read it
     * once, with the runtime's reader): {@code root} is root.path, {@code program} process.args[0],
     * {@code env} and {@code cwd} the process's (null: none given).
     */
    public static Foreign foreign(Path bundle, String root, String program, List<String> env, String cwd) {
        try {
            if (program == null || program.isEmpty()) return null;
            Path rootfs = bundle.resolve(root == null ? "rootfs" : root);
            Path file = find(rootfs, program, path(env), cwd == null ? "/" : cwd);
            if (file == null) return null;
            byte[] head = new byte[64];
            int n;
            try (InputStream in = Files.newInputStream(file)) {
                n = in.readNBytes(head, 0, head.length);
            }
            if (n < 20 || head[0] != 0x7f || head[1] != 'E' || head[2] != 'L' || head[3] != 'F') return null;
            Platform p = elfPlatform(head);
            if (p == null || runsHere(p) || emulated(head, n)) return null;
            return new Foreign(program, p);
        } catch (IOException | RuntimeException unreadable) {
            return null; // the run reports what is wrong with the bundle
        }
    }

    private static String path(List<String> env) {
        if (env != null) for (String e : env) if (e != null && e.startsWith("PATH=")) return e.substring(5);
        return "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    }

    /** The file the init would exec: the program itself if it has a slash, else the first match in PATH. */
    private static Path find(Path rootfs, String program, String path, String cwd) throws IOException {
        if (program.contains("/")) {
            Path f = RootfsPaths.resolve(rootfs, program.startsWith("/") ? program : cwd + "/" + program);
            return Files.isRegularFile(f) ? f : null;
        }
        for (String dir : path.split(":")) {
            if (dir.isEmpty() || !dir.startsWith("/")) continue;
            Path f;
            try {
                f = RootfsPaths.resolve(rootfs, dir + "/" + program);
            } catch (IOException notADirectory) {
                continue;
            }
            if (Files.isRegularFile(f) && Files.isExecutable(f)) return f;
        }
        return null;
    }

    /** The platform an ELF header's machine and class name (os is linux: this reads Linux bundles). */
    static Platform elfPlatform(byte[] h) {
        boolean is64 = h[4] == 2;
        boolean little = h[5] == 1;
        int machine = little ? (h[18] & 0xff) | (h[19] & 0xff) << 8 : (h[18] & 0xff) << 8 | (h[19] & 0xff);
        String arch = switch (machine) {
            case 3 -> "386";
            case 62 -> "amd64";
            case 183 -> "arm64";
            case 40 -> "arm";
            case 22 -> "s390x";
            case 21 -> little ? "ppc64le" : "ppc64";
            case 243 -> is64 ? "riscv64" : "riscv32";
            case 8 -> (is64 ? "mips64" : "mips") + (little ? "le" : "");
            case 258 -> "loong64";
            default -> null;
        };
        return arch == null ? null : Platform.of("linux", arch, null);
    }

    private static boolean runsHere(Platform p) {
        String host = Platform.host().architecture();
        String arch = p.normalized().architecture();
        // an amd64 kernel runs i386 programs, an arm64 one (usually) 32-bit arm ones
        return arch.equals(host) || host.equals("amd64") && arch.equals("386") || host.equals("arm64") && arch.equals("arm");
    }

    /** Whether an enabled binfmt_misc entry's magic (under its mask) matches the header: an emulator runs it. */
    static boolean emulated(byte[] head, int n) {
        if (!Files.isRegularFile(BINFMT.resolve("status"))) return false;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(BINFMT)) {
            for (Path e : entries) {
                String name = e.getFileName().toString();
                if (name.equals("status") || name.equals("register")) continue;
                String text;
                try {
                    text = Files.readString(e);
                } catch (IOException unreadable) {
                    continue;
                }
                if (!text.startsWith("enabled")) continue;
                int offset = 0;
                byte[] magic = null;
                byte[] mask = null;
                for (String line : text.split("\n")) {
                    if (line.startsWith("offset ")) offset = Integer.parseInt(line.substring(7).trim());
                    else if (line.startsWith("magic ")) magic = HexFormat.of().parseHex(line.substring(6).trim());
                    else if (line.startsWith("mask ")) mask = HexFormat.of().parseHex(line.substring(5).trim());
                }
                if (magic == null || offset + magic.length > n) continue;
                boolean match = true;
                for (int i = 0; i < magic.length && match; i++) {
                    int m = mask != null && i < mask.length ? mask[i] : 0xff;
                    match = ((head[offset + i] ^ magic[i]) & m) == 0;
                }
                if (match) return true;
            }
        } catch (IOException | RuntimeException unreadable) {
            return false;
        }
        return false;
    }
}
