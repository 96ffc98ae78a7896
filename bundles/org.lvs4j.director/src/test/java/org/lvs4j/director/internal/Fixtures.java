package org.lvs4j.director.internal;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.concurrent.TimeUnit;

import org.lvs4j.api.ForwardMethod;
import org.lvs4j.api.Protocol;
import org.lvs4j.api.RealServerConfig;
import org.lvs4j.api.ServiceConfig;
import org.lvs4j.api.ServiceKey;
import org.lvs4j.scheduler.rr.RoundRobinScheduler;
import org.lvs4j.api.scheduler.Flow;

/** Test helpers: a manual clock, a table with the real rr scheduler, addresses and flows. */
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
        t.addScheduler("rr", new RoundRobinScheduler(), 0, 1);
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
