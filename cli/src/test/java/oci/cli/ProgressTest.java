package oci.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import oci.image.Descriptor;
import oci.image.Digest;
import oci.image.MediaType;
import oci.registry.PullEvent;
import org.junit.jupiter.api.Test;

/** The two progress displays, fed the events a pull emits. */
class ProgressTest {
    final Descriptor layer = Descriptor.of(MediaType.OCI_LAYER_GZIP, Digest.sha256("layer".getBytes()), 10_000_000);
    final Descriptor config = Descriptor.of(MediaType.OCI_CONFIG, Digest.sha256("config".getBytes()), 500);

    @Test
    void liveDrawsOneBarPerBlobAndRedrawsInPlace() {
        StringWriter sw = new StringWriter();
        try (Progress.Live p = new Progress.Live(new PrintWriter(sw))) {
            p.on(new PullEvent.Planned(List.of(config, layer)));
            p.on(new PullEvent.BlobPresent(config));
            p.on(new PullEvent.BlobStarted(layer, 0));
            p.on(new PullEvent.BlobProgress(layer, 5_000_000));
            p.paint(); // one frame now; close() draws the last one over it
        }
        String out = sw.toString();
        assertTrue(out.contains(config.digest().shortHex() + ": Already exists"), out);
        assertTrue(out.contains(layer.digest().shortHex() + ": Downloading [==============>               ] 5.0MB/10.0MB"), out);
        assertTrue(out.contains("\u001b[2A"), "the block of two lines is redrawn in place: " + out);
    }

    @Test
    void plainPrintsOneLinePerFinishedBlob() {
        StringWriter sw = new StringWriter();
        try (Progress p = new Progress.Plain(new PrintWriter(sw))) {
            p.on(new PullEvent.Planned(List.of(config, layer)));
            p.on(new PullEvent.BlobPresent(config));
            p.on(new PullEvent.BlobStarted(layer, 0));
            p.on(new PullEvent.BlobProgress(layer, 5_000_000));
            p.on(new PullEvent.BlobDone(layer));
        }
        assertEquals(config.digest().shortHex() + ": already present\n" + layer.digest().shortHex() + ": pulled 10.0MB\n", sw.toString());
    }
}
