package org.lvs4j.api.scheduler;

/**
 * What changed in a real-server list.
 *
 * @param kind   the kind of change
 * @param server the server added, removed or edited; null for {@link Kind#RESET}
 */
public record Change(Kind kind, RealServer server) {

    /** Kinds of change, after IPVS's scheduler hooks. */
    public enum Kind {
        /** The instance was just created, or the whole list was replaced. */
        RESET,
        /** A server was added ({@code add_dest}); it is at the head of the list. */
        ADD,
        /** A server was removed ({@code del_dest}). */
        REMOVE,
        /** A server's weight, thresholds or state changed ({@code upd_dest}). */
        EDIT
    }

    public static final Change RESET = new Change(Kind.RESET, null);
}
