package org.lvs4j.e2e;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;

/**
 * One director started with {@code ./lvs4j run} in its own state dir, and {@code ./lvs4j ctl} against it. Every
 * process it starts is ended by {@link #close()}, also when a test fails.
 */
final class Appliance implements AutoCloseable {

    static final Path HOME = Path.of(System.getProperty("lvs4j.home", "../..")).toAbsolutePath().normalize();
    static final Path SCRIPT = HOME.resolve("lvs4j");

    final Path stateDir;
    private Process process;

    record Result(int exit, String out, String err) {
        Result ok() {
            if (exit != 0) {
                throw new AssertionError("exit " + exit + ": " + err);
            }
            return this;
        }
    }

    /** A test that binds ports below 1024 needs root: skipped with its reason outside CI, required in CI. */
    static void needRoot(String why) throws IOException {
        int uid = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        if (uid != 0) {
            if ("true".equals(System.getenv("CI"))) {
                throw new AssertionError("CI must run as root: " + why);
            }
            Assumptions.abort("needs root: " + why);
        }
    }

    /** A condition checked by {@link #poll}. */
    interface Probe {
        boolean holds() throws Exception;
    }

    /** Checks {@code probe} every 50 ms until it holds, for at most 20 s (scaled by TEST_SLACK). */
    static void poll(Probe probe, String what) throws Exception {
        long deadline = System.nanoTime() + scaled(Duration.ofSeconds(20)).toNanos();
        while (!probe.holds()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(50);
        }
    }

    Appliance(Path stateDir) {
        this.stateDir = stateDir;
    }

    static double slack() {
        String s = System.getProperty("test.slack", System.getenv().getOrDefault("TEST_SLACK", "1"));
        try {
            return Math.max(1.0, Double.parseDouble(s));
        } catch (NumberFormatException e) {
            return 1.0;
        }
    }

    static Duration scaled(Duration d) {
        return Duration.ofMillis((long) (d.toMillis() * slack()));
    }

    /** Starts the director and waits for its control socket, which appears once it is ready. */
    Appliance start() throws IOException, InterruptedException {
        return start(List.of());
    }

    /** Starts {@code ./lvs4j run} with extra options ({@code --config FILE}), behind {@code prefix} if any. */
    Appliance start(List<String> options) throws IOException, InterruptedException {
        return start(List.of(), options);
    }

    /** As {@link #start(List)}, the launcher run through {@code prefix} ({@code ip netns exec NS}). */
    Appliance start(List<String> prefix, List<String> options) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(prefix);
        cmd.addAll(List.of(SCRIPT.toString(), "run", "--state-dir", stateDir.toString(), "--no-console",
                "--admin-port", "0"));
        cmd.addAll(options);
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.redirectOutput(stateDir.resolve("stdout.txt").toFile());
        pb.redirectError(stateDir.resolve("stderr.txt").toFile());
        Files.createDirectories(stateDir);
        process = pb.start();
        long deadline = System.nanoTime() + scaled(Duration.ofSeconds(60)).toNanos();
        while (!Files.exists(socket())) {
            if (!process.isAlive()) {
                throw new AssertionError("director exited " + process.exitValue() + ": " + log());
            }
            if (System.nanoTime() > deadline) {
                close(); // a director the test cannot use is not left running
                throw new AssertionError("no control socket after 60 s: " + log());
            }
            Thread.sleep(25);
        }
        return this;
    }

    Path socket() {
        return stateDir.resolve("ctl.sock");
    }

    long pid() {
        return process.pid();
    }

    String log() {
        try {
            Path err = stateDir.resolve("stderr.txt");
            return Files.exists(err) ? Files.readString(err) : "";
        } catch (IOException e) {
            return e.toString();
        }
    }

    /** {@code ./lvs4j ctl --state-dir DIR ARGS...} with the given stdin. */
    Result ctlWithInput(String stdin, String... args) throws IOException, InterruptedException {
        return ctl(stateDir, stdin, args);
    }

    Result ctl(String... args) throws IOException, InterruptedException {
        return ctl(stateDir, "", args);
    }

    static Result ctl(Path stateDir, String stdin, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(SCRIPT.toString(), "ctl", "--state-dir", stateDir.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).start();
        CompletableFuture<byte[]> out = drain(p.getInputStream());
        CompletableFuture<byte[]> err = drain(p.getErrorStream());
        try (OutputStream in = p.getOutputStream()) {
            in.write(stdin.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            // the command did not read its stdin
        }
        if (!p.waitFor(scaled(Duration.ofSeconds(30)).toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("ctl " + String.join(" ", args) + " did not finish");
        }
        return new Result(p.exitValue(), new String(out.join(), StandardCharsets.UTF_8),
                new String(err.join(), StandardCharsets.UTF_8));
    }

    private static CompletableFuture<byte[]> drain(InputStream in) {
        return CompletableFuture.supplyAsync(() -> {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            try (in) {
                in.transferTo(b);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return b.toByteArray();
        });
    }

    /** Sends SIGTERM and returns the exit code. */
    int stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(scaled(Duration.ofSeconds(40)).toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly().waitFor();
            throw new AssertionError("director ignored SIGTERM: " + log());
        }
        return process.exitValue();
    }

    /** SIGKILL, as a crash: nothing is released or saved. */
    void kill() throws InterruptedException {
        process.destroyForcibly().waitFor();
    }

    /** A TCP port on loopback that nothing listens on now (for --admin-port). */
    static int freePort() throws IOException {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** {@code ./lvs4j passwd --state-dir STATE USER --role ROLE}, the password on stdin. */
    static void passwd(Path state, String user, String role, String password) throws Exception {
        Process p = new ProcessBuilder(SCRIPT.toString(), "passwd", "--state-dir", state.toString(), user, "--role",
                role).redirectErrorStream(true).start();
        p.getOutputStream().write((password + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new AssertionError("passwd failed: " + out);
        }
    }

    /** Sends a signal ({@code STOP}, {@code CONT}) to the director's process and its descendants. */
    void signal(String name) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("kill", "-" + name, String.valueOf(process.pid())));
        process.descendants().forEach(d -> cmd.add(String.valueOf(d.pid())));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new AssertionError(String.join(" ", cmd) + " failed: " + new String(p.getInputStream()
                    .readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
        }
    }

    /** Waits for the director to end by itself (after lvs:stop). */
    int awaitExit() throws InterruptedException {
        if (!process.waitFor(scaled(Duration.ofSeconds(40)).toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("director did not stop: " + log());
        }
        return process.exitValue();
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(scaled(Duration.ofSeconds(30)).toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor();
            }
        }
    }
}
