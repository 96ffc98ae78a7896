package org.lvs4j.web.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Accounts: salted PBKDF2, the file's permissions and format, roles, and refusals that name the problem. */
class UsersTest {

    @TempDir
    Path dir;

    @Test
    void aPasswordIsKeptOnlyAsASaltedHashInAFileOnlyItsOwnerReads() throws Exception {
        Path file = dir.resolve("users");
        Users users = Users.load(file);
        assertTrue(users.isEmpty(), "no default account");
        users.set("alice", Users.Role.OPERATOR, "correct horse".toCharArray());
        users.set("bob", Users.Role.VIEWER, "correct horse".toCharArray());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        String text = Files.readString(file);
        assertFalse(text.contains("correct horse"), text);
        String[] alice = text.lines().filter(l -> l.startsWith("alice:")).findFirst().orElseThrow().split(":");
        String[] bob = text.lines().filter(l -> l.startsWith("bob:")).findFirst().orElseThrow().split(":");
        assertEquals("operator", alice[1]);
        assertEquals("600000", alice[2]);
        assertFalse(alice[3].equals(bob[3]) || alice[4].equals(bob[4]), "each account has its own salt");

        Users again = Users.load(file);
        assertEquals(Users.Role.OPERATOR, again.verify("alice", "correct horse".toCharArray()).orElseThrow().role());
        assertTrue(again.verify("alice", "wrong horse".toCharArray()).isEmpty());
        assertTrue(again.verify("mallory", "correct horse".toCharArray()).isEmpty());
    }

    @Test
    void rolesAreOrdered() {
        assertTrue(Users.Role.ADMIN.allows(Users.Role.OPERATOR));
        assertTrue(Users.Role.OPERATOR.allows(Users.Role.VIEWER));
        assertFalse(Users.Role.OPERATOR.allows(Users.Role.ADMIN));
        assertEquals("role must be viewer, operator or admin, not \"root\"",
                assertThrows(IllegalArgumentException.class, () -> Users.Role.parse("root")).getMessage());
    }

    @Test
    void badInputIsRefusedWithTheReason() throws Exception {
        Users users = Users.load(dir.resolve("users"));
        assertEquals("the password must have at least 8 characters", assertThrows(IllegalArgumentException.class,
                () -> users.set("alice", Users.Role.ADMIN, "short".toCharArray())).getMessage());
        assertEquals("user names are 1 to 64 of A-Z a-z 0-9 . _ -, not \"a:b\"", assertThrows(
                IllegalArgumentException.class, () -> users.set("a:b", Users.Role.ADMIN, "long enough".toCharArray()))
                .getMessage());

        Path loose = dir.resolve("loose");
        Files.writeString(loose, "");
        Files.setPosixFilePermissions(loose, PosixFilePermissions.fromString("rw-r--r--"));
        assertEquals(loose + " must be readable by its owner only (chmod 600)",
                assertThrows(java.io.IOException.class, () -> Users.load(loose)).getMessage());

        Path broken = dir.resolve("broken");
        Files.writeString(broken, "# comment\nalice:operator:600000:AAAA\n");
        Files.setPosixFilePermissions(broken, PosixFilePermissions.fromString("rw-------"));
        assertEquals(broken + ":2: expected name:role:iterations:salt:hash",
                assertThrows(java.io.IOException.class, () -> Users.load(broken)).getMessage());
    }
}
