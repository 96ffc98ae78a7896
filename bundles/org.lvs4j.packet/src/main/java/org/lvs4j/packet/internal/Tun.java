package org.lvs4j.packet.internal;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A TUN device through which this process hands IPv4 packets to the host's own stack, as if they had arrived on an
 * interface. Its reverse-path filter is off: the packets' sources are routed elsewhere. The device lives as long as
 * its descriptor.
 */
final class Tun implements AutoCloseable {

    private static final long TUNSETIFF = 0x400454caL;
    private static final short IFF_TUN = 0x0001;
    private static final short IFF_NO_PI = 0x1000;

    final String name;
    final int fd;

    private Tun(String name, int fd) {
        this.name = name;
        this.fd = fd;
    }

    static Tun open(String name) throws IOException {
        if (name.isEmpty() || name.length() > 15) {
            throw new IOException("interface name must be 1 to 15 characters: " + name);
        }
        int fd = Libc.open("/dev/net/tun", Libc.O_RDWR);
        if (fd < 0) {
            throw Libc.failure("open /dev/net/tun");
        }
        Tun t = new Tun(name, fd);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ifr = arena.allocate(40, 8);
            byte[] n = name.getBytes(StandardCharsets.US_ASCII);
            MemorySegment.copy(n, 0, ifr, ValueLayout.JAVA_BYTE, 0, n.length);
            ifr.set(ValueLayout.JAVA_SHORT, 16, (short) (IFF_TUN | IFF_NO_PI));
            if (Libc.ioctl(fd, TUNSETIFF, ifr) < 0) {
                throw Libc.failure("TUNSETIFF " + name);
            }
            Files.writeString(Path.of("/proc/sys/net/ipv4/conf", name, "rp_filter"), "0");
            run("ip", "link", "set", "dev", name, "up");
            return t;
        } catch (IOException | RuntimeException e) {
            t.close();
            throw e;
        }
    }

    /** Hands one IPv4 packet at a native address to the host's stack; false if the kernel refused it. */
    boolean write(long address, int length) {
        return Libc.write(fd, address, length) == length;
    }

    @Override
    public void close() {
        Libc.close(fd);
    }

    private static void run(String... cmd) throws IOException {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor() != 0) {
                throw new IOException(String.join(" ", cmd) + ": " + out.trim());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted: " + String.join(" ", cmd), e);
        }
    }
}
