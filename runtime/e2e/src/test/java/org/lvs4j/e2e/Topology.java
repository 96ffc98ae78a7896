package org.lvs4j.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One test class's run of runtime/topology.sh: its namespace prefix and state directory (spawned processes' logs and
 * PIDs), and commands run to completion with their output.
 */
final class Topology {

    static final Path SCRIPT = Appliance.HOME.resolve("runtime/topology.sh");

    /** Namespace prefix, e.g. {@code l4jp1234-}. */
    final String prefix;
    private final Path state;

    Topology(String prefix, Path work) {
        this.prefix = prefix;
        this.state = work.resolve("topo");
    }

    /** {@code topology.sh ARGS...} with this run's prefix and state. */
    String run(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(SCRIPT.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("LVS_NS_PREFIX", prefix);
        pb.environment().put("LVS_TOPO_STATE", state.toString());
        return run(pb, "topology.sh " + String.join(" ", args));
    }

    /** The output so far of a process started with {@code spawn NODE NAME ...}. */
    String log(String name) throws IOException {
        Path f = state.resolve(name + ".log");
        return Files.exists(f) ? Files.readString(f) : "";
    }

    /** A command, its output; fails the test if it fails. */
    static String sh(String... cmd) throws Exception {
        return run(new ProcessBuilder(cmd).redirectErrorStream(true), String.join(" ", cmd));
    }

    private static String run(ProcessBuilder pb, String what) throws Exception {
        pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(Appliance.scaled(java.time.Duration.ofSeconds(120)).toSeconds(), TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(what + " did not finish");
        }
        if (p.exitValue() != 0) {
            throw new AssertionError(what + " failed (exit " + p.exitValue() + "): " + out);
        }
        return out;
    }
}
