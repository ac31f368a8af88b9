package oci.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ImageRefTest {
    static final String D = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "busybox,                          docker.io/library/busybox:latest",
        "busybox:1.36,                     docker.io/library/busybox:1.36",
        "library/busybox,                  docker.io/library/busybox:latest",
        "docker.io/busybox,                docker.io/library/busybox:latest",
        "index.docker.io/library/busybox,  docker.io/library/busybox:latest",
        "user/app:v1,                      docker.io/user/app:v1",
        "localhost/app,                    localhost/app:latest",
        "localhost:5000/a/b:tag,           localhost:5000/a/b:tag",
        "127.0.0.1:5000/a/b/c:t,           127.0.0.1:5000/a/b/c:t",
        "quay.io/org/app_x.y-z__w:1.0-rc,  quay.io/org/app_x.y-z__w:1.0-rc",
        "[::1]:5000/app:1,                 [::1]:5000/app:1",
    })
    void normalises(String input, String canonical) {
        assertEquals(canonical, ImageRef.parse(input).toString());
    }

    @Test
    void hostPortPathTagAndDigest() {
        ImageRef r = ImageRef.parse("registry.example.com:5000/a/b:tag@" + D);
        assertEquals("registry.example.com:5000", r.domain());
        assertEquals("a/b", r.path());
        assertEquals("tag", r.tag());
        assertEquals(D, r.digest().toString());
        assertEquals(D, r.reference());
        assertEquals("registry.example.com:5000/a/b:tag@" + D, r.toString());
    }

    @Test
    void digestOnlyHasNoTag() {
        ImageRef r = ImageRef.parse("busybox@" + D);
        assertNull(r.tag());
        assertEquals("docker.io/library/busybox@" + D, r.toString());
        assertEquals("busybox@" + D, r.familiar());
    }

    @Test
    void familiarFormIsDockersShortOne() {
        assertEquals("busybox:latest", ImageRef.parse("docker.io/library/busybox").familiar());
        assertEquals("user/app:1", ImageRef.parse("user/app:1").familiar());
        assertEquals("localhost:5000/x:1", ImageRef.parse("localhost:5000/x:1").familiar());
        assertEquals("docker.io/library/busybox", ImageRef.parse("busybox").repository());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "Busybox                       | repository names must be lowercase",
        "docker.io/Library/busybox     | repository names must be lowercase",
        "busybox:                      | invalid tag",
        "busybox:-bad                  | invalid tag",
        "busybox@sha256:abc            | invalid digest",
        "busybox@md5:abc               | unsupported algorithm",
        "a//b                          | malformed path component",
        "a/b/                          | malformed path component",
        "-app                          | malformed path component",
        "app-                          | malformed path component",
        "example.com/                  | no repository name",
        "exa_mple.com:5000/app         | invalid registry host",
        "a b                           | malformed path component",
    })
    void malformedIsRefusedWithAReason(String input, String why) {
        ImageException e = assertThrows(ImageException.class, () -> ImageRef.parse(input));
        assertTrue(e.getMessage().startsWith("invalid image reference \"" + input + "\""), e.getMessage());
        assertTrue(e.getMessage().contains(why), e.getMessage());
    }

    @Test
    void emptyAndHugeAreRefused() {
        assertThrows(ImageException.class, () -> ImageRef.parse(""));
        assertThrows(ImageException.class, () -> ImageRef.parse(null));
        assertThrows(ImageException.class, () -> ImageRef.parse("a".repeat(300)));
        assertThrows(ImageException.class, () -> ImageRef.parse("a".repeat(5000)));
    }
}
