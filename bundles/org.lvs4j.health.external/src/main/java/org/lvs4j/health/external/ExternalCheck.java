/*
 * The external check, as ldirectord's check_external: the checkcommand program is run with four arguments, the
 * virtual address, virtual port, real address and real port; exit status 0 is up, anything else down. A program
 * still running at the timeout is killed (with its children) and counts as down. Its output is not read, only
 * discarded, so a chatty script cannot fill a pipe and hang.
 */
package org.lvs4j.health.external;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

import org.lvs4j.api.health.CheckResult;
import org.lvs4j.api.health.CheckTarget;
import org.lvs4j.api.health.HealthCheck;
import org.lvs4j.health.support.Probe;
import org.osgi.service.component.annotations.Component;

/** The {@code external} check. */
@Component(property = HealthCheck.PROTOCOL + "=external")
public class ExternalCheck implements HealthCheck {

    @Override
    public CompletionStage<CheckResult> check(CheckTarget target, Map<String, String> params, Instant deadline) {
        return Probe.run("external", () -> run(target, params.get("checkcommand"), deadline));
    }

    static CheckResult run(CheckTarget target, String command, Instant deadline) throws Exception {
        if (command == null || command.isBlank()) {
            return CheckResult.down("no checkcommand");
        }
        Process p = new ProcessBuilder(List.of(command, host(target.virtual()),
                Integer.toString(target.virtual().getPort()), host(target.server()),
                Integer.toString(target.server().getPort())))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            if (!p.waitFor(Probe.millisLeft(deadline), TimeUnit.MILLISECONDS)) {
                return CheckResult.down("checkcommand still running at the timeout (killed)");
            }
            int code = p.exitValue();
            return code == 0 ? CheckResult.up("checkcommand exited 0")
                    : CheckResult.down("checkcommand exited " + code);
        } finally {
            if (p.isAlive()) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
            }
        }
    }

    private static String host(java.net.InetSocketAddress a) {
        return a.getAddress().getHostAddress();
    }
}
