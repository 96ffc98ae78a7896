/*
 * IPVS's connection-count schedulers as the kernel writes them: one walk over the list per new connection.
 *
 * These are line-for-line ports of the schedule functions of ip_vs_lc.c, ip_vs_wlc.c, ip_vs_sed.c, ip_vs_nq.c,
 * ip_vs_fo.c and ip_vs_ovf.c (Linux 6.x, where the cross-multiplications are 64-bit). lvs4j's schedulers do not use
 * them: they are the oracle the indexed schedulers are tested against, and the O(n) baseline of the benchmark.
 */
package org.lvs4j.scheduler.support.sim;

import java.util.List;

import org.lvs4j.api.scheduler.RealServer;

/** The kernel's O(n) scans, for tests and benchmarks. */
public final class Scans {

    private Scans() {
    }

    private static long overhead(RealServer d) {
        return ((d.activeConns() << 8) + d.inactiveConns()) & 0xffffffffL;
    }

    private static long delay(RealServer d) {
        return (d.activeConns() + 1) & 0xffffffffL;
    }

    /** ip_vs_lc_schedule. */
    public static RealServer lc(List<RealServer> list) {
        RealServer least = null;
        long loh = 0;
        for (RealServer d : list) {
            if (d.overloaded() || d.weight() == 0) {
                continue;
            }
            long doh = overhead(d);
            if (least == null || doh < loh) {
                least = d;
                loh = doh;
            }
        }
        return least;
    }

    /** ip_vs_wlc_schedule. */
    public static RealServer wlc(List<RealServer> list) {
        return weighted(list, false);
    }

    /** ip_vs_sed_schedule. */
    public static RealServer sed(List<RealServer> list) {
        return weighted(list, true);
    }

    private static RealServer weighted(List<RealServer> list, boolean sed) {
        int i = 0;
        int n = list.size();
        RealServer least = null;
        for (; i < n; i++) {
            RealServer d = list.get(i);
            if (!d.overloaded() && d.weight() > 0) {
                least = d;
                break;
            }
        }
        if (least == null) {
            return null;
        }
        long loh = sed ? delay(least) : overhead(least);
        for (i++; i < n; i++) {
            RealServer d = list.get(i);
            if (d.overloaded()) {
                continue;
            }
            long doh = sed ? delay(d) : overhead(d);
            if (loh * d.weight() > doh * least.weight()) {
                least = d;
                loh = doh;
            }
        }
        return least;
    }

    /** ip_vs_nq_schedule. */
    public static RealServer nq(List<RealServer> list) {
        RealServer least = null;
        long loh = 0;
        for (RealServer d : list) {
            if (d.overloaded() || d.weight() == 0) {
                continue;
            }
            long doh = delay(d);
            if (d.activeConns() == 0) {
                return d;
            }
            if (least == null || loh * d.weight() > doh * least.weight()) {
                least = d;
                loh = doh;
            }
        }
        return least;
    }

    /** ip_vs_fo_schedule. */
    public static RealServer fo(List<RealServer> list) {
        RealServer best = null;
        int hw = 0;
        for (RealServer d : list) {
            if (!d.overloaded() && d.weight() > 0 && (best == null || d.weight() > hw)) {
                best = d;
                hw = d.weight();
            }
        }
        return best;
    }

    /** ip_vs_ovf_schedule. */
    public static RealServer ovf(List<RealServer> list) {
        RealServer best = null;
        int hw = 0;
        for (RealServer d : list) {
            int w = d.weight();
            if (d.overloaded() || d.activeConns() > w || w == 0) {
                continue;
            }
            if (best == null || w > hw) {
                best = d;
                hw = w;
            }
        }
        return best;
    }
}
