/*
 * Garbage-collection pauses as the JVM reports them: every collector's MXBean emits a notification after each
 * collection ("end of minor GC", "end of major GC", G1's remark and cleanup pauses as "end of concurrent GC pause"),
 * carrying its duration in milliseconds. They are counted into a histogram per collector and action, which is what
 * an operator needs to see whether the director stalls (the MXBeans' totals mix pauses with concurrent work). ZGC's
 * and Shenandoah's "Cycles" collectors report whole concurrent cycles ("end of GC cycle"): those are not pauses and
 * are left out; their "Pauses" collectors report the pauses.
 *
 * The notification is read as plain open-MBean data (javax.management) rather than through com.sun.management,
 * which the OSGi framework does not export.
 */
package org.lvs4j.web.internal;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;

final class GcPauses implements NotificationListener, AutoCloseable {

    static final String NOTIFICATION = "com.sun.management.gc.notification";
    /** Upper bounds in seconds; the JVM reports whole milliseconds. */
    static final double[] BOUNDS = {0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

    /** One collector's pauses of one kind, buckets cumulative. */
    record Pauses(String gc, String action, long count, double sumSeconds, long[] buckets) {
    }

    private final Map<String, long[]> counts = new TreeMap<>();
    private final Map<String, double[]> sums = new TreeMap<>();
    private final List<NotificationEmitter> emitters = new ArrayList<>();

    /** Counts the JVM's collections from now on. */
    GcPauses() {
        this(true);
    }

    /** With {@code listen} false, counts only what {@link #record} is given (for tests). */
    GcPauses(boolean listen) {
        if (!listen) {
            return;
        }
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (gc instanceof NotificationEmitter e) {
                e.addNotificationListener(this, n -> NOTIFICATION.equals(n.getType()), null);
                emitters.add(e);
            }
        }
    }

    @Override
    public void handleNotification(Notification n, Object handback) {
        if (!(n.getUserData() instanceof CompositeData cd) || !(cd.get("gcInfo") instanceof CompositeData info)) {
            return;
        }
        String action = String.valueOf(cd.get("gcAction"));
        if (!action.equals("end of GC cycle")) {
            record(String.valueOf(cd.get("gcName")), action, ((Number) info.get("duration")).longValue() / 1000.0);
        }
    }

    synchronized void record(String gc, String action, double seconds) {
        String key = gc + '\0' + action;
        long[] c = counts.computeIfAbsent(key, k -> new long[BOUNDS.length + 1]);
        int i = 0;
        while (i < BOUNDS.length && seconds > BOUNDS[i]) {
            i++;
        }
        c[i]++;
        sums.computeIfAbsent(key, k -> new double[1])[0] += seconds;
    }

    synchronized List<Pauses> snapshot() {
        List<Pauses> out = new ArrayList<>();
        counts.forEach((key, c) -> {
            long[] cumulative = new long[BOUNDS.length];
            long total = 0;
            for (int i = 0; i < c.length; i++) {
                total += c[i];
                if (i < BOUNDS.length) {
                    cumulative[i] = total;
                }
            }
            int cut = key.indexOf('\0');
            out.add(new Pauses(key.substring(0, cut), key.substring(cut + 1), total, sums.get(key)[0], cumulative));
        });
        return out;
    }

    @Override
    public void close() {
        for (NotificationEmitter e : emitters) {
            try {
                e.removeNotificationListener(this);
            } catch (javax.management.ListenerNotFoundException ignored) {
                // already gone
            }
        }
    }
}
