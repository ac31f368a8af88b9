package oci.registry;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import javax.net.SocketFactory;

/**
 * Sockets whose input is read in large pieces, and which keep their own read timeout.
 *
 * <p>okio (under OkHttp) reads a socket at most one 8 KiB segment at a time, which for a 300 MB
 * blob is some 40,000 read system calls; behind a 256 KiB buffer the same bytes arrive in a few
 * thousand. TLS sockets are layered on these, so they gain too.
 *
 * <p>OkHttp's own read timeout arms okio's watchdog thread around every one of those 8 KiB reads
 * (a lock, a queue insert and often a thread wake-up each: ~0.14 s of CPU in a 300 MB pull on the
 * bench). So the client runs with OkHttp's read timeout off and HTTP/1.1 only, and the timeout is the
 * socket's SO_TIMEOUT instead: a blocking read that gets no byte for that long throws
 * SocketTimeoutException, as okio's would. The 0 OkHttp then sets means "the transport's timeout".
 */
final class BufferedSocketFactory extends SocketFactory {
    static final int BUFFER = 256 * 1024;

    private final int readTimeoutMillis;

    BufferedSocketFactory(int readTimeoutMillis) {
        if (readTimeoutMillis <= 0) throw new IllegalArgumentException("read timeout " + readTimeoutMillis);
        this.readTimeoutMillis = readTimeoutMillis;
    }

    @Override
    public Socket createSocket() throws IOException {
        return new BufferedSocket(readTimeoutMillis);
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
        return connected(new InetSocketAddress(host, port));
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
        Socket s = createSocket();
        s.bind(new InetSocketAddress(localHost, localPort));
        s.connect(new InetSocketAddress(host, port));
        return s;
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
        return connected(new InetSocketAddress(host, port));
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort) throws IOException {
        Socket s = createSocket();
        s.bind(new InetSocketAddress(localAddress, localPort));
        s.connect(new InetSocketAddress(address, port));
        return s;
    }

    private Socket connected(InetSocketAddress to) throws IOException {
        Socket s = createSocket();
        s.connect(to);
        return s;
    }

    private static final class BufferedSocket extends Socket {
        private final int readTimeoutMillis;
        private InputStream in;

        BufferedSocket(int readTimeoutMillis) throws IOException {
            this.readTimeoutMillis = readTimeoutMillis;
            super.setSoTimeout(readTimeoutMillis);
        }

        @Override
        public void setSoTimeout(int timeout) throws java.net.SocketException {
            super.setSoTimeout(timeout == 0 ? readTimeoutMillis : timeout);
        }

        @Override
        public synchronized InputStream getInputStream() throws IOException {
            // One stream per socket: every caller must see the same buffer, or bytes would be lost.
            if (in == null) in = new BufferedInputStream(super.getInputStream(), BUFFER);
            return in;
        }
    }
}
