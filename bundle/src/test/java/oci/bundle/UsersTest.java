package oci.bundle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** image-spec conversion.md "Config.User": every form, against the rootfs's own files. */
class UsersTest {
    @TempDir
    Path tmp;
    Path rootfs;

    @BeforeEach
    void rootfs() throws Exception {
        rootfs = Files.createDirectories(tmp.resolve("rootfs/etc"));
        rootfs = tmp.resolve("rootfs");
        Files.writeString(rootfs.resolve("etc/passwd"), """
                root:x:0:0:root:/root:/bin/sh
                # a comment, and a malformed line below
                broken:x:notanumber:1
                app:x:1000:1000:App:/home/app:/bin/sh
                web:x:33:33::/var/www:/bin/false
                """);
        Files.writeString(rootfs.resolve("etc/group"), """
                root:x:0:
                www-data:x:33:app
                app:x:1000:
                audio:x:29:app,web
                video:x:44:web
                """);
    }

    Users.Resolved r(String user) {
        return Users.resolve(rootfs, user);
    }

    @Test
    void everyForm() {
        assertEquals(new Users.Resolved(0, 0, List.of(), "/root"), r(null));
        assertEquals(new Users.Resolved(0, 0, List.of(), "/root"), r(""));
        assertEquals(new Users.Resolved(0, 0, List.of(), "/root"), r("root"));
        // name: gid from passwd, supplementary groups from /etc/group (primary gid left out)
        assertEquals(new Users.Resolved(1000, 1000, List.of(33L, 29L), "/home/app"), r("app"));
        assertEquals(new Users.Resolved(33, 33, List.of(29L, 44L), "/var/www"), r("web"));
        // uid: verbatim; its passwd entry gives gid and home; no supplementary groups (spec)
        assertEquals(new Users.Resolved(1000, 1000, List.of(), "/home/app"), r("1000"));
        assertEquals(new Users.Resolved(4242, 0, List.of(), null), r("4242"));
        // name:group, uid:gid, uid:group, name:gid: the group replaces, no supplementary groups
        assertEquals(new Users.Resolved(1000, 44, List.of(), "/home/app"), r("app:video"));
        assertEquals(new Users.Resolved(5000, 6000, List.of(), null), r("5000:6000"));
        assertEquals(new Users.Resolved(5000, 29, List.of(), null), r("5000:audio"));
        assertEquals(new Users.Resolved(33, 7, List.of(), "/var/www"), r("web:7"));
    }

    @Test
    void unknownNames() {
        assertEquals("user \"nobody\": no user \"nobody\" in the image's /etc/passwd",
                assertThrows(BundleException.class, () -> r("nobody")).getMessage());
        assertEquals("user \"app:staff\": no group \"staff\" in the image's /etc/group",
                assertThrows(BundleException.class, () -> r("app:staff")).getMessage());
        assertEquals("user \"broken\": no user \"broken\" in the image's /etc/passwd",
                assertThrows(BundleException.class, () -> r("broken")).getMessage());
    }

    @Test
    void badForms() {
        assertEquals("user \"app:\": the group part is empty (forms: name, uid, name:group, uid:gid)",
                assertThrows(BundleException.class, () -> r("app:")).getMessage());
        assertEquals("user \":1\": the user part is empty (forms: name, uid, name:group, uid:gid)",
                assertThrows(BundleException.class, () -> r(":1")).getMessage());
        assertEquals("user \"99999999999\": 99999999999 is not a valid id (0 to 4294967295)",
                assertThrows(BundleException.class, () -> r("99999999999")).getMessage());
    }

    @Test
    void missingFiles() throws Exception {
        Files.delete(rootfs.resolve("etc/passwd"));
        Files.delete(rootfs.resolve("etc/group"));
        assertEquals(new Users.Resolved(1000, 0, List.of(), null), r("1000"));
        assertEquals(new Users.Resolved(1000, 1000, List.of(), null), r("1000:1000"));
        assertEquals("user \"app\": the image has no /etc/passwd to look up \"app\" in",
                assertThrows(BundleException.class, () -> r("app")).getMessage());
        assertEquals("user \"1:staff\": the image has no /etc/group to look up \"staff\" in",
                assertThrows(BundleException.class, () -> r("1:staff")).getMessage());
    }

    @Test
    void symlinksResolveInsideTheRootfs() throws Exception {
        // /etc/passwd -> /etc/real-passwd is followed inside the rootfs; the host's /etc/passwd is never read
        Files.move(rootfs.resolve("etc/passwd"), rootfs.resolve("etc/real-passwd"));
        Files.createSymbolicLink(rootfs.resolve("etc/passwd"), Path.of("/etc/real-passwd"));
        assertEquals(1000, r("app").uid());
        // an escape through ../../.. lands on the rootfs's own /etc/passwd-host, which does not exist
        Files.delete(rootfs.resolve("etc/passwd"));
        Files.createSymbolicLink(rootfs.resolve("etc/passwd"), Path.of("../../../../../../etc/shadow-does-not-exist-here"));
        assertEquals("user \"root\": the image has no /etc/passwd to look up \"root\" in",
                assertThrows(BundleException.class, () -> r("root")).getMessage());
        // an /etc that leads out of the rootfs (relative or absolute) to a real passwd file on the host is not followed there
        Path hostEtc = Files.createDirectories(tmp.resolve("hostetc"));
        Files.writeString(hostEtc.resolve("passwd"), "root:x:0:0:root:/root:/bin/sh\n");
        Files.delete(rootfs.resolve("etc/passwd"));
        Files.move(rootfs.resolve("etc"), rootfs.resolve("etc2"));
        Files.createSymbolicLink(rootfs.resolve("etc"), Path.of("../hostetc"));
        assertEquals("user \"root\": the image has no /etc/passwd to look up \"root\" in",
                assertThrows(BundleException.class, () -> r("root")).getMessage());
        Files.delete(rootfs.resolve("etc"));
        Files.createSymbolicLink(rootfs.resolve("etc"), hostEtc);
        assertEquals("user \"root\": the image has no /etc/passwd to look up \"root\" in",
                assertThrows(BundleException.class, () -> r("root")).getMessage());
    }

    @Test
    void symlinkLoopIsAnError() throws Exception {
        Files.delete(rootfs.resolve("etc/passwd"));
        Files.createSymbolicLink(rootfs.resolve("etc/passwd"), Path.of("passwd"));
        assertEquals("read /etc/passwd in the image: /etc/passwd: too many levels of symbolic links",
                assertThrows(BundleException.class, () -> r("app")).getMessage());
    }
}
