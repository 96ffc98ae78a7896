/*
 * The radius check, as ldirectord's check_radius (Authen::Radius): an Access-Request (RFC 2865) with User-Name =
 * login, User-Password = passwd hidden with the shared secret, NAS-IP-Address and NAS-Port, and a
 * Message-Authenticator (RFC 3579, required by servers that guard against BlastRADIUS). Any answer whose Response
 * Authenticator proves it was signed with the same secret is up, Access-Reject included, as in ldirectord: the server
 * is alive and judging. An answer signed with another secret, or none before the deadline, is down. Over UDP the
 * request is sent again every second until the deadline.
 *
 * RADIUS authentication is one small packet each way, so it is written here against the RFC rather than through a
 * RADIUS library.
 */
package org.lvs4j.health.radius;

import java.io.ByteArrayOutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.CompletionStage;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.lvs4j.api.health.CheckResult;
import org.lvs4j.api.health.CheckTarget;
import org.lvs4j.api.health.HealthCheck;
import org.lvs4j.health.support.Probe;
import org.osgi.service.component.annotations.Component;

/** The {@code radius} check. */
@Component(property = HealthCheck.PROTOCOL + "=radius")
public class RadiusCheck implements HealthCheck {

    static final int ACCESS_REQUEST = 1;
    static final int ACCESS_ACCEPT = 2;
    static final int ACCESS_REJECT = 3;
    static final int ACCESS_CHALLENGE = 11;
    private static final SecureRandom RANDOM = new SecureRandom();

    @Override
    public CompletionStage<CheckResult> check(CheckTarget target, Map<String, String> params, Instant deadline) {
        return Probe.run("radius", () -> run(target, params, deadline));
    }

    static CheckResult run(CheckTarget target, Map<String, String> params, Instant deadline) throws Exception {
        byte[] secret = params.getOrDefault("secret", "").getBytes(StandardCharsets.UTF_8);
        if (secret.length == 0) {
            return CheckResult.down("no secret");
        }
        try (DatagramSocket s = new DatagramSocket()) {
            s.connect(target.server());
            int id = RANDOM.nextInt(256);
            byte[] auth = new byte[16];
            RANDOM.nextBytes(auth);
            byte[] request = accessRequest(id, auth, params.getOrDefault("login", ""),
                    params.getOrDefault("passwd", ""), secret, s.getLocalAddress().getAddress());
            byte[] buf = new byte[4096];
            while (true) {
                s.send(new DatagramPacket(request, request.length));
                long until = System.currentTimeMillis() + 1000;
                while (System.currentTimeMillis() < until) {
                    s.setSoTimeout((int) Math.max(1, Math.min(until - System.currentTimeMillis(),
                            Probe.millisLeft(deadline))));
                    DatagramPacket p = new DatagramPacket(buf, buf.length);
                    try {
                        s.receive(p);
                    } catch (SocketTimeoutException e) {
                        Probe.millisLeft(deadline);
                        continue;
                    }
                    byte[] reply = Arrays.copyOf(buf, p.getLength());
                    if (reply.length < 20 || (reply[1] & 0xff) != id) {
                        continue; // not an answer to this request
                    }
                    return judge(reply, auth, secret);
                }
            }
        }
    }

    /** The verdict on an answer to a request with authenticator {@code auth}. */
    static CheckResult judge(byte[] reply, byte[] auth, byte[] secret) throws Exception {
        int length = ((reply[2] & 0xff) << 8) | (reply[3] & 0xff);
        if (length < 20 || length > reply.length) {
            return CheckResult.down("malformed answer");
        }
        MessageDigest md5 = MessageDigest.getInstance("MD5");
        md5.update(reply, 0, 4);
        md5.update(auth);
        md5.update(reply, 20, length - 20);
        md5.update(secret);
        if (!MessageDigest.isEqual(md5.digest(), Arrays.copyOfRange(reply, 4, 20))) {
            return CheckResult.down("answer not signed with our shared secret");
        }
        return switch (reply[0] & 0xff) {
            case ACCESS_ACCEPT -> CheckResult.up("Access-Accept");
            case ACCESS_REJECT -> CheckResult.up("Access-Reject (the server answers)");
            case ACCESS_CHALLENGE -> CheckResult.up("Access-Challenge (the server answers)");
            default -> CheckResult.down("answer code " + (reply[0] & 0xff));
        };
    }

    static byte[] accessRequest(int id, byte[] auth, String login, String passwd, byte[] secret, byte[] nasIp)
            throws Exception {
        ByteArrayOutputStream attrs = new ByteArrayOutputStream();
        attribute(attrs, 1, login.getBytes(StandardCharsets.UTF_8));
        attribute(attrs, 2, hidePassword(passwd.getBytes(StandardCharsets.UTF_8), auth, secret));
        attribute(attrs, 4, nasIp.length == 4 ? nasIp : new byte[] {127, 0, 0, 1});
        attribute(attrs, 5, new byte[] {0, 0, 0, 0});
        int maAt = attrs.size();
        attribute(attrs, 80, new byte[16]); // Message-Authenticator, filled in below
        byte[] a = attrs.toByteArray();
        int length = 20 + a.length;
        byte[] packet = new byte[length];
        packet[0] = ACCESS_REQUEST;
        packet[1] = (byte) id;
        packet[2] = (byte) (length >>> 8);
        packet[3] = (byte) length;
        System.arraycopy(auth, 0, packet, 4, 16);
        System.arraycopy(a, 0, packet, 20, a.length);
        Mac mac = Mac.getInstance("HmacMD5");
        mac.init(new SecretKeySpec(secret, "HmacMD5"));
        byte[] ma = mac.doFinal(packet);
        System.arraycopy(ma, 0, packet, 20 + maAt + 2, 16);
        return packet;
    }

    private static void attribute(ByteArrayOutputStream out, int type, byte[] value) {
        out.write(type);
        out.write(value.length + 2);
        out.writeBytes(value);
    }

    /** RFC 2865 section 5.2: the password in 16-byte blocks, each XORed with MD5(secret + previous block). */
    static byte[] hidePassword(byte[] password, byte[] auth, byte[] secret) throws Exception {
        int n = Math.max(16, (password.length + 15) / 16 * 16);
        byte[] p = Arrays.copyOf(password, Math.min(n, 128));
        byte[] out = new byte[p.length];
        byte[] prev = auth;
        for (int i = 0; i < p.length; i += 16) {
            MessageDigest md5 = MessageDigest.getInstance("MD5");
            md5.update(secret);
            md5.update(prev);
            byte[] b = md5.digest();
            for (int j = 0; j < 16; j++) {
                out[i + j] = (byte) (p[i + j] ^ b[j]);
            }
            prev = Arrays.copyOfRange(out, i, i + 16);
        }
        return out;
    }
}
