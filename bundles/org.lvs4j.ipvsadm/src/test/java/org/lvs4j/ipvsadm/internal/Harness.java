package org.lvs4j.ipvsadm.internal;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.lvs4j.api.Director;
import org.lvs4j.api.scheduler.Flow;
import org.lvs4j.director.internal.Clock;
import org.lvs4j.director.internal.Table;
import org.lvs4j.director.internal.TableDirector;
import org.lvs4j.scheduler.rr.RoundRobinScheduler;

/**
 * A real director table with the real rr scheduler (and a manual clock and private /etc/hosts and /etc/services) driven through ipvsadm's
 * command lines, capturing output and exit codes.
 */
final class Harness {

    final ManualClock clock = new ManualClock();
    final Table table = new Table(clock, InetAddress::isLoopbackAddress);
    final Director director = new TableDirector(table);
    final Names names;
    final Execution execution;
    /** The sync daemons' control ipvsadm sees; none until a test sets one. */
    volatile org.lvs4j.api.sync.SyncControl sync;

    record Result(int exit, String out, String err) {
    }

    static final class ManualClock implements Clock {
        long now = TimeUnit.DAYS.toNanos(3);

        @Override
        public long nanoTime() {
            return now;
        }

        void advanceMillis(long ms) {
            now += TimeUnit.MILLISECONDS.toNanos(ms);
        }
    }

    Harness(Path dir, String... schedulers) {
        try {
            Path hosts = dir.resolve("hosts");
            Path services = dir.resolve("services");
            Files.writeString(hosts, "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost\n10.0.0.1\tweb1 web1.example\n");
            Files.writeString(services, "# private services file\ntelnet\t\t23/tcp\nhttp\t\t80/tcp\t\twww\n"
                    + "domain\t\t53/tcp\ndomain\t\t53/udp\nhttps\t\t443/tcp\n");
            names = new Names(hosts, services);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        execution = new Execution(director, names, () -> sync);
        long order = 1;
        for (String s : schedulers) {
            table.addScheduler(s, new RoundRobinScheduler(), 0, order++);
        }
    }

    Result withInput(String stdin, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        InputStream in = new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8));
        int code = execution.run(List.of(args), in, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    Result run(String... args) {
        return withInput("", args);
    }

    /** Runs a command that must succeed and returns its output. */
    String ok(String... args) {
        Result r = run(args);
        if (r.exit != 0) {
            throw new AssertionError("ipvsadm " + String.join(" ", args) + " exited " + r.exit + ": " + r.err);
        }
        return r.out;
    }

    record TestFlow(org.lvs4j.api.Protocol protocol, InetAddress sourceAddress, int sourcePort,
                    InetAddress destinationAddress, int destinationPort) implements Flow {
    }

    static String golden(String name) {
        try (InputStream in = Harness.class.getResourceAsStream("/golden/" + name)) {
            if (in == null) {
                throw new AssertionError("no golden file " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
