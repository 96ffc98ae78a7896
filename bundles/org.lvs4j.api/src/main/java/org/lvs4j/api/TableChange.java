package org.lvs4j.api;

import java.net.InetAddress;

/**
 * One edit of the director's table, the unit of {@link Director#apply}. Each kind matches an ipvsadm command.
 */
public sealed interface TableChange {

    /**
     * {@code -A}.
     *
     * @param config              the new service
     * @param allowMissingScheduler accept the service even if its scheduler is not registered, and list it
     *                            {@code [no scheduler]} until one is (restoring a table does this)
     */
    record AddService(ServiceConfig config, boolean allowMissingScheduler) implements TableChange {
        public AddService(ServiceConfig config) {
            this(config, false);
        }
    }

    /**
     * {@code -E}: replaces the service's configuration; real servers and connections stay.
     *
     * @param config              the service's new configuration
     * @param allowMissingScheduler as for {@link AddService}
     */
    record EditService(ServiceConfig config, boolean allowMissingScheduler) implements TableChange {
        public EditService(ServiceConfig config) {
            this(config, false);
        }
    }

    /** {@code -D}. */
    record DeleteService(ServiceKey key) implements TableChange {
    }

    /** {@code -C}. */
    record Flush() implements TableChange {
    }

    /** {@code -a}. */
    record AddRealServer(ServiceKey service, RealServerConfig config) implements TableChange {
    }

    /** {@code -e}: replaces the real server's configuration; its admin state and connections stay. */
    record EditRealServer(ServiceKey service, RealServerConfig config) implements TableChange {
    }

    /** {@code -d}. */
    record DeleteRealServer(ServiceKey service, InetAddress address, int port) implements TableChange {
    }

    /** {@code -Z}: zero counters and rates of one service, or of all when {@code service} is null. */
    record Zero(ServiceKey service) implements TableChange {
    }

    /** {@code --set}: zero values keep the current timeout. */
    record SetTimeouts(Timeouts timeouts) implements TableChange {
    }

    /** The operator's drain/maint/ready state of one real server. */
    record SetAdminState(ServiceKey service, InetAddress address, int port, AdminState state)
            implements TableChange {
    }
}
