package org.lvs4j.api.sync;

import java.util.List;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Starts and stops the sync daemons, as {@code ipvsadm --start-daemon} and {@code --stop-daemon} do. A director may
 * run a master and a backup daemon at once (keepalived's {@code lvs_sync_daemon} does), so that whichever director
 * carries traffic keeps the other one's table warm.
 */
@ProviderType
public interface SyncControl {

    /** The daemon's role. */
    enum Role {
        MASTER, BACKUP;

        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * Starts a daemon.
     *
     * @throws IllegalStateException   "Daemon has already run" when one of that role runs
     * @throws IllegalArgumentException naming a bad setting (unknown interface, a group that is not multicast, ...)
     */
    SyncSettings start(SyncSettings settings);

    /**
     * Stops the daemon of a role.
     *
     * @throws IllegalStateException "No daemon is running"
     */
    void stop(Role role);

    /** The running daemons, master first. */
    List<SyncSettings> running();
}
