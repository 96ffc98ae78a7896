/*
 * The admin server's accounts: STATE/users, one line per user, "name:role:iterations:salt:hash", salt and hash in
 * base64. A password is kept only as PBKDF2-HMAC-SHA256 of it with a 16-byte random salt and 600,000 iterations
 * (OWASP's figure for this function), compared in constant time. The file is written to a temporary file of mode 0600
 * and renamed into place, so it never exists with looser permissions or half written; a file others can read is
 * refused when loaded. There is no default account: no one logs in until ./lvs4j passwd sets a password.
 */
package org.lvs4j.web.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

final class Users {

    /** What an account may do: viewers look, operators change the table, admins also install and remove plug-ins. */
    enum Role {
        VIEWER, OPERATOR, ADMIN;

        static Role parse(String s) {
            try {
                return valueOf(s.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("role must be viewer, operator or admin, not \"" + s + "\"");
            }
        }

        boolean allows(Role needed) {
            return compareTo(needed) >= 0;
        }
    }

    record Account(String name, Role role, int iterations, byte[] salt, byte[] hash) {
    }

    static final int ITERATIONS = 600_000;
    static final int MIN_PASSWORD = 8;
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path file;
    private final Map<String, Account> accounts;

    private Users(Path file, Map<String, Account> accounts) {
        this.file = file;
        this.accounts = accounts;
    }

    /** The accounts in {@code file}; none when it does not exist. */
    static Users load(Path file) throws IOException {
        Map<String, Account> accounts = new LinkedHashMap<>();
        OwnerOnlyFile.read(file, f -> {
            if (f.length != 5 || !NAME.matcher(f[0]).matches()) {
                throw new IllegalArgumentException("expected name:role:iterations:salt:hash");
            }
            Base64.Decoder b64 = Base64.getDecoder();
            accounts.put(f[0], new Account(f[0], Role.parse(f[1]), Integer.parseInt(f[2]), b64.decode(f[3]),
                    b64.decode(f[4])));
        });
        return new Users(file, accounts);
    }

    /** Sets (or replaces) an account's password and role, and saves. */
    void set(String name, Role role, char[] password) throws IOException {
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("user names are 1 to 64 of A-Z a-z 0-9 . _ -, not \"" + name + "\"");
        }
        if (password.length < MIN_PASSWORD) {
            throw new IllegalArgumentException("the password must have at least " + MIN_PASSWORD + " characters");
        }
        byte[] salt = new byte[16];
        RANDOM.nextBytes(salt);
        accounts.put(name, new Account(name, role, ITERATIONS, salt, hash(password, salt, ITERATIONS)));
        save();
    }

    /** The account whose password this is, or empty; the work is the same whether the user exists or not. */
    Optional<Account> verify(String name, char[] password) {
        Account a = accounts.get(name);
        byte[] salt = a == null ? new byte[16] : a.salt();
        int iterations = a == null ? ITERATIONS : a.iterations();
        byte[] computed = hash(password, salt, iterations);
        return a != null && MessageDigest.isEqual(computed, a.hash()) ? Optional.of(a) : Optional.empty();
    }

    /** The role of an account, or empty when there is none of that name. */
    Optional<Role> role(String name) {
        return Optional.ofNullable(accounts.get(name)).map(Account::role);
    }

    boolean isEmpty() {
        return accounts.isEmpty();
    }

    private void save() throws IOException {
        StringBuilder b = new StringBuilder("# lvs4j admin accounts: name:role:iterations:salt:hash (PBKDF2-HMAC-SHA256)\n");
        Base64.Encoder b64 = Base64.getEncoder();
        for (Account a : accounts.values()) {
            b.append(a.name()).append(':').append(a.role().name().toLowerCase(Locale.ROOT)).append(':')
                    .append(a.iterations()).append(':').append(b64.encodeToString(a.salt())).append(':')
                    .append(b64.encodeToString(a.hash())).append('\n');
        }
        OwnerOnlyFile.write(file, b);
    }

    static byte[] hash(char[] password, byte[] salt, int iterations) {
        try {
            PBEKeySpec spec = new PBEKeySpec(password, salt, iterations, 256);
            try {
                return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
            } finally {
                spec.clearPassword();
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("PBKDF2WithHmacSHA256 is part of every JDK", e);
        }
    }
}
