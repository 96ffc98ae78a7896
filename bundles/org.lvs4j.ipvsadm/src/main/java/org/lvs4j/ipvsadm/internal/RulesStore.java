package org.lvs4j.ipvsadm.internal;

import java.io.IOException;
import java.io.Reader;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.lvs4j.api.Director;
import org.lvs4j.ipvsadm.TableStore;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the director's table in {@code STATE/ipvsadm.rules}: restores it when activated, and saves it after every
 * change and at shutdown. Saving writes a temporary file, forces it to disk and renames it over the old one, so a crash
 * leaves either the old or the new table, never a mix. The state dir comes from the framework property
 * {@value #STATE_DIR}. This component being active means the table has been restored. Services that belong to an
 * ldirectord file (the health monitor's) are left out: the file rebuilds them.
 */
@Component(immediate = true, service = TableStore.class)
public class RulesStore implements TableStore {

    /** Framework property naming the state dir. */
    public static final String STATE_DIR = "lvs4j.state.dir";
    static final String FILE = "ipvsadm.rules";
    private static final Logger LOG = LoggerFactory.getLogger(RulesStore.class);

    private final Director director;
    private final Execution execution;
    private final Path file;
    private final ExecutorService saver;
    private final AtomicBoolean pending = new AtomicBoolean();
    private final Runnable onChange = this::scheduleSave;
    /** For looking the health monitor up at save time (it waits for this store, so it cannot be referenced). */
    private final BundleContext context;
    private java.util.Set<org.lvs4j.api.ServiceKey> lastOwned = java.util.Set.of();

    @Activate
    public RulesStore(@Reference Director director, BundleContext context) {
        this.director = director;
        this.context = context;
        this.execution = new Execution(director, Names.system());
        String dir = context.getProperty(STATE_DIR);
        if (dir == null) {
            LOG.warn("no {} property: the table will not be kept across restarts", STATE_DIR);
            this.file = null;
            this.saver = null;
            return;
        }
        this.file = Path.of(dir).resolve(FILE);
        this.saver = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "lvs4j-rules-store");
            t.setDaemon(true);
            return t;
        });
        restore();
        director.addChangeListener(onChange);
    }

    private void restore() {
        if (!Files.exists(file)) {
            LOG.info("no saved table at {}; starting empty", file);
            return;
        }
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            int n = execution.rules().restore(r, director, true);
            LOG.info("restored {} rules from {}", n, file);
        } catch (Rules.RestoreException e) {
            Path aside = file.resolveSibling(FILE + ".rejected-"
                    + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
            LOG.error("{} line {}: {}; the table starts empty and the file is kept as {}", file, e.line,
                    e.getMessage(), aside);
            try {
                Files.move(file, aside);
            } catch (IOException io) {
                LOG.error("cannot move {} aside", file, io);
            }
        } catch (IOException e) {
            LOG.error("cannot read {}", file, e);
        }
    }

    private void scheduleSave() {
        if (pending.compareAndSet(false, true)) {
            saver.execute(() -> {
                pending.set(false);
                save();
            });
        }
    }

    @Override
    public Path file() {
        return file;
    }

    @Override
    public synchronized void save() {
        if (file == null) {
            return;
        }
        // Services of an ldirectord file belong to the file: it rebuilds them, so they are not saved here.
        java.util.Set<org.lvs4j.api.ServiceKey> owned = ownedByFiles();
        String text = Rules.save(execution.listing(), director.services().stream()
                .filter(x -> !owned.contains(x.key())).toList(), director.timeouts());
        Path tmp = file.resolveSibling(FILE + ".tmp");
        try {
            Files.createDirectories(file.getParent());
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer b = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
                while (b.hasRemaining()) {
                    ch.write(b);
                }
                ch.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            try (FileChannel dir = FileChannel.open(file.getParent(), StandardOpenOption.READ)) {
                dir.force(true);
            } catch (IOException ignored) {
                // Not every file system lets a directory be forced; the rename itself is atomic.
            }
        } catch (IOException e) {
            LOG.error("cannot save the table to {}", file, e);
        }
    }

    @Deactivate
    void deactivate() {
        if (file == null) {
            return;
        }
        director.removeChangeListener(onChange);
        saver.shutdown();
        try {
            saver.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        save();
    }

    /**
     * The services the health monitor's ldirectord file owns. While the monitor is away (stopped, being updated, or
     * already gone at shutdown) the last answer stands: the file still rebuilds those services at the next start.
     */
    private java.util.Set<org.lvs4j.api.ServiceKey> ownedByFiles() {
        org.osgi.framework.ServiceReference<org.lvs4j.api.health.HealthMonitor> ref =
                context.getServiceReference(org.lvs4j.api.health.HealthMonitor.class);
        if (ref == null) {
            return lastOwned;
        }
        org.lvs4j.api.health.HealthMonitor h = context.getService(ref);
        try {
            if (h != null) {
                lastOwned = h.ownedServices();
            }
            return lastOwned;
        } finally {
            if (h != null) {
                context.ungetService(ref);
            }
        }
    }
}
