package org.lvs4j.ha.heartbeat.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.lvs4j.ha.heartbeat.internal.Brain.Role.BACKUP;
import static org.lvs4j.ha.heartbeat.internal.Brain.Role.INIT;
import static org.lvs4j.ha.heartbeat.internal.Brain.Role.MASTER;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;

/**
 * The master election on exact timelines: two brains exchange statuses every keepalive (100 ms, deadtime 500 ms,
 * initdead 1 s), with messages dropped, delayed or one side paused, as F1-F6 of RELIABILITY.md describe the faults.
 */
class BrainTest {

    static Brain brain(String self, String failback, long now) throws Exception {
        HaConfig c = HaConfig.parse(Path.of("ha.cf"), "keepalive 100ms\ndeadtime 500ms\ninitdead 1\nauto_failback "
                + failback + "\nucast eth0 10.0.0.9\nnode dir1 dir2\nself " + self + "\n");
        return new Brain(c, "dir1", now); // dir1 owns the resources
    }

    /** Two directors on one timeline; {@code link} false drops every status both ways. */
    static final class Pair {
        final Brain a;
        final Brain b;
        long now;
        boolean link = true;
        boolean aRuns = true;
        boolean bRuns = true;

        Pair(String failback) throws Exception {
            this(brain("dir1", failback, 0), brain("dir2", failback, 0), 0);
        }

        /** A pair continuing at {@code now}, e.g. with a restarted dir1. */
        Pair(Brain a, Brain b, long now) {
            this.a = a;
            this.b = b;
            this.now = now;
        }

        /** Runs keepalive rounds for {@code millis}. */
        void run(long millis) {
            for (long end = now + millis; now < end; now += 100) {
                step(a, b, aRuns, bRuns);
                step(b, a, bRuns, aRuns);
            }
        }

        private void step(Brain self, Brain other, boolean selfRuns, boolean otherRuns) {
            if (!selfRuns) {
                return;
            }
            Brain.Role before = self.role();
            Brain.Role after = self.tick(now);
            if (before == MASTER && after != MASTER && link && otherRuns) {
                other.released(now, self.standingBy()); // a stepping-down master says so
            }
            if (link && otherRuns) {
                other.heard(new Brain.PeerStatus(after, self.masterForMillis(now), 1, self.standingBy()), now);
            }
        }

        int masters() {
            return (a.role() == MASTER && aRuns ? 1 : 0) + (b.role() == MASTER && bRuns ? 1 : 0);
        }
    }

    @Test
    void bothStartingTheOwnerBecomesMasterTheOtherBackup() throws Exception {
        Pair p = new Pair("on");
        p.run(300);
        assertEquals(MASTER, p.a.role());
        assertEquals(BACKUP, p.b.role());
    }

    @Test
    void alonePastInitdeadANodeTakesTheResources() throws Exception {
        Brain b = brain("dir2", "on", 0);
        assertEquals(INIT, b.tick(900));
        assertEquals(MASTER, b.tick(1000));
    }

    @Test
    void aKilledMasterIsReplacedAfterDeadtimeAndTheOwnerTakesBackWithAutoFailback() throws Exception {
        Pair p = new Pair("on");
        p.run(300);
        p.aRuns = false; // SIGKILL of dir1
        long killed = p.now;
        while (p.b.role() != MASTER) {
            p.run(100);
        }
        long took = p.now - killed;
        assertTrue(took > 500 && took <= 700, "takeover after deadtime, took " + took);
        // dir1 comes back: a new brain, which finds dir2 master, then gets the resources handed back
        p.aRuns = true;
        Pair q = new Pair(brain("dir1", "on", p.now), p.b, p.now);
        java.util.List<Brain.Role> seen = new java.util.ArrayList<>();
        for (int i = 0; i < 5; i++) {
            q.run(100);
            assertTrue(q.masters() <= 1, "never two masters during the hand-back");
            if (seen.isEmpty() || seen.get(seen.size() - 1) != q.a.role()) {
                seen.add(q.a.role());
            }
        }
        // dir2 hands back as soon as it hears the owner (its release reaches dir1 before dir1 leaves INIT)
        assertEquals(java.util.List.of(INIT, MASTER), seen, "auto_failback on: handed back to the owner");
        assertEquals(BACKUP, q.b.role());
    }

    @Test
    void withoutAutoFailbackTheReturningOwnerStaysBackup() throws Exception {
        Pair p = new Pair("off");
        p.run(300);
        p.aRuns = false;
        p.run(1000);
        assertEquals(MASTER, p.b.role());
        Pair q = new Pair(brain("dir1", "off", p.now), p.b, p.now);
        q.run(2000);
        assertEquals(BACKUP, q.a.role());
        assertEquals(MASTER, q.b.role());
    }

    @Test
    void aGracefulStopHandsOverAtOnce() throws Exception {
        Pair p = new Pair("on");
        p.run(300);
        p.b.released(p.now, true); // dir1's stop sends its release message, standing by
        p.aRuns = false;
        assertEquals(MASTER, p.b.tick(p.now), "no deadtime wait after a release message");
    }

    @Test
    void anOwnerThatLeavesIsNotHandedTheResourcesBackWhileItDrains() throws Exception {
        Pair p = new Pair("on");
        p.run(300);
        assertEquals(MASTER, p.a.role());
        p.b.released(p.now, true); // dir1 leaves: released, standing by, still alive while it drains
        assertEquals(MASTER, p.b.tick(p.now));
        for (int i = 1; i <= 4; i++) { // dir1's last statuses (standby) arrive while it drains
            p.now += 100;
            p.b.heard(new Brain.PeerStatus(BACKUP, 0, 1, true), p.now);
            assertEquals(MASTER, p.b.tick(p.now), "auto_failback does not hand back to a leaving owner");
        }
    }

    @Test
    void aHealedPartitionLeavesExactlyOneMasterWithinTwoKeepalives() throws Exception {
        for (String failback : new String[] {"on", "off"}) {
            Pair p = new Pair(failback);
            p.run(300);
            p.link = false;
            p.run(2000);
            assertEquals(2, p.masters(), "both master while partitioned");
            p.link = true;
            p.run(200);
            assertEquals(1, p.masters(), failback + ": one master two keepalives after healing");
            // with auto_failback the owner wins; without, the one master longer: dir1 (master since the start)
            assertEquals(MASTER, p.a.role());
            assertTrue(p.a.reannounce(), "the winner re-announces the VIP after the loser released it");
        }
    }

    @Test
    void withoutFailbackTheLongerMasterWinsAndATieGoesToTheLowerName() throws Exception {
        Pair p = new Pair("off");
        p.run(300);
        p.aRuns = false;
        p.run(1000); // dir2 master since about 800 ms
        p.aRuns = true;
        p.link = false;
        Pair q = new Pair(brain("dir1", "off", p.now), p.b, p.now);
        q.link = false;
        q.run(2000); // dir1 alone past initdead: master too
        assertEquals(2, q.masters());
        q.link = true;
        q.run(200);
        assertEquals(MASTER, q.b.role(), "dir2 had been master longer");
        assertEquals(BACKUP, q.a.role());
        assertFalse(q.b.self().compareTo(q.a.self()) < 0, "and it won although its name is the higher one");
    }

    @Test
    void aMasterPausedLongerThanDeadtimeRejoinsAsBackup() throws Exception {
        Pair p = new Pair("on");
        p.run(300);
        p.aRuns = false; // SIGSTOP dir1 for 2 s
        p.run(2000);
        assertEquals(MASTER, p.b.role());
        p.aRuns = true;
        assertEquals(BACKUP, p.a.tick(p.now), "back from the pause: backup first");
        p.run(300);
        assertEquals(1, p.masters());
        assertEquals(MASTER, p.a.role(), "then, as the owner with auto_failback, it gets the resources back");
    }

    @Test
    void standbyHandsTheResourcesOverAndTheOwnerDoesNotTakeThemBack() throws Exception {
        Pair p = new Pair("on");
        p.run(300);
        p.a.standby(); // hb_standby on the owner
        p.run(300);
        assertEquals(BACKUP, p.a.role());
        assertEquals(MASTER, p.b.role());
        p.run(2000);
        assertEquals(MASTER, p.b.role(), "no hand-back to an owner that stands by");
        assertEquals(1, p.masters());
        p.bRuns = false; // the peer dies: a standby node still takes over
        p.run(700);
        assertEquals(MASTER, p.a.role());
    }
}
