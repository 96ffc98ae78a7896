package org.lvs4j.shell.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

import org.lvs4j.api.scheduler.Scheduler;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;

/**
 * Hot deployment of scheduler bundles ({@code lvs:deploy}, {@code lvs:undeploy}, {@code lvs:schedulers}).
 *
 * <p>A deployed jar goes into the state dir's {@code deploy/} folder, under its symbolic name, where FileInstall
 * installs and starts it; it stays deployed across restarts and a later jar of the same name replaces it in place.
 * A jar whose bundle is built into the appliance updates that bundle instead, so one name never has two copies.
 * Both wait until the bundle is active and its schedulers are registered, so a script can send traffic right after.
 */
final class Deployer {

    /** How long FileInstall (polling every 500 ms) and SCR get to bring a bundle up or down. */
    static final long WAIT_MILLIS = 20_000;

    private final BundleContext context;

    Deployer(BundleContext context) {
        this.context = context;
    }

    private Path deployDir() {
        String dir = context.getProperty("felix.fileinstall.dir");
        return dir == null ? null : Path.of(dir).toAbsolutePath().normalize();
    }

    /** The bundle came from the deploy folder. */
    private boolean deployed(Bundle b) {
        Path dir = deployDir();
        String location = b.getLocation();
        if (dir == null || location == null) {
            return false;
        }
        try {
            String s = location.startsWith("reference:") ? location.substring("reference:".length()) : location;
            return s.startsWith("file:") && Path.of(URI.create(s)).toAbsolutePath().normalize().startsWith(dir);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    int deploy(List<String> args, PrintStream out, PrintStream err) {
        if (args.size() != 1) {
            err.println("lvs4j: deploy: usage: deploy JAR");
            return 2;
        }
        Path jar = Path.of(args.get(0)).toAbsolutePath();
        if (!Files.isRegularFile(jar)) {
            err.println("lvs4j: deploy: no such file " + jar);
            return 1;
        }
        String header;
        try (JarFile f = new JarFile(jar.toFile())) {
            Manifest m = f.getManifest();
            header = m == null ? null : m.getMainAttributes().getValue(Constants.BUNDLE_SYMBOLICNAME);
        } catch (IOException e) {
            err.println("lvs4j: deploy: " + jar + " is not a jar (" + e.getMessage() + ")");
            return 1;
        }
        if (header == null) {
            err.println("lvs4j: deploy: " + jar + " is not an OSGi bundle (no Bundle-SymbolicName)");
            return 1;
        }
        String bsn = header.split(";")[0].trim();
        Bundle existing = bySymbolicName(bsn);
        if (existing != null && existing.getBundleId() == 0) {
            err.println("lvs4j: deploy: " + bsn + " is the framework");
            return 2;
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MILLIS);
        Bundle b;
        if (existing != null && !deployed(existing)) {
            try (InputStream in = Files.newInputStream(jar)) {
                existing.update(in);
            } catch (BundleException | IOException e) {
                err.println("lvs4j: deploy: updating " + bsn + " failed: " + e.getMessage()
                        + (e.getCause() != null ? " (" + e.getCause().getMessage() + ")" : ""));
                return 1;
            }
            b = existing;
        } else {
            Path dir = deployDir();
            if (dir == null) {
                err.println("lvs4j: deploy: no deploy folder (felix.fileinstall.dir is not set)");
                return 1;
            }
            try {
                Files.createDirectories(dir);
                // Copied beside the folder and renamed in, so FileInstall never sees half a jar.
                Path tmp = Files.createTempFile(dir.getParent(), ".deploy-", ".jar");
                Files.copy(jar, tmp, StandardCopyOption.REPLACE_EXISTING);
                Files.move(tmp, dir.resolve(bsn + ".jar"), StandardCopyOption.REPLACE_EXISTING,
                        StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                err.println("lvs4j: deploy: cannot copy " + jar + " into " + dir + ": " + e.getMessage());
                return 1;
            }
            // Installing or updating changes the bundle's last-modified time; that is what to wait for.
            long before = existing == null ? Long.MIN_VALUE : existing.getLastModified();
            b = await(deadline, () -> {
                Bundle x = bySymbolicName(bsn);
                return x != null && x.getState() == Bundle.ACTIVE && x.getLastModified() != before ? x : null;
            });
            if (b == null) {
                Bundle x = bySymbolicName(bsn);
                err.println("lvs4j: deploy: " + bsn + " did not start within " + WAIT_MILLIS / 1000 + " s"
                        + (x == null ? " (not installed: see the log)" : " (" + ShellCommands.state(x)
                        + "; missing requirements? see the log)"));
                return 1;
            }
        }
        Bundle active = b;
        // SCR registers the bundle's components just after it starts; a bundle without schedulers is let go sooner.
        long registered = Math.min(deadline, System.nanoTime() + TimeUnit.SECONDS.toNanos(5));
        List<String> names = await(registered, () -> {
            List<String> n = schedulerNames(active);
            return n.isEmpty() ? null : n;
        });
        out.println("deployed " + bsn + " " + b.getVersion()
                + (names == null || names.isEmpty() ? "" : ": scheduler " + String.join(", ", names)));
        return 0;
    }

    int undeploy(List<String> args, PrintStream out, PrintStream err) {
        if (args.size() != 1) {
            err.println("lvs4j: undeploy: usage: undeploy SCHEDULER|BUNDLE");
            return 2;
        }
        String name = args.get(0);
        Bundle b = bySchedulerName(name);
        if (b == null) {
            b = bySymbolicName(name);
        }
        if (b == null) {
            b = bySymbolicName("org.lvs4j." + name);
        }
        if (b == null) {
            err.println("lvs4j: undeploy: no scheduler or bundle " + name + " (see schedulers)");
            return 1;
        }
        if (!deployed(b) && schedulerNames(b).isEmpty()) {
            err.println("lvs4j: undeploy: " + b.getSymbolicName() + " is neither a scheduler nor deployed here;"
                    + " use bundle stop");
            return 2;
        }
        String what = b.getSymbolicName() + " " + b.getVersion();
        long id = b.getBundleId();
        boolean builtIn = !deployed(b);
        try {
            if (!builtIn) {
                Files.deleteIfExists(Path.of(URI.create(b.getLocation().replaceFirst("^reference:", ""))));
            } else {
                b.uninstall();
            }
        } catch (IOException | BundleException | IllegalArgumentException e) {
            err.println("lvs4j: undeploy: " + what + ": " + e.getMessage());
            return 1;
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MILLIS);
        if (await(deadline, () -> context.getBundle(id) == null ? Boolean.TRUE : null) == null) {
            err.println("lvs4j: undeploy: " + what + " is still installed after " + WAIT_MILLIS / 1000 + " s");
            return 1;
        }
        // A built-in scheduler is installed again at the next start, as IPVS loads a scheduler module on demand.
        out.println("undeployed " + what + (builtIn ? " (built in: back at the next start)" : ""));
        return 0;
    }

    int schedulers(PrintStream out) {
        List<String[]> rows = new ArrayList<>();
        for (ServiceReference<Scheduler> r : schedulerReferences(null)) {
            Bundle b = r.getBundle();
            if (b == null) {
                continue;
            }
            rows.add(new String[] {String.valueOf(r.getProperty(Scheduler.NAME)), b.getSymbolicName(),
                b.getVersion().toString()});
        }
        // Best first within a name, as the director chooses: higher ranking, then the older service.
        out.printf("%-8s %-32s %s%n", "NAME", "BUNDLE", "VERSION");
        String previous = null;
        for (String[] row : rows) {
            out.printf("%-8s %-32s %s%s%n", row[0], row[1], row[2], row[0].equals(previous) ? " (standby)" : "");
            previous = row[0];
        }
        return 0;
    }

    private List<ServiceReference<Scheduler>> schedulerReferences(String name) {
        try {
            List<ServiceReference<Scheduler>> refs = new ArrayList<>(context.getServiceReferences(Scheduler.class,
                    name == null ? null : "(" + Scheduler.NAME + "=" + name + ")"));
            refs.sort(Comparator.comparing((ServiceReference<Scheduler> r) -> String.valueOf(r.getProperty(
                    Scheduler.NAME))).thenComparing(Comparator.reverseOrder()));
            return refs;
        } catch (InvalidSyntaxException e) {
            return List.of();
        }
    }

    private List<String> schedulerNames(Bundle b) {
        List<String> names = new ArrayList<>();
        for (ServiceReference<Scheduler> r : schedulerReferences(null)) {
            if (b.equals(r.getBundle())) {
                names.add(String.valueOf(r.getProperty(Scheduler.NAME)));
            }
        }
        return names;
    }

    private Bundle bySchedulerName(String name) {
        if (!name.matches("[A-Za-z0-9_.-]+")) {
            return null;
        }
        List<ServiceReference<Scheduler>> refs = schedulerReferences(name);
        return refs.isEmpty() ? null : refs.get(0).getBundle();
    }

    private Bundle bySymbolicName(String bsn) {
        return Arrays.stream(context.getBundles()).filter(x -> bsn.equals(x.getSymbolicName()))
                .max(Comparator.comparing(Bundle::getVersion)).orElse(null);
    }

    /** Polls until {@code probe} answers non-null or the deadline passes. */
    private static <T> T await(long deadline, java.util.function.Supplier<T> probe) {
        while (true) {
            T t = probe.get();
            if (t != null || System.nanoTime() - deadline > 0) {
                return t;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        }
    }
}
