/*
 * The connect check, as ldirectord's check_connect: for TCP, a connection opened within checktimeout and closed at
 * once (a refusal, reset or silence is down); for UDP, which has no connection, a one-byte datagram is sent from a
 * connected socket and the server is down if an ICMP port-unreachable comes back within checktimeout, up if nothing does
 * (keepalived's UDP_CHECK works the same way).
 */
package org.lvs4j.health.connect;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.PortUnreachableException;
import java.net.SocketTimeoutException;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletionStage;

import org.lvs4j.api.Protocol;
import org.lvs4j.api.health.CheckResult;
import org.lvs4j.api.health.CheckTarget;
import org.lvs4j.api.health.HealthCheck;
import org.lvs4j.health.support.Probe;
import org.lvs4j.health.support.Wire;
import org.osgi.service.component.annotations.Component;

/** The {@code connect} check. */
@Component(property = HealthCheck.PROTOCOL + "=connect")
public class ConnectCheck implements HealthCheck {

    @Override
    public CompletionStage<CheckResult> check(CheckTarget target, Map<String, String> params, Instant deadline) {
        return Probe.run("connect", () -> target.protocol() == Protocol.UDP ? udp(target, deadline)
                : tcp(target, deadline));
    }

    private static CheckResult tcp(CheckTarget target, Instant deadline) throws Exception {
        try (var s = Wire.connect(target.server(), deadline)) {
            return CheckResult.up("connected");
        }
    }

    private static CheckResult udp(CheckTarget target, Instant deadline) throws Exception {
        try (DatagramSocket s = new DatagramSocket()) {
            s.connect(target.server());
            s.send(new DatagramPacket(new byte[1], 1)); // one zero byte: an empty datagram is not sent
            s.setSoTimeout(Probe.millisLeft(deadline));
            try {
                s.receive(new DatagramPacket(new byte[512], 512));
                return CheckResult.up("a datagram came back");
            } catch (SocketTimeoutException e) {
                return CheckResult.up("no ICMP error");
            } catch (PortUnreachableException e) {
                return CheckResult.down("port unreachable");
            }
        }
    }
}
