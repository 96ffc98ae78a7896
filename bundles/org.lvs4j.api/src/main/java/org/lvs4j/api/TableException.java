package org.lvs4j.api;

/**
 * A table edit was refused; nothing was changed. The {@link Reason} corresponds to the errno IPVS would return, so
 * ipvsadm's messages can be reproduced.
 */
public class TableException extends Exception {

    private static final long serialVersionUID = 1L;

    /** Why an edit was refused. */
    public enum Reason {
        /** EEXIST on a service: "Service already exists". */
        SERVICE_EXISTS,
        /** ENOENT on a service: "Scheduler or persistence engine not found". */
        SCHEDULER_NOT_FOUND,
        /** ESRCH: the virtual service does not exist. */
        NO_SUCH_SERVICE,
        /** EEXIST on a real server: "Destination already exists". */
        DESTINATION_EXISTS,
        /** ENOENT on a real server: "No such destination". */
        NO_SUCH_DESTINATION,
        /** EINVAL: a value the table cannot hold. */
        INVALID,
        /** ERANGE: a lower threshold above the upper one. */
        OUT_OF_RANGE,
        /** lvs4j: the real server needs the other engine than the service's other real servers. */
        ENGINE_CONFLICT,
        /** lvs4j: a feature this director does not support (yet). */
        UNSUPPORTED,
        /** lvs4j: the engine could not take the service (for example the address could not be bound). */
        ENGINE_FAILED
    }

    private final Reason reason;

    public TableException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public TableException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
