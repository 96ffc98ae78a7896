/*
 * The real server's side of IP tunnelling (-i) on a kernel without the ipip module (`lvs4j realserver --mode tun`).
 *
 * A raw IPv4 socket for protocol 4 receives every IPIP packet addressed to this host (with a raw socket bound to the
 * protocol, the kernel no longer answers "protocol unreachable"). The outer header is cut off and the inner packet,
 * the client's packet to the VIP, is written into a TUN device, where the kernel receives it as if it had arrived on
 * an interface: the VIP is local, so it is delivered, and the reply leaves by the normal route straight to the client.
 * The TUN device's reverse-path filter is off, since the client is not routed through it.
 *
 * Runs in the foreground until stopped; the TUN device disappears with the process.
 */
package org.lvs4j.packet.internal;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

public final class Decapsulator {

    private Decapsulator() {
    }

    public static void main(String[] args) throws Exception {
        String name = args.length > 0 ? args[0] : "lvs4jdecap";
        try (Arena arena = Arena.ofConfined(); Tun tun = Tun.open(name)) {
            int raw = Libc.socket(Libc.AF_INET, Libc.SOCK_RAW, Libc.IPPROTO_IPIP);
            if (raw < 0) {
                throw Libc.failure("socket(AF_INET, SOCK_RAW, IPPROTO_IPIP)");
            }
            System.out.println("decapsulating IPIP into " + name);
            System.out.flush();
            MemorySegment buf = arena.allocate(65536, 16);
            while (true) {
                long n = Libc.recv(raw, buf, buf.byteSize(), 0);
                if (n < 0) {
                    int e = Libc.errno();
                    if (e == Libc.EINTR) {
                        continue;
                    }
                    throw new IOException("recv: " + Libc.strerror(e));
                }
                int outer = (buf.get(ValueLayout.JAVA_BYTE, 0) & 0xf) * 4;
                if (n < outer + 20 || buf.get(ValueLayout.JAVA_BYTE, 9) != Libc.IPPROTO_IPIP
                        || (buf.get(ValueLayout.JAVA_BYTE, outer) & 0xf0) != 0x40) {
                    continue; // not a whole IPv4-in-IPv4 packet
                }
                if (!tun.write(buf.address() + outer, (int) (n - outer))) {
                    System.err.println("decapsulator: write to " + name + ": " + Libc.strerror(Libc.errno()));
                }
            }
        } catch (IOException e) {
            System.err.println("decapsulator: " + e.getMessage());
            System.exit(1);
        }
    }
}
