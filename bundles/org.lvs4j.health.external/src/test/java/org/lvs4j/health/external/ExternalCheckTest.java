package org.lvs4j.health.external;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lvs4j.api.Protocol;
import org.lvs4j.api.health.CheckResult;
import org.lvs4j.api.health.CheckTarget;

/** external: a script called with vip vport rip rport; exit 0 is up; a script that hangs is killed at the timeout. */
class ExternalCheckTest {

    @TempDir
    Path tmp;

    private Path script(String body) throws Exception {
        Path p = tmp.resolve("check-" + System.nanoTime() + ".sh");
        Files.writeString(p, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwx------"));
        return p;
    }

    private CheckResult run(Path script, Duration timeout) throws Exception {
        CheckTarget t = new CheckTarget(Protocol.TCP, new InetSocketAddress("127.0.0.21", 8080),
                new InetSocketAddress("127.7.1.1", 80));
        return new ExternalCheck().check(t, Map.of("checkcommand", script.toString()), Instant.now().plus(timeout))
                .toCompletableFuture().get(timeout.toMillis() + 3000, TimeUnit.MILLISECONDS);
    }

    @Test
    void argumentsAreVipVportRipRportAndExitZeroIsUp() throws Exception {
        Path out = tmp.resolve("args");
        CheckResult r = run(script("echo \"$@\" > " + out + "; exit 0"), Duration.ofSeconds(5));
        assertTrue(r.up(), r.reason());
        assertEquals("127.7.1.1 80 127.0.0.21 8080", Files.readString(out).strip());
    }

    @Test
    void nonZeroExitIsDown() throws Exception {
        CheckResult r = run(script("exit 3"), Duration.ofSeconds(5));
        assertFalse(r.up());
        assertEquals("checkcommand exited 3", r.reason());
    }

    @Test
    void aHangingScriptIsKilledAtTheTimeout() throws Exception {
        Path pid = tmp.resolve("pid");
        long t0 = System.nanoTime();
        CheckResult r = run(script("echo $$ > " + pid + "; exec sleep 60"), Duration.ofMillis(700));
        assertFalse(r.up());
        assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0) < 2000);
        long p = Long.parseLong(Files.readString(pid).strip());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (ProcessHandle.of(p).map(ProcessHandle::isAlive).orElse(false) && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertFalse(ProcessHandle.of(p).map(ProcessHandle::isAlive).orElse(false), "the script was killed");
    }
}
