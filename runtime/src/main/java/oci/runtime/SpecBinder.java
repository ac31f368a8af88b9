package oci.runtime;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import oci.bundle.spec.Extensible;
import oci.bundle.spec.RuntimeSpec;

/**
 * Binds a config.json tree ({@link Json#parse}) to the {@code RuntimeSpec} beans, field by field in
 * plain code. Measured on a fresh JVM with its class-data archive (runc's config.json, first call):
 * this binder costs ~1 ms over the parse; the reflective binder it replaces (Field lookups,
 * annotation reads, generic signatures, a method-handle field accessor spun per field) ~20 ms, 23
 * ms inside a cold `oci run`; jackson-jr's bean reader ~44 ms, and it keeps neither unknown fields
 * nor {@code @JsonProperty} names without more modules.
 *
 * <p>The rules are databind's, as the beans declare them: JSON names are the field names
 * ({@code @JsonProperty} ones where given), a null leaves the field unset, unknown fields are kept
 * in {@link Extensible#unknownFields()} as parsed. Numbers: a long field takes a uint64 above
 * Long.MAX_VALUE with its bits kept (RLIM_INFINITY), an int field refuses what does not fit. A
 * value of the wrong type is one message naming its path ({@code config.json process.args:
 * expected an array}). SpecBinderTest checks every field of every class against the reflective
 * rules; a field added to RuntimeSpec must be added here too (the test fails until it is).
 */
final class SpecBinder {
    private SpecBinder() {}

    /** The whole config.json. */
    static RuntimeSpec spec(Object tree) {
        RuntimeSpec o = new RuntimeSpec();
        for (var e : object(tree, "").entrySet()) {
            String k = e.getKey(), at = k;
            Object v = e.getValue();
            switch (k) {
                case "ociVersion" -> o.ociVersion = string(v, at);
                case "process" -> o.process = v == null ? null : process(v, at);
                case "root" -> o.root = v == null ? null : root(v, at);
                case "hostname" -> o.hostname = string(v, at);
                case "domainname" -> o.domainname = string(v, at);
                case "mounts" -> o.mounts = list(v, at, MOUNT);
                case "hooks" -> o.hooks = v == null ? null : hooks(v, at);
                case "annotations" -> o.annotations = stringMap(v, at);
                case "linux" -> o.linux = v == null ? null : linux(v, at);
                default -> o.unknownFields().put(k, v);
            }
        }
        return o;
    }

    /** A process object (config.json's, or runc exec's --process file). */
    static RuntimeSpec.Process process(Object tree, String path) {
        RuntimeSpec.Process o = new RuntimeSpec.Process();
        for (var e : object(tree, path).entrySet()) {
            String k = e.getKey(), at = path + "." + k;
            Object v = e.getValue();
            switch (k) {
                case "terminal" -> o.terminal = bool(v, at);
                case "consoleSize" -> o.consoleSize = v == null ? null : box(v, at);
                case "user" -> o.user = v == null ? null : user(v, at);
                case "args" -> o.args = list(v, at, STRING);
                case "commandLine" -> o.commandLine = string(v, at);
                case "env" -> o.env = list(v, at, STRING);
                case "cwd" -> o.cwd = string(v, at);
                case "capabilities" -> o.capabilities = v == null ? null : capabilities(v, at);
                case "rlimits" -> o.rlimits = list(v, at, RLIMIT);
                case "noNewPrivileges" -> o.noNewPrivileges = bool(v, at);
                case "apparmorProfile" -> o.apparmorProfile = string(v, at);
                case "oomScoreAdj" -> o.oomScoreAdj = integer(v, at);
                case "selinuxLabel" -> o.selinuxLabel = string(v, at);
                case "scheduler" -> o.scheduler = v == null ? null : scheduler(v, at);
                case "ioPriority" -> o.ioPriority = v == null ? null : ioPriority(v, at);
                case "execCPUAffinity" -> o.execCPUAffinity = v == null ? null : execCpuAffinity(v, at);
                default -> o.unknownFields().put(k, v);
            }
        }
        return o;
    }

    /** linux.resources (also what `oci update` reads). */
    static RuntimeSpec.Resources resources(Object tree, String path) {
        RuntimeSpec.Resources o = new RuntimeSpec.Resources();
        for (var e : object(tree, path).entrySet()) {
            String k = e.getKey(), at = path + "." + k;
            Object v = e.getValue();
            switch (k) {
                case "devices" -> o.devices = list(v, at, DEVICE_CGROUP);
                case "memory" -> o.memory = v == null ? null : memory(v, at);
                case "cpu" -> o.cpu = v == null ? null : cpu(v, at);
                case "pids" -> o.pids = v == null ? null : pids(v, at);
                case "blockIO" -> o.blockIO = v == null ? null : blockIo(v, at);
                case "hugepageLimits" -> o.hugepageLimits = list(v, at, HUGEPAGE_LIMIT);
                case "network" -> o.network = objectMap(v, at);
                case "rdma" -> o.rdma = objectMap(v, at);
                case "unified" -> o.unified = stringMap(v, at);
                default -> o.unknownFields().put(k, v);
            }
        }
        return o;
    }

    // ---------------------------------------------------------------- the other classes

    private static RuntimeSpec.Box box(Object tree, String path) {
        RuntimeSpec.Box o = new RuntimeSpec.Box();
        for (var e : object(tree, path).entrySet()) {
            String k = e.getKey(), at = path + "." + k;
            Object v = e.getValue();
            switch (k) {
                case "height" -> o.height = primitiveLong(v, at);
                case "width" -> o.width = primitiveLong(v, at);
                default -> o.unknownFields().put(k, v);
            }
        }
        return o;
    }

    private static RuntimeSpec.User user(Object tree, String path) {
        RuntimeSpec.User o = new RuntimeSpec.User();
        for (var e : object(tree, path).entrySet()) {
            String k = e.getKey(), at = path + "." + k;
            Object v = e.getValue();
            switch (k) {
                case "uid" -> o.uid = primitiveLong(v, at);
                case "gid" -> o.gid = primitiveLong(v, at);
                case "umask" -> o.umask = integer(v, at);
                case "additionalGids" -> o.additionalGids = list(v, at, LONG);
                case "username" -> o.username = string(v, at);
                default -> o.unknownFields().put(k, v);
            }
        }
        return o;
    }

    private static RuntimeSpec.Capabilities capabilities(Object tree, String path) {
        RuntimeSpec.Capabilities o = new RuntimeSpec.Capabilities();
        for (var e : object(tree, path).entrySet()) {
            String k = e.getKey(), at = path + "." + k;
            Object v = e.getValue();
            switch (k) {
                case "bounding" -> o.bounding = list(v, at, STRING);
                case "effective" -> o.effective = list(v, at, STRING);
                case "inheritable" -> o.inheritable = list(v, at, STRING);
                case "permitted" -> o.permitted = list(v, at, STRING);
                case "ambient" -> o.ambient = list(v, at, STRING);
                default -> o.unknownFields().put(k, v);
            }
        }
        return o;
    }

    private static RuntimeSpec.Rlimit rlimit(Object tree, String path) {
        RuntimeSpec.Rlimit o = new RuntimeSpec.Rlimit();
        for (var e : object(tree, path).entrySet()) {
            String k = e.getKey(), at = path + "." + k;
            Object v = e.getValue();
            switch (k) {
                case "type" -> o.type = string(v, at);
                case "hard" -> o.hard = primitiveLong(v, at);
                case "soft" -> o.soft = primitiveLong(v, at);
                default -> o.unknownFields().put(k, v);
            }
        }
        return o;
    }

    private static RuntimeSpec.Scheduler scheduler(Object tree, String path) {
        RuntimeSpec.Scheduler o = new RuntimeSpec.Scheduler();
        for (var e : object(tree, path).entrySet()) {
            String k = e.getKey(), at = path + "." + k;
            Object v = e.getValue();
            switch (k) {
                case "policy" -> o.policy = string(v, at);
                case "nice" -> o.nice = integer(v, at);
                case "priority" -> o.priority = integer(v, at);
                case "flags" -> o.flags = list(v, at, STRING);
                case "runtime" -> o.runtime = boxedLong(v, at);
                case "deadline" -> o.deadline = boxedLong(v, at);
                case "period" -> o.period = boxedLong(v, at);
                default -> o.unknownFields().put(k, v);
            }
        }
        return o;
    }

    private static RuntimeSpec.IoPriority ioPriority(Object tree, String path) {
        RuntimeSpec.IoPriority o = new RuntimeSpec.IoPriority();
        for (var e : object(tree, path).entrySet()) {
            String k = e.getKey(), at = path + "." + k;
            Object v = e.getValue();
            switch (k) {
                case "class" -> o.ioClass = string(v, at);
                case "priority" -> o.priority = integer(v, at);
                default -> o.unknownFields().put(k, v);
            }
        }
        return o;
    }

    private static RuntimeSpec.ExecCpuAffinity execCpuAffinity(Object tree, String path) {
        RuntimeSpec.ExecCpuAffinity o = new RuntimeSpec.ExecCpuAffinity();
        for (var e : object(tree, path).entrySet()) {
            String k = e.getKey(), at = path + "." + k;
            Object v = e.getValue();
            switch (k) {
                case "initial" -> o.initial = string(v, at);
                case "final" -> o.finalCpus = string(v, at);
                default -> o.unknownFields().put(k, v);
            }
        }
        return o;
    }

    private static RuntimeSpec.Root root(Object tree, String path) {
        RuntimeSpec.Root o = new RuntimeSpec.Root();
        for (var e : object(tree, path).entrySet()) {
            String k = e.getKey(), at = path + "." + k;
            Object v = e.getValue();
            switch (k) {
                case "path" -> o.path = string(v, at);
                case "readonly" -> o.readonly = bool(v, at);
                default -> o.unknownFields().put(k, v);
            }
        }
        return o;
    }

    private static RuntimeSpec.Mount mount(Object tree, String path) {
        RuntimeSpec.Mount o = new RuntimeSpec.Mount();
        for (var e : object(tree, path).entrySet()) {
            String k = e.getKey(), at = path + "." + k;
            Object v = e.getValue();
            switch (k) {
                case "destination" -> o.destination = string(v, at);
                case "type" -> o.type = string(v, at);
                case "source" -> o.source = string(v, at);
                case "options" -> o.options = list(v, at, STRING);
                case "uidMappings" -> o.uidMappings = list(v, at, ID_MAPPING);
                case "gidMappings" -> o.gidMappings = list(v, at, ID_MAPPING);
                default -> o.unknownFields().put(k, v);
            }
        }
        return o;
    }

    private static RuntimeSpec.IdMapping idMapping(Object tree, String path) {
        RuntimeSpec.IdMapping o = new RuntimeSpec.IdMapping();
        for (var e : object(tree, path).entrySet()) {
            String k = e.getKey(), at = path + "." + k;
            Object v = e.getValue();
            switch (k) {
                case "containerID" -> o.containerID = primitiveLong(v, at);
                case "hostID" -> o.hostID = primitiveLong(v, at);
                case "size" -> o.size = primitiveLong(v, at);
                default -> o.unknownFields().put(k, v);
            }
        }
        return o;
    }

    private static RuntimeSpec.Hooks hooks(Object tree, String path) {
        RuntimeSpec.Hooks o = new RuntimeSpec.Hooks();
        for (var e : object(tree, path).entrySet()) {
            String k = e.getKey(), at = path + "." + k;
            Object v = e.getValue();
            switch (k) {
                case "prestart" -> o.prestart = list(v, at, HOOK);
                case "createRuntime" -> o.createRuntime = list(v, at, HOOK);
                case "createContainer" -> o.createContainer = list(v, at, HOOK);
                case "startContainer" -> o.startContainer = list(v, at, HOOK);
                case "poststart" -> o.poststart = list(v, at, HOOK);
                case "poststop" -> o.poststop = list(v, at, HOOK);
                default -> o.unknownFields().put(k, v);
            }
        }
        return o;
    }

    private static RuntimeSpec.Hook hook(Object tree, String path) {
        RuntimeSpec.Hook o = new RuntimeSpec.Hook();
        for (var e : object(tree, path).entrySet()) {
            String k = e.getKey(), at = path + "." + k;
            Object v = e.getValue();
            switch (k) {
                case "path" -> o.path = string(v, at);
                case "args" -> o.args = list(v, at, STRING);
                case "env" -> o.env = list(v, at, STRING);
                case "timeout" -> o.timeout = integer(v, at);
                default -> o.unknownFields().put(k, v);
            }
        }
        return o;
    }

    private static RuntimeSpec.Linux linux(Object tree, String path) {
        RuntimeSpec.Linux o = new RuntimeSpec.Linux();
        for (var e : object(tree, path).entrySet()) {
            String k = e.getKey(), at = path + "." + k;
            Object v = e.getValue();
            switch (k) {
                case "uidMappings" -> o.uidMappings = list(v, at, ID_MAPPING);
                case "gidMappings" -> o.gidMappings = list(v, at, ID_MAPPING);
                case "sysctl" -> o.sysctl = stringMap(v, at);
                case "resources" -> o.resources = v == null ? null : resources(v, at);
                case "cgroupsPath" -> o.cgroupsPath = string(v, at);
                case "namespaces" -> o.namespaces = list(v, at, NAMESPACE);
                case "devices" -> o.devices = list(v, at, DEVICE);
                case "seccomp" -> o.seccomp = v == null ? null : seccomp(v, at);
                case "rootfsPropagation" -> o.rootfsPropagation = string(v, at);
                case "maskedPaths" -> o.maskedPaths = list(v, at, STRING);
                case "readonlyPaths" -> o.readonlyPaths = list(v, at, STRING);
                case "mountLabel" -> o.mountLabel = string(v, at);
                case "personality" -> o.personality = objectMap(v, at);
                case "intelRdt" -> o.intelRdt = objectMap(v, at);
                case "timeOffsets" -> o.timeOffsets = objectMap(v, at);
                default -> o.unknownFields().put(k, v);
            }
        }
        return o;
    }

    private static RuntimeSpec.Namespace namespace(Object tree, String path) {
        RuntimeSpec.Namespace o = new RuntimeSpec.Namespace();
        for (var e : object(tree, path).entrySet()) {
            String k = e.getKey(), at = path + "." + k;
            Object v = e.getValue();
            switch (k) {
                case "type" -> o.type = string(v, at);
                case "path" -> o.path = string(v, at);
                default -> o.unknownFields().put(k, v);
            }
        }
        return o;
    }

    private static RuntimeSpec.Device device(Object tree, String path) {
        RuntimeSpec.Device o = new RuntimeSpec.Device();
        for (var e : object(tree, path).entrySet()) {
            String k = e.getKey(), at = path + "." + k;
            Object v = e.getValue();
            switch (k) {
                case "type" -> o.type = string(v, at);
                case "path" -> o.path = string(v, at);
                case "major" -> o.major = boxedLong(v, at);
                case "minor" -> o.minor = boxedLong(v, at);
                case "fileMode" -> o.fileMode = integer(v, at);
                case "uid" -> o.uid = boxedLong(v, at);
                case "gid" -> o.gid = boxedLong(v, at);
                default -> o.unknownFields().put(k, v);
            }
        }
        return o;
    }

    private static RuntimeSpec.DeviceCgroup deviceCgroup(Object tree, String path) {
        RuntimeSpec.DeviceCgroup o = new RuntimeSpec.DeviceCgroup();
        for (var e : object(tree, path).entrySet()) {
            String k = e.getKey(), at = path + "." + k;
            Object v = e.getValue();
            switch (k) {
                case "allow" -> {
                    if (v != null) o.allow = bool(v, at);
                }
                case "type" -> o.type = string(v, at);
                case "major" -> o.major = boxedLong(v, at);
                case "minor" -> o.minor = boxedLong(v, at);
                case "access" -> o.access = string(v, at);
                default -> o.unknownFields().put(k, v);
            }
        }
        return o;
    }

    private static RuntimeSpec.Memory memory(Object tree, String path) {
        RuntimeSpec.Memory o = new RuntimeSpec.Memory();
        for (var e : object(tree, path).entrySet()) {
            String k = e.getKey(), at = path + "." + k;
            Object v = e.getValue();
            switch (k) {
                case "limit" -> o.limit = boxedLong(v, at);
                case "reservation" -> o.reservation = boxedLong(v, at);
                case "swap" -> o.swap = boxedLong(v, at);
                case "kernel" -> o.kernel = boxedLong(v, at);
                case "kernelTCP" -> o.kernelTCP = boxedLong(v, at);
                case "swappiness" -> o.swappiness = boxedLong(v, at);
                case "disableOOMKiller" -> o.disableOOMKiller = bool(v, at);
                case "useHierarchy" -> o.useHierarchy = bool(v, at);
                case "checkBeforeUpdate" -> o.checkBeforeUpdate = bool(v, at);
                default -> o.unknownFields().put(k, v);
            }
        }
        return o;
    }

    private static RuntimeSpec.Cpu cpu(Object tree, String path) {
        RuntimeSpec.Cpu o = new RuntimeSpec.Cpu();
        for (var e : object(tree, path).entrySet()) {
            String k = e.getKey(), at = path + "." + k;
            Object v = e.getValue();
            switch (k) {
                case "shares" -> o.shares = boxedLong(v, at);
                case "quota" -> o.quota = boxedLong(v, at);
                case "burst" -> o.burst = boxedLong(v, at);
                case "period" -> o.period = boxedLong(v, at);
                case "realtimeRuntime" -> o.realtimeRuntime = boxedLong(v, at);
                case "realtimePeriod" -> o.realtimePeriod = boxedLong(v, at);
                case "cpus" -> o.cpus = string(v, at);
                case "mems" -> o.mems = string(v, at);
                case "idle" -> o.idle = bool(v, at);
                default -> o.unknownFields().put(k, v);
            }
        }
        return o;
    }

    private static RuntimeSpec.Pids pids(Object tree, String path) {
        RuntimeSpec.Pids o = new RuntimeSpec.Pids();
        for (var e : object(tree, path).entrySet()) {
            String k = e.getKey(), at = path + "." + k;
            Object v = e.getValue();
            switch (k) {
                case "limit" -> o.limit = primitiveLong(v, at);
                default -> o.unknownFields().put(k, v);
            }
        }
        return o;
    }

    private static RuntimeSpec.BlockIo blockIo(Object tree, String path) {
        RuntimeSpec.BlockIo o = new RuntimeSpec.BlockIo();
        for (var e : object(tree, path).entrySet()) {
            String k = e.getKey(), at = path + "." + k;
            Object v = e.getValue();
            switch (k) {
                case "weight" -> o.weight = integer(v, at);
                case "leafWeight" -> o.leafWeight = integer(v, at);
                case "weightDevice" -> o.weightDevice = list(v, at, OBJECT_MAP);
                case "throttleReadBpsDevice" -> o.throttleReadBpsDevice = list(v, at, OBJECT_MAP);
                case "throttleWriteBpsDevice" -> o.throttleWriteBpsDevice = list(v, at, OBJECT_MAP);
                case "throttleReadIOPSDevice" -> o.throttleReadIOPSDevice = list(v, at, OBJECT_MAP);
                case "throttleWriteIOPSDevice" -> o.throttleWriteIOPSDevice = list(v, at, OBJECT_MAP);
                default -> o.unknownFields().put(k, v);
            }
        }
        return o;
    }

    private static RuntimeSpec.HugepageLimit hugepageLimit(Object tree, String path) {
        RuntimeSpec.HugepageLimit o = new RuntimeSpec.HugepageLimit();
        for (var e : object(tree, path).entrySet()) {
            String k = e.getKey(), at = path + "." + k;
            Object v = e.getValue();
            switch (k) {
                case "pageSize" -> o.pageSize = string(v, at);
                case "limit" -> o.limit = primitiveLong(v, at);
                default -> o.unknownFields().put(k, v);
            }
        }
        return o;
    }

    private static RuntimeSpec.Seccomp seccomp(Object tree, String path) {
        RuntimeSpec.Seccomp o = new RuntimeSpec.Seccomp();
        for (var e : object(tree, path).entrySet()) {
            String k = e.getKey(), at = path + "." + k;
            Object v = e.getValue();
            switch (k) {
                case "defaultAction" -> o.defaultAction = string(v, at);
                case "defaultErrnoRet" -> o.defaultErrnoRet = integer(v, at);
                case "architectures" -> o.architectures = list(v, at, STRING);
                case "flags" -> o.flags = list(v, at, STRING);
                case "listenerPath" -> o.listenerPath = string(v, at);
                case "listenerMetadata" -> o.listenerMetadata = string(v, at);
                case "syscalls" -> o.syscalls = list(v, at, SYSCALL);
                default -> o.unknownFields().put(k, v);
            }
        }
        return o;
    }

    private static RuntimeSpec.Syscall syscall(Object tree, String path) {
        RuntimeSpec.Syscall o = new RuntimeSpec.Syscall();
        for (var e : object(tree, path).entrySet()) {
            String k = e.getKey(), at = path + "." + k;
            Object v = e.getValue();
            switch (k) {
                case "names" -> o.names = list(v, at, STRING);
                case "action" -> o.action = string(v, at);
                case "errnoRet" -> o.errnoRet = integer(v, at);
                case "args" -> o.args = list(v, at, SYSCALL_ARG);
                default -> o.unknownFields().put(k, v);
            }
        }
        return o;
    }

    private static RuntimeSpec.SyscallArg syscallArg(Object tree, String path) {
        RuntimeSpec.SyscallArg o = new RuntimeSpec.SyscallArg();
        for (var e : object(tree, path).entrySet()) {
            String k = e.getKey(), at = path + "." + k;
            Object v = e.getValue();
            switch (k) {
                case "index" -> {
                    if (v != null) o.index = integer(v, at);
                }
                case "value" -> o.value = primitiveLong(v, at);
                case "valueTwo" -> o.valueTwo = boxedLong(v, at);
                case "op" -> o.op = string(v, at);
                default -> o.unknownFields().put(k, v);
            }
        }
        return o;
    }

    // ---------------------------------------------------------------- lists and values

    // What a list holds: an int, not a function, so that no lambda is spun on the cold path.
    private static final int STRING = 0, LONG = 1, OBJECT_MAP = 2, MOUNT = 3, ID_MAPPING = 4, RLIMIT = 5, HOOK = 6,
            NAMESPACE = 7, DEVICE = 8, DEVICE_CGROUP = 9, HUGEPAGE_LIMIT = 10, SYSCALL = 11, SYSCALL_ARG = 12;

    /** A list field: null for null; its null elements stay null. */
    @SuppressWarnings("unchecked")
    private static <T> List<T> list(Object v, String path, int kind) {
        if (v == null) return null;
        if (!(v instanceof List<?> l)) throw mismatch(path, "expected an array");
        List<Object> out = new ArrayList<>(l.size());
        for (int i = 0; i < l.size(); i++) {
            Object x = l.get(i);
            out.add(x == null ? null : element(x, path + "[" + i + "]", kind));
        }
        return (List<T>) out;
    }

    private static Object element(Object v, String path, int kind) {
        return switch (kind) {
            case STRING -> string(v, path);
            case LONG -> boxedLong(v, path);
            case OBJECT_MAP -> objectMap(v, path);
            case MOUNT -> mount(v, path);
            case ID_MAPPING -> idMapping(v, path);
            case RLIMIT -> rlimit(v, path);
            case HOOK -> hook(v, path);
            case NAMESPACE -> namespace(v, path);
            case DEVICE -> device(v, path);
            case DEVICE_CGROUP -> deviceCgroup(v, path);
            case HUGEPAGE_LIMIT -> hugepageLimit(v, path);
            case SYSCALL -> syscall(v, path);
            case SYSCALL_ARG -> syscallArg(v, path);
            default -> throw new IllegalArgumentException("kind " + kind);
        };
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> object(Object v, String path) {
        if (!(v instanceof Map<?, ?> m)) throw mismatch(path, "expected an object");
        return (Map<String, Object>) m;
    }

    /** A map of free-form values, copied (nested values as parsed). */
    private static Map<String, Object> objectMap(Object v, String path) {
        return v == null ? null : new LinkedHashMap<>(object(v, path));
    }

    private static Map<String, String> stringMap(Object v, String path) {
        if (v == null) return null;
        Map<String, String> out = new LinkedHashMap<>();
        for (var e : object(v, path).entrySet()) {
            Object x = e.getValue();
            out.put(e.getKey(), x == null ? null : string(x, path + "." + e.getKey()));
        }
        return out;
    }

    private static String string(Object v, String path) {
        if (v == null || v instanceof String) return (String) v;
        throw mismatch(path, "expected a string");
    }

    private static Boolean bool(Object v, String path) {
        if (v == null || v instanceof Boolean) return (Boolean) v;
        throw mismatch(path, "expected true or false");
    }

    private static long primitiveLong(Object v, String path) {
        return v == null ? 0 : boxedLong(v, path);
    }

    /** A uint64 above Long.MAX_VALUE (RLIM_INFINITY, an unlimited memory limit) keeps its bits, as the spec's uint64 does. */
    private static Long boxedLong(Object v, String path) {
        if (v == null) return null;
        if (!(v instanceof Number n)) throw mismatch(path, "expected a number");
        return n instanceof BigInteger b ? b.longValue() : n.longValue();
    }

    private static Integer integer(Object v, String path) {
        Long l = boxedLong(v, path);
        if (l == null) return null;
        if (l < Integer.MIN_VALUE || l > Integer.MAX_VALUE) throw mismatch(path, v + " is out of range");
        return (int) (long) l;
    }

    private static ContainerException mismatch(String path, String what) {
        return new ContainerException("config.json " + path + ": " + what);
    }
}
