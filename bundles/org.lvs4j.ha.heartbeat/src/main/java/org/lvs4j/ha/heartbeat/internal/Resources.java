/*
 * What a master holds, as haresources lists it, and how it is taken and given up (resource-agents' IPaddr2 and
 * heartbeat's resource scripts): a VIP is added to its interface and announced with gratuitous ARPs (3, as IPaddr2
 * sends a burst), removed on release; a script in resource.d/ runs with its arguments and "start" or "stop" (at most
 * 30 s); the director's role ("lvs4j") takes the socket engine's listeners (the packet engine follows the VIP's
 * address by itself).
 * Acquiring goes left to right and stops at the first failure (what was taken is given back), releasing right to left
 * and goes on past failures, so a node never keeps half a resource group.
 */
package org.lvs4j.ha.heartbeat.internal;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InterfaceAddress;
import java.net.NetworkInterface;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.lvs4j.api.ha.HaResource;

final class Resources implements Node.Actions {

    private final List<HaResources.Resource> group;
    private final Path scripts;
    private final List<String> log = Collections.synchronizedList(new ArrayList<>());
    /** The director's own resources (the socket engine's listeners), as services come and go. */
    private final List<HaResource> director;
    private volatile boolean directorHeld;
    /** The gratuitous-ARP bursts still running, by VIP. */
    private final java.util.Map<java.net.InetAddress, Process> announcing = new java.util.concurrent.ConcurrentHashMap<>();

    Resources(HaResources resources, Path haDir, List<HaResource> director) {
        this.group = resources.resources();
        this.scripts = haDir.resolve("resource.d");
        this.director = director;
    }

    /** Whether the director's role (haresources' {@code lvs4j}) is held: a resource that appears now is acquired. */
    boolean directorHeld() {
        return directorHeld;
    }

    @Override
    public void becomeMaster() throws Exception {
        List<HaResources.Resource> taken = new ArrayList<>();
        for (HaResources.Resource r : group) {
            try {
                acquire(r);
                taken.add(r);
            } catch (Exception e) {
                Collections.reverse(taken);
                for (HaResources.Resource t : taken) {
                    quietly(() -> release(t));
                }
                throw new IOException("cannot take " + r + ": " + e.getMessage(), e);
            }
        }
    }

    @Override
    public void stepDown() throws Exception {
        IOException first = null;
        List<HaResources.Resource> reversed = new ArrayList<>(group);
        Collections.reverse(reversed);
        for (HaResources.Resource r : reversed) {
            try {
                release(r);
            } catch (IOException e) {
                first = first == null ? e : first;
            }
        }
        if (first != null) {
            throw first;
        }
    }

    @Override
    public void reannounce() {
        for (HaResources.Resource r : group) {
            if (r instanceof HaResources.Ip ip) {
                quietly(() -> announce(ip, device(ip)));
            }
        }
    }

    private void acquire(HaResources.Resource r) throws IOException {
        switch (r) {
            case HaResources.Ip ip -> {
                String dev = device(ip);
                run(true, "ip", "addr", "replace", ip.address().getHostAddress() + "/" + prefix(ip, dev), "dev",
                        dev);
                announce(ip, dev);
            }
            case HaResources.Script s -> script(s, "start");
            case HaResources.Director d -> {
                // The packet engine follows the VIP's address by itself; the socket engine's listeners are taken.
                directorHeld = true;
                for (HaResource listeners : director) {
                    try {
                        listeners.acquire();
                    } catch (Exception e) {
                        throw new IOException("the director's listeners: " + e.getMessage(), e);
                    }
                }
            }
        }
    }

    private void release(HaResources.Resource r) throws IOException {
        switch (r) {
            case HaResources.Ip ip -> {
                silence(ip);
                String dev = device(ip);
                run(false, "ip", "addr", "del", ip.address().getHostAddress() + "/" + prefix(ip, dev), "dev", dev);
            }
            case HaResources.Script s -> script(s, "stop");
            case HaResources.Director d -> {
                // without the VIP the packet engine stops receiving for it; the listeners are closed
                directorHeld = false;
                IOException first = null;
                for (HaResource listeners : director) {
                    try {
                        listeners.release();
                    } catch (Exception e) {
                        first = first == null ? new IOException("the director's listeners: " + e.getMessage(), e)
                                : first;
                    }
                }
                if (first != null) {
                    throw first;
                }
            }
        }
    }

    /**
     * Gratuitous ARP, so the clients' and the router's neighbour entries move to this director. The burst runs on
     * after this returns; releasing the VIP ends it, or a director that lost an election would keep pulling the
     * clients back for two more seconds after the winner's announcement.
     */
    private void announce(HaResources.Ip ip, String dev) throws IOException {
        silence(ip);
        Process p = new ProcessBuilder("arping", "-q", "-U", "-c", "3", "-w", "3", "-I", dev,
                ip.address().getHostAddress()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        announcing.put(ip.address(), p);
    }

    private void silence(HaResources.Ip ip) {
        Process p = announcing.remove(ip.address());
        if (p != null) {
            p.destroy();
        }
    }

    /** The interface named, else the one with an address in the VIP's subnet. */
    private static String device(HaResources.Ip ip) throws IOException {
        if (ip.device() != null) {
            return ip.device();
        }
        InterfaceAddress ia = subnetOf(ip);
        if (ia == null) {
            throw new IOException("no interface has an address in the subnet of " + ip.address().getHostAddress()
                    + "; name one (IPaddr::IP/PREFIX/DEV)");
        }
        for (NetworkInterface ni : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (ni.getInterfaceAddresses().contains(ia)) {
                return ni.getName();
            }
        }
        throw new IOException("interface of " + ia + " vanished");
    }

    private static int prefix(HaResources.Ip ip, String dev) throws IOException {
        if (ip.prefix() != 0) {
            return ip.prefix();
        }
        InterfaceAddress ia = subnetOf(ip);
        return ia == null ? 32 : ia.getNetworkPrefixLength();
    }

    private static InterfaceAddress subnetOf(HaResources.Ip ip) throws IOException {
        int vip = ip.address().hashCode();
        for (NetworkInterface ni : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            for (InterfaceAddress ia : ni.getInterfaceAddresses()) {
                int len = ia.getNetworkPrefixLength();
                if (ia.getAddress() instanceof Inet4Address a && !a.equals(ip.address()) && len > 0 && len < 32) {
                    int mask = -1 << (32 - len);
                    if ((a.hashCode() & mask) == (vip & mask)) {
                        return ia;
                    }
                }
            }
        }
        return null;
    }

    private void script(HaResources.Script s, String verb) throws IOException {
        Path p = scripts.resolve(s.name());
        if (!Files.isExecutable(p)) {
            throw new IOException("no executable " + p);
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(p.toString());
        cmd.addAll(s.args());
        cmd.add(verb);
        run(true, cmd.toArray(new String[0]));
    }

    private void run(boolean strict, String... cmd) throws IOException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try {
            p.getOutputStream().close();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", cmd) + ": no answer within 30 s");
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted: " + String.join(" ", cmd), e);
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        log.add(String.join(" ", cmd) + " -> " + p.exitValue());
        if (p.exitValue() != 0 && (strict || !out.contains("Cannot assign"))) {
            throw new IOException(String.join(" ", cmd) + " failed (exit " + p.exitValue() + "): " + out);
        }
    }

    private interface IoAction {
        void run() throws IOException;
    }

    private static void quietly(IoAction a) {
        try {
            a.run();
        } catch (IOException e) {
            // best effort: a release that cannot undo everything still undoes the rest
        }
    }

    List<String> log() {
        return List.copyOf(log);
    }
}
