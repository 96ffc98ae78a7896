/*
 * heartbeat's message format (cluster-glue ha_msg.h): ">>>\n", "name=value\n" lines, "<<<\n", with an "auth=N
 * hexdigest" field last, the HMAC of everything before it under key N. Every datagram from the network is hostile
 * until proven otherwise: it is parsed within a size bound, field by field, and any defect (no frame, a line without
 * "=", a repeated field, a name outside [a-z_], an unknown key id, a wrong digest) rejects it whole with the reason,
 * so a forged or damaged message can never change a director's state. Digests are compared in constant time.
 */
package org.lvs4j.ha.heartbeat.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

final class Message {

    /** The largest datagram taken (heartbeat's old MAXMSG was 1400; its newer limits are larger). */
    static final int MAX_BYTES = 4096;
    private static final String START = ">>>\n";
    private static final String END = "<<<\n";

    /** Why a datagram was refused; the receiver counts each. */
    enum Rejection {
        MALFORMED("malformed"), UNSIGNED("not signed"), UNKNOWN_KEY("signed with an unknown key id"),
        BAD_SIGNATURE("wrong signature (forged, damaged, or another key)");

        final String text;

        Rejection(String text) {
            this.text = text;
        }
    }

    /** A refused datagram. */
    static final class Rejected extends Exception {
        private static final long serialVersionUID = 1L;
        final transient Rejection reason;

        Rejected(Rejection reason, String detail) {
            super(reason.text + (detail.isEmpty() ? "" : ": " + detail));
            this.reason = reason;
        }
    }

    private Message() {
    }

    /** The datagram for {@code fields} (in their order), signed with the sending key. */
    static byte[] encode(Map<String, String> fields, AuthKeys keys) {
        StringBuilder b = new StringBuilder(START);
        for (var e : fields.entrySet()) {
            String k = e.getKey();
            String v = e.getValue();
            if (!validName(k) || k.equals("auth") || v.indexOf('\n') >= 0 || v.indexOf('\r') >= 0) {
                throw new IllegalArgumentException("field " + k + " cannot be sent");
            }
            b.append(k).append('=').append(v).append('\n');
        }
        byte[] body = b.toString().getBytes(StandardCharsets.UTF_8);
        AuthKeys.Key key = keys.sending();
        String tail = "auth=" + key.id() + " " + HexFormat.of().formatHex(key.sign(body, body.length)) + "\n" + END;
        byte[] t = tail.getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[body.length + t.length];
        System.arraycopy(body, 0, out, 0, body.length);
        System.arraycopy(t, 0, out, body.length, t.length);
        if (out.length > MAX_BYTES) {
            throw new IllegalArgumentException("message of " + out.length + " bytes exceeds " + MAX_BYTES);
        }
        return out;
    }

    /** The fields of a datagram whose signature verifies under one of {@code keys}, without "auth". */
    static Map<String, String> decode(byte[] data, int length, AuthKeys keys) throws Rejected {
        if (length > MAX_BYTES || length < START.length() + END.length()) {
            throw new Rejected(Rejection.MALFORMED, length + " bytes");
        }
        String text = new String(data, 0, length, StandardCharsets.UTF_8);
        if (!text.startsWith(START) || !text.endsWith("\n" + END)) {
            throw new Rejected(Rejection.MALFORMED, "no >>> ... <<< frame");
        }
        int authAt = text.lastIndexOf("\nauth=");
        if (authAt < 0) {
            throw new Rejected(Rejection.UNSIGNED, "");
        }
        int signedLength = text.substring(0, authAt + 1).getBytes(StandardCharsets.UTF_8).length;
        String auth = text.substring(authAt + 6, text.length() - END.length() - 1);
        int space = auth.indexOf(' ');
        AuthKeys.Key key;
        try {
            key = keys.key(Integer.parseInt(auth.substring(0, Math.max(space, 0))));
        } catch (NumberFormatException e) {
            throw new Rejected(Rejection.MALFORMED, "auth field \"" + auth + "\"");
        }
        if (key == null) {
            throw new Rejected(Rejection.UNKNOWN_KEY, auth.substring(0, Math.max(space, 0)));
        }
        // the whole field as this side would write it: no second spelling of a signature (case, zeros) passes
        String expected = key.id() + " " + HexFormat.of().formatHex(key.sign(data, signedLength));
        if (!MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII),
                auth.getBytes(StandardCharsets.UTF_8))) {
            throw new Rejected(Rejection.BAD_SIGNATURE, "key " + key.id());
        }
        Map<String, String> fields = new LinkedHashMap<>();
        for (String line : text.substring(START.length(), authAt + 1).split("\n")) {
            if (line.isEmpty()) {
                continue;
            }
            int eq = line.indexOf('=');
            String name = eq < 0 ? line : line.substring(0, eq);
            if (eq < 0 || !validName(name)) {
                throw new Rejected(Rejection.MALFORMED, "line \"" + line + "\"");
            }
            if (fields.put(name, line.substring(eq + 1)) != null) {
                throw new Rejected(Rejection.MALFORMED, "field " + name + " twice");
            }
        }
        return fields;
    }

    private static boolean validName(String name) {
        if (name.isEmpty() || name.length() > 32) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (!(c >= 'a' && c <= 'z') && c != '_' && !(c >= 'A' && c <= 'Z')) {
                return false;
            }
        }
        return true;
    }
}
