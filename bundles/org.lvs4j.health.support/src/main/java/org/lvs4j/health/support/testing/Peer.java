package org.lvs4j.health.support.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.Assumptions;
import org.lvs4j.api.Protocol;
import org.lvs4j.api.health.CheckResult;
import org.lvs4j.api.health.CheckTarget;
import org.lvs4j.api.health.HealthCheck;

/**
 * A real server for a check's test: a Debian package's daemon run in the foreground with a private configuration on
 * a loopback port, its output in a log, stopped by its PID (and its children) whatever happens.
 */
public final class Peer implements AutoCloseable {

    private final String name;
    private final Path log;
    private final List<Process> processes = new ArrayList<>();

    public Peer(String name, Path log) {
        this.name = name;
        this.log = log;
    }

    /**
     * Skips the test outside CI when a program is missing or the test is not root; in CI both are required
     * (.ci/run installs the packages and runs as root).
     */
    public static void require(String... programs) throws IOException {
        int uid = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        List<String> missing = new ArrayList<>();
        for (String p : programs) {
            if (!Files.isExecutable(Path.of(p))) {
                missing.add(p);
            }
        }
        String why = uid != 0 ? "needs root to run its server" : missing.isEmpty() ? null
                : "needs " + String.join(", ", missing) + " (Debian packages; .ci/run installs them)";
        if (why != null) {
            if ("true".equals(System.getenv("CI"))) {
                throw new AssertionError("CI must have this: " + why);
            }
            Assumptions.abort(why);
        }
    }

    /** A TCP port free on the loopback now. */
    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Starts one process of this server, output appended to the log. */
    public Process start(List<String> command, Map<String, String> env) throws IOException {
        // stdin from /dev/null: some daemons (innd) take a pipe on fd 0 for a socket handed over by inetd.
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().putAll(env);
        Process p = pb.start();
        processes.add(p);
        return p;
    }

    public Process start(String... command) throws IOException {
        return start(List.of(command), Map.of());
    }

    /** Runs a set-up command to its end; its failure fails the test with its output. */
    public static String run(Duration timeout, String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + ": still running after " + timeout);
        }
        String text = new String(out);
        if (p.exitValue() != 0) {
            throw new AssertionError(String.join(" ", command) + " exited " + p.exitValue() + ": " + text);
        }
        return text;
    }

    /** Waits until a TCP port accepts connections (or the server died, or 60 s passed). */
    public void awaitTcp(int port) throws IOException, InterruptedException {
        await(() -> {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
                return true;
            } catch (IOException e) {
                return false;
            }
        }, "port " + port);
    }

    /** Waits until a condition holds, failing with the server's log if it died or 60 s passed. */
    public void await(BooleanSupplier condition, String what) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!condition.getAsBoolean()) {
            if (!processes.isEmpty() && processes.stream().noneMatch(Process::isAlive)) {
                throw new AssertionError(name + " exited before " + what + ": " + log());
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(name + ": no " + what + " after 60 s: " + log());
            }
            Thread.sleep(50);
        }
    }

    public String log() {
        try {
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (IOException e) {
            return e.toString();
        }
    }

    /** Stops every process of this server, by PID: TERM, then KILL after 10 s; children too. */
    public void stop() throws InterruptedException {
        for (Process p : processes) {
            List<ProcessHandle> children = p.descendants().toList();
            p.destroy();
            children.forEach(ProcessHandle::destroy);
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                p.waitFor(5, TimeUnit.SECONDS);
            }
            children.forEach(ProcessHandle::destroyForcibly);
        }
        processes.clear();
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }

    /** Runs one check against 127.0.0.1:port and returns its result. */
    public static CheckResult check(HealthCheck check, Protocol protocol, int port, Map<String, String> params,
                                    Duration timeout) throws Exception {
        CheckTarget t = new CheckTarget(protocol, new InetSocketAddress(InetAddress.getLoopbackAddress(), port),
                new InetSocketAddress("127.7.1.1", port));
        return check.check(t, params, Instant.now().plus(timeout)).toCompletableFuture()
                .get(timeout.toMillis() + 5000, TimeUnit.MILLISECONDS);
    }
}
