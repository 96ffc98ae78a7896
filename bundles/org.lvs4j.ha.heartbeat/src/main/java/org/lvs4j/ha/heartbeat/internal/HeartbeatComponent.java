package org.lvs4j.ha.heartbeat.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Hashtable;


import org.lvs4j.api.ha.HaModule;
import org.lvs4j.api.ha.HaResource;
import org.lvs4j.api.ha.HaState;
import org.lvs4j.api.health.ConfigException;
import org.lvs4j.api.sync.SyncControl;
import org.lvs4j.api.sync.SyncSettings;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HA module of a director started with {@code ./lvs4j run --ha-dir DIR} (framework property
 * {@code lvs4j.ha.dir}): reads the three heartbeat files, runs the node, and offers {@link HaModule} and the
 * {@code lvs:ha} command. Without the property it does nothing: the director runs alone. A configuration error leaves
 * the module in FAULT, holding nothing, with the error in {@code lvs:ha} and the log.
 */
@Component(immediate = true, service = {})
public class HeartbeatComponent {

    static final Logger LOG = LoggerFactory.getLogger(HeartbeatComponent.class);
    static final String HA_DIR = "lvs4j.ha.dir";

    private Node node;
    private HaConfig.SyncDaemon syncDaemon;
    private String selfName;
    private String peerName;
    private SyncControl sync;
    private String fault;
    private Path dir;
    private ServiceRegistration<?> registration;

    /** {@link HaModule} and the {@code lvs:ha} command in one object. */
    public final class Service implements HaModule {
        @Override
        public HaState state() {
            if (node == null) {
                return HaState.FAULT;
            }
            return switch (node.role()) {
                case INIT -> HaState.INIT;
                case BACKUP -> HaState.BACKUP;
                case MASTER -> HaState.MASTER;
            };
        }

        @Override
        public void standby() {
            if (node != null) {
                node.standby();
            }
        }

        @Override
        public void takeover() {
            if (node != null) {
                node.takeover();
            }
        }

        @Override
        public java.util.List<String> transitions() {
            Node n = node;
            return n == null ? java.util.List.of() : n.transitions();
        }

        @Override
        public void leave() {
            Node n = node;
            if (n != null) {
                n.stop(false); // a master releases and tells the peer first
            }
        }

        /** Gogo {@code lvs:ha [standby|takeover]}. */
        public String ha(String... args) {
            if (node == null) {
                return "HA FAULT (" + dir + "): " + fault + "\n";
            }
            if (args.length == 1 && args[0].equals("standby")) {
                node.standby();
                return "standby: the resources go to the peer at the next keepalive\n";
            }
            if (args.length == 1 && args[0].equals("takeover")) {
                node.takeover();
                return "takeover: the peer is asked to stand by\n";
            }
            if (args.length == 1 && args[0].equals("diff")) {
                return diff();
            }
            if (args.length > 0) {
                throw new IllegalArgumentException("usage: ha [standby|takeover|diff]");
            }
            return node.describe();
        }
    }

    /**
     * {@code lvs:ha diff}: this director's table against the peer's, both as {@code ipvsadm -S -n} prints them; lines
     * only here are marked "-", lines only on the peer "+".
     */
    String diff() {
        Node n = node;
        String mine = tableText();
        String theirs;
        try {
            theirs = n.peerTable().get(2, java.util.concurrent.TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            return "no answer from " + peerName + " within 2 s (down, or the link drops large datagrams)\n";
        } catch (Exception e) {
            return "cannot ask " + peerName + ": " + e.getMessage() + "\n";
        }
        return TableDiff.of(selfName, mine, peerName, theirs);
    }

    private String tableText() {
        org.lvs4j.ipvsadm.Ipvsadm i = ipvsadm;
        if (i == null) {
            return "";
        }
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        java.io.PrintStream ps = new java.io.PrintStream(out, true, StandardCharsets.UTF_8);
        i.run(java.util.List.of("-S", "-n"), java.io.InputStream.nullInputStream(), ps, ps);
        return out.toString(StandardCharsets.UTF_8);
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile org.lvs4j.ipvsadm.Ipvsadm ipvsadm;

    @Activate
    synchronized void activate(BundleContext context) {
        String d = context.getProperty(HA_DIR);
        if (d == null || d.isBlank()) {
            LOG.info("no {}: this director runs without a peer", HA_DIR);
            return;
        }
        dir = Path.of(d);
        try {
            HaConfig config = HaConfig.parse(dir.resolve("ha.cf"), read(dir.resolve("ha.cf")));
            AuthKeys keys = AuthKeys.read(dir.resolve("authkeys"));
            HaResources resources = HaResources.parse(dir.resolve("haresources"), read(dir.resolve("haresources")));
            if (!config.nodes().contains(resources.owner())) {
                throw new ConfigException(dir.resolve("haresources"), 1, "node " + resources.owner()
                        + " is not one of ha.cf's nodes " + config.nodes());
            }
            Resources held = new Resources(resources, dir, engines);
            this.held = held;
            try {
                held.stepDown(); // a node starts holding nothing, also after it was killed while master
            } catch (Exception e) {
                LOG.debug("releasing at start: {}", e.getMessage());
            }
            Node n = new Node(config, keys, resources.owner(), held, () -> System.nanoTime() / 1_000_000);
            n.tableSource(this::tableText);
            n.listen();
            node = n;
            runWhenStarted(context, n);
            selfName = config.self();
            peerName = config.peer();
            syncDaemon = config.syncDaemon();
            startSync();
            LOG.info("HA: {} with peer {}, keepalive {} ms, deadtime {} ms, resources owned by {}", config.self(),
                    config.peer(), config.keepaliveMillis(), config.deadtimeMillis(), resources.owner());
        } catch (ConfigException | IOException e) {
            fault = e.getMessage();
            LOG.error("HA disabled, this director holds no resources: {}", fault);
        }
        Hashtable<String, Object> props = new Hashtable<>();
        props.put("osgi.command.scope", "lvs");
        props.put("osgi.command.function", new String[] {"ha"});
        registration = context.registerService(new String[] {HaModule.class.getName(), Service.class.getName()},
                new Service(), props);
    }

    /** The director's own HA resources: the socket engine's listeners. */
    private final java.util.List<HaResource> engines = new java.util.concurrent.CopyOnWriteArrayList<>();
    private volatile Resources held;

    /** A socket engine appeared: while master, it is given its listeners at once (it may start after the HA). */
    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            target = "(" + HaResource.NAME + "=lvs4j)")
    void bindEngine(HaResource engine) {
        engines.add(engine);
        Resources r = held;
        if (r != null && r.directorHeld()) {
            try {
                engine.acquire();
            } catch (Exception e) {
                LOG.error("HA: the socket engine's listeners: {}", e.getMessage());
            }
        }
    }

    void unbindEngine(HaResource engine) {
        engines.remove(engine);
    }

    /** The sync bundle came: ha.cf's sync_daemon starts on it (it may come before or after the HA module). */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    synchronized void bindSync(SyncControl control) {
        sync = control;
        startSync();
    }

    synchronized void unbindSync(SyncControl control) {
        if (sync == control) {
            sync = null;
        }
    }

    /**
     * Both sync roles on ha.cf's device, signed with authkeys' key: whichever director carries the traffic keeps the
     * other's connection table warm, so established streams survive a takeover.
     */
    private synchronized void startSync() {
        HaConfig.SyncDaemon d = syncDaemon;
        SyncControl control = sync;
        if (d == null || control == null || node == null) {
            return;
        }
        for (SyncControl.Role role : SyncControl.Role.values()) {
            try {
                control.start(new SyncSettings(role, d.device(), d.syncId(), 0, null, 0, 0,
                        dir.resolve("authkeys").toString()));
            } catch (IllegalStateException already) {
                LOG.debug("{} sync daemon already runs", role.label());
            } catch (IllegalArgumentException e) {
                LOG.error("HA: sync_daemon {}: {}", d.device(), e.getMessage());
            }
        }
    }

    /**
     * The node enters the election once the director is ready, as the control socket waits (the framework started,
     * every bundle active): a director that took over, or had the resources handed back, while its table and engines
     * were still loading would hold a VIP it cannot serve yet.
     */
    private static void runWhenStarted(BundleContext context, Node n) {
        Thread.ofPlatform().daemon().name("lvs4j-ha-start").start(() -> {
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.MINUTES.toNanos(2);
            try {
                while (!ready(context) && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
            } catch (InterruptedException | IllegalStateException e) {
                return; // stopping
            }
            n.run();
        });
    }

    private static boolean ready(BundleContext context) {
        for (org.osgi.framework.Bundle b : context.getBundles()) {
            boolean fragment = b.getHeaders().get(org.osgi.framework.Constants.FRAGMENT_HOST) != null;
            if (!fragment && b.getState() != org.osgi.framework.Bundle.ACTIVE) {
                return false;
            }
        }
        return true;
    }

    private static String read(Path file) throws ConfigException {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigException(file, 0, "cannot read: " + e.getMessage());
        }
    }

    @Deactivate
    synchronized void deactivate() {
        if (registration != null) {
            registration.unregister();
        }
        if (syncDaemon != null && sync != null) {
            for (SyncControl.Role role : SyncControl.Role.values()) {
                try {
                    sync.stop(role);
                } catch (IllegalStateException notRunning) {
                    // stopped by hand already
                }
            }
        }
        if (node != null) {
            node.stop(false); // graceful: release first and tell the peer
            node = null;
        }
    }

}
