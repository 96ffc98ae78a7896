package org.lvs4j.packet.spi;

/** What the engine does with a frame after a transform looked at it. */
public enum Verdict {
    /** Send the frame as it now stands ({@link Packet#start()}, {@link Packet#length()}). */
    SEND,
    /** Drop it; the engine counts the drop. */
    DROP,
    /**
     * The packet would exceed the path MTU with its Don't Fragment bit set: the engine answers the sender with ICMP
     * "fragmentation needed", giving {@link Packet#mtu()} less the transform's overhead ({@link Packet#overhead}).
     */
    FRAGMENTATION_NEEDED
}
