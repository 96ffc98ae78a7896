package org.lvs4j.director.internal;

import java.io.IOException;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.lvs4j.api.Director;
import org.lvs4j.api.ForwardMethod;
import org.lvs4j.api.Engine;
import org.lvs4j.api.ServiceKey;
import org.lvs4j.api.forward.Admission;
import org.lvs4j.api.forward.DataPath;
import org.lvs4j.api.sync.ConnectionSync;
import org.lvs4j.api.sync.SyncedConnection;
import org.lvs4j.api.forward.Entry;
import org.lvs4j.api.forward.Forwarder;
import org.lvs4j.api.forward.ServiceBinder;
import org.lvs4j.api.scheduler.Flow;
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
@Component(immediate = true, service = {Director.class, DataPath.class, ConnectionSync.class},
        configurationPid = DirectorComponent.PID)
public class DirectorComponent extends TableDirector implements DataPath, ConnectionSync {

    public static final String PID = "org.lvs4j.director";
    private static final Logger LOG = LoggerFactory.getLogger(DirectorComponent.class);

    private ScheduledExecutorService timer;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile ConfigurationAdmin configurationAdmin;

    public DirectorComponent() {
        super(new Table(Clock.SYSTEM, LocalAddresses::isLocal));
    }

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

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void addBinder(ServiceBinder binder, Map<String, Object> properties) {
        Object engine = properties.get(ServiceBinder.ENGINE);
        try {
            table.addBinder(Engine.valueOf(String.valueOf(engine).toUpperCase(java.util.Locale.ROOT)), binder);
        } catch (IllegalArgumentException e) {
            LOG.error("service binder {} has no valid {} property (socket or packet) and is ignored", binder,
                    ServiceBinder.ENGINE);
        }
    }

    void removeBinder(ServiceBinder binder) {
        table.removeBinder(binder);
    }

    @Override
    public Admission admit(Flow flow) {
        return table.admit(flow);
    }

    @Override
    public Admission redispatch(Entry failed, Flow flow, java.util.Collection<Entry> tried) {
        return table.redispatch(failed, flow, tried);
    }

    @Override
    public java.util.concurrent.CompletionStage<Void> schedulerReady(ServiceKey service) {
        return table.schedulerReady(service);
    }

    @Override
    public long sysctl(String name) {
        return table.sysctls().get(name);
    }

    @Override
    public Entry find4(int protocol, int client, int clientPort, int vaddr, int vport) {
        return table.find4(protocol, client, clientPort, vaddr, vport);
    }

    @Override
    public Entry findReply4(int protocol, int server, int serverPort, int client, int clientPort) {
        return table.findReply4(protocol, server, serverPort, client, clientPort);
    }

    private static ForwardMethod method(Forwarder f, Map<String, Object> properties) {
        ForwardMethod m = ForwardMethod.byId(String.valueOf(properties.get(Forwarder.METHOD)));
        if (m == null) {
            LOG.error("forwarder {} has no valid {} property and is ignored", f, Forwarder.METHOD);
        }
        return m;
    }

    /** Sets the tunable and keeps it in ConfigurationAdmin, so it survives restarts. */
    @Override
    public void setSysctl(String name, long value) {
        super.setSysctl(name, value);
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
    public void syncSink(Consumer<SyncedConnection> sink) {
        table.sync().syncSink(sink);
    }

    @Override
    public List<SyncedConnection> syncSnapshot() {
        return table.sync().syncSnapshot();
    }

    @Override
    public String applySynced(SyncedConnection entry) {
        return table.sync().applySynced(entry);
    }
}
