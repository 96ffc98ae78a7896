package org.lvs4j.sync.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.lvs4j.api.ConnectionState;
import org.lvs4j.api.ForwardMethod;
import org.lvs4j.api.Protocol;
import org.lvs4j.api.RealServerConfig;
import org.lvs4j.api.ServiceConfig;
import org.lvs4j.api.ServiceKey;
import org.lvs4j.api.TableChange.AddRealServer;
import org.lvs4j.api.TableChange.AddService;
import org.lvs4j.api.scheduler.Flow;
import org.lvs4j.api.sync.SyncControl.Role;
import org.lvs4j.api.sync.SyncSettings;
import org.lvs4j.api.sync.SyncedConnection;
import org.lvs4j.director.internal.Connection;
import org.lvs4j.director.internal.Table;
import org.lvs4j.scheduler.rr.RoundRobinScheduler;

/**
 * Two real director tables joined by two sync links over loopback UDP: a master's connections reach the backup within
 * IPVS's send delay, a backup that (re)joins gets the whole table, and unsigned, forged, replayed or stale messages
 * change nothing and are counted.
 */
class SyncLinkTest {

    private static final double SLACK = Double.parseDouble(System.getenv().getOrDefault("TEST_SLACK", "1"));
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private static final ServiceKey VIP = new ServiceKey(Protocol.TCP, WireTest.ip("10.0.0.100"), 80);
    private static final byte[] SECRET = "0123456789abcdef-secret".getBytes(StandardCharsets.UTF_8);

    private final Table master = table();
    private final Table backup = table();
    private final List<SyncLink> links = new ArrayList<>();
    private InetSocketAddress masterAddress;
    private InetSocketAddress backupAddress;

    record TestFlow(Protocol protocol, InetAddress sourceAddress, int sourcePort, InetAddress destinationAddress,
                    int destinationPort) implements Flow {
    }

    private static Table table() {
        Table t = new Table(System::nanoTime, a -> false);
        t.addScheduler("rr", new RoundRobinScheduler(), 0, 1);
        try {
            t.apply(new AddService(ServiceConfig.of(VIP, "rr")));
            for (String rs : List.of("10.0.0.11", "10.0.0.12")) {
                t.apply(new AddRealServer(VIP, RealServerConfig.of(WireTest.ip(rs), 80, ForwardMethod.DROUTE, 1)));
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return t;
    }

    @AfterEach
    void close() {
        links.forEach(SyncLink::close);
    }

    /** Opens the master's and the backup's links, each sending to the other's port on loopback. */
    private void join(boolean signed) throws IOException {
        masterAddress = new InetSocketAddress(LOOPBACK, freePort());
        backupAddress = new InetSocketAddress(LOOPBACK, freePort());
        Wire.Key key = signed ? new Wire.Key(SECRET) : null;
        SyncLink m = link(master, Role.MASTER, key, masterAddress, backupAddress);
        m.master(5);
        SyncLink b = link(backup, Role.BACKUP, key, backupAddress, masterAddress);
        b.backup(5);
    }

    private SyncLink link(Table table, Role role, Wire.Key key, InetSocketAddress bind, InetSocketAddress peer)
            throws IOException {
        SyncSettings s = new SyncSettings(role, "lo", 5, 1472, peer.getAddress(), peer.getPort(), 1,
                key == null ? null : "test");
        SyncLink link = new SyncLink(table.sync(), s, key, bind, peer);
        links.add(link);
        return link;
    }

    private static int freePort() throws IOException {
        try (DatagramChannel c = DatagramChannel.open()) {
            c.bind(new InetSocketAddress(LOOPBACK, 0));
            return ((InetSocketAddress) c.getLocalAddress()).getPort();
        }
    }

    private Connection connect(int clientPort) {
        Connection c = master.schedule(master.virtualService(VIP),
                new TestFlow(Protocol.TCP, WireTest.ip("10.0.0.50"), clientPort, VIP.address(), 80)).connection();
        c.tcpSegment(true, 0x02);
        c.tcpSegment(true, 0x10);
        return c;
    }

    private Connection onBackup(int clientPort) {
        return backup.lookup(Protocol.TCP, WireTest.ip("10.0.0.50"), clientPort, VIP.address(), 80);
    }

    private static void await(BooleanSupplier condition, Duration within, String what) {
        long deadline = System.nanoTime() + (long) (within.toNanos() * SLACK);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.onSpinWait();
        }
    }

    private long counter(SyncLink link, String name) {
        return link.counters().getOrDefault(name, 0L);
    }

    @Test
    void anEstablishedConnectionReachesTheBackupWithinFiftyMilliseconds() throws Exception {
        join(true);
        await(() -> counter(links.get(0), "resync requests answered") == 1, Duration.ofSeconds(2),
                "the backup's resync request to be answered (an empty table)");
        long start = System.nanoTime();
        Connection c = connect(40000);
        await(() -> onBackup(40000) != null && onBackup(40000).state() == ConnectionState.ESTABLISHED,
                Duration.ofMillis(50), "the backup to hold the connection ESTABLISHED");
        long micros = (System.nanoTime() - start) / 1000;
        assertEquals(c.destinationAddress(), onBackup(40000).destinationAddress());
        System.out.println("state change to backup: " + micros + " us");
    }

    @Test
    void aBackupThatJoinsLateAsksForTheWholeTable() throws Exception {
        for (int port = 1024; port < 1324; port++) {
            connect(port);
        }
        join(false);
        await(() -> backup.connectionCount() == 300, Duration.ofSeconds(2), "all 300 entries on the backup");
        assertEquals(1, counter(links.get(0), "resync requests answered"));
        assertTrue(counter(links.get(0), "messages sent") >= 8, "300 records take 8 messages of 1472 bytes");
    }

    @Test
    void unsignedForgedReplayedAndStaleMessagesChangeNothingAndAreCounted() throws Exception {
        join(true);
        SyncLink b = links.get(1);
        SyncedConnection forged = WireTest.conn("10.0.0.66", 4444);
        try (DatagramChannel attacker = DatagramChannel.open()) {
            attacker.bind(new InetSocketAddress(LOOPBACK, 0));
            ByteBuffer plain = Wire.encode(5, List.of(forged), 1472).get(0).flip();
            attacker.send(plain, backupAddress);
            Wire.Key wrong = new Wire.Key("not-the-secret-at-all".getBytes(StandardCharsets.UTF_8));
            attacker.send(Wire.sign(Wire.encode(5, List.of(forged), 1400).get(0), wrong, 1, 1), backupAddress);
            await(() -> counter(b, "refused: unsigned") == 1 && counter(b, "refused: bad signature") == 1,
                    Duration.ofSeconds(2), "both refusals to be counted");

            // A message signed with the right key is taken once; its replay and an older generation are not.
            Wire.Key key = new Wire.Key(SECRET);
            ByteBuffer good = Wire.sign(Wire.encode(5, List.of(forged), 1400).get(0), key, 2_000_000_000_000L, 1);
            byte[] captured = new byte[good.remaining()];
            good.duplicate().get(captured);
            attacker.send(good, backupAddress);
            await(() -> counter(b, "records applied") == 1, Duration.ofSeconds(2), "the signed record");
            backup.lookup(Protocol.TCP, WireTest.ip("10.0.0.66"), 4444, VIP.address(), 80).expire();
            attacker.send(ByteBuffer.wrap(captured), backupAddress);
            attacker.send(Wire.sign(Wire.encode(5, List.of(forged), 1400).get(0), key, 1_000_000_000_000L, 2),
                    backupAddress);
            await(() -> counter(b, "refused: replayed") == 1 && counter(b, "refused: stale generation") == 1,
                    Duration.ofSeconds(2), "the replay and the stale generation to be refused");
        }
        assertNull(backup.lookup(Protocol.TCP, WireTest.ip("10.0.0.66"), 4444, VIP.address(), 80),
                "neither the replay nor the stale message entered the connection again");
    }

    @Test
    void aBackupWithAnotherSyncIdIgnoresTheMaster() throws Exception {
        masterAddress = new InetSocketAddress(LOOPBACK, freePort());
        backupAddress = new InetSocketAddress(LOOPBACK, freePort());
        link(master, Role.MASTER, null, masterAddress, backupAddress).master(5);
        SyncLink b = link(backup, Role.BACKUP, null, backupAddress, masterAddress);
        b.backup(6);
        connect(40000);
        await(() -> counter(b, "refused: other syncid") >= 1, Duration.ofSeconds(2), "the other syncid");
        assertNull(onBackup(40000));
        assertNotNull(master.lookup(Protocol.TCP, WireTest.ip("10.0.0.50"), 40000, VIP.address(), 80));
    }
}
