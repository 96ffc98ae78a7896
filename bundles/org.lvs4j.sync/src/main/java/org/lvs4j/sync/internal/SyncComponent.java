package org.lvs4j.sync.internal;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.lvs4j.api.sync.ConnectionSync;
import org.lvs4j.api.sync.SyncControl;
import org.lvs4j.api.sync.SyncSettings;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sync daemons of this director: {@code ipvsadm --start-daemon master|backup} and {@code --stop-daemon}, and
 * {@code lvs:sync} for their counters. A master and a backup daemon may run together (as keepalived's
 * lvs_sync_daemon runs them); they then share one socket, so they must share group and port.
 */
@Component(immediate = true, property = {"osgi.command.scope=lvs", "osgi.command.function=sync"})
public class SyncComponent implements SyncControl {

    static final String DEFAULT_GROUP = "224.0.0.81";
    static final int DEFAULT_PORT = 8848;
    private static final Logger LOG = LoggerFactory.getLogger(SyncComponent.class);

    private final ConnectionSync director;
    private SyncLink link;
    private SyncSettings master;
    private SyncSettings backup;

    @org.osgi.service.component.annotations.Activate
    public SyncComponent(@Reference ConnectionSync director) {
        this.director = director;
    }

    @Override
    public synchronized SyncSettings start(SyncSettings requested) {
        if ((requested.role() == Role.MASTER ? master : backup) != null) {
            throw new IllegalStateException("Daemon has already run");
        }
        SyncSettings s = complete(requested);
        SyncSettings other = requested.role() == Role.MASTER ? backup : master;
        if (other != null && !(other.group().equals(s.group()) && other.port() == s.port()
                && other.mcastInterface().equals(s.mcastInterface()) && java.util.Objects.equals(other.keyFile(),
                s.keyFile()))) {
            throw new IllegalArgumentException("lvs4j: a master and a backup daemon share one socket: give them "
                    + "the same interface, group, port and key (the " + other.role().label() + " daemon uses "
                    + other.mcastInterface() + ", " + other.group().getHostAddress() + ":" + other.port() + ")");
        }
        if (link == null) {
            try {
                link = new SyncLink(director, s, key(s.keyFile()));
            } catch (IOException e) {
                throw new IllegalArgumentException("lvs4j: cannot open the sync socket on " + s.mcastInterface()
                        + " " + s.group().getHostAddress() + ":" + s.port() + ": " + e.getMessage(), e);
            }
        }
        if (s.role() == Role.MASTER) {
            master = s;
            link.master(s.syncId());
        } else {
            backup = s;
            link.backup(s.syncId());
        }
        LOG.info("{} sync daemon started: {}", s.role().label(), describe(s));
        return s;
    }

    @Override
    public synchronized void stop(Role role) {
        if ((role == Role.MASTER ? master : backup) == null) {
            throw new IllegalStateException("No daemon is running");
        }
        if (role == Role.MASTER) {
            master = null;
            link.master(-1);
        } else {
            backup = null;
            link.backup(-1);
        }
        if (master == null && backup == null) {
            link.close();
            link = null;
        }
        LOG.info("{} sync daemon stopped", role.label());
    }

    @Override
    public synchronized List<SyncSettings> running() {
        List<SyncSettings> out = new ArrayList<>(2);
        if (master != null) {
            out.add(master);
        }
        if (backup != null) {
            out.add(backup);
        }
        return out;
    }

    @Deactivate
    public synchronized void deactivate() {
        master = null;
        backup = null;
        if (link != null) {
            link.close();
            link = null;
        }
    }

    /** Gogo {@code lvs:sync}: the daemons and their counters. */
    public synchronized String sync() {
        if (link == null) {
            return "no sync daemon is running (ipvsadm --start-daemon master|backup --mcast-interface IF)\n";
        }
        StringBuilder b = new StringBuilder();
        for (SyncSettings s : running()) {
            b.append(s.role().label()).append(" sync daemon: ").append(describe(s)).append('\n');
        }
        link.counters().forEach((k, v) -> b.append(String.format("  %-28s %d%n", k, v)));
        return b.toString();
    }

    static String describe(SyncSettings s) {
        return "mcast=" + s.mcastInterface() + ", syncid=" + s.syncId() + ", maxlen=" + s.maxLength() + ", group="
                + s.group().getHostAddress() + ", port=" + s.port() + ", ttl=" + s.ttl()
                + (s.keyFile() == null ? "" : ", key=" + s.keyFile());
    }

    /** Fills in IPVS's defaults and checks each setting. */
    static SyncSettings complete(SyncSettings s) {
        if (s.mcastInterface() == null || s.mcastInterface().isEmpty()) {
            throw new IllegalArgumentException("lvs4j: --mcast-interface is required");
        }
        NetworkInterface nif;
        try {
            nif = NetworkInterface.getByName(s.mcastInterface());
        } catch (SocketException e) {
            nif = null;
        }
        if (nif == null) {
            throw new IllegalArgumentException("lvs4j: no interface " + s.mcastInterface());
        }
        if (s.syncId() < 0 || s.syncId() > 255) {
            throw new IllegalArgumentException("illegal syncid specified");
        }
        InetAddress group = s.group();
        if (group == null) {
            group = address(DEFAULT_GROUP);
        }
        int port = s.port() == 0 ? DEFAULT_PORT : s.port();
        int ttl = s.ttl() == 0 ? 1 : s.ttl();
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("illegal mcast-port specified");
        }
        if (ttl < 1 || ttl > 255) {
            throw new IllegalArgumentException("illegal mcast-ttl specified");
        }
        int headers = (group instanceof Inet6Address ? 40 : 20) + 8;
        int maxLength = s.maxLength();
        if (maxLength == 0) {
            int mtu;
            try {
                mtu = nif.getMTU();
            } catch (SocketException e) {
                mtu = 1500;
            }
            maxLength = Math.min(Math.max(mtu, 576) - headers, 65507);
        }
        int least = Wire.HEADER + Wire.V6_RECORD + (s.keyFile() == null ? 0 : Wire.TRAILER);
        if (maxLength < least || maxLength > 65507) {
            throw new IllegalArgumentException("illegal sync-maxlen specified (" + least + "..65507)");
        }
        return new SyncSettings(s.role(), s.mcastInterface(), s.syncId(), maxLength, group, port, ttl,
                s.keyFile());
    }

    /** Reads the secret: the first line of a file that only its owner may read, as heartbeat's authkeys. */
    static Wire.Key key(String file) {
        if (file == null) {
            return null;
        }
        Path p = Path.of(file);
        try {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(p);
            for (PosixFilePermission bad : List.of(PosixFilePermission.GROUP_READ, PosixFilePermission.OTHERS_READ,
                    PosixFilePermission.GROUP_WRITE, PosixFilePermission.OTHERS_WRITE)) {
                if (perms.contains(bad)) {
                    throw new IllegalArgumentException("lvs4j: sync key " + file
                            + " must be readable by its owner only (chmod 600)");
                }
            }
            String secret = secret(Files.readAllLines(p, StandardCharsets.UTF_8));
            if (secret.length() < 16) {
                throw new IllegalArgumentException("lvs4j: sync key " + file
                        + ": the secret must have at least 16 characters");
            }
            return new Wire.Key(secret.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalArgumentException("lvs4j: cannot read sync key " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * The secret in a key file: its first line, or, in a heartbeat authkeys file ("auth N" and lines "N METHOD
     * SECRET"), the secret of the key in use, so a director pair's HA configuration signs sync as well.
     */
    static String secret(List<String> lines) {
        List<String> meaningful = lines.stream().map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#"))
                .toList();
        if (meaningful.isEmpty()) {
            return "";
        }
        String[] first = meaningful.get(0).split("\\s+");
        if (first.length == 2 && first[0].equals("auth")) {
            for (String l : meaningful.subList(1, meaningful.size())) {
                String[] w = l.split("\\s+", 3);
                if (w.length == 3 && w[0].equals(first[1])) {
                    return w[2];
                }
            }
            return "";
        }
        return meaningful.get(0);
    }

    private static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
