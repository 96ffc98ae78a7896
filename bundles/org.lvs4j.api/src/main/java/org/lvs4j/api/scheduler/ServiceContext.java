package org.lvs4j.api.scheduler;

import org.lvs4j.api.ServiceConfig;
import org.osgi.annotation.versioning.ProviderType;

/** What a scheduler instance may know about its virtual service. */
@ProviderType
public interface ServiceContext {

    /** The service's current configuration (scheduler flags included). */
    ServiceConfig config();

    /** A director tunable by name ({@code lblc_expiration}, ...), as {@code lvs:sysctl} shows it. */
    long sysctl(String name);

    /** Monotonic time in nanoseconds, the director's clock (tests may drive it). */
    long nanoTime();
}
