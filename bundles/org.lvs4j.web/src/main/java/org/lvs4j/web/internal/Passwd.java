package org.lvs4j.web.internal;

import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * {@code ./lvs4j passwd [--state-dir DIR] USER --role viewer|operator|admin}: sets an admin account's password, read
 * from stdin (asked twice without echo on a terminal), into STATE/users. Run outside the director, as the launcher
 * runs it: {@code java -cp org.lvs4j.web.jar org.lvs4j.web.internal.Passwd STATE_DIR USER ROLE}.
 */
public final class Passwd {

    private Passwd() {
    }

    public static void main(String[] args) {
        if (args.length == 3 && args[0].equals("--token")) {
            token(Path.of(args[1]), args[2]);
            return;
        }
        if (args.length != 3) {
            System.err.println("usage: Passwd STATE_DIR USER viewer|operator|admin | Passwd --token STATE_DIR USER");
            System.exit(2);
        }
        try {
            Users.Role role = Users.Role.parse(args[2]);
            char[] password = read();
            try {
                Users users = Users.load(Path.of(args[0]).resolve("users"));
                users.set(args[1], role, password);
            } finally {
                Arrays.fill(password, '\0');
            }
            System.out.println("lvs4j: password of " + args[1] + " (" + args[2] + ") set in "
                    + Path.of(args[0]).resolve("users"));
        } catch (IllegalArgumentException | IOException e) {
            System.err.println("lvs4j: passwd: " + e.getMessage());
            System.exit(2);
        }
    }

    /** A new API token for an existing account, with its role; printed once, kept as a hash in STATE/tokens. */
    private static void token(Path state, String user) {
        try {
            Users users = Users.load(state.resolve("users"));
            Users.Role role = users.role(user).orElseThrow(() -> new IllegalArgumentException("no account " + user
                    + " (./lvs4j passwd " + user + " --role ROLE first)"));
            System.out.println(Tokens.load(state.resolve("tokens")).create(user, role));
        } catch (IllegalArgumentException | IOException e) {
            System.err.println("lvs4j: token: " + e.getMessage());
            System.exit(2);
        }
    }

    private static char[] read() throws IOException {
        Console console = System.console();
        if (console != null && console.isTerminal()) {
            char[] first = console.readPassword("New password: ");
            char[] again = console.readPassword("Again: ");
            if (first == null || !Arrays.equals(first, again)) {
                throw new IllegalArgumentException("the two passwords differ");
            }
            Arrays.fill(again, '\0');
            return first;
        }
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line = in.readLine();
        if (line == null) {
            throw new IllegalArgumentException("no password on stdin");
        }
        return line.toCharArray();
    }
}
