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
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.lvs4j.api.BatchException;
import org.lvs4j.api.ConnectionEntry;
import org.lvs4j.api.Director;
import org.lvs4j.api.ServiceKey;
import org.lvs4j.api.ServiceStatus;
import org.lvs4j.api.TableChange;
import org.lvs4j.api.TableException;
import org.lvs4j.api.Timeouts;
import org.lvs4j.api.scheduler.Change;
import org.lvs4j.api.scheduler.Flow;
import org.lvs4j.api.scheduler.RealServer;
import org.lvs4j.api.scheduler.Scheduler;
import org.lvs4j.api.scheduler.SchedulerInstance;
import org.lvs4j.director.internal.Clock;
import org.lvs4j.director.internal.Table;

/**
 * A real director table (with a manual clock and private /etc/hosts and /etc/services) driven through ipvsadm's
 * command lines, capturing output and exit codes.
 */
final class Harness {

    final ManualClock clock = new ManualClock();
    final Table table = new Table(clock, InetAddress::isLoopbackAddress);
    final Director director = new TableDirector(table);
    final Names names;
    final Execution execution;

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
        execution = new Execution(director, names);
        long order = 1;
        for (String s : schedulers) {
            table.addScheduler(s, new RoundRobin(), 0, order++);
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

    /** IPVS rr: the next usable server after the last pick, in list order (newest first). */
    static final class RoundRobin implements Scheduler {
        @Override
        public SchedulerInstance newInstance(org.lvs4j.api.scheduler.ServiceContext service) {
            return new SchedulerInstance() {
                volatile List<RealServer> list = List.of();
                int last = -1;

                @Override
                public void update(List<RealServer> servers, Change change) {
                    list = servers;
                    last = -1;
                }

                @Override
                public synchronized RealServer pick(Flow flow) {
                    List<RealServer> l = list;
                    for (int i = 1; i <= l.size(); i++) {
                        int idx = (last + i) % l.size();
                        if (l.get(idx).weight() > 0 && !l.get(idx).overloaded()) {
                            last = idx;
                            return l.get(idx);
                        }
                    }
                    return null;
                }
            };
        }
    }

    /** The Director service over a bare table, as the director bundle's component provides it. */
    static final class TableDirector implements Director {
        private final Table table;

        TableDirector(Table table) {
            this.table = table;
        }

        @Override
        public void apply(TableChange change) throws TableException {
            table.apply(change);
        }

        @Override
        public void apply(List<? extends TableChange> changes) throws BatchException {
            table.apply(changes);
        }

        @Override
        public List<ServiceStatus> services() {
            return table.services();
        }

        @Override
        public Optional<ServiceStatus> service(ServiceKey key) {
            return table.service(key);
        }

        @Override
        public List<ConnectionEntry> connections() {
            return table.connections();
        }

        @Override
        public Timeouts timeouts() {
            return table.timeouts();
        }

        @Override
        public Map<String, Long> sysctls() {
            return table.sysctls().snapshot();
        }

        @Override
        public void setSysctl(String name, long value) {
            table.sysctls().set(name, value);
        }

        @Override
        public List<String> schedulers() {
            return table.schedulerNames();
        }

        @Override
        public void addChangeListener(Runnable listener) {
            table.addChangeListener(listener);
        }

        @Override
        public void removeChangeListener(Runnable listener) {
            table.removeChangeListener(listener);
        }
    }
}
