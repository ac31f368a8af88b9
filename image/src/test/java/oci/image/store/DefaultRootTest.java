package oci.image.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A normal user's store and config follow {@code $HOME} and the XDG variables, as docker's and
 * skopeo's files do, not the passwd entry. Runs a child JVM with a chosen environment; as root the
 * child drops to uid 65534 (root's store is /var/lib/oci/store whatever the environment).
 */
class DefaultRootTest {
    @TempDir Path tmp;

    List<String> childSees(Map<String, String> env) throws Exception {
        List<String> cmd = new ArrayList<>();
        if ("root".equals(System.getProperty("user.name"))) cmd.addAll(List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"));
        cmd.addAll(List.of(ProcessHandle.current().info().command().orElseThrow(), "-cp", System.getProperty("java.class.path"),
                ChildDefaultRoot.class.getName()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().keySet().removeAll(List.of("OCI_STORE", "XDG_DATA_HOME", "XDG_CONFIG_HOME", "HOME"));
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), out);
        return out.lines().toList();
    }

    @Test
    void homeFromTheEnvironment() throws Exception {
        Path home = tmp.resolve("home");
        assertEquals(List.of(home + "/.local/share/oci/store", home + "/.config"), childSees(Map.of("HOME", home.toString())));
    }

    @Test
    void xdgDirectoriesWin() throws Exception {
        assertEquals(List.of("/data/oci/store", "/conf"),
                childSees(Map.of("HOME", tmp.toString(), "XDG_DATA_HOME", "/data", "XDG_CONFIG_HOME", "/conf")));
    }
}
