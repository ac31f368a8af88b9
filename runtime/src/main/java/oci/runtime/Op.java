package oci.runtime;

/** The operations of the native init (runtime/src/native/init.c); the codes must match its enum. */
enum Op {
    CONNECT(1), SYNC(2), SETNS(3), UNSHARE(4), FORK(5), SETID0(6), MOUNT_PROP(7), BIND_ROOT(8), MOUNT(9),
    REMOUNT(10), MKNOD(11), BIND_DEV(12), SYMLINK(13), OPEN_FIFO(14), PIVOT(15), MASK(16), READONLY(17),
    HOSTNAME(18), DOMAINNAME(19), SYSCTL(20), OOM_ADJ(21), RLIMIT(22), CWD(23), UMASK(24), BOUNDING(25),
    USER(26), CAPS(27), AMBIENT(28), NNP(29), SECCOMP(30), PREPARE_EXEC(31), READY(32), WAIT_START(33),
    EXEC(34), EXIT_FILE(35), RUN_HOOK(36), ROOT_RO(37), CONSOLE_SOCKET(38), TERMINAL(39), HOOK_STATE(40), CLOSE_FDS(41),
    OPEN_ROOT(42), CHROOT(43),
    SESSION_KEYRING(44);

    final int code;

    Op(int code) {
        this.code = code;
    }
}
