package org.lvs4j.director.internal;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.lvs4j.api.BatchException;
import org.lvs4j.api.ConnectionEntry;
import org.lvs4j.api.Director;
import org.lvs4j.api.ServiceKey;
import org.lvs4j.api.ServiceStatus;
import org.lvs4j.api.TableChange;
import org.lvs4j.api.TableException;
import org.lvs4j.api.Timeouts;

/** The {@link Director} API over a {@link Table}; the OSGi component adds clocks, plug-ins and configuration. */
public class TableDirector implements Director {

    protected final Table table;

    public TableDirector(Table table) {
        this.table = table;
    }

    /** The table behind this director, for engines in the same framework and for tests. */
    public Table table() {
        return table;
    }

    @Override
    public void apply(TableChange change) throws TableException {
        table.apply(change);
    }

    @Override
    public void apply(List<? extends TableChange> changes) throws BatchException {
        table.apply(changes);
    }

    @Override
    public List<ServiceStatus> services() {
        return table.services();
    }

    @Override
    public Optional<ServiceStatus> service(ServiceKey key) {
        return table.service(key);
    }

    @Override
    public List<ConnectionEntry> connections() {
        return table.connections();
    }

    @Override
    public Timeouts timeouts() {
        return table.timeouts();
    }

    @Override
    public Map<String, Long> sysctls() {
        return table.sysctls().snapshot();
    }

    @Override
    public void setSysctl(String name, long value) {
        table.sysctls().set(name, value);
    }

    @Override
    public List<String> schedulers() {
        return table.schedulerNames();
    }

    @Override
    public void addChangeListener(Runnable listener) {
        table.addChangeListener(listener);
    }

    @Override
    public void removeChangeListener(Runnable listener) {
        table.removeChangeListener(listener);
    }
}
