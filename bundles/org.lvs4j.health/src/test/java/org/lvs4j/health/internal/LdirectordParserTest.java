package org.lvs4j.health.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.lvs4j.api.ForwardMethod;
import org.lvs4j.api.Protocol;
import org.lvs4j.api.health.ConfigException;

/** ldirectord.cf as ldirectord reads it (SPEC-ipvs.md B9), and every error named by file and line. */
class LdirectordParserTest {

    static final Path FILE = Path.of("ldirectord.cf");

    /** The sample from the LVS how-to, unchanged. */
    static final String HOWTO = """
            checktimeout=3
            checkinterval=1
            fallback=127.0.0.1:80
            autoreload=yes
            quiescent=yes
            virtual=192.168.7.110:80
                    real=192.168.7.11:80 gate
                    real=192.168.7.12:80 gate
                    real=192.168.7.13:80 gate
                    fallback=127.0.0.1:80 gate
                    service=http
                    request="/.testpage"
                    receive="Test Page"
                    scheduler=rr
                    #persistent=600
                    #netmask=255.255.255.255
                    protocol=tcp
            """;

    static LdirectordConfig parse(String text) throws ConfigException {
        return LdirectordParser.parse(FILE, text);
    }

    static String error(String text) {
        return assertThrows(ConfigException.class, () -> parse(text)).getMessage();
    }

    @Test
    void howToSampleReadsAsLdirectordWould() throws Exception {
        LdirectordConfig c = parse(HOWTO);
        assertTrue(c.autoreload());
        assertEquals(1, c.virtuals().size());
        LdirectordConfig.Virtual v = c.virtuals().get(0);
        assertEquals(6, v.line());
        assertEquals(Protocol.TCP, v.key().protocol());
        assertEquals("192.168.7.110", v.key().address().getHostAddress());
        assertEquals(80, v.key().port());
        assertEquals("rr", v.service().scheduler());
        assertFalse(v.service().persistent(), "#persistent is a comment");
        assertEquals(List.of("192.168.7.11", "192.168.7.12", "192.168.7.13"),
                v.reals().stream().map(r -> r.address().getHostAddress()).toList());
        assertTrue(v.reals().stream().allMatch(r -> r.method() == ForwardMethod.DROUTE && r.weight() == 1
                && r.port() == 80));
        assertEquals("127.0.0.1", v.fallback().address().getHostAddress());
        assertEquals(ForwardMethod.DROUTE, v.fallback().method(), "the block's own fallback line wins");
        LdirectordConfig.Check k = v.check();
        assertEquals("negotiate", k.type());
        assertEquals("http", k.service());
        assertEquals(Duration.ofSeconds(1), k.interval());
        assertEquals(Duration.ofSeconds(3), k.checkTimeout());
        assertEquals(Duration.ofSeconds(3), k.negotiateTimeout(), "only checktimeout set: negotiatetimeout follows");
        assertTrue(k.quiescent());
        assertEquals("/.testpage", k.params().get("request"));
        assertEquals("Test Page", k.params().get("receive"));
        assertEquals("GET", k.params().get("httpmethod"));
    }

    @Test
    void defaultsComeFromLdirectordsCode() throws Exception {
        LdirectordConfig.Virtual v = parse("virtual=10.0.0.1:53\n\treal=10.0.0.2 masq\n").virtuals().get(0);
        assertEquals(Protocol.UDP, v.key().protocol(), "port 53 is udp");
        assertEquals("wrr", v.service().scheduler());
        assertEquals("dns", v.check().service());
        assertEquals(Duration.ofSeconds(10), v.check().interval());
        assertEquals(Duration.ofSeconds(5), v.check().checkTimeout());
        assertEquals(Duration.ofSeconds(30), v.check().negotiateTimeout());
        assertEquals(1, v.check().failureCount());
        assertEquals(1, v.check().rise());
        assertFalse(v.check().quiescent(), "quiescent defaults to no, as ldirectord's code (its manual says yes)");
        assertEquals(53, v.reals().get(0).port(), "no port: the virtual service's");
        assertNull(v.fallback());
    }

    @Test
    void realLinesTakeRangesWeightsRequestReceiveAndThresholds() throws Exception {
        LdirectordConfig.Virtual v = parse("""
                virtual=10.0.0.1:80
                    real=10.0.1.1->10.0.1.3:8080 fullnat 5 "/health", "OK" <l:10> <u:20>
                    real=10.0.2.1 ipip 0
                    checktype=3
                    rise=2
                    slowstart=30
                    checkport=81
                """).virtuals().get(0);
        assertEquals(4, v.reals().size());
        LdirectordConfig.Real r = v.reals().get(2);
        assertEquals("10.0.1.3", r.address().getHostAddress());
        assertEquals(8080, r.port());
        assertEquals(ForwardMethod.FULLNAT, r.method());
        assertEquals(5, r.weight());
        assertEquals("/health", r.request());
        assertEquals("OK", r.receive());
        assertEquals(10, r.lowerThreshold());
        assertEquals(20, r.upperThreshold());
        assertEquals(0, v.reals().get(3).weight());
        assertEquals(ForwardMethod.TUNNEL, v.reals().get(3).method());
        assertEquals("combined", v.check().type());
        assertEquals(3, v.check().connects());
        assertEquals(2, v.check().rise());
        assertEquals(Duration.ofSeconds(30), v.check().slowStart());
        assertEquals(81, v.check().checkPort());
    }

    @Test
    void ipv6ServicesUseVirtual6AndBrackets() throws Exception {
        LdirectordConfig.Virtual v = parse("virtual6=[2001:db8::1]:443\n  real=[2001:db8::2]:8443 fullnat\n"
                + "  persistent=60\n  netmask=64\n").virtuals().get(0);
        assertTrue(v.key().isIpv6());
        assertEquals("https", v.check().service());
        assertEquals(8443, v.reals().get(0).port());
        assertEquals(64, v.service().netmask());
        assertEquals(60, v.service().persistenceTimeout());
    }

    @Test
    void errorsNameFileAndLine() {
        assertEquals("ldirectord.cf:2: unknown directive \"chektimeout\"", error("checkinterval=1\nchektimeout=3\n"));
        assertEquals("ldirectord.cf:1: unsupported directive \"logfile\" (lvs4j does not implement it)",
                error("logfile=\"local0\"\n"));
        assertEquals("ldirectord.cf:3: forwarding method must be gate, masq, ipip or fullnat, not \"route\"",
                error("virtual=10.0.0.1:80\n  service=http\n  real=10.0.0.2:80 route\n"));
        assertEquals("ldirectord.cf:1: indented directive \"real\" outside a virtual= block",
                error("  real=10.0.0.2:80 gate\n"));
        assertEquals("ldirectord.cf:2: checktimeout must be a number of seconds, not \"soon\"",
                error("virtual=10.0.0.1:80\n  checktimeout=soon\n"));
        assertEquals("ldirectord.cf:1: \"www.example.com\" is not a numeric IPv4 address (host names are not"
                + " looked up)", error("virtual=www.example.com:80\n"));
        assertEquals("ldirectord.cf:4: real server 10.0.0.2:80 appears twice (first on line 2)",
                error("virtual=10.0.0.1:80\n  real=10.0.0.2 gate\n  real=10.0.0.3 gate\n  real=10.0.0.2 gate\n"));
        assertEquals("ldirectord.cf:3: virtual service TCP 10.0.0.1:80 is defined twice (first on line 1)",
                error("virtual=10.0.0.1:80\n  real=10.0.0.2 gate\nvirtual=10.0.0.1:80\n"));
        assertEquals("ldirectord.cf:2: protocol fwm (fwmark services) is not supported",
                error("virtual=10.0.0.1:80\n  protocol=fwm\n"));
        assertEquals("ldirectord.cf:2: receive is not a valid regular expression: Unclosed group",
                error("virtual=10.0.0.1:80\n  receive=\"(oops\"\n"));
        assertEquals("ldirectord.cf:2: range 10.0.0.9->10.0.0.2 runs backwards",
                error("virtual=10.0.0.1:80\n  real=10.0.0.9->10.0.0.2 gate\n"));
        assertEquals("ldirectord.cf:2: checktype external needs checkcommand",
                error("virtual=10.0.0.1:80\n  checktype=external\n"));
        assertEquals("ldirectord.cf:1: expected name=value, found \"virtual 10.0.0.1:80\"",
                error("virtual 10.0.0.1:80\n"));
    }

    @Test
    void fuzzedInputsEitherParseOrFailWithALineNumber() {
        // Random edits of the how-to sample: every outcome is a config or a ConfigException naming a line.
        java.util.Random rnd = new java.util.Random(1);
        String alphabet = "=:\"\t <>-.,#[]0123456789abcdefghijklmnopqrstuvwxyz\n";
        for (int i = 0; i < 20_000; i++) {
            StringBuilder b = new StringBuilder(HOWTO);
            for (int e = 1 + rnd.nextInt(4); e > 0; e--) {
                int at = rnd.nextInt(b.length());
                switch (rnd.nextInt(3)) {
                    case 0 -> b.deleteCharAt(at);
                    case 1 -> b.insert(at, alphabet.charAt(rnd.nextInt(alphabet.length())));
                    default -> b.setCharAt(at, alphabet.charAt(rnd.nextInt(alphabet.length())));
                }
            }
            try {
                parse(b.toString());
            } catch (ConfigException e) {
                assertTrue(e.getMessage().matches("ldirectord\\.cf:\\d+: .+"), e.getMessage());
            }
        }
    }
}
