package oci.registry;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import javax.net.SocketFactory;

/**
 * Sockets whose input is read in large pieces. okio (under OkHttp) reads a socket at most one 8 KiB
 * segment at a time, which for a 300 MB blob is some 40,000 read system calls; behind a 256 KiB
 * buffer the same bytes arrive in a few thousand. TLS sockets are layered on these, so they gain too.
 */
final class BufferedSocketFactory extends SocketFactory {
    static final int BUFFER = 256 * 1024;

    @Override
    public Socket createSocket() {
        return new BufferedSocket();
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
        return connected(new InetSocketAddress(host, port));
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
        Socket s = new BufferedSocket();
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
        Socket s = new BufferedSocket();
        s.bind(new InetSocketAddress(localAddress, localPort));
        s.connect(new InetSocketAddress(address, port));
        return s;
    }

    private static Socket connected(InetSocketAddress to) throws IOException {
        Socket s = new BufferedSocket();
        s.connect(to);
        return s;
    }

    private static final class BufferedSocket extends Socket {
        private InputStream in;

        @Override
        public synchronized InputStream getInputStream() throws IOException {
            // One stream per socket: every caller must see the same buffer, or bytes would be lost.
            if (in == null) in = new BufferedInputStream(super.getInputStream(), BUFFER);
            return in;
        }
    }
}
