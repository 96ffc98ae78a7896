package org.lvs4j.api.health;

import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletionStage;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * One check protocol. Register it as an OSGi service with {@link #PROTOCOL} set to the name ldirectord uses
 * ({@code connect}, {@code http}, {@code https}, {@code smtp}, ...).
 */
@ConsumerType
public interface HealthCheck {

    /** Service property (String or String[]): the protocol name(s) this check serves. */
    String PROTOCOL = "lvs.check.protocol";

    /**
     * Checks one real server once. Must complete by {@code deadline} (the monitor treats a later completion as a
     * failure) and must not block the calling thread.
     *
     * @param target   the server and service being checked
     * @param params   the check's directives from the configuration ({@code request}, {@code receive}, {@code login},
     *                 ...), keys in lower case
     * @param deadline when the check must have completed
     */
    CompletionStage<CheckResult> check(CheckTarget target, Map<String, String> params, Instant deadline);
}
