package org.lvs4j.api;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Arrays;

/** Address helpers shared by the model: numeric text forms and unsigned ordering. */
public final class Addresses {

    private Addresses() {
    }

    /** Numeric text of an address, IPv6 in its compressed form (RFC 5952), without brackets or scope. */
    public static String numeric(InetAddress address) {
        if (address instanceof Inet6Address v6) {
            return compressed(v6.getAddress());
        }
        return address.getHostAddress();
    }

    /** {@code 10.0.0.1:80} or {@code [2001:db8::1]:80}. */
    public static String withPort(InetAddress address, int port) {
        return address instanceof Inet6Address
                ? "[" + numeric(address) + "]:" + port
                : numeric(address) + ":" + port;
    }

    /** Compares addresses as unsigned big-endian numbers; IPv4 sorts before IPv6. */
    public static int compare(InetAddress a, InetAddress b) {
        byte[] x = a.getAddress();
        byte[] y = b.getAddress();
        if (x.length != y.length) {
            return Integer.compare(x.length, y.length);
        }
        return Arrays.compareUnsigned(x, y);
    }

    /** The IPv4 address as an int in network order (first octet in the top byte). */
    public static int ipv4(InetAddress address) {
        byte[] b = address.getAddress();
        if (b.length != 4) {
            throw new IllegalArgumentException("not IPv4: " + address);
        }
        return ((b[0] & 0xff) << 24) | ((b[1] & 0xff) << 16) | ((b[2] & 0xff) << 8) | (b[3] & 0xff);
    }

    /** Dotted text of a 32-bit IPv4 value such as a netmask. */
    public static String dotted(int v) {
        return ((v >>> 24) & 0xff) + "." + ((v >>> 16) & 0xff) + "." + ((v >>> 8) & 0xff) + "." + (v & 0xff);
    }

    /**
     * RFC 5952 text as inet_ntop(3) writes it: the longest run of two or more zero groups becomes "::" (the first such
     * run on a tie), and an IPv4-mapped or -compatible tail is written dotted the way glibc does.
     */
    static String compressed(byte[] b) {
        int[] g = new int[8];
        for (int i = 0; i < 8; i++) {
            g[i] = ((b[2 * i] & 0xff) << 8) | (b[2 * i + 1] & 0xff);
        }
        int bestStart = -1;
        int bestLen = 0;
        for (int i = 0; i < 8; ) {
            if (g[i] == 0) {
                int j = i;
                while (j < 8 && g[j] == 0) {
                    j++;
                }
                if (j - i > bestLen) {
                    bestStart = i;
                    bestLen = j - i;
                }
                i = j;
            } else {
                i++;
            }
        }
        if (bestLen < 2) {
            bestStart = -1;
        }
        // glibc prints ::a.b.c.d and ::ffff:a.b.c.d with a dotted tail.
        boolean dottedTail = bestStart == 0
                && (bestLen == 6 || (bestLen == 5 && g[5] == 0xffff));
        StringBuilder s = new StringBuilder();
        int end = dottedTail ? 6 : 8;
        for (int i = 0; i < end; i++) {
            if (i == bestStart) {
                s.append("::");
                i += bestLen - 1;
                continue;
            }
            if (s.length() > 0 && s.charAt(s.length() - 1) != ':') {
                s.append(':');
            }
            s.append(Integer.toHexString(g[i]));
        }
        if (dottedTail) {
            if (s.length() > 0 && s.charAt(s.length() - 1) != ':') {
                s.append(':');
            }
            s.append(b[12] & 0xff).append('.').append(b[13] & 0xff).append('.')
                    .append(b[14] & 0xff).append('.').append(b[15] & 0xff);
        }
        return s.toString();
    }
}
