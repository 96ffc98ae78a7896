/*
 * Freshness of authenticated messages, per sender: the sender's generation (raised at every start: heartbeat's "hg",
 * a sync trailer's start time) and sequence number. A message of an older generation is stale; within the current generation each
 * sequence number is taken once, the newest 64 tracked in a bitmap so datagrams that UDP reordered are still taken
 * (as IPsec's anti-replay window, RFC 4303 3.4.3); anything older than the window is refused. A newer generation
 * starts a new window: the peer restarted.
 */
package org.lvs4j.peer.support;

import java.util.HashMap;
import java.util.Map;

public final class ReplayGuard {

    /** How many sequence numbers below the highest seen are still taken (once each). */
    public static final int WINDOW = 64;

    /** What a message is: new, or why not. */
    public enum Verdict { FRESH, REPLAYED, STALE_GENERATION, TOO_OLD }

    private static final class Window {
        long generation;
        long highest;
        long seen; // bit i: highest - i was taken
    }

    private final Map<String, Window> senders = new HashMap<>();

    /** Whether a message of {@code sender} with {@code generation} and {@code seq} is new; records it if so. */
    public synchronized Verdict check(String sender, long generation, long seq) {
        Window w = senders.get(sender);
        if (w == null || generation > w.generation) {
            w = new Window();
            w.generation = generation;
            w.highest = seq;
            w.seen = 1;
            senders.put(sender, w);
            return Verdict.FRESH;
        }
        if (generation < w.generation) {
            return Verdict.STALE_GENERATION;
        }
        if (seq > w.highest) {
            long shift = seq - w.highest;
            w.seen = shift >= WINDOW ? 1 : (w.seen << shift) | 1;
            w.highest = seq;
            return Verdict.FRESH;
        }
        long back = w.highest - seq;
        if (back >= WINDOW) {
            return Verdict.TOO_OLD;
        }
        long bit = 1L << back;
        if ((w.seen & bit) != 0) {
            return Verdict.REPLAYED;
        }
        w.seen |= bit;
        return Verdict.FRESH;
    }
}
