/*
 * The sip check, as ldirectord's check_sip: an OPTIONS request for sip:login (the real server's address when no login
 * is given) sent over UDP, or TCP when the virtual service is TCP; up when the answer's status line is exactly
 * "SIP/2.0 200 OK". Over UDP the request is sent again every 500 ms (SIP's T1) until an answer or the deadline, as a
 * SIP client would; provisional 1xx answers are skipped.
 *
 * The request is one datagram of fixed headers (RFC 3261 section 11), so it is written here; a full SIP stack would
 * add a large dependency for nothing the check uses.
 */
package org.lvs4j.health.sip;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadLocalRandom;

import org.lvs4j.api.Protocol;
import org.lvs4j.api.health.CheckResult;
import org.lvs4j.api.health.CheckTarget;
import org.lvs4j.api.health.HealthCheck;
import org.lvs4j.health.support.Probe;
import org.lvs4j.health.support.Wire;
import org.osgi.service.component.annotations.Component;

/** The {@code sip} check. */
@Component(property = HealthCheck.PROTOCOL + "=sip")
public class SipCheck implements HealthCheck {

    @Override
    public CompletionStage<CheckResult> check(CheckTarget target, Map<String, String> params, Instant deadline) {
        return Probe.run("sip", () -> target.protocol() == Protocol.TCP ? tcp(target, params, deadline)
                : udp(target, params, deadline));
    }

    static String request(CheckTarget target, Map<String, String> params, String transport, String local,
                          int localPort) {
        String server = host(target.server().getAddress().getHostAddress()) + ":" + target.server().getPort();
        String login = params.getOrDefault("login", "");
        String uri = "sip:" + (login.isEmpty() ? server : login.contains("@") ? login : login + "@" + server);
        long n = ThreadLocalRandom.current().nextLong(1L << 40);
        return "OPTIONS " + uri + " SIP/2.0\r\n"
                + "Via: SIP/2.0/" + transport + " " + host(local) + ":" + localPort + ";branch=z9hG4bK" + n + "\r\n"
                + "Max-Forwards: 70\r\n"
                + "From: <sip:lvs4j-check@" + host(local) + ">;tag=" + n + "\r\n"
                + "To: <" + uri + ">\r\n"
                + "Call-ID: " + n + "@" + host(local) + "\r\n"
                + "CSeq: 1 OPTIONS\r\n"
                + "Accept: application/sdp\r\n"
                + "Content-Length: 0\r\n\r\n";
    }

    private static String host(String a) {
        return a.contains(":") ? "[" + a + "]" : a;
    }

    /** The verdict on a final answer's status line. */
    static CheckResult judge(String statusLine) {
        return statusLine.equals("SIP/2.0 200 OK") ? CheckResult.up("SIP/2.0 200 OK")
                : CheckResult.down("answered \"" + (statusLine.length() > 60 ? statusLine.substring(0, 57) + "..."
                : statusLine) + "\"");
    }

    private static CheckResult udp(CheckTarget target, Map<String, String> params, Instant deadline)
            throws Exception {
        try (DatagramSocket s = new DatagramSocket()) {
            s.connect(target.server());
            byte[] req = request(target, params, "UDP", s.getLocalAddress().getHostAddress(), s.getLocalPort())
                    .getBytes(StandardCharsets.UTF_8);
            byte[] buf = new byte[Wire.MAX_READ];
            while (true) {
                s.send(new DatagramPacket(req, req.length));
                long until = System.currentTimeMillis() + 500;
                while (System.currentTimeMillis() < until) {
                    s.setSoTimeout((int) Math.max(1, Math.min(until - System.currentTimeMillis(),
                            Probe.millisLeft(deadline))));
                    DatagramPacket p = new DatagramPacket(buf, buf.length);
                    try {
                        s.receive(p);
                    } catch (SocketTimeoutException e) {
                        Probe.millisLeft(deadline);
                        continue;
                    }
                    String line = statusLine(new String(buf, 0, p.getLength(), StandardCharsets.UTF_8));
                    if (!line.matches("SIP/2\\.0 1\\d\\d .*")) {
                        return judge(line);
                    }
                }
            }
        }
    }

    private static CheckResult tcp(CheckTarget target, Map<String, String> params, Instant deadline)
            throws Exception {
        try (Socket s = Wire.connect(target.server(), deadline)) {
            s.getOutputStream().write(request(target, params, "TCP", s.getLocalAddress().getHostAddress(),
                    s.getLocalPort()).getBytes(StandardCharsets.UTF_8));
            s.getOutputStream().flush();
            String[] last = {null};
            Wire.read(s, Wire.MAX_READ, deadline, bytes -> {
                // Answers end with an empty line (no body for OPTIONS answers we read); skip 1xx ones.
                String text = new String(bytes, StandardCharsets.UTF_8);
                for (String answer : text.split("\r\n\r\n", -1)) {
                    String line = statusLine(answer);
                    if (!line.isEmpty() && !line.matches("SIP/2\\.0 1\\d\\d .*") && text.contains("\r\n\r\n")) {
                        last[0] = line;
                        return true;
                    }
                }
                return false;
            });
            return last[0] == null ? CheckResult.down("no final answer") : judge(last[0]);
        }
    }

    private static String statusLine(String message) {
        int eol = message.indexOf("\r\n");
        return (eol < 0 ? message : message.substring(0, eol)).strip();
    }
}
