package org.lvs4j.packet.internal;

/** What the engine counts, per frame: where each received frame went, and why the dropped ones were dropped. */
enum Counter {
    RECEIVED("frames received", false),
    FORWARDED("forwarded to real servers", false),
    REPLIED("NAT replies forwarded to clients", false),
    ICMP_SENT("ICMP errors sent (port unreachable, fragmentation needed)", false),
    SEND_FAILED("frames the kernel refused to send", false),
    NOT_FOR_US("not addressed to this director's MAC", false),
    TRUNCATED("longer than 2048 bytes (turn off GRO/LRO on the interface)", true),
    SHORT("shorter than their headers", true),
    BAD_HEADER("not IPv4, or IHL below 5", true),
    BAD_LENGTH("IP total length beyond the frame or below the header", true),
    BAD_CHECKSUM("IP header checksum wrong", true),
    BAD_TRANSPORT("TCP, UDP or ICMP header cut or inconsistent", true),
    FRAGMENT("IP fragments (not reassembled)", false),
    VLAN("VLAN-tagged", false),
    OTHER_PROTOCOL("neither TCP, UDP nor ICMP", false),
    ICMP_UNRELATED("ICMP errors about no known connection", false),
    NO_SERVICE("to a VIP but no packet service there (left to the kernel)", false),
    NO_CONNECTION("not a SYN and no connection", false),
    NO_DESTINATION("no real server available (port unreachable sent)", false),
    NO_SCHEDULER("the service's scheduler is missing (the client retries)", false),
    REFUSED("connection of a deleted real server", false),
    NO_FORWARDER("the real server's forwarder bundle is missing (flow paused)", false),
    NO_NEIGHBOUR("next hop's MAC not resolved yet", false),
    LOCAL("to a Local real server: handed to this host's own stack", false),
    LOCAL_FAILED("to a Local real server, but the local device is missing or refused it", false),
    TOO_BIG("too big for the tunnel without fragmenting", false),
    TRANSFORM_DROPPED("dropped by the forwarder", false);

    final String text;
    /** Counts a malformed frame. */
    final boolean malformed;

    Counter(String text, boolean malformed) {
        this.text = text;
        this.malformed = malformed;
    }

    static final Counter[] ALL = values();
}
