/*
 * Session keyring probe for SessionKeyringTest, built static (it also runs inside a busybox
 * container); raw keyctl/add_key calls, so no libkeyutils is needed.
 *
 *   keyring-probe caller COMMAND...  joins a new anonymous session keyring, adds the user key
 *                                    "oci-caller-secret" to it, runs COMMAND, then says whether
 *                                    "oci-container-key" appeared in it. Exits with COMMAND's status.
 *   keyring-probe inside             says whether "oci-caller-secret" can be found from here,
 *                                    adds "oci-container-key" to its session keyring, and prints
 *                                    that keyring's serial and description.
 *   keyring-probe deny MODE COMMAND...
 *                                    runs COMMAND under a seccomp filter that fails key calls
 *                                    with EPERM (MODE: see deny()).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define SESSION (-3)
enum { GET_KEYRING_ID = 0, JOIN_SESSION_KEYRING = 1, DESCRIBE = 6, SEARCH = 10 };

static long search(const char *desc)
{
    return syscall(SYS_keyctl, SEARCH, SESSION, "user", desc, 0);
}

static int caller(char **cmd)
{
    if (syscall(SYS_keyctl, JOIN_SESSION_KEYRING, NULL) < 0) { perror("join session keyring"); return 120; }
    if (syscall(SYS_add_key, "user", "oci-caller-secret", "hostsecret", 10, SESSION) < 0) { perror("add_key"); return 120; }
    printf("caller-session %ld\n", syscall(SYS_keyctl, GET_KEYRING_ID, SESSION, 0));
    fflush(stdout);
    pid_t p = fork();
    if (p == 0) {
        execvp(cmd[0], cmd);
        perror(cmd[0]);
        _exit(127);
    }
    int st;
    if (p < 0 || waitpid(p, &st, 0) != p) { perror("wait"); return 120; }
    printf("caller: container key %s\n", search("oci-container-key") >= 0 ? "found" : "absent");
    printf("caller: own secret %s\n", search("oci-caller-secret") >= 0 ? "found" : "absent");
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static int inside(void)
{
    long k = search("oci-caller-secret");
    printf("secret %s\n", k >= 0 ? "found" : errno == ENOKEY ? "absent" : strerror(errno));
    long added = syscall(SYS_add_key, "user", "oci-container-key", "x", 1, SESSION);
    printf("add %s\n", added >= 0 ? "ok" : strerror(errno));
    char d[512] = "";
    long id = syscall(SYS_keyctl, GET_KEYRING_ID, SESSION, 0);
    long n = syscall(SYS_keyctl, DESCRIBE, SESSION, d, sizeof d - 1);
    if (n < 0 || n > (long)sizeof d - 1) snprintf(d, sizeof d, "? %s", strerror(errno));
    /* "keyring;uid;gid;perm;name": the serial and the name */
    const char *name = strrchr(d, ';');
    printf("session %ld %s\n", id, name ? name + 1 : d);
    return 0;
}

/* Fails with EPERM: MODE "keys" every keyctl, add_key and request_key call; "keyctl" every keyctl
 * call; "join" KEYCTL_JOIN_SESSION_KEYRING only. */
static int deny(const char *mode, char **cmd)
{
    int keys = !strcmp(mode, "keys"), join = !strcmp(mode, "join");
    struct sock_filter f[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, keys ? __NR_add_key : -1U, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, keys ? __NR_request_key : -1U, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_keyctl, 1, 0),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[0])),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, JOIN_SESSION_KEYRING, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
        BPF_STMT(BPF_RET | BPF_K, join ? SECCOMP_RET_ALLOW : SECCOMP_RET_ERRNO | EPERM),
    };
    struct sock_fprog prog = {.len = sizeof f / sizeof *f, .filter = f};
    if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0) { perror("seccomp"); return 120; }
    execvp(cmd[0], cmd);
    perror(cmd[0]);
    return 127;
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc >= 3 && !strcmp(argv[1], "caller")) return caller(argv + 2);
    if (argc == 2 && !strcmp(argv[1], "inside")) return inside();
    if (argc >= 4 && !strcmp(argv[1], "deny")) return deny(argv[2], argv + 3);
    fprintf(stderr, "usage: keyring-probe caller COMMAND... | inside | deny keys|keyctl|join COMMAND...\n");
    return 2;
}
