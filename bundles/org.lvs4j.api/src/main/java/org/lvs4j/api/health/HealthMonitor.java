package org.lvs4j.api.health;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.lvs4j.api.ServiceKey;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The check monitor ({@code org.lvs4j.health}): runs the checks of the services read from an ldirectord.cf file and
 * adds, removes or quiesces their real servers as the results say.
 */
@ProviderType
public interface HealthMonitor {

    /**
     * Reads an ldirectord.cf file and, unless {@code parseOnly}, makes it the monitor's configuration: services and
     * real servers are added, changed or removed to match it, keeping what did not change (and its connections and
     * health state). Nothing is changed when the file has an error.
     *
     * @return a one-line summary ("2 virtual services, 6 real servers")
     * @throws ConfigException naming the file and line of the first error
     */
    String load(Path file, boolean parseOnly) throws ConfigException;

    /** The file in use, if any. */
    Optional<Path> configFile();

    /** The services that belong to the file: rebuilt from it, never saved in the rules file. */
    Set<ServiceKey> ownedServices();

    /** Every checked real server and fallback, by service then server. */
    List<CheckStatus> checks();

    /**
     * Check statistics over the last minute, one line: checks done and failed, checks in flight, and latency
     * percentiles (start to result).
     */
    String statistics();
}
