package oci.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import oci.runtime.ResourceUpdate;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * runc's update: new resource limits for a container, from a LinuxResources JSON file (or stdin)
 * or from runc's flags; containerd's `ctr task update` and Kubernetes' in-place resize use it.
 */
@Command(name = "update", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Update a container's resource limits (its cgroups), as runc update does.")
final class UpdateCommand implements Callable<Integer> {
    @ParentCommand Main main;
    @Spec CommandSpec spec;

    @Option(names = {"-r", "--resources"}, paramLabel = "FILE",
            description = "A runtime-spec LinuxResources JSON file, or - for stdin; the other options are then ignored (as runc does).")
    String resources;

    @Option(names = "--memory", paramLabel = "BYTES", description = "Memory limit (bytes, or with a unit: 512m, 1g; -1 unlimited).")
    String memory;

    @Option(names = "--memory-swap", paramLabel = "BYTES", description = "Memory + swap limit; -1 unlimited.")
    String memorySwap;

    @Option(names = "--memory-reservation", paramLabel = "BYTES", description = "Memory soft limit.")
    String memoryReservation;

    @Option(names = "--kernel-memory", hidden = true, description = "Obsolete; ignored with a warning (as runc).")
    String kernelMemory;

    @Option(names = "--kernel-memory-tcp", hidden = true, description = "Obsolete; ignored with a warning (as runc).")
    String kernelMemoryTcp;

    @Option(names = "--cpu-share", paramLabel = "N", description = "CPU shares (relative weight).")
    String cpuShare;

    @Option(names = "--cpu-period", paramLabel = "USEC", description = "CFS period.")
    String cpuPeriod;

    @Option(names = "--cpu-quota", paramLabel = "USEC", description = "CFS quota per period (-1 unlimited).")
    String cpuQuota;

    @Option(names = "--cpu-burst", paramLabel = "USEC", description = "CFS burst.")
    String cpuBurst;

    @Option(names = "--cpu-rt-period", paramLabel = "USEC", description = "Realtime period (cgroup v1).")
    String cpuRtPeriod;

    @Option(names = "--cpu-rt-runtime", paramLabel = "USEC", description = "Realtime runtime per period (cgroup v1).")
    String cpuRtRuntime;

    @Option(names = "--cpu-idle", paramLabel = "0|1", description = "SCHED_IDLE for the cgroup (cgroup v2).")
    String cpuIdle;

    @Option(names = "--cpuset-cpus", paramLabel = "LIST", description = "CPUs to use (0-3,5).")
    String cpusetCpus;

    @Option(names = "--cpuset-mems", paramLabel = "LIST", description = "Memory nodes to use.")
    String cpusetMems;

    @Option(names = "--pids-limit", paramLabel = "N", description = "Maximum number of processes (-1 unlimited).")
    Long pidsLimit;

    @Option(names = "--blkio-weight", paramLabel = "N", description = "Block IO weight, 10 to 1000.")
    Integer blkioWeight;

    @Option(names = "--l3-cache-schema", paramLabel = "SCHEMA", description = "Intel RDT L3 schema: refused (Intel RDT is not implemented).")
    String l3CacheSchema;

    @Option(names = "--mem-bw-schema", paramLabel = "SCHEMA", description = "Intel RDT memory bandwidth schema: refused (Intel RDT is not implemented).")
    String memBwSchema;

    @Parameters(paramLabel = "ID")
    String id;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        try {
            Map<String, Object> changes = resources != null ? readResources() : fromFlags();
            if (resources != null && anyFlag()) warn(err, "--resources is given: the other options are ignored (as runc does)");
            ResourceUpdate.update(main.runtime.containers(), id, changes, w -> warn(err, w));
            return 0;
        } catch (RuntimeException e) {
            main.runtime.error(e.getMessage());
            throw e;
        }
    }

    private static void warn(PrintWriter err, String msg) {
        err.println("oci: warning: " + msg);
        err.flush();
    }

    private boolean anyFlag() {
        return memory != null || memorySwap != null || memoryReservation != null || kernelMemory != null || kernelMemoryTcp != null
                || cpuShare != null || cpuPeriod != null || cpuQuota != null || cpuBurst != null || cpuRtPeriod != null
                || cpuRtRuntime != null || cpuIdle != null || cpusetCpus != null || cpusetMems != null || pidsLimit != null
                || blkioWeight != null;
    }

    private Map<String, Object> readResources() {
        String text;
        try {
            text = resources.equals("-") ? new String(System.in.readAllBytes(), StandardCharsets.UTF_8) : Files.readString(Path.of(resources));
        } catch (IOException e) {
            throw new OciException("update container " + id + ": read " + (resources.equals("-") ? "stdin" : resources) + ": " + e.getMessage());
        }
        return ResourceUpdate.parse(text, resources.equals("-") ? "the resources on stdin" : resources);
    }

    /** runc's flags to a LinuxResources object (update.go): only what was given. */
    Map<String, Object> fromFlags() {
        if (l3CacheSchema != null || memBwSchema != null) {
            throw new OciException("update container " + id + ": --" + (l3CacheSchema != null ? "l3-cache-schema" : "mem-bw-schema")
                    + ": Intel RDT is not implemented");
        }
        Map<String, Object> mem = new LinkedHashMap<>(), cpu = new LinkedHashMap<>(), r = new LinkedHashMap<>();
        bytes(mem, "limit", "memory", memory);
        bytes(mem, "swap", "memory-swap", memorySwap);
        bytes(mem, "kernel", "kernel-memory", kernelMemory);
        bytes(mem, "kernelTCP", "kernel-memory-tcp", kernelMemoryTcp);
        bytes(mem, "reservation", "memory-reservation", memoryReservation);
        number(cpu, "shares", "cpu-share", cpuShare, false);
        number(cpu, "period", "cpu-period", cpuPeriod, false);
        number(cpu, "quota", "cpu-quota", cpuQuota, true);
        number(cpu, "burst", "cpu-burst", cpuBurst, false);
        number(cpu, "realtimePeriod", "cpu-rt-period", cpuRtPeriod, false);
        number(cpu, "realtimeRuntime", "cpu-rt-runtime", cpuRtRuntime, true);
        number(cpu, "idle", "cpu-idle", cpuIdle, true);
        if (cpusetCpus != null && !cpusetCpus.isEmpty()) cpu.put("cpus", cpusetCpus);
        if (cpusetMems != null && !cpusetMems.isEmpty()) cpu.put("mems", cpusetMems);
        if (!mem.isEmpty()) r.put("memory", mem);
        if (!cpu.isEmpty()) r.put("cpu", cpu);
        if (pidsLimit != null) r.put("pids", Map.of("limit", pidsLimit));
        if (blkioWeight != null && blkioWeight != 0) r.put("blockIO", Map.of("weight", (long) blkioWeight));
        return r;
    }

    private void number(Map<String, Object> m, String key, String flag, String v, boolean signed) {
        if (v == null || v.isEmpty()) return;
        try {
            long n = signed ? Long.parseLong(v) : Long.parseUnsignedLong(v);
            m.put(key, n);
        } catch (NumberFormatException e) {
            throw new OciException("update container " + id + ": invalid value for " + flag + ": \"" + v + "\"", Main.EXIT_USAGE);
        }
    }

    private void bytes(Map<String, Object> m, String key, String flag, String v) {
        if (v == null || v.isEmpty()) return;
        try {
            m.put(key, v.equals("-1") ? -1L : ramInBytes(v));
        } catch (IllegalArgumentException e) {
            throw new OciException("update container " + id + ": invalid value for " + flag + ": " + e.getMessage(), Main.EXIT_USAGE);
        }
    }

    private static final Pattern SIZE = Pattern.compile("(\\d+(?:\\.\\d+)?) ?([kKmMgGtTpP])?[iI]?[bB]?");

    /** A size as docker's units.RAMInBytes reads it (runc's flags): 1024-based units, "512m", "1.5g", "100". */
    static long ramInBytes(String s) {
        Matcher m = SIZE.matcher(s.strip());
        if (!m.matches()) throw new IllegalArgumentException("invalid size: '" + s + "'");
        double n = Double.parseDouble(m.group(1));
        int shift = m.group(2) == null ? 0 : 10 * ("kmgtp".indexOf(Character.toLowerCase(m.group(2).charAt(0))) + 1);
        double bytes = n * Math.pow(2, shift);
        if (bytes > Long.MAX_VALUE) throw new IllegalArgumentException("size too large: '" + s + "'");
        return (long) bytes;
    }
}
