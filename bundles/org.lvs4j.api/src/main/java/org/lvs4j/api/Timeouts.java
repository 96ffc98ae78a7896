package org.lvs4j.api;

/**
 * The three connection timeouts ipvsadm can set ({@code --set tcp tcpfin udp}), in seconds.
 *
 * @param tcp    ESTABLISHED TCP connections (default 900)
 * @param tcpFin TCP connections after the first FIN (default 120)
 * @param udp    UDP flows (default 300)
 */
public record Timeouts(int tcp, int tcpFin, int udp) {

    public static final Timeouts DEFAULTS = new Timeouts(900, 120, 300);

    public Timeouts {
        if (tcp < 0 || tcpFin < 0 || udp < 0) {
            throw new IllegalArgumentException("timeouts must not be negative");
        }
    }

    /** These timeouts with every 0 replaced by the current value, as IPVS treats 0 ("keep"). */
    public Timeouts over(Timeouts current) {
        return new Timeouts(tcp == 0 ? current.tcp : tcp, tcpFin == 0 ? current.tcpFin : tcpFin,
                udp == 0 ? current.udp : udp);
    }
}
