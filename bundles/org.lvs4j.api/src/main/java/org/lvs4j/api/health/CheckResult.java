package org.lvs4j.api.health;

/**
 * The outcome of one check.
 *
 * @param up     whether the server passed
 * @param reason why, in a few words an operator can act on ("connection refused", "HTTP 503", "timeout")
 */
public record CheckResult(boolean up, String reason) {

    public static CheckResult up(String reason) {
        return new CheckResult(true, reason);
    }

    public static CheckResult down(String reason) {
        return new CheckResult(false, reason);
    }
}
