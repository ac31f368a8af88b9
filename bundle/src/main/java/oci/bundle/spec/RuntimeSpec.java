package oci.bundle.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The runtime-spec {@code config.json}, as mutable Jackson beans whose field names are the spec's.
 * Every class keeps unknown fields ({@link Extensible}); a field left null is not written.
 *
 * @see <a href="https://github.com/opencontainers/runtime-spec/blob/main/config.md">config.md</a>
 * @see <a href="https://github.com/opencontainers/runtime-spec/blob/main/config-linux.md">config-linux.md</a>
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RuntimeSpec extends Extensible {
    public static final String VERSION = "1.2.0";

    public String ociVersion;
    public Process process;
    public Root root;
    public String hostname;
    public String domainname;
    public List<Mount> mounts;
    public Hooks hooks;
    public Map<String, String> annotations;
    public Linux linux;

    /** Made on first use: a command that never needs Jackson (the runtime's start path) skips its start-up cost. */
    private static final class Holder {
        static final ObjectMapper MAPPER = new ObjectMapper()
                .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
                .configure(SerializationFeature.INDENT_OUTPUT, true);
    }

    public static ObjectMapper mapper() {
        return Holder.MAPPER;
    }

    public static RuntimeSpec read(Path configJson) throws IOException {
        return mapper().readValue(configJson.toFile(), RuntimeSpec.class);
    }

    public static RuntimeSpec parse(byte[] json) throws IOException {
        return mapper().readValue(json, RuntimeSpec.class);
    }

    public byte[] toJson() {
        try {
            return mapper().writeValueAsBytes(this);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Process extends Extensible {
        public Boolean terminal;
        public Box consoleSize;
        public User user;
        public List<String> args;
        public String commandLine;
        public List<String> env;
        public String cwd;
        public Capabilities capabilities;
        public List<Rlimit> rlimits;
        public Boolean noNewPrivileges;
        public String apparmorProfile;
        public Integer oomScoreAdj;
        public String selinuxLabel;
        public Scheduler scheduler;
        public IoPriority ioPriority;
        public ExecCpuAffinity execCPUAffinity;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Box extends Extensible {
        public long height;
        public long width;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class User extends Extensible {
        public long uid;
        public long gid;
        public Integer umask;
        public List<Long> additionalGids;
        public String username;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Capabilities extends Extensible {
        public List<String> bounding;
        public List<String> effective;
        public List<String> inheritable;
        public List<String> permitted;
        public List<String> ambient;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Rlimit extends Extensible {
        public String type;
        public long hard;
        public long soft;

        public Rlimit() {}

        public Rlimit(String type, long hard, long soft) {
            this.type = type;
            this.hard = hard;
            this.soft = soft;
        }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Scheduler extends Extensible {
        public String policy;
        public Integer nice;
        public Integer priority;
        public List<String> flags;
        public Long runtime;
        public Long deadline;
        public Long period;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class IoPriority extends Extensible {
        @JsonProperty("class")
        public String ioClass;
        public Integer priority;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class ExecCpuAffinity extends Extensible {
        public String initial;
        @JsonProperty("final")
        public String finalCpus;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Root extends Extensible {
        public String path;
        public Boolean readonly;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Mount extends Extensible {
        public String destination;
        public String type;
        public String source;
        public List<String> options;
        public List<IdMapping> uidMappings;
        public List<IdMapping> gidMappings;

        public Mount() {}

        public Mount(String destination, String type, String source, List<String> options) {
            this.destination = destination;
            this.type = type;
            this.source = source;
            this.options = options == null ? null : new ArrayList<>(options);
        }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class IdMapping extends Extensible {
        public long containerID;
        public long hostID;
        public long size;

        public IdMapping() {}

        public IdMapping(long containerID, long hostID, long size) {
            this.containerID = containerID;
            this.hostID = hostID;
            this.size = size;
        }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Hooks extends Extensible {
        public List<Hook> prestart;
        public List<Hook> createRuntime;
        public List<Hook> createContainer;
        public List<Hook> startContainer;
        public List<Hook> poststart;
        public List<Hook> poststop;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Hook extends Extensible {
        public String path;
        public List<String> args;
        public List<String> env;
        public Integer timeout;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Linux extends Extensible {
        public List<IdMapping> uidMappings;
        public List<IdMapping> gidMappings;
        public Map<String, String> sysctl;
        public Resources resources;
        public String cgroupsPath;
        public List<Namespace> namespaces;
        public List<Device> devices;
        public Seccomp seccomp;
        public String rootfsPropagation;
        public List<String> maskedPaths;
        public List<String> readonlyPaths;
        public String mountLabel;
        public Map<String, Object> personality;
        public Map<String, Object> intelRdt;
        public Map<String, Object> timeOffsets;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Namespace extends Extensible {
        public String type;
        public String path;

        public Namespace() {}

        public Namespace(String type, String path) {
            this.type = type;
            this.path = path;
        }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Device extends Extensible {
        public String type;
        public String path;
        public Long major;
        public Long minor;
        public Integer fileMode;
        public Long uid;
        public Long gid;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Resources extends Extensible {
        public List<DeviceCgroup> devices;
        public Memory memory;
        public Cpu cpu;
        public Pids pids;
        public BlockIo blockIO;
        public List<HugepageLimit> hugepageLimits;
        public Map<String, Object> network;
        public Map<String, Object> rdma;
        public Map<String, String> unified;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class DeviceCgroup extends Extensible {
        public boolean allow;
        public String type;
        public Long major;
        public Long minor;
        public String access;

        public DeviceCgroup() {}

        public DeviceCgroup(boolean allow, String type, Long major, Long minor, String access) {
            this.allow = allow;
            this.type = type;
            this.major = major;
            this.minor = minor;
            this.access = access;
        }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Memory extends Extensible {
        public Long limit;
        public Long reservation;
        public Long swap;
        public Long kernel;
        public Long kernelTCP;
        public Long swappiness;
        public Boolean disableOOMKiller;
        public Boolean useHierarchy;
        public Boolean checkBeforeUpdate;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Cpu extends Extensible {
        public Long shares;
        public Long quota;
        public Long burst;
        public Long period;
        public Long realtimeRuntime;
        public Long realtimePeriod;
        public String cpus;
        public String mems;
        public Boolean idle;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Pids extends Extensible {
        public long limit;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class BlockIo extends Extensible {
        public Integer weight;
        public Integer leafWeight;
        public List<Map<String, Object>> weightDevice;
        public List<Map<String, Object>> throttleReadBpsDevice;
        public List<Map<String, Object>> throttleWriteBpsDevice;
        public List<Map<String, Object>> throttleReadIOPSDevice;
        public List<Map<String, Object>> throttleWriteIOPSDevice;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class HugepageLimit extends Extensible {
        public String pageSize;
        public long limit;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Seccomp extends Extensible {
        public String defaultAction;
        public Integer defaultErrnoRet;
        public List<String> architectures;
        public List<String> flags;
        public String listenerPath;
        public String listenerMetadata;
        public List<Syscall> syscalls;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Syscall extends Extensible {
        public List<String> names;
        public String action;
        public Integer errnoRet;
        public List<SyscallArg> args;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class SyscallArg extends Extensible {
        public int index;
        public long value;
        public Long valueTwo;
        public String op;
    }

    /** Annotations in insertion order, created on first use. */
    public Map<String, String> annotations() {
        if (annotations == null) annotations = new LinkedHashMap<>();
        return annotations;
    }
}
