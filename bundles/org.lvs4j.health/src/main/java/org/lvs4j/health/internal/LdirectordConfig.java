package org.lvs4j.health.internal;

import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.lvs4j.api.ForwardMethod;
import org.lvs4j.api.ServiceConfig;
import org.lvs4j.api.ServiceKey;

/**
 * An ldirectord.cf file as read: its virtual services with every directive resolved (per-service value, else the
 * global one, else ldirectord's default).
 */
record LdirectordConfig(Path file, boolean autoreload, List<Virtual> virtuals) {

    /** One {@code virtual=} block. */
    record Virtual(int line, ServiceConfig service, List<Real> reals, Real fallback, String fallbackCommand,
                   Check check) {

        ServiceKey key() {
            return service.key();
        }
    }

    /** One real server, from a {@code real=} line (a range gives several) or a {@code fallback=}. */
    record Real(int line, InetAddress address, int port, ForwardMethod method, int weight, int lowerThreshold,
                int upperThreshold, String request, String receive) {
    }

    /**
     * How a service's real servers are checked.
     *
     * @param type       {@code connect}, {@code negotiate}, {@code external}, {@code ping}, {@code on} or {@code off}
     * @param connects   for {@code checktype = N}: N connect checks, then one negotiate check, round after round
     * @param service    the negotiate protocol ({@code http}, {@code https}, {@code simpletcp}, ...; {@code none})
     * @param checkPort  the port checks go to, or 0 for the real server's own port
     * @param params     request, receive, virtualhost, httpmethod, login, passwd, database, secret, checkcommand
     */
    record Check(String type, int connects, String service, int checkPort, Duration interval, Duration checkTimeout,
                 Duration negotiateTimeout, int failureCount, int rise, Duration slowStart, boolean quiescent,
                 Map<String, String> params) {
    }
}
