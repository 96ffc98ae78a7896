/*
 * The simpletcp check, as ldirectord's check_simpletcp: connect, send the request (with "\n" written as a newline),
 * close the sending half, and read lines: the server is up as soon as one line matches the receive pattern (found
 * anywhere in the line), down if the connection ends, 8 KiB arrive or the timeout passes first.
 */
package org.lvs4j.health.simpletcp;

import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.regex.Pattern;

import org.lvs4j.api.health.CheckResult;
import org.lvs4j.api.health.CheckTarget;
import org.lvs4j.api.health.HealthCheck;
import org.lvs4j.health.support.Probe;
import org.lvs4j.health.support.Wire;
import org.osgi.service.component.annotations.Component;

/** The {@code simpletcp} check. */
@Component(property = HealthCheck.PROTOCOL + "=simpletcp")
public class SimpleTcpCheck implements HealthCheck {

    @Override
    public CompletionStage<CheckResult> check(CheckTarget target, Map<String, String> params, Instant deadline) {
        return Probe.run("simpletcp", () -> run(target, params, deadline));
    }

    static CheckResult run(CheckTarget target, Map<String, String> params, Instant deadline) throws Exception {
        String request = params.getOrDefault("request", "").replace("\\n", "\n");
        String receive = params.getOrDefault("receive", "");
        Pattern pattern = Pattern.compile(receive);
        try (Socket s = Wire.connect(target.server(), deadline)) {
            if (!request.isEmpty()) {
                s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            }
            s.shutdownOutput();
            boolean[] matched = {false};
            Probe.DeadlineException[] late = {null};
            byte[] got = Wire.read(s, Wire.MAX_READ, deadline, bytes -> {
                // Complete lines only: a line is judged once its newline has come.
                String text = new String(bytes, StandardCharsets.ISO_8859_1);
                int end = text.lastIndexOf('\n');
                if (end < 0) {
                    return false;
                }
                for (String line : text.substring(0, end).split("\r?\n")) {
                    try {
                        if (Wire.find(pattern, line, deadline)) {
                            matched[0] = true;
                            return true;
                        }
                    } catch (Probe.DeadlineException e) {
                        late[0] = e;
                        return true;
                    }
                }
                return false;
            });
            if (late[0] != null) {
                throw late[0];
            }
            if (!matched[0]) {
                String text = new String(got, StandardCharsets.ISO_8859_1);
                int end = text.lastIndexOf('\n');
                String last = end < 0 ? text : text.substring(end + 1);
                if (!last.isEmpty() && Wire.find(pattern, last, deadline)) {
                    matched[0] = true; // the final line, ended by the connection rather than a newline
                }
            }
            return matched[0] ? CheckResult.up("a line matched \"" + receive + "\"")
                    : CheckResult.down(got.length == 0 ? "no reply" : "no line matched \"" + receive + "\"");
        }
    }
}
