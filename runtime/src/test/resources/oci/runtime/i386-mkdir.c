/*
 * An i386 program for seccomp tests, built with gcc -m32 -static -nostdlib: it makes its calls
 * with int 0x80 (the i386 ABI, AUDIT_ARCH_I386 in seccomp_data), mkdir("/tmp/i386", 0755) first,
 * and prints what mkdir returned: "made", "EACCES", or "errno N".
 */
static long sys(long nr, long a, long b, long c) {
    long ret;
    __asm__ volatile("int $0x80" : "=a"(ret) : "a"(nr), "b"(a), "c"(b), "d"(c) : "memory");
    return ret;
}

static void say(const char *s) {
    long n = 0;
    while (s[n]) n++;
    sys(4, 1, (long) s, n); /* write */
}

void _start(void) {
    long r = sys(39, (long) "/tmp/i386", 0755, 0); /* mkdir */
    if (r == 0) {
        say("made\n");
    } else if (r == -13) {
        say("EACCES\n");
    } else {
        char buf[16] = "errno ";
        long e = -r, i = 6;
        if (e >= 100) buf[i++] = '0' + e / 100 % 10;
        if (e >= 10) buf[i++] = '0' + e / 10 % 10;
        buf[i++] = '0' + e % 10;
        buf[i++] = '\n';
        buf[i] = 0;
        say(buf);
    }
    sys(1, 0, 0, 0); /* exit */
    for (;;) {}
}
