import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import oci.bundle.BundleOptions;
import oci.bundle.ConfigFile;
import oci.bundle.ConfigGenerator;
import oci.image.Platform;
import oci.image.store.Store;
import oci.image.store.StoredImage;

/**
 * Config generation alone, in one JVM: the first call (cold: class loading, the seccomp profile
 * read) and the median of later calls. Args: STORE IMAGE ROOTFS. Run by bench/bundle.sh.
 */
public class ConfigGenBench {
    public static void main(String[] a) throws Exception {
        StoredImage img = Store.open(Path.of(a[0])).image(a[1], Platform.host());
        Path rootfs = Path.of(a[2]);
        BundleOptions o = new BundleOptions();
        o.volumes = List.of("/tmp:/mnt:ro");
        o.memory = "1g";
        o.capAdd = List.of("NET_ADMIN");
        ConfigGenerator.Host ids = ConfigGenerator.Host.current();
        Path out = Files.createTempDirectory("cfgbench");
        long t0 = System.nanoTime();
        ConfigFile.write(out, ConfigGenerator.generate(img.config(), a[1], rootfs, o, ids).spec());
        long cold = System.nanoTime() - t0;
        long[] t = new long[200];
        for (int i = 0; i < t.length; i++) {
            long s = System.nanoTime();
            ConfigFile.write(out, ConfigGenerator.generate(img.config(), a[1], rootfs, o, ids).spec());
            t[i] = System.nanoTime() - s;
        }
        java.util.Arrays.sort(t);
        System.out.printf("config generation + write: first call %.1f ms, then median %.2f ms%n", cold / 1e6, t[t.length / 2] / 1e6);
        Files.delete(out.resolve("config.json"));
        Files.delete(out);
    }
}
