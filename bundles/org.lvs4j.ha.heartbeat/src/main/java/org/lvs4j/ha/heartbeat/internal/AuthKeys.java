/*
 * heartbeat's authkeys: "auth N" picks the key that signs what this director sends; every "N method key" line is a
 * key a message may be signed with, so keys can be rolled over one director at a time. The md5 and sha1 methods are
 * heartbeat's HMACs (lib/plugins/HBauth); lvs4j adds sha256. heartbeat's "crc" is refused: it authenticates nothing,
 * and a forged message could move the VIP. Like heartbeat, the file must not be readable by group or others.
 */
package org.lvs4j.ha.heartbeat.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.GeneralSecurityException;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.lvs4j.api.health.ConfigException;

final class AuthKeys {

    /** One key: its id, the JCA HMAC algorithm and the secret. */
    record Key(int id, String method, String algorithm, byte[] secret) {
        byte[] sign(byte[] data, int length) {
            try {
                Mac mac = Mac.getInstance(algorithm);
                mac.init(new SecretKeySpec(secret, algorithm));
                mac.update(data, 0, length);
                return mac.doFinal();
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(algorithm + " is missing from this JDK", e);
            }
        }
    }

    private static final Map<String, String> METHODS = Map.of("md5", "HmacMD5", "sha1", "HmacSHA1",
            "sha256", "HmacSHA256");

    private final Map<Integer, Key> keys;
    private final Key sending;

    private AuthKeys(Map<Integer, Key> keys, Key sending) {
        this.keys = keys;
        this.sending = sending;
    }

    /** The key that signs outgoing messages. */
    Key sending() {
        return sending;
    }

    /** The key of an id, or null. */
    Key key(int id) {
        return keys.get(id);
    }

    /** Reads the file, refusing it when group or others may read it. */
    static AuthKeys read(Path file) throws ConfigException {
        try {
            Set<PosixFilePermission> p = Files.getPosixFilePermissions(file);
            if (p.contains(PosixFilePermission.GROUP_READ) || p.contains(PosixFilePermission.OTHERS_READ)) {
                throw new ConfigException(file, 0, "readable by others: chmod 600 it (it holds the keys that"
                        + " decide who is master)");
            }
            return parse(file, Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new ConfigException(file, 0, "cannot read: " + e.getMessage());
        }
    }

    static AuthKeys parse(Path file, String text) throws ConfigException {
        Map<Integer, Key> keys = new TreeMap<>();
        Integer use = null;
        int useLine = 0;
        String[] lines = text.split("\r?\n", -1);
        for (int i = 0; i < lines.length; i++) {
            int n = i + 1;
            String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] w = line.split("\\s+", 3);
            if (w[0].equals("auth")) {
                if (w.length != 2) {
                    throw new ConfigException(file, n, "usage: auth N");
                }
                use = id(file, n, w[1]);
                useLine = n;
                continue;
            }
            int id = id(file, n, w[0]);
            if (w.length < 2) {
                throw new ConfigException(file, n, "usage: N md5|sha1|sha256 KEY");
            }
            String method = w[1].toLowerCase(Locale.ROOT);
            if (method.equals("crc")) {
                throw new ConfigException(file, n, "crc authenticates nothing (anyone could take the VIP): use"
                        + " sha1 or sha256 with a key");
            }
            String algorithm = METHODS.get(method);
            if (algorithm == null) {
                throw new ConfigException(file, n, "unknown method \"" + w[1] + "\" (md5, sha1 or sha256)");
            }
            if (w.length < 3 || w[2].isBlank()) {
                throw new ConfigException(file, n, "key " + id + " (" + method + ") has no secret");
            }
            if (keys.containsKey(id)) {
                throw new ConfigException(file, n, "key " + id + " is defined twice");
            }
            keys.put(id, new Key(id, method, algorithm, w[2].strip().getBytes(StandardCharsets.UTF_8)));
        }
        if (use == null) {
            throw new ConfigException(file, 0, "no \"auth N\" line choosing the key to sign with");
        }
        Key sending = keys.get(use);
        if (sending == null) {
            throw new ConfigException(file, useLine, "auth " + use + ": no key " + use + " below");
        }
        return new AuthKeys(Map.copyOf(keys), sending);
    }

    private static int id(Path file, int line, String text) throws ConfigException {
        try {
            int id = Integer.parseInt(text);
            if (id < 1 || id > 15) {
                throw new NumberFormatException();
            }
            return id;
        } catch (NumberFormatException e) {
            throw new ConfigException(file, line, "key id \"" + text + "\" is not a number from 1 to 15");
        }
    }
}
