package org.lvs4j.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The exported appliance for real: started with {@code ./lvs4j run}, driven by {@code ./lvs4j ctl}, restarted, and its
 * table moved to a second director with {@code -S | -R}. Uses only loopback addresses and its own state dirs.
 */
class DirectorE2ETest {

    private static final String PLAIN = "IP Virtual Server version 1.2.1 (size=4096)\n"
            + "Prot LocalAddress:Port Scheduler Flags\n"
            + "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n"
            + "TCP  127.7.110.1:23 rr\n"
            + "  -> 127.0.0.11:23                FullNat 1      0          0         \n"
            + "  -> 127.0.0.12:23                FullNat 1      0          0         \n";
    private static final String STATS = "IP Virtual Server version 1.2.1 (size=4096)\n"
            + "Prot LocalAddress:Port               Conns   InPkts  OutPkts  InBytes OutBytes\n"
            + "  -> RemoteAddress:Port\n"
            + "TCP  127.7.110.1:23                      0        0        0        0        0\n"
            + "  -> 127.0.0.11:23                       0        0        0        0        0\n"
            + "  -> 127.0.0.12:23                       0        0        0        0        0\n";
    private static final String RATE = "IP Virtual Server version 1.2.1 (size=4096)\n"
            + "Prot LocalAddress:Port                 CPS    InPPS   OutPPS    InBPS   OutBPS\n"
            + "  -> RemoteAddress:Port\n"
            + "TCP  127.7.110.1:23                      0        0        0        0        0\n"
            + "  -> 127.0.0.11:23                       0        0        0        0        0\n"
            + "  -> 127.0.0.12:23                       0        0        0        0        0\n";
    private static final String THRESHOLDS = "IP Virtual Server version 1.2.1 (size=4096)\n"
            + "Prot LocalAddress:Port            Uthreshold Lthreshold ActiveConn InActConn \n"
            + "  -> RemoteAddress:Port\n"
            + "TCP  127.7.110.1:23 rr\n"
            + "  -> 127.0.0.11:23                0          0          0          0         \n"
            + "  -> 127.0.0.12:23                0          0          0          0         \n";
    private static final String RULES = "-A -t 127.7.110.1:23 -s rr\n"
            + "-a -t 127.7.110.1:23 -r 127.0.0.11:23 -b -w 1\n"
            + "-a -t 127.7.110.1:23 -r 127.0.0.12:23 -b -w 1\n";

    @TempDir
    Path tmp;

    private Appliance a;
    private Appliance b;

    @AfterEach
    void stopDirectors() throws InterruptedException {
        if (a != null) {
            a.close();
        }
        if (b != null) {
            b.close();
        }
    }

    /** The how-to's director lines, with -b and loopback addresses; the socket engine binds telnet's port 23. */
    private void howTo(Appliance d) throws Exception {
        Appliance.needRoot("the socket engine binds the how-to's port 23");
        d.ctl("ipvsadm", "-A", "-t", "127.7.110.1:telnet", "-s", "rr").ok();
        d.ctl("ipvsadm", "-a", "-t", "127.7.110.1:telnet", "-r", "127.0.0.11:23", "-b", "-w", "1").ok();
        d.ctl("ipvsadm", "-a", "-t", "127.7.110.1:telnet", "-r", "127.0.0.12:23", "-b", "-w", "1").ok();
    }

    @Test
    void listingsThroughCtlAreIpvsadmsLayout() throws Exception {
        a = new Appliance(tmp.resolve("a")).start();
        assertEquals(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE),
                Files.getPosixFilePermissions(a.socket()), "ctl.sock is 0600");
        howTo(a);
        assertEquals(PLAIN, a.ctl("ipvsadm", "-L", "-n").ok().out());
        assertEquals(STATS, a.ctl("ipvsadm", "-L", "-n", "--stats").ok().out());
        assertEquals(RATE, a.ctl("ipvsadm", "-L", "-n", "--rate").ok().out());
        assertEquals(THRESHOLDS, a.ctl("ipvsadm", "-L", "-n", "--thresholds").ok().out());
        assertEquals(RULES, a.ctl("ipvsadm", "-S", "-n").ok().out());
        assertEquals("IPVS connection entries\n"
                + "pro expire state       source             virtual            destination\n",
                a.ctl("ipvsadm", "-L", "-n", "-c").ok().out());
        assertEquals("Timeout (tcp tcpfin udp): 900 120 300\n", a.ctl("ipvsadm", "-L", "--timeout").ok().out());
        // "lvs:" prefixes work too, and arguments reach ipvsadm verbatim (no shell or Gogo re-parsing).
        assertTrue(a.ctl("lvs:ipvsadm", "-L").ok().out().contains("TCP  127.7.110.1:telnet rr\n"));
    }

    @Test
    void badInputIsRefusedWithIpvsadmsMessageAndChangesNothing() throws Exception {
        a = new Appliance(tmp.resolve("a")).start();
        howTo(a);
        Appliance.Result r = a.ctl("ipvsadm", "-A", "-t", "1.2.3.4:99999");
        assertEquals(2, r.exit());
        assertEquals("illegal virtual server address[:port] specified\n", r.err());
        assertEquals("", r.out());
        assertEquals(RULES, a.ctl("ipvsadm", "-S", "-n").ok().out());

        r = a.ctlWithInput("-A -t 127.7.110.2:80 -s rr\n-a -t 127.7.110.2:80 -r 127.0.0.13:80 -b -w one\n", "ipvsadm", "-R");
        assertEquals(2, r.exit());
        assertEquals("line 2: illegal weight specified (nothing was restored)\n", r.err());
        assertEquals(RULES, a.ctl("ipvsadm", "-S", "-n").ok().out());

        r = a.ctl("ipvsadm", "-A", "-t", "127.7.110.2:80", "-s", "nosuch");
        assertEquals(1, r.exit());
        assertEquals("Scheduler or persistence engine not found\n", r.err());

        r = a.ctl("nosuchverb");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("unknown command nosuchverb"), r.err());
    }

    @Test
    void restartedDirectorShowsTheTableItHad() throws Exception {
        a = new Appliance(tmp.resolve("a")).start();
        howTo(a);
        a.ctl("ipvsadm", "--set", "3600", "0", "60").ok();
        a.ctl("server", "drain", "-t", "127.7.110.1:23", "-r", "127.0.0.12:23").ok();
        a.ctl("sysctl", "expire_quiescent_template", "1").ok();
        String before = a.ctl("ipvsadm", "-L", "-n").ok().out();
        assertTrue(before.contains("127.0.0.12:23                FullNat 1      0          0          "
                + "[drain]"), before);

        long pid = a.pid();
        assertEquals(Long.toString(pid), Files.readString(a.stateDir.resolve("lvs4j.pid")).trim());
        assertEquals(0, a.stop(), "SIGTERM ends the director with status 0");
        assertFalse(Files.exists(a.socket()), "the control socket is removed at stop");
        assertFalse(Files.exists(a.stateDir.resolve("lvs4j.pid")), "the pid file is removed at stop");
        assertTrue(Files.readString(a.stateDir.resolve("ipvsadm.rules")).startsWith("--set 3600 120 60\n"));

        a = new Appliance(a.stateDir).start();
        assertEquals(before, a.ctl("ipvsadm", "-L", "-n").ok().out());
        assertEquals("Timeout (tcp tcpfin udp): 3600 120 60\n", a.ctl("ipvsadm", "-L", "--timeout").ok().out());
        assertEquals("expire_quiescent_template = 1\n", a.ctl("sysctl", "expire_quiescent_template").ok().out());
    }

    @Test
    void saveOnOneDirectorRestoresOnAnother() throws Exception {
        a = new Appliance(tmp.resolve("a")).start();
        howTo(a);
        a.ctl("ipvsadm", "-A", "-u", "127.7.110.1:53", "-s", "rr", "-p", "600", "-M", "255.255.255.0").ok();
        a.ctl("ipvsadm", "-a", "-u", "127.7.110.1:53", "-r", "127.0.0.11:5353", "-b", "-w", "3").ok();
        String saved = a.ctl("ipvsadm", "-S", "-n").ok().out();
        String listed = a.ctl("ipvsadm", "-L", "-n").ok().out();
        // The virtual addresses are bound sockets: the second director takes them over once the first has stopped.
        assertEquals(0, a.stop());
        b = new Appliance(tmp.resolve("b")).start();
        b.ctlWithInput(saved, "ipvsadm", "-R").ok();
        assertEquals(saved, b.ctl("ipvsadm", "-S", "-n").ok().out());
        assertEquals(listed, b.ctl("ipvsadm", "-L", "-n").ok().out());
    }

    @Test
    void stopCommandEndsTheDirectorCleanly() throws Exception {
        a = new Appliance(tmp.resolve("a")).start();
        howTo(a);
        assertEquals(0, a.ctl("stop").exit());
        assertEquals(0, a.awaitExit());
        assertEquals(RULES.lines().toList(),
                Files.readAllLines(a.stateDir.resolve("ipvsadm.rules")).subList(1, 4));
    }

    @Test
    void ctlWithoutDirectorSaysSoAndExits255() throws Exception {
        Path dir = tmp.resolve("nobody");
        Files.createDirectories(dir);
        Appliance.Result r = Appliance.ctl(dir, "", "ipvsadm", "-L", "-n");
        assertEquals(255, r.exit());
        assertEquals("no director at " + dir.toRealPath().resolve("ctl.sock") + "\n", r.err());
    }

    @Test
    void secondDirectorOnTheSameStateDirIsRefused() throws Exception {
        a = new Appliance(tmp.resolve("a")).start();
        Process p = new ProcessBuilder(Appliance.SCRIPT.toString(), "run", "--state-dir", a.stateDir.toString(),
                "--no-console").redirectErrorStream(true).start();
        assertTrue(p.waitFor(Appliance.scaled(java.time.Duration.ofSeconds(30)).toMillis(),
                java.util.concurrent.TimeUnit.MILLISECONDS));
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(1, p.exitValue(), out);
        assertTrue(out.contains("a director is already running with state dir"), out);
        assertEquals(0, a.ctl("ipvsadm", "-L").exit(), "the running director is untouched");
    }
}
