package org.lvs4j.ipvsadm.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** ipvsadm's grammar: every message and exit code, and that a refused command changes nothing. */
class GrammarTest {

    @TempDir
    Path dir;

    private Harness h;
    private String before;

    @BeforeEach
    void table() {
        h = new Harness(dir, "rr", "wlc", "sh");
        h.ok("-A", "-t", "10.0.0.100:80", "-s", "rr");
        h.ok("-a", "-t", "10.0.0.100:80", "-r", "10.0.0.1", "-m");
        before = h.ok("-S", "-n");
    }

    private void refused(int exit, String message, String... args) {
        Harness.Result r = h.run(args);
        assertEquals(message + "\n", r.err(), "message of ipvsadm " + String.join(" ", args));
        assertEquals(exit, r.exit(), "exit code of ipvsadm " + String.join(" ", args));
        assertEquals("", r.out());
        assertEquals(before, h.ok("-S", "-n"), "a refused command changes nothing");
    }

    @ParameterizedTest(name = "ipvsadm {2} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            2 | illegal virtual server address[:port] specified | -A -t 1.2.3.4:99999
            2 | illegal virtual server address[:port] specified | -A -t 80
            2 | illegal virtual server address[:port] specified | -A -t 1.2.3.4:nosuchservice
            2 | illegal virtual server address[:port] specified | -A -t [::1]
            2 | illegal real server address[:port] specified | -a -t 10.0.0.100:80 -r 1.2.3.4:-5
            2 | illegal weight specified | -a -t 10.0.0.100:80 -r 10.0.0.2 -w -1
            2 | illegal weight specified | -a -t 10.0.0.100:80 -r 10.0.0.2 -w 2147483648
            2 | illegal weight specified | -a -t 10.0.0.100:80 -r 10.0.0.2 -w 1x
            2 | illegal u_threshold specified | -a -t 10.0.0.100:80 -r 10.0.0.2 -x 65536
            2 | illegal l_threshold specified | -a -t 10.0.0.100:80 -r 10.0.0.2 -y abc
            2 | Illegal 'weight' option with the 'add-service' command | -A -t 1.2.3.4:80 -w 5
            2 | Illegal 'scheduler' option with the 'add-server' command | -a -t 10.0.0.100:80 -r 10.0.0.2 -s rr
            2 | You need to supply the 'real-server' option for the 'add-server' command | -a -t 10.0.0.100:80
            2 | You need to supply the 'service-address' option for the 'delete-service' command | -D
            2 | The option 'service-address' conflicts with the 'connection' option in the 'list' command | -L -c -t 10.0.0.100:80
            2 | options conflicts in the list command | -L -c --stats
            2 | options conflicts in the list command | -L --timeout --persistent-conn
            2 | Zero port specified for non-persistent service | -A -t 1.2.3.4:0
            2 | One-Packet Scheduling is only for UDP virtual services | -A -t 1.2.3.4:53 -o
            2 | invalid timeout value `abc' specified | -A -t 1.2.3.4:80 -p abc
            2 | invalid timeout value `0' specified | -A -t 1.2.3.4:80 -p 0
            2 | illegal virtual server persistent mask specified | -A -t 1.2.3.4:80 -p -M 255.255.255.256
            2 | illegal ipv6 netmask specified | -A -t [2001:db8::1]:80 -p -M 129
            2 | incompatible scheduler flag `sh-port' | -A -t 1.2.3.4:80 -b sh-port
            2 | invalid scheduler flag `bogus' | -A -t 1.2.3.4:80 -s sh -b bogus
            2 | --set option requires 3 timeout values | --set 900 120
            2 | invalid timeout value `x' specified | --set 900 x 300
            255 | -1: unknown option | --set 900 -1 300
            2 | unexpected argument foo | -L foo
            2 | multiple 'scheduler' options specified | -A -t 1.2.3.4:80 -s rr -s wlc
            2 | multiple 'forwarding-method' options specified | -a -t 10.0.0.100:80 -r 10.0.0.2 -b -g
            2 | invalid option `-E' | -A -t 1.2.3.4:80 -E
            2 | Tunnel options conflict with forward method | -a -t 10.0.0.100:80 -r 10.0.0.2 -g --tun-type gre
            2 | You need to supply the 'tun-port' option for the 'gue' tunnel type | -a -t 10.0.0.100:80 -r 10.0.0.2 -i --tun-type gue
            2 | Illegal 'tun-port' option with the 'ipip' tunnel type | -a -t 10.0.0.100:80 -r 10.0.0.2 -i --tun-port 5
            2 | The option 'tun-remcsum' conflicts with the 'tun-csum' option in the 'gue' tunnel type | -a -t 10.0.0.100:80 -r 10.0.0.2 -i --tun-type gue --tun-port 6080 --tun-csum --tun-remcsum
            2 | Illegal 'tun-remcsum' option with the 'gre' tunnel type | -a -t 10.0.0.100:80 -r 10.0.0.2 -i --tun-type gre --tun-remcsum
            2 | Different address family is allowed only for tunneling servers | -a -t 10.0.0.100:80 -r [2001:db8::2]:80 -b
            2 | lvs4j: --proxy-protocol needs the full-NAT method (-b) | -a -t 10.0.0.100:80 -r 10.0.0.2 -m --proxy-protocol v1
            2 | lvs4j: illegal proxy-protocol version `v3' (v1 or v2) | -a -t 10.0.0.100:80 -r 10.0.0.2 -b --proxy-protocol v3
            2 | lvs4j: option --fwmark-service is not supported (the packet engine reads frames before netfilter, where no mark is set yet; use a service per address and port) | -A -f 1 -s rr
            2 | lvs4j: option --sctp-service is not supported | -A --sctp-service 1.2.3.4:80
            2 | lvs4j: option --pe is not supported | -A -t 1.2.3.4:80 --pe sip
            2 | illegal start-daemon parameter specified | --start-daemon primary
            2 | illegal stop-daemon parameter specified | --stop-daemon primary
            2 | illegal syncid specified | --start-daemon master --syncid 256
            2 | invalid IPv4 mcast-group `224.0.0.999' | --start-daemon master --mcast-group 224.0.0.999
            2 | illegal mcast-port specified | --start-daemon master --mcast-port 0
            2 | illegal mcast-ttl specified | --start-daemon backup --mcast-ttl 256
            2 | Illegal 'mcast-port' option with the 'stop-daemon' command | --stop-daemon master --mcast-port 1
            2 | Illegal 'sync-key' option with the 'add-service' command | -A -t 1.2.3.4:80 --sync-key /k
            1 | lvs4j: connection sync (bundle org.lvs4j.sync) is not running | --start-daemon master --mcast-interface lo
            255 | Try `ipvsadm -h' or 'ipvsadm --help' for more information. | -t 1.2.3.4:80
            255 | Try `ipvsadm -h' or 'ipvsadm --help' for more information. | --bogus
            255 | --bogus: unknown option | -A -t 1.2.3.4:80 --bogus
            255 | -t: missing argument | -A -t
            1 | Service already exists | -A -t 10.0.0.100:80
            1 | Scheduler or persistence engine not found | -A -t 1.2.3.4:80 -s nosuch
            1 | Scheduler or persistence engine not found | -E -t 10.0.0.100:80 -s nosuch
            1 | No such service | -E -t 1.2.3.4:80
            1 | No such service | -D -t 1.2.3.4:80
            1 | No such service | -Z -t 1.2.3.4:80
            1 | No such service | -L -t 1.2.3.4:80
            1 | Service not defined | -a -t 1.2.3.4:80 -r 10.0.0.2
            1 | Service not defined | -d -t 1.2.3.4:80 -r 10.0.0.2
            1 | Destination already exists | -a -t 10.0.0.100:80 -r 10.0.0.1 -g
            1 | No such destination | -e -t 10.0.0.100:80 -r 10.0.0.2
            1 | No such destination | -d -t 10.0.0.100:80 -r 10.0.0.1:81
            1 | Numerical result out of range | -a -t 10.0.0.100:80 -r 10.0.0.2 -x 10 -y 20
            1 | Invalid operation.  Possibly wrong module version, address not unicast, ... | -a -t 10.0.0.100:80 -r 224.0.0.1
            """)
    void refusedCommands(int exit, String message, String args) {
        refused(exit, message, args.trim().split(" "));
    }

    @Test
    void engineRulesHaveLvs4jMessages() {
        h.ok("-A", "-t", "10.0.0.100:8080", "-s", "rr");
        h.ok("-a", "-t", "10.0.0.100:8080", "-r", "10.0.0.1:80", "-b");
        before = h.ok("-S", "-n");
        Harness.Result r = h.run("-a", "-t", "10.0.0.100:8080", "-r", "10.0.0.2", "-g");
        assertEquals(2, r.exit());
        assertTrue(r.err().startsWith("lvs4j: real server 10.0.0.2:8080 (-g) needs the packet engine"), r.err());
        assertEquals(before, h.ok("-S", "-n"));
        h.ok("-A", "-t", "[2001:db8::1]:80", "-s", "rr");
        r = h.run("-a", "-t", "[2001:db8::1]:80", "-r", "2001:db8::2", "-m");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("IPv4-only"), r.err());
    }

    @Test
    void directRoutingAndTunnelKeepTheServicePort() {
        h.ok("-a", "-t", "10.0.0.100:80", "-r", "10.0.0.2:8080", "-g");
        h.ok("-a", "-t", "10.0.0.100:80", "-r", "10.0.0.3:8080", "-m");
        h.ok("-a", "-t", "10.0.0.100:80", "-r", "10.0.0.4", "-i");
        String rules = h.ok("-S", "-n");
        assertTrue(rules.contains("-r 10.0.0.2:80 -g -w 1"), rules);
        assertTrue(rules.contains("-r 10.0.0.3:8080 -m -w 1"), rules);
        assertTrue(rules.contains("-r 10.0.0.4:80 -i -w 1 --tun-type ipip"), rules);
    }

    @Test
    void editReplacesTheWholeEntryAsIpvsadmDoes() {
        h.ok("-e", "-t", "10.0.0.100:80", "-r", "10.0.0.1", "-m", "-w", "7");
        h.ok("-E", "-t", "10.0.0.100:80", "-p", "60");
        String rules = h.ok("-S", "-n");
        assertEquals("-A -t 10.0.0.100:80 -s wlc -p 60\n-a -t 10.0.0.100:80 -r 10.0.0.1:80 -m -w 7\n", rules,
                "-E without -s falls back to wlc");
    }

    @Test
    void setTimeoutsAndListThem() {
        h.ok("--set", "3600", "0", "60");
        assertEquals("Timeout (tcp tcpfin udp): 3600 120 60\n", h.ok("-L", "--timeout"));
    }

    @Test
    void clearAndDelete() {
        h.ok("-d", "-t", "10.0.0.100:80", "-r", "10.0.0.1");
        assertEquals("-A -t 10.0.0.100:80 -s rr\n", h.ok("-S", "-n"));
        h.ok("-C");
        assertEquals("", h.ok("-S", "-n"));
    }

    @Test
    void helpAndVersion() {
        Harness.Result r = h.run("-h");
        assertEquals(0, r.exit());
        assertTrue(r.out().contains("--add-service     -A        add virtual service with options"), r.out());
        assertTrue(h.ok("-v").startsWith("ipvsadm v1.31"));
    }

    @Test
    void restoreIsAllOrNothingAndNamesTheLine() {
        String input = "-A -t 10.0.0.200:80 -s rr\n"
                + "# a comment line\n"
                + "\n"
                + "-a -t 10.0.0.200:80 -r 10.0.0.5 -m -w 2\n"
                + "-a -t 10.0.0.200:80 -r 10.0.0.6 -m -w x\n";
        Harness.Result r = h.withInput(input, "-R");
        assertEquals(2, r.exit());
        assertEquals("line 5: illegal weight specified (nothing was restored)\n", r.err());
        assertEquals(before, h.ok("-S", "-n"));

        r = h.withInput("-A -t 10.0.0.200:80 -s rr\n-A -t 10.0.0.100:80 -s rr\n", "-R");
        assertEquals(1, r.exit());
        assertEquals("line 2: Service already exists (nothing was restored)\n", r.err());
        assertEquals(before, h.ok("-S", "-n"));

        r = h.withInput("-L -n\n", "-R");
        assertEquals(2, r.exit());
        assertTrue(r.err().startsWith("line 1: only table edits may be restored"), r.err());

        r = h.withInput("ipvsadm -A -t 10.0.0.200:80 -s rr   # web\n-a -t 10.0.0.200:80 -r 10.0.0.5 -m -w 2\n", "-R");
        assertEquals(0, r.exit(), r.err());
        assertTrue(h.ok("-S", "-n").contains("-a -t 10.0.0.200:80 -r 10.0.0.5:80 -m -w 2"));
    }
}
