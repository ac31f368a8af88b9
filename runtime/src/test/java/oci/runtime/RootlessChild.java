package oci.runtime;

import java.nio.file.Path;

/**
 * Runs one container the way a foreground `oci run --rm` does, in a JVM of its own: {@link
 * RootlessContainerTest} starts it as user nobody. Prints "exit N" or "error MESSAGE".
 */
public final class RootlessChild {
    public static void main(String[] args) throws Exception {
        Containers c = new Containers(Path.of(args[0]), null);
        String id = args[2];
        try {
            Containers.Created created = c.create(id, Path.of(args[1]), Containers.Stdio.inherit(), null, null, true);
            c.start(id);
            int code = created.waitFor();
            System.out.println("state " + c.state(id).status());
            c.delete(id, false);
            System.out.println("exit " + code);
        } catch (ContainerException e) {
            System.out.println("error " + e.getMessage());
        }
    }
}
