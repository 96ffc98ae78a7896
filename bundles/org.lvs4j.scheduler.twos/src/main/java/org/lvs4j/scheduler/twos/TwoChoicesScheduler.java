/*
 * Power of two choices, exactly as IPVS's ip_vs_twos.c.
 *
 * The kernel sums the weights of the usable servers (weight above 0, no OVERLOAD flag), draws two random numbers r1,
 * r2 in [0, total] (prandom_u32() % (total + 1)), and walks the list (newest first) subtracting each usable server's
 * weight from both: the first server at which r1 reaches 0 or below is choice 1, likewise choice 2, so each server is
 * drawn in proportion to its weight. Of the two, choice 2 wins only when weight2 * overhead1 > weight1 * overhead2
 * (32-bit int arithmetic; overhead = activeconns * 256 + inactconns): the less loaded per unit of weight, ties to
 * choice 1. Picking two at random and keeping the better avoids both the herd behaviour of always taking the global
 * least and the blindness of a single random draw.
 *
 * lvs4j keeps the usable weights in a Fenwick tree in list order, so "the first server whose running sum reaches r"
 * is a O(log n) descent instead of a walk; a server's weight enters or leaves the tree when its overload flag flips.
 * r = 0 and r = 1 both select the first usable server in the kernel's walk (a usable weight is at least 1), so the
 * descent looks for max(r, 1).
 */
package org.lvs4j.scheduler.twos;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.IntUnaryOperator;

import org.lvs4j.api.scheduler.Change;
import org.lvs4j.api.scheduler.Flow;
import org.lvs4j.api.scheduler.RealServer;
import org.lvs4j.api.scheduler.Scheduler;
import org.lvs4j.api.scheduler.SchedulerInstance;
import org.lvs4j.api.scheduler.ServiceContext;
import org.osgi.service.component.annotations.Component;

/** The {@code twos} scheduler. */
@Component(property = Scheduler.NAME + "=twos")
public class TwoChoicesScheduler implements Scheduler {

    /** Draws in [0, bound): {@code prandom_u32() % bound}. */
    private final IntUnaryOperator random;

    public TwoChoicesScheduler() {
        this(bound -> Integer.remainderUnsigned(ThreadLocalRandom.current().nextInt(), bound));
    }

    /** With a given random source (tests seed one). */
    public TwoChoicesScheduler(IntUnaryOperator random) {
        this.random = random;
    }

    @Override
    public SchedulerInstance newInstance(ServiceContext service) {
        return new Instance(random);
    }

    static final class Instance implements SchedulerInstance {

        /** One list's positions, usable weights and their Fenwick tree (1-based); the arrays change under the lock. */
        private static final class Layout {
            final List<RealServer> list;
            final Map<RealServer, Integer> position;
            final int[] usable;
            final long[] tree;
            final int mask;
            long total;

            Layout(List<RealServer> servers) {
                list = servers;
                int n = servers.size();
                // The tree spans a power of two, so the descent needs no bounds check; positions past n weigh 0.
                int span = Integer.highestOneBit(Math.max(1, n));
                span = span < n ? span << 1 : span;
                position = new HashMap<>(n * 2);
                usable = new int[n];
                tree = new long[span + 1];
                mask = span;
                for (int i = 0; i < n; i++) {
                    RealServer d = servers.get(i);
                    position.put(d, i);
                    usable[i] = weightIfUsable(d);
                    total += usable[i];
                    tree[i + 1] += usable[i];
                }
                for (int k = 1; k <= span; k++) {
                    // Linear Fenwick construction: add each node into its parent.
                    int parent = k + (k & -k);
                    if (parent <= span) {
                        tree[parent] += tree[k];
                    }
                }
            }

            /** The smallest position whose running sum of usable weights reaches {@code r} (1 <= r <= total). */
            int find(long r) {
                long[] t = tree;
                int at = 0;
                for (int step = mask; step != 0; step >>>= 1) {
                    long sum = t[at + step];
                    // Branch-free: r is random, so a branch here would be mispredicted half the time.
                    long below = (sum - r) >> 63; // -1 when sum < r
                    at += step & (int) below;
                    r -= sum & below;
                }
                return at; // 0-based: tree position at + 1
            }
        }

        private final IntUnaryOperator random;
        private volatile Layout layout = new Layout(List.of());

        Instance(IntUnaryOperator random) {
            this.random = random;
        }

        @Override
        public synchronized void update(List<RealServer> servers, Change change) {
            layout = new Layout(servers);
        }

        private static int weightIfUsable(RealServer d) {
            int w = d.weight();
            return !d.overloaded() && w > 0 ? w : 0;
        }

        @Override
        public void countersChanged(RealServer server) {
            // Most counter changes leave the overload flag as it was: then there is nothing to do, and no lock to take.
            Layout l = layout;
            Integer i = l.position.get(server);
            if (i == null || l.usable[i] == weightIfUsable(server)) {
                return;
            }
            synchronized (this) {
                l = layout;
                i = l.position.get(server);
                if (i == null) {
                    return;
                }
                int w = weightIfUsable(server);
                int delta = w - l.usable[i];
                if (delta != 0) {
                    l.usable[i] = w;
                    l.total += delta;
                    for (int k = i + 1; k < l.tree.length; k += k & -k) {
                        l.tree[k] += delta;
                    }
                }
            }
        }

        @Override
        public synchronized RealServer pick(Flow flow) {
            Layout l = layout;
            if (l.total == 0) {
                return null; // no destination available
            }
            // The kernel's int: a total above 2^31 - 2 would not work there either.
            int bound = (int) (l.total + 1);
            int r1 = random.applyAsInt(bound);
            int r2 = random.applyAsInt(bound);
            int i1 = l.find(Math.max(r1, 1));
            int i2 = l.find(Math.max(r2, 1));
            RealServer c1 = l.list.get(i1);
            RealServer c2 = l.list.get(i2);
            int overhead1 = (c1.activeConns() << 8) + c1.inactiveConns();
            int overhead2 = (c2.activeConns() << 8) + c2.inactiveConns();
            return l.usable[i2] * overhead1 > l.usable[i1] * overhead2 ? c2 : c1;
        }
    }
}
