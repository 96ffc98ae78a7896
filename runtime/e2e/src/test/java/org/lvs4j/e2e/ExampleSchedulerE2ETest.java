package org.lvs4j.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The third-party scheduler example as a user would take it: built with Maven from examples/scheduler-random against
 * the installed lvs4j API, deployed into a running director with {@code ctl deploy}, used by a service, removed.
 */
class ExampleSchedulerE2ETest {

    @TempDir
    Path tmp;

    private Appliance a;
    private final Backends backends = new Backends();

    @AfterEach
    void stop() throws Exception {
        if (a != null) {
            a.close();
        }
        backends.close();
    }

    /** Copies the example and runs {@code mvn package} on the copy, with the JDK running this test. */
    private Path buildExample() throws Exception {
        Path src = Appliance.HOME.resolve("examples/scheduler-random");
        Path copy = tmp.resolve("scheduler-random");
        try (Stream<Path> files = Files.walk(src)) {
            for (Path p : files.filter(p -> !p.toString().contains("/target")).toList()) {
                Path to = copy.resolve(src.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(to);
                } else {
                    Files.copy(p, to);
                }
            }
        }
        ProcessBuilder pb = new ProcessBuilder("mvn", "-B", "-ntp", "-q", "package").directory(copy.toFile())
                .redirectErrorStream(true).redirectOutput(tmp.resolve("mvn.txt").toFile());
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        Process p = pb.start();
        if (!p.waitFor(Appliance.scaled(java.time.Duration.ofSeconds(180)).toSeconds(), TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("the example's build did not finish");
        }
        assertEquals(0, p.exitValue(), () -> "mvn package failed: " + read(tmp.resolve("mvn.txt")));
        Path jar = copy.resolve("target/scheduler-random-1.0.0.jar");
        assertTrue(Files.isRegularFile(jar), "built " + jar);
        return jar;
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            return e.toString();
        }
    }

    @Test
    void exampleBuildsDeploysCarriesTrafficAndLeaves() throws Exception {
        Path jar = buildExample();
        int port = 18094;
        backends.start("x1", "127.0.0.95", port);
        backends.start("x2", "127.0.0.96", port);
        a = new Appliance(tmp.resolve("d")).start();

        Appliance.Result refused = a.ctl("ipvsadm", "-A", "-t", "127.7.124.1:" + port, "-s", "random");
        assertEquals(1, refused.exit(), "no bundle provides random yet");
        assertEquals("Scheduler or persistence engine not found\n", refused.err());

        assertEquals("deployed com.example.lvs4j.scheduler.random 1.0.0: scheduler random\n",
                a.ctl("deploy", jar.toString()).ok().out());
        assertTrue(a.ctl("schedulers").ok().out()
                .contains("random   com.example.lvs4j.scheduler.random 1.0.0\n"), "listed with bundle and version");
        a.ctl("ipvsadm", "-A", "-t", "127.7.124.1:" + port, "-s", "random").ok();
        a.ctl("ipvsadm", "-a", "-t", "127.7.124.1:" + port, "-r", "127.0.0.95:" + port, "-b", "-w", "3").ok();
        a.ctl("ipvsadm", "-a", "-t", "127.7.124.1:" + port, "-r", "127.0.0.96:" + port, "-b", "-w", "1").ok();
        Map<String, Integer> got = new HashMap<>();
        for (int i = 0; i < 400; i++) {
            got.merge(Backends.get("127.7.124.1", port), 1, Integer::sum);
        }
        // Weighted random, 3:1 over 400 draws: x1 about 300 (standard deviation under 9).
        assertTrue(got.getOrDefault("x1", 0) > 250 && got.getOrDefault("x2", 0) > 50, got.toString());

        assertEquals("undeployed com.example.lvs4j.scheduler.random 1.0.0\n", a.ctl("undeploy", "random").ok().out());
        assertTrue(a.ctl("ipvsadm", "-L", "-n").ok().out().contains("TCP  127.7.124.1:" + port + " random [no scheduler]"),
                "the service waits for a scheduler again");
    }
}
