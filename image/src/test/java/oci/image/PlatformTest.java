package oci.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PlatformTest {
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "linux/amd64,        linux/amd64",
        "linux/x86_64,       linux/amd64",
        "linux/amd64/v1,     linux/amd64",
        "linux/amd64/v3,     linux/amd64/v3",
        "linux/arm64,        linux/arm64/v8",
        "linux/aarch64,      linux/arm64/v8",
        "linux/arm64/v8,     linux/arm64/v8",
        "linux/arm64/8,      linux/arm64/v8",
        "linux/armhf,        linux/arm/v7",
        "linux/armel,        linux/arm/v6",
        "linux/arm,          linux/arm/v7",
        "linux/arm/7,        linux/arm/v7",
        "linux/arm/v5,       linux/arm/v5",
        "linux/i386,         linux/386",
        "Linux/AMD64,        linux/amd64",
        "linux/s390x,        linux/s390x",
    })
    void normalisesLikeContainerd(String input, String normalised) {
        assertEquals(normalised, Platform.parse(input).normalized().toString());
    }

    @ParameterizedTest(name = "{0} matches {1}")
    @CsvSource({
        "linux/arm64,     linux/arm64/v8",
        "linux/arm64/v8,  linux/arm64",
        "linux/aarch64,   linux/arm64",
        "linux/x86_64,    linux/amd64",
        "linux/amd64,     linux/amd64/v1",
        "linux/armhf,     linux/arm/v7",
        "linux/arm,       linux/arm/v7",
    })
    void equivalentPlatformsMatch(String wanted, String candidate) {
        assertTrue(Platform.parse(wanted).matches(Platform.parse(candidate)));
    }

    @ParameterizedTest(name = "{0} does not match {1}")
    @CsvSource({
        "linux/amd64,     linux/arm64",
        "linux/arm/v7,    linux/arm/v6",
        "linux/amd64,     windows/amd64",
        "linux/arm64,     linux/arm",
    })
    void differentPlatformsDoNotMatch(String wanted, String candidate) {
        assertFalse(Platform.parse(wanted).matches(Platform.parse(candidate)));
    }

    @Test
    void nullCandidateDoesNotMatch() {
        assertFalse(Platform.parse("linux/amd64").matches(null));
    }

    @ParameterizedTest(name = "\"{0}\"")
    @CsvSource(delimiter = '|', value = {"linux", "linux/", "/amd64", "linux/amd64/v8/x", "linux/am d64", "''"})
    void malformedIsRefused(String input) {
        ImageException e = assertThrows(ImageException.class, () -> Platform.parse(input));
        assertTrue(e.getMessage().startsWith("invalid platform \"" + input + "\""), e.getMessage());
    }

    @Test
    void hostIsNormalised() {
        Platform h = Platform.host();
        assertEquals("linux", h.os());
        assertEquals(h, h.normalized());
    }
}
