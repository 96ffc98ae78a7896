/*
 * The ping check, as ldirectord's (Net::Ping, ICMP): an ICMP echo request to the real server; an echo reply from it
 * before checktimeout is up, silence is down.
 *
 * One socket per address family serves every ping check, with one reader thread that matches replies to waiting
 * checks by sequence number (and, on a raw socket, which also sees other programs' pings, by identifier): a thousand
 * servers pinged at once cost a thousand small map entries, not a thousand threads. The sockets are opened on first
 * use, so a system that allows neither ping nor raw sockets only fails the ping checks themselves, with the reason.
 */
package org.lvs4j.health.ping;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import org.lvs4j.api.health.CheckResult;
import org.lvs4j.api.health.CheckTarget;
import org.lvs4j.api.health.HealthCheck;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;

/** The {@code ping} check. */
@Component(property = HealthCheck.PROTOCOL + "=ping")
public class PingCheck implements HealthCheck {

    /** Our echo identifier on raw sockets (ping sockets get theirs from the kernel). */
    private static final int IDENT = (int) (ProcessHandle.current().pid() & 0xffff);

    private record Waiting(InetAddress to, long deadlineMillis, CompletableFuture<CheckResult> result) {
    }

    private final AtomicInteger sequence = new AtomicInteger();
    private final Map<Integer, Waiting> waiting = new ConcurrentHashMap<>();
    private final Family v4 = new Family(false);
    private final Family v6 = new Family(true);
    private volatile boolean closed;

    /** One address family's socket and reader. */
    private final class Family {
        final boolean ipv6;
        IcmpSocket socket;
        IOException failure;

        Family(boolean ipv6) {
            this.ipv6 = ipv6;
        }

        synchronized IcmpSocket socket() throws IOException {
            if (socket == null && failure == null) {
                try {
                    socket = IcmpSocket.open(ipv6);
                    Thread.ofPlatform().daemon().name("lvs4j-ping" + (ipv6 ? "6" : "")).start(() -> read(socket));
                } catch (IOException e) {
                    failure = e;
                }
            }
            if (failure != null) {
                throw failure;
            }
            return socket;
        }

        synchronized void close() {
            if (socket != null) {
                socket.close();
                socket = null;
            }
        }
    }

    @Override
    public CompletionStage<CheckResult> check(CheckTarget target, Map<String, String> params, Instant deadline) {
        InetAddress to = target.server().getAddress();
        CompletableFuture<CheckResult> f = new CompletableFuture<>();
        // The deadline ends the check even if the reader should stall.
        f.completeOnTimeout(CheckResult.down("no echo reply"),
                Math.max(1, java.time.Duration.between(Instant.now(), deadline).toMillis()),
                java.util.concurrent.TimeUnit.MILLISECONDS);
        int seq = sequence.incrementAndGet() & 0xffff;
        try {
            Family family = to instanceof Inet6Address ? v6 : v4;
            IcmpSocket s = family.socket();
            waiting.put(seq, new Waiting(to, deadline.toEpochMilli(), f));
            s.send(to, echo(family.ipv6, seq));
        } catch (IOException e) {
            waiting.remove(seq);
            f.complete(CheckResult.down(e.getMessage()));
        }
        return f;
    }

    /** An echo request: type 8 (128 for ICMPv6), our identifier and sequence, and a short payload. */
    static byte[] echo(boolean ipv6, int seq) {
        byte[] p = new byte[16];
        p[0] = (byte) (ipv6 ? 128 : 8);
        p[4] = (byte) (IDENT >>> 8);
        p[5] = (byte) IDENT;
        p[6] = (byte) (seq >>> 8);
        p[7] = (byte) seq;
        byte[] tag = "lvs4j-ping".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        System.arraycopy(tag, 0, p, 8, Math.min(tag.length, 8));
        if (!ipv6) {
            int sum = checksum(p);
            p[2] = (byte) (sum >>> 8);
            p[3] = (byte) sum;
        }
        return p; // the kernel computes ICMPv6 checksums itself
    }

    /** The Internet checksum (RFC 1071). */
    static int checksum(byte[] b) {
        long sum = 0;
        for (int i = 0; i + 1 < b.length; i += 2) {
            sum += ((b[i] & 0xff) << 8) | (b[i + 1] & 0xff);
        }
        if ((b.length & 1) != 0) {
            sum += (b[b.length - 1] & 0xff) << 8;
        }
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        return (int) (~sum & 0xffff);
    }

    private void read(IcmpSocket s) {
        while (!closed) {
            try {
                IcmpSocket.Received r = s.receive(100);
                if (r != null) {
                    reply(s, r);
                }
            } catch (IOException | RuntimeException | Error e) {
                if (closed) {
                    return;
                }
            }
            expire();
        }
    }

    private void reply(IcmpSocket s, IcmpSocket.Received r) {
        byte[] d = r.data();
        int off = 0;
        if (s.raw && !s.v6) {
            off = (d[0] & 0x0f) * 4; // skip the IPv4 header
        }
        if (d.length < off + 8) {
            return;
        }
        int type = d[off] & 0xff;
        if (type != (s.v6 ? 129 : 0)) {
            return; // not an echo reply
        }
        int ident = ((d[off + 4] & 0xff) << 8) | (d[off + 5] & 0xff);
        int seq = ((d[off + 6] & 0xff) << 8) | (d[off + 7] & 0xff);
        if (s.raw && ident != IDENT) {
            return; // another program's ping
        }
        Waiting w = waiting.get(seq);
        if (w != null && w.to().equals(r.from()) && waiting.remove(seq, w)) {
            w.result().complete(CheckResult.up("echo reply"));
        }
    }

    private void expire() {
        long now = System.currentTimeMillis();
        waiting.forEach((seq, w) -> {
            if (now >= w.deadlineMillis() && waiting.remove(seq, w)) {
                w.result().complete(CheckResult.down("no echo reply"));
            }
        });
    }

    @Deactivate
    void close() {
        closed = true;
        v4.close();
        v6.close();
        waiting.values().forEach(w -> w.result().complete(CheckResult.down("ping check stopped")));
    }
}
