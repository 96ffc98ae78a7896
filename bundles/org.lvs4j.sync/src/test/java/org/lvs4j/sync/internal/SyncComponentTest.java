package org.lvs4j.sync.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lvs4j.api.sync.SyncControl.Role;
import org.lvs4j.api.sync.SyncSettings;

/** The daemon settings' defaults and checks, and where the signing secret comes from. */
class SyncComponentTest {

    @TempDir
    Path dir;

    @Test
    void defaultsAreIpvssAndTheMaximumLengthFollowsTheMtu() {
        SyncSettings s = SyncComponent.complete(new SyncSettings(Role.MASTER, "lo", 0, 0, null, 0, 0, null));
        assertEquals(new SyncSettings(Role.MASTER, "lo", 0, 65507, WireTest.ip("224.0.0.81"), 8848, 1, null), s);
    }

    @Test
    void aMissingInterfaceOrATooShortMessageIsRefused() {
        assertEquals("lvs4j: --mcast-interface is required", assertThrows(IllegalArgumentException.class,
                () -> SyncComponent.complete(new SyncSettings(Role.BACKUP, null, 0, 0, null, 0, 0, null)))
                .getMessage());
        assertEquals("illegal sync-maxlen specified (80..65507)", assertThrows(IllegalArgumentException.class,
                () -> SyncComponent.complete(new SyncSettings(Role.BACKUP, "lo", 0, 50, null, 0, 0, null)))
                .getMessage());
    }

    @Test
    void theSecretIsTheFirstLineOrTheAuthkeysKeyInUse() {
        assertEquals("a-plain-secret-of-some-length", SyncComponent.secret(List.of("# comment", "",
                "a-plain-secret-of-some-length")));
        assertEquals("second-key-secret with spaces", SyncComponent.secret(List.of("auth 2", "1 sha1 first-key",
                "2 sha256 second-key-secret with spaces")));
        assertEquals("", SyncComponent.secret(List.of("auth 3", "1 sha1 first-key")));
    }

    @Test
    void aKeyFileOthersCanReadIsRefused() throws Exception {
        Path key = dir.resolve("key");
        Files.writeString(key, "0123456789abcdef-secret\n");
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-r--r--"));
        assertEquals("lvs4j: sync key " + key + " must be readable by its owner only (chmod 600)",
                assertThrows(IllegalArgumentException.class, () -> SyncComponent.key(key.toString())).getMessage());
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
        SyncComponent.key(key.toString());
        Files.writeString(key, "short\n");
        assertEquals("lvs4j: sync key " + key + ": the secret must have at least 16 characters",
                assertThrows(IllegalArgumentException.class, () -> SyncComponent.key(key.toString())).getMessage());
    }
}
