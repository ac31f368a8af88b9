package oci.testdata;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Tests that make overlay bundles unmount what they mounted: every mount below a directory, deepest first. */
public final class Mounts {
    private Mounts() {}

    /** The mount points below {@code dir} (not {@code dir} itself), from /proc/self/mountinfo. */
    public static List<Path> under(Path dir) throws IOException {
        String prefix = dir.toAbsolutePath().normalize() + "/";
        List<Path> out = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            String mp = line.split(" ")[4].replace("\\040", " ");
            if (mp.startsWith(prefix)) out.add(Path.of(mp));
        }
        out.sort(Comparator.comparingInt(Path::getNameCount).reversed());
        return out;
    }

    /** Unmounts everything below {@code dir} (lazily where busy). */
    public static void unmountAllUnder(Path dir) throws IOException, InterruptedException {
        for (Path p : under(dir)) {
            Process u = new ProcessBuilder("umount", p.toString()).redirectErrorStream(true).start();
            u.getInputStream().readAllBytes();
            if (!u.waitFor(30, TimeUnit.SECONDS) || u.exitValue() != 0) {
                new ProcessBuilder("umount", "-l", p.toString()).redirectErrorStream(true).start().waitFor(30, TimeUnit.SECONDS);
            }
        }
    }
}
