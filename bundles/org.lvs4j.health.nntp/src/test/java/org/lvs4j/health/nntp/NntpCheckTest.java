package org.lvs4j.health.nntp;

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

/**
 * The nntp check against INN (Debian's inn2): innd run as the news user with its own inn.conf (INNCONF) and a news
 * tree in a temporary directory, on a loopback high port; ctlinnd throttles it to make it refuse.
 */
class NntpCheckTest {

    static final String BIN = "/usr/lib/news/bin/";

    @TempDir
    Path tmp;

    private Peer innd;
    private int port;
    private Path t;
    private final NntpCheck check = new NntpCheck();

    @AfterEach
    void stop() throws Exception {
        if (innd != null) {
            innd.close();
        }
    }

    /** A command as the news user, INN's configuration in the environment; setpriv execs it in place. */
    private List<String> asNews(String... command) {
        List<String> cmd = new java.util.ArrayList<>(List.of("/usr/bin/setpriv", "--reuid=news", "--regid=news",
                "--init-groups", "/usr/bin/env", "INNCONF=" + t.resolve("etc/inn.conf")));
        cmd.addAll(List.of(command));
        return cmd;
    }

    private String news(String... command) throws Exception {
        return Peer.run(Duration.ofSeconds(30), asNews(command).toArray(String[]::new));
    }

    private void start() throws Exception {
        innd.start(asNews(BIN + "innd", "-f"), Map.of());
        innd.awaitTcp(port);
        // innd accepts before it is ready, answering 400 while it loads its files.
        innd.await(() -> {
            try {
                return run().up();
            } catch (Exception e) {
                return false;
            }
        }, "the 200 banner");
    }

    private CheckResult run() throws Exception {
        return Peer.check(check, Protocol.TCP, port, Map.of(), Duration.ofSeconds(5));
    }

    @Test
    void bannerTwoHundredIsUpAThrottledServerOrNoServerIsDownAndUpAgain() throws Exception {
        Peer.require(BIN + "innd", BIN + "ctlinnd", BIN + "makedbz", "/usr/bin/setpriv");
        port = Peer.freePort();
        t = tmp.resolve("news");
        for (String d : List.of("etc", "db", "run", "log", "http", "spool/articles", "spool/overview",
                "spool/incoming/tmp", "spool/outgoing", "spool/archive")) {
            Files.createDirectories(t.resolve(d));
        }
        Peer.run(Duration.ofSeconds(30), "sh", "-c", "cp -r /etc/news/. " + t.resolve("etc"));
        String conf = Files.readString(t.resolve("etc/inn.conf"));
        Map<String, String> set = new java.util.LinkedHashMap<>();
        set.put("port", Integer.toString(port));
        set.put("bindaddress", "127.0.0.1");
        set.put("domain", "lvs4j.test");
        set.put("pathdb", t.resolve("db").toString());
        set.put("pathetc", t.resolve("etc").toString());
        set.put("pathfilter", t.resolve("etc/filter").toString());
        set.put("pathrun", t.resolve("run").toString());
        set.put("pathlog", t.resolve("log").toString());
        set.put("pathhttp", t.resolve("http").toString());
        set.put("pathspool", t.resolve("spool").toString());
        set.put("patharticles", t.resolve("spool/articles").toString());
        set.put("pathoverview", t.resolve("spool/overview").toString());
        set.put("pathincoming", t.resolve("spool/incoming").toString());
        set.put("pathoutgoing", t.resolve("spool/outgoing").toString());
        set.put("patharchive", t.resolve("spool/archive").toString());
        set.put("pathtmp", t.resolve("spool/incoming/tmp").toString());
        for (Map.Entry<String, String> e : set.entrySet()) {
            conf = conf.replaceAll("(?m)^#?\\s*" + e.getKey() + ":.*$", "");
            conf += e.getKey() + ": " + e.getValue() + "\n";
        }
        Files.writeString(t.resolve("etc/inn.conf"), conf);
        Files.writeString(t.resolve("db/active"), "control 0000000000 0000000001 n\n"
                + "control.cancel 0000000000 0000000001 n\njunk 0000000000 0000000001 n\n");
        Files.writeString(t.resolve("db/newsgroups"), "control\tinternal\njunk\tinternal\n");
        Files.writeString(t.resolve("db/history"), "");
        Peer.run(Duration.ofSeconds(10), "chmod", "755", tmp.toString());
        Peer.run(Duration.ofSeconds(10), "chown", "-R", "news:news", t.toString());
        news(BIN + "makedbz", "-i", "-o", "-s", "1000"); // a small history: big default files load slowly
        innd = new Peer("innd", tmp.resolve("innd.log"));
        start();

        CheckResult ok = run();
        assertTrue(ok.up(), ok.reason());
        assertEquals("banner 200", ok.reason());
        news(BIN + "ctlinnd", "throttle", "lvs4j test");
        CheckResult throttled = run();
        assertFalse(throttled.up(), throttled.reason());
        assertTrue(throttled.reason().startsWith("banner 4"), throttled.reason());
        news(BIN + "ctlinnd", "go", "lvs4j test");
        assertTrue(run().up(), "going again");

        innd.stop();
        CheckResult stopped = run();
        assertFalse(stopped.up());
        // The server may still be closing its listener: refused or reset, either way down.
        assertTrue(stopped.reason().matches("connection (refused|reset)"), stopped.reason());
        start();
        assertTrue(run().up(), "up again");
    }
}
