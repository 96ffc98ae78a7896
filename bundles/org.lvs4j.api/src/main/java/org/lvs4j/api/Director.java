package org.lvs4j.api;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The director's table: virtual services, their real servers and the connection table, edited as ipvsadm edits the
 * kernel's. Implemented by {@code org.lvs4j.director}; the shell, ctl, the rules file and the admin page use it.
 *
 * <p>Every edit is atomic: it either applies in full or throws and changes nothing. Reads return immutable
 * snapshots. All methods are thread-safe.
 */
@ProviderType
public interface Director {

    /** Applies one edit. */
    void apply(TableChange change) throws TableException;

    /**
     * Applies a batch all-or-nothing: every change is checked against the table as the earlier ones leave it, and
     * only if all pass is any applied.
     *
     * @throws BatchException naming the first refused change; the table is unchanged
     */
    void apply(List<? extends TableChange> changes) throws BatchException;

    /** Every virtual service, in listing order. */
    List<ServiceStatus> services();

    /** One virtual service. */
    Optional<ServiceStatus> service(ServiceKey key);

    /** The connection table, templates included, in no particular order. */
    List<ConnectionEntry> connections();

    /** The current {@code --set} timeouts. */
    Timeouts timeouts();

    /** The tunables ({@code expire_nodest_conn}, {@code conn_reuse_mode}, ...) with their current values. */
    Map<String, Long> sysctls();

    /**
     * Sets one tunable; the value is kept across restarts.
     *
     * @throws IllegalArgumentException for an unknown name or a value out of range, naming which
     */
    void setSysctl(String name, long value);

    /** Scheduler names currently registered. */
    List<String> schedulers();

    /**
     * Registers a callback run (on an unspecified thread) after every change of the configured table: services, real
     * servers, timeouts or admin states. Counters and connections do not count as changes.
     */
    void addChangeListener(Runnable listener);

    void removeChangeListener(Runnable listener);
}
