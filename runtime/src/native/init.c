/*
 * oci-init: the container's first process. It holds no policy: Java (oci.runtime.PlanBuilder) has
 * already decided every namespace, mount, flag, capability mask and seccomp program, and written
 * them as an ordered list of operations (the plan). This program reads the plan, performs each
 * operation in order, and execs the container's process.
 *
 * Processes (runc's model: nothing of ours stays between the caller and the container):
 *   S (setup)    started by Java; new session; connects the console socket (a host path); joins or
 *                creates the user namespace, is put in the cgroups, unshares the other namespaces,
 *                forks G, reports G's pid and exits. G is then re-parented to the caller's child
 *                subreaper (containerd's shim, conmon; `oci run` and `oci exec` in the foreground
 *                make themselves one and wait for G), and the caller's stdio stays only in G.
 *   G (container pid 1, or the exec'd process) runs the rest of the plan: mounts, pivot_root,
 *                process settings; waits on the exec fifo until `oci start`, then execs the user's
 *                program.
 *   P (proxy)    only for a foreground `oci run`/`oci exec` with a terminal and no console socket:
 *                forked by S before anything else, copies between the caller's terminal and the
 *                container's pty; Java ends it once G has exited.
 *
 * Plan file: a sequence of ops; op = u32 code, u32 argc, argc x (u32 len, bytes). All integers in
 * host byte order; numeric args are decimal text.
 *
 * Java side of the sync channel (line protocol): we send "sync NAME PID", Java answers "ok" or
 * "fail"; we send "error MESSAGE" and exit on any failure; "ready" when waiting for start. The
 * channel is two fifos S makes beside the plan, PATH.out (to Java) and PATH.in (from
 * Java): a JVM's first unix socket costs it tens of milliseconds (a SecureRandom, the selector
 * provider lookup), fifos cost it nothing. Java opens both read-write once PATH.in exists.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <linux/capability.h>
#include <linux/close_range.h>
#include <linux/filter.h>
#include <linux/openat2.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <sys/un.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <poll.h>
#include <termios.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/* Op codes: keep in sync with oci.runtime.Op. */
enum {
    OP_CONNECT = 1,     /* socket-path */
    OP_SYNC = 2,        /* name */
    OP_SETNS = 3,       /* nstype path */
    OP_UNSHARE = 4,     /* flags */
    OP_FORK = 5,        /* (C forks G; C reports G's pid and exits) */
    OP_SETID0 = 6,      /* setresuid/gid(0) inside a new user namespace */
    OP_MOUNT_PROP = 7,  /* path flags: change propagation of a host path (before the root is bound) */
    OP_BIND_ROOT = 8,   /* rootfs-path parent-propagation-flags */
    OP_MOUNT = 9,       /* source dest fstype flags propagation data kind(d|f) */
    OP_REMOUNT = 10,    /* dest flags */
    OP_MKNOD = 11,      /* dest type(c|b|p) major minor mode uid gid */
    OP_BIND_DEV = 12,   /* host-path dest */
    OP_SYMLINK = 13,    /* target dest */
    OP_OPEN_FIFO = 14,  /* host-path */
    OP_PIVOT = 15,      /* */
    OP_MASK = 16,       /* path */
    OP_READONLY = 17,   /* path */
    OP_HOSTNAME = 18,   /* name */
    OP_DOMAINNAME = 19, /* name */
    OP_SYSCTL = 20,     /* key-path value */
    OP_OOM_ADJ = 21,    /* value */
    OP_RLIMIT = 22,     /* resource soft hard */
    OP_CWD = 23,        /* path */
    OP_UMASK = 24,      /* mask */
    OP_BOUNDING = 25,   /* keep-mask last-cap */
    OP_USER = 26,       /* uid gid [groups...] */
    OP_CAPS = 27,       /* effective permitted inheritable */
    OP_AMBIENT = 28,    /* mask last-cap */
    OP_NNP = 29,        /* */
    OP_SECCOMP = 30,    /* flags bpf-bytes */
    OP_PREPARE_EXEC = 31, /* PATH-value args... (resolves args[0] now) */
    OP_READY = 32,      /* */
    OP_WAIT_START = 33, /* */
    OP_EXEC = 34,       /* envc env... argc args... */
    OP_EXIT_FILE = 35,  /* (no longer written: nothing of ours outlives the container's setup to record it) */
    OP_RUN_HOOK = 36,   /* timeout-seconds path envc env... args... (startContainer: run in the container) */
    OP_ROOT_RO = 37,    /* */
    OP_CONSOLE_SOCKET = 38, /* host-path: connect before pivot_root; the pty master is sent there */
    OP_TERMINAL = 39,   /* uid gid rows cols: make a pty, pass its master on, use the slave as stdio */
    OP_HOOK_STATE = 40, /* host-path: the state JSON that in-container hooks read on stdin */
    OP_CLOSE_FDS = 41,  /* close every fd but 0-2 (oci exec, which has no exec fifo to wait on) */
    OP_OPEN_ROOT = 42,  /* rootfs-path: no mount namespace, so no bind of the rootfs (OP_CHROOT follows) */
    OP_CHROOT = 43,     /* (no mount namespace: pivot_root cannot be used, as runc does) */
    OP_SESSION_KEYRING = 44, /* name perm-bits: join (or make) session keyring NAME; add PERM-BITS if nonzero */
};

/* argv[1] of an init started before its plan exists (fastrun.c's prespawn): the plan's path then
 * comes as one line on PLAN_FD. */
#define AWAIT_PLAN "--await-plan"
#define PLAN_FD 3

struct arg { uint32_t len; char *s; };
struct op { uint32_t code, argc; struct arg *argv; };

static struct op *ops;
static size_t nops;
static int sock = -1;        /* sync channel, to Java */
static int sockin = -1;      /* sync channel, from Java */
static int rootfd = -1;
static int fifofd = -1;
static int selffd = -1;     /* /proc/self/fd of the host's procfs, kept for the fifo reopen after pivot_root */
static int startfd = -1;    /* the exec fifo's write end, from `oci start` to the exec: a failure is written there */
static int consolefd = -1;  /* --console-socket connection */
static int hookfd = -1;     /* state JSON for createContainer/startContainer hooks */
static int monfd[2] = {-1, -1}; /* socketpair to P, which proxies the pty for a foreground run */
static char exec_path[PATH_MAX];
static int setgroups_denied;  /* in a user namespace whose maps a runtime without root wrote */

static void sendline(const char *s)
{
    if (sock < 0) return;
    size_t n = strlen(s);
    while (n > 0) {
        ssize_t w = write(sock, s, n);
        if (w < 0) { if (errno == EINTR) continue; return; }
        s += w; n -= (size_t)w;
    }
}

/* After `oci start` let us go, a failure before the exec is told to it through the exec fifo (it
 * reads until the exec closes our end), so that a failed start fails; stderr gets it too. */
static void tell_start(const char *line)
{
    if (startfd < 0) return;
    size_t n = strlen(line);
    while (n > 0) {
        ssize_t w = write(startfd, line, n);
        if (w < 0) { if (errno == EINTR) continue; return; }
        line += w; n -= (size_t)w;
    }
}

/* "verb object: ENAME (text)" to Java (or stderr once Java is gone), then exit. */
static void __attribute__((noreturn, format(printf, 1, 2))) fail(const char *fmt, ...)
{
    int e = errno;
    char msg[2048], line[2300];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    const char *name = strerrorname_np(e);
    snprintf(line, sizeof line, "%s: %s (%s)", msg, name ? name : "?", strerror(e));
    for (char *p = line; *p; p++) if (*p == '\n') *p = ' ';
    if (sock >= 0) {
        char out[2400];
        snprintf(out, sizeof out, "error %s\n", line);
        sendline(out);
    } else {
        dprintf(2, "oci-init: %s\n", line);
        tell_start(line);
    }
    _exit(127);
}

static void __attribute__((noreturn)) failmsg(const char *msg)
{
    if (sock >= 0) {
        char out[2400];
        snprintf(out, sizeof out, "error %s\n", msg);
        sendline(out);
    } else {
        dprintf(2, "oci-init: %s\n", msg);
        tell_start(msg);
    }
    _exit(127);
}

static long long num(const char *s)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 0);
    if (errno || *end) { errno = EINVAL; fail("parse plan number \"%s\"", s); }
    return v;
}

static unsigned long long unum(const char *s)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 0);
    if (errno || *end) { errno = EINVAL; fail("parse plan number \"%s\"", s); }
    return v;
}

/* CVE-2019-5736: never run from a file the container could open for writing. If we are not yet
 * running from our own sealed memfd, copy /proc/self/exe into one and re-exec from it. */
#define OCI_SEALS (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)
static void ensure_sealed_self(char **argv)
{
    int self = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
    if (self < 0) fail("open /proc/self/exe");
    int seals = fcntl(self, F_GET_SEALS);
    if (seals >= 0 && (seals & OCI_SEALS) == OCI_SEALS) { close(self); return; }
    struct stat st;
    if (fstat(self, &st) < 0) fail("stat /proc/self/exe");
    int mfd = memfd_create("oci-init", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    if (mfd < 0) fail("memfd_create oci-init");
    off_t off = 0;
    while (off < st.st_size) {
        ssize_t n = sendfile(mfd, self, &off, (size_t)(st.st_size - off));
        if (n <= 0) fail("copy /proc/self/exe to memfd");
    }
    if (fcntl(mfd, F_ADD_SEALS, OCI_SEALS) < 0) fail("seal memfd");
    close(self);
    syscall(SYS_execveat, mfd, "", argv, environ, AT_EMPTY_PATH);
    fail("execveat sealed memfd");
}

static void read_plan(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) fail("open plan %s", path);
    struct stat st;
    if (fstat(fd, &st) < 0) fail("stat plan %s", path);
    char *buf = malloc((size_t)st.st_size + 1);
    size_t got = 0;
    while (got < (size_t)st.st_size) {
        ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);
        if (n <= 0) fail("read plan %s", path);
        got += (size_t)n;
    }
    close(fd);
    size_t cap = 64, pos = 0;
    ops = calloc(cap, sizeof *ops);
    while (pos < got) {
        if (nops == cap) { cap *= 2; ops = realloc(ops, cap * sizeof *ops); }
        struct op *o = &ops[nops++];
        if (pos + 8 > got) { errno = EINVAL; fail("parse plan %s: truncated op", path); }
        memcpy(&o->code, buf + pos, 4);
        memcpy(&o->argc, buf + pos + 4, 4);
        pos += 8;
        o->argv = calloc(o->argc + 1, sizeof *o->argv);
        for (uint32_t i = 0; i < o->argc; i++) {
            uint32_t len;
            if (pos + 4 > got) { errno = EINVAL; fail("parse plan %s: truncated arg", path); }
            memcpy(&len, buf + pos, 4);
            pos += 4;
            if (pos + len > got) { errno = EINVAL; fail("parse plan %s: truncated arg", path); }
            o->argv[i].len = len;
            o->argv[i].s = malloc(len + 1);
            memcpy(o->argv[i].s, buf + pos, len);
            o->argv[i].s[len] = 0;
            pos += len;
        }
    }
    free(buf);
}

static void do_sync(const char *name)
{
    /* The parent writes our id maps through /proc/PID, which it can open only while we are
     * dumpable when it is not root (as runc's nsexec does): dumpable just for this exchange. */
    int maps = strcmp(name, "userns") == 0;
    if (maps && prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) < 0) fail("prctl PR_SET_DUMPABLE");
    char line[256];
    snprintf(line, sizeof line, "sync %s %d\n", name, getpid());
    sendline(line);
    char reply[16];
    size_t n = 0;
    while (n < sizeof reply - 1) {
        ssize_t r = read(sockin, reply + n, 1);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) { errno = EPIPE; fail("sync %s: runtime went away", name); }
        if (reply[n] == '\n') break;
        n++;
    }
    reply[n] = 0;
    if (maps && prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0) fail("prctl PR_SET_DUMPABLE");
    if (strcmp(reply, "ok") != 0) _exit(127); /* Java reports the reason itself */
    if (maps) {
        /* A runtime without root had to deny setgroups before it could map our gid. */
        char v[16] = {0};
        int fd = open("/proc/self/setgroups", O_RDONLY | O_CLOEXEC);
        if (fd >= 0) {
            if (read(fd, v, sizeof v - 1) < 0) v[0] = 0;
            close(fd);
        }
        setgroups_denied = strncmp(v, "deny", 4) == 0;
    }
}

/* Opens PATH inside the rootfs (dirfd ROOT), never leaving it, never following magic links. */
static int open_in_root(int root, const char *path, int flags)
{
    struct open_how how = {.flags = (uint64_t)flags | O_CLOEXEC,
                           .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS};
    while (*path == '/') path++;
    if (!*path) path = ".";
    return (int)syscall(SYS_openat2, root, path, &how, sizeof how);
}

/* Creates the missing components of PATH inside ROOT (dirs; the last one a file if FILE), and
 * returns an O_PATH fd of the result. Each step is resolved inside the root. */
static int mkpath_in_root(int root, const char *path, int file)
{
    int fd = open_in_root(root, path, O_PATH);
    if (fd >= 0) return fd;
    if (errno != ENOENT) fail("open \"%s\" in rootfs", path);
    char buf[PATH_MAX];
    snprintf(buf, sizeof buf, "%s", path);
    size_t len = strlen(buf);
    while (len > 1 && buf[len - 1] == '/') buf[--len] = 0;
    char *slash = strrchr(buf, '/');
    const char *name = buf;
    int parent;
    if (slash && slash != buf) {
        *slash = 0;
        name = slash + 1;
        parent = mkpath_in_root(root, buf, 0);
    } else {
        name = slash ? slash + 1 : buf;
        parent = open_in_root(root, "/", O_PATH);
    }
    if (parent < 0) fail("open parent of \"%s\" in rootfs", path);
    /* O_PATH parent fds cannot be used with mkdirat... they can (dirfd semantics), yes. */
    int r;
    if (file) {
        r = mknodat(parent, name, S_IFREG | 0644, 0);
    } else {
        r = mkdirat(parent, name, 0755);
    }
    if (r < 0 && errno != EEXIST) fail("create \"%s\" in rootfs", path);
    close(parent);
    fd = open_in_root(root, path, O_PATH);
    if (fd < 0) fail("open \"%s\" in rootfs", path);
    return fd;
}

static void fdpath(char *out, size_t n, int fd)
{
    snprintf(out, n, "/proc/self/fd/%d", fd);
}

/* After pivot_root a container without a /proc mount has no /proc/self/fd: then the path itself
 * is used, which can no longer leave the new root (there is no host root to reach, and no /proc
 * magic link to follow). */
static void fdpath_or(char *out, size_t n, int fd, const char *path)
{
    struct stat st;
    if (stat("/proc/self/fd", &st) == 0) fdpath(out, n, fd);
    else snprintf(out, n, "%s", path);
}

#define MS_PROPAGATION (MS_SHARED | MS_SLAVE | MS_PRIVATE | MS_UNBINDABLE)

/* Remount flags the kernel keeps locked on mounts from a more privileged namespace; a bind remount
 * must repeat them or it fails with EPERM. */
static unsigned long locked_flags(const char *p)
{
    struct statvfs sv;
    unsigned long f = 0;
    if (statvfs(p, &sv) < 0) return 0;
    if (sv.f_flag & ST_NOSUID) f |= MS_NOSUID;
    if (sv.f_flag & ST_NODEV) f |= MS_NODEV;
    if (sv.f_flag & ST_NOEXEC) f |= MS_NOEXEC;
    if (sv.f_flag & ST_RDONLY) f |= MS_RDONLY;
    if (sv.f_flag & ST_NOATIME) f |= MS_NOATIME;
    if (sv.f_flag & ST_NODIRATIME) f |= MS_NODIRATIME;
    if (sv.f_flag & ST_RELATIME) f |= MS_RELATIME;
    return f;
}

static void bind_remount(const char *what, const char *p, unsigned long flags)
{
    if (mount(NULL, p, NULL, MS_REMOUNT | MS_BIND | flags, NULL) == 0) return;
    if (errno == EPERM && mount(NULL, p, NULL, MS_REMOUNT | MS_BIND | flags | locked_flags(p), NULL) == 0) return;
    fail("remount \"%s\"", what);
}

static void op_mount(struct arg *a)
{
    const char *src = a[0].s, *dest = a[1].s, *type = a[2].s, *data = a[5].s;
    unsigned long flags = unum(a[3].s), prop = unum(a[4].s);
    int file = a[6].s[0] == 'f';
    int fd = mkpath_in_root(rootfd, dest, file);
    char p[64];
    fdpath(p, sizeof p, fd);
    if (flags & MS_BIND) {
        if (mount(src, p, NULL, flags & (MS_BIND | MS_REC), NULL) < 0) fail("bind mount \"%s\" on \"%s\"", src, dest);
        unsigned long rest = flags & ~(MS_BIND | MS_REC | MS_REMOUNT);
        if (rest) {
            close(fd);
            fd = open_in_root(rootfd, dest, O_PATH);
            if (fd < 0) fail("reopen \"%s\"", dest);
            fdpath(p, sizeof p, fd);
            bind_remount(dest, p, rest);
        }
    } else {
        if (mount(src, p, type, flags, *data ? data : NULL) < 0) fail("mount %s on \"%s\"", type, dest);
    }
    if (prop) {
        close(fd);
        fd = open_in_root(rootfd, dest, O_PATH);
        if (fd < 0) fail("reopen \"%s\"", dest);
        fdpath(p, sizeof p, fd);
        if (mount(NULL, p, NULL, prop, NULL) < 0) fail("set propagation of \"%s\"", dest);
    }
    close(fd);
}

static void op_remount(struct arg *a)
{
    int fd = open_in_root(rootfd, a[0].s, O_PATH);
    if (fd < 0) fail("open \"%s\" in rootfs", a[0].s);
    char p[64];
    fdpath(p, sizeof p, fd);
    unsigned long flags = unum(a[1].s);
    if (mount(NULL, p, NULL, MS_REMOUNT | flags, NULL) < 0) fail("remount \"%s\"", a[0].s);
    close(fd);
}

/* Splits "a/b/c" into an fd of "a/b" (created, inside the root) and the name "c". */
static int parent_in_root(int root, const char *path, char *name, size_t n)
{
    char buf[PATH_MAX];
    snprintf(buf, sizeof buf, "%s", path);
    char *slash = strrchr(buf, '/');
    if (!slash) { snprintf(name, n, "%s", buf); return open_in_root(root, "/", O_PATH); }
    snprintf(name, n, "%s", slash + 1);
    *slash = 0;
    return mkpath_in_root(root, *buf ? buf : "/", 0);
}

static void op_mknod(struct arg *a)
{
    char name[NAME_MAX + 1];
    int parent = parent_in_root(rootfd, a[0].s, name, sizeof name);
    if (parent < 0) fail("open parent of \"%s\"", a[0].s);
    mode_t type = a[1].s[0] == 'b' ? S_IFBLK : a[1].s[0] == 'p' ? S_IFIFO : S_IFCHR;
    mode_t mode = (mode_t)unum(a[4].s) & 07777;
    dev_t dev = makedev((unsigned)unum(a[2].s), (unsigned)unum(a[3].s));
    unlinkat(parent, name, 0);
    if (mknodat(parent, name, type | mode, dev) < 0) fail("mknod \"%s\"", a[0].s);
    /* mknodat is subject to umask; set the exact mode and owner through an O_PATH-free reopen. */
    int fd = openat(parent, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) fail("open \"%s\"", a[0].s);
    char p[64];
    fdpath(p, sizeof p, fd);
    if (chmod(p, mode) < 0) fail("chmod \"%s\"", a[0].s);
    if (fchownat(fd, "", (uid_t)unum(a[5].s), (gid_t)unum(a[6].s), AT_EMPTY_PATH) < 0) fail("chown \"%s\"", a[0].s);
    close(fd);
    close(parent);
}

static void op_bind_dev(struct arg *a)
{
    struct stat st;
    int host = open(a[0].s, O_PATH | O_NOFOLLOW | O_CLOEXEC);
    if (host < 0 || fstat(host, &st) < 0) fail("open host device \"%s\"", a[0].s);
    if (!S_ISCHR(st.st_mode) && !S_ISBLK(st.st_mode)) { errno = ENODEV; fail("bind host device \"%s\"", a[0].s); }
    int fd = mkpath_in_root(rootfd, a[1].s, 1);
    char hp[64], p[64];
    fdpath(hp, sizeof hp, host);
    fdpath(p, sizeof p, fd);
    if (mount(hp, p, NULL, MS_BIND, NULL) < 0) fail("bind device \"%s\"", a[1].s);
    close(fd);
    close(host);
}

static void op_symlink(struct arg *a)
{
    char name[NAME_MAX + 1];
    int parent = parent_in_root(rootfd, a[1].s, name, sizeof name);
    if (parent < 0) fail("open parent of \"%s\"", a[1].s);
    if (symlinkat(a[0].s, parent, name) < 0 && errno != EEXIST) fail("symlink \"%s\"", a[1].s);
    close(parent);
}

/*
 * The mount that holds the rootfs gets FLAGS (private, or slave when the root propagation asks for
 * slave), as runc does: pivot_root refuses a shared parent mount, and the bind of the rootfs must
 * not propagate to the host. The rootfs need not be a mount point: go up until one is (EINVAL).
 */
static void parent_mount_propagation(const char *rootfs, unsigned long flags)
{
    char p[PATH_MAX];
    if (!realpath(rootfs, p)) fail("resolve rootfs %s", rootfs);
    for (;;) {
        if (mount(NULL, p, NULL, flags, NULL) == 0) return;
        if (errno != EINVAL || strcmp(p, "/") == 0) fail("set propagation of %s, the mount holding the rootfs", p);
        char *slash = strrchr(p, '/');
        if (slash == p) p[1] = 0;
        else *slash = 0;
    }
}

static void op_pivot(void)
{
    int oldroot = open("/", O_DIRECTORY | O_RDONLY | O_CLOEXEC);
    if (oldroot < 0) fail("open /");
    if (fchdir(rootfd) < 0) fail("chdir to rootfs");
    if (syscall(SYS_pivot_root, ".", ".") == 0) {
        if (fchdir(oldroot) < 0) fail("chdir to old root");
        /* Do not let the unmount of the old root propagate back to the host. */
        if (mount(NULL, ".", NULL, MS_SLAVE | MS_REC, NULL) < 0) fail("make old root rslave");
        if (umount2(".", MNT_DETACH) < 0) fail("unmount old root");
    } else if (errno == EINVAL) {
        /* pivot_root cannot work when the root is not a mount point of its own (initramfs):
         * move the rootfs over / and chroot, as runc's --no-pivot does. */
        if (mount(".", "/", NULL, MS_MOVE, NULL) < 0) fail("move rootfs to /");
        if (chroot(".") < 0) fail("chroot rootfs");
    } else {
        fail("pivot_root");
    }
    if (chdir("/") < 0) fail("chdir /");
    close(oldroot);
    close(rootfd);
    rootfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (rootfd < 0) fail("open new root");
}

/* Masked paths (runtime-spec config-linux.md "Masked Paths"): a directory gets a read-only tmpfs,
 * anything else /dev/null, after checking /dev/null really is the null device (CVE-2025-31133). */
static void op_mask(struct arg *a)
{
    int fd = open_in_root(rootfd, a[0].s, O_PATH | O_NOFOLLOW);
    if (fd < 0) {
        if (errno == ENOENT) return;
        fail("open masked path \"%s\"", a[0].s);
    }
    struct stat st;
    if (fstat(fd, &st) < 0) fail("stat masked path \"%s\"", a[0].s);
    char p[PATH_MAX];
    fdpath_or(p, sizeof p, fd, a[0].s);
    if (S_ISDIR(st.st_mode)) {
        if (mount("tmpfs", p, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=0,mode=0555") < 0)
            fail("mask \"%s\"", a[0].s);
    } else {
        int nfd = open_in_root(rootfd, "/dev/null", O_PATH | O_NOFOLLOW);
        struct stat ns;
        if (nfd < 0 || fstat(nfd, &ns) < 0) fail("open /dev/null to mask \"%s\"", a[0].s);
        if (!S_ISCHR(ns.st_mode) || major(ns.st_rdev) != 1 || minor(ns.st_rdev) != 3) {
            errno = EPERM;
            fail("mask \"%s\": /dev/null is not the null device", a[0].s);
        }
        char np[PATH_MAX];
        fdpath_or(np, sizeof np, nfd, "/dev/null");
        if (mount(np, p, NULL, MS_BIND, NULL) < 0) fail("mask \"%s\"", a[0].s);
        close(nfd);
    }
    close(fd);
}

static void op_readonly(struct arg *a)
{
    int fd = open_in_root(rootfd, a[0].s, O_PATH | O_NOFOLLOW);
    if (fd < 0) {
        if (errno == ENOENT) return;
        fail("open readonly path \"%s\"", a[0].s);
    }
    char p[PATH_MAX];
    fdpath_or(p, sizeof p, fd, a[0].s);
    if (mount(p, p, NULL, MS_BIND | MS_REC, NULL) < 0) fail("bind readonly path \"%s\"", a[0].s);
    close(fd);
    fd = open_in_root(rootfd, a[0].s, O_PATH | O_NOFOLLOW);
    if (fd < 0) fail("reopen readonly path \"%s\"", a[0].s);
    fdpath_or(p, sizeof p, fd, a[0].s);
    bind_remount(a[0].s, p, MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC);
    close(fd);
}

static void write_file(const char *path, const char *value)
{
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0) fail("open %s", path);
    size_t n = strlen(value);
    if (write(fd, value, n) != (ssize_t)n) fail("write %s", path);
    close(fd);
}

static void op_cwd(struct arg *a)
{
    /* oci exec binds no root: the mount namespace it joined gave it the container's root. */
    if (rootfd < 0 && (rootfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0) fail("open /");
    /* Resolved inside the new root with magic links refused (CVE-2024-21626: a cwd of
     * /proc/self/fd/N must not reach a host directory). Created if missing, as runc does. */
    int fd = open_in_root(rootfd, a[0].s, O_PATH | O_DIRECTORY);
    if (fd < 0 && errno == ENOENT) {
        close(mkpath_in_root(rootfd, a[0].s, 0));
        fd = open_in_root(rootfd, a[0].s, O_PATH | O_DIRECTORY);
    }
    if (fd < 0) fail("chdir \"%s\"", a[0].s);
    if (fchdir(fd) < 0) fail("chdir \"%s\"", a[0].s);
    close(fd);
}

/* keyctl(2) operations and perms (linux/keyctl.h, which a static build need not have). */
enum { K_GET_KEYRING_ID = 0, K_JOIN_SESSION_KEYRING = 1, K_SETPERM = 5, K_DESCRIBE = 6 };
#define K_SPEC_SESSION_KEYRING (-3)

/* Whether this process can reach no keyring at all, every key call failing with E: a kernel without
 * keys (ENOSYS), or a seccomp filter on the runtime (EPERM, or ENOSYS), which the container inherits.
 * Then the container cannot read or add to the caller's keys either. Each call is made so that it
 * would fail with EFAULT (a NULL type) or succeed harmlessly were it allowed. */
static int no_keys(int e)
{
    if (syscall(SYS_keyctl, K_GET_KEYRING_ID, K_SPEC_SESSION_KEYRING, 0, 0, 0) >= 0 || errno != e) return 0;
    if (syscall(SYS_add_key, NULL, NULL, NULL, 0, K_SPEC_SESSION_KEYRING) >= 0 || errno != e) return 0;
    if (syscall(SYS_request_key, NULL, NULL, NULL, 0) >= 0 || errno != e) return 0;
    return 1;
}

/* A session keyring of the container's own, as runc's inits do: without it the container's
 * processes would share the caller's session keyring, and read or add to its keys. The name is
 * _ses.ID, so an `oci exec` joins the container's keyring (a same-user keyring of that name is
 * joined, else one is made). PERM-BITS (the search right the exec needs, Java decides which) are
 * added when the container's init joins it. */
static void op_session_keyring(struct arg *a)
{
    const char *name = a[0].s;
    uint32_t add = (uint32_t)unum(a[1].s);
    long id = syscall(SYS_keyctl, K_JOIN_SESSION_KEYRING, name, 0, 0, 0);
    if (id < 0) {
        int e = errno;
        if ((e == ENOSYS || e == EPERM) && no_keys(e)) return;
        errno = e;
        fail("join session keyring %s", name);
    }
    if (!add) return;
    /* "type;uid;gid;perm;description", perm in hex: the bits it has, plus ADD. */
    char desc[512];
    long n = syscall(SYS_keyctl, K_DESCRIBE, id, desc, sizeof desc - 1, 0);
    if (n > (long)sizeof desc - 1) { errno = ENAMETOOLONG; n = -1; }
    if (n < 0) fail("describe session keyring %s", name);
    desc[n] = 0;
    char *f = desc;
    for (int k = 0; k < 3 && f; k++) { f = strchr(f, ';'); if (f) f++; }
    char *end;
    unsigned long perm = f ? strtoul(f, &end, 16) : 0;
    if (!f || *end != ';') { errno = EINVAL; fail("describe session keyring %s: \"%s\"", name, desc); }
    if (syscall(SYS_keyctl, K_SETPERM, id, (uint32_t)perm | add, 0, 0) < 0) fail("set permissions of session keyring %s", name);
}

static int capset_masks(uint64_t eff, uint64_t perm, uint64_t inh)
{
    struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
    struct __user_cap_data_struct d[2] = {
        {.effective = (uint32_t)eff, .permitted = (uint32_t)perm, .inheritable = (uint32_t)inh},
        {.effective = (uint32_t)(eff >> 32), .permitted = (uint32_t)(perm >> 32), .inheritable = (uint32_t)(inh >> 32)},
    };
    return (int)syscall(SYS_capset, &h, d);
}

static void op_user(struct op *o)
{
    uid_t uid = (uid_t)unum(o->argv[0].s);
    gid_t gid = (gid_t)unum(o->argv[1].s);
    size_t ng = o->argc - 2;
    gid_t *groups = calloc(ng + 1, sizeof *groups);
    for (size_t i = 0; i < ng; i++) groups[i] = (gid_t)unum(o->argv[2 + i].s);
    /* Keep the permitted set across the uid change; OP_CAPS then sets the exact sets. */
    if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0) fail("prctl PR_SET_KEEPCAPS");
    /* With setgroups denied the supplementary groups cannot change: fine when none are asked for. */
    if (setgroups_denied && ng > 0) {
        errno = EPERM;
        fail("set additionalGids: setgroups is denied in a user namespace made without root");
    }
    if (!setgroups_denied && setgroups(ng, groups) < 0) fail("setgroups");
    if (setresgid(gid, gid, gid) < 0) fail("setresgid %u", gid);
    if (setresuid(uid, uid, uid) < 0) fail("setresuid %u", uid);
    if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0) fail("prctl PR_SET_KEEPCAPS");
    free(groups);
}

/* Finds FILE in the container's PATH (the env given to the process, not ours). */
static void op_prepare_exec(struct arg *a)
{
    const char *pathenv = a[0].s, *file = a[1].s;
    if (strchr(file, '/')) {
        snprintf(exec_path, sizeof exec_path, "%s", file);
        if (access(exec_path, X_OK) < 0) fail("exec \"%s\"", file);
        return;
    }
    char buf[8192];
    snprintf(buf, sizeof buf, "%s", *pathenv ? pathenv : "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
    for (char *save = NULL, *dir = strtok_r(buf, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
        snprintf(exec_path, sizeof exec_path, "%s/%s", *dir ? dir : ".", file);
        struct stat st;
        if (stat(exec_path, &st) == 0 && S_ISREG(st.st_mode) && access(exec_path, X_OK) == 0) return;
    }
    errno = ENOENT;
    fail("exec \"%s\": not found in $PATH", file);
}

/*
 * Every fd from 3 up is closed by the exec (CVE-2024-21626): marked close-on-exec, not closed, so
 * the exec fifo's write end and the hook state stay usable until then. close_range first; where
 * the container's seccomp profile denies it (a profile that predates it, such as the conformance
 * suite's), every fd listed in /proc/self/fd, as runc does; without /proc, every fd number up to
 * the open-files limit.
 */
static void cloexec_from_3(void)
{
    if (syscall(SYS_close_range, 3, ~0U, CLOSE_RANGE_CLOEXEC) == 0) return;
    int dir = selffd >= 0 ? openat(selffd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC) : open("/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir >= 0) {
        char buf[4096];
        long n;
        while ((n = syscall(SYS_getdents64, dir, buf, sizeof buf)) > 0) {
            for (long off = 0; off < n;) {
                struct { uint64_t ino; int64_t off; unsigned short reclen; unsigned char type; char name[]; } *d = (void *)(buf + off);
                char *end;
                long fd = strtol(d->name, &end, 10);
                if (!*end && end != d->name && fd >= 3 && fd != dir && fcntl((int)fd, F_SETFD, FD_CLOEXEC) < 0 && errno != EBADF)
                    fail("mark fd %ld close-on-exec", fd);
                off += d->reclen;
            }
        }
        if (n == 0) { close(dir); return; }
        close(dir);
    }
    struct rlimit rl;
    rlim_t max = getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < (1 << 20) ? rl.rlim_cur : (1 << 20);
    for (rlim_t fd = 3; fd < max; fd++) fcntl((int)fd, F_SETFD, FD_CLOEXEC);
}

static void op_wait_start(void)
{
    /* runc's exec fifo: the open for writing blocks until `oci start` opens it for reading. */
    char n[32];
    snprintf(n, sizeof n, "%d", fifofd);
    int w = openat(selffd, n, O_WRONLY | O_CLOEXEC);
    if (w < 0) fail("open exec fifo");
    if (write(w, "0", 1) != 1) fail("write exec fifo");
    startfd = w;
    close(fifofd);
    fifofd = -1;
    cloexec_from_3();
    close(selffd);
    selffd = -1;
}

static void reset_signals(void)
{
    struct sigaction sa = {.sa_handler = SIG_DFL};
    for (int s = 1; s < NSIG; s++) sigaction(s, &sa, NULL);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
}

static void op_seccomp(struct arg *a)
{
    struct sock_fprog prog = {.len = (unsigned short)(a[1].len / sizeof(struct sock_filter)),
                              .filter = (struct sock_filter *)a[1].s};
    if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, (unsigned)unum(a[0].s), &prog) < 0) fail("load seccomp filter");
}

static void op_exec(struct op *o)
{
    size_t envc = (size_t)unum(o->argv[0].s);
    char **env = calloc(envc + 1, sizeof *env);
    for (size_t i = 0; i < envc; i++) env[i] = o->argv[1 + i].s;
    size_t argc = o->argc - 1 - envc;
    char **args = calloc(argc + 1, sizeof *args);
    for (size_t i = 0; i < argc; i++) args[i] = o->argv[1 + envc + i].s;
    if (hookfd >= 0) { close(hookfd); hookfd = -1; }
    reset_signals();
    execve(exec_path, args, env);
    fail("exec \"%s\"", exec_path);
}

/* startContainer hooks run inside the container, after pivot_root, before the user process. */
static void op_run_hook(struct op *o)
{
    long timeout = (long)num(o->argv[0].s);
    const char *path = o->argv[1].s;
    size_t envc = (size_t)unum(o->argv[2].s);
    char **env = calloc(envc + 1, sizeof *env);
    for (size_t i = 0; i < envc; i++) env[i] = o->argv[3 + i].s;
    size_t argc = o->argc - 3 - envc;
    char **args = calloc(argc + 2, sizeof *args);
    for (size_t i = 0; i < argc; i++) args[i] = o->argv[3 + envc + i].s;
    if (argc == 0) args[0] = (char *)path;
    pid_t pid = fork();
    if (pid < 0) fail("fork hook \"%s\"", path);
    if (pid == 0) {
        /* The state on stdin (runtime-spec config.md "POSIX-platform Hooks"). */
        if (hookfd >= 0) {
            lseek(hookfd, 0, SEEK_SET);
            dup2(hookfd, 0);
        } else {
            int devnull = open("/dev/null", O_RDONLY);
            if (devnull >= 0) dup2(devnull, 0);
        }
        syscall(SYS_close_range, 3, ~0U, 0);
        reset_signals();
        execve(path, args, env);
        _exit(127);
    }
    int status;
    for (long waited = 0;; waited++) {
        pid_t r = waitpid(pid, &status, WNOHANG);
        if (r == pid) break;
        if (timeout > 0 && waited >= timeout * 100) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            errno = ETIMEDOUT;
            fail("run startContainer hook \"%s\": timed out after %lds", path, timeout);
        }
        usleep(10000);
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        char m[PATH_MAX + 64];
        snprintf(m, sizeof m, "run startContainer hook \"%s\": exit status %d", path,
                 WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
        failmsg(m);
    }
}

static void send_fd(int via, int fd)
{
    char byte = 'T';
    struct iovec iov = {.iov_base = &byte, .iov_len = 1};
    union { struct cmsghdr h; char buf[CMSG_SPACE(sizeof(int))]; } u;
    memset(&u, 0, sizeof u);
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof u.buf};
    struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(c), &fd, sizeof(int));
    if (sendmsg(via, &msg, 0) < 0) fail("send the terminal's master fd");
}

static int recv_fd(int via)
{
    char byte;
    struct iovec iov = {.iov_base = &byte, .iov_len = 1};
    union { struct cmsghdr h; char buf[CMSG_SPACE(sizeof(int))]; } u;
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof u.buf};
    ssize_t n;
    do n = recvmsg(via, &msg, MSG_CMSG_CLOEXEC); while (n < 0 && errno == EINTR);
    if (n <= 0) return -1;
    struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
    if (!c || c->cmsg_type != SCM_RIGHTS) return -1;
    int fd;
    memcpy(&fd, CMSG_DATA(c), sizeof(int));
    return fd;
}

/* The container's terminal (config.md process.terminal): a pty from the container's own devpts;
 * the master goes to the --console-socket, or to P which proxies it to `oci run`'s
 * terminal; the slave becomes the controlling terminal and stdio. */
static void op_terminal(struct arg *a)
{
    int master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (master < 0) fail("open /dev/ptmx for the terminal");
    if (unlockpt(master) < 0) fail("unlockpt");
    char name[64];
    if (ptsname_r(master, name, sizeof name) != 0) fail("ptsname");
    int slave = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (slave < 0) fail("open %s", name);
    if (fchown(slave, (uid_t)unum(a[0].s), (gid_t)unum(a[1].s)) < 0) fail("chown %s", name);
    struct winsize ws = {.ws_row = (unsigned short)unum(a[2].s), .ws_col = (unsigned short)unum(a[3].s)};
    if (ws.ws_row && ws.ws_col) ioctl(master, TIOCSWINSZ, &ws);
    if (consolefd >= 0) {
        send_fd(consolefd, master);
        close(consolefd);
        consolefd = -1;
    } else {
        send_fd(monfd[1], master);
    }
    close(master);
    if (monfd[1] >= 0) { close(monfd[1]); monfd[1] = -1; }
    if (setsid() < 0) fail("setsid for the terminal");
    if (ioctl(slave, TIOCSCTTY, 0) < 0) fail("make %s the controlling terminal", name);
    for (int i = 0; i < 3; i++) if (dup2(slave, i) < 0) fail("dup2 terminal");
    close(slave);
}

static void __attribute__((noreturn)) run_ops(size_t from)
{
    for (size_t i = from; i < nops; i++) {
        struct op *o = &ops[i];
        struct arg *a = o->argv;
        switch (o->code) {
        case OP_SYNC: do_sync(a[0].s); break;
        case OP_SETNS: {
            int fd = open(a[1].s, O_RDONLY | O_CLOEXEC);
            if (fd < 0) fail("open namespace %s", a[1].s);
            if (setns(fd, (int)num(a[0].s)) < 0) fail("setns %s", a[1].s);
            close(fd);
            break;
        }
        case OP_UNSHARE:
            if (unshare((int)num(a[0].s)) < 0) fail("unshare namespaces 0x%llx", unum(a[0].s));
            break;
        case OP_SETID0:
            if (setresgid(0, 0, 0) < 0) fail("setresgid 0 in user namespace");
            if (setresuid(0, 0, 0) < 0) fail("setresuid 0 in user namespace");
            break;
        case OP_FORK: {
            /* runc's process model: this process (the one the runtime started) forks G and exits at
             * once, so G is re-parented to the nearest child subreaper above us (containerd's shim,
             * conmon, or `oci run` itself) and nothing of ours stays between them. G waits until we
             * have reported its pid, so Java knows it before any message of G's. */
            int go[2];
            if (pipe2(go, O_CLOEXEC) < 0) fail("pipe");
            pid_t g = fork();
            if (g < 0) fail("fork container process");
            if (g > 0) {
                char line[64];
                snprintf(line, sizeof line, "pid %d\n", g);
                sendline(line);
                if (write(go[1], "g", 1) != 1) _exit(1);
                _exit(0);
            }
            close(go[1]);
            char b;
            ssize_t r;
            do r = read(go[0], &b, 1); while (r < 0 && errno == EINTR);
            if (r != 1) _exit(127); /* the setup process died: nobody knows our pid */
            close(go[0]);
            break;
        }
        case OP_MOUNT_PROP:
            if (mount(NULL, a[0].s, NULL, unum(a[1].s), NULL) < 0) fail("set propagation of %s", a[0].s);
            break;
        case OP_BIND_ROOT:
            parent_mount_propagation(a[0].s, unum(a[1].s));
            if (mount(a[0].s, a[0].s, NULL, MS_BIND | MS_REC, NULL) < 0) fail("bind rootfs %s", a[0].s);
            rootfd = open(a[0].s, O_PATH | O_DIRECTORY | O_CLOEXEC);
            if (rootfd < 0) fail("open rootfs %s", a[0].s);
            break;
        case OP_OPEN_ROOT:
            rootfd = open(a[0].s, O_PATH | O_DIRECTORY | O_CLOEXEC);
            if (rootfd < 0) fail("open rootfs %s", a[0].s);
            break;
        case OP_CHROOT:
            if (fchdir(rootfd) < 0) fail("chdir to rootfs");
            if (chroot(".") < 0) fail("chroot rootfs");
            if (chdir("/") < 0) fail("chdir /");
            close(rootfd);
            rootfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
            if (rootfd < 0) fail("open new root");
            break;
        case OP_MOUNT: op_mount(a); break;
        case OP_REMOUNT: op_remount(a); break;
        case OP_MKNOD: op_mknod(a); break;
        case OP_BIND_DEV: op_bind_dev(a); break;
        case OP_SYMLINK: op_symlink(a); break;
        case OP_OPEN_FIFO:
            fifofd = open(a[0].s, O_PATH | O_CLOEXEC);
            if (fifofd < 0) fail("open exec fifo %s", a[0].s);
            /* The container may mount no /proc of its own; closed before exec like every other fd. */
            selffd = open("/proc/self/fd", O_PATH | O_DIRECTORY | O_CLOEXEC);
            if (selffd < 0) fail("open /proc/self/fd");
            break;
        case OP_PIVOT: op_pivot(); break;
        case OP_CONSOLE_SOCKET: break; /* connected by main(), before joining anything */
        case OP_TERMINAL: op_terminal(a); break;
        case OP_ROOT_RO:
            if (mount(NULL, "/", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL) < 0 &&
                mount(NULL, "/", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | locked_flags("/"), NULL) < 0)
                fail("remount root read-only");
            break;
        case OP_MASK: op_mask(a); break;
        case OP_READONLY: op_readonly(a); break;
        case OP_HOSTNAME: if (sethostname(a[0].s, a[0].len) < 0) fail("sethostname \"%s\"", a[0].s); break;
        case OP_DOMAINNAME: if (setdomainname(a[0].s, a[0].len) < 0) fail("setdomainname \"%s\"", a[0].s); break;
        case OP_SYSCTL: write_file(a[0].s, a[1].s); break;
        case OP_OOM_ADJ: write_file("/proc/self/oom_score_adj", a[0].s); break;
        case OP_RLIMIT: {
            struct rlimit rl = {.rlim_cur = unum(a[1].s), .rlim_max = unum(a[2].s)};
            if (setrlimit((int)num(a[0].s), &rl) < 0) fail("setrlimit %s", a[0].s);
            break;
        }
        case OP_CWD: op_cwd(a); break;
        case OP_UMASK: umask((mode_t)unum(a[0].s)); break;
        case OP_BOUNDING: {
            uint64_t keep = unum(a[0].s);
            int last = (int)num(a[1].s);
            for (int c = 0; c <= last; c++)
                if (!(keep & (1ULL << c)) && prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0) fail("drop capability %d from bounding set", c);
            break;
        }
        case OP_USER: op_user(o); break;
        case OP_CAPS:
            if (capset_masks(unum(a[0].s), unum(a[1].s), unum(a[2].s)) < 0) fail("capset");
            break;
        case OP_AMBIENT: {
            uint64_t m = unum(a[0].s);
            int last = (int)num(a[1].s);
            for (int c = 0; c <= last; c++)
                if ((m & (1ULL << c)) && prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, c, 0, 0) < 0) fail("raise ambient capability %d", c);
            break;
        }
        case OP_NNP:
            if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) fail("prctl PR_SET_NO_NEW_PRIVS");
            break;
        case OP_SECCOMP: op_seccomp(a); break;
        case OP_PREPARE_EXEC: op_prepare_exec(a); break;
        case OP_READY:
            sendline("ready\n");
            /* Java is done with us; later errors go to stderr. */
            close(sock);
            close(sockin);
            sock = sockin = -1;
            break;
        case OP_WAIT_START:
            op_wait_start();
            break;
        case OP_CLOSE_FDS:
            cloexec_from_3();
            break;
        case OP_SESSION_KEYRING: op_session_keyring(a); break;
        case OP_HOOK_STATE:
            hookfd = open(a[0].s, O_RDONLY | O_CLOEXEC);
            if (hookfd < 0) fail("open hook state %s", a[0].s);
            break;
        case OP_RUN_HOOK: op_run_hook(o); break;
        case OP_EXEC: op_exec(o); break;
        case OP_EXIT_FILE: break;
        default:
            errno = EINVAL;
            fail("run plan: unknown op %u", o->code);
        }
    }
    errno = EINVAL;
    fail("run plan: no exec op");
}

static struct termios saved_tio;
static int tty_raw;

static void restore_tty(void)
{
    if (tty_raw) tcsetattr(0, TCSANOW, &saved_tio);
}

static void copy_winsize(int master)
{
    struct winsize ws;
    if (ioctl(0, TIOCGWINSZ, &ws) == 0) ioctl(master, TIOCSWINSZ, &ws);
}

/* P, the terminal proxy of a foreground `oci run`/`oci exec` with a terminal: copies between our
 * stdio (the user's terminal, put in raw mode) and the container's pty, whose master G sends over
 * monfd. It is no parent of G: the `oci` that waits for G tells it, with SIGUSR1, that G has exited
 * (it then passes on what is left in the pty and leaves); it also leaves once every slave is
 * closed. SIGWINCH (forwarded by `oci`) resizes the pty. Both signals were blocked before the fork. */
static void __attribute__((noreturn)) proxy(void)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    sigaddset(&set, SIGWINCH);
    int sfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
    int master = recv_fd(monfd[0]);
    close(monfd[0]);
    if (master < 0) _exit(0); /* the container failed before it had a terminal */
    if (isatty(0) && tcgetattr(0, &saved_tio) == 0) {
        struct termios raw = saved_tio;
        cfmakeraw(&raw);
        if (tcsetattr(0, TCSANOW, &raw) == 0) tty_raw = 1;
        copy_winsize(master);
    }
    int in_open = 1, master_open = 1, stop = 0;
    char buf[16384];
    while (master_open && !stop) {
        struct pollfd p[3] = {{.fd = master, .events = POLLIN}, {.fd = sfd, .events = POLLIN},
                              {.fd = in_open ? 0 : -1, .events = POLLIN}};
        if (poll(p, 3, -1) < 0) { if (errno == EINTR) continue; break; }
        if (p[0].revents & (POLLIN | POLLHUP | POLLERR)) {
            ssize_t r = read(master, buf, sizeof buf);
            if (r > 0) { if (write(1, buf, (size_t)r) < 0) {} }
            else if (r == 0 || (errno != EINTR && errno != EAGAIN)) master_open = 0; /* EIO: every slave fd is closed */
        }
        if (p[2].revents & (POLLIN | POLLHUP | POLLERR)) {
            ssize_t r = read(0, buf, sizeof buf);
            if (r > 0) { if (write(master, buf, (size_t)r) < 0) {} }
            else in_open = 0;
        }
        if (p[1].revents & POLLIN) {
            struct signalfd_siginfo si;
            while (read(sfd, &si, sizeof si) == sizeof si) {
                if (si.ssi_signo == SIGWINCH) copy_winsize(master);
                else if (si.ssi_signo == SIGUSR1) stop = 1;
            }
        }
    }
    /* What the container wrote last is still in the pty. */
    if (master_open) {
        fcntl(master, F_SETFL, O_NONBLOCK);
        for (ssize_t r; (r = read(master, buf, sizeof buf)) > 0;) if (write(1, buf, (size_t)r) < 0) break;
    }
    restore_tty();
    _exit(0);
}

/* The sync fifos (see the top of this file). The "in" fifo is made last: once it exists, both do.
 * Java opens both read-write; the non-blocking open of "out" for writing fails until it has, and
 * a runtime that died meanwhile (we are re-parented) ends the wait instead of hanging it. */
static void connect_runtime(const char *base)
{
    char out[PATH_MAX], in[PATH_MAX];
    if (snprintf(out, sizeof out, "%s.out", base) >= (int)sizeof out || snprintf(in, sizeof in, "%s.in", base) >= (int)sizeof in) {
        errno = ENAMETOOLONG;
        fail("sync fifo %s", base);
    }
    pid_t parent = getppid();
    if (mknod(out, S_IFIFO | 0600, 0) < 0) fail("mkfifo %s", out);
    if (mknod(in, S_IFIFO | 0600, 0) < 0) fail("mkfifo %s", in);
    for (int waited = 0;; waited++) {
        sock = open(out, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
        if (sock >= 0) break;
        if (errno != ENXIO) fail("open sync fifo %s", out);
        if (getppid() != parent || waited > 100000) { errno = ETIMEDOUT; fail("open sync fifo %s: the runtime went away", out); }
        usleep(100);
    }
    if (fcntl(sock, F_SETFL, 0) < 0) fail("fcntl sync fifo %s", out);
    sockin = open(in, O_RDONLY | O_CLOEXEC); /* Java has it open already */
    if (sockin < 0) { int e = errno; close(sock); sock = -1; errno = e; fail("open sync fifo %s", in); }
}

/* The plan's path as the runtime writes it on PLAN_FD, one line; NULL when the runtime closes it
 * (or writes an empty line): it did not adopt us, and we have nothing to do. */
static const char *await_plan_path(void)
{
    static char path[PATH_MAX + 1];
    size_t n = 0;
    while (n < sizeof path - 1) {
        ssize_t r = read(PLAN_FD, path + n, 1);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        if (path[n] == '\n') break;
        n++;
    }
    path[n] = 0;
    close(PLAN_FD);
    return n > 0 ? path : NULL;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        dprintf(2, "oci-init: the container init of oci; started by `oci create`, not by hand\n");
        return 2;
    }
    ensure_sealed_self(argv);
    /* Not ptrace-able or readable through /proc until exec (CVE-2016-9962). */
    if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0) fail("prctl PR_SET_DUMPABLE");
    signal(SIGPIPE, SIG_IGN);
    const char *plan = argv[1];
    if (!strcmp(plan, AWAIT_PLAN)) {
        /* Started early by the native front end (fastrun.c) while the JVM starts; the runtime
         * writes the plan's path once it has one. */
        plan = await_plan_path();
        if (!plan) _exit(0);
    }
    read_plan(plan);
    size_t i = 0;
    for (; i < nops && (ops[i].code == OP_CONNECT || ops[i].code == OP_EXIT_FILE); i++) {
        if (ops[i].code == OP_CONNECT) connect_runtime(ops[i].argv[0].s);
    }
    if (setsid() < 0) fail("setsid");
    int terminal = 0;
    for (size_t k = 0; k < nops; k++) {
        if (ops[k].code == OP_OPEN_FIFO) {
            /* Made here, by the setup process, still the runtime's user on the host. Only that owner may
             * read it (start); the container's process opens it for writing after the uid switch:
             * through its group on the host where Java knows it, else by anyone (runc's 0622). */
            const char *fifo = ops[k].argv[0].s;
            long long gid = ops[k].argc > 1 ? num(ops[k].argv[1].s) : -1;
            if (mknod(fifo, S_IFIFO | 0600, 0) < 0) fail("mkfifo %s", fifo);
            if (gid >= 0 && chown(fifo, (uid_t)-1, (gid_t)gid) < 0) fail("chown %s to group %lld", fifo, gid);
            if (chmod(fifo, gid >= 0 ? 0620 : 0622) < 0) fail("chmod %s", fifo);
        }
        if (ops[k].code == OP_TERMINAL) terminal = 1;
        if (ops[k].code == OP_CONSOLE_SOCKET && consolefd < 0) {
            /* A host path, connected before any namespace is joined (as runc does, for exec too). */
            struct sockaddr_un sa = {.sun_family = AF_UNIX};
            if (ops[k].argv[0].len >= sizeof sa.sun_path) { errno = ENAMETOOLONG; fail("connect to console socket %s", ops[k].argv[0].s); }
            memcpy(sa.sun_path, ops[k].argv[0].s, ops[k].argv[0].len);
            consolefd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
            if (consolefd < 0 || connect(consolefd, (struct sockaddr *)&sa, sizeof sa) < 0) fail("connect to console socket %s", ops[k].argv[0].s);
        }
    }
    if (terminal && consolefd < 0) {
        /* No console socket: a foreground `oci run`/`exec`, whose terminal P proxies. */
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, monfd) < 0) fail("socketpair");
        sigset_t set, old;
        sigemptyset(&set);
        sigaddset(&set, SIGUSR1);
        sigaddset(&set, SIGWINCH);
        sigprocmask(SIG_BLOCK, &set, &old);
        pid_t p = fork();
        if (p < 0) fail("fork the terminal proxy");
        if (p == 0) {
            close(monfd[1]);
            close(sock);
            close(sockin);
            sock = sockin = -1;
            proxy();
        }
        sigprocmask(SIG_SETMASK, &old, NULL);
        close(monfd[0]);
        monfd[0] = -1;
        char line[64];
        snprintf(line, sizeof line, "proxy %d\n", p);
        sendline(line);
    }
    run_ops(i);
}
