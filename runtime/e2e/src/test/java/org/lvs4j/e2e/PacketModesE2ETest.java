package org.lvs4j.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The three packet modes for real, in the repository's topology (runtime/topology.sh): a client, two directors and
 * three real servers in network namespaces this test creates and deletes. The real servers run Python's HTTP server
 * (it logs each client's address) and are prepared by {@code ./lvs4j realserver --mode tun}, whose userspace
 * decapsulator also serves IPIP, as this kernel has no ipip module. dir1 runs the exported appliance with
 *
 * <pre>
 *   DR  10.99.0.100:80 -> rs1, rs2 (-g)        client 10.99.0.10, replies on-link
 *   TUN 10.99.0.101:80 -> rs1, rs2 (-i)        client 10.99.0.10, replies on-link
 *   NAT 10.99.0.102:80 -> rs1:80, rs2:80, rs3:8080 (-m)   client 10.99.0.20, replies through the director
 * </pre>
 *
 * and dir2 runs the how-to's director script.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PacketModesE2ETest {

    static final String P = "l4jp" + ProcessHandle.current().pid() + "-";
    static final String DR = "10.99.0.100";
    static final String TUN = "10.99.0.101";
    static final String NAT = "10.99.0.102";
    static final String HOWTO_VIP = "10.99.0.110";
    static final String CLIENT = "10.99.0.10";
    static final String NAT_CLIENT = "10.99.0.20";

    static Path work;
    static Topology topology;
    static Appliance dir1;
    static Appliance dir2;
    static boolean up;

    @BeforeAll
    static void topology() throws Exception {
        Appliance.needRoot("network namespaces, AF_PACKET and nft");
        for (String tool : List.of("nft", "ethtool", "python3", "curl", "ifconfig", "netstat", "ping")) {
            if (new ProcessBuilder("sh", "-c", "command -v " + tool).start().waitFor() != 0) {
                if ("true".equals(System.getenv("CI"))) {
                    throw new AssertionError("CI must install " + tool + " (see .ci/run)");
                }
                Assumptions.abort("needs " + tool);
            }
        }
        work = Files.createTempDirectory("lvs4j-packet-e2e");
        topology = new Topology(P, work);
        up = true;
        topo("up");
        for (String rs : List.of("rs1", "rs2", "rs3", "dir1")) {
            Path site = work.resolve(rs);
            Files.createDirectories(site);
            Files.writeString(site.resolve("index.html"), rs + "\n");
        }
        for (String rs : List.of("rs1", "rs2")) {
            topo("spawn", rs, "realserver-" + rs, Appliance.SCRIPT.toString(), "realserver", "--mode", "tun", "--vip",
                    DR + "," + TUN + "," + HOWTO_VIP);
            http(rs, 80);
            http(rs, 23);
        }
        http("rs3", 8080);
        http("dir1", 8081); // a server on the director itself, for a Local real server
        for (String rs : List.of("rs1", "rs2")) {
            Appliance.poll(() -> log("realserver-" + rs).contains("decapsulating"), rs + " decapsulates");
        }
        for (String vip : List.of(TUN, NAT)) {
            sh("ip", "-n", P + "dir1", "addr", "add", vip + "/24", "dev", "eth0");
        }
        dir1 = new Appliance(work.resolve("dir1")).start(List.of("ip", "netns", "exec", P + "dir1"), List.of());
        ipvsadm(dir1, "-A -t " + DR + ":80 -s rr");
        ipvsadm(dir1, "-a -t " + DR + ":80 -r 10.99.1.11 -g");
        ipvsadm(dir1, "-a -t " + DR + ":80 -r 10.99.1.12 -g");
        ipvsadm(dir1, "-A -t " + TUN + ":80 -s rr");
        ipvsadm(dir1, "-a -t " + TUN + ":80 -r 10.99.1.11 -i");
        ipvsadm(dir1, "-a -t " + TUN + ":80 -r 10.99.1.12 -i");
        ipvsadm(dir1, "-A -t " + NAT + ":80 -s rr");
        ipvsadm(dir1, "-a -t " + NAT + ":80 -r 10.99.1.11:80 -m");
        ipvsadm(dir1, "-a -t " + NAT + ":80 -r 10.99.1.12:80 -m");
        ipvsadm(dir1, "-a -t " + NAT + ":80 -r 10.99.1.13:8080 -m");
        ipvsadm(dir1, "-A -t " + DR + ":8081 -s rr");
        ipvsadm(dir1, "-a -t " + DR + ":8081 -r 127.0.0.1 -g");
        Appliance.poll(() -> dir1.ctl("packet").ok().out().contains("VIP " + NAT + ": on eth0")
                && nft("dir1").contains("10.99.1.13"), "the packet engine receiving on eth0 with its host rules");
    }

    @AfterAll
    static void tearDown() throws Exception {
        try {
            for (Appliance a : new Appliance[] {dir1, dir2}) {
                if (a != null) {
                    a.close();
                }
            }
        } finally {
            if (up) {
                topo("down");
                String left = sh("ip", "netns", "list");
                assertFalse(left.contains(P), "namespaces left: " + left);
            }
        }
    }

    private static void http(String rs, int port) throws Exception {
        topo("spawn", rs, "http-" + rs + "-" + port, "python3", "-m", "http.server", String.valueOf(port),
                "--directory", work.resolve(rs).toString());
        Appliance.poll(() -> log("http-" + rs + "-" + port).contains("Serving HTTP"), rs + ":" + port + " serving");
    }

    static String topo(String... args) throws Exception {
        return topology.run(args);
    }

    static String log(String name) throws IOException {
        return topology.log(name);
    }

    static String sh(String... cmd) throws Exception {
        return Topology.sh(cmd);
    }

    static void ipvsadm(Appliance a, String args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("ipvsadm"));
        cmd.addAll(List.of(args.split(" ")));
        a.ctl(cmd.toArray(new String[0])).ok();
    }

    static String nft(String node) throws Exception {
        return sh("ip", "netns", "exec", P + node, "nft", "list", "ruleset");
    }

    /** {@code curl http://VIP/} from the client, from a given source address; the page (a real server's name). */
    static String curl(String source, String vip, int port) throws Exception {
        return sh("ip", "netns", "exec", P + "client", "curl", "-sS", "-m", "5", "--interface", source,
                "http://" + vip + ":" + port + "/").trim();
    }

    static Set<String> names(String source, String vip, int port, int times) throws Exception {
        Set<String> seen = new TreeSet<>();
        for (int i = 0; i < times; i++) {
            seen.add(curl(source, vip, port));
        }
        return seen;
    }

    /** A service's InPkts and OutPkts from {@code ipvsadm -L -n --stats --exact}. */
    static long[] packets(String vip) throws Exception {
        String stats = dir1.ctl("ipvsadm", "-L", "-n", "--stats", "--exact").ok().out();
        Matcher m = Pattern.compile("TCP  " + Pattern.quote(vip) + ":80 +\\d+ +(\\d+) +(\\d+)").matcher(stats);
        assertTrue(m.find(), stats);
        return new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2))};
    }

    @Test
    @Order(1)
    void curlReachesEveryRealServerInEachModeAndRepliesTakeTheModesPath() throws Exception {
        assertEquals(Set.of("rs1", "rs2"), names(CLIENT, DR, 80, 4), "direct routing over both real servers");
        assertEquals(Set.of("rs1", "rs2"), names(CLIENT, TUN, 80, 4), "tunnelling over both real servers");
        assertEquals(Set.of("rs1", "rs2", "rs3"), names(NAT_CLIENT, NAT, 80, 6), "NAT over all three");

        long[] dr = packets(DR);
        long[] tun = packets(TUN);
        long[] nat = packets(NAT);
        assertTrue(dr[0] >= 4 * 4 && dr[1] == 0, "DR: the director saw the requests, no reply: " + dr[0] + "/" + dr[1]);
        assertTrue(tun[0] >= 4 * 4 && tun[1] == 0, "TUN: no reply passed the director: " + tun[0] + "/" + tun[1]);
        assertTrue(nat[1] >= 6 * 3, "NAT: the replies came back through the director: " + nat[1]);
        String packet = dir1.ctl("packet").ok().out();
        Matcher replied = Pattern.compile("(\\d+)  NAT replies forwarded").matcher(packet);
        assertTrue(replied.find(), packet);
        assertEquals(nat[1], Long.parseLong(replied.group(1)), "every reply the director forwarded was a NAT one");
        for (String rs : List.of("rs1", "rs2")) {
            assertTrue(log("http-" + rs + "-80").contains(NAT_CLIENT + " - - "),
                    rs + " logged the NAT client's own address");
        }
        assertTrue(log("http-rs3-8080").contains(NAT_CLIENT + " - - "), "rs3 (port 8080) saw the client's address");
    }

    @Test
    @Order(2)
    void aLocalRealServerIsListedAsSuchAndServedByTheDirectorsOwnStack() throws Exception {
        assertTrue(dir1.ctl("ipvsadm", "-L", "-n").ok().out().matches("(?s).*-> 127\\.0\\.0\\.1:8081 +Local .*"));
        assertEquals("dir1", curl(CLIENT, DR, 8081));
        assertTrue(log("http-dir1-8081").contains(CLIENT + " - - "), "the local server saw the client");
        assertTrue(dir1.ctl("packet").ok().out().matches("(?s).*\\n +[1-9]\\d*  to a Local real server: handed.*"));
    }

    @Test
    @Order(3)
    void twentyThousandNewConnectionsThroughEachModeAllComplete() throws Exception {
        int n = 20_000;
        for (String[] mode : new String[][] {{"DR", DR, CLIENT}, {"TUN", TUN, CLIENT}, {"NAT", NAT, NAT_CLIENT}}) {
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            String out = sh("ip", "netns", "exec", P + "client", java, "-Xmx256m",
                    Appliance.HOME.resolve("runtime/e2e/src/test/resources/ConnectionLoad.java").toString(),
                    mode[1], "80", String.valueOf(n), "48", mode[2]).trim();
            System.out.println(mode[0] + ": " + out);
            assertTrue(out.startsWith("ok " + n + " failed 0 "), mode[0] + ": " + out);
        }
    }

    @Test
    @Order(4)
    void theHowTosDirectorScriptRunsUnchangedApartFromAddresses() throws Exception {
        dir2 = new Appliance(work.resolve("dir2")).start(List.of("ip", "netns", "exec", P + "dir2"), List.of());
        // /sbin/ipvsadm for the script: an overlay puts a wrapper calling ./lvs4j ctl over /usr/sbin, in a mount
        // namespace of the script's own, so the host's /usr/sbin never changes
        Path bin = work.resolve("ipvsadm-bin");
        Files.createDirectories(bin);
        Path wrapper = bin.resolve("ipvsadm");
        Files.writeString(wrapper, "#!/bin/sh\nexec " + Appliance.SCRIPT + " ctl --state-dir " + dir2.stateDir
                + " ipvsadm \"$@\"\n");
        wrapper.toFile().setExecutable(true);
        Path script = Appliance.HOME.resolve("runtime/e2e/src/test/resources/mini-rc.lvs_dr-director");
        String out = sh("ip", "netns", "exec", P + "dir2", "unshare", "-m", "sh", "-c",
                "mount --make-rprivate / && mount -t overlay overlay -o lowerdir=" + bin + ":/usr/sbin /usr/sbin"
                        + " && exec bash " + script);
        assertTrue(out.contains("1 packets transmitted, 1 received"), "ping lines ran: " + out);
        assertTrue(out.contains("Kernel IP routing table"), "netstat -rn ran: " + out);
        assertTrue(out.contains("10.99.0.110"), "ifconfig eth0:0 shows the VIP: " + out);
        assertTrue(out.contains("TCP  10.99.0.110:telnet rr"), "the closing ipvsadm lists the table: " + out);
        Appliance.poll(() -> dir2.ctl("packet").ok().out().contains("VIP " + HOWTO_VIP + ": on eth0"),
                "dir2's engine takes the VIP the script put on eth0:0");
        List<String> seen = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            seen.add(curl(CLIENT, HOWTO_VIP, 23));
        }
        assertEquals(Set.of("rs1", "rs2"), Set.copyOf(seen), "port 23 of both real servers in turn: " + seen);
    }

    @Test
    @Order(5)
    void updatingAForwarderPausesItsFlowsAndKeepsThem() throws Exception {
        // a connection through DR opened before the dr bundle goes away, used after it is back
        Process held = new ProcessBuilder("ip", "netns", "exec", P + "client", "bash", "-c",
                "exec 3<>/dev/tcp/" + DR + "/80; echo open; read x; printf 'GET / HTTP/1.0\\r\\n\\r\\n' >&3; cat <&3")
                .redirectErrorStream(true).start();
        try {
            var reader = new java.io.BufferedReader(new java.io.InputStreamReader(held.getInputStream(),
                    StandardCharsets.UTF_8));
            assertEquals("open", reader.readLine());
            dir1.ctl("bundle", "stop", "org.lvs4j.forward.dr").ok();
            Appliance.poll(() -> dir1.ctl("ipvsadm", "-L", "-n").ok().out().contains("-> 10.99.1.11:80"),
                    "the real servers stay listed");
            dir1.ctl("bundle", "start", "org.lvs4j.forward.dr").ok();
            try (OutputStream in = held.getOutputStream()) {
                in.write("go\n".getBytes(StandardCharsets.US_ASCII));
            }
            String answer = new String(held.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(held.waitFor(20, TimeUnit.SECONDS));
            assertTrue(answer.contains("200 OK") && answer.matches("(?s).*\\nrs[12]\\n?$"),
                    "the held connection was served after the update: " + answer);
        } finally {
            held.destroyForcibly();
        }
    }

    @Test
    @Order(6)
    void aRealServerWhoseMacChangesIsFoundAgain() throws Exception {
        assertEquals(Set.of("rs1", "rs2"), names(CLIENT, DR, 80, 2));
        // a new NIC (or a replaced machine) behind the same address; it announces nothing
        sh("ip", "-n", P + "rs2", "link", "set", "dev", "eth0", "address", "02:99:00:00:01:0c");
        Appliance.poll(() -> {
            Set<String> seen = new TreeSet<>();
            for (int i = 0; i < 4; i++) {
                String name = tryCurl(1);
                if (name != null) {
                    seen.add(name);
                }
            }
            return seen.equals(Set.of("rs1", "rs2"));
        }, "rs2 reached at its new MAC");
    }

    @Test
    @Order(7)
    void stoppingThePacketBundlesRemovesTheirRulesAndTheRealServerUndoesItsSetUp() throws Exception {
        assertTrue(nft("dir1").contains("table ip lvs4j_"));
        assertTrue(sh("ip", "-n", P + "dir1", "-br", "link").contains("lvs4jl"), "the Local device is there");
        for (String b : List.of("org.lvs4j.forward.tun", "org.lvs4j.forward.nat", "org.lvs4j.forward.dr",
                "org.lvs4j.packet")) {
            dir1.ctl("bundle", "stop", b).ok();
        }
        Appliance.poll(() -> !nft("dir1").contains("lvs4j_"), "the host rules gone");
        Appliance.poll(() -> !sh("ip", "-n", P + "dir1", "-br", "link").contains("lvs4jl"),
                "the device for Local real servers gone");
        dir1.ctl("bundle", "start", "org.lvs4j.packet").ok();
        dir1.ctl("bundle", "start", "org.lvs4j.forward.dr").ok();
        Appliance.poll(() -> nft("dir1").contains("lvs4j_"), "the rules back with the engine");
        Appliance.poll(() -> Set.of("rs1", "rs2").contains(String.valueOf(tryCurl())), "DR serves again");

        // the real server's decapsulator stops on SIGTERM and takes its TUN device and VIPs along
        topo("stop", "realserver-rs1");
        String links = sh("ip", "-n", P + "rs1", "-br", "link");
        String addrs = sh("ip", "-n", P + "rs1", "-br", "addr", "show", "dev", "lo");
        assertFalse(links.contains("lvs4jdecap"), links);
        assertFalse(addrs.contains(DR), addrs);
    }

    private static String tryCurl() {
        return tryCurl(5);
    }

    private static String tryCurl(int seconds) {
        try {
            return sh("ip", "netns", "exec", P + "client", "curl", "-sS", "-m", String.valueOf(seconds),
                    "--interface", CLIENT, "http://" + DR + ":80/").trim();
        } catch (Exception | AssertionError e) {
            return null;
        }
    }
}
