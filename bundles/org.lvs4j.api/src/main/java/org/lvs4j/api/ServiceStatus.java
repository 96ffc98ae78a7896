package org.lvs4j.api;

import java.util.List;

/**
 * A snapshot of one virtual service as listings show it.
 *
 * @param config           what ipvsadm configured
 * @param schedulerMissing no scheduler of the configured name is registered ({@code [no scheduler]})
 * @param stats            totals since the last zeroing
 * @param rates            smoothed per-second rates
 * @param realServers      its real servers in scheduling order (most recently added first, as in IPVS)
 */
public record ServiceStatus(ServiceConfig config, boolean schedulerMissing, Counters stats, Counters rates,
                            List<RealServerStatus> realServers) {

    public ServiceStatus {
        realServers = List.copyOf(realServers);
    }

    public ServiceKey key() {
        return config.key();
    }
}
