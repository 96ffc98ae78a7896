/*
 * heartbeat's ha.cf, with heartbeat's words and defaults (Heartbeat 3.0.6 heartbeat/config.c; SPEC-ipvs.md B8).
 *
 * Times are seconds ("2", "0.5") or milliseconds with "ms" ("500ms"). Defaults: keepalive 1 s, deadtime 30 s,
 * warntime deadtime/2, initdead deadtime when it is over 10 s, 12 s when it is under 6 s, else twice deadtime;
 * udpport 694. A deadtime not above twice the keepalive is an error, as in heartbeat, and so is an initdead below
 * deadtime. Order matters where it does in heartbeat: a medium line takes the udpport set above it.
 *
 * lvs4j adds "self NAME" (this director's node name when several share a host name), "ucast DEV PEER from LOCAL"
 * (the local address to send from and listen on, for several directors on one host) and "sync_daemon DEV [SYNCID]"
 * (connection sync on DEV, signed with authkeys' key: both roles on both directors, as keepalived's
 * lvs_sync_daemon). Directives that change what
 * heartbeat does and that lvs4j does not do (serial links, stonith, crm, respawn ...) are refused by name rather than
 * ignored; logging directives are accepted and have no effect (lvs4j logs to its own log).
 */
package org.lvs4j.ha.heartbeat.internal;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import org.lvs4j.api.health.ConfigException;

record HaConfig(long keepaliveMillis, long deadtimeMillis, long warntimeMillis, long initdeadMillis, int udpPort,
                List<Medium> media, AutoFailback autoFailback, List<String> nodes, String self,
                SyncDaemon syncDaemon) {

    /** lvs4j's {@code sync_daemon DEV [SYNCID]}: connection sync between the two directors, or null. */
    record SyncDaemon(String device, int syncId) {
    }

    /** How heartbeat sends: to one peer, to a multicast group, or broadcast on an interface. */
    sealed interface Medium {
    }

    /** {@code ucast DEV PEER [from LOCAL]}. */
    record Ucast(String device, InetAddress peer, InetAddress from, int port) implements Medium {
    }

    /** {@code mcast DEV GROUP PORT TTL LOOP}. */
    record Mcast(String device, InetAddress group, int port, int ttl, boolean loop) implements Medium {
    }

    /** {@code bcast DEV}. */
    record Bcast(String device, int port) implements Medium {
    }

    enum AutoFailback { ON, OFF, LEGACY }

    private static final Set<String> LOGGING = Set.of("logfile", "debugfile", "logfacility", "use_logd", "debug");
    private static final Set<String> UNSUPPORTED = Set.of("serial", "baud", "stonith", "stonith_host", "crm",
            "respawn", "ping", "ping_group", "watchdog", "apiauth", "hbgenmethod", "realtime", "compression",
            "msgfmt", "traditional_compression", "conn_logd_time", "autojoin", "deadping", "hopfudge", "coredumps");

    /** Parses the text of an ha.cf; {@code file} names it in errors. */
    static HaConfig parse(Path file, String text) throws ConfigException {
        Long keepalive = null;
        Long deadtime = null;
        Long warntime = null;
        Long initdead = null;
        int port = 694;
        List<Medium> media = new ArrayList<>();
        AutoFailback failback = AutoFailback.LEGACY;
        List<String> nodes = new ArrayList<>();
        String self = null;
        SyncDaemon sync = null;
        String[] lines = text.split("\r?\n", -1);
        for (int i = 0; i < lines.length; i++) {
            int n = i + 1;
            String line = lines[i];
            int hash = line.indexOf('#');
            if (hash >= 0) {
                line = line.substring(0, hash);
            }
            String[] w = line.trim().split("\\s+");
            if (w[0].isEmpty()) {
                continue;
            }
            String key = w[0].toLowerCase(Locale.ROOT);
            switch (key) {
                case "keepalive" -> keepalive = time(file, n, w);
                case "deadtime" -> deadtime = time(file, n, w);
                case "warntime" -> warntime = time(file, n, w);
                case "initdead" -> initdead = time(file, n, w);
                case "udpport" -> port = number(file, n, w, 1, 1, 65535);
                case "ucast" -> media.add(ucast(file, n, w, port));
                case "mcast" -> media.add(mcast(file, n, w));
                case "bcast" -> {
                    need(file, n, w, 2, "bcast DEV [DEV...]");
                    for (int k = 1; k < w.length; k++) {
                        media.add(new Bcast(w[k], port));
                    }
                }
                case "auto_failback" -> {
                    need(file, n, w, 2, "auto_failback on|off|legacy");
                    failback = switch (w[1].toLowerCase(Locale.ROOT)) {
                        case "on", "yes", "true" -> AutoFailback.ON;
                        case "off", "no", "false" -> AutoFailback.OFF;
                        case "legacy" -> AutoFailback.LEGACY;
                        default -> throw new ConfigException(file, n, "auto_failback must be on, off or legacy, not "
                                + w[1]);
                    };
                }
                case "node" -> {
                    need(file, n, w, 2, "node NAME [NAME...]");
                    for (int k = 1; k < w.length; k++) {
                        if (nodes.contains(w[k])) {
                            throw new ConfigException(file, n, "node " + w[k] + " is named twice");
                        }
                        nodes.add(w[k]);
                    }
                }
                case "self" -> {
                    need(file, n, w, 2, "self NAME");
                    self = w[1];
                }
                case "sync_daemon" -> {
                    need(file, n, w, 2, "sync_daemon DEV [SYNCID]");
                    sync = new SyncDaemon(w[1], w.length > 2 ? number(file, n, w, 2, 0, 255) : 0);
                }
                default -> {
                    if (LOGGING.contains(key)) {
                        continue;
                    }
                    if (UNSUPPORTED.contains(key)) {
                        throw new ConfigException(file, n, "\"" + w[0] + "\" is a heartbeat directive lvs4j does"
                                + " not support");
                    }
                    throw new ConfigException(file, n, "unknown directive \"" + w[0] + "\"");
                }
            }
        }
        long ka = keepalive == null ? 1000 : keepalive;
        long dt = deadtime == null ? 30_000 : deadtime;
        if (dt <= 2 * ka) {
            throw new ConfigException(file, 0, "deadtime (" + dt + " ms) must be more than twice keepalive (" + ka
                    + " ms)");
        }
        long wt = warntime == null ? dt / 2 : warntime;
        long id = initdead != null ? initdead : dt > 10_000 ? dt : dt < 6_000 ? 12_000 : 2 * dt;
        if (id < dt) {
            throw new ConfigException(file, 0, "initdead (" + id + " ms) must not be below deadtime (" + dt + " ms)");
        }
        if (media.isEmpty()) {
            throw new ConfigException(file, 0, "no medium: add a ucast, mcast or bcast line");
        }
        if (nodes.size() != 2) {
            throw new ConfigException(file, 0, "lvs4j pairs two directors: name exactly two nodes (found "
                    + nodes.size() + ")");
        }
        String me = self != null ? self : hostName();
        if (!nodes.contains(me)) {
            throw new ConfigException(file, 0, "this director is \"" + me + "\", which is not a node " + nodes
                    + (self == null ? " (set \"self NAME\" when directors share a host name)" : ""));
        }
        return new HaConfig(ka, dt, wt, id, port, List.copyOf(media), failback, List.copyOf(nodes), me, sync);
    }

    /** The other node's name. */
    String peer() {
        return nodes.get(0).equals(self) ? nodes.get(1) : nodes.get(0);
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return System.getenv().getOrDefault("HOSTNAME", "localhost");
        }
    }

    private static void need(Path file, int line, String[] w, int count, String usage) throws ConfigException {
        if (w.length < count) {
            throw new ConfigException(file, line, "usage: " + usage);
        }
    }

    /** A time in heartbeat's notation, in milliseconds. */
    static long time(Path file, int line, String[] w) throws ConfigException {
        need(file, line, w, 2, w[0] + " TIME (seconds, or milliseconds with ms)");
        if (w.length > 2) {
            throw new ConfigException(file, line, w[0] + " takes one time, not " + (w.length - 1) + " words");
        }
        String v = w[1].toLowerCase(Locale.ROOT);
        try {
            double ms = v.endsWith("ms") ? Double.parseDouble(v.substring(0, v.length() - 2))
                    : v.endsWith("s") ? Double.parseDouble(v.substring(0, v.length() - 1)) * 1000
                    : Double.parseDouble(v) * 1000;
            if (!(ms > 0) || ms > 86_400_000) {
                throw new NumberFormatException();
            }
            return Math.round(ms);
        } catch (NumberFormatException e) {
            throw new ConfigException(file, line, w[0] + ": \"" + w[1] + "\" is not a time between 1 ms and a day"
                    + " (e.g. 2, 0.5 or 500ms)");
        }
    }

    private static int number(Path file, int line, String[] w, int at, int min, int max) throws ConfigException {
        need(file, line, w, at + 1, w[0] + " NUMBER");
        try {
            int v = Integer.parseInt(w[at]);
            if (v < min || v > max) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            throw new ConfigException(file, line, w[0] + ": \"" + w[at] + "\" is not a number from " + min + " to "
                    + max);
        }
    }

    private static InetAddress address(Path file, int line, String what, String text) throws ConfigException {
        if (!text.matches("[0-9.]+|[0-9a-fA-F:]+")) {
            throw new ConfigException(file, line, what + " must be an IP address, not \"" + text + "\"");
        }
        try {
            return InetAddress.getByName(text);
        } catch (UnknownHostException e) {
            throw new ConfigException(file, line, what + " must be an IP address, not \"" + text + "\"");
        }
    }

    private static Ucast ucast(Path file, int line, String[] w, int port) throws ConfigException {
        if (w.length != 3 && !(w.length == 5 && w[3].equals("from"))) {
            throw new ConfigException(file, line, "usage: ucast DEV PEER [from LOCAL]");
        }
        InetAddress peer = address(file, line, "ucast peer", w[2]);
        InetAddress from = w.length == 5 ? address(file, line, "ucast from", w[4]) : null;
        return new Ucast(w[1], peer, from, port);
    }

    private static Mcast mcast(Path file, int line, String[] w) throws ConfigException {
        if (w.length != 6) {
            throw new ConfigException(file, line, "usage: mcast DEV GROUP PORT TTL LOOP");
        }
        InetAddress group = address(file, line, "mcast group", w[2]);
        if (!group.isMulticastAddress()) {
            throw new ConfigException(file, line, "mcast group " + w[2] + " is not a multicast address");
        }
        int port = number(file, line, w, 3, 1, 65535);
        int ttl = number(file, line, w, 4, 1, 255);
        int loop = number(file, line, w, 5, 0, 1);
        return new Mcast(w[1], group, port, ttl, loop == 1);
    }
}
