package oci.image;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/**
 * The image configuration: the execution parameters and the layer diffIDs.
 *
 * @see <a href="https://github.com/opencontainers/image-spec/blob/main/config.md">config.md</a>
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
@JsonIgnoreProperties(ignoreUnknown = true)
public record ImageConfig(
        String created,
        String author,
        String architecture,
        String os,
        @JsonProperty("os.version") String osVersion,
        @JsonProperty("os.features") List<String> osFeatures,
        String variant,
        Config config,
        RootFs rootfs,
        List<History> history) {

    public ImageConfig {
        history = history == null ? List.of() : List.copyOf(history);
        if (config == null) config = Config.EMPTY;
    }

    /** The execution parameters; field names as in the spec (capitalised). */
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Config(
            @JsonProperty("User") String user,
            @JsonProperty("ExposedPorts") Map<String, Object> exposedPorts,
            @JsonProperty("Env") List<String> env,
            @JsonProperty("Entrypoint") List<String> entrypoint,
            @JsonProperty("Cmd") List<String> cmd,
            @JsonProperty("Volumes") Map<String, Object> volumes,
            @JsonProperty("WorkingDir") String workingDir,
            @JsonProperty("Labels") Map<String, String> labels,
            @JsonProperty("StopSignal") String stopSignal,
            @JsonProperty("ArgsEscaped") Boolean argsEscaped) {
        public static final Config EMPTY = new Config(null, null, null, null, null, null, null, null, null, null);

        public Config {
            exposedPorts = exposedPorts == null ? Map.of() : exposedPorts;
            env = env == null ? List.of() : env;
            volumes = volumes == null ? Map.of() : volumes;
            labels = labels == null ? Map.of() : labels;
        }
    }

    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record RootFs(String type, @JsonProperty("diff_ids") List<Digest> diffIds) {
        public RootFs {
            diffIds = diffIds == null ? List.of() : List.copyOf(diffIds);
        }
    }

    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record History(
            String created,
            @JsonProperty("created_by") String createdBy,
            String author,
            String comment,
            @JsonProperty("empty_layer") Boolean emptyLayer) {}

    public static ImageConfig parse(byte[] bytes, String what) {
        ImageConfig c = ModelJson.config(bytes, what);
        if (c.rootfs == null) throw new ImageException(what + ": image config has no rootfs");
        if (c.rootfs.type() != null && !c.rootfs.type().equals("layers")) {
            throw new ImageException(what + ": rootfs.type is \"" + c.rootfs.type() + "\", expected \"layers\"");
        }
        return c;
    }

    public List<Digest> diffIds() {
        return rootfs == null ? List.of() : rootfs.diffIds();
    }

    public Platform platform() {
        return new Platform(architecture, os, osVersion, osFeatures, variant);
    }
}
