package org.lvs4j.director.internal;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The director's tunables, named and defaulted as IPVS's sysctls (Documentation/networking/ipvs-sysctl.rst) plus
 * lvs4j's own {@code plugin_wait_ms}. Reads are a volatile array load, so the data path may read them per packet.
 */
public final class Sysctls {

    /** A tunable's name, default and accepted range. */
    public enum Knob {
        /** 1: a packet for a connection whose real server was deleted expires that connection at once. */
        EXPIRE_NODEST_CONN("expire_nodest_conn", 0, 0, 1),
        /** 1: a persistence template pointing at a weight-0 server is dropped instead of honoured. */
        EXPIRE_QUIESCENT_TEMPLATE("expire_quiescent_template", 0, 0, 1),
        /** Bit 1: reschedule a reused client port in TIME_WAIT; bit 2: also in FIN_WAIT (DR/TUN). */
        CONN_REUSE_MODE("conn_reuse_mode", 1, 0, 3),
        /** How long new connections wait for a missing scheduler before they are reset, in milliseconds. */
        PLUGIN_WAIT_MS("plugin_wait_ms", 2000, 0, 3_600_000),
        /** lblc cache entries idle this long (seconds) are dropped by the full sweep. */
        LBLC_EXPIRATION("lblc_expiration", 86400, 1, Integer.MAX_VALUE / 1000),
        /** lblcr sets unchanged this long (seconds) lose their most loaded member. */
        LBLCR_EXPIRATION("lblcr_expiration", 86400, 1, Integer.MAX_VALUE / 1000);

        private final String id;
        private final long defaultValue;
        private final long min;
        private final long max;

        Knob(String id, long defaultValue, long min, long max) {
            this.id = id;
            this.defaultValue = defaultValue;
            this.min = min;
            this.max = max;
        }

        public String id() {
            return id;
        }

        public long defaultValue() {
            return defaultValue;
        }

        public long min() {
            return min;
        }

        public long max() {
            return max;
        }

        public static Knob byId(String id) {
            for (Knob k : values()) {
                if (k.id.equals(id)) {
                    return k;
                }
            }
            return null;
        }
    }

    private final AtomicLongArray values = new AtomicLongArray(Knob.values().length);

    public Sysctls() {
        for (Knob k : Knob.values()) {
            values.set(k.ordinal(), k.defaultValue);
        }
    }

    public long get(Knob knob) {
        return values.get(knob.ordinal());
    }

    /** Value of the tunable named {@code id}. */
    public long get(String id) {
        Knob k = Knob.byId(id);
        if (k == null) {
            throw new IllegalArgumentException("unknown sysctl " + id);
        }
        return get(k);
    }

    /**
     * Sets a tunable.
     *
     * @throws IllegalArgumentException for an unknown name or a value outside its range
     */
    public void set(String id, long value) {
        Knob k = Knob.byId(id);
        if (k == null) {
            throw new IllegalArgumentException("unknown sysctl " + id + " (known: " + String.join(", ", ids()) + ")");
        }
        if (value < k.min || value > k.max) {
            throw new IllegalArgumentException(
                    "invalid value " + value + " for " + id + " (" + k.min + ".." + k.max + ")");
        }
        values.set(k.ordinal(), value);
    }

    public Map<String, Long> snapshot() {
        Map<String, Long> m = new LinkedHashMap<>();
        for (Knob k : Knob.values()) {
            m.put(k.id, get(k));
        }
        return m;
    }

    static java.util.List<String> ids() {
        return java.util.Arrays.stream(Knob.values()).map(Knob::id).toList();
    }
}
