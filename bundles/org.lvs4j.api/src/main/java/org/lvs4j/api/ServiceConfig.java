package org.lvs4j.api;

import java.util.Objects;

/**
 * What {@code ipvsadm -A}/{@code -E} sets on a virtual service. An edit replaces the whole record, as ipvsadm does.
 *
 * @param key                the service's identity
 * @param scheduler          scheduler name ({@code rr}, {@code wlc}, ...)
 * @param schedulerFlags     IPVS scheduler flag bits: {@link #SCHED_FLAG_1} (sh-fallback, mh-fallback),
 *                           {@link #SCHED_FLAG_2} (sh-port, mh-port), {@link #SCHED_FLAG_3}
 * @param persistent         whether client affinity is kept through persistence templates
 * @param persistenceTimeout template timeout in seconds (1..2678400) when persistent
 * @param netmask            persistence granularity: for IPv4 the 32-bit mask applied to the client address, for
 *                           IPv6 a prefix length 1..128
 * @param persistenceEngine  {@code --pe} name, or null
 * @param onePacket          one-packet scheduling ({@code -o}): every UDP datagram is scheduled on its own
 */
public record ServiceConfig(ServiceKey key, String scheduler, int schedulerFlags, boolean persistent,
                            int persistenceTimeout, int netmask, String persistenceEngine, boolean onePacket) {

    public static final int SCHED_FLAG_1 = 0x1;
    public static final int SCHED_FLAG_2 = 0x2;
    public static final int SCHED_FLAG_3 = 0x4;
    /** ipvsadm's default scheduler. */
    public static final String DEFAULT_SCHEDULER = "wlc";
    /** ipvsadm's default persistence timeout in seconds. */
    public static final int DEFAULT_PERSISTENCE_TIMEOUT = 300;
    /** The longest persistence timeout ipvsadm accepts (31 days). */
    public static final int MAX_PERSISTENCE_TIMEOUT = 86400 * 31;

    public ServiceConfig {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(scheduler, "scheduler");
        if ((schedulerFlags & ~0x7) != 0) {
            throw new IllegalArgumentException("unknown scheduler flags: " + schedulerFlags);
        }
        if (key.isIpv6() && (netmask < 1 || netmask > 128)) {
            throw new IllegalArgumentException("IPv6 prefix out of range: " + netmask);
        }
    }

    /** A plain service with ipvsadm's defaults and the given scheduler. */
    public static ServiceConfig of(ServiceKey key, String scheduler) {
        return new ServiceConfig(key, scheduler, 0, false, 0, defaultNetmask(key), null, false);
    }

    /** The netmask ipvsadm uses when {@code -M} is absent: /32 or /128. */
    public static int defaultNetmask(ServiceKey key) {
        return key.isIpv6() ? 128 : 0xffffffff;
    }

    public ServiceConfig withScheduler(String name) {
        return new ServiceConfig(key, name, schedulerFlags, persistent, persistenceTimeout, netmask,
                persistenceEngine, onePacket);
    }

    public ServiceConfig withPersistence(int timeout, int mask) {
        return new ServiceConfig(key, scheduler, schedulerFlags, true, timeout, mask, persistenceEngine, onePacket);
    }
}
