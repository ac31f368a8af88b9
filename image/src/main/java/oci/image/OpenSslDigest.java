package oci.image;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.ref.Cleaner;
import java.nio.ByteBuffer;
import java.security.MessageDigest;

/**
 * SHA-256 and SHA-512 from the system's OpenSSL 3 {@code libcrypto}, called through FFM, as a
 * {@link MessageDigest} so that every caller of {@link Digest#newHasher} gets it unchanged.
 *
 * <p>Why: a pull or an import hashes every byte it stores, in a short-lived JVM. libcrypto's
 * SHA-NI/AVX2 code runs at full speed from the first byte; the JDK's SHA-256 intrinsic only does once
 * C2 has compiled the hashing loop, and until then the interpreter and C1 hash several times slower.
 *
 * <p>The library is looked up at run time; when it is missing (or native access is denied, or
 * {@code -Doci.nativeDigest=false}) {@link #create} returns null and the JDK's digest is used.
 *
 * @see <a href="https://docs.openssl.org/3.0/man3/EVP_DigestInit/">EVP_DigestInit(3)</a>
 */
final class OpenSslDigest extends MessageDigest {
    /** The soname of OpenSSL 3 (Debian's libssl3); its ABI is stable across 3.x. */
    static final String LIBRARY = "libcrypto.so.3";

    /**
     * Update calls pass heap arrays straight to native code (a critical call, no copy); garbage
     * collection waits meanwhile, so one call hashes at most this much (well under a millisecond).
     */
    private static final int MAX_CRITICAL = 1 << 20;

    private static final Calls CALLS = Boolean.parseBoolean(System.getProperty("oci.nativeDigest", "true")) ? Calls.load(LIBRARY) : null;

    private final Calls calls;
    private final MemorySegment type;
    private final MemorySegment ctx;
    private final int length;
    private final byte[] one = new byte[1];

    private OpenSslDigest(Calls calls, String jdkName, MemorySegment type, int length) {
        super(jdkName);
        this.calls = calls;
        this.type = type;
        this.length = length;
        this.ctx = calls.newContext();
        // The context is native memory: freed when this digest is unreachable.
        MemorySegment c = ctx;
        Cleaning.CLEANER.register(this, () -> calls.free(c));
        init();
    }

    /** A libcrypto digest for {@code algorithm} ("sha256" or "sha512"), or null when libcrypto is not available. */
    static MessageDigest create(String algorithm) {
        return CALLS == null ? null : create(CALLS, algorithm);
    }

    /** Whether digests come from libcrypto in this JVM. */
    static boolean available() {
        return CALLS != null;
    }

    static MessageDigest create(Calls calls, String algorithm) {
        return switch (algorithm) {
            case "sha256" -> new OpenSslDigest(calls, "SHA-256", calls.sha256, 32);
            case "sha512" -> new OpenSslDigest(calls, "SHA-512", calls.sha512, 64);
            default -> null;
        };
    }

    private void init() {
        calls.check("EVP_DigestInit_ex", calls.invokeInit(ctx, type));
    }

    @Override
    protected int engineGetDigestLength() {
        return length;
    }

    @Override
    protected void engineUpdate(byte input) {
        one[0] = input;
        engineUpdate(one, 0, 1);
    }

    @Override
    protected void engineUpdate(byte[] input, int offset, int len) {
        java.util.Objects.checkFromIndexSize(offset, len, input.length);
        MemorySegment all = MemorySegment.ofArray(input);
        for (int done = 0; done < len; ) {
            int n = Math.min(len - done, MAX_CRITICAL);
            calls.update(ctx, all.asSlice(offset + done, n));
            done += n;
        }
    }

    @Override
    protected void engineUpdate(ByteBuffer input) {
        if (!input.isDirect()) {
            super.engineUpdate(input); // a heap buffer: through its array, above
            return;
        }
        // A direct buffer's bytes are hashed where they lie, without a copy into the heap.
        MemorySegment bytes = MemorySegment.ofBuffer(input);
        for (long done = 0; done < bytes.byteSize(); ) {
            long n = Math.min(bytes.byteSize() - done, MAX_CRITICAL);
            calls.update(ctx, bytes.asSlice(done, n));
            done += n;
        }
        input.position(input.limit());
    }

    @Override
    protected byte[] engineDigest() {
        // room for EVP_MAX_MD_SIZE, all that EVP_DigestFinal_ex may write; a critical call fills the array in place
        byte[] md = new byte[64];
        calls.check("EVP_DigestFinal_ex", calls.invokeFinal(ctx, MemorySegment.ofArray(md)));
        byte[] out = java.util.Arrays.copyOf(md, length);
        init(); // MessageDigest's contract: digest() leaves it reset
        return out;
    }

    @Override
    protected void engineReset() {
        init();
    }

    /** In a holder: the cleaner's thread starts only when a native digest is first made. */
    private static final class Cleaning {
        static final Cleaner CLEANER = Cleaner.create();
    }

    /**
     * The bound libcrypto functions; one instance per JVM.
     *
     * <p>Binding is most of what libcrypto costs a short command: each call shape (descriptor and
     * options) gets a stub class generated and its method handles spun in a fresh JVM. Four shapes
     * took ~25 ms more CPU than two (and more wall on a busy machine, where a pull binds beside its
     * downloads), so the seven functions share two shapes. The functions taking
     * context, pointer and length-or-pointer share one: a null {@code ENGINE *} or {@code unsigned int *}
     * is passed as a zero {@code long}, the same 64-bit argument register on the C ABIs the JDK links
     * (x86-64, AArch64, and the other LP64 ones); and {@code EVP_MD_CTX_free(ctx)} is called with two
     * extra zero arguments, which the C calling conventions let a callee ignore, its void result not read.
     * The no-argument functions share the other. All but those are critical calls (no thread-state
     * change, heap arrays passed in place): each is short and calls nothing back.
     */
    static final class Calls {
        private final MethodHandle ctxNew;
        private final MethodHandle ctxFree;
        private final MethodHandle digestInit;
        private final MethodHandle digestUpdate;
        private final MethodHandle digestFinal;
        final MemorySegment sha256;
        final MemorySegment sha512;

        private Calls(SymbolLookup lib) {
            Linker linker = Linker.nativeLinker();
            ValueLayout p = ValueLayout.ADDRESS;
            FunctionDescriptor noArgs = FunctionDescriptor.of(p);
            FunctionDescriptor ctxPointerLong = FunctionDescriptor.of(ValueLayout.JAVA_INT, p, p, ValueLayout.JAVA_LONG);
            Linker.Option critical = Linker.Option.critical(true);
            ctxNew = linker.downcallHandle(find(lib, "EVP_MD_CTX_new"), noArgs);
            ctxFree = linker.downcallHandle(find(lib, "EVP_MD_CTX_free"), ctxPointerLong, critical);
            digestInit = linker.downcallHandle(find(lib, "EVP_DigestInit_ex"), ctxPointerLong, critical);
            digestUpdate = linker.downcallHandle(find(lib, "EVP_DigestUpdate"), ctxPointerLong, critical);
            digestFinal = linker.downcallHandle(find(lib, "EVP_DigestFinal_ex"), ctxPointerLong, critical);
            MethodHandle sha256Fn = linker.downcallHandle(find(lib, "EVP_sha256"), noArgs);
            MethodHandle sha512Fn = linker.downcallHandle(find(lib, "EVP_sha512"), noArgs);
            try {
                sha256 = (MemorySegment) sha256Fn.invokeExact();
                sha512 = (MemorySegment) sha512Fn.invokeExact();
            } catch (Throwable t) {
                throw new IllegalStateException("EVP_sha256/EVP_sha512", t);
            }
            if (sha256.equals(MemorySegment.NULL) || sha512.equals(MemorySegment.NULL)) throw new IllegalStateException("no EVP_sha256/EVP_sha512");
        }

        /** The functions of library {@code name} (a soname or a path), or null when it cannot be loaded or lacks one of them. */
        static Calls load(String name) {
            try {
                Calls c = new Calls(SymbolLookup.libraryLookup(name, Arena.global()));
                // One real digest, compared with a known answer: a library that loads but misbehaves is not used.
                MessageDigest probe = create(c, "sha256");
                byte[] abc = probe.digest("abc".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                return java.util.HexFormat.of().formatHex(abc).equals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad") ? c : null;
            } catch (RuntimeException | LinkageError notUsable) {
                // missing library or symbol, native access denied, or a failed call: the JDK's digest will do
                return null;
            }
        }

        private static MemorySegment find(SymbolLookup lib, String symbol) {
            return lib.find(symbol).orElseThrow(() -> new UnsatisfiedLinkError("no symbol " + symbol));
        }

        MemorySegment newContext() {
            MemorySegment c;
            try {
                c = (MemorySegment) ctxNew.invokeExact();
            } catch (Throwable t) {
                throw new IllegalStateException("EVP_MD_CTX_new", t);
            }
            if (c.equals(MemorySegment.NULL)) throw new OutOfMemoryError("EVP_MD_CTX_new");
            return c;
        }

        void free(MemorySegment c) {
            try {
                int ignored = (int) ctxFree.invokeExact(c, MemorySegment.NULL, 0L); // void: see the class comment
            } catch (Throwable t) {
                throw new IllegalStateException("EVP_MD_CTX_free", t);
            }
        }

        int invokeInit(MemorySegment c, MemorySegment type) {
            try {
                return (int) digestInit.invokeExact(c, type, 0L); // no ENGINE
            } catch (Throwable t) {
                throw new IllegalStateException("EVP_DigestInit_ex", t);
            }
        }

        void update(MemorySegment c, MemorySegment bytes) {
            int ok;
            try {
                ok = (int) digestUpdate.invokeExact(c, bytes, bytes.byteSize());
            } catch (Throwable t) {
                throw new IllegalStateException("EVP_DigestUpdate", t);
            }
            check("EVP_DigestUpdate", ok);
        }

        int invokeFinal(MemorySegment c, MemorySegment out) {
            try {
                return (int) digestFinal.invokeExact(c, out, 0L); // no length wanted back
            } catch (Throwable t) {
                throw new IllegalStateException("EVP_DigestFinal_ex", t);
            }
        }

        /** libcrypto returns 1 on success; anything else is a broken library, not bad input. */
        void check(String call, int ok) {
            if (ok != 1) throw new IllegalStateException(LIBRARY + ": " + call + " failed");
        }
    }
}
