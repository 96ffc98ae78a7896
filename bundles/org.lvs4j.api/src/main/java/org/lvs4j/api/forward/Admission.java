package org.lvs4j.api.forward;

/**
 * What {@link DataPath#admit} decided: an entry to forward through, or why there is none.
 *
 * @param entry   the connection-table entry, or null when refused
 * @param refusal why no entry, or null
 */
public record Admission(Entry entry, Refusal refusal) {

    /** Reasons an admission fails. */
    public enum Refusal {
        /** No virtual service for this address and port. */
        NO_SERVICE,
        /** The service's scheduler is not registered: hold the connection and wait ({@link DataPath#schedulerReady}). */
        NO_SCHEDULER,
        /** No real server is eligible: refuse the connection at once. */
        NO_DESTINATION,
        /** The client's existing entry points at a deleted real server: drop, the client retries. */
        DROP
    }

    public static Admission of(Entry entry) {
        return new Admission(entry, null);
    }

    public static Admission refused(Refusal refusal) {
        return new Admission(null, refusal);
    }
}
