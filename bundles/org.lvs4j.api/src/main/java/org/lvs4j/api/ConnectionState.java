package org.lvs4j.api;

/**
 * States of a connection-table entry with IPVS's names and default timeouts (ip_vs_proto_tcp.c {@code tcp_timeouts},
 * ip_vs_proto_udp.c). Only ESTABLISHED counts as an active connection.
 */
public enum ConnectionState {
    NONE("NONE", 2),
    ESTABLISHED("ESTABLISHED", 900),
    SYN_SENT("SYN_SENT", 120),
    SYN_RECV("SYN_RECV", 60),
    FIN_WAIT("FIN_WAIT", 120),
    TIME_WAIT("TIME_WAIT", 120),
    CLOSE("CLOSE", 10),
    CLOSE_WAIT("CLOSE_WAIT", 60),
    LAST_ACK("LAST_ACK", 30),
    LISTEN("LISTEN", 120),
    SYNACK("SYNACK", 120),
    /** The one UDP state (IP_VS_UDP_S_NORMAL), listed as {@code UDP}. */
    UDP("UDP", 300);

    private final String label;
    private final int defaultTimeout;

    ConnectionState(String label, int defaultTimeout) {
        this.label = label;
        this.defaultTimeout = defaultTimeout;
    }

    /** The name {@code ipvsadm -L -c} prints. */
    public String label() {
        return label;
    }

    /** Default timeout in seconds. */
    public int defaultTimeout() {
        return defaultTimeout;
    }

    /** IPVS counts an entry in ActiveConn only while ESTABLISHED. */
    public boolean active() {
        return this == ESTABLISHED;
    }
}
