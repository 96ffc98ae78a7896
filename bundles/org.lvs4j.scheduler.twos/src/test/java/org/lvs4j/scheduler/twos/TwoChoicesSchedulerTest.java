package org.lvs4j.scheduler.twos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.lvs4j.api.scheduler.RealServer;
import org.lvs4j.scheduler.support.sim.SimulatedServer;
import org.lvs4j.scheduler.support.sim.SimulatedService;

/** twos against its formula (SPEC-ipvs.md B1): the kernel's walk, fed the same random draws. */
class TwoChoicesSchedulerTest {

    /** A seeded source that also remembers its draws, so the kernel's walk can replay them. */
    static final class Draws {
        final Random random;
        final Deque<Integer> drawn = new ArrayDeque<>();

        Draws(long seed) {
            random = new Random(seed);
        }

        int draw(int bound) {
            int r = Integer.remainderUnsigned(random.nextInt(), bound);
            drawn.add(r);
            return r;
        }
    }

    /** ip_vs_twos_schedule, line by line, with the two draws given. */
    static RealServer kernel(List<RealServer> list, Deque<Integer> draws) {
        RealServer choice1 = null;
        RealServer choice2 = null;
        int weight1 = -1;
        int weight2 = -1;
        int overhead1 = 0;
        int overhead2 = 0;
        int total = 0;
        for (RealServer d : list) {
            if (!d.overloaded() && d.weight() > 0) {
                total += d.weight();
                choice1 = d;
            }
        }
        if (choice1 == null) {
            return null;
        }
        int r1 = draws.poll();
        int r2 = draws.poll();
        for (RealServer d : list) {
            if (d.overloaded() || d.weight() <= 0) {
                continue;
            }
            r1 -= d.weight();
            r2 -= d.weight();
            if (r1 <= 0 && weight1 == -1) {
                choice1 = d;
                weight1 = d.weight();
                overhead1 = (d.activeConns() << 8) + d.inactiveConns();
            }
            if (r2 <= 0 && weight2 == -1) {
                choice2 = d;
                weight2 = d.weight();
                overhead2 = (d.activeConns() << 8) + d.inactiveConns();
            }
            if (weight1 != -1 && weight2 != -1) {
                break;
            }
        }
        if (choice2 != null && weight2 * overhead1 > weight1 * overhead2) {
            choice1 = choice2;
        }
        return choice1;
    }

    @Test
    void agreesWithTheKernelWalkOnTheSameDraws() {
        int compared = 0;
        for (long seed = 1; seed <= 20; seed++) {
            Draws draws = new Draws(seed);
            compared += compare(new SimulatedService(new TwoChoicesScheduler(draws::draw)), draws, seed);
        }
        assertTrue(compared > 15000, "picks compared: " + compared);
    }

    /**
     * Random events as in SimulatedService.compareWith; after each pick the kernel's walk replays the two draws the
     * scheduler made, on the same list and counters.
     */
    private static int compare(SimulatedService svc, Draws draws, long seed) {
        Random rnd = new Random(seed);
        int compared = 0;
        for (int step = 0; step < 3000; step++) {
            List<RealServer> list = svc.servers();
            int n = list.size();
            int e = rnd.nextInt(100);
            SimulatedServer any = n == 0 ? null : (SimulatedServer) list.get(rnd.nextInt(n));
            if (n < 2 || e < 6 && n < 12) {
                svc.add("s" + step, rnd.nextInt(6));
            } else if (e < 9) {
                svc.remove(any);
            } else if (e < 14) {
                svc.weight(any, rnd.nextInt(6));
            } else if (e < 17) {
                int u = rnd.nextInt(3) == 0 ? 0 : 1 + rnd.nextInt(6);
                svc.thresholds(any, u, u == 0 ? 0 : rnd.nextInt(u));
            } else if (e < 55) {
                draws.drawn.clear();
                SimulatedServer got = svc.pick();
                RealServer expected = kernel(svc.servers(), draws.drawn);
                assertEquals(expected, got, "seed " + seed + " step " + step);
                compared++;
                if (got != null) {
                    svc.bind(got);
                }
            } else if (e < 75) {
                if (any.inactiveConns() > 0) {
                    svc.establish(any);
                }
            } else if (any.activeConns() > 0 || any.inactiveConns() > 0) {
                svc.unbind(any, any.activeConns() > 0);
            }
        }
        return compared;
    }

    @Test
    void lessLoadedOfTheTwoWinsAndDrawsFollowWeights() {
        // Draws 0 and 4 over weights [C3, B2, A1] (list C, B, A): 0 -> C, 4 -> B (3 < 4 <= 5).
        int[] next = {0, 4};
        int[] i = {0};
        SimulatedService svc = new SimulatedService(new TwoChoicesScheduler(bound -> next[i[0]++ % 2]));
        svc.add("A", 1);
        SimulatedServer b = svc.add("B", 2);
        SimulatedServer c = svc.add("C", 3);
        assertEquals(c, svc.pick(), "both idle: choice 1 wins ties");
        svc.counters(c, 1, 0); // 2 * 256 > 3 * 0
        assertEquals(b, svc.pick());
    }

    @Test
    void nothingUsableIsNoDestination() {
        SimulatedService svc = new SimulatedService(new TwoChoicesScheduler());
        SimulatedServer a = svc.add("A", 0);
        assertNull(svc.pick());
        svc.weight(a, 1);
        assertEquals(a, svc.pick());
    }
}
