package org.lvs4j.ipvsadm.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.DatagramChannel;
import java.nio.file.Path;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lvs4j.sync.internal.SyncComponent;

/** --start-daemon, --stop-daemon and -L --daemon against the real sync component, as ipvsadm reports them. */
class DaemonTest {

    @TempDir
    Path dir;
    private Harness h;
    private SyncComponent sync;
    private int port;

    @BeforeEach
    void setUp() throws IOException {
        h = new Harness(dir, "rr");
        sync = new SyncComponent(h.table.sync());
        h.sync = sync;
        try (DatagramChannel c = DatagramChannel.open()) {
            c.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            port = ((InetSocketAddress) c.getLocalAddress()).getPort();
        }
    }

    @AfterEach
    void tearDown() {
        sync.deactivate();
    }

    @Test
    void daemonsStartListAndStopAsIpvsadmShowsThem() {
        String p = String.valueOf(port);
        h.ok("--start-daemon", "master", "--mcast-interface", "lo", "--syncid", "7", "--mcast-group", "127.0.0.1",
                "--mcast-port", p, "--sync-maxlen", "1400");
        h.ok("--start-daemon", "backup", "--mcast-interface", "lo", "--syncid", "7", "--mcast-group", "127.0.0.1",
                "--mcast-port", p);
        assertEquals("master sync daemon (mcast=lo, syncid=7, maxlen=1400, group=127.0.0.1, port=" + p + ", ttl=1)\n"
                + "backup sync daemon (mcast=lo, syncid=7, maxlen=65507, group=127.0.0.1, port=" + p + ", ttl=1)\n",
                h.ok("-L", "--daemon"));

        Harness.Result again = h.run("--start-daemon", "master", "--mcast-interface", "lo");
        assertEquals(new Harness.Result(1, "", "Daemon has already run\n"), again);

        h.ok("--stop-daemon", "master");
        assertEquals(new Harness.Result(1, "", "No daemon is running\n"), h.run("--stop-daemon", "master"));
        h.ok("--stop-daemon", "backup");
        assertEquals("", h.ok("-L", "--daemon"));
    }

    @Test
    void badSettingsAreRefusedAndNothingStarts() {
        assertEquals(new Harness.Result(1, "", "lvs4j: --mcast-interface is required\n"),
                h.run("--start-daemon", "master"));
        assertEquals(new Harness.Result(1, "", "lvs4j: no interface nosuch0\n"),
                h.run("--start-daemon", "master", "--mcast-interface", "nosuch0"));
        assertEquals(new Harness.Result(1, "", "lvs4j: cannot read sync key " + dir.resolve("missing") + ": "
                + dir.resolve("missing") + "\n"), h.run("--start-daemon", "master", "--mcast-interface", "lo",
                "--sync-key", dir.resolve("missing").toString()));
        assertEquals("", h.ok("-L", "--daemon"));
    }
}
