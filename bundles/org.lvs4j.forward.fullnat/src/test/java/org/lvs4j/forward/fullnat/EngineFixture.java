package org.lvs4j.forward.fullnat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;

import org.lvs4j.api.Engine;
import org.lvs4j.api.ForwardMethod;
import org.lvs4j.api.Protocol;
import org.lvs4j.api.RealServerConfig;
import org.lvs4j.api.ServiceConfig;
import org.lvs4j.api.ServiceKey;
import org.lvs4j.api.TableChange;
import org.lvs4j.api.TableException;
import org.lvs4j.director.internal.Clock;
import org.lvs4j.director.internal.Table;
import org.lvs4j.director.internal.TableDirector;
import org.lvs4j.netty.internal.NettyComponent;
import org.lvs4j.scheduler.rr.RoundRobinScheduler;

/**
 * A real director table, real event loops and the socket engine, wired as in the appliance but without OSGi, plus
 * real backends on loopback: TCP servers that answer with their name, and UDP echoes.
 */
final class EngineFixture implements AutoCloseable {

    final Table table = new Table(Clock.SYSTEM, InetAddress::isLoopbackAddress);
    final TableDirector director = new TableDirector(table);
    final NettyComponent netty = new NettyComponent(2);
    final SocketEngine engine;
    final RoundRobinScheduler rr = new RoundRobinScheduler();
    private final List<AutoCloseable> resources = new CopyOnWriteArrayList<>();
    private final ExecutorService threads = Executors.newCachedThreadPool();

    EngineFixture() {
        this(null);
    }

    EngineFixture(Integer maxConnections) {
        table.addScheduler("rr", rr, 0, 1);
        engine = new SocketEngine(table, netty, netty, director, null, maxConnections);
        table.addBinder(Engine.SOCKET, engine);
        table.addForwarder(ForwardMethod.FULLNAT);
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    static double slack() {
        return Math.max(1.0, Double.parseDouble(System.getProperty("test.slack", "1")));
    }

    static void await(BooleanSupplier condition, Duration timeout, String what) throws InterruptedException {
        long deadline = System.nanoTime() + (long) (timeout.toNanos() * slack());
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(5);
        }
    }

    ServiceKey service(Protocol protocol, int port, String scheduler, boolean onePacket) throws TableException {
        ServiceKey key = new ServiceKey(protocol, InetAddress.getLoopbackAddress(), port);
        ServiceConfig c = ServiceConfig.of(key, scheduler);
        table.apply(new TableChange.AddService(new ServiceConfig(key, scheduler, 0, false, 0, c.netmask(), null,
                onePacket), true));
        return key;
    }

    void server(ServiceKey key, int port, int weight) throws TableException {
        table.apply(new TableChange.AddRealServer(key,
                RealServerConfig.of(InetAddress.getLoopbackAddress(), port, ForwardMethod.FULLNAT, weight)));
    }

    /** A TCP backend that reads a request line and answers {@code name} and a newline, then closes. */
    int nameServer(String name) throws IOException {
        ServerSocket s = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
        resources.add(s);
        threads.execute(() -> {
            while (!s.isClosed()) {
                try {
                    Socket c = s.accept();
                    threads.execute(() -> {
                        try (c) {
                            InputStream in = c.getInputStream();
                            while (in.read() != '\n') {
                                // request line
                            }
                            c.getOutputStream().write((name + "\n").getBytes(StandardCharsets.US_ASCII));
                        } catch (IOException e) {
                            // client went away
                        }
                    });
                } catch (IOException e) {
                    return;
                }
            }
        });
        return s.getLocalPort();
    }

    /** A TCP backend that runs {@code handler} on each accepted socket. */
    int server(SocketHandler handler) throws IOException {
        ServerSocket s = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
        resources.add(s);
        threads.execute(() -> {
            while (!s.isClosed()) {
                try {
                    Socket c = s.accept();
                    threads.execute(() -> {
                        try (c) {
                            handler.handle(c);
                        } catch (IOException e) {
                            // client went away
                        }
                    });
                } catch (IOException e) {
                    return;
                }
            }
        });
        return s.getLocalPort();
    }

    interface SocketHandler {
        void handle(Socket s) throws IOException;
    }

    /** A UDP backend that answers every datagram with {@code name:} and the datagram. */
    int udpEcho(String name) throws SocketException {
        DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress());
        resources.add(s);
        threads.execute(() -> {
            byte[] buf = new byte[2048];
            while (!s.isClosed()) {
                try {
                    DatagramPacket p = new DatagramPacket(buf, buf.length);
                    s.receive(p);
                    byte[] out = (name + ":" + new String(p.getData(), 0, p.getLength(), StandardCharsets.US_ASCII))
                            .getBytes(StandardCharsets.US_ASCII);
                    s.send(new DatagramPacket(out, out.length, p.getSocketAddress()));
                } catch (IOException e) {
                    return;
                }
            }
        });
        return s.getLocalPort();
    }

    /** One request through the proxy: sends a line, returns the answer line (trimmed). */
    static String request(int port) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5000);
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write("GET\n".getBytes(StandardCharsets.US_ASCII));
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
        }
    }

    List<String> requests(int port, int n) throws IOException {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(request(port));
        }
        return out;
    }

    void closeResource(AutoCloseable c) throws Exception {
        resources.remove(c);
        c.close();
    }

    List<AutoCloseable> resources() {
        return resources;
    }

    @Override
    public void close() throws Exception {
        for (AutoCloseable c : resources) {
            c.close();
        }
        threads.shutdownNow();
        for (var s : table.services()) {
            table.apply(new TableChange.DeleteService(s.key()));
        }
        netty.close();
    }
}
