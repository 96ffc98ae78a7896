package org.lvs4j.ha.heartbeat.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Hashtable;


import org.lvs4j.api.ha.HaModule;
import org.lvs4j.api.ha.HaState;
import org.lvs4j.api.health.ConfigException;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
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
            if (args.length > 0) {
                throw new IllegalArgumentException("usage: ha [standby|takeover]");
            }
            return node.describe();
        }
    }

    @Activate
    void activate(BundleContext context) {
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
            Resources held = new Resources(resources, dir);
            try {
                held.stepDown(); // a node starts holding nothing, also after it was killed while master
            } catch (Exception e) {
                LOG.debug("releasing at start: {}", e.getMessage());
            }
            Node n = new Node(config, keys, resources.owner(), held, () -> System.nanoTime() / 1_000_000);
            n.start();
            node = n;
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

    private static String read(Path file) throws ConfigException {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigException(file, 0, "cannot read: " + e.getMessage());
        }
    }

    @Deactivate
    void deactivate() {
        if (registration != null) {
            registration.unregister();
        }
        if (node != null) {
            node.stop(false); // graceful: release first and tell the peer
            node = null;
        }
    }

}
