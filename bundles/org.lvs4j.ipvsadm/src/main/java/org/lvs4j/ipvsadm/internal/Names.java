package org.lvs4j.ipvsadm.internal;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.lvs4j.api.Protocol;

/**
 * Host and service names from /etc/hosts and /etc/services only, the way glibc's "files" backend answers
 * gethostbyname, gethostbyaddr, getservbyname and getservbyport: first match in file order, host names without
 * regard to case. Never DNS, so listings cannot hang on a resolver. Files are re-read when they change.
 */
public final class Names {

    private final Path hostsFile;
    private final Path servicesFile;
    private volatile Snapshot<Hosts> hosts;
    private volatile Snapshot<Services> services;

    public Names(Path hostsFile, Path servicesFile) {
        this.hostsFile = hostsFile;
        this.servicesFile = servicesFile;
    }

    /** The system's files. */
    public static Names system() {
        return new Names(Path.of("/etc/hosts"), Path.of("/etc/services"));
    }

    private record Snapshot<T>(long modified, long size, T value) {
    }

    private record Hosts(Map<String, InetAddress> byName, Map<String, String> byAddress) {
    }

    private record Services(Map<String, Integer> byName, Map<String, String> byPort) {
    }

    /** gethostbyname: the first IPv4 address of a name or alias in /etc/hosts, or null. */
    public InetAddress address(String name) {
        return hosts().byName.get(name.toLowerCase(Locale.ROOT));
    }

    /** gethostbyaddr: the canonical name of the first /etc/hosts line with this address, or null. */
    public String hostName(InetAddress address) {
        return hosts().byAddress.get(key(address.getAddress()));
    }

    /** getservbyname: the port of a service name or alias for the protocol, or -1. */
    public int port(String name, Protocol protocol) {
        Integer p = services().byName.get(name + "/" + protocol.servicesName());
        return p == null ? -1 : p;
    }

    /** getservbyport: the official name of the service on this port and protocol, or null. */
    public String serviceName(int port, Protocol protocol) {
        return protocol == null ? null : services().byPort.get(port + "/" + protocol.servicesName());
    }

    private static String key(byte[] address) {
        return Arrays.toString(address);
    }

    private Hosts hosts() {
        Snapshot<Hosts> s = hosts;
        long[] stamp = stamp(hostsFile);
        if (s == null || s.modified != stamp[0] || s.size != stamp[1]) {
            s = new Snapshot<>(stamp[0], stamp[1], parseHosts(read(hostsFile)));
            hosts = s;
        }
        return s.value;
    }

    private Services services() {
        Snapshot<Services> s = services;
        long[] stamp = stamp(servicesFile);
        if (s == null || s.modified != stamp[0] || s.size != stamp[1]) {
            s = new Snapshot<>(stamp[0], stamp[1], parseServices(read(servicesFile)));
            services = s;
        }
        return s.value;
    }

    private static long[] stamp(Path p) {
        try {
            return new long[] {Files.getLastModifiedTime(p).toMillis(), Files.size(p)};
        } catch (IOException e) {
            return new long[] {-1, -1};
        }
    }

    private static List<String> read(Path p) {
        try {
            return Files.readAllLines(p, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            return List.of();
        }
    }

    private static String[] fields(String line) {
        int hash = line.indexOf('#');
        String s = (hash >= 0 ? line.substring(0, hash) : line).trim();
        return s.isEmpty() ? new String[0] : s.split("\\s+");
    }

    static Hosts parseHosts(List<String> lines) {
        Map<String, InetAddress> byName = new HashMap<>();
        Map<String, String> byAddress = new HashMap<>();
        for (String line : lines) {
            String[] f = fields(line);
            if (f.length < 2) {
                continue;
            }
            InetAddress a = InetParse.numeric(f[0]);
            if (a == null) {
                continue;
            }
            byAddress.putIfAbsent(key(a.getAddress()), f[1]);
            if (a instanceof Inet4Address) {
                for (int i = 1; i < f.length; i++) {
                    byName.putIfAbsent(f[i].toLowerCase(Locale.ROOT), a);
                }
            }
        }
        return new Hosts(byName, byAddress);
    }

    static Services parseServices(List<String> lines) {
        Map<String, Integer> byName = new HashMap<>();
        Map<String, String> byPort = new HashMap<>();
        for (String line : lines) {
            String[] f = fields(line);
            if (f.length < 2) {
                continue;
            }
            int slash = f[1].indexOf('/');
            if (slash < 0) {
                continue;
            }
            int port;
            try {
                port = Integer.parseInt(f[1].substring(0, slash));
            } catch (NumberFormatException e) {
                continue;
            }
            String proto = f[1].substring(slash + 1);
            byPort.putIfAbsent(port + "/" + proto, f[0]);
            byName.putIfAbsent(f[0] + "/" + proto, port);
            for (int i = 2; i < f.length; i++) {
                byName.putIfAbsent(f[i] + "/" + proto, port);
            }
        }
        return new Services(byName, byPort);
    }

    /** host_to_addr: /etc/hosts first, then the system resolver, IPv4 only as gethostbyname. */
    InetAddress resolve(String name) {
        InetAddress a = address(name);
        if (a != null) {
            return a;
        }
        try {
            for (InetAddress x : InetAddress.getAllByName(name)) {
                if (x instanceof Inet4Address) {
                    return x;
                }
            }
        } catch (UnknownHostException | SecurityException e) {
            return null;
        }
        return null;
    }
}
