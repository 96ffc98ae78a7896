package org.lvs4j.ipvsadm.internal;

/** An ipvsadm error: the message it prints on stderr and the exit code it ends with. */
final class IpvsadmException extends Exception {

    private static final long serialVersionUID = 1L;

    private final int exitCode;

    IpvsadmException(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    int exitCode() {
        return exitCode;
    }
}
