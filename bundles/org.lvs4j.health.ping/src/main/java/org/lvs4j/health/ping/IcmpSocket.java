package org.lvs4j.health.ping;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.net.Inet6Address;
import java.net.InetAddress;

/**
 * One ICMP (or ICMPv6) socket through the C library, by Java's foreign function API: an unprivileged ping socket
 * (SOCK_DGRAM, allowed by net.ipv4.ping_group_range) when the system allows one, else a raw socket (root or
 * CAP_NET_RAW). With a ping socket the kernel sets the echo identifier and answers only that socket's echoes; with a
 * raw IPv4 socket every ICMP message arrives behind its IP header and the caller filters by identifier.
 */
final class IcmpSocket implements AutoCloseable {

    static final int AF_INET = 2;
    static final int AF_INET6 = 10;
    static final int SOCK_DGRAM = 2;
    static final int SOCK_RAW = 3;
    static final int IPPROTO_ICMP = 1;
    static final int IPPROTO_ICMPV6 = 58;
    static final short POLLIN = 1;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final MethodHandle SOCKET = handle("socket",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
                    ValueLayout.JAVA_INT));
    private static final MethodHandle SENDTO = handle("sendto",
            FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.ADDRESS,
                    ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
    private static final MethodHandle RECVFROM = handle("recvfrom",
            FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.ADDRESS,
                    ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS));
    private static final MethodHandle POLL = handle("poll",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG,
                    ValueLayout.JAVA_INT));
    private static final MethodHandle CLOSE = handle("close",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));

    private static MethodHandle handle(String name, FunctionDescriptor d) {
        MemorySegment f = LINKER.defaultLookup().find(name)
                .orElseThrow(() -> new IllegalStateException("no " + name + " in the C library"));
        return LINKER.downcallHandle(f, d, Linker.Option.captureCallState("errno"));
    }

    final boolean v6;
    /** A raw socket: replies come with their IPv4 header and to every raw socket, so identifiers matter. */
    final boolean raw;
    private final int fd;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment state = arena.allocate(CAPTURE);

    private IcmpSocket(boolean v6, boolean raw, int fd) {
        this.v6 = v6;
        this.raw = raw;
        this.fd = fd;
    }

    /** Opens a ping socket, or a raw one when ping sockets are not allowed here. */
    static IcmpSocket open(boolean v6) throws IOException {
        int family = v6 ? AF_INET6 : AF_INET;
        int protocol = v6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = a.allocate(CAPTURE);
            int fd = (int) SOCKET.invokeExact(st, family, SOCK_DGRAM, protocol);
            if (fd >= 0) {
                return new IcmpSocket(v6, false, fd);
            }
            int dgramErrno = (int) ERRNO.get(st, 0L);
            fd = (int) SOCKET.invokeExact(st, family, SOCK_RAW, protocol);
            if (fd >= 0) {
                return new IcmpSocket(v6, true, fd);
            }
            throw new IOException("cannot open an ICMP" + (v6 ? "v6" : "") + " socket (errno " + dgramErrno
                    + "/" + (int) ERRNO.get(st, 0L) + "): needs root, CAP_NET_RAW or net.ipv4.ping_group_range");
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException(t);
        }
    }

    private static MemorySegment sockaddr(Arena a, InetAddress address) {
        byte[] raw = address.getAddress();
        if (address instanceof Inet6Address) {
            MemorySegment s = a.allocate(28);
            s.set(ValueLayout.JAVA_SHORT, 0, (short) AF_INET6);
            MemorySegment.copy(raw, 0, s, ValueLayout.JAVA_BYTE, 8, 16);
            return s;
        }
        MemorySegment s = a.allocate(16);
        s.set(ValueLayout.JAVA_SHORT, 0, (short) AF_INET);
        MemorySegment.copy(raw, 0, s, ValueLayout.JAVA_BYTE, 4, 4);
        return s;
    }

    void send(InetAddress to, byte[] packet) throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(packet.length);
            MemorySegment.copy(packet, 0, buf, ValueLayout.JAVA_BYTE, 0, packet.length);
            MemorySegment addr = sockaddr(a, to);
            MemorySegment st = a.allocate(CAPTURE);
            long n = (long) SENDTO.invokeExact(st, fd, buf, (long) packet.length, 0, addr, (int) addr.byteSize());
            if (n < 0) {
                throw new IOException("sendto failed, errno " + (int) ERRNO.get(st, 0L));
            }
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException(t);
        }
    }

    /** A message received: who sent it and its bytes (for a raw IPv4 socket, the IP header included). */
    record Received(InetAddress from, byte[] data) {
    }

    /** Waits up to {@code timeoutMillis} for a message; null when none came. */
    Received receive(int timeoutMillis) throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment pfd = a.allocate(8);
            pfd.set(ValueLayout.JAVA_INT, 0, fd);
            pfd.set(ValueLayout.JAVA_SHORT, 4, POLLIN);
            MemorySegment st = a.allocate(CAPTURE);
            int ready = (int) POLL.invokeExact(st, pfd, 1L, timeoutMillis);
            if (ready <= 0) {
                return null;
            }
            MemorySegment buf = a.allocate(2048);
            MemorySegment addr = a.allocate(28);
            MemorySegment len = a.allocate(ValueLayout.JAVA_INT);
            len.set(ValueLayout.JAVA_INT, 0, 28);
            long n = (long) RECVFROM.invokeExact(st, fd, buf, 2048L, 0, addr, len);
            if (n < 0) {
                return null;
            }
            byte[] from = v6 ? addr.asSlice(8, 16).toArray(ValueLayout.JAVA_BYTE)
                    : addr.asSlice(4, 4).toArray(ValueLayout.JAVA_BYTE);
            return new Received(InetAddress.getByAddress(from), buf.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE));
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException(t);
        }
    }

    @Override
    public void close() {
        try {
            int ignored = (int) CLOSE.invokeExact(state, fd);
        } catch (Throwable t) {
            // closing is best effort
        }
        arena.close();
    }
}
