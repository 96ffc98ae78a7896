package org.lvs4j.health.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIMatcher;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lvs4j.api.Protocol;
import org.lvs4j.api.health.CheckResult;
import org.lvs4j.api.health.CheckTarget;

/**
 * The http check against real sockets: well-behaved servers (plain and TLS with SNI), and the hostile ones of
 * RELIABILITY.md F9/F10: silent, garbage, a 64 KiB status line, a bad status code, no CRLF, a slow trickle.
 */
class HttpCheckTest {

    @TempDir
    Path tmp;

    private final HttpCheck check = new HttpCheck();
    private final List<ServerSocket> servers = new CopyOnWriteArrayList<>();
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private final List<String> sniNames = new CopyOnWriteArrayList<>();

    /** What a test server does with one accepted connection. */
    interface Behaviour {
        void serve(Socket s) throws Exception;
    }

    @AfterEach
    void close() throws IOException {
        for (ServerSocket s : servers) {
            s.close();
        }
    }

    private InetSocketAddress serve(ServerSocket ss, Behaviour b) {
        servers.add(ss);
        Thread.ofPlatform().daemon().start(() -> {
            while (!ss.isClosed()) {
                try {
                    Socket s = ss.accept();
                    Thread.ofVirtual().start(() -> {
                        try (s) {
                            b.serve(s);
                        } catch (Exception e) {
                            // the check went away
                        }
                    });
                } catch (IOException e) {
                    return;
                }
            }
        });
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), ss.getLocalPort());
    }

    private InetSocketAddress server(Behaviour b) throws IOException {
        return serve(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()), b);
    }

    private String readRequest(Socket s) throws IOException {
        InputStream in = s.getInputStream();
        StringBuilder b = new StringBuilder();
        int c;
        while (!b.toString().endsWith("\r\n\r\n") && (c = in.read()) >= 0) {
            b.append((char) c);
        }
        requests.add(b.toString());
        return b.toString();
    }

    private Behaviour answer(String reply) {
        return s -> {
            readRequest(s);
            OutputStream out = s.getOutputStream();
            out.write(reply.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
        };
    }

    private CheckResult run(InetSocketAddress server, Map<String, String> params, Duration timeout)
            throws Exception {
        CheckTarget t = new CheckTarget(Protocol.TCP, server, new InetSocketAddress("127.7.1.1", 80));
        return check.check(t, params, Instant.now().plus(timeout)).toCompletableFuture()
                .get(timeout.toMillis() + 2000, TimeUnit.MILLISECONDS);
    }

    private static Map<String, String> http(String request, String receive) {
        return Map.of("service", "http", "request", request, "receive", receive, "httpmethod", "GET");
    }

    @Test
    void twoHundredWithTheReceivePatternIsUp() throws Exception {
        InetSocketAddress a = server(answer("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n"
                + "<html><title>Test Page</title></html>"));
        CheckResult r = run(a, Map.of("service", "http", "request", "/.testpage", "receive", "Test Page",
                "virtualhost", "www.example.com", "httpmethod", "GET"), Duration.ofSeconds(2));
        assertTrue(r.up(), r.reason());
        assertEquals("HTTP 200, receive matched", r.reason());
        assertTrue(requests.get(0).startsWith("GET /.testpage HTTP/1.0\r\n"), requests.get(0));
        assertTrue(requests.get(0).contains("\r\nHost: www.example.com\r\n"), requests.get(0));
    }

    @Test
    void receiveIsARegularExpressionFoundInTheBody() throws Exception {
        InetSocketAddress a = server(answer("HTTP/1.0 200 OK\r\n\r\nstatus: ok 42\n"));
        assertTrue(run(a, http("/", "ok \\d+"), Duration.ofSeconds(2)).up());
        CheckResult r = run(a, http("/", "Test Page"), Duration.ofSeconds(2));
        assertFalse(r.up());
        assertEquals("HTTP 200 but no match for \"Test Page\" in the reply", r.reason());
    }

    @Test
    void statusOutsideTwoHundredsIsDown() throws Exception {
        InetSocketAddress a = server(answer("HTTP/1.1 503 Service Unavailable\r\n\r\nTest Page"));
        CheckResult r = run(a, http("/", "Test Page"), Duration.ofSeconds(2));
        assertFalse(r.up());
        assertEquals("HTTP 503", r.reason());
    }

    @Test
    void headSendsHeadAndIgnoresReceive() throws Exception {
        InetSocketAddress a = server(answer("HTTP/1.1 204 No Content\r\n\r\n"));
        CheckResult r = run(a, Map.of("service", "http", "request", "/x", "receive", "never", "httpmethod", "HEAD"),
                Duration.ofSeconds(2));
        assertTrue(r.up(), r.reason());
        assertTrue(requests.get(0).startsWith("HEAD /x HTTP/1.0\r\n"));
    }

    @Test
    void refusedConnectionIsDownAtOnce() throws Exception {
        ServerSocket ss = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        int port = ss.getLocalPort();
        ss.close();
        long t0 = System.nanoTime();
        CheckResult r = run(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), http("/", ""),
                Duration.ofSeconds(3));
        assertFalse(r.up());
        assertEquals("connection refused", r.reason());
        assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(1));
    }

    /** F9: accepts and never answers. F10: garbage, 64 KiB status line, bad code, no CRLF, slow trickle. */
    @Test
    void hostileServersAreDownWithinTheTimeout() throws Exception {
        byte[] garbage = new byte[3000];
        new Random(3).nextBytes(garbage);
        Map<String, Behaviour> hostile = new java.util.LinkedHashMap<>();
        hostile.put("silent", s -> {
            readRequest(s);
            Thread.sleep(10_000);
        });
        hostile.put("garbage", s -> {
            readRequest(s);
            s.getOutputStream().write(garbage);
        });
        hostile.put("64 KiB status line", s -> {
            readRequest(s);
            byte[] line = new byte[65536];
            java.util.Arrays.fill(line, (byte) 'A');
            OutputStream out = s.getOutputStream();
            out.write("HTTP/1.1 200 ".getBytes(StandardCharsets.ISO_8859_1));
            out.write(line);
        });
        hostile.put("HTTP/1.1 99999", answer("HTTP/1.1 99999 Weird\r\n\r\nTest Page"));
        hostile.put("no CRLF", answer("HTTP/1.1 200 OK Test Page"));
        hostile.put("slow trickle", s -> {
            readRequest(s);
            OutputStream out = s.getOutputStream();
            for (byte b : "HTTP/1.1 200 OK\r\n\r\nTest Page".getBytes(StandardCharsets.ISO_8859_1)) {
                out.write(b);
                out.flush();
                Thread.sleep(300);
            }
        });
        for (Map.Entry<String, Behaviour> e : hostile.entrySet()) {
            InetSocketAddress a = server(e.getValue());
            long t0 = System.nanoTime();
            CheckResult r = run(a, http("/", "Test Page"), Duration.ofMillis(1500));
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertFalse(r.up(), e.getKey() + ": " + r.reason());
            assertTrue(ms < 1500 + 500, e.getKey() + " took " + ms + " ms");
        }
    }

    @Test
    void repliesAreReadOnlyUpToEightKilobytes() throws Exception {
        long[] sent = {0};
        InetSocketAddress a = server(s -> {
            readRequest(s);
            OutputStream out = s.getOutputStream();
            out.write("HTTP/1.1 200 OK\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            byte[] chunk = new byte[16384];
            for (int i = 0; i < 1000; i++) {
                out.write(chunk);
                sent[0] += chunk.length;
            }
        });
        CheckResult r = run(a, http("/", "never there"), Duration.ofSeconds(3));
        assertFalse(r.up());
        assertEquals("HTTP 200 but no match for \"never there\" in the first 8192 bytes", r.reason());
        assertTrue(sent[0] < 16 << 20, "the check stopped reading: the server got stuck writing, " + sent[0]);
    }

    /** F10: ten thousand checks against a garbage-spewing server leave less than 5 MB behind. */
    @Test
    void tenThousandGarbageChecksLeaveTheHeapAsItWas() throws Exception {
        byte[] garbage = new byte[6000];
        new Random(4).nextBytes(garbage);
        InetSocketAddress a = server(s -> {
            s.getOutputStream().write(garbage);
            s.shutdownOutput();
            s.getInputStream().readAllBytes();
        });
        java.lang.management.MemoryMXBean mem = java.lang.management.ManagementFactory.getMemoryMXBean();
        for (int i = 0; i < 200; i++) {
            run(a, http("/", "Test Page"), Duration.ofSeconds(2)); // warm up
        }
        System.gc();
        long before = mem.getHeapMemoryUsage().getUsed();
        for (int i = 0; i < 10_000; i++) {
            CheckResult r = run(a, http("/", "Test Page"), Duration.ofSeconds(2));
            assertFalse(r.up());
        }
        requests.clear();
        System.gc();
        long grown = mem.getHeapMemoryUsage().getUsed() - before;
        assertTrue(grown < 5 << 20, "heap grew by " + grown / 1024 + " KiB over 10,000 checks");
    }

    /** F10's parser fuzz: 100,000 random replies, no exception, none over 50 ms. */
    @Test
    void replyParserFuzz() throws Exception {
        Random rnd = new Random(10);
        String[] seeds = {"HTTP/1.1 200 OK\r\n\r\nTest Page", "HTTP/1.0 301 Moved\r\nLocation: /\r\n\r\n",
            "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nTest"};
        long worst = 0;
        for (int i = 0; i < 100_000; i++) {
            byte[] reply;
            if (rnd.nextBoolean()) {
                reply = new byte[rnd.nextInt(300)];
                rnd.nextBytes(reply);
            } else {
                StringBuilder b = new StringBuilder(seeds[rnd.nextInt(seeds.length)]);
                for (int e = rnd.nextInt(5); e >= 0; e--) {
                    int at = rnd.nextInt(b.length());
                    b.setCharAt(at, (char) rnd.nextInt(256));
                }
                reply = b.toString().getBytes(StandardCharsets.ISO_8859_1);
            }
            long t0 = System.nanoTime();
            CheckResult r = check.judge(reply, rnd.nextBoolean() ? "Test (Page|Pa+ge)" : null,
                    Instant.now().plusSeconds(1));
            worst = Math.max(worst, System.nanoTime() - t0);
            assertTrue(r.reason() != null && !r.reason().isEmpty());
        }
        assertTrue(worst < TimeUnit.MILLISECONDS.toNanos(50), "slowest reply took " + worst / 1000 + " us");
    }

    @Test
    void httpsSendsSniAndAcceptsASelfSignedCertificate() throws Exception {
        Path ks = tmp.resolve("ks.p12");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "rs", "-keyalg", "EC", "-dname", "CN=rs.example", "-validity", "2",
                "-storetype", "PKCS12", "-keystore", ks.toString(), "-storepass", "secret", "-keypass", "secret")
                .redirectErrorStream(true).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, new String(p.getInputStream()
                .readAllBytes()));
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(ks)) {
            store.load(in, "secret".toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(store, "secret".toCharArray());
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), null, null);
        SSLServerSocket ss = (SSLServerSocket) ctx.getServerSocketFactory().createServerSocket(0, 50,
                InetAddress.getLoopbackAddress());
        SSLParameters params = ss.getSSLParameters();
        params.setSNIMatchers(List.of(new SNIMatcher(0) {
            @Override
            public boolean matches(SNIServerName name) {
                sniNames.add(((SNIHostName) name).getAsciiName());
                return true;
            }
        }));
        ss.setSSLParameters(params);
        InetSocketAddress a = serve(ss, answer("HTTP/1.1 200 OK\r\n\r\nTest Page"));
        CheckResult r = run(a, Map.of("service", "https", "request", "/", "receive", "Test Page",
                "virtualhost", "shop.example.com", "httpmethod", "GET"), Duration.ofSeconds(5));
        assertTrue(r.up(), r.reason());
        assertEquals(List.of("shop.example.com"), sniNames);
        assertTrue(requests.get(0).contains("\r\nHost: shop.example.com\r\n"));
    }
}
