package org.lvs4j.director.internal;

import java.io.IOException;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.lvs4j.api.BatchException;
import org.lvs4j.api.ConnectionEntry;
import org.lvs4j.api.Director;
import org.lvs4j.api.ForwardMethod;
import org.lvs4j.api.ServiceKey;
import org.lvs4j.api.ServiceStatus;
import org.lvs4j.api.TableChange;
import org.lvs4j.api.TableException;
import org.lvs4j.api.Timeouts;
import org.lvs4j.api.forward.Forwarder;
import org.lvs4j.api.scheduler.Scheduler;
import org.osgi.framework.Constants;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The director as an OSGi service: the {@link Table} plus its clocks, the scheduler and forwarder whiteboards, and
 * the tunables from ConfigurationAdmin (PID {@value #PID}; keys are the sysctl names).
 */
@Component(immediate = true, service = Director.class, configurationPid = DirectorComponent.PID)
public class DirectorComponent implements Director {

    public static final String PID = "org.lvs4j.director";
    private static final Logger LOG = LoggerFactory.getLogger(DirectorComponent.class);

    private final Table table = new Table(Clock.SYSTEM, LocalAddresses::isLocal);
    private ScheduledExecutorService timer;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile ConfigurationAdmin configurationAdmin;

    @Activate
    void activate(Map<String, Object> properties) {
        configure(properties);
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "lvs4j-director-timer");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleAtFixedRate(this::tick, 1, 1, TimeUnit.SECONDS);
        timer.scheduleAtFixedRate(table::estimate, 2, 2, TimeUnit.SECONDS);
    }

    @Modified
    void modified(Map<String, Object> properties) {
        configure(properties);
    }

    @Deactivate
    void deactivate() {
        timer.shutdownNow();
        table.close();
    }

    private void tick() {
        try {
            table.tick();
        } catch (RuntimeException e) {
            LOG.error("connection expiry failed", e);
        }
    }

    private void configure(Map<String, Object> properties) {
        for (String name : table.sysctls().snapshot().keySet()) {
            Object v = properties.get(name);
            if (v == null) {
                continue;
            }
            try {
                table.sysctls().set(name, Long.parseLong(v.toString().trim()));
            } catch (IllegalArgumentException e) {
                LOG.error("configuration {}: {} ignored: {}", PID, name, e.getMessage());
            }
        }
    }

    /** The table behind this service, for engines in the same framework. */
    public Table table() {
        return table;
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void addScheduler(Scheduler scheduler, Map<String, Object> properties) {
        Object name = properties.get(Scheduler.NAME);
        if (name == null) {
            LOG.error("scheduler {} has no {} property and is ignored", scheduler, Scheduler.NAME);
            return;
        }
        Object ranking = properties.get(Constants.SERVICE_RANKING);
        long id = ((Number) properties.getOrDefault(Constants.SERVICE_ID, 0L)).longValue();
        table.addScheduler(name.toString(), scheduler, ranking instanceof Integer r ? r : 0, id);
        LOG.info("scheduler {} registered", name);
    }

    void removeScheduler(Scheduler scheduler, Map<String, Object> properties) {
        table.removeScheduler(scheduler);
        LOG.info("scheduler {} unregistered", properties.get(Scheduler.NAME));
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void addForwarder(Forwarder forwarder, Map<String, Object> properties) {
        ForwardMethod m = method(forwarder, properties);
        if (m != null) {
            table.addForwarder(m);
            LOG.info("forwarder {} registered", m.id());
        }
    }

    void removeForwarder(Forwarder forwarder, Map<String, Object> properties) {
        ForwardMethod m = ForwardMethod.byId(String.valueOf(properties.get(Forwarder.METHOD)));
        if (m != null) {
            table.removeForwarder(m);
            LOG.info("forwarder {} unregistered", m.id());
        }
    }

    private static ForwardMethod method(Forwarder f, Map<String, Object> properties) {
        ForwardMethod m = ForwardMethod.byId(String.valueOf(properties.get(Forwarder.METHOD)));
        if (m == null) {
            LOG.error("forwarder {} has no valid {} property and is ignored", f, Forwarder.METHOD);
        }
        return m;
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
        ConfigurationAdmin cm = configurationAdmin;
        if (cm == null) {
            LOG.warn("sysctl {} = {} is not kept across restarts: no ConfigurationAdmin", name, value);
            return;
        }
        try {
            Configuration c = cm.getConfiguration(PID, "?");
            Dictionary<String, Object> props = c.getProperties();
            if (props == null) {
                props = new Hashtable<>();
            }
            props.put(name, String.valueOf(value));
            c.updateIfDifferent(props);
        } catch (IOException e) {
            LOG.error("sysctl {} = {} could not be saved", name, value, e);
        }
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
