package org.lvs4j.scheduler.support.sim;

import java.net.InetAddress;
import java.net.UnknownHostException;

import org.lvs4j.api.scheduler.RealServer;

/**
 * A real server outside a director, for scheduler tests, benchmarks and simulations: its counters and overload flag
 * move as {@link SimulatedService} binds and unbinds connections, with IPVS's threshold rules.
 */
public final class SimulatedServer implements RealServer {

    private final String name;
    private final InetAddress address;
    private final int port;
    int weight;
    int lastWeight;
    int activeConns;
    int inactiveConns;
    int upperThreshold;
    int lowerThreshold;
    boolean overloaded;

    SimulatedServer(String name, InetAddress address, int port, int weight) {
        this.name = name;
        this.address = address;
        this.port = port;
        this.weight = weight;
        this.lastWeight = weight;
    }

    /** A server named {@code name} at 10.0.x.y:80, x.y from {@code n}. */
    static SimulatedServer numbered(String name, int n, int weight) {
        try {
            InetAddress a = InetAddress.getByAddress(new byte[] {10, (byte) (n >>> 16), (byte) (n >>> 8), (byte) n});
            return new SimulatedServer(name, a, 80, weight);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    public String name() {
        return name;
    }

    @Override
    public InetAddress address() {
        return address;
    }

    @Override
    public int port() {
        return port;
    }

    @Override
    public int weight() {
        return weight;
    }

    @Override
    public int lastWeight() {
        return lastWeight;
    }

    @Override
    public int activeConns() {
        return activeConns;
    }

    @Override
    public int inactiveConns() {
        return inactiveConns;
    }

    @Override
    public boolean overloaded() {
        return overloaded;
    }

    @Override
    public String toString() {
        return name;
    }
}
