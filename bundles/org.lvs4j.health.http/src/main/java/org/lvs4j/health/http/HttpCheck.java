/*
 * The http and https checks, as ldirectord's check_http: a request for the configured path with the configured
 * method (GET, or HEAD), Host set to virtualhost (else the real server's address); the server is up when the status
 * is 2xx and, for GET, the body matches the receive pattern (a regular expression found anywhere in it; an empty or
 * missing receive accepts any body). https does the same over TLS, sending SNI for a virtualhost that is a name,
 * and accepting any certificate, as ldirectord does.
 *
 * HTTP/1.0 is spoken, so the reply ends with the connection and is never chunked. At most 8 KiB are read
 * (RELIABILITY.md F10): the status line, headers and start of the body. A reply that is not HTTP, a status line
 * longer than the read, or a trickle that outlasts the deadline all end the check within its timeout as down.
 */
package org.lvs4j.health.http;

import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.lvs4j.api.health.CheckResult;
import org.lvs4j.api.health.CheckTarget;
import org.lvs4j.api.health.HealthCheck;
import org.lvs4j.health.support.Probe;
import org.lvs4j.health.support.Wire;
import org.osgi.service.component.annotations.Component;

/** The {@code http} and {@code https} checks. */
@Component(property = {HealthCheck.PROTOCOL + "=http", HealthCheck.PROTOCOL + "=https",
    HealthCheck.PROTOCOL + "=http_proxy"})
public class HttpCheck implements HealthCheck {

    private static final Pattern STATUS = Pattern.compile("HTTP/(\\d)\\.(\\d) (\\d{3})(?: ([^\\r\\n]*))?\\r?\\n");
    /** Compiled receive patterns, by their text (the same few are used over and over). */
    private final Map<String, Pattern> patterns = new ConcurrentHashMap<>();

    @Override
    public CompletionStage<CheckResult> check(CheckTarget target, Map<String, String> params, Instant deadline) {
        return Probe.run("http", () -> run(target, params, deadline));
    }

    CheckResult run(CheckTarget target, Map<String, String> params, Instant deadline) throws Exception {
        boolean tls = "https".equals(params.get("service"));
        String method = params.getOrDefault("httpmethod", "GET");
        String vhost = params.get("virtualhost");
        String path = path(params.getOrDefault("request", "/"));
        String host = vhost != null && !vhost.isEmpty() ? vhost : hostHeader(target);
        String request = method + " " + path + " HTTP/1.0\r\nHost: " + host + "\r\nUser-Agent: lvs4j-check\r\n"
                + "Accept: */*\r\nConnection: close\r\n\r\n";
        byte[] reply;
        try (Socket plain = Wire.connect(target.server(), deadline)) {
            Socket s = tls ? Wire.tls(plain, vhost, deadline) : plain;
            try {
                s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
                s.getOutputStream().flush();
                reply = Wire.read(s, Wire.MAX_READ, deadline, null);
            } finally {
                if (s != plain) {
                    s.close();
                }
            }
        }
        return judge(reply, method.equals("HEAD") ? null : params.get("receive"), deadline);
    }

    /** The verdict on a reply (at most {@link Wire#MAX_READ} bytes of it). */
    CheckResult judge(byte[] reply, String receive, Instant deadline) throws Probe.DeadlineException {
        if (reply.length == 0) {
            return CheckResult.down("no reply");
        }
        String text = new String(reply, StandardCharsets.ISO_8859_1);
        Matcher m = STATUS.matcher(text);
        if (!m.lookingAt()) {
            int eol = text.indexOf('\n');
            return CheckResult.down(eol < 0 && reply.length >= Wire.MAX_READ ? "status line longer than "
                    + Wire.MAX_READ + " bytes" : "not an HTTP reply: \"" + printable(text, 40) + "\"");
        }
        int status = Integer.parseInt(m.group(3));
        if (status < 200 || status > 299) {
            return CheckResult.down("HTTP " + status);
        }
        if (receive == null || receive.isEmpty()) {
            return CheckResult.up("HTTP " + status);
        }
        int body = text.indexOf("\r\n\r\n");
        int start = body >= 0 ? body + 4 : Math.max(text.indexOf("\n\n") + 2, text.length());
        Pattern p = patterns.computeIfAbsent(receive, Pattern::compile);
        if (Wire.find(p, text.substring(Math.min(start, text.length())), deadline)) {
            return CheckResult.up("HTTP " + status + ", receive matched");
        }
        return CheckResult.down("HTTP " + status + " but no match for \"" + printable(receive, 40) + "\" in "
                + (reply.length >= Wire.MAX_READ ? "the first " + Wire.MAX_READ + " bytes" : "the reply"));
    }

    private static String path(String request) {
        // A full URL is allowed too: only its path is sent, to the real server.
        Matcher m = Pattern.compile("https?://[^/]*(/.*)?").matcher(request);
        if (m.matches()) {
            return m.group(1) == null ? "/" : m.group(1);
        }
        return request.startsWith("/") ? request : "/" + request;
    }

    private static String hostHeader(CheckTarget target) {
        String a = target.server().getAddress().getHostAddress();
        return a.contains(":") ? "[" + a + "]" : a;
    }

    private static String printable(String s, int max) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length() && b.length() < max; i++) {
            char c = s.charAt(i);
            b.append(c >= 32 && c < 127 ? c : '.');
        }
        return b.toString();
    }
}
