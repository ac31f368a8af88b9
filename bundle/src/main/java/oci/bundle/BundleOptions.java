package oci.bundle;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What the caller of {@code oci bundle} asked for, as given on the command line (docker-run
 * names). Values are checked when the config is generated ({@link ConfigGenerator#check}); a
 * field left null means "from the image, or the default".
 */
public final class BundleOptions {
    /** ARGS after {@code --}; replace the image's Cmd. Empty = the image's. */
    public List<String> args = new ArrayList<>();
    /** {@code --entrypoint}; replaces the image's Entrypoint (and, as in docker, its Cmd); "" clears it. */
    public String entrypoint;
    /** {@code -e KEY=VALUE} or {@code -e KEY} (taken from this process's environment). */
    public List<String> env = new ArrayList<>();
    public List<Path> envFiles = new ArrayList<>();
    public String user;
    public String workdir;
    public String hostname;
    public boolean tty;
    public boolean readOnly;
    public boolean privileged;
    public boolean rootless;
    /** {@code -v SRC:DST[:ro|rw]}. */
    public List<String> volumes = new ArrayList<>();
    /** {@code --mount type=bind|tmpfs,source=...,destination=...,readonly}. */
    public List<String> mounts = new ArrayList<>();
    /** {@code --tmpfs DST[:opts]}. */
    public List<String> tmpfs = new ArrayList<>();
    public List<String> capAdd = new ArrayList<>();
    public List<String> capDrop = new ArrayList<>();
    /** {@code --net host|none|ns:PATH}. */
    public String net;
    /** {@code --pid/--ipc/--uts host}. */
    public String pid;
    public String ipc;
    public String uts;
    /** {@code --memory 512m}. */
    public String memory;
    /** {@code --cpus 1.5}. */
    public String cpus;
    public String cpusetCpus;
    public Long pidsLimit;
    /** {@code default} (null), {@code unconfined} or a file. */
    public String seccomp;
    /** {@code K=V}. */
    public List<String> annotations = new ArrayList<>();
    /** {@code STAGE=CMD [ARG...]}. */
    public List<String> hooks = new ArrayList<>();
}
