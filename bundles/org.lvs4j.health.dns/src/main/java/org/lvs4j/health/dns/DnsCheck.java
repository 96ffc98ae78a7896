/*
 * The dns check, as ldirectord's check_dns (Net::DNS): the request is a name, asked for its A records, or an IPv4
 * address, asked for its PTR record; the server is up when the answer has a record whose data (an address, or a
 * name) matches receive, a regular expression (an empty receive accepts any answer). Over UDP, or over TCP when the
 * virtual service is TCP (Net::DNS's usevc). The query and the reply are made and read by Netty's DNS codec; a reply
 * with another id, an error code or no matching record is down.
 */
package org.lvs4j.health.dns;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.dns.DatagramDnsQuery;
import io.netty.handler.codec.dns.DatagramDnsQueryEncoder;
import io.netty.handler.codec.dns.DatagramDnsResponse;
import io.netty.handler.codec.dns.DatagramDnsResponseDecoder;
import io.netty.handler.codec.dns.DefaultDnsQuestion;
import io.netty.handler.codec.dns.DnsRawRecord;
import io.netty.handler.codec.dns.DnsRecord;
import io.netty.handler.codec.dns.DnsRecordType;
import io.netty.handler.codec.dns.DnsResponse;
import io.netty.handler.codec.dns.DnsResponseCode;
import io.netty.handler.codec.dns.DnsSection;
import io.netty.handler.codec.dns.DefaultDnsRecordDecoder;
import org.lvs4j.api.Protocol;
import org.lvs4j.api.health.CheckResult;
import org.lvs4j.api.health.CheckTarget;
import org.lvs4j.api.health.HealthCheck;
import org.lvs4j.health.support.Probe;
import org.lvs4j.health.support.Wire;
import org.osgi.service.component.annotations.Component;

/** The {@code dns} check. */
@Component(property = HealthCheck.PROTOCOL + "=dns")
public class DnsCheck implements HealthCheck {

    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    @Override
    public CompletionStage<CheckResult> check(CheckTarget target, Map<String, String> params, Instant deadline) {
        return Probe.run("dns", () -> run(target, params, deadline));
    }

    static CheckResult run(CheckTarget target, Map<String, String> params, Instant deadline) throws Exception {
        String request = params.getOrDefault("request", "").strip();
        if (request.isEmpty()) {
            return CheckResult.down("no request (a name or an address to look up)");
        }
        boolean ptr = IPV4.matcher(request).matches();
        String name = ptr ? reverse(request) : request;
        DnsRecordType type = ptr ? DnsRecordType.PTR : DnsRecordType.A;
        int id = ThreadLocalRandom.current().nextInt(1, 65536);
        byte[] query = encode(target.server(), id, name, type);
        byte[] reply = target.protocol() == Protocol.TCP ? overTcp(target, query, deadline)
                : overUdp(target, query, deadline);
        DnsResponse r = decode(reply, target.server());
        try {
            if (r.id() != id) {
                return CheckResult.down("reply for another query (id " + r.id() + ")");
            }
            if (r.code() != DnsResponseCode.NOERROR) {
                return CheckResult.down("DNS " + r.code().toString());
            }
            List<String> data = new ArrayList<>();
            for (int i = 0; i < r.count(DnsSection.ANSWER); i++) {
                DnsRecord rec = r.recordAt(DnsSection.ANSWER, i);
                if (rec.type() != type) {
                    continue;
                }
                if (rec instanceof io.netty.handler.codec.dns.DnsPtrRecord ptrRecord) {
                    data.add(ptrRecord.hostname());
                } else if (rec instanceof DnsRawRecord raw) {
                    data.add(type == DnsRecordType.A ? address(raw.content()) : ptrName(raw.content()));
                }
            }
            if (data.isEmpty()) {
                return CheckResult.down("no " + type.name() + " record for " + name);
            }
            String receive = params.getOrDefault("receive", "");
            Pattern p = Pattern.compile(receive);
            for (String d : data) {
                if (receive.isEmpty() || Wire.find(p, d, deadline)) {
                    return CheckResult.up(type.name() + " " + d);
                }
            }
            return CheckResult.down(type.name() + " " + String.join(", ", data) + " does not match \"" + receive
                    + "\"");
        } finally {
            r.release();
        }
    }

    private static String reverse(String ip) {
        String[] o = ip.split("\\.");
        return o[3] + "." + o[2] + "." + o[1] + "." + o[0] + ".in-addr.arpa.";
    }

    private static byte[] encode(InetSocketAddress to, int id, String name, DnsRecordType type) {
        EmbeddedChannel ch = new EmbeddedChannel(new DatagramDnsQueryEncoder());
        try {
            DatagramDnsQuery q = new DatagramDnsQuery(null, to, id).setRecursionDesired(true);
            q.setRecord(DnsSection.QUESTION, new DefaultDnsQuestion(name, type));
            ch.writeOutbound(q);
            io.netty.channel.socket.DatagramPacket packet = ch.readOutbound();
            try {
                return ByteBufUtil.getBytes(packet.content());
            } finally {
                packet.release();
            }
        } finally {
            ch.finishAndReleaseAll();
        }
    }

    private static DnsResponse decode(byte[] reply, InetSocketAddress from) {
        EmbeddedChannel ch = new EmbeddedChannel(new DatagramDnsResponseDecoder());
        try {
            ch.writeInbound(new io.netty.channel.socket.DatagramPacket(Unpooled.wrappedBuffer(reply),
                    new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), from));
            DatagramDnsResponse r = ch.readInbound();
            if (r == null) {
                throw new IllegalArgumentException("not a DNS reply");
            }
            return r;
        } finally {
            ch.finishAndReleaseAll();
        }
    }

    private static String address(ByteBuf content) throws Exception {
        return InetAddress.getByAddress(ByteBufUtil.getBytes(content)).getHostAddress();
    }

    private static String ptrName(ByteBuf content) {
        return DefaultDnsRecordDecoder.decodeName(content.duplicate());
    }

    private static byte[] overUdp(CheckTarget target, byte[] query, Instant deadline) throws Exception {
        try (DatagramSocket s = new DatagramSocket()) {
            s.connect(target.server());
            s.send(new DatagramPacket(query, query.length));
            byte[] buf = new byte[4096];
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            s.setSoTimeout(Probe.millisLeft(deadline));
            try {
                s.receive(p);
            } catch (java.net.SocketTimeoutException e) {
                throw new Probe.DeadlineException("timeout, no reply");
            }
            return java.util.Arrays.copyOf(buf, p.getLength());
        }
    }

    private static byte[] overTcp(CheckTarget target, byte[] query, Instant deadline) throws Exception {
        try (Socket s = Wire.connect(target.server(), deadline)) {
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            out.writeShort(query.length);
            out.write(query);
            out.flush();
            byte[] framed = Wire.read(s, 2 + 65535, deadline, b -> b.length >= 2
                    && b.length >= 2 + (((b[0] & 0xff) << 8) | (b[1] & 0xff)));
            DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(framed));
            int len = in.readUnsignedShort();
            if (framed.length < 2 + len) {
                throw new java.io.EOFException("reply cut short");
            }
            return java.util.Arrays.copyOfRange(framed, 2, 2 + len);
        }
    }
}
