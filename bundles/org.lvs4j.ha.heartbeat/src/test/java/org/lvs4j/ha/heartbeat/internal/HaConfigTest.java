package org.lvs4j.ha.heartbeat.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.lvs4j.api.health.ConfigException;

/** ha.cf with heartbeat's words, defaults and rules; every error names the file and line. */
class HaConfigTest {

    static final Path FILE = Path.of("ha.cf");

    static HaConfig parse(String text) throws ConfigException {
        return HaConfig.parse(FILE, text);
    }

    @Test
    void theHowTosStyleOfFileWithLvs4jsFastTimers() throws Exception {
        HaConfig c = parse("""
                # primary and backup director
                logfile /var/log/ha-log
                keepalive 100ms
                deadtime 500ms
                warntime 300ms
                initdead 2
                udpport 1694
                ucast eth0 10.99.0.3 from 10.99.0.2
                mcast eth1 225.0.0.1 694 1 0
                bcast eth2 eth3
                auto_failback on
                node dir1 dir2
                self dir1
                """);
        assertEquals(100, c.keepaliveMillis());
        assertEquals(500, c.deadtimeMillis());
        assertEquals(300, c.warntimeMillis());
        assertEquals(2000, c.initdeadMillis());
        assertEquals(1694, c.udpPort());
        assertEquals(List.of(new HaConfig.Ucast("eth0", InetAddress.getByName("10.99.0.3"),
                        InetAddress.getByName("10.99.0.2"), 1694),
                new HaConfig.Mcast("eth1", InetAddress.getByName("225.0.0.1"), 694, 1, false),
                new HaConfig.Bcast("eth2", 1694), new HaConfig.Bcast("eth3", 1694)), c.media());
        assertEquals(HaConfig.AutoFailback.ON, c.autoFailback());
        assertEquals("dir2", c.peer());
    }

    @Test
    void heartbeatsDefaults() throws Exception {
        HaConfig c = parse("ucast eth0 10.0.0.2\nnode a b\nself a\n");
        assertEquals(1000, c.keepaliveMillis());
        assertEquals(30_000, c.deadtimeMillis());
        assertEquals(15_000, c.warntimeMillis(), "warntime = deadtime / 2");
        assertEquals(30_000, c.initdeadMillis(), "initdead = deadtime when deadtime > 10 s");
        assertEquals(694, c.udpPort());
        assertEquals(HaConfig.AutoFailback.LEGACY, c.autoFailback());
        assertEquals(12_000, parse("deadtime 5\nucast eth0 10.0.0.2\nnode a b\nself a\n").initdeadMillis(),
                "12 s when deadtime < 6 s");
        assertEquals(16_000, parse("deadtime 8\nucast eth0 10.0.0.2\nnode a b\nself a\n").initdeadMillis(),
                "twice deadtime between 6 and 10 s");
    }

    @Test
    void syncDaemonNamesTheDeviceAndTheSyncId() throws Exception {
        assertEquals(new HaConfig.SyncDaemon("eth1", 7),
                parse("ucast eth0 10.0.0.2\nnode a b\nself a\nsync_daemon eth1 7\n").syncDaemon());
        assertEquals(new HaConfig.SyncDaemon("eth0", 0),
                parse("ucast eth0 10.0.0.2\nnode a b\nself a\nsync_daemon eth0\n").syncDaemon());
        assertEquals(null, parse("ucast eth0 10.0.0.2\nnode a b\nself a\n").syncDaemon());
    }

    @Test
    void theUdpPortAboveAMediumLineIsTheOneItUses() throws Exception {
        HaConfig c = parse("ucast eth0 10.0.0.2\nudpport 7000\nucast eth1 10.0.1.2\nnode a b\nself a\n");
        assertEquals(694, ((HaConfig.Ucast) c.media().get(0)).port());
        assertEquals(7000, ((HaConfig.Ucast) c.media().get(1)).port());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            keepalive fast                              | ha.cf:1: keepalive: "fast" is not a time between 1 ms and a day (e.g. 2, 0.5 or 500ms)
            keepalive 1 2                               | ha.cf:1: keepalive takes one time, not 2 words
            keepalive 0                                 | ha.cf:1: keepalive: "0" is not a time between 1 ms and a day (e.g. 2, 0.5 or 500ms)
            udpport 70000                               | ha.cf:1: udpport: "70000" is not a number from 1 to 65535
            ucast eth0                                  | ha.cf:1: usage: ucast DEV PEER [from LOCAL]
            ucast eth0 peer.example                     | ha.cf:1: ucast peer must be an IP address, not "peer.example"
            mcast eth0 10.0.0.1 694 1 0                 | ha.cf:1: mcast group 10.0.0.1 is not a multicast address
            auto_failback maybe                         | ha.cf:1: auto_failback must be on, off or legacy, not maybe
            serial /dev/ttyS0                           | ha.cf:1: "serial" is a heartbeat directive lvs4j does not support
            crm yes                                     | ha.cf:1: "crm" is a heartbeat directive lvs4j does not support
            keepalived 1                                | ha.cf:1: unknown directive "keepalived"
            sync_daemon                                 | ha.cf:1: usage: sync_daemon DEV [SYNCID]
            sync_daemon eth0 256                        | ha.cf:1: sync_daemon: "256" is not a number from 0 to 255
            """)
    void badLinesAreNamedByFileAndLine(String line, String message) {
        ConfigException e = assertThrows(ConfigException.class,
                () -> parse(line + "\nucast eth0 10.0.0.2\nnode a b\nself a\n"));
        assertEquals(message, e.getMessage());
    }

    @Test
    void wholeFileRulesAsHeartbeatHasThem() {
        assertEquals("ha.cf: deadtime (2000 ms) must be more than twice keepalive (1000 ms)",
                assertThrows(ConfigException.class,
                        () -> parse("deadtime 2\nucast eth0 10.0.0.2\nnode a b\nself a\n")).getMessage());
        assertEquals("ha.cf: initdead (1000 ms) must not be below deadtime (3000 ms)",
                assertThrows(ConfigException.class, () -> parse(
                        "deadtime 3\ninitdead 1\nucast eth0 10.0.0.2\nnode a b\nself a\n")).getMessage());
        assertEquals("ha.cf: no medium: add a ucast, mcast or bcast line",
                assertThrows(ConfigException.class, () -> parse("node a b\nself a\n")).getMessage());
        assertEquals("ha.cf: lvs4j pairs two directors: name exactly two nodes (found 3)",
                assertThrows(ConfigException.class,
                        () -> parse("ucast eth0 10.0.0.2\nnode a b c\nself a\n")).getMessage());
        assertEquals("ha.cf: this director is \"x\", which is not a node [a, b]",
                assertThrows(ConfigException.class,
                        () -> parse("ucast eth0 10.0.0.2\nnode a b\nself x\n")).getMessage());
        assertEquals("ha.cf:3: node a is named twice", assertThrows(ConfigException.class,
                () -> parse("ucast eth0 10.0.0.2\nnode a\nnode a b\nself a\n")).getMessage());
    }
}
