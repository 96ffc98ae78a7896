package org.lvs4j.health.simpletcp;

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
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.lvs4j.api.Protocol;
import org.lvs4j.api.health.CheckResult;
import org.lvs4j.api.health.CheckTarget;

/** simpletcp: the request with \n expanded, a half-close, and a line matching receive. */
class SimpleTcpCheckTest {

    private final SimpleTcpCheck check = new SimpleTcpCheck();
    private final CopyOnWriteArrayList<String> received = new CopyOnWriteArrayList<>();

    interface Reply {
        void write(OutputStream out) throws Exception;
    }

    private int server(Reply reply) throws IOException {
        ServerSocket ss = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofPlatform().daemon().start(() -> {
            try (ss; Socket s = ss.accept()) {
                InputStream in = s.getInputStream();
                received.add(new String(in.readAllBytes(), StandardCharsets.ISO_8859_1)); // until the half-close
                reply.write(s.getOutputStream());
            } catch (Exception e) {
                // the check went away
            }
        });
        return ss.getLocalPort();
    }

    private CheckResult run(int port, String request, String receive, Duration timeout) throws Exception {
        CheckTarget t = new CheckTarget(Protocol.TCP, new InetSocketAddress(InetAddress.getLoopbackAddress(), port),
                new InetSocketAddress("127.7.1.1", port));
        return check.check(t, Map.of("request", request, "receive", receive), Instant.now().plus(timeout))
                .toCompletableFuture().get(timeout.toMillis() + 2000, TimeUnit.MILLISECONDS);
    }

    @Test
    void aMatchingLineAfterTheHalfCloseIsUp() throws Exception {
        int port = server(out -> out.write("+OK ready\r\nSTATUS healthy\r\n".getBytes(StandardCharsets.US_ASCII)));
        CheckResult r = run(port, "PING\\nSTATUS\\n", "^STATUS h", Duration.ofSeconds(2));
        assertTrue(r.up(), r.reason());
        assertEquals("PING\nSTATUS\n", received.get(0), "\\n sent as newlines, then the sending half closed");
    }

    @Test
    void noMatchingLineIsDown() throws Exception {
        int port = server(out -> out.write("ERR busy\n".getBytes(StandardCharsets.US_ASCII)));
        CheckResult r = run(port, "PING\\n", "^OK", Duration.ofSeconds(2));
        assertFalse(r.up());
        assertEquals("no line matched \"^OK\"", r.reason());
    }

    @Test
    void aTrickleEndsAtTheTimeout() throws Exception {
        int port = server(out -> {
            for (int i = 0; i < 100; i++) {
                out.write('x');
                out.flush();
                Thread.sleep(200);
            }
        });
        long t0 = System.nanoTime();
        CheckResult r = run(port, "", "OK", Duration.ofMillis(800));
        assertFalse(r.up());
        assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0) < 1500);
    }
}
