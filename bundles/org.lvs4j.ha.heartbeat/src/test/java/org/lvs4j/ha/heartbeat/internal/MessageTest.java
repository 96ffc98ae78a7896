package org.lvs4j.ha.heartbeat.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lvs4j.api.health.ConfigException;
import org.lvs4j.peer.support.ReplayGuard;

/** authkeys, signed messages, and what a forged, damaged, wrongly keyed or replayed datagram gets. */
class MessageTest {

    static final Path FILE = Path.of("authkeys");

    static AuthKeys keys(String text) throws ConfigException {
        return AuthKeys.parse(FILE, text);
    }

    static Map<String, String> status(long seq) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("t", "status");
        m.put("st", "active");
        m.put("src", "dir1");
        m.put("hg", "5");
        m.put("seq", Long.toHexString(seq));
        m.put("dt", Long.toHexString(500));
        return m;
    }

    @Test
    void aSignedMessageReadsBackAndEachMethodSignsAsItsHmac() throws Exception {
        for (String method : new String[] {"md5", "sha1", "sha256"}) {
            AuthKeys k = keys("auth 2\n1 sha1 old-secret\n2 " + method + " s3cret\n");
            byte[] d = Message.encode(status(1), k);
            String text = new String(d, StandardCharsets.UTF_8);
            assertTrue(text.startsWith(">>>\nt=status\nst=active\n") && text.endsWith("<<<\n"), text);
            assertTrue(text.contains("\nauth=2 "), text);
            assertEquals(status(1), Message.decode(d, d.length, k));
        }
    }

    @Test
    void aPeerStillOnTheOldKeyIsUnderstoodDuringARollover() throws Exception {
        AuthKeys oldSide = keys("auth 1\n1 sha1 old-secret\n");
        AuthKeys newSide = keys("auth 2\n1 sha1 old-secret\n2 sha256 new-secret\n");
        byte[] d = Message.encode(status(1), oldSide);
        assertEquals(status(1), Message.decode(d, d.length, newSide));
    }

    @Test
    void forgedDamagedAndWronglyKeyedMessagesAreRefusedWithTheirReason() throws Exception {
        AuthKeys k = keys("auth 1\n1 sha256 right\n");
        byte[] good = Message.encode(status(1), k);
        byte[] other = Message.encode(status(1), keys("auth 1\n1 sha256 wrong\n"));
        assertEquals(Message.Rejection.BAD_SIGNATURE, reason(other, k));
        assertEquals(Message.Rejection.UNKNOWN_KEY, reason(Message.encode(status(1), keys("auth 3\n3 sha1 x\n")), k));
        byte[] flipped = good.clone();
        flipped[9] ^= 1; // "st=active" -> another status, same length
        assertEquals(Message.Rejection.BAD_SIGNATURE, reason(flipped, k));
        String text = new String(good, StandardCharsets.UTF_8);
        assertEquals(Message.Rejection.UNSIGNED,
                reason(text.substring(0, text.indexOf("auth=")).concat("<<<\n").getBytes(), k));
        assertEquals(Message.Rejection.MALFORMED, reason("hello".getBytes(), k));
        assertEquals(Message.Rejection.MALFORMED, reason(new byte[Message.MAX_BYTES + 1], k));
        // random bytes never pass, and never throw anything but a rejection
        Random r = new Random(3);
        for (int i = 0; i < 20_000; i++) {
            byte[] b = good.clone();
            b[r.nextInt(b.length)] = (byte) r.nextInt(256);
            if (!java.util.Arrays.equals(b, good)) {
                reason(b, k);
            }
        }
    }

    private static Message.Rejection reason(byte[] d, AuthKeys k) {
        return assertThrows(Message.Rejected.class, () -> Message.decode(d, d.length, k)).reason;
    }

    @Test
    void replayedStaleAndTooOldMessagesAreRefused() {
        ReplayGuard g = new ReplayGuard();
        assertEquals(ReplayGuard.Verdict.FRESH, g.check("dir1", 5, 10));
        assertEquals(ReplayGuard.Verdict.FRESH, g.check("dir1", 5, 12));
        assertEquals(ReplayGuard.Verdict.FRESH, g.check("dir1", 5, 11), "reordered by UDP: taken once");
        assertEquals(ReplayGuard.Verdict.REPLAYED, g.check("dir1", 5, 11));
        assertEquals(ReplayGuard.Verdict.REPLAYED, g.check("dir1", 5, 12));
        assertEquals(ReplayGuard.Verdict.FRESH, g.check("dir1", 5, 100));
        assertEquals(ReplayGuard.Verdict.TOO_OLD, g.check("dir1", 5, 100 - ReplayGuard.WINDOW));
        assertEquals(ReplayGuard.Verdict.STALE_GENERATION, g.check("dir1", 4, 1000));
        assertEquals(ReplayGuard.Verdict.FRESH, g.check("dir1", 6, 1), "a restarted peer starts over");
        assertEquals(ReplayGuard.Verdict.FRESH, g.check("dir2", 1, 1), "per sender");
    }

    @Test
    void authkeysRulesNamedByLine(@TempDir Path dir) throws Exception {
        assertEquals("authkeys:2: crc authenticates nothing (anyone could take the VIP): use sha1 or sha256 with a key",
                assertThrows(ConfigException.class, () -> keys("auth 1\n1 crc\n")).getMessage());
        assertEquals("authkeys:2: unknown method \"sha3\" (md5, sha1 or sha256)",
                assertThrows(ConfigException.class, () -> keys("auth 1\n1 sha3 k\n")).getMessage());
        assertEquals("authkeys:2: key 1 (sha1) has no secret",
                assertThrows(ConfigException.class, () -> keys("auth 1\n1 sha1\n")).getMessage());
        assertEquals("authkeys:1: auth 2: no key 2 below",
                assertThrows(ConfigException.class, () -> keys("auth 2\n1 sha1 k\n")).getMessage());
        assertEquals("authkeys: no \"auth N\" line choosing the key to sign with",
                assertThrows(ConfigException.class, () -> keys("1 sha1 k\n")).getMessage());
        assertEquals("authkeys:2: key id \"16\" is not a number from 1 to 15",
                assertThrows(ConfigException.class, () -> keys("auth 1\n16 sha1 k\n")).getMessage());
        Path f = dir.resolve("authkeys");
        Files.writeString(f, "auth 1\n1 sha1 k\n");
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r--"));
        assertTrue(assertThrows(ConfigException.class, () -> AuthKeys.read(f)).getMessage()
                .endsWith("readable by others: chmod 600 it (it holds the keys that decide who is master)"));
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
        assertEquals(1, AuthKeys.read(f).sending().id());
    }
}
