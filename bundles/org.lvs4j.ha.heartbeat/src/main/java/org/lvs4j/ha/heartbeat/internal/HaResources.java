/*
 * heartbeat's haresources: one line (continued with a trailing backslash) naming the node that normally owns the
 * resources and the resources, started left to right when a node becomes master and stopped right to left:
 *
 *   dir1 IPaddr::10.99.0.100/24/eth0 lvs4j
 *
 * "IPaddr::IP[/PREFIX[/DEV]]" (or IPaddr2, or a bare IP) is a VIP the master holds, announced by gratuitous ARP;
 * "lvs4j" is the director's role itself (on loopback set-ups, the socket engine's listeners); "ldirectord[::FILE]" is
 * accepted as the how-to writes it and stands for the same role; any other name is a script the operator keeps in the
 * ha directory's resource.d/, run with its "::" arguments and start or stop.
 */
package org.lvs4j.ha.heartbeat.internal;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.lvs4j.api.health.ConfigException;

record HaResources(String owner, List<Resource> resources) {

    sealed interface Resource {
    }

    /**
     * A VIP: address, prefix length (0: the prefix of the interface's subnet that holds it, as IPaddr), and
     * interface (null: the one whose subnet holds it).
     */
    record Ip(InetAddress address, int prefix, String device) implements Resource {
    }

    /** The director's role (its services' traffic). */
    record Director() implements Resource {
    }

    /** An operator's script in resource.d/, called with its arguments and "start" or "stop". */
    record Script(String name, List<String> args) implements Resource {
    }

    static HaResources parse(Path file, String text) throws ConfigException {
        List<String> logical = new ArrayList<>();
        List<Integer> lineOf = new ArrayList<>();
        StringBuilder cur = null;
        String[] lines = text.split("\r?\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String l = lines[i];
            int hash = l.indexOf('#');
            if (hash >= 0) {
                l = l.substring(0, hash);
            }
            boolean more = l.stripTrailing().endsWith("\\");
            if (more) {
                l = l.stripTrailing();
                l = l.substring(0, l.length() - 1);
            }
            if (cur == null) {
                if (l.isBlank()) {
                    continue;
                }
                cur = new StringBuilder();
                lineOf.add(i + 1);
            }
            cur.append(' ').append(l);
            if (!more) {
                logical.add(cur.toString().trim());
                cur = null;
            }
        }
        if (cur != null) {
            logical.add(cur.toString().trim());
        }
        if (logical.isEmpty()) {
            throw new ConfigException(file, 0, "no resource line (NODE RESOURCE...)");
        }
        if (logical.size() > 1) {
            throw new ConfigException(file, lineOf.get(1), "a second resource line: lvs4j pairs two directors"
                    + " around one resource group");
        }
        int line = lineOf.get(0);
        String[] w = logical.get(0).split("\\s+");
        if (w.length < 2) {
            throw new ConfigException(file, line, "usage: NODE RESOURCE [RESOURCE...]");
        }
        List<Resource> resources = new ArrayList<>();
        for (int k = 1; k < w.length; k++) {
            resources.add(resource(file, line, w[k]));
        }
        if (resources.stream().filter(r -> r instanceof Director).count() > 1) {
            throw new ConfigException(file, line, "the director (lvs4j or ldirectord) is named twice");
        }
        return new HaResources(w[0], List.copyOf(resources));
    }

    private static Resource resource(Path file, int line, String word) throws ConfigException {
        String[] parts = word.split("::", -1);
        String name = parts[0];
        if (name.matches("[0-9.]+")) {
            return ip(file, line, word);
        }
        switch (name) {
            case "IPaddr", "IPaddr2" -> {
                if (parts.length != 2) {
                    throw new ConfigException(file, line, name + " takes one argument: " + name
                            + "::IP[/PREFIX[/DEV]]");
                }
                return ip(file, line, parts[1]);
            }
            case "lvs4j", "ldirectord" -> {
                return new Director();
            }
            default -> {
                if (!name.matches("[A-Za-z0-9_.-]+") || name.startsWith(".")) {
                    throw new ConfigException(file, line, "\"" + name + "\" is not a resource name (a script in"
                            + " resource.d/)");
                }
                return new Script(name, List.of(parts).subList(1, parts.length));
            }
        }
    }

    private static Ip ip(Path file, int line, String spec) throws ConfigException {
        String[] p = spec.split("/", -1);
        if (p.length > 3 || !p[0].matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}")) {
            throw new ConfigException(file, line, "\"" + spec + "\" is not IP[/PREFIX[/DEV]] (IPv4)");
        }
        InetAddress a;
        try {
            a = InetAddress.getByName(p[0]);
        } catch (UnknownHostException e) {
            a = null;
        }
        if (!(a instanceof Inet4Address) || a.isAnyLocalAddress() || a.isMulticastAddress()
                || !p[0].equals(a.getHostAddress())) {
            throw new ConfigException(file, line, "\"" + p[0] + "\" is not a unicast IPv4 address");
        }
        int prefix = 0;
        if (p.length > 1) {
            try {
                prefix = Integer.parseInt(p[1]);
                if (prefix < 1 || prefix > 32) {
                    throw new NumberFormatException();
                }
            } catch (NumberFormatException e) {
                throw new ConfigException(file, line, "prefix \"" + p[1] + "\" is not 1 to 32");
            }
        }
        String dev = p.length > 2 ? p[2] : null;
        if (dev != null && !dev.matches("[A-Za-z0-9_.:@-]{1,15}")) {
            throw new ConfigException(file, line, "\"" + dev + "\" is not an interface name");
        }
        return new Ip(a, prefix, dev);
    }
}
