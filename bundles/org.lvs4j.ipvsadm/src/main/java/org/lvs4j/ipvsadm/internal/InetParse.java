package org.lvs4j.ipvsadm.internal;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Numeric address parsing as libc does it: {@link #inetAton} accepts the classic forms ("a.b.c.d", "a.b.c", "a.b",
 * "a", each part decimal, 0x-hex or 0-octal) and {@link #inetPton6} strict IPv6 text. No name lookups happen here.
 */
final class InetParse {

    private InetParse() {
    }

    /** inet_aton(3): the address, or null when {@code s} is not a numeric IPv4 address. */
    static InetAddress inetAton(String s) {
        Long v = atonValue(s);
        return v == null ? null : ipv4(v.intValue());
    }

    /** inet_aton(3) as a 32-bit value (for netmasks), or null. */
    static Long atonValue(String s) {
        if (s.isEmpty()) {
            return null;
        }
        String[] parts = s.split("\\.", -1);
        if (parts.length > 4) {
            return null;
        }
        long[] v = new long[parts.length];
        for (int i = 0; i < parts.length; i++) {
            Long p = number(parts[i]);
            if (p == null) {
                return null;
            }
            v[i] = p;
        }
        long result;
        switch (parts.length) {
            case 1 -> {
                if (v[0] > 0xffffffffL) {
                    return null;
                }
                result = v[0];
            }
            case 2 -> {
                if (v[0] > 0xff || v[1] > 0xffffff) {
                    return null;
                }
                result = v[0] << 24 | v[1];
            }
            case 3 -> {
                if (v[0] > 0xff || v[1] > 0xff || v[2] > 0xffff) {
                    return null;
                }
                result = v[0] << 24 | v[1] << 16 | v[2];
            }
            default -> {
                for (long x : v) {
                    if (x > 0xff) {
                        return null;
                    }
                }
                result = v[0] << 24 | v[1] << 16 | v[2] << 8 | v[3];
            }
        }
        return result;
    }

    private static Long number(String p) {
        if (p.isEmpty()) {
            return null;
        }
        int radix = 10;
        String digits = p;
        if (p.startsWith("0x") || p.startsWith("0X")) {
            radix = 16;
            digits = p.substring(2);
            if (digits.isEmpty()) {
                return 0L; // glibc accepts "0x" as 0
            }
        } else if (p.length() > 1 && p.charAt(0) == '0') {
            radix = 8;
            digits = p.substring(1);
        }
        if (digits.length() > 12) {
            return null;
        }
        for (int i = 0; i < digits.length(); i++) {
            if (Character.digit(digits.charAt(i), radix) < 0) {
                return null;
            }
        }
        return Long.parseLong(digits, radix);
    }

    /** inet_pton(AF_INET6): the address, or null. */
    static InetAddress inetPton6(String s) {
        if (s.indexOf(':') < 0 || s.indexOf('%') >= 0 || s.indexOf('[') >= 0) {
            return null;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!(Character.digit(c, 16) >= 0 || c == ':' || c == '.')) {
                return null;
            }
        }
        try {
            InetAddress a = InetAddress.getByName(s);
            if (a.getAddress().length == 16) {
                return a;
            }
            // Java folds IPv4-mapped text to an Inet4Address; keep it as IPv6 as inet_pton does.
            byte[] b = new byte[16];
            b[10] = (byte) 0xff;
            b[11] = (byte) 0xff;
            System.arraycopy(a.getAddress(), 0, b, 12, 4);
            return java.net.Inet6Address.getByAddress(null, b, -1);
        } catch (UnknownHostException e) {
            return null;
        }
    }

    /** Strict dotted-quad IPv4 or IPv6 text (for /etc/hosts), or null. */
    static InetAddress numeric(String s) {
        InetAddress v6 = inetPton6(s);
        if (v6 != null) {
            return v6;
        }
        String[] parts = s.split("\\.", -1);
        if (parts.length != 4) {
            return null;
        }
        int v = 0;
        for (String p : parts) {
            if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(Character::isDigit)) {
                return null;
            }
            int x = Integer.parseInt(p);
            if (x > 255) {
                return null;
            }
            v = v << 8 | x;
        }
        return ipv4(v);
    }

    static InetAddress ipv4(int v) {
        try {
            return InetAddress.getByAddress(new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8),
                (byte) v});
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
