package org.lvs4j.shell.internal;

import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.lvs4j.ipvsadm.TableStore;
import org.lvs4j.shell.ctl.CtlProtocol;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.FrameworkListener;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The control socket {@code STATE/ctl.sock} behind {@code ./lvs4j ctl} (protocol: {@link CtlProtocol}).
 *
 * <p>It appears only when the director is ready: once the table has been restored (the {@link TableStore} service
 * exists) and the framework has started with every bundle active, so a script that waits for the socket may use the
 * director at once. It is bound under a temporary name in a private directory, made 0600, and then renamed into
 * place: it never exists with looser permissions or before it accepts.
 */
@Component(immediate = true)
public class CtlServer {

    public static final String SOCKET = "ctl.sock";
    private static final Logger LOG = LoggerFactory.getLogger(CtlServer.class);
    /** How long to wait for every bundle to be active before opening the socket anyway. */
    private static final long READY_TIMEOUT_MS = 120_000;

    private final BundleContext context;
    private final ShellCommands commands;
    private final Path socket;
    private final CountDownLatch started = new CountDownLatch(1);
    private final FrameworkListener listener;
    private volatile ServerSocketChannel server;
    private volatile boolean closed;
    private final Thread acceptor;

    @Activate
    public CtlServer(BundleContext context, @Reference ShellCommands commands, @Reference TableStore store) {
        this.context = context;
        this.commands = commands;
        String dir = context.getProperty("lvs4j.state.dir");
        this.socket = dir == null ? null : Path.of(dir).resolve(SOCKET).toAbsolutePath();
        this.listener = e -> {
            if (e.getType() == FrameworkEvent.STARTED) {
                started.countDown();
            }
        };
        if (socket == null) {
            LOG.warn("no lvs4j.state.dir property: no control socket");
            acceptor = null;
            return;
        }
        context.addFrameworkListener(listener);
        acceptor = Thread.ofPlatform().name("lvs4j-ctl").daemon().start(this::serve);
    }

    @Deactivate
    void deactivate() {
        closed = true;
        context.removeFrameworkListener(listener);
        ServerSocketChannel s = server;
        if (s != null) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
        if (acceptor != null) {
            acceptor.interrupt();
        }
        if (socket != null && s != null) {
            try {
                Files.deleteIfExists(socket);
            } catch (IOException e) {
                LOG.warn("cannot remove {}", socket, e);
            }
        }
    }

    private void serve() {
        try {
            awaitReady();
            if (closed) {
                return;
            }
            server = bind();
            LOG.info("control socket {} ready", socket);
            while (!closed) {
                SocketChannel ch = server.accept();
                Thread.ofVirtual().name("lvs4j-ctl-client").start(() -> handle(ch));
            }
        } catch (ClosedChannelException e) {
            // deactivated
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            if (!closed) {
                LOG.error("control socket {} failed", socket, e);
            }
        }
    }

    /**
     * Waits until the framework has started and then until every bundle is active (fragments are only resolved); a
     * bundle that failed to start is logged and does not keep the socket closed.
     */
    private void awaitReady() throws InterruptedException {
        if (context.getBundle(0).getState() == Bundle.ACTIVE) {
            started.countDown(); // the framework started before this component came up
        }
        if (!started.await(READY_TIMEOUT_MS, TimeUnit.MILLISECONDS)) {
            LOG.warn("framework not started after {} ms; opening the control socket anyway", READY_TIMEOUT_MS);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        List<String> waiting = inactiveBundles();
        while (!waiting.isEmpty() && !closed && System.nanoTime() < deadline) {
            Thread.sleep(20);
            waiting = inactiveBundles();
        }
        if (!waiting.isEmpty()) {
            LOG.warn("bundles not active: {}; opening the control socket anyway", waiting);
        }
    }

    private List<String> inactiveBundles() {
        List<String> out = new ArrayList<>();
        for (Bundle b : context.getBundles()) {
            boolean fragment = b.getHeaders().get(Constants.FRAGMENT_HOST) != null;
            if (!fragment && b.getState() != Bundle.ACTIVE) {
                out.add(b.getSymbolicName());
            }
        }
        return out;
    }

    private ServerSocketChannel bind() throws IOException {
        Path dir = socket.getParent();
        Files.createDirectories(dir);
        try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            probe.connect(UnixDomainSocketAddress.of(socket));
            throw new IOException("another director is listening on " + socket);
        } catch (IOException e) {
            if (e.getMessage() != null && e.getMessage().startsWith("another director")) {
                throw e;
            }
            Files.deleteIfExists(socket); // left over from a crash
        }
        Path staging = Files.createTempDirectory(dir, ".ctl-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Path tmp = staging.resolve(SOCKET);
        ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        s.bind(UnixDomainSocketAddress.of(tmp));
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
        Files.move(tmp, socket, StandardCopyOption.ATOMIC_MOVE);
        Files.delete(staging);
        return s;
    }

    private void handle(SocketChannel ch) {
        try (ch) {
            DataInputStream in = new DataInputStream(Channels.newInputStream(ch));
            OutputStream raw = Channels.newOutputStream(ch);
            CtlProtocol.Frame first = CtlProtocol.read(in);
            if (first == null || first.type() != CtlProtocol.ARGS) {
                return;
            }
            List<String> argv = CtlProtocol.decodeArgs(first.payload());
            PrintStream out = new PrintStream(new FrameOutputStream(raw, CtlProtocol.STDOUT), false,
                    StandardCharsets.UTF_8);
            PrintStream err = new PrintStream(new FrameOutputStream(raw, CtlProtocol.STDERR), false,
                    StandardCharsets.UTF_8);
            int code;
            try {
                code = commands.dispatch(argv, new FrameInputStream(in), out, err);
            } catch (RuntimeException e) {
                LOG.error("ctl command {} failed", argv, e);
                err.println("lvs4j: internal error: " + e);
                code = 70;
            }
            out.flush();
            err.flush();
            synchronized (raw) {
                CtlProtocol.write(raw, CtlProtocol.EXIT, CtlProtocol.encodeInt(code));
                raw.flush();
            }
        } catch (IOException e) {
            LOG.debug("ctl client went away", e);
        }
    }

    /** Command output as frames of one type, buffered and sent on flush. */
    private static final class FrameOutputStream extends OutputStream {
        private final OutputStream raw;
        private final byte type;
        private final BufferedOutputStream buffer;

        FrameOutputStream(OutputStream raw, byte type) {
            this.raw = raw;
            this.type = type;
            this.buffer = new BufferedOutputStream(new OutputStream() {
                @Override
                public void write(int b) throws IOException {
                    write(new byte[] {(byte) b}, 0, 1);
                }

                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    synchronized (raw) {
                        CtlProtocol.write(raw, type, b, off, len);
                        raw.flush();
                    }
                }
            }, 16384);
        }

        @Override
        public void write(int b) throws IOException {
            buffer.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            buffer.write(b, off, len);
        }

        @Override
        public void flush() throws IOException {
            buffer.flush();
        }
    }

    /** The client's stdin, read from its frames only when the command asks for it. */
    private static final class FrameInputStream extends InputStream {
        private final DataInputStream in;
        private byte[] current = new byte[0];
        private int pos;
        private boolean eof;

        FrameInputStream(DataInputStream in) {
            this.in = in;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            while (pos >= current.length) {
                if (eof) {
                    return -1;
                }
                CtlProtocol.Frame f = CtlProtocol.read(in);
                if (f == null || f.type() == CtlProtocol.STDIN_END) {
                    eof = true;
                    return -1;
                }
                if (f.type() != CtlProtocol.STDIN) {
                    throw new IOException("unexpected ctl frame " + (char) f.type());
                }
                current = f.payload();
                pos = 0;
            }
            int n = Math.min(len, current.length - pos);
            System.arraycopy(current, pos, b, off, n);
            pos += n;
            return n;
        }
    }
}
