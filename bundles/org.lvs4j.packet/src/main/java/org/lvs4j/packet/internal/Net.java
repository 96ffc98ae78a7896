package org.lvs4j.packet.internal;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InterfaceAddress;
import java.net.NetworkInterface;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What the host's kernel knows about its network, read from {@code /proc} and the JDK: interfaces with their MAC,
 * MTU and IPv4 addresses, the main routing table, and the ARP table. An immutable snapshot, refreshed about once a
 * second; lookups on the packet path allocate nothing.
 *
 * <p>The kernel keeps the ARP table right for us: it learns a client's MAC when the client asks for the VIP, updates
 * entries on gratuitous ARP (a real server whose MAC changed), and resolves an address we ask it to reach. So a real
 * server's or client's MAC here follows the kernel's within a refresh.
 */
final class Net {

    /** A network interface. */
    record Interface(String name, int index, long mac, int mtu, List<Integer> addresses, boolean loopback) {
        int primary() {
            return addresses.isEmpty() ? 0 : addresses.get(0);
        }
    }

    /** A route of the main table: destination/mask via gateway (0 = on-link) on an interface. */
    record Route(int destination, int mask, int gateway, String device, int metric) {
    }

    static final Net EMPTY = new Net(Map.of(), List.of(), new LongMap(16));

    private final Map<String, Interface> interfaces;
    private final Map<Integer, Interface> byIndex;
    private final Route[] routes;
    /** ARP entries: key (ifindex << 32 | ip) to MAC. */
    private final LongMap neighbours;

    Net(Map<String, Interface> interfaces, List<Route> routes, LongMap neighbours) {
        this.interfaces = interfaces;
        Map<Integer, Interface> idx = new HashMap<>();
        for (Interface i : interfaces.values()) {
            idx.put(i.index(), i);
        }
        this.byIndex = idx;
        List<Route> sorted = new ArrayList<>(routes);
        // longest prefix first, then lowest metric: the first match is the kernel's choice in the main table
        sorted.sort((a, b) -> a.mask() != b.mask() ? Integer.compareUnsigned(b.mask(), a.mask())
                : Integer.compare(a.metric(), b.metric()));
        this.routes = sorted.toArray(new Route[0]);
        this.neighbours = neighbours;
    }

    /** Reads the current state from the kernel. */
    static Net read() throws IOException {
        Map<String, Interface> ifs = new HashMap<>();
        for (NetworkInterface ni : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (!ni.isUp()) {
                continue;
            }
            byte[] hw = ni.getHardwareAddress();
            long mac = 0;
            if (hw != null && hw.length == 6) {
                for (byte b : hw) {
                    mac = (mac << 8) | (b & 0xff);
                }
            }
            List<Integer> v4 = new ArrayList<>();
            for (InterfaceAddress ia : ni.getInterfaceAddresses()) {
                if (ia.getAddress() instanceof Inet4Address a) {
                    v4.add(a.hashCode());
                }
            }
            // an alias (ifconfig eth0:0 VIP, as the how-to does) is a sub-interface in Java; its addresses are the
            // parent's on the wire
            for (NetworkInterface alias : Collections.list(ni.getSubInterfaces())) {
                for (InterfaceAddress ia : alias.getInterfaceAddresses()) {
                    if (ia.getAddress() instanceof Inet4Address a && !v4.contains(a.hashCode())) {
                        v4.add(a.hashCode());
                    }
                }
            }
            ifs.put(ni.getName(), new Interface(ni.getName(), ni.getIndex(), mac, ni.getMTU(), List.copyOf(v4),
                    ni.isLoopback()));
        }
        List<Route> routes = new ArrayList<>();
        List<String> lines = Files.readAllLines(Path.of("/proc/net/route"));
        for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
            String[] f = line.trim().split("\\s+");
            if (f.length < 8 || (Integer.parseInt(f[3], 16) & 1) == 0) {
                continue; // not RTF_UP
            }
            routes.add(new Route(le(f[1]), le(f[7]), le(f[2]), f[0], Integer.parseInt(f[6])));
        }
        LongMap arp = new LongMap(64);
        List<String> arpLines = Files.readAllLines(Path.of("/proc/net/arp"));
        for (String line : arpLines.subList(Math.min(1, arpLines.size()), arpLines.size())) {
            String[] f = line.trim().split("\\s+");
            if (f.length < 6 || (Integer.decode(f[2]) & 0x2) == 0) {
                continue; // incomplete
            }
            Interface i = ifs.get(f[5]);
            long mac = parseMac(f[3]);
            if (i == null || mac == 0) {
                continue;
            }
            arp.put(key(i.index(), InetAddress.getByName(f[0]).hashCode()), mac);
        }
        return new Net(Map.copyOf(ifs), routes, arp);
    }

    /** /proc/net/route writes addresses as little-endian hex. */
    private static int le(String hex) {
        return Integer.reverseBytes((int) Long.parseLong(hex, 16));
    }

    static long parseMac(String text) {
        String[] p = text.split(":");
        if (p.length != 6) {
            throw new IllegalArgumentException("not a MAC address: " + text);
        }
        long v = 0;
        for (String x : p) {
            v = (v << 8) | Integer.parseInt(x, 16);
        }
        return v;
    }

    static String macText(long mac) {
        StringBuilder b = new StringBuilder();
        for (int i = 5; i >= 0; i--) {
            b.append(String.format("%02x", (mac >>> (8 * i)) & 0xff));
            if (i > 0) {
                b.append(':');
            }
        }
        return b.toString();
    }

    static long key(int ifindex, int ip) {
        return ((long) ifindex << 32) | (ip & 0xffffffffL);
    }

    Interface byName(String name) {
        return interfaces.get(name);
    }

    Interface byIndex(int index) {
        return byIndex.get(index);
    }

    /** The interface that holds an address, or null. */
    Interface holding(int address) {
        for (Interface i : interfaces.values()) {
            if (i.addresses().contains(address)) {
                return i;
            }
        }
        return null;
    }

    /** The main table's route to an address, or null. */
    Route route(int destination) {
        for (Route r : routes) {
            if ((destination & r.mask()) == r.destination()) {
                return r;
            }
        }
        return null;
    }

    /** The MAC the kernel resolved for an address on an interface, or 0. */
    long neighbour(int ifindex, int ip) {
        return neighbours.get(key(ifindex, ip));
    }

    Map<String, Interface> interfaces() {
        return interfaces;
    }

    /** An open-addressing map of long keys to non-zero long values; get allocates nothing. */
    static final class LongMap {
        private long[] keys;
        private long[] values;
        private int size;

        LongMap(int capacity) {
            int n = Integer.highestOneBit(Math.max(16, capacity * 2 - 1)) << 1;
            keys = new long[n];
            values = new long[n];
        }

        void put(long key, long value) {
            if ((size + 1) * 2 > keys.length) {
                long[] k = keys;
                long[] v = values;
                keys = new long[k.length * 2];
                values = new long[k.length * 2];
                size = 0;
                for (int i = 0; i < k.length; i++) {
                    if (v[i] != 0) {
                        put(k[i], v[i]);
                    }
                }
            }
            int mask = keys.length - 1;
            int i = mix(key) & mask;
            while (values[i] != 0 && keys[i] != key) {
                i = (i + 1) & mask;
            }
            if (values[i] == 0) {
                size++;
            }
            keys[i] = key;
            values[i] = value;
        }

        long get(long key) {
            int mask = keys.length - 1;
            int i = mix(key) & mask;
            while (values[i] != 0) {
                if (keys[i] == key) {
                    return values[i];
                }
                i = (i + 1) & mask;
            }
            return 0;
        }

        int size() {
            return size;
        }

        private static int mix(long key) {
            long h = key * 0x9E3779B97F4A7C15L;
            return (int) (h ^ (h >>> 32));
        }
    }
}
