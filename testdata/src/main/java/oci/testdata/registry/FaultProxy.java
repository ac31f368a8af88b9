package oci.testdata.registry;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A FAKE network path, for the one fault a real registry cannot produce on demand: a connection
 * that breaks or stalls in the middle of a blob. It is a loopback TCP proxy in front of a real
 * registry ({@link RegistryServer}) that passes every request and answer through unchanged, one
 * request per connection, except the GETs of the blob it was told about: their body is cut (the
 * connection closed) or held (no more bytes until {@link #release}) once the blob's bytes up to an
 * offset have passed. A cut applies to every request of the blob, resumed ones (Range) included,
 * so the download can never complete: a cut that cannot resume.
 */
public final class FaultProxy implements AutoCloseable {
    public enum Fault { CUT, HOLD }

    private final String upstreamHost;
    private final int upstreamPort;
    private final ServerSocket server;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final CountDownLatch released = new CountDownLatch(1);
    private final CountDownLatch faulted = new CountDownLatch(1);
    private final AtomicInteger faults = new AtomicInteger();
    private volatile String blobPath;
    private volatile Fault fault;
    private volatile long offset;

    private FaultProxy(String upstreamHostPort) throws IOException {
        int colon = upstreamHostPort.lastIndexOf(':');
        upstreamHost = upstreamHostPort.substring(0, colon);
        upstreamPort = Integer.parseInt(upstreamHostPort.substring(colon + 1));
        server = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
        Thread.ofPlatform().daemon().name("fault-proxy-accept").start(this::acceptLoop);
    }

    /** A proxy on 127.0.0.1 in front of the registry at {@code upstreamHostPort}. */
    public static FaultProxy start(String upstreamHostPort) throws IOException {
        return new FaultProxy(upstreamHostPort);
    }

    /** {@code 127.0.0.1:PORT}: the registry part of image references that go through the proxy. */
    public String hostPort() {
        return "127.0.0.1:" + server.getLocalPort();
    }

    /** From now on, GETs whose path ends with {@code blob} (e.g. "sha256:ab...") break at blob offset {@code at}. */
    public FaultProxy fault(String blob, Fault kind, long at) {
        blobPath = "/blobs/" + blob;
        fault = kind;
        offset = at;
        return this;
    }

    /** Waits until a fault happened (a body was cut or is held); false on timeout. */
    public boolean awaitFault(Duration timeout) throws InterruptedException {
        return faulted.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** How many answers were cut or held so far. */
    public int faults() {
        return faults.get();
    }

    /** Lets held bodies go on. */
    public void release() {
        released.countDown();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                sockets.add(client);
                Thread.ofPlatform().daemon().name("fault-proxy-conn").start(() -> serve(client));
            } catch (IOException closed) {
                return;
            }
        }
    }

    private void serve(Socket client) {
        try (client; Socket up = new Socket()) {
            sockets.add(up);
            InputStream cin = client.getInputStream();
            String head = readHead(cin);
            if (head == null) return;
            String[] lines = head.split("\r\n");
            String[] requestLine = lines[0].split(" ");
            String method = requestLine[0], path = requestLine.length > 1 ? requestLine[1] : "";
            StringBuilder out = new StringBuilder(lines[0]).append("\r\n");
            long bodyLength = 0, rangeStart = 0;
            for (int i = 1; i < lines.length; i++) {
                String l = lines[i];
                String lower = l.toLowerCase(Locale.ROOT);
                if (lower.startsWith("connection:")) continue;
                if (lower.startsWith("content-length:")) bodyLength = Long.parseLong(l.substring(15).trim());
                if (lower.startsWith("range:") && lower.contains("bytes=")) {
                    String spec = lower.substring(lower.indexOf("bytes=") + 6);
                    rangeStart = Long.parseLong(spec.substring(0, spec.indexOf('-')).trim());
                }
                out.append(l).append("\r\n");
            }
            // one request per connection: the answer ends where the registry closes it
            out.append("Connection: close\r\n\r\n");
            up.connect(new InetSocketAddress(upstreamHost, upstreamPort));
            OutputStream uout = up.getOutputStream();
            uout.write(out.toString().getBytes(StandardCharsets.ISO_8859_1));
            uout.write(cin.readNBytes((int) bodyLength)); // a pull's requests carry no body; a small one at most
            uout.flush();
            String target = blobPath;
            boolean faulty = target != null && method.equals("GET") && path.endsWith(target);
            relay(up.getInputStream(), client.getOutputStream(), faulty ? Math.max(0, offset - rangeStart) : -1);
        } catch (IOException | InterruptedException ignored) {
            // a side closed: so does the other
        }
    }

    /** Copies the answer; with {@code bodyLimit} >= 0 only that many body bytes, then the fault. */
    private void relay(InputStream in, OutputStream out, long bodyLimit) throws IOException, InterruptedException {
        if (bodyLimit < 0) {
            in.transferTo(out);
            return;
        }
        String head = readHead(in);
        if (head == null) return;
        out.write(head.getBytes(StandardCharsets.ISO_8859_1));
        byte[] buf = new byte[8192];
        long passed = 0;
        while (passed < bodyLimit) {
            int n = in.read(buf, 0, (int) Math.min(buf.length, bodyLimit - passed));
            if (n < 0) return;
            out.write(buf, 0, n);
            passed += n;
        }
        out.flush();
        faults.incrementAndGet();
        faulted.countDown();
        if (fault == Fault.CUT) return; // closing both sockets: the client sees the body end early
        released.await();
        in.transferTo(out);
    }

    /** The header block up to and including the empty line, or null at EOF. */
    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int state = 0;
        while (state < 4) {
            int c = in.read();
            if (c < 0) return null;
            b.write(c);
            state = (c == '\r' && (state == 0 || state == 2)) || (c == '\n' && (state == 1 || state == 3)) ? state + 1 : (c == '\r' ? 1 : 0);
        }
        return b.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() throws IOException {
        release();
        server.close();
        for (Socket s : sockets) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }
}
