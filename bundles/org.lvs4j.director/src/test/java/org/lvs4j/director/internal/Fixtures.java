package org.lvs4j.director.internal;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.lvs4j.api.ForwardMethod;
import org.lvs4j.api.Protocol;
import org.lvs4j.api.RealServerConfig;
import org.lvs4j.api.ServiceConfig;
import org.lvs4j.api.ServiceKey;
import org.lvs4j.api.scheduler.Change;
import org.lvs4j.api.scheduler.Flow;
import org.lvs4j.api.scheduler.RealServer;
import org.lvs4j.api.scheduler.Scheduler;
import org.lvs4j.api.scheduler.SchedulerInstance;

/** Test helpers: a manual clock, a table with a round-robin scheduler, addresses and flows. */
final class Fixtures {

    private Fixtures() {
    }

    static final class ManualClock implements Clock {
        long now = TimeUnit.DAYS.toNanos(1);

        @Override
        public long nanoTime() {
            return now;
        }

        void advanceSeconds(long s) {
            now += TimeUnit.SECONDS.toNanos(s);
        }
    }

    /** IPVS rr as ip_vs_rr.c does it: the next usable server after the last one picked, at most one lap. */
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
                        RealServer r = l.get(idx);
                        if (r.weight() > 0 && !r.overloaded()) {
                            last = idx;
                            return r;
                        }
                    }
                    return null;
                }
            };
        }
    }

    static InetAddress ip(String s) {
        try {
            return InetAddress.getByName(s);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(s, e);
        }
    }

    static ServiceKey tcp(String vip, int port) {
        return new ServiceKey(Protocol.TCP, ip(vip), port);
    }

    static ServiceKey udp(String vip, int port) {
        return new ServiceKey(Protocol.UDP, ip(vip), port);
    }

    static ServiceConfig rr(ServiceKey key) {
        return ServiceConfig.of(key, "rr");
    }

    static RealServerConfig server(String ip, int port, ForwardMethod method, int weight) {
        return RealServerConfig.of(ip(ip), port, method, weight);
    }

    /** A table whose only local addresses are loopback, with the rr scheduler registered. */
    static Table table(Clock clock) {
        Table t = new Table(clock, InetAddress::isLoopbackAddress);
        t.addScheduler("rr", new RoundRobin(), 0, 1);
        return t;
    }

    record TestFlow(Protocol protocol, InetAddress sourceAddress, int sourcePort, InetAddress destinationAddress,
                    int destinationPort) implements Flow {
    }

    static Flow flow(ServiceKey svc, String client, int clientPort) {
        return new TestFlow(svc.protocol(), ip(client), clientPort, svc.address(), svc.port());
    }

    static Flow flow(ServiceKey svc, String client, int clientPort, int vport) {
        return new TestFlow(svc.protocol(), ip(client), clientPort, svc.address(), vport);
    }
}
