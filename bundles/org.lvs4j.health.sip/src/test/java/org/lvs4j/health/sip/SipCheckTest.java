package org.lvs4j.health.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lvs4j.api.Protocol;
import org.lvs4j.api.health.CheckResult;
import org.lvs4j.health.support.testing.Peer;

/** The sip check against SIPp (Debian's sip-tester) running a scenario that answers OPTIONS, on a loopback port. */
class SipCheckTest {

    @TempDir
    Path tmp;

    private Peer sipp;
    private int port;
    private final SipCheck check = new SipCheck();

    @AfterEach
    void stop() throws Exception {
        if (sipp != null) {
            sipp.close();
        }
    }

    private static String scenario(String status) {
        return """
                <?xml version="1.0" encoding="ISO-8859-1" ?>
                <scenario name="answer OPTIONS">
                  <recv request="OPTIONS" crlf="true"/>
                  <send>
                    <![CDATA[

                      SIP/2.0 %s
                      [last_Via:]
                      [last_From:]
                      [last_To:];tag=[pid]SIPpTag01[call_number]
                      [last_Call-ID:]
                      [last_CSeq:]
                      Contact: <sip:[local_ip]:[local_port];transport=[transport]>
                      Content-Length: 0

                    ]]>
                  </send>
                </scenario>
                """.formatted(status);
    }

    private void start(String status) throws Exception {
        Path sf = tmp.resolve("scenario.xml");
        Files.writeString(sf, scenario(status));
        sipp = new Peer("sipp", tmp.resolve("sipp.log"));
        sipp.start(List.of("/usr/bin/sipp", "-sf", sf.toString(), "-i", "127.0.0.1", "-p", Integer.toString(port),
                "-nostdin"), Map.of("TERM", "dumb"));
        // UDP has no connection to wait for: wait until the scenario answers at all.
        sipp.await(() -> {
            try {
                CheckResult r = run();
                return r.up() || r.reason().startsWith("answered");
            } catch (Exception e) {
                return false;
            }
        }, "an answer to OPTIONS");
    }

    private CheckResult run() throws Exception {
        return Peer.check(check, Protocol.UDP, port, Map.of("login", "check"), Duration.ofMillis(1500));
    }

    @Test
    void twoHundredIsUpAnotherAnswerOrSilenceIsDownAndUpAgain() throws Exception {
        Peer.require("/usr/bin/sipp");
        port = Peer.freePort();
        start("200 OK");
        CheckResult ok = run();
        assertTrue(ok.up(), ok.reason());
        assertEquals("SIP/2.0 200 OK", ok.reason());
        sipp.stop();
        CheckResult stopped = run();
        assertFalse(stopped.up(), stopped.reason());
        start("486 Busy Here");
        CheckResult busy = run();
        assertFalse(busy.up());
        assertEquals("answered \"SIP/2.0 486 Busy Here\"", busy.reason());
        sipp.stop();
        start("200 OK");
        assertTrue(run().up(), "up again");
    }
}
