/*
 * The imap check, as ldirectord's check_imap (Mail::IMAPClient): the server must greet with "* OK"; with login and
 * passwd it must also answer "a1 LOGIN" with a tagged OK; then LOGOUT. imaps is the same over TLS from the first
 * byte (port 993), any certificate accepted.
 *
 * The conversation is three lines long, so it is spoken here rather than through Apache Commons Net, whose
 * IMAPClient (3.11) rejects Dovecot's tagged "OK [CAPABILITY ...] Logged in" as malformed. Every read is bounded by
 * the deadline and 8 KiB.
 */
package org.lvs4j.health.imap;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletionStage;

import org.lvs4j.api.health.CheckResult;
import org.lvs4j.api.health.CheckTarget;
import org.lvs4j.api.health.HealthCheck;
import org.lvs4j.health.support.Probe;
import org.lvs4j.health.support.Wire;
import org.osgi.service.component.annotations.Component;

/** The {@code imap} and {@code imaps} checks. */
@Component(property = {HealthCheck.PROTOCOL + "=imap", HealthCheck.PROTOCOL + "=imaps"})
public class ImapCheck implements HealthCheck {

    @Override
    public CompletionStage<CheckResult> check(CheckTarget target, Map<String, String> params, Instant deadline) {
        return Probe.run("imap", () -> run(target, params, deadline));
    }

    static CheckResult run(CheckTarget target, Map<String, String> params, Instant deadline) throws Exception {
        try (Socket plain = Wire.connect(target.server(), deadline)) {
            Socket s = "imaps".equals(params.get("service")) ? Wire.tls(plain, null, deadline) : plain;
            try {
                Lines in = new Lines(s, deadline);
                String greeting = in.next();
                if (!greeting.startsWith("* OK")) {
                    return CheckResult.down("greeting \"" + shorten(greeting) + "\"");
                }
                String login = params.get("login");
                if (login == null || login.isEmpty()) {
                    send(s, "a1 LOGOUT");
                    return CheckResult.up("greeted");
                }
                send(s, "a1 LOGIN " + quote(login) + " " + quote(params.getOrDefault("passwd", "")));
                String answer = in.tagged("a1");
                send(s, "a2 LOGOUT");
                return answer.startsWith("a1 OK") ? CheckResult.up("logged in as " + login)
                        : CheckResult.down("login as " + login + " refused: " + shorten(answer));
            } finally {
                if (s != plain) {
                    s.close();
                }
            }
        }
    }

    /** An IMAP quoted string. */
    private static String quote(String v) {
        return "\"" + v.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    private static void send(Socket s, String line) throws IOException {
        s.getOutputStream().write((line + "\r\n").getBytes(StandardCharsets.UTF_8));
        s.getOutputStream().flush();
    }

    private static String shorten(String s) {
        return s.length() > 80 ? s.substring(0, 77) + "..." : s;
    }

    /** Lines from the server, each read under the deadline, 8 KiB in all at most. */
    private static final class Lines {
        private final Socket s;
        private final Instant deadline;
        private final InputStream in;
        private int read;

        Lines(Socket s, Instant deadline) throws IOException {
            this.s = s;
            this.deadline = deadline;
            this.in = s.getInputStream();
        }

        String next() throws IOException {
            StringBuilder b = new StringBuilder();
            while (true) {
                s.setSoTimeout(Probe.millisLeft(deadline));
                int c;
                try {
                    c = in.read();
                } catch (java.net.SocketTimeoutException e) {
                    throw new Probe.DeadlineException("timeout waiting for the server");
                }
                if (c < 0) {
                    throw new IOException("connection closed by the server");
                }
                if (++read > Wire.MAX_READ) {
                    throw new IOException("more than " + Wire.MAX_READ + " bytes without an answer");
                }
                if (c == '\n') {
                    return b.toString().strip();
                }
                b.append((char) c);
            }
        }

        /** The tagged line that ends the command {@code tag}, untagged lines before it skipped. */
        String tagged(String tag) throws IOException {
            while (true) {
                String line = next();
                if (line.startsWith(tag + " ")) {
                    return line;
                }
            }
        }
    }
}
