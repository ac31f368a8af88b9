/*
 * oci-fastrun: a foreground `oci run` without a JVM, for a run that Java has already decided.
 *
 * The launcher starts this program for every `oci run`:
 *     oci-fastrun JAVA JVM-OPTIONS... -jar JAR -- OCI-ARGUMENTS...
 * It looks for the entry that oci.runtime.RunCache wrote when Java last ran (or `oci bundle` made)
 * this bundle, checks that every input it was decided from is unchanged (config.json byte for byte,
 * the bundle path, state root, boot, bounding capabilities, and the runtime jar), fills in the
 * container's id where the entry marks it, and replays it: the same state files,
 * cgroup writes, plan and init, sync answers, start, wait (as a child subreaper, for the
 * container's process itself, as Java's `oci run` does), and with --rm the same delete as
 * oci.runtime.Containers. Anything it does not handle, and every miss, execs the JVM command
 * unchanged before anything was done, so the two paths cannot disagree on what a run means: this
 * program holds no policy of its own. Before exec'ing the JVM for a `create` or a `run`, it starts
 * the container's init, which waits for the JVM to give it a plan (prespawn, below).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/close_range.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* ------------------------------------------------------------------ the JVM path */

static char **java_cmd;   /* JAVA ... -jar JAR, NULL-terminated in place of the "--" */
static char **oci_args;   /* the user's arguments, NULL-terminated */
static int n_java, n_args;

static void prespawn(void);

static void __attribute__((noreturn)) use_jvm(void)
{
    prespawn();
    char **argv = calloc((size_t)(n_java + n_args + 1), sizeof *argv);
    if (!argv) { perror("oci: calloc"); exit(1); }
    memcpy(argv, java_cmd, (size_t)n_java * sizeof *argv);
    memcpy(argv + n_java, oci_args, (size_t)n_args * sizeof *argv);
    execv(argv[0], argv);
    dprintf(2, "oci: exec %s: %s\n", argv[0], strerror(errno));
    exit(1);
}

/* ------------------------------------------------------------------ small helpers */

static const char *cid;          /* the container id, for messages */
static char dir[PATH_MAX];       /* ROOT/ID */

/* Formats one message into msg and writes it to stderr as `oci: MESSAGE`; say() and fail() share it. */
static void vsay(char *msg, size_t size, const char *fmt, va_list ap)
{
    vsnprintf(msg, size, fmt, ap);
    dprintf(2, "oci: %s\n", msg);
}

static void __attribute__((format(printf, 1, 2))) say(const char *fmt, ...)
{
    char msg[4096];
    va_list ap;
    va_start(ap, fmt);
    vsay(msg, sizeof msg, fmt, ap);
    va_end(ap);
}

static char *read_all(const char *path, size_t *len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return NULL;
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap + 1);
    for (;;) {
        if (n == cap) { cap *= 2; buf = realloc(buf, cap + 1); }
        ssize_t r = read(fd, buf + n, cap - n);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) { free(buf); close(fd); return NULL; }
        if (r == 0) break;
        n += (size_t)r;
    }
    close(fd);
    buf[n] = 0;
    *len = n;
    return buf;
}

static int write_all(int fd, const void *p, size_t n)
{
    const char *c = p;
    while (n > 0) {
        ssize_t w = write(fd, c, n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return -1;
        c += w;
        n -= (size_t)w;
    }
    return 0;
}

static int write_file(const char *path, const void *p, size_t n, int flags)
{
    int fd = open(path, O_WRONLY | O_CLOEXEC | flags, 0600); /* as oci.runtime.StateFiles: the owner's alone */
    if (fd < 0) return -1;
    int rc = write_all(fd, p, n);
    int e = errno;
    if (close(fd) < 0 && rc == 0) rc = -1; else errno = e;
    return rc;
}

/* Temp file beside, then rename: readers of state.json never see half of one. */
static int write_atomically(const char *path, const char *p, size_t n)
{
    char tmp[PATH_MAX];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    if (write_file(tmp, p, n, O_CREAT | O_TRUNC) < 0) return -1;
    return rename(tmp, path);
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR) {}
}

/* "/a/./b/../c" -> "/a/c", as Java's Path.normalize on an absolute path. */
static void normalize(const char *in, char *out, size_t n)
{
    char buf[PATH_MAX];
    if (in[0] == '/') snprintf(buf, sizeof buf, "%s", in);
    else {
        char cwd[PATH_MAX];
        if (!getcwd(cwd, sizeof cwd)) use_jvm();
        snprintf(buf, sizeof buf, "%s/%s", cwd, in);
    }
    size_t o = 0;
    out[0] = 0;
    for (char *save, *part = strtok_r(buf, "/", &save); part; part = strtok_r(NULL, "/", &save)) {
        if (!strcmp(part, ".")) continue;
        if (!strcmp(part, "..")) {
            while (o > 0 && out[o - 1] != '/') o--;
            if (o > 0) o--;
            out[o] = 0;
            continue;
        }
        o += (size_t)snprintf(out + o, n - o, "/%s", part);
        if (o >= n) use_jvm();
    }
    if (o == 0) snprintf(out, n, "/");
}

/* Field 22 of /proc/PID/stat (start time in clock ticks), or -1 if gone or a zombie. */
static long long start_time(long pid)
{
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/%ld/stat", pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0) return -1;
    buf[n] = 0;
    char *p = strrchr(buf, ')');
    if (!p || p[1] != ' ') return -1;
    p += 2;
    if (*p == 'Z' || *p == 'X') return -1;
    for (int f = 0; f < 19; f++) {
        p = strchr(p, ' ');
        if (!p) return -1;
        p++;
    }
    return strtoll(p, NULL, 10);
}

static int valid_id(const char *s)
{
    size_t n = strlen(s);
    if (n < 1 || n > 128) return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        int alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
        if (!alnum && (i == 0 || !strchr("_.+-", c))) return 0;
    }
    return 1;
}

/* ------------------------------------------------------------------ the cache entry */

struct field { uint32_t len; char *s; };
static struct field *f;
static size_t nf;

enum {
    F_MAGIC, F_CODE, F_BOOT, F_CAPS, F_ROOT, F_BUNDLE, F_CONFIG, F_INIT, F_PLAN,
    F_CREATING, F_READY = F_CREATING + 4, F_UIDMAP = F_READY + 4, F_GIDMAP, F_PIDNS, F_CGDIRS, F_STEPS,
};

static int field_is(size_t i, const char *s, size_t n)
{
    return f[i].len == n && memcmp(f[i].s, s, n) == 0;
}

/* The entry's name: FNV-1a 64 of the bundle path, as RunCache.file computes it. */
static void entry_name(const char *bundle, char *out, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (const unsigned char *p = (const unsigned char *)bundle; *p; p++) {
        h ^= *p;
        h *= 0x100000001b3ULL;
    }
    snprintf(out, n, "%016llx", (unsigned long long)h);
}

/* Reads ROOT/.fastrun/HASH into f[]; 0 on any doubt (then the JVM runs). */
static int load_entry(const char *root, const char *bundle)
{
    char name[32];
    entry_name(bundle, name, sizeof name);
    char path[PATH_MAX];
    struct stat st;
    /* It says what to do (as root, often): only an entry of ours, in a directory of ours, that nobody else could write. */
    snprintf(path, sizeof path, "%s/.fastrun", root);
    if (lstat(path, &st) < 0 || !S_ISDIR(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 022)) return 0;
    snprintf(path, sizeof path, "%s/.fastrun/%s", root, name);
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) return 0;
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 022)) { close(fd); return 0; }
    close(fd);
    size_t len;
    char *buf = read_all(path, &len);
    if (!buf) return 0;
    size_t cap = 64, pos = 0;
    f = calloc(cap, sizeof *f);
    while (pos < len) {
        if (nf == cap) { cap *= 2; f = realloc(f, cap * sizeof *f); }
        uint32_t n;
        if (pos + 4 > len) return 0;
        memcpy(&n, buf + pos, 4);
        pos += 4;
        if (n > len - pos) return 0;
        f[nf].len = n;
        f[nf].s = malloc((size_t)n + 1);
        memcpy(f[nf].s, buf + pos, n);
        f[nf].s[n] = 0;
        nf++;
        pos += n;
    }
    free(buf);
    return nf >= F_STEPS && (nf - F_STEPS) % 3 == 0 && field_is(F_MAGIC, "oci-fastrun 2", 13);
}

/* Is the runtime code that wrote the entry still the one installed? "PATH\nMTIME-NS SIZE INODE" */
static int same_code(void)
{
    char *nl = strchr(f[F_CODE].s, '\n');
    if (!nl) return 0;
    *nl = 0;
    struct stat st;
    int ok = stat(f[F_CODE].s, &st) == 0;
    char now[128];
    if (ok) snprintf(now, sizeof now, "%lld %lld %llu", (long long)st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec,
                     (long long)st.st_size, (unsigned long long)st.st_ino);
    ok = ok && strcmp(now, nl + 1) == 0;
    *nl = '\n';
    return ok;
}

/* The bounding set this process can hand on, as Capabilities.available reads it (Java writes it in hex). */
static int same_caps(void)
{
    size_t n;
    char *st = read_all("/proc/self/status", &n);
    char *l = st ? strstr(st, "\nCapBnd:") : NULL;
    int ok = l && strtoull(l + 8, NULL, 16) == strtoull(f[F_CAPS].s, NULL, 16);
    free(st);
    return ok;
}

static int entry_matches(const char *root, const char *bundle)
{
    if (!field_is(F_ROOT, root, strlen(root)) || !field_is(F_BUNDLE, bundle, strlen(bundle))) return 0;
    if (!same_code() || !same_caps()) return 0;
    size_t n;
    char *boot = read_all("/proc/sys/kernel/random/boot_id", &n);
    if (!boot) return 0;
    while (n > 0 && (boot[n - 1] == '\n' || boot[n - 1] == ' ')) n--;
    int ok = field_is(F_BOOT, boot, n);
    free(boot);
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/config.json", bundle);
    char *config = ok ? read_all(path, &n) : NULL;
    ok = config && field_is(F_CONFIG, config, n);
    free(config);
    return ok;
}

/* RunCache.ID_MARK: where the container's id goes in the entry. */
static const char MARK[] = "\001oci-id\001";

/* S with every MARK replaced by ID (a new string; *len updated). */
static char *with_id(const char *s, uint32_t *len, const char *id)
{
    size_t ml = sizeof MARK - 1, il = strlen(id), cap = *len + 1, n = 0;
    for (const char *p = s; (p = memmem(p, (size_t)(s + *len - p), MARK, ml)); p += ml) cap += il;
    char *out = malloc(cap);
    for (size_t i = 0; i < *len;) {
        if (i + ml <= *len && memcmp(s + i, MARK, ml) == 0) { memcpy(out + n, id, il); n += il; i += ml; }
        else out[n++] = s[i++];
    }
    out[n] = 0;
    *len = (uint32_t)n;
    return out;
}

/* The plan with the id filled in: op = u32 code, u32 argc, argc x (u32 len, bytes) (init.c); a
 * seccomp program (op 30) is raw bytes and left as it is. */
static void plan_with_id(const char *id)
{
    const struct field *p = &f[F_PLAN];
    size_t cap = (size_t)p->len + 4096, n = 0, pos = 0;
    char *out = malloc(cap);
    while (pos + 8 <= p->len) {
        uint32_t code, argc;
        memcpy(&code, p->s + pos, 4);
        memcpy(&argc, p->s + pos + 4, 4);
        if (n + 8 > cap) { cap *= 2; out = realloc(out, cap); }
        memcpy(out + n, p->s + pos, 8);
        n += 8;
        pos += 8;
        for (uint32_t k = 0; k < argc; k++) {
            uint32_t len;
            if (pos + 4 > p->len) { say("run cache: truncated plan"); exit(1); }
            memcpy(&len, p->s + pos, 4);
            pos += 4;
            if (len > p->len - pos) { say("run cache: truncated plan"); exit(1); }
            uint32_t newlen = len;
            char *arg = code == 30 ? NULL : with_id(p->s + pos, &newlen, id);
            while (n + 4 + newlen > cap) { cap *= 2; out = realloc(out, cap); }
            memcpy(out + n, &newlen, 4);
            memcpy(out + n + 4, arg ? arg : p->s + pos, newlen);
            n += 4 + newlen;
            pos += len;
            free(arg);
        }
    }
    free(f[F_PLAN].s);
    f[F_PLAN].s = out;
    f[F_PLAN].len = (uint32_t)n;
}

/* Every field that holds the id gets it: the plan, the state templates, the cgroup dirs and steps. */
static void fill_in_id(const char *id)
{
    plan_with_id(id);
    for (size_t i = F_CREATING; i < nf; i++) {
        char *s = with_id(f[i].s, &f[i].len, id);
        free(f[i].s);
        f[i].s = s;
    }
}

/* ------------------------------------------------------------------ state */

static char created[64];

/* The state JSON from a template cut around its pid, pidStart and created stand-ins. */
static void save_state(size_t t, long pid, long long start)
{
    char path[PATH_MAX];
    size_t cap = f[t].len + f[t + 1].len + f[t + 2].len + f[t + 3].len + 128;
    char *json = malloc(cap);
    int n = snprintf(json, cap, "%s%ld%s%lld%s\"%s\"%s", f[t].s, pid, f[t + 1].s, start, f[t + 2].s, created, f[t + 3].s);
    snprintf(path, sizeof path, "%s/state.json", dir);
    if (n < 0 || write_atomically(path, json, (size_t)n) < 0) {
        say("create container %s: write %s: %s", cid, path, strerror(errno));
        exit(1);
    }
    free(json);
}

/* The container's lock (as Containers.lock: a POSIX lock on DIR/lock, which is what Java's FileChannel.lock takes). */
static int lock_dir(void)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/lock", dir);
    int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
    struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
    while (fd >= 0 && fcntl(fd, F_SETLKW, &fl) < 0) {
        if (errno != EINTR) { close(fd); fd = -1; }
    }
    return fd;
}

/* ------------------------------------------------------------------ cgroups, teardown */

static char *cg_dirs[64];
static int n_cg;

static void split_cgroup_dirs(void)
{
    char *s = f[F_CGDIRS].s;
    for (char *save, *d = strtok_r(s, "\n", &save); d && n_cg < 64; d = strtok_r(NULL, "\n", &save)) cg_dirs[n_cg++] = d;
}

static int mkdirs(const char *path)
{
    char p[PATH_MAX];
    snprintf(p, sizeof p, "%s", path);
    for (char *s = p + 1; *s; s++) {
        if (*s != '/') continue;
        *s = 0;
        if (mkdir(p, 0755) < 0 && errno != EEXIST) return -1;
        *s = '/';
    }
    return mkdir(p, 0755) < 0 && errno != EEXIST ? -1 : 0;
}

static int copy_file(const char *from_dir, const char *to_dir, const char *name)
{
    char a[PATH_MAX], b[PATH_MAX];
    snprintf(a, sizeof a, "%s/%s", from_dir, name);
    snprintf(b, sizeof b, "%s/%s", to_dir, name);
    size_t n;
    char *v = read_all(a, &n);
    if (!v) return -1;
    while (n > 0 && (v[n - 1] == '\n' || v[n - 1] == ' ')) n--;
    int rc = write_file(b, v, n, 0);
    free(v);
    return rc;
}

/* Cgroups.create's steps, as RunCache recorded them. Returns 0, or -1 with the message said. */
static int make_cgroup(void)
{
    for (size_t i = F_STEPS; i + 2 < nf; i += 3) {
        const char *kind = f[i].s, *a = f[i + 1].s, *b = f[i + 2].s;
        if (!strcmp(kind, "mkdir")) {
            if (mkdirs(a) < 0) { say("create container %s: create cgroup %s: %s", cid, a, strerror(errno)); return -1; }
        } else if (!strcmp(kind, "mkcpuset")) {
            struct stat st;
            if (stat(b, &st) == 0 && S_ISDIR(st.st_mode)) continue;
            if (mkdir(b, 0755) < 0 || copy_file(a, b, "cpuset.cpus") < 0 || copy_file(a, b, "cpuset.mems") < 0) {
                say("create container %s: create cgroup %s: %s", cid, b, strerror(errno));
                return -1;
            }
        } else if (!strcmp(kind, "enable")) {
            /* v2: "+CONTROLLER" in the parent's cgroup.subtree_control, unless it is there already. */
            size_t n;
            char *on = read_all(a, &n);
            int have = 0;
            for (char *save, *w = on ? strtok_r(on, " \n", &save) : NULL; w && !have; w = strtok_r(NULL, " \n", &save)) have = !strcmp(w, b);
            free(on);
            char plus[64];
            int len = snprintf(plus, sizeof plus, "+%s", b);
            if (!have && write_file(a, plus, (size_t)len, 0) < 0) {
                say("create container %s: enable the %s controller in %s: %s", cid, b, a, strerror(errno));
                return -1;
            }
        } else if (!strcmp(kind, "write") || !strcmp(kind, "write2")) {
            if (write_file(a, b, f[i + 2].len, 0) < 0) {
                if (errno == ENOENT) say("create container %s: set cgroup %s: not supported by this kernel%s", cid, a,
                                         kind[5] ? " or its controller is not enabled there" : "");
                else say("create container %s: set cgroup %s to \"%s\": %s", cid, a, b, strerror(errno));
                return -1;
            }
        } else {
            say("create container %s: unknown cgroup step \"%s\" in the run cache", cid, kind);
            return -1;
        }
    }
    return 0;
}

/* Without a pid namespace the container's other processes outlive its pid 1: kill them all. */
static void kill_all(void)
{
    for (int round = 0; round < 100; round++) {
        size_t n = 0;
        char *procs = NULL;
        for (int d = 0; d < n_cg && !procs; d++) {
            char p[PATH_MAX];
            snprintf(p, sizeof p, "%s/cgroup.procs", cg_dirs[d]);
            procs = read_all(p, &n);
        }
        if (!procs) return;
        int any = 0;
        for (char *save, *l = strtok_r(procs, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
            kill((pid_t)atol(l), SIGKILL);
            any = 1;
        }
        free(procs);
        if (!any) return;
        sleep_ms(10);
    }
}

static void remove_cgroups(int report)
{
    for (int d = 0; d < n_cg; d++) {
        for (int attempt = 0;; attempt++) {
            if (rmdir(cg_dirs[d]) == 0 || errno == ENOENT) break;
            if (attempt >= 100) {
                if (report) say("delete container %s: remove cgroup %s: %s", cid, cg_dirs[d], strerror(errno));
                break;
            }
            sleep_ms(20);
        }
    }
}

/* Another command may still be making or removing a file here: walk again until it is gone. */
static void delete_dir(void)
{
    for (int attempt = 0; attempt < 100; attempt++) {
        DIR *d = opendir(dir);
        if (!d) return;
        for (struct dirent *e; (e = readdir(d));) {
            if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
            unlinkat(dirfd(d), e->d_name, 0);
        }
        closedir(d);
        if (rmdir(dir) == 0 || errno == ENOENT) return;
        sleep_ms(10);
    }
}

static pid_t setup = -1;          /* the init's setup process, which exits once it forked the container's */
static int setup_status = -1;     /* once reaped */
static long cpid;                 /* the container's process */
static long long cstart;

static int setup_gone(void)
{
    if (setup_status >= 0) return 1;
    int st;
    if (waitpid(setup, &st, WNOHANG) == setup) { setup_status = st; return 1; }
    return 0;
}

static int exit_code(int st)
{
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* Undoes a failed create (Containers.abandon): the processes, the cgroup, the state directory. */
static void __attribute__((noreturn)) abandon(void)
{
    if (cpid > 0 && start_time(cpid) == cstart) kill((pid_t)cpid, SIGKILL);
    if (setup > 0) {
        for (int i = 0; i < 500 && !setup_gone(); i++) sleep_ms(10);
        if (!setup_gone()) { kill(setup, SIGKILL); waitpid(setup, NULL, 0); }
    }
    kill_all();
    remove_cgroups(0);
    delete_dir();
    exit(1);
}

/* ------------------------------------------------------------------ talking to the init */

/* Answers the init's sync requests until it reports the container's pid and "ready" (init.c). */
static void converse(void)
{
    char in[PATH_MAX], out[PATH_MAX];
    snprintf(in, sizeof in, "%s/init.sync.in", dir);
    snprintf(out, sizeof out, "%s/init.sync.out", dir);
    while (access(in, F_OK) < 0) {
        if (setup_gone()) { say("create container %s: init exited before connecting (exit status %d)", cid, exit_code(setup_status)); abandon(); }
        usleep(200);
    }
    int to = open(in, O_RDWR | O_CLOEXEC), from = open(out, O_RDWR | O_CLOEXEC);
    if (to < 0 || from < 0) { say("create container %s: open sync fifo: %s", cid, strerror(errno)); abandon(); }
    char buf[8192];
    size_t have = 0;
    int ready = 0;
    for (;;) {
        char *nl;
        while ((nl = memchr(buf, '\n', have))) {
            *nl = 0;
            char *line = buf;
            if (!strncmp(line, "error ", 6)) { say("create container %s: %s", cid, line + 6); abandon(); }
            if (!strncmp(line, "pid ", 4)) cpid = atol(line + 4);
            else if (!strcmp(line, "ready")) ready = 1;
            else if (!strncmp(line, "sync cgroup ", 12) || !strncmp(line, "sync userns ", 12)) {
                const char *pid = line + 12;
                int ok = 1;
                char p[PATH_MAX];
                if (line[5] == 'c') {
                    for (int d = 0; d < n_cg && ok; d++) {
                        snprintf(p, sizeof p, "%s/cgroup.procs", cg_dirs[d]);
                        if (write_file(p, pid, strlen(pid), 0) < 0) { say("create container %s: join cgroup %s: %s", cid, cg_dirs[d], strerror(errno)); ok = 0; }
                    }
                } else {
                    /* Written by the parent: the child in the new user namespace cannot map ids itself;
                     * without root, only after setgroups is denied (Containers.writeIdMaps). */
                    snprintf(p, sizeof p, "/proc/%s/uid_map", pid);
                    if (write_file(p, f[F_UIDMAP].s, f[F_UIDMAP].len, 0) < 0) ok = 0;
                    snprintf(p, sizeof p, "/proc/%s/setgroups", pid);
                    if (ok && geteuid() != 0 && write_file(p, "deny", 4, 0) < 0) ok = 0;
                    snprintf(p, sizeof p, "/proc/%s/gid_map", pid);
                    if (ok && write_file(p, f[F_GIDMAP].s, f[F_GIDMAP].len, 0) < 0) ok = 0;
                    if (!ok) say("create container %s: write %s: %s", cid, p, strerror(errno));
                }
                if (write_all(to, ok ? "ok\n" : "fail\n", ok ? 3 : 5) < 0 || !ok) abandon();
            } else {
                say("create container %s: unexpected message from init: %s", cid, line);
                abandon();
            }
            size_t used = (size_t)(nl + 1 - buf);
            memmove(buf, nl + 1, have - used);
            have -= used;
            if (ready && cpid > 0) { close(to); close(from); unlink(in); unlink(out); return; }
        }
        struct pollfd p = {.fd = from, .events = POLLIN};
        int r = poll(&p, 1, 10);
        if (r > 0) {
            ssize_t n = read(from, buf + have, sizeof buf - 1 - have);
            if (n > 0) have += (size_t)n;
            if (have == sizeof buf - 1) { say("create container %s: init message too long", cid); abandon(); }
        } else if (r == 0 && setup_gone() && (setup_status != 0 || cpid <= 0 || start_time(cpid) < 0)) {
            /* Nothing more is coming: we hold a writer of the fifo ourselves, so no end of file would.
             * The setup process exits (0) once it sent the container's pid: then that process is watched. */
            say("create container %s: init exited before the container was ready (exit status %d)", cid,
                setup_status != 0 ? exit_code(setup_status) : 127);
            abandon();
        }
    }
}

/* ------------------------------------------------------------------ signals */

static volatile int cpidfd = -1;
static const int forwarded[] = {SIGINT, SIGTERM, SIGHUP, SIGUSR2, SIGCONT, SIGALRM};

static void forward(int sig)
{
    int e = errno;
    if (cpidfd >= 0) syscall(SYS_pidfd_send_signal, cpidfd, sig, NULL, 0);
    errno = e;
}

/* ------------------------------------------------------------------ start, state, kill, delete */

/*
 * The verbs engines call after create (containerd's shim: start, kill, delete; podman: state too)
 * are small operations on the container's state file: done here without a JVM, the way
 * oci.runtime.Containers does them (same lock, same checks, same messages and exit codes). Only a
 * container whose create recorded "stateOnly" (Saved.stateOnly: no poststart or poststop hooks, no
 * mounts left in the host's namespace) is handled, and only in the plain states; everything else
 * (a paused container, an option not read here, a state file written by an older build) execs the
 * JVM before anything was done.
 */

static const char *log_path, *log_format = "text";

/* An error, on stderr and (--log) in the log as RuntimeOptions.error writes it; returns 1. */
static int __attribute__((format(printf, 1, 2))) fail(const char *fmt, ...)
{
    char msg[4096];
    va_list ap;
    va_start(ap, fmt);
    vsay(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (!log_path) return 1;
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    struct tm tm;
    gmtime_r(&now.tv_sec, &tm);
    char when[64];
    size_t wl = strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(when + wl, sizeof when - wl, ".%06ldZ", now.tv_nsec / 1000);
    char line[8192];
    int n;
    if (!strcmp(log_format, "json")) {
        char q[4096 * 6 + 3];
        size_t o = 0;
        q[o++] = '"';
        for (const unsigned char *c = (const unsigned char *)msg; *c; c++) {
            if (*c == '"' || *c == '\\') { q[o++] = '\\'; q[o++] = (char)*c; }
            else if (*c == '\n') { q[o++] = '\\'; q[o++] = 'n'; }
            else if (*c == '\t') { q[o++] = '\\'; q[o++] = 't'; }
            else if (*c < 0x20) o += (size_t)sprintf(q + o, "\\u%04x", *c);
            else q[o++] = (char)*c;
        }
        q[o++] = '"';
        q[o] = 0;
        n = snprintf(line, sizeof line, "{\"level\":\"error\",\"msg\":%s,\"time\":\"%s\"}\n", q, when);
    } else {
        n = snprintf(line, sizeof line, "%s error %s\n", when, msg);
    }
    int fd = open(log_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0 || write_all(fd, line, (size_t)(n < (int)sizeof line ? n : (int)sizeof line - 1)) < 0)
        dprintf(2, "oci: write log %s: %s\n", log_path, strerror(errno));
    if (fd >= 0) close(fd);
    return 1;
}

/* ---- state.json: a flat object as Saved.toJson writes it (compact, Jackson's escapes) */

static char *sj;      /* the file */
static size_t sj_len;

/* The end of the JSON value starting at p (strings, numbers, literals, objects, arrays), or NULL. */
static const char *skip_value(const char *p, const char *end)
{
    while (p < end && (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r')) p++;
    if (p >= end) return NULL;
    if (*p == '"') {
        for (p++; p < end; p++) {
            if (*p == '\\') p++;
            else if (*p == '"') return p + 1;
        }
        return NULL;
    }
    if (*p == '{' || *p == '[') {
        int depth = 0;
        for (; p < end; p++) {
            if (*p == '"') { p = skip_value(p, end); if (!p) return NULL; p--; }
            else if (*p == '{' || *p == '[') depth++;
            else if ((*p == '}' || *p == ']') && --depth == 0) return p + 1;
        }
        return NULL;
    }
    while (p < end && !strchr(",}] \n\t\r", *p)) p++;
    return p;
}

/* The raw value of top-level member KEY (its span), or 0 when absent. */
static int member(const char *key, const char **v, const char **v_end)
{
    const char *p = sj, *end = sj + sj_len;
    size_t kl = strlen(key);
    while (p < end && *p != '{') p++;
    for (p++; p < end;) {
        while (p < end && strchr(" \n\t\r,", *p)) p++;
        if (p >= end || *p != '"') return 0;
        const char *k = p + 1, *k_end = skip_value(p, end);
        if (!k_end) return 0;
        p = k_end;
        while (p < end && (*p == ' ' || *p == ':')) p++;
        const char *e = skip_value(p, end);
        if (!e) return 0;
        if ((size_t)(k_end - 1 - k) == kl && !memcmp(k, key, kl)) { *v = p; *v_end = e; return 1; }
        p = e;
    }
    return 0;
}

static int member_is(const char *key, const char *lit)
{
    const char *v, *e;
    return member(key, &v, &e) && (size_t)(e - v) == strlen(lit) && !memcmp(v, lit, (size_t)(e - v));
}

static long long member_num(const char *key)
{
    const char *v, *e;
    return member(key, &v, &e) ? strtoll(v, NULL, 10) : -1;
}

/* A JSON string literal [p, e) decoded into out; 0 on an escape this reader does not take. */
static int decode(const char *p, const char *e, char *out, size_t n)
{
    if (e - p < 2 || *p != '"') return 0;
    size_t o = 0;
    for (p++, e--; p < e && o + 1 < n; p++) {
        if (*p != '\\') { out[o++] = *p; continue; }
        p++;
        if (*p == '"' || *p == '\\' || *p == '/') out[o++] = *p;
        else if (*p == 'n') out[o++] = '\n';
        else if (*p == 't') out[o++] = '\t';
        else return 0;
    }
    out[o] = 0;
    return p == e;
}

static long s_pid;
static long long s_start;
static int s_ready, s_pidns;
static char froz[PATH_MAX];      /* the freezer directory, or "" */

/* Loads DIR/state.json; 0 when this program cannot take it (then the JVM does). */
static int load_state(void)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/state.json", dir);
    free(sj);
    sj = read_all(path, &sj_len);
    if (!sj || !member_is("stateOnly", "true")) return 0;
    s_pid = (long)member_num("pid");
    s_start = member_num("pidStart");
    s_ready = member_is("ready", "true");
    s_pidns = member_is("pidns", "true");
    const char *v, *e;
    if (s_pid < 0 || s_start < 0 || !member("cgroupDirs", &v, &e) || *v != '[') return 0;
    n_cg = 0;
    for (const char *p = v + 1; p < e && n_cg < 64;) {
        while (p < e && strchr(" ,\n", *p)) p++;
        if (*p == ']') break;
        const char *se = skip_value(p, e);
        char d[PATH_MAX];
        if (!se || !decode(p, se, d, sizeof d)) return 0;
        cg_dirs[n_cg++] = strdup(d);
        p = se;
    }
    /* Cgroups.freezer: the v1 freezer hierarchy's directory, else a v2 one with cgroup.freeze. */
    froz[0] = 0;
    for (int i = 0; i < n_cg && !froz[0]; i++) if (strstr(cg_dirs[i], "/freezer/")) snprintf(froz, sizeof froz, "%s", cg_dirs[i]);
    for (int i = 0; i < n_cg && !froz[0]; i++) {
        snprintf(path, sizeof path, "%s/cgroup.freeze", cg_dirs[i]);
        if (access(path, F_OK) == 0) snprintf(froz, sizeof froz, "%s", cg_dirs[i]);
    }
    return 1;
}

static int s_alive(void)
{
    return s_pid > 0 && start_time(s_pid) == s_start;
}

/* Containers.status */
static const char *status_now(void)
{
    if (!s_ready) return s_pid > 0 && !s_alive() ? "stopped" : "creating";
    if (!s_alive()) return "stopped";
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/exec.fifo", dir);
    if (access(path, F_OK) == 0) return "created";
    if (froz[0]) {
        size_t n;
        snprintf(path, sizeof path, "%s/freezer.state", froz);
        char *v = read_all(path, &n);
        int frozen;
        if (v) frozen = strncmp(v, "THAWED", 6) != 0;
        else {
            snprintf(path, sizeof path, "%s/cgroup.freeze", froz);
            v = read_all(path, &n);
            frozen = v && v[0] == '1';
        }
        free(v);
        if (frozen) return "paused";
    }
    return "running";
}

/* Containers.signalIfSame: 1 sent, 0 not the same process (or gone), -1 with errno on an error. */
static int signal_if_same(int sig)
{
    if (s_pid <= 0) return 0;
    int fd = (int)syscall(SYS_pidfd_open, (pid_t)s_pid, 0);
    if (fd < 0) return 0;
    int rc = start_time(s_pid) != s_start ? 0 : syscall(SYS_pidfd_send_signal, fd, sig, NULL, 0) == 0 ? 1 : errno == ESRCH ? 0 : -1;
    int e = errno;
    close(fd);
    errno = e;
    return rc;
}

/* The container's directory and lock; 0 with the lock held, else the exit code (message said). */
static int open_container(const char *root, const char *id, int *lock)
{
    snprintf(dir, sizeof dir, "%s/%s", root, id);
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/state.json", dir);
    struct stat st;
    if (stat(path, &st) < 0 || !S_ISREG(st.st_mode)) return fail("container does not exist: %s (in %s)", id, root);
    *lock = lock_dir();
    if (*lock < 0) use_jvm();
    return 0;
}

/* runc's signal names and numbers, as oci.cli.Signals.parse reads them; -1 for anything else. */
static int parse_signal(const char *s)
{
    static const char *names[] = {"", "HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE", "KILL", "USR1", "SEGV", "USR2",
        "PIPE", "ALRM", "TERM", "STKFLT", "CHLD", "CONT", "STOP", "TSTP", "TTIN", "TTOU", "URG", "XCPU", "XFSZ", "VTALRM", "PROF",
        "WINCH", "IO", "PWR", "SYS"};
    char u[32];
    size_t n = strlen(s);
    if (n == 0 || n >= sizeof u) return -1;
    for (size_t i = 0; i <= n; i++) u[i] = (char)(s[i] >= 'a' && s[i] <= 'z' ? s[i] - 32 : s[i]);
    const char *p = strncmp(u, "SIG", 3) ? u : u + 3;
    if (*p >= '0' && *p <= '9') {
        char *e;
        long v = strtol(p, &e, 10);
        return *e || v < 1 || v > 64 ? -1 : (int)v;
    }
    if (!strcmp(p, "IOT")) return 6;
    for (int i = 1; i < (int)(sizeof names / sizeof *names); i++) if (!strcmp(p, names[i])) return i;
    return -1; /* RTMIN+N and the rest: the JVM */
}

/* Prints a JSON string literal as it is in state.json: Jackson wrote it, as it writes `oci state`'s. */
static void put_raw(FILE *o, const char *key)
{
    const char *v, *e;
    if (member(key, &v, &e)) fwrite(v, 1, (size_t)(e - v), o);
    else fputs("null", o);
}

/* ContainerState.toPrettyJson, runc's layout. */
static int do_state(const char *id)
{
    const char *status = status_now();
    const char *v, *e;
    FILE *o = stdout;
    fputs("{\n  \"ociVersion\": ", o); put_raw(o, "ociVersion");
    fputs(",\n  \"id\": ", o); put_raw(o, "id");
    fprintf(o, ",\n  \"status\": \"%s\",\n  \"pid\": %ld,\n  \"bundle\": ", status, strcmp(status, "stopped") ? s_pid : 0L);
    put_raw(o, "bundle");
    if (member("annotations", &v, &e) && *v == '{') {
        int any = 0;
        for (const char *p = v + 1; p < e;) {
            while (p < e && strchr(" ,\n", *p)) p++;
            if (*p == '}') break;
            const char *ke = skip_value(p, e);
            if (!ke) break;
            const char *q = ke;
            while (q < e && (*q == ' ' || *q == ':')) q++;
            const char *ve = skip_value(q, e);
            if (!ve) break;
            fputs(any ? ",\n    " : ",\n  \"annotations\": {\n    ", o);
            fwrite(p, 1, (size_t)(ke - p), o);
            fputs(": ", o);
            fwrite(q, 1, (size_t)(ve - q), o);
            any = 1;
            p = ve;
        }
        if (any) fputs("\n  }", o);
    }
    fputs("\n}\n", o);
    (void)id;
    return fflush(o) == 0 ? 0 : 1;
}

/* Containers.start + releaseInit: the init's open of the exec fifo waits for a reader. */
static int do_start(const char *id)
{
    const char *status = status_now();
    if (strcmp(status, "created")) {
        if (!strcmp(status, "stopped")) return fail("start container %s: cannot start a container that has stopped", id);
        if (!strcmp(status, "running")) return fail("start container %s: cannot start an already running container", id);
        return fail("start container %s: cannot start a container in the %s state", id, status);
    }
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/exec.fifo", dir);
    int fifo = open(path, O_RDWR | O_CLOEXEC);
    if (fifo < 0) return fail("start container %s: %s: %s", id, path, strerror(errno));
    int started = 0;
    for (;;) {
        struct pollfd p = {.fd = fifo, .events = POLLIN};
        int r = poll(&p, 1, 50);
        if (r > 0) {
            char b;
            started = read(fifo, &b, 1) == 1 && b == '0';
            break;
        }
        if (r < 0 && errno != EINTR) break;
        if (r == 0 && !s_alive()) break;
    }
    if (!started) {
        close(fifo);
        return fail("start container %s: its init exited before the start (pid %ld started at %lld, now %lld)", id, s_pid, s_start,
                    start_time(s_pid));
    }
    /* The init holds its end until its exec: what it writes meanwhile is why it failed (init.c's tell_start). */
    int rest = open(path, O_RDONLY | O_CLOEXEC);
    close(fifo);
    char why[4096];
    size_t have = 0;
    while (rest >= 0 && have < sizeof why - 1) {
        struct pollfd p = {.fd = rest, .events = POLLIN};
        int r = poll(&p, 1, 50);
        if (r < 0 && errno == EINTR) continue;
        if (r == 0) {
            if (!s_alive()) break;
            continue;
        }
        ssize_t n = read(rest, why + have, sizeof why - 1 - have);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        have += (size_t)n;
    }
    if (rest >= 0) close(rest);
    unlink(path);
    while (have > 0 && strchr(" \n\t\rX", why[have - 1])) have--;
    size_t s = 0;
    while (s < have && strchr(" \n\t\r", why[s])) s++;
    why[have] = 0;
    if (have > s) return fail("start container %s: %s", id, why + s);
    return 0;
}

static int do_kill(const char *id, int sig, int all)
{
    const char *status = status_now();
    if (all) {
        size_t n = 0;
        char *procs = NULL;
        for (int d = 0; d < n_cg && !procs; d++) {
            char p[PATH_MAX];
            snprintf(p, sizeof p, "%s/cgroup.procs", cg_dirs[d]);
            procs = read_all(p, &n);
        }
        for (char *save, *l = procs ? strtok_r(procs, "\n", &save) : NULL; l; l = strtok_r(NULL, "\n", &save)) {
            if (kill((pid_t)atol(l), sig) < 0 && errno != ESRCH) return fail("kill container %s: kill %s: %s", id, l, strerror(errno));
        }
        free(procs);
        return 0;
    }
    if (strcmp(status, "created") && strcmp(status, "running")) return fail("kill container %s: container not running", id);
    int r = signal_if_same(sig);
    if (r < 0) return fail("kill container %s: signal process %ld: %s", id, s_pid, strerror(errno));
    if (r == 0) return fail("kill container %s: container not running", id);
    return 0;
}

/* Cgroups.kill: cgroup v2's cgroup.kill, where there is one; kill_all's loop confirms. */
static void cgroup_kill(void)
{
    for (int d = 0; d < n_cg; d++) {
        char p[PATH_MAX];
        snprintf(p, sizeof p, "%s/cgroup.kill", cg_dirs[d]);
        if (access(p, F_OK) == 0) write_file(p, "1", 1, 0);
    }
}

static int do_delete(const char *id, int force)
{
    const char *status = status_now();
    if (!strcmp(status, "running") && !force)
        return fail("delete container %s: cannot delete container %s that is not stopped: %s (stop it first, or use --force)", id, id, status);
    if (strcmp(status, "stopped")) {
        if (signal_if_same(SIGKILL) < 0) return fail("delete container %s: signal process %ld: %s", id, s_pid, strerror(errno));
        for (int k = 0; k < 1000 && s_alive(); k++) sleep_ms(10);
    }
    if (!s_pidns) {
        cgroup_kill();
        kill_all();
    }
    for (int d = 0; d < n_cg; d++) {
        int gone = 0;
        for (int attempt = 0; attempt <= 100 && !gone; attempt++) {
            gone = rmdir(cg_dirs[d]) == 0 || errno == ENOENT;
            if (!gone && attempt < 100) sleep_ms(20);
        }
        if (!gone) return fail("remove cgroup %s: %s", cg_dirs[d], strerror(errno));
    }
    delete_dir();
    return 0;
}

/* [globals] start|state|kill|delete ...: handled here, or the JVM (returns only when handled). */
static int state_verb(const char *root, const char *verb, int i)
{
    const char *id = NULL, *sig = NULL;
    int force = 0, all = 0;
    int is_kill = !strcmp(verb, "kill"), is_delete = !strcmp(verb, "delete");
    for (; i < n_args; i++) {
        const char *a = oci_args[i];
        if (is_delete && (!strcmp(a, "-f") || !strcmp(a, "--force"))) force = 1;
        else if (is_kill && (!strcmp(a, "-a") || !strcmp(a, "--all"))) all = 1;
        else if (!strcmp(a, "--") && i + 1 < n_args && !id) { id = oci_args[++i]; if (is_kill && i + 1 < n_args) sig = oci_args[++i]; if (i + 1 < n_args) use_jvm(); }
        else if (a[0] == '-') use_jvm();
        else if (!id) id = a;
        else if (is_kill && !sig) sig = a;
        else use_jvm();
    }
    if (!id || !valid_id(id)) use_jvm();
    int signo = is_kill ? parse_signal(sig ? sig : "TERM") : 0;
    if (signo < 0) use_jvm();
    cid = id;
    snprintf(dir, sizeof dir, "%s/%s", root, id);
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/state.json", dir);
    if (is_delete && force && access(path, F_OK) < 0) {
        /* runc: a directory a failed create left without its state goes too (Java walks it) */
        if (access(dir, F_OK) == 0) use_jvm();
        return 0;
    }
    int lock = -1, rc = open_container(root, id, &lock);
    if (rc) return rc;
    if (!load_state() || !strcmp(status_now(), "paused")) {
        close(lock);
        use_jvm();
    }
    if (!strcmp(verb, "state")) rc = do_state(id);
    else if (!strcmp(verb, "start")) rc = do_start(id);
    else if (is_kill) rc = do_kill(id, signo, all);
    else rc = do_delete(id, force);
    close(lock);
    return rc;
}

/* ------------------------------------------------------------------ the init, started early */

/* The state root of a `create`, or of a `run` this program does not replay: its init is started
 * before the JVM (prespawn); NULL for every other command. */
static char spawn_root[PATH_MAX];

/* Environment variable that tells the JVM about the init started for it: "PID FD PATH". */
#define PRESPAWNED "OCI_PRESPAWNED_INIT"

/* The digest of the init built with this program (runtime/pom.xml passes it); built by hand
 * without it, nothing is started early. */
#ifndef OCI_INIT_DIGEST
#define OCI_INIT_DIGEST ""
#endif

/*
 * Starts the native init that the JVM's create would start, before exec'ing the JVM, so that the
 * JVM need not (ProcessBuilder: its jspawnhelper's double exec on the create's path, and a logger
 * lookup over the class path): the init seals itself into a memfd and then waits on a pipe for its
 * plan's path while the JVM starts. exec keeps our pid, so the JVM is its parent. No policy here:
 * Java decides whether to use it (oci.runtime.PrespawnedInit), and writes the path or an empty
 * line; if the JVM never writes (it failed, or refused the create), its exit closes the pipe and
 * the init exits. The init is started as ProcessBuilder would start it: the same argv[0], an empty
 * environment, only fds 0-2 of ours (and the pipe, as fd 3), RLIMIT_NOFILE raised to its hard
 * limit as the JVM raises its own. It is the one InitBinary extracts into the state root for the
 * jar built with this program (the digest in its name); only a file that nobody but us could have
 * written is run, and run from the descriptor checked.
 */
static void prespawn(void)
{
    if (!spawn_root[0] || !OCI_INIT_DIGEST[0]) return;
    const char *off = getenv("OCI_PRESPAWN");
    if (off && !strcmp(off, "0")) return;
    /* A closed standard fd would be taken by the pipe and handed on as the init's stdio. */
    for (int i = 0; i <= 2; i++) if (fcntl(i, F_GETFD) < 0) return;
    struct stat st;
    int rootfd = open(spawn_root, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (rootfd < 0) return;
    if (fstat(rootfd, &st) < 0 || st.st_uid != geteuid() || (st.st_mode & 022)) { close(rootfd); return; }
    static char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/.oci-init-%s", spawn_root, OCI_INIT_DIGEST);
    int fd = openat(rootfd, ".oci-init-" OCI_INIT_DIGEST, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    close(rootfd);
    if (fd < 0) return;
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 022) || !(st.st_mode & S_IXUSR)) {
        close(fd);
        return;
    }
    int p[2];
    if (pipe2(p, O_CLOEXEC) < 0) { close(fd); return; }
    pid_t pid = fork();
    if (pid == 0) {
        if (p[0] == 3) fcntl(3, F_SETFD, 0);
        else if (dup2(p[0], 3) < 0) _exit(127);
        if (syscall(SYS_close_range, 4, ~0U, CLOSE_RANGE_CLOEXEC) < 0) _exit(127);
        struct rlimit rl;
        if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
            rl.rlim_cur = rl.rlim_max;
            setrlimit(RLIMIT_NOFILE, &rl);
        }
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        char *init_argv[] = {path, "--await-plan", NULL}, *no_env[] = {NULL};
        syscall(SYS_execveat, fd, "", init_argv, no_env, AT_EMPTY_PATH);
        _exit(127);
    }
    close(fd);
    close(p[0]);
    if (pid < 0) { close(p[1]); return; }
    fcntl(p[1], F_SETFD, 0); /* the JVM's to write */
    char value[PATH_MAX + 64];
    snprintf(value, sizeof value, "%d %d %s", (int)pid, p[1], path);
    setenv(PRESPAWNED, value, 1);
}

/* Containers.defaultRoot's: /run/oci for root, $XDG_RUNTIME_DIR/oci (or /tmp/oci-UID) otherwise;
 * buf holds the latter. */
static const char *default_root(char *buf, size_t n)
{
    if (geteuid() == 0) return "/run/oci";
    const char *xdg = getenv("XDG_RUNTIME_DIR");
    if (xdg && *xdg) snprintf(buf, n, "%s/oci", xdg);
    else snprintf(buf, n, "/tmp/oci-%u", (unsigned)geteuid());
    return buf;
}

/* The verb and state root of the command line, for prespawn; the rest is the JVM's to read. */
static void find_spawn_root(void)
{
    char user_root[PATH_MAX];
    const char *root = default_root(user_root, sizeof user_root);
    for (int i = 0; i < n_args; i++) {
        const char *a = oci_args[i];
        if (!strcmp(a, "--root") && i + 1 < n_args) root = oci_args[++i];
        else if (!strncmp(a, "--root=", 7)) root = a + 7;
        else if ((!strcmp(a, "--log") || !strcmp(a, "--log-format")) && i + 1 < n_args) i++;
        else if (a[0] == '-') continue;
        else {
            if (!strcmp(a, "create") || !strcmp(a, "run")) normalize(root, spawn_root, sizeof spawn_root);
            return;
        }
    }
}

/* ------------------------------------------------------------------ the run */

int main(int argc, char **argv)
{
    int sep = -1;
    for (int i = 1; i + 2 < argc; i++) {
        if (!strcmp(argv[i], "-jar") && !strcmp(argv[i + 2], "--")) { sep = i + 2; break; }
    }
    if (sep < 0) {
        dprintf(2, "oci-fastrun: started by the oci launcher for `oci run`, not by hand\n");
        return 2;
    }
    java_cmd = argv + 1;
    n_java = sep - 1;
    oci_args = argv + sep + 1;
    n_args = argc - sep - 1;
    unsetenv(PRESPAWNED); /* only ever one of ours, for the JVM we exec */
    find_spawn_root();

    /* What this program handles: [--root DIR] run [-b DIR] [--rm|--keep] [ID], nothing else. The default
     * root is Containers.defaultRoot's. */
    char user_root[PATH_MAX];
    const char *root_arg = default_root(user_root, sizeof user_root), *bundle_arg = "", *id = NULL;
    int rm = 1, i = 0; /* runc's run deletes its container at exit unless --keep */
    const char *dbg = getenv("OCI_DEBUG"), *off = getenv("OCI_FASTRUN");
    if ((dbg && *dbg) || (off && !strcmp(off, "0"))) use_jvm();
    for (; i < n_args; i++) {
        const char *a = oci_args[i];
        if (!strcmp(a, "--root") && i + 1 < n_args) root_arg = oci_args[++i];
        else if (!strncmp(a, "--root=", 7)) root_arg = a + 7;
        else if (!strcmp(a, "--log") && i + 1 < n_args) log_path = oci_args[++i];
        else if (!strncmp(a, "--log=", 6)) log_path = a + 6;
        else if (!strcmp(a, "--log-format") && i + 1 < n_args) log_format = oci_args[++i];
        else if (!strncmp(a, "--log-format=", 13)) log_format = a + 13;
        else break;
    }
    /* Only the values RuntimeOptions takes; anything else is the JVM's to refuse. */
    if (strcmp(log_format, "text") && strcmp(log_format, "json")) use_jvm();
    if (i < n_args && (!strcmp(oci_args[i], "start") || !strcmp(oci_args[i], "state") || !strcmp(oci_args[i], "kill")
                       || !strcmp(oci_args[i], "delete"))) {
        char r[PATH_MAX];
        normalize(root_arg, r, sizeof r);
        return state_verb(r, oci_args[i], i + 1);
    }
    if (i >= n_args || strcmp(oci_args[i], "run") != 0 || log_path) use_jvm();
    for (i++; i < n_args; i++) {
        const char *a = oci_args[i];
        if ((!strcmp(a, "-b") || !strcmp(a, "--bundle")) && i + 1 < n_args) bundle_arg = oci_args[++i];
        else if (!strncmp(a, "--bundle=", 9)) bundle_arg = a + 9;
        else if (!strcmp(a, "--rm")) rm = 1;
        else if (!strcmp(a, "--keep")) rm = 0;
        else if (!strcmp(a, "--") && i + 2 == n_args && !id) id = oci_args[++i];
        else if (a[0] == '-' || id) use_jvm();
        else id = a;
    }
    char root[PATH_MAX], bundle[PATH_MAX];
    normalize(root_arg, root, sizeof root);
    normalize(*bundle_arg ? bundle_arg : ".", bundle, sizeof bundle);
    if (!id) id = strrchr(bundle, '/') + 1;
    if (!valid_id(id)) use_jvm();
    if (!load_entry(root, bundle) || !entry_matches(root, bundle)) use_jvm();

    /* From here on this is the run: no way back to the JVM. */
    cid = id;
    fill_in_id(id);
    split_cgroup_dirs();
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    struct tm tm;
    gmtime_r(&now.tv_sec, &tm);
    size_t cl = strftime(created, sizeof created, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(created + cl, sizeof created - cl, ".%09ldZ", now.tv_nsec);

    snprintf(dir, sizeof dir, "%s/%s", root, id);
    /* The root exists: the entry is in it. The container's directory is 0711 (StateFiles.DIR), whatever the umask. */
    if (mkdir(dir, 0711) < 0) {
        if (errno == EEXIST) say("create container %s: a container with this id already exists in %s", id, root);
        else say("create container %s: create %s: %s", id, dir, strerror(errno));
        return 1;
    }
    if (chmod(dir, 0711) < 0) { say("create container %s: chmod %s: %s", id, dir, strerror(errno)); delete_dir(); return 1; }
    int lock = lock_dir();
    if (lock < 0) { say("create container %s: lock %s: %s", id, dir, strerror(errno)); delete_dir(); return 1; }
    save_state(F_CREATING, 0, 0);
    char path[PATH_MAX], plan[PATH_MAX];
    snprintf(path, sizeof path, "%s/config.json", dir);
    if (write_file(path, f[F_CONFIG].s, f[F_CONFIG].len, O_CREAT | O_TRUNC) < 0) {
        say("create container %s: write %s: %s", id, path, strerror(errno));
        delete_dir();
        return 1;
    }
    if (make_cgroup() < 0) abandon();
    snprintf(plan, sizeof plan, "%s/plan", dir);
    if (write_file(plan, f[F_PLAN].s, f[F_PLAN].len, O_CREAT | O_TRUNC) < 0) { say("create container %s: write %s: %s", id, plan, strerror(errno)); abandon(); }

    /* runc's process model (init.c): the setup process forks the container's and exits; as a child
     * subreaper we inherit that process and wait for it ourselves, as `oci run` in Java does. */
    if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0) { say("create container %s: prctl PR_SET_CHILD_SUBREAPER: %s", id, strerror(errno)); abandon(); }
    setup = fork();
    if (setup < 0) { say("create container %s: fork: %s", id, strerror(errno)); abandon(); }
    if (setup == 0) {
        char *init_argv[] = {f[F_INIT].s, plan, NULL}, *no_env[] = {NULL};
        execve(f[F_INIT].s, init_argv, no_env);
        dprintf(2, "oci: create container %s: exec %s: %s\n", id, f[F_INIT].s, strerror(errno));
        _exit(127);
    }
    converse();
    unlink(plan);
    while (setup_status < 0) {
        int st;
        if (waitpid(setup, &st, 0) == setup) setup_status = st;
        else if (errno != EINTR) break;
    }
    if (setup_status != 0) { say("create container %s: the setup process failed (exit status %d)", id, exit_code(setup_status)); abandon(); }
    cstart = start_time(cpid);
    if (cstart < 0) { say("create container %s: the container process %ld is gone (or unreadable in /proc)", id, cpid); abandon(); }
    save_state(F_READY, cpid, cstart);
    close(lock);

    /* Signals to `oci run` go to the container's process; the pidfd cannot reach a reused pid. */
    int pfd = (int)syscall(SYS_pidfd_open, (pid_t)cpid, 0);
    if (pfd >= 0 && start_time(cpid) == cstart) cpidfd = pfd;
    struct sigaction sa = {.sa_handler = forward, .sa_flags = SA_RESTART};
    sigemptyset(&sa.sa_mask);
    for (size_t s = 0; s < sizeof forwarded / sizeof *forwarded; s++) sigaction(forwarded[s], &sa, NULL);

    /* start (Containers.start/releaseInit): the init's open of the exec fifo waits for a reader. */
    lock = lock_dir();
    snprintf(path, sizeof path, "%s/exec.fifo", dir);
    int fifo = open(path, O_RDWR | O_CLOEXEC);
    int started = 0;
    while (fifo >= 0) {
        struct pollfd p = {.fd = fifo, .events = POLLIN};
        int r = poll(&p, 1, 50);
        if (r > 0) {
            char b;
            started = read(fifo, &b, 1) == 1 && b == '0';
            break;
        }
        if (r == 0 && start_time(cpid) != cstart) break;
    }
    if (!started) {
        say("start container %s: its init exited before the start (pid %ld started at %lld, now %lld)", id, cpid, cstart, start_time(cpid));
        close(lock);
        abandon();
    }
    close(fifo);
    unlink(path);
    close(lock);

    /* Orphans of the container (without a pid namespace) are re-parented to us too: reaped on the
     * way, as runc's signal handler does. */
    int status = -1;
    for (;;) {
        int st;
        pid_t w = waitpid(-1, &st, 0);
        if (w == (pid_t)cpid) { status = st; break; }
        if (w < 0 && errno != EINTR) break;
    }
    int code = status < 0 ? 1 : exit_code(status);
    if (rm) {
        lock = lock_dir();
        if (start_time(cpid) == cstart) {
            if (cpidfd >= 0) syscall(SYS_pidfd_send_signal, cpidfd, SIGKILL, NULL, 0);
            for (int k = 0; k < 1000 && start_time(cpid) == cstart; k++) sleep_ms(10);
        }
        if (!field_is(F_PIDNS, "1", 1)) kill_all();
        remove_cgroups(1);
        delete_dir();
        if (lock >= 0) close(lock);
    }
    return code;
}
