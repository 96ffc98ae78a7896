/*
 * Who is master: heartbeat's model, with a rule for each case heartbeat leaves to timing.
 *
 * Each director sends its status every keepalive: its role, how long it has been master, its generation. A peer is
 * dead after deadtime without a status, and at start a director waits initdead for one.
 *
 *  - Starting (INIT): the peer is master -> backup. Both up and neither master -> the node that owns the resources in
 *    haresources becomes master, the other backup. Nobody heard within initdead -> master.
 *  - Backup: the peer dead -> master (takeover). The peer released (graceful stop, or a hand-back) -> master at
 *    once, without waiting for deadtime. Neither master and this node the owner -> master.
 *  - Master: the peer master too (a partition healed, or a node paused) -> one of them steps down: with auto_failback
 *    the resources' owner wins; else the one that has been master longer; a tie (within a keepalive) goes to the lower
 *    node name. With auto_failback on, a master that is not the owner hands the resources back when the owner is up
 *    (releases; the owner takes them on the release).
 *  - A director that was itself paused longer than deadtime (SIGSTOP, a long GC, a starved VM) cannot trust what it
 *    last knew: it rejoins as backup and becomes master again only if the peer stays silent for another deadtime.
 *
 * The caller acts on the role changes (acquire or release resources, send a release message when stepping down) and
 * re-announces the VIP when {@link #reannounce()} says a former co-master released it. Time is the caller's monotonic
 * clock in milliseconds; nothing here reads a clock, so every rule is tested with exact times.
 */
package org.lvs4j.ha.heartbeat.internal;

final class Brain {

    enum Role { INIT, BACKUP, MASTER }

    /**
     * The peer's last status: its role, how long it had been master when it sent it, its generation, and whether it
     * stands by (an operator's standby: it wants no resources while this node lives).
     */
    record PeerStatus(Role role, long masterForMillis, long generation, boolean standby) {
    }

    private final String self;
    private final String peer;
    private final boolean owner;
    private final boolean failback;
    private final long keepalive;
    private final long deadtime;
    private final long initdead;
    private final long startedAt;

    private Role role = Role.INIT;
    private long masterSince;
    private PeerStatus last;
    private long lastHeard = Long.MIN_VALUE;
    private boolean peerReleased;
    private long lastTick = Long.MIN_VALUE;
    private boolean reannounce;
    /** After an operator's standby: stay backup while the peer lives, until this node's own takeover. */
    private boolean standingBy;

    Brain(HaConfig config, String resourceOwner, long now) {
        this.self = config.self();
        this.peer = config.peer();
        this.owner = self.equals(resourceOwner);
        // heartbeat's "legacy" fails back as "on" does when, as here, every node knows the option
        this.failback = config.autoFailback() != HaConfig.AutoFailback.OFF;
        this.keepalive = config.keepaliveMillis();
        this.deadtime = config.deadtimeMillis();
        this.initdead = config.initdeadMillis();
        this.startedAt = now;
    }

    Role role() {
        return role;
    }

    String self() {
        return self;
    }

    String peer() {
        return peer;
    }

    /** How long this node has been master (0 if it is not), for its status messages. */
    long masterForMillis(long now) {
        return role == Role.MASTER ? now - masterSince : 0;
    }

    /** An authenticated, fresh status from the peer. */
    void heard(PeerStatus status, long now) {
        last = status;
        lastHeard = now;
        if (status.role() == Role.MASTER) {
            peerReleased = false;
        }
    }

    /**
     * The peer announced it gives the resources up: a hand-back to the owner, a standby, or its graceful stop
     * ({@code standby}: it does not want them back, so an owner leaving is not handed the resources again).
     */
    void released(long now, boolean standby) {
        lastHeard = now;
        peerReleased = true;
        last = last == null ? new PeerStatus(Role.BACKUP, 0, 0, standby)
                : new PeerStatus(Role.BACKUP, 0, last.generation(), standby);
        if (role == Role.MASTER) {
            reannounce = true; // a co-master let go: make the clients' ARP point here
        }
    }

    /** heartbeat's hb_standby: give the resources to the peer (the next tick steps down if this node is master). */
    void standby() {
        standingBy = true;
    }

    boolean standingBy() {
        return standingBy;
    }

    /** heartbeat's hb_takeover, this node's side: it wants the resources again (the peer is asked to stand by). */
    void endStandby() {
        standingBy = false;
    }

    /** True once after a former co-master released the VIP while this node kept it. */
    boolean reannounce() {
        boolean r = reannounce;
        reannounce = false;
        return r;
    }

    /** Re-evaluates at {@code now}; returns the role, changed or not. */
    Role tick(long now) {
        boolean paused = lastTick != Long.MIN_VALUE && now - lastTick > deadtime;
        lastTick = now;
        if (paused && role == Role.MASTER) {
            become(Role.BACKUP, now);
            last = null;        // what was known is stale
            lastHeard = now;    // the peer gets a full deadtime to be heard before this node takes over again
            return role;
        }
        boolean peerAlive = lastHeard != Long.MIN_VALUE && now - lastHeard <= deadtime;
        boolean peerMaster = peerAlive && last != null && last.role() == Role.MASTER && !peerReleased;
        switch (role) {
            case INIT -> {
                if (peerAlive && last != null) {
                    become(peerMaster || !owner || standingBy ? Role.BACKUP : Role.MASTER, now);
                } else if (now - startedAt >= initdead) {
                    become(Role.MASTER, now);
                }
            }
            case BACKUP -> {
                if (!peerAlive || (!standingBy && (peerReleased || (!peerMaster && owner && last != null)))) {
                    become(Role.MASTER, now);
                }
            }
            case MASTER -> {
                if (standingBy && peerAlive) {
                    become(Role.BACKUP, now);
                } else if (peerMaster && !winsAgainst(last, now)) {
                    become(Role.BACKUP, now);
                } else if (peerAlive && !peerMaster && failback && !owner && last != null && !last.standby()) {
                    become(Role.BACKUP, now); // hand back to the owner, which takes over on the release
                }
            }
        }
        return role;
    }

    private boolean winsAgainst(PeerStatus other, long now) {
        if (failback) {
            return owner;
        }
        long mine = masterForMillis(now);
        long theirs = other.masterForMillis() + (now - lastHeard);
        if (Math.abs(mine - theirs) > keepalive) {
            return mine > theirs;
        }
        return self.compareTo(peer) < 0;
    }

    private void become(Role next, long now) {
        if (next == Role.MASTER && role != Role.MASTER) {
            masterSince = now;
            peerReleased = false; // taken over: the release is answered
            standingBy = false;   // and a standby ends when the peer is gone
        }
        role = next;
    }
}
