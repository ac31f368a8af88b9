package oci.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SavedTest {
    /** The state's "created" time is Instant.toString's text, made without DateTimeFormatter. */
    @Test
    void timestampIsInstantToString() {
        List<Instant> cases = new ArrayList<>(List.of(Instant.EPOCH, Instant.ofEpochSecond(0, 1), Instant.ofEpochSecond(60),
                Instant.ofEpochSecond(61, 500_000_000), Instant.ofEpochSecond(3600, 120_000), Instant.ofEpochSecond(86_399, 999_999_999),
                Instant.parse("2026-12-06T05:00:00Z"), Instant.parse("2026-12-06T05:00:00.100Z"), Instant.parse("2026-12-06T05:00:07.000001Z"),
                Instant.parse("9999-12-31T23:59:59.999999999Z"), Instant.parse("+10000-01-01T00:00:00Z"), Instant.parse("1969-12-31T23:59:59.5Z"),
                Instant.now()));
        SplittableRandom r = new SplittableRandom(12);
        for (int i = 0; i < 2000; i++) {
            long s = r.nextLong(0, 4_102_444_800L);
            int nano = switch (i % 4) {
                case 0 -> 0;
                case 1 -> r.nextInt(1000) * 1_000_000;
                case 2 -> r.nextInt(1_000_000) * 1000;
                default -> r.nextInt(1_000_000_000);
            };
            cases.add(Instant.ofEpochSecond(i % 7 == 0 ? s - s % 60 : s, nano));
        }
        for (Instant t : cases) assertEquals(t.toString(), Saved.timestamp(t), "epoch second " + t.getEpochSecond() + " nano " + t.getNano());
    }
}
