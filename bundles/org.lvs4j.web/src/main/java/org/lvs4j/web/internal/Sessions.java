/*
 * Logged-in browsers and how fast anyone may try to log in.
 *
 * A session is a 32-byte random id (the HttpOnly, SameSite=Strict cookie) with its own 32-byte random CSRF token,
 * which a state-changing request must echo in X-CSRF-Token: a page of another site can make the browser send the
 * cookie but cannot read the token. Sessions end after 30 minutes without a request or 12 hours in all.
 *
 * Login attempts are limited per client address: after 5 failures within a minute, further attempts are refused
 * until the oldest failure is a minute old (the answer says how long), so a password cannot be guessed at PBKDF2's
 * speed times the number of threads the attacker has.
 */
package org.lvs4j.web.internal;

import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.Base64;
import java.util.Deque;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

final class Sessions {

    static final long IDLE = TimeUnit.MINUTES.toNanos(30);
    static final long MAX_AGE = TimeUnit.HOURS.toNanos(12);
    static final int FAILURES = 5;
    static final long FAILURE_WINDOW = TimeUnit.MINUTES.toNanos(1);
    private static final SecureRandom RANDOM = new SecureRandom();

    record Session(String id, String user, Users.Role role, String csrf, long created, long lastSeen) {
    }

    private final LongSupplier clock;
    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    private final Map<String, Deque<Long>> failures = new ConcurrentHashMap<>();

    Sessions(LongSupplier clock) {
        this.clock = clock;
    }

    static String token() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    Session open(String user, Users.Role role) {
        long now = clock.getAsLong();
        Session s = new Session(token(), user, role, token(), now, now);
        sessions.put(s.id(), s);
        return s;
    }

    /** The live session of a cookie value, its idle timer restarted; empty when unknown or expired. */
    Optional<Session> find(String id) {
        if (id == null) {
            return Optional.empty();
        }
        Session s = sessions.get(id);
        long now = clock.getAsLong();
        if (s == null) {
            return Optional.empty();
        }
        if (now - s.lastSeen() > IDLE || now - s.created() > MAX_AGE) {
            sessions.remove(id, s);
            return Optional.empty();
        }
        Session touched = new Session(s.id(), s.user(), s.role(), s.csrf(), s.created(), now);
        sessions.replace(id, s, touched);
        return Optional.of(touched);
    }

    void close(String id) {
        sessions.remove(id);
    }

    /** Seconds until {@code address} may try again, or 0 when it may now. */
    long lockedFor(String address) {
        Deque<Long> d = failures.get(address);
        if (d == null) {
            return 0;
        }
        synchronized (d) {
            long now = clock.getAsLong();
            while (!d.isEmpty() && now - d.peekFirst() > FAILURE_WINDOW) {
                d.pollFirst();
            }
            if (d.size() < FAILURES) {
                return 0;
            }
            return Math.max(1, TimeUnit.NANOSECONDS.toSeconds(FAILURE_WINDOW - (now - d.peekFirst())) + 1);
        }
    }

    void failed(String address) {
        Deque<Long> d = failures.computeIfAbsent(address, a -> new ArrayDeque<>());
        synchronized (d) {
            d.addLast(clock.getAsLong());
            while (d.size() > FAILURES) {
                d.pollFirst();
            }
        }
    }
}
