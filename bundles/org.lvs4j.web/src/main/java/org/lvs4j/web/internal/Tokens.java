/*
 * Bearer tokens for scripts: STATE/tokens, one line per token, "user:role:sha256-hex". A token is 32 random bytes
 * (base64url, prefixed "lvs4j_"), shown once when made and kept only as its SHA-256: a stolen file gives no usable
 * token. A request with "Authorization: Bearer TOKEN" acts with the token's role and needs no CSRF token (a browser
 * never adds such a header by itself, so another site's page cannot use it). The file is 0600, written atomically.
 */
package org.lvs4j.web.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

final class Tokens {

    record Token(String user, Users.Role role, String hash) {
    }

    private final Path file;
    private final Map<String, Token> byHash;

    private Tokens(Path file, Map<String, Token> byHash) {
        this.file = file;
        this.byHash = byHash;
    }

    static Tokens load(Path file) throws IOException {
        Map<String, Token> m = new LinkedHashMap<>();
        OwnerOnlyFile.read(file, f -> {
            if (f.length != 3 || !f[2].matches("[0-9a-f]{64}")) {
                throw new IllegalArgumentException("expected user:role:sha256");
            }
            m.put(f[2], new Token(f[0], Users.Role.parse(f[1]), f[2]));
        });
        return new Tokens(file, m);
    }

    /** Makes a token for {@code user} with {@code role}, saves its hash, and returns the token (shown once). */
    String create(String user, Users.Role role) throws IOException {
        String token = "lvs4j_" + Sessions.token();
        String hash = sha256(token);
        byHash.put(hash, new Token(user, role, hash));
        save();
        return token;
    }

    /** The token's owner and role, or empty. */
    Optional<Token> find(String token) {
        return token == null ? Optional.empty() : Optional.ofNullable(byHash.get(sha256(token)));
    }

    /** Removes every token of {@code user}; returns how many. */
    int revoke(String user) throws IOException {
        int before = byHash.size();
        byHash.values().removeIf(t -> t.user().equals(user));
        save();
        return before - byHash.size();
    }

    private void save() throws IOException {
        StringBuilder b = new StringBuilder("# lvs4j API tokens: user:role:sha256(token)\n");
        byHash.values().forEach(t -> b.append(t.user()).append(':').append(t.role().name().toLowerCase(Locale.ROOT))
                .append(':').append(t.hash()).append('\n'));
        OwnerOnlyFile.write(file, b);
    }

    static String sha256(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
