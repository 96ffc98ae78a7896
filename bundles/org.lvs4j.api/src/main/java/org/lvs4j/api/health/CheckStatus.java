package org.lvs4j.api.health;

import java.net.InetAddress;
import java.time.Instant;

import org.lvs4j.api.ServiceKey;

/**
 * One checked real server as {@code lvs:checks} shows it.
 *
 * @param service   the virtual service
 * @param address   the real server
 * @param port      its port
 * @param check     what is run ("http", "connect", "ping", "external", "on", "off", "fallback")
 * @param state     {@code pending} (not checked yet), {@code up}, {@code down}, {@code rising} (passing, not yet
 *                  {@code rise} times), {@code fallback} (in the table because every real server is down), or
 *                  {@code standby} (a fallback not needed)
 * @param weight    the weight the monitor gives it now (slow start ramps it up; 0 when quiesced)
 * @param reason    the last result in words ("HTTP 200", "connection refused", "timeout after 3000 ms")
 * @param since     when the state last changed
 * @param failures  consecutive failures
 * @param successes consecutive successes
 * @param latency   how long its checks took
 */
public record CheckStatus(ServiceKey service, InetAddress address, int port, String check, String state, int weight,
                          String reason, Instant since, int failures, int successes, CheckLatency latency) {

    /** A status without latencies (a fallback server, which is not checked). */
    public CheckStatus(ServiceKey service, InetAddress address, int port, String check, String state, int weight,
                       String reason, Instant since, int failures, int successes) {
        this(service, address, port, check, state, weight, reason, since, failures, successes, CheckLatency.NONE);
    }
}
