/*
 * PROXY protocol headers (HAProxy's proxy-protocol.txt), sent first on the connection to the real server so it
 * learns the client's address despite full NAT.
 *
 * Version 1 is one text line: "PROXY TCP4 <client> <virtual> <client port> <virtual port>\r\n" (TCP6 for IPv6).
 * Version 2 is binary: the 12-byte signature, 0x21 (version 2, command PROXY), the family and transport (0x11 TCP over
 * IPv4, 0x21 TCP over IPv6, 0x12/0x22 for UDP), a 16-bit length, then source and destination addresses and ports.
 * When the two addresses are of different families the header says UNKNOWN (v1) or carries no address (v2, family 0),
 * as the specification asks.
 */
package org.lvs4j.forward.fullnat;

import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

import org.lvs4j.api.Addresses;
import org.lvs4j.api.ProxyProtocol;

final class ProxyHeader {

    private static final byte[] V2_SIGNATURE = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};

    private ProxyHeader() {
    }

    /** The header for a TCP connection from {@code client} to {@code virtual}. */
    static ByteBuf encode(ByteBufAllocator alloc, ProxyProtocol version, InetSocketAddress client,
                          InetSocketAddress virtual) {
        return encode(alloc, version, client, virtual, true);
    }

    static ByteBuf encode(ByteBufAllocator alloc, ProxyProtocol version, InetSocketAddress client,
                          InetSocketAddress virtual, boolean tcp) {
        boolean v4 = client.getAddress() instanceof Inet4Address;
        boolean same = v4 == virtual.getAddress() instanceof Inet4Address;
        if (version == ProxyProtocol.V1) {
            String line = same
                    ? "PROXY " + (v4 ? "TCP4 " : "TCP6 ") + Addresses.numeric(client.getAddress()) + " "
                    + Addresses.numeric(virtual.getAddress()) + " " + client.getPort() + " " + virtual.getPort()
                    + "\r\n"
                    : "PROXY UNKNOWN\r\n";
            return alloc.buffer(line.length()).writeBytes(line.getBytes(StandardCharsets.US_ASCII));
        }
        ByteBuf b = alloc.buffer(16 + 36);
        b.writeBytes(V2_SIGNATURE);
        b.writeByte(0x21);
        if (!same) {
            b.writeByte(0x00);
            b.writeShort(0);
            return b;
        }
        b.writeByte((v4 ? 0x10 : 0x20) | (tcp ? 0x01 : 0x02));
        b.writeShort(v4 ? 12 : 36);
        b.writeBytes(client.getAddress().getAddress());
        b.writeBytes(virtual.getAddress().getAddress());
        b.writeShort(client.getPort());
        b.writeShort(virtual.getPort());
        return b;
    }
}
