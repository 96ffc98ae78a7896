package org.lvs4j.director.internal;

import org.lvs4j.api.ConnectionState;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.ToIntFunction;

/**
 * The connection table: entries by {@link ConnKey}, each expiring {@code timeout} seconds after its last refresh.
 *
 * <p>Expiry uses a hashed timing wheel with one-second ticks and lazy rescheduling: refreshing an entry only writes
 * its {@code expiresAt} (the data path may do so per packet), and when the wheel reaches the slot an entry was filed
 * under, an entry whose deadline moved later is filed again under its new deadline instead of expiring. Each entry is
 * thus visited about once per timeout period, whatever the packet rate. Only a deadline that moves earlier (a state
 * with a shorter timeout) files the entry again at once; the wheel then skips the older filing, which no longer
 * matches the entry's {@code wheelTick}.
 *
 * <p>As in IPVS, a template that still controls connections does not expire: it is re-armed for 60 seconds.
 */
final class ConnTable {

    private static final long TICK = TimeUnit.SECONDS.toNanos(1);
    private static final int SLOTS = 1024;
    /** IPVS re-arms a template that still controls connections for 60 s (ip_vs_conn_expire, expire_later). */
    static final int TEMPLATE_REARM_SECONDS = 60;

    private final ConcurrentHashMap<ConnKey, Connection> entries = new ConcurrentHashMap<>();
    /** Masquerading entries by their reply's endpoints: protocol, client, real server (IPVS's "out" lookup). */
    private final ConcurrentHashMap<ConnKey, Connection> replies = new ConcurrentHashMap<>();
    private static final ThreadLocal<ConnKey> PROBE = ThreadLocal.withInitial(ConnKey::new);
    private final Table table;
    private final Clock clock;
    private final ToIntFunction<ConnectionState> timeouts;
    private final Filing[] slots = new Filing[SLOTS];
    private final Object[] slotLocks = new Object[SLOTS];
    /** The last tick whose slot was processed; written only by the expiring thread. */
    private volatile long processedTick;

    /** One filing of an entry in a wheel slot; stale once the entry was filed again elsewhere. */
    private static final class Filing {
        final Connection connection;
        long tick;
        Filing next;

        Filing(Connection connection) {
            this.connection = connection;
        }
    }

    ConnTable(Table table, Clock clock, ToIntFunction<ConnectionState> timeouts) {
        this.table = table;
        this.clock = clock;
        this.timeouts = timeouts;
        for (int i = 0; i < SLOTS; i++) {
            slotLocks[i] = new Object();
        }
        this.processedTick = Math.floorDiv(clock.nanoTime(), TICK);
    }

    Connection get(ConnKey key) {
        return entries.get(key);
    }

    /** An IPv4 entry by its client's endpoints, without allocating. */
    Connection get4(int protocol, int client, int clientPort, int virtual, int virtualPort) {
        return entries.get(PROBE.get().set4(protocol, client, clientPort, virtual, virtualPort));
    }

    /** A masquerading IPv4 entry by its real server's reply endpoints, without allocating. */
    Connection reply4(int protocol, int server, int serverPort, int client, int clientPort) {
        return replies.get(PROBE.get().set4(protocol, client, clientPort, server, serverPort));
    }

    int size() {
        return entries.size();
    }

    List<Connection> snapshot() {
        return new ArrayList<>(entries.values());
    }

    /**
     * Creates and binds an entry (ip_vs_conn_new): it starts inactive in {@code state}, counted on its real server,
     * linked to its template. One-packet entries are not entered in the table.
     *
     * @return the new entry, or the entry already in the table under the same key (then nothing was created)
     */
    Connection create(ConnKey key, Destination dest, int destinationPort,
                      boolean template, boolean onePacket, Connection control, ConnectionState state, int timeout) {
        Connection c = new Connection(table, key, dest, destinationPort, template, onePacket, control, state);
        c.noOutput = dest.config.method() != org.lvs4j.api.ForwardMethod.MASQ
                && dest.config.method() != org.lvs4j.api.ForwardMethod.FULLNAT;
        c.timeout = timeout;
        c.expiresAt = clock.nanoTime() + TimeUnit.SECONDS.toNanos(timeout);
        if (!onePacket) {
            Connection existing = entries.putIfAbsent(c, c);
            if (existing != null) {
                return existing;
            }
            if (!template && dest.config.method() == org.lvs4j.api.ForwardMethod.MASQ) {
                c.replyKey = new ConnKey(key.protocol, c.client(), key.clientPort, dest.address, destinationPort,
                        false);
                replies.put(c.replyKey, c);
            }
        }
        dest.bind(template, false);
        if (control != null) {
            control.control(1);
        }
        if (!onePacket) {
            synchronized (c) {
                file(new Filing(c));
            }
        }
        return c;
    }

    /**
     * Moves an entry to a new state (set_tcp_state): ActiveConn/InActConn follow whether the state is active, and the
     * timeout becomes the new state's.
     *
     * @return whether the state changed
     */
    boolean setState(Connection c, ConnectionState next) {
        boolean changed;
        synchronized (c) {
            if (c.dead) {
                return false;
            }
            changed = next != c.state;
            if (changed) {
                boolean active = next.active();
                if (c.inactive && active) {
                    c.destination.activity(true);
                    c.inactive = false;
                } else if (!c.inactive && !active) {
                    c.destination.activity(false);
                    c.inactive = true;
                }
                c.state = next;
            }
            c.timeout = timeouts.applyAsInt(next);
            c.expiresAt = clock.nanoTime() + TimeUnit.SECONDS.toNanos(c.timeout);
            fileIfEarlier(c);
        }
        return changed;
    }

    /** Restarts the entry's timer with its current timeout (ip_vs_conn_put). */
    void refresh(Connection c) {
        c.expiresAt = clock.nanoTime() + TimeUnit.SECONDS.toNanos(c.timeout);
    }

    /** Sets a new timeout and restarts the timer. */
    void refresh(Connection c, int timeoutSeconds) {
        synchronized (c) {
            c.timeout = timeoutSeconds;
            refresh(c);
            fileIfEarlier(c);
        }
    }

    /** Expires an entry now (ip_vs_conn_expire_now); a template that still controls connections is kept. */
    void expireNow(Connection c) {
        boolean gone;
        synchronized (c) {
            if (c.dead) {
                return;
            }
            c.expiresAt = clock.nanoTime();
            gone = expireIfDue(c, c.expiresAt);
            if (!gone) {
                fileIfEarlier(c);
            }
        }
        if (gone) {
            expired(c);
        }
    }

    /** Takes a template out of lookups without ending it (ip_vs_check_template's invalidation). */
    void invalidate(Connection template) {
        entries.remove(template, template);
    }

    /** Processes every wheel slot up to the current time, expiring entries that are due. */
    void tick() {
        long now = clock.nanoTime();
        long nowTick = Math.floorDiv(now, TICK);
        long from = Math.max(processedTick + 1, nowTick - SLOTS + 1);
        for (long t = from; t <= nowTick; t++) {
            int slot = (int) (t & (SLOTS - 1));
            Filing list;
            synchronized (slotLocks[slot]) {
                list = slots[slot];
                slots[slot] = null;
            }
            while (list != null) {
                Filing f = list;
                list = f.next;
                f.next = null;
                Connection c = f.connection;
                boolean gone = false;
                synchronized (c) {
                    if (c.dead || f.tick != c.wheelTick) {
                        continue;
                    }
                    if (f.tick > nowTick || !(gone = expireIfDue(c, now))) {
                        file(f);
                    }
                }
                if (gone) {
                    expired(c);
                }
            }
        }
        processedTick = nowTick;
    }

    /**
     * Expires {@code c} if its deadline has passed; false if it lives on (and needs filing again). Call holding the
     * entry's lock, then {@link #expired} after releasing it.
     */
    private boolean expireIfDue(Connection c, long now) {
        if (c.dead) {
            return true;
        }
        if (c.expiresAt > now) {
            return false;
        }
        if (c.controlled() > 0) {
            c.timeout = TEMPLATE_REARM_SECONDS;
            c.expiresAt = now + TimeUnit.SECONDS.toNanos(TEMPLATE_REARM_SECONDS);
            return false;
        }
        c.dead = true;
        entries.remove(c, c);
        if (c.replyKey != null) {
            replies.remove(c.replyKey, c);
        }
        if (c.control != null) {
            c.control.control(-1);
        }
        c.destination.unbind(c.template, !c.inactive);
        return true;
    }

    /** Tells the engine; outside the entry's lock, so engine code never runs under it. */
    private static void expired(Connection c) {
        var hook = c.onExpire;
        if (hook != null) {
            hook.accept(c);
        }
    }

    private long deadlineTick(Connection c) {
        return Math.max(Math.floorDiv(c.expiresAt + TICK - 1, TICK), processedTick + 1);
    }

    /** Files an entry under the slot of its deadline (at least the next tick); call holding the entry's lock. */
    private void file(Filing f) {
        long tick = deadlineTick(f.connection);
        int slot = (int) (tick & (SLOTS - 1));
        f.tick = tick;
        f.connection.wheelTick = tick;
        synchronized (slotLocks[slot]) {
            f.next = slots[slot];
            slots[slot] = f;
        }
    }

    /** Files the entry again if its deadline moved before its filing; call holding the entry's lock. */
    private void fileIfEarlier(Connection c) {
        if (!c.onePacket && deadlineTick(c) < c.wheelTick) {
            file(new Filing(c));
        }
    }
}
