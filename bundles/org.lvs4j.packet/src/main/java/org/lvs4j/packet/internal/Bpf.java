package org.lvs4j.packet.internal;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * The classic BPF program that the kernel runs on every frame of an intake socket, so only the director's traffic is
 * copied to userspace: IPv4 frames to a virtual address, and IPv4 frames from a NAT real server (its replies).
 * Without a filter an ETH_P_ALL socket clones every frame of the interface, which halves the kernel's own forwarding
 * rate even while the director is idle (PACKET.md §3).
 *
 * <p>The program is a flat list: load the destination, compare it with each virtual address and accept on a match;
 * load the source, compare it with each NAT real server; else drop. Each comparison is followed by its own accept, so
 * no jump is longer than one instruction and the list can hold about 2,000 addresses within the kernel's 4,096
 * instruction limit. Ports are checked in userspace, where a non-service port costs one lookup.
 */
final class Bpf {

    /** The most addresses one program holds (two instructions each, within BPF_MAXINSNS). */
    static final int MAX_ADDRESSES = 2000;

    private static final int LD_H_ABS = 0x28;
    private static final int LD_W_ABS = 0x20;
    private static final int JEQ_K = 0x15;
    private static final int RET_K = 0x06;
    private static final int ACCEPT = 0x40000;

    private Bpf() {
    }

    record Insn(int code, int jt, int jf, int k) {
    }

    /** The program accepting frames to any of {@code destinations} or from any of {@code sources}. */
    static List<Insn> program(Collection<Integer> destinations, Collection<Integer> sources) {
        if (destinations.size() + sources.size() > MAX_ADDRESSES) {
            throw new IllegalArgumentException("the packet filter holds at most " + MAX_ADDRESSES
                    + " virtual and NAT real server addresses, not " + (destinations.size() + sources.size()));
        }
        List<Insn> p = new ArrayList<>();
        p.add(new Insn(LD_H_ABS, 0, 0, 12));                  // ethertype
        p.add(new Insn(JEQ_K, 1, 0, 0x0800));
        p.add(new Insn(RET_K, 0, 0, 0));
        p.add(new Insn(LD_W_ABS, 0, 0, 30));                  // IPv4 destination
        for (int a : destinations) {
            p.add(new Insn(JEQ_K, 0, 1, a));
            p.add(new Insn(RET_K, 0, 0, ACCEPT));
        }
        p.add(new Insn(LD_W_ABS, 0, 0, 26));                  // IPv4 source
        for (int a : sources) {
            p.add(new Insn(JEQ_K, 0, 1, a));
            p.add(new Insn(RET_K, 0, 0, ACCEPT));
        }
        p.add(new Insn(RET_K, 0, 0, 0));
        return p;
    }

    /** struct sock_fprog pointing at the program's struct sock_filter array, both in {@code arena}. */
    static MemorySegment fprog(Arena arena, List<Insn> program) {
        MemorySegment insns = arena.allocate(8L * program.size(), 8);
        for (int i = 0; i < program.size(); i++) {
            Insn x = program.get(i);
            insns.set(ValueLayout.JAVA_SHORT, 8L * i, (short) x.code());
            insns.set(ValueLayout.JAVA_BYTE, 8L * i + 2, (byte) x.jt());
            insns.set(ValueLayout.JAVA_BYTE, 8L * i + 3, (byte) x.jf());
            insns.set(ValueLayout.JAVA_INT, 8L * i + 4, x.k());
        }
        MemorySegment prog = arena.allocate(16, 8);
        prog.set(ValueLayout.JAVA_SHORT, 0, (short) program.size());
        prog.set(ValueLayout.ADDRESS, 8, insns);
        return prog;
    }
}
