package org.lvs4j.packet.internal;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.util.List;

import org.lvs4j.packet.spi.Packet;

/**
 * An AF_PACKET socket bound to one interface (PACKET.md §2.1): it receives the frames its BPF filter lets through,
 * never its own sent frames (PACKET_IGNORE_OUTGOING), and sends whole Ethernet frames past the queueing discipline.
 * Receiving and sending are batched through {@code recvmmsg}/{@code sendmmsg} over buffers allocated once.
 */
final class PacketSocket implements AutoCloseable {

    /** Frames per batch. */
    static final int BATCH = 64;
    /** Receive area per frame: the largest Ethernet frame we forward (jumbo frames are truncated and dropped). */
    static final int FRAME = 2048;
    /**
     * Per-frame slot: headroom, the frame, and a second half where the engine builds an ICMP answer to that frame.
     */
    static final int SLOT = 4096;
    static final int ANSWER = Packet.HEADROOM + FRAME;
    /** PACKET_AUXDATA: the frame's checksum is only partial (a local veth or tap sender with offload). */
    static final int TP_STATUS_CSUMNOTREADY = 1 << 3;
    static final int TP_STATUS_VLAN_VALID = 1 << 4;

    private static final int MMSG = 64;
    private static final int CONTROL = 64;

    final int fd;
    final int ifindex;
    private final Arena arena = Arena.ofShared();
    private volatile boolean closed;

    private PacketSocket(int fd, int ifindex) {
        this.fd = fd;
        this.ifindex = ifindex;
    }

    /**
     * Opens a socket on an interface. A receiving socket takes every protocol (ETH_P_ALL, so it sees frames before
     * netfilter) and should get a filter at once; a send-only one binds protocol 0 and never receives.
     */
    static PacketSocket open(int ifindex, boolean receive) throws IOException {
        int protocol = receive ? Short.reverseBytes((short) Libc.ETH_P_ALL) & 0xffff : 0;
        int fd = Libc.socket(Libc.AF_PACKET, Libc.SOCK_RAW, protocol);
        if (fd < 0) {
            throw Libc.failure("socket(AF_PACKET) (the packet engine needs root, or CAP_NET_RAW and CAP_NET_ADMIN)");
        }
        PacketSocket s = new PacketSocket(fd, ifindex);
        try {
            if (receive) {
                // Nothing until the real filter is attached: an unfiltered ETH_P_ALL socket copies every frame.
                s.filter(Bpf.program(List.of(), List.of()));
            }
            MemorySegment sll = s.arena.allocate(20, 4);
            sll.set(JAVA_SHORT, 0, (short) Libc.AF_PACKET);
            sll.set(JAVA_SHORT.withOrder(ByteOrder.BIG_ENDIAN), 2, (short) (receive ? Libc.ETH_P_ALL : 0));
            sll.set(JAVA_INT, 4, ifindex);
            if (Libc.bind(fd, sll) < 0) {
                throw Libc.failure("bind(AF_PACKET, ifindex " + ifindex + ")");
            }
            Libc.setInt(fd, Libc.SOL_PACKET, Libc.PACKET_QDISC_BYPASS, 1, "PACKET_QDISC_BYPASS");
            Libc.setInt(fd, Libc.SOL_SOCKET, Libc.SO_SNDBUFFORCE, 4 << 20, "SO_SNDBUFFORCE");
            if (receive) {
                Libc.setInt(fd, Libc.SOL_PACKET, Libc.PACKET_IGNORE_OUTGOING, 1, "PACKET_IGNORE_OUTGOING");
                Libc.setInt(fd, Libc.SOL_PACKET, Libc.PACKET_AUXDATA, 1, "PACKET_AUXDATA");
                Libc.setInt(fd, Libc.SOL_SOCKET, Libc.SO_RCVBUFFORCE, 8 << 20, "SO_RCVBUFFORCE");
                MemorySegment tv = s.arena.allocate(16, 8); // 200 ms, so the reader notices a stop
                tv.set(JAVA_LONG, 0, 0);
                tv.set(JAVA_LONG, 8, 200_000);
                if (Libc.setsockopt(fd, Libc.SOL_SOCKET, Libc.SO_RCVTIMEO, tv) < 0) {
                    throw Libc.failure("SO_RCVTIMEO");
                }
            }
            return s;
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    /** Replaces the socket's filter; the kernel swaps it atomically. */
    void filter(List<Bpf.Insn> program) throws IOException {
        try (Arena a = Arena.ofConfined()) {
            if (Libc.setsockopt(fd, Libc.SOL_SOCKET, Libc.SO_ATTACH_FILTER, Bpf.fprog(a, program)) < 0) {
                throw Libc.failure("SO_ATTACH_FILTER");
            }
        }
    }

    /** The kernel's count of frames dropped because the receive buffer was full (resets on read). */
    long kernelDrops() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment stats = a.allocate(8, 4);
            MemorySegment len = a.allocate(JAVA_INT);
            len.set(JAVA_INT, 0, 8);
            if (Libc.getsockopt(fd, Libc.SOL_PACKET, Libc.PACKET_STATISTICS, stats, len) < 0) {
                return 0;
            }
            return stats.get(JAVA_INT, 4) & 0xffffffffL;
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            Libc.close(fd);
        }
    }

    boolean closed() {
        return closed;
    }

    /**
     * A receive batch: {@link #BATCH} slots of {@link #SLOT} bytes, each frame received at offset
     * {@link Packet#HEADROOM} of its slot. Owned by one thread.
     */
    static final class Inbox {
        final MemorySegment slots;
        private final MemorySegment messages;
        private final MemorySegment iovecs;
        private final MemorySegment controls;
        private final long slotsAddress;

        Inbox(Arena arena) {
            slots = arena.allocate((long) SLOT * BATCH, 64);
            messages = arena.allocate((long) MMSG * BATCH, 8);
            iovecs = arena.allocate(16L * BATCH, 8);
            controls = arena.allocate((long) CONTROL * BATCH, 8);
            slotsAddress = slots.address();
            for (int i = 0; i < BATCH; i++) {
                iovecs.set(JAVA_LONG, 16L * i, slotsAddress + (long) SLOT * i + Packet.HEADROOM);
                iovecs.set(JAVA_LONG, 16L * i + 8, FRAME);
                long m = (long) MMSG * i;
                messages.set(JAVA_LONG, m + 16, iovecs.address() + 16L * i);  // msg_iov
                messages.set(JAVA_LONG, m + 24, 1);                            // msg_iovlen
                messages.set(JAVA_LONG, m + 32, controls.address() + (long) CONTROL * i);
            }
        }

        /** Waits up to the socket's timeout for frames; the number received, 0 on timeout, or -errno. */
        int receive(PacketSocket socket) {
            for (int i = 0; i < BATCH; i++) {
                messages.set(JAVA_LONG, (long) MMSG * i + 40, CONTROL);  // msg_controllen, rewritten by the kernel
            }
            int n = Libc.recvmmsg(socket.fd, messages, BATCH, Libc.MSG_WAITFORONE);
            if (n < 0) {
                int e = Libc.errno();
                return e == Libc.EAGAIN || e == Libc.EINTR ? 0 : -e;
            }
            return n;
        }

        /** Offset of frame {@code i} in {@link #slots}. */
        static int frameOffset(int i) {
            return SLOT * i + Packet.HEADROOM;
        }

        /** Length of frame {@code i} as received (at most {@link #FRAME}). */
        int length(int i) {
            return messages.get(JAVA_INT, (long) MMSG * i + 56);
        }

        /** The frame was longer than {@link #FRAME} and arrived cut. */
        boolean truncated(int i) {
            return (messages.get(JAVA_INT, (long) MMSG * i + 48) & Libc.MSG_TRUNC) != 0;
        }

        /** tp_status of the frame's PACKET_AUXDATA, or 0. */
        int auxStatus(int i) {
            long c = (long) CONTROL * i;
            long len = messages.get(JAVA_LONG, (long) MMSG * i + 40);
            if (len < 20 || controls.get(JAVA_INT, c + 8) != Libc.SOL_PACKET
                    || controls.get(JAVA_INT, c + 12) != Libc.PACKET_AUXDATA) {
                return 0;
            }
            return controls.get(JAVA_INT, c + 16);
        }

        /** Absolute address of an offset in {@link #slots}, for an outbox entry. */
        long address(int offset) {
            return slotsAddress + offset;
        }
    }

    /** A send batch of frames anywhere in native memory. Owned by one thread. */
    static final class Outbox {
        private final MemorySegment messages;
        private final MemorySegment iovecs;
        private int count;
        long sent;
        long failed;
        private int lastErrno;

        Outbox(Arena arena) {
            messages = arena.allocate((long) MMSG * BATCH, 8);
            iovecs = arena.allocate(16L * BATCH, 8);
            for (int i = 0; i < BATCH; i++) {
                long m = (long) MMSG * i;
                messages.set(JAVA_LONG, m + 16, iovecs.address() + 16L * i);
                messages.set(JAVA_LONG, m + 24, 1);
            }
        }

        boolean full() {
            return count == BATCH;
        }

        boolean isEmpty() {
            return count == 0;
        }

        void add(long address, int length) {
            iovecs.set(JAVA_LONG, 16L * count, address);
            iovecs.set(JAVA_LONG, 16L * count + 8, length);
            count++;
        }

        /** Sends what was added; a frame the kernel refuses is counted and skipped. */
        void flush(PacketSocket socket) {
            int done = 0;
            while (done < count) {
                int n = Libc.sendmmsg(socket.fd, messages.asSlice((long) MMSG * done), count - done, 0);
                if (n <= 0) {
                    lastErrno = Libc.errno();
                    failed++;
                    done++; // skip the frame the kernel refused
                } else {
                    sent += n;
                    done += n;
                }
            }
            count = 0;
        }

        int lastErrno() {
            return lastErrno;
        }
    }

    /** Reads a MAC from six bytes. */
    static long mac(MemorySegment s, long offset) {
        long v = 0;
        for (int i = 0; i < 6; i++) {
            v = (v << 8) | (s.get(JAVA_BYTE, offset + i) & 0xff);
        }
        return v;
    }
}
