package org.lvs4j.api;

/**
 * Tunnel encapsulation of a {@link ForwardMethod#TUNNEL} real server ({@code --tun-type}, {@code --tun-port},
 * {@code --tun-nocsum|--tun-csum|--tun-remcsum}).
 *
 * @param type     encapsulation
 * @param port     destination UDP port for GUE, 0 otherwise
 * @param checksum checksum mode (GUE and GRE only)
 */
public record TunnelConfig(Type type, int port, Checksum checksum) {

    /** Plain IP-in-IP, ipvsadm's default. */
    public static final TunnelConfig IPIP = new TunnelConfig(Type.IPIP, 0, Checksum.NOCSUM);

    public TunnelConfig {
        java.util.Objects.requireNonNull(type, "type");
        java.util.Objects.requireNonNull(checksum, "checksum");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("tunnel port out of range: " + port);
        }
    }

    /** Tunnel types, in ipvsadm's order. */
    public enum Type {
        IPIP, GUE, GRE;

        public String word() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** Checksum modes: ipvsadm shows them as {@code -c}, {@code +c}, {@code r+c}. */
    public enum Checksum {
        NOCSUM("-c", "--tun-nocsum"), CSUM("+c", "--tun-csum"), REMCSUM("r+c", "--tun-remcsum");

        private final String shortForm;
        private final String option;

        Checksum(String shortForm, String option) {
            this.shortForm = shortForm;
            this.option = option;
        }

        public String shortForm() {
            return shortForm;
        }

        public String option() {
            return option;
        }
    }
}
