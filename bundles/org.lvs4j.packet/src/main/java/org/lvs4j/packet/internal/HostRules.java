package org.lvs4j.packet.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.lvs4j.api.Addresses;

/**
 * The nftables table that keeps the director's own kernel away from the traffic the packet engine forwards
 * (PACKET.md §2.1). The AF_PACKET intake sees every frame before netfilter; the kernel must then drop its copy, or
 * it answers a client's SYN to the VIP with a reset, and (with ip_forward on) forwards a NAT real server's reply
 * un-translated. The rules sit in the raw-priority prerouting hook, before connection tracking:
 *
 * <pre>
 * ip daddr VIP tcp dport 80 drop                                  a service's traffic
 * ip saddr RS tcp sport 8080 fib daddr type != local drop         a NAT real server's replies to clients
 * </pre>
 *
 * The second rule lets the real server's answers to the director itself (health checks) through. Every change
 * replaces the whole table in one nft transaction; the table's name carries the director's instance, so a restart
 * removes what a crashed run left and never touches another director's table.
 */
final class HostRules {

    /** One dropped flow: traffic to a service ({@code toService}) or replies from a NAT real server. */
    record Rule(boolean toService, int protocol, int address, int port) {
        String nft() {
            String proto = protocol == 6 ? "tcp" : "udp";
            if (toService) {
                return port == 0 ? "ip daddr " + Addresses.dotted(address) + " meta l4proto " + proto + " drop"
                        : "ip daddr " + Addresses.dotted(address) + " " + proto + " dport " + port + " drop";
            }
            return "ip saddr " + Addresses.dotted(address) + (port == 0 ? " meta l4proto " + proto
                    : " " + proto + " sport " + port) + " fib daddr type != local drop";
        }
    }

    private final String table;
    private final String localDevice;
    private boolean present;

    /** {@code localDevice}: the engine's device for Local real servers, whose packets the kernel must take. */
    HostRules(String table, String localDevice) {
        this.table = table;
        this.localDevice = localDevice;
    }

    String table() {
        return table;
    }

    /** Installs exactly these rules (none removes the table). */
    synchronized void apply(List<Rule> rules) throws IOException {
        if (rules.isEmpty()) {
            remove();
            return;
        }
        StringBuilder b = new StringBuilder();
        b.append("table ip ").append(table).append('\n');
        b.append("delete table ip ").append(table).append('\n');
        b.append("table ip ").append(table).append(" {\n  chain intake {\n")
                .append("    type filter hook prerouting priority raw; policy accept;\n")
                .append("    iifname \"").append(localDevice).append("\" accept\n");
        for (Rule r : rules) {
            b.append("    ").append(r.nft()).append('\n');
        }
        b.append("  }\n}\n");
        nft(b.toString(), "-f", "-");
        present = true;
    }

    /** Removes the table if it exists (also one left by a crashed run). */
    synchronized void remove() throws IOException {
        nft("table ip " + table + "\ndelete table ip " + table + "\n", "-f", "-");
        present = false;
    }

    synchronized boolean present() {
        return present;
    }

    private static void nft(String input, String... args) throws IOException {
        String[] cmd = new String[args.length + 1];
        cmd[0] = "nft";
        System.arraycopy(args, 0, cmd, 1, args.length);
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new IOException("cannot run nft (install the nftables package): " + e.getMessage(), e);
        }
        try {
            p.getOutputStream().write(input.getBytes(StandardCharsets.UTF_8));
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("nft did not finish within 30 s");
            }
            if (p.exitValue() != 0) {
                throw new IOException("nft failed (exit " + p.exitValue() + "): " + out);
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running nft", e);
        }
    }
}
