package oci.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

/** Runs test containers through {@link Containers} with their output captured in files. */
final class Runner {
    record Result(int exit, String out, String err) {}

    private static final AtomicInteger SEQ = new AtomicInteger();
    final Containers containers;
    final Path root;
    private final Path io;

    Runner(Path root, Path io) {
        this.root = root;
        this.io = io;
        this.containers = new Containers(root, null);
    }

    String newId(String prefix) {
        return prefix + "-" + ProcessHandle.current().pid() + "-" + SEQ.incrementAndGet();
    }

    Containers.Stdio stdio(String id) {
        return new Containers.Stdio(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()),
                ProcessBuilder.Redirect.to(io.resolve(id + ".out").toFile()), ProcessBuilder.Redirect.to(io.resolve(id + ".err").toFile()));
    }

    /** create + start + wait + delete; returns the exit code and what the container wrote. */
    Result run(TestBundle b) throws IOException, InterruptedException {
        String id = newId("t");
        Containers.Created c = containers.create(id, b.dir, stdio(id), null, null, true);
        try {
            containers.start(id);
            int code = c.waitFor();
            return new Result(code, out(id), err(id));
        } catch (RuntimeException e) {
            try {
                containers.delete(id, true);
            } catch (RuntimeException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        } finally {
            if (containers.list().stream().anyMatch(s -> s.id().equals(id))) containers.delete(id, true);
        }
    }

    String out(String id) throws IOException {
        return Files.readString(io.resolve(id + ".out"));
    }

    String err(String id) throws IOException {
        return Files.readString(io.resolve(id + ".err"));
    }
}
