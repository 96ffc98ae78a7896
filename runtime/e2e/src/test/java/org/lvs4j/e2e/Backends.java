package org.lvs4j.e2e;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Real backends on loopback addresses. HTTP/1.1 ones answer every request with their name and a newline, one request
 * per connection; greeting ones write their name and a newline as soon as a connection arrives and keep it open
 * until the client closes it, so tests can hold connections and see where each went. {@link Backend#kill()} stops
 * one abruptly, as a crashed server would.
 */
final class Backends implements AutoCloseable {

    private final List<Backend> all = new ArrayList<>();

    /** One backend. */
    static final class Backend {
        final String name;
        final InetSocketAddress address;
        private final ServerSocket server;
        private final Set<Socket> open = ConcurrentHashMap.newKeySet();

        private final boolean greets;
        private final Thread acceptor;

        Backend(String name, InetSocketAddress address, boolean greets) throws IOException {
            this.name = name;
            this.address = address;
            this.greets = greets;
            this.server = new ServerSocket();
            server.setReuseAddress(true);
            server.bind(address, 512);
            acceptor = Thread.ofPlatform().daemon().name("backend-" + name).start(this::serve);
        }

        private void serve() {
            byte[] response = ("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " + (name.length() + 1)
                    + "\r\nConnection: close\r\n\r\n" + name + "\n").getBytes(StandardCharsets.US_ASCII);
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    open.add(s);
                    Thread.ofVirtual().start(() -> {
                        try (s) {
                            InputStream in = s.getInputStream();
                            if (greets) {
                                s.getOutputStream().write((name + "\n").getBytes(StandardCharsets.US_ASCII));
                                while (in.read() >= 0) {
                                    // held until the client closes
                                }
                                return;
                            }
                            int state = 0; // matches \r\n\r\n
                            int c;
                            while (state < 4 && (c = in.read()) >= 0) {
                                state = (c == (state % 2 == 0 ? '\r' : '\n')) ? state + 1 : (c == '\r' ? 1 : 0);
                            }
                            OutputStream out = s.getOutputStream();
                            out.write(response);
                            out.flush();
                        } catch (IOException e) {
                            // killed, or the client went away
                        } finally {
                            open.remove(s);
                        }
                    });
                } catch (IOException e) {
                    return;
                }
            }
        }

        /** Stops listening; connections already open go on (a server whose listener died, or that was drained). */
        void stopListening() throws IOException {
            server.close();
            // A listener closed while a thread is blocked in accept() stays open in the kernel until that thread
            // wakes, still completing handshakes; once the acceptor is gone no new client reaches this server.
            try {
                acceptor.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        /** Stops listening and cuts every open connection. */
        void kill() throws IOException {
            stopListening();
            for (Socket s : open) {
                s.setSoLinger(true, 0);
                s.close();
            }
        }
    }

    Backend start(String name, String address, int port) throws IOException {
        Backend b = new Backend(name, new InetSocketAddress(InetAddress.getByName(address), port), false);
        all.add(b);
        return b;
    }

    /** A backend that greets each connection with its name and holds it open. */
    Backend greeter(String name, String address, int port) throws IOException {
        Backend b = new Backend(name, new InetSocketAddress(InetAddress.getByName(address), port), true);
        all.add(b);
        return b;
    }

    /**
     * Connects from {@code source} (a loopback address, any port) to {@code address:port} and reads a greeter's
     * name; the connection is returned open. A connection the director resets yields null as name.
     */
    static Greeted greet(String source, String address, int port) throws IOException {
        Socket s = new Socket();
        try {
            s.setSoLinger(true, 0); // closed with RST: thousands of test connections leave no TIME_WAIT behind
            s.bind(new InetSocketAddress(InetAddress.getByName(source), 0));
            try {
                s.connect(new InetSocketAddress(InetAddress.getByName(address), port), 5000);
            } catch (java.net.SocketException reset) {
                if (!String.valueOf(reset.getMessage()).contains("reset")) {
                    throw reset;
                }
                return new Greeted(s, null); // reset before the handshake was seen to complete
            }
            s.setSoTimeout(10_000);
            StringBuilder line = new StringBuilder();
            InputStream in = s.getInputStream();
            int c;
            try {
                while ((c = in.read()) >= 0 && c != '\n') {
                    line.append((char) c);
                }
            } catch (java.net.SocketException reset) {
                c = -1;
            }
            return new Greeted(s, c == '\n' ? line.toString() : null);
        } catch (IOException e) {
            s.close();
            throw e;
        }
    }

    /** An open connection and the name of the backend that greeted it (null when none did). */
    record Greeted(Socket socket, String name) implements AutoCloseable {
        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    /** One HTTP request with {@code Connection: close}; returns the body's first line, or throws. */
    static String get(String address, int port) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getByName(address), port), 5000);
            s.setSoTimeout(10_000);
            s.getOutputStream().write(("GET / HTTP/1.1\r\nHost: " + address + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            String text = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            int body = text.indexOf("\r\n\r\n");
            if (!text.startsWith("HTTP/1.1 200 ") || body < 0 || !text.endsWith("\n")) {
                throw new IOException("bad response: " + text);
            }
            return text.substring(body + 4).trim();
        }
    }

    @Override
    public void close() throws IOException {
        for (Backend b : all) {
            b.kill();
        }
    }
}
