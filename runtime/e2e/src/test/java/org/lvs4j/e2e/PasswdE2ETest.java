package org.lvs4j.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ./lvs4j passwd}: the password from stdin, kept hashed in STATE/users (0600); bad input refused by name. */
class PasswdE2ETest {

    @TempDir
    Path state;

    record Run(int exit, String out) {
    }

    Run passwd(String stdin, String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of(Appliance.SCRIPT.toString(), "passwd", "--state-dir",
                state.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        return new Run(p.exitValue(), out);
    }

    @Test
    void setsAnAccountAndRefusesBadInput() throws Exception {
        Run ok = passwd("a long enough secret\n", "alice", "--role", "operator");
        assertEquals(0, ok.exit(), ok.out());
        Path users = state.resolve("users");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(users)));
        String text = Files.readString(users);
        assertTrue(text.lines().anyMatch(l -> l.startsWith("alice:operator:600000:")), text);
        assertTrue(!text.contains("a long enough secret"), "no password in the file");

        Run badRole = passwd("a long enough secret\n", "bob", "--role", "root");
        assertEquals(2, badRole.exit());
        assertEquals("lvs4j: passwd: role must be viewer, operator or admin, not \"root\"\n", badRole.out());
        Run shortPassword = passwd("short\n", "bob", "--role", "viewer");
        assertEquals(2, shortPassword.exit());
        assertEquals("lvs4j: passwd: the password must have at least 8 characters\n", shortPassword.out());
        assertTrue(!Files.readString(users).contains("bob:"), "nothing written for a refused account");

        Process t = new ProcessBuilder(Appliance.SCRIPT.toString(), "token", "--state-dir", state.toString(), "alice")
                .redirectErrorStream(true).start();
        String token = new String(t.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertTrue(t.waitFor(60, TimeUnit.SECONDS) && t.exitValue() == 0, token);
        assertTrue(token.matches("lvs4j_[A-Za-z0-9_-]{43}"), token);
        assertTrue(Files.readString(state.resolve("tokens")).contains("alice:operator:"));
        assertTrue(!Files.readString(state.resolve("tokens")).contains(token), "kept as a hash only");
        Process none = new ProcessBuilder(Appliance.SCRIPT.toString(), "token", "--state-dir", state.toString(),
                "mallory").redirectErrorStream(true).start();
        String refused = new String(none.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(none.waitFor(60, TimeUnit.SECONDS));
        assertEquals(2, none.exitValue());
        assertEquals("lvs4j: token: no account mallory (./lvs4j passwd mallory --role ROLE first)\n", refused);
    }
}
