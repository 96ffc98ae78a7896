package org.lvs4j.bench;

import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;

import org.lvs4j.api.scheduler.Change;
import org.lvs4j.api.scheduler.Flow;
import org.lvs4j.api.scheduler.RealServer;
import org.lvs4j.api.scheduler.Scheduler;
import org.lvs4j.api.scheduler.SchedulerInstance;
import org.lvs4j.scheduler.dh.DestinationHashingScheduler;
import org.lvs4j.scheduler.fo.WeightedFailoverScheduler;
import org.lvs4j.scheduler.lblc.LocalityBasedLeastConnectionScheduler;
import org.lvs4j.scheduler.lblcr.ReplicatedLocalityScheduler;
import org.lvs4j.scheduler.lc.LeastConnectionScheduler;
import org.lvs4j.scheduler.mh.MaglevScheduler;
import org.lvs4j.scheduler.nq.NeverQueueScheduler;
import org.lvs4j.scheduler.ovf.WeightedOverflowScheduler;
import org.lvs4j.scheduler.rr.RoundRobinScheduler;
import org.lvs4j.scheduler.sed.ShortestExpectedDelayScheduler;
import org.lvs4j.scheduler.sh.SourceHashingScheduler;
import org.lvs4j.scheduler.support.sim.Scans;
import org.lvs4j.scheduler.support.sim.SimulatedServer;
import org.lvs4j.scheduler.support.sim.SimulatedService;
import org.lvs4j.scheduler.twos.TwoChoicesScheduler;
import org.lvs4j.scheduler.wlc.WeightedLeastConnectionScheduler;
import org.lvs4j.scheduler.wrr.WeightedRoundRobinScheduler;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * One new connection's scheduling work: pick a server, bind the connection to it (its counters move and the
 * scheduler hears of it), unbind it. For every scheduler through lvs4j's instance, and for the connection-count
 * schedulers also through the kernel's O(n) scan (Scans) with plain counter updates, at 10 to 10,000 servers.
 *
 * <p>The servers have weights 1..5 and 0..40 connections each (seeded), and 1024 different clients and destinations
 * take turns, so hash and cache schedulers do not hit one bucket only.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class SchedulerBench {

    static final Map<String, Supplier<Scheduler>> SCHEDULERS = new java.util.LinkedHashMap<>();
    static final Map<String, Function<List<RealServer>, RealServer>> SCANS = new java.util.LinkedHashMap<>();

    static {
        SCHEDULERS.put("rr", RoundRobinScheduler::new);
        SCHEDULERS.put("wrr", WeightedRoundRobinScheduler::new);
        SCHEDULERS.put("lc", LeastConnectionScheduler::new);
        SCHEDULERS.put("wlc", WeightedLeastConnectionScheduler::new);
        SCHEDULERS.put("sed", ShortestExpectedDelayScheduler::new);
        SCHEDULERS.put("nq", NeverQueueScheduler::new);
        SCHEDULERS.put("fo", WeightedFailoverScheduler::new);
        SCHEDULERS.put("ovf", WeightedOverflowScheduler::new);
        SCHEDULERS.put("twos", TwoChoicesScheduler::new);
        SCHEDULERS.put("lblc", LocalityBasedLeastConnectionScheduler::new);
        SCHEDULERS.put("lblcr", ReplicatedLocalityScheduler::new);
        SCHEDULERS.put("sh", SourceHashingScheduler::new);
        SCHEDULERS.put("dh", DestinationHashingScheduler::new);
        SCHEDULERS.put("mh", MaglevScheduler::new);
        SCANS.put("lc", Scans::lc);
        SCANS.put("wlc", Scans::wlc);
        SCANS.put("sed", Scans::sed);
        SCANS.put("nq", Scans::nq);
        SCANS.put("fo", Scans::fo);
        SCANS.put("ovf", Scans::ovf);
    }

    /** A scheduler that ignores everything: the scan baseline's service keeps counters only. */
    static final Scheduler NONE = service -> new SchedulerInstance() {
        @Override
        public void update(List<RealServer> servers, Change change) {
        }

        @Override
        public RealServer pick(Flow flow) {
            return null;
        }
    };

    @State(Scope.Thread)
    public static class Service {
        @Param({"rr", "wrr", "lc", "wlc", "sed", "nq", "fo", "ovf", "twos", "lblc", "lblcr", "sh", "dh", "mh"})
        public String scheduler;

        @Param({"10", "100", "1000", "10000"})
        public int servers;

        SimulatedService svc;
        Flow[] flows;
        int next;

        @Setup(Level.Trial)
        public void setUp() {
            svc = populate(SCHEDULERS.get(scheduler).get(), servers);
            flows = new Flow[1024];
            for (int i = 0; i < flows.length; i++) {
                flows[i] = svc.flow(0x0a000000 + i * 7919, 1024 + i, 0xc6330000 + i);
            }
        }
    }

    @State(Scope.Thread)
    public static class Scan {
        @Param({"lc", "wlc", "sed", "nq", "fo", "ovf"})
        public String scheduler;

        @Param({"10", "100", "1000", "10000"})
        public int servers;

        SimulatedService svc;
        List<RealServer> list;
        Function<List<RealServer>, RealServer> scan;

        @Setup(Level.Trial)
        public void setUp() {
            svc = populate(NONE, servers);
            list = svc.servers();
            scan = SCANS.get(scheduler);
        }
    }

    static SimulatedService populate(Scheduler scheduler, int n) {
        SimulatedService svc = new SimulatedService(scheduler);
        Random rnd = new Random(42);
        for (int i = 0; i < n; i++) {
            SimulatedServer s = svc.add("s" + i, 1 + rnd.nextInt(5));
            int conns = rnd.nextInt(41);
            for (int c = 0; c < conns; c++) {
                svc.bind(s);
                if (rnd.nextInt(4) != 0) {
                    svc.establish(s);
                }
            }
        }
        return svc;
    }

    @Benchmark
    public RealServer lvs4j(Service st) {
        Flow f = st.flows[st.next++ & 1023];
        SimulatedServer s = st.svc.pick(f);
        if (s != null) {
            st.svc.bind(s);
            st.svc.unbind(s, false);
        }
        return s;
    }

    @Benchmark
    public RealServer kernelScan(Scan st) {
        SimulatedServer s = (SimulatedServer) st.scan.apply(st.list);
        if (s != null) {
            st.svc.bind(s);
            st.svc.unbind(s, false);
        }
        return s;
    }
}
