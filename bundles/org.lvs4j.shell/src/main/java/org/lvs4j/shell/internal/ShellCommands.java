package org.lvs4j.shell.internal;

import java.io.InputStream;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.apache.felix.service.command.Descriptor;
import org.lvs4j.api.AdminState;
import org.lvs4j.api.Director;
import org.lvs4j.ipvsadm.Ipvsadm;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The {@code lvs:} commands. The same verbs serve the Gogo console and {@code ./lvs4j ctl}; each returns the exit code
 * a script sees. The component is immediate: Gogo releases delayed command services after every call.
 */
@Component(immediate = true, service = ShellCommands.class, property = {
    "osgi.command.scope=lvs",
    "osgi.command.function=ipvsadm",
    "osgi.command.function=sysctl",
    "osgi.command.function=server",
    "osgi.command.function=schedulers",
    "osgi.command.function=deploy",
    "osgi.command.function=checks",
    "osgi.command.function=ldirectord",
    "osgi.command.function=undeploy",
    "osgi.command.function=bundles",
    "osgi.command.function=bundle",
    "osgi.command.function=stop",
    "osgi.command.function=help"
})
public class ShellCommands {

    static final String HELP = """
            lvs4j commands (Gogo scope lvs:, or ./lvs4j ctl COMMAND):
              ipvsadm ARGS...                      ipvsadm 1.31's grammar and output (-A -a -L -S -R -Z --set ...)
              sysctl [NAME [VALUE]]                show or set a tunable (expire_nodest_conn, conn_reuse_mode, ...)
              server ready|drain|maint -t|-u VIP:PORT -r RIP[:PORT]
                                                   set a real server's admin state (drain: persistent clients only)
              schedulers                           list the schedulers: name, bundle, version
              checks [--stats]                     the health of every checked real server (or check statistics)
              ldirectord load|reload|check [FILE]  apply (or only parse) an ldirectord.cf file
              deploy JAR                           install or replace a scheduler bundle (kept in STATE/deploy)
              undeploy SCHEDULER|BUNDLE            remove a scheduler bundle
              bundles                              list the bundles: id, state, name, version
              bundle start|stop|update NAME [JAR]  start, stop or update a bundle (update from JAR if given)
              packet                               the packet engine (-g -i -m): links, VIPs, counters
              stop                                 stop accepting, drain, save the table and exit
              help                                 this text
            """;

    private final Director director;
    private final Ipvsadm ipvsadm;
    private final Lifecycle lifecycle;
    private final BundleContext context;
    private final Deployer deployer;

    @org.osgi.service.component.annotations.Reference(
            cardinality = org.osgi.service.component.annotations.ReferenceCardinality.OPTIONAL,
            policy = org.osgi.service.component.annotations.ReferencePolicy.DYNAMIC)
    volatile org.lvs4j.api.health.HealthMonitor health;

    @Activate
    public ShellCommands(BundleContext context, @Reference Director director, @Reference Ipvsadm ipvsadm,
                         @Reference Lifecycle lifecycle) {
        this.context = context;
        this.director = director;
        this.ipvsadm = ipvsadm;
        this.lifecycle = lifecycle;
        this.deployer = new Deployer(context);
    }

    /** Runs a verb by name (ctl's entry point); {@code lvs:} prefixes are accepted. */
    public int dispatch(List<String> argv, InputStream in, PrintStream out, PrintStream err) {
        if (argv.isEmpty()) {
            err.print(HELP);
            return 2;
        }
        String verb = argv.get(0);
        if (verb.startsWith("lvs:")) {
            verb = verb.substring(4);
        }
        List<String> args = argv.subList(1, argv.size());
        return switch (verb) {
            case "ipvsadm" -> ipvsadm.run(args, in, out, err);
            case "sysctl" -> sysctl(args, out, err);
            case "server" -> server(args, err);
            case "schedulers" -> deployer.schedulers(out);
            case "deploy" -> deployer.deploy(args, out, err);
            case "checks" -> checks(args, out, err);
            case "ldirectord" -> ldirectord(args, out, err);
            case "undeploy" -> deployer.undeploy(args, out, err);
            case "bundles" -> bundles(out);
            case "bundle" -> bundle(args, out, err);
            case "stop" -> stop(out);
            case "help" -> {
                out.print(HELP);
                yield 0;
            }
            default -> contributed(verb, args, out, err);
        };
    }

    /**
     * A command another bundle adds to the {@code lvs:} scope (a service with {@code osgi.command.scope=lvs} and the
     * verb in {@code osgi.command.function}, as Gogo finds it): its public method of that name, with the arguments
     * as strings when it takes any; what it returns is printed.
     */
    private int contributed(String verb, List<String> args, PrintStream out, PrintStream err) {
        if (verb.matches("[A-Za-z][A-Za-z0-9]*")) {
            try {
                var refs = context.getServiceReferences((String) null,
                        "(&(osgi.command.scope=lvs)(osgi.command.function=" + verb + "))");
                for (var ref : refs == null ? new org.osgi.framework.ServiceReference<?>[0] : refs) {
                    Object service = context.getService(ref);
                    if (service == null || service == this) {
                        continue;
                    }
                    try {
                        for (java.lang.reflect.Method m : service.getClass().getMethods()) {
                            if (!m.getName().equals(verb)) {
                                continue;
                            }
                            Object result;
                            if (m.getParameterCount() == 0 && args.isEmpty()) {
                                result = m.invoke(service);
                            } else if (m.getParameterCount() == 1 && m.getParameterTypes()[0] == String[].class) {
                                result = m.invoke(service, (Object) args.toArray(new String[0]));
                            } else {
                                continue;
                            }
                            if (result != null) {
                                out.print(result);
                            }
                            return 0;
                        }
                    } finally {
                        context.ungetService(ref);
                    }
                }
            } catch (org.osgi.framework.InvalidSyntaxException | ReflectiveOperationException e) {
                Throwable cause = e instanceof java.lang.reflect.InvocationTargetException ite ? ite.getCause() : e;
                err.println("lvs4j: " + verb + ": " + cause.getMessage());
                return 1;
            }
        }
        err.println("lvs4j: unknown command " + verb + " (try help)");
        return 2;
    }

    int sysctl(List<String> args, PrintStream out, PrintStream err) {
        Map<String, Long> all = director.sysctls();
        if (args.isEmpty()) {
            all.forEach((k, v) -> out.println(k + " = " + v));
            return 0;
        }
        String name = args.get(0);
        if (!all.containsKey(name)) {
            err.println("lvs4j: sysctl: unknown name " + name + " (known: " + String.join(", ", all.keySet()) + ")");
            return 2;
        }
        if (args.size() == 1) {
            out.println(name + " = " + all.get(name));
            return 0;
        }
        if (args.size() > 2) {
            err.println("lvs4j: sysctl: too many arguments; usage: sysctl [NAME [VALUE]]");
            return 2;
        }
        long value;
        try {
            value = Long.parseLong(args.get(1));
        } catch (NumberFormatException e) {
            err.println("lvs4j: sysctl " + name + ": `" + args.get(1) + "' is not a number");
            return 2;
        }
        try {
            director.setSysctl(name, value);
        } catch (IllegalArgumentException e) {
            err.println("lvs4j: sysctl: " + e.getMessage());
            return 2;
        }
        out.println(name + " = " + director.sysctls().get(name));
        return 0;
    }

    int server(List<String> args, PrintStream err) {
        AdminState state = args.isEmpty() ? null : switch (args.get(0)) {
            case "ready" -> AdminState.READY;
            case "drain" -> AdminState.DRAIN;
            case "maint" -> AdminState.MAINT;
            default -> null;
        };
        if (state == null) {
            err.println("lvs4j: server: usage: server ready|drain|maint -t|-u VIP:PORT -r RIP[:PORT]");
            return 2;
        }
        return ipvsadm.setAdminState(state, args.subList(1, args.size()), err);
    }

    int bundles(PrintStream out) {
        for (Bundle b : context.getBundles()) {
            out.printf("%4d %-9s %s %s%n", b.getBundleId(), state(b), b.getSymbolicName(), b.getVersion());
        }
        return 0;
    }

    static String state(Bundle b) {
        return switch (b.getState()) {
            case Bundle.ACTIVE -> "active";
            case Bundle.RESOLVED -> "resolved";
            case Bundle.INSTALLED -> "installed";
            case Bundle.STARTING -> "starting";
            case Bundle.STOPPING -> "stopping";
            default -> "uninstalled";
        };
    }

    int bundle(List<String> args, PrintStream out, PrintStream err) {
        if (args.size() < 2 || args.size() > 3 || !List.of("start", "stop", "update").contains(args.get(0))
                || (args.size() == 3 && !args.get(0).equals("update"))) {
            err.println("lvs4j: bundle: usage: bundle start|stop NAME, bundle update NAME [JAR]");
            return 2;
        }
        String name = args.get(1);
        Bundle b = java.util.Arrays.stream(context.getBundles())
                .filter(x -> name.equals(x.getSymbolicName()) || ("org.lvs4j." + name).equals(x.getSymbolicName())
                        || name.equals(Long.toString(x.getBundleId())))
                .findFirst().orElse(null);
        if (b == null) {
            err.println("lvs4j: bundle: no bundle " + name + " (see bundles)");
            return 1;
        }
        if (b.getBundleId() == 0) {
            err.println("lvs4j: bundle: use stop to stop the director");
            return 2;
        }
        try {
            switch (args.get(0)) {
                case "start" -> b.start();
                case "stop" -> b.stop();
                default -> {
                    if (args.size() == 3) {
                        try (java.io.InputStream in = java.nio.file.Files.newInputStream(java.nio.file.Path.of(args.get(2)))) {
                            b.update(in);
                        }
                    } else {
                        b.update();
                    }
                }
            }
        } catch (org.osgi.framework.BundleException | java.io.IOException e) {
            Throwable cause = e.getCause();
            err.println("lvs4j: bundle " + args.get(0) + " " + name + ": " + e.getMessage()
                    + (cause != null ? " (" + cause.getMessage() + ")" : "")
                    + (args.get(0).equals("update") && args.size() == 2
                        ? "; name the new jar: bundle update " + name + " JAR" : ""));
            return 1;
        }
        out.println(b.getSymbolicName() + " " + b.getVersion() + " " + state(b));
        return 0;
    }

    int checks(List<String> args, PrintStream out, PrintStream err) {
        org.lvs4j.api.health.HealthMonitor h = health;
        if (!args.isEmpty() && !args.equals(List.of("--stats"))) {
            err.println("lvs4j: checks: usage: checks [--stats]");
            return 2;
        }
        if (h == null) {
            err.println("lvs4j: checks: the health monitor (org.lvs4j.health) is not running");
            return 1;
        }
        if (!args.isEmpty()) {
            out.println(h.statistics());
            return 0;
        }
        java.util.List<org.lvs4j.api.health.CheckStatus> all = h.checks();
        if (all.isEmpty()) {
            out.println(h.configFile().map(f -> "no real servers are checked (" + f + ")")
                    .orElse("no ldirectord configuration loaded (ldirectord load FILE, or run --config FILE)"));
            return 0;
        }
        java.time.format.DateTimeFormatter time = java.time.format.DateTimeFormatter.ofPattern("HH:mm:ss")
                .withZone(java.time.ZoneId.systemDefault());
        out.printf("%-24s %-22s %-10s %-9s %6s %4s %4s  %-8s %s%n", "SERVICE", "SERVER", "CHECK", "STATE",
                "WEIGHT", "FAIL", "OK", "SINCE", "REASON");
        for (org.lvs4j.api.health.CheckStatus c : all) {
            String host = c.address().getHostAddress();
            out.printf("%-24s %-22s %-10s %-9s %6d %4d %4d  %-8s %s%n", c.service(),
                    (host.contains(":") ? "[" + host + "]" : host) + ":" + c.port(), c.check(), c.state(),
                    c.weight(), c.failures(), c.successes(), time.format(c.since()), c.reason());
        }
        return 0;
    }

    int ldirectord(List<String> args, PrintStream out, PrintStream err) {
        org.lvs4j.api.health.HealthMonitor h = health;
        String verb = args.isEmpty() ? "" : args.get(0);
        if (!List.of("load", "reload", "check").contains(verb) || args.size() > 2
                || args.size() == 1 && !verb.equals("reload")) {
            err.println("lvs4j: ldirectord: usage: ldirectord load FILE | reload [FILE] | check FILE");
            return 2;
        }
        if (h == null) {
            err.println("lvs4j: ldirectord: the health monitor (org.lvs4j.health) is not running");
            return 1;
        }
        java.nio.file.Path file;
        if (args.size() == 2) {
            file = java.nio.file.Path.of(args.get(1)).toAbsolutePath();
        } else if (h.configFile().isPresent()) {
            file = h.configFile().get();
        } else {
            err.println("lvs4j: ldirectord reload: no file loaded yet; name one");
            return 2;
        }
        try {
            String summary = h.load(file, verb.equals("check"));
            out.println((verb.equals("check") ? "ok" : verb.equals("load") ? "loaded" : "reloaded") + " " + file
                    + ": " + summary);
            return 0;
        } catch (org.lvs4j.api.health.ConfigException e) {
            err.println("lvs4j: " + e.getMessage() + (verb.equals("check") ? "" : " (nothing was changed)"));
            return 1;
        }
    }

    int stop(PrintStream out) {
        out.println("stopping: draining connections, saving the table");
        lifecycle.stopAsync();
        return 0;
    }

    // Gogo entry points: Gogo redirects System.out/err to the session per thread.

    @Descriptor("run an ipvsadm command line")
    public void ipvsadm(@Descriptor("ipvsadm arguments") String... args) {
        gogo("ipvsadm", args);
    }

    @Descriptor("show or set a tunable")
    public void sysctl(@Descriptor("[NAME [VALUE]]") String... args) {
        gogo("sysctl", args);
    }

    @Descriptor("set a real server's admin state: ready|drain|maint -t VIP:PORT -r RIP[:PORT]")
    public void server(@Descriptor("state and server") String... args) {
        gogo("server", args);
    }

    @Descriptor("list the schedulers: name, bundle, version")
    public void schedulers() {
        gogo("schedulers");
    }

    @Descriptor("the health of every checked real server")
    public void checks(@Descriptor("[--stats]") String... args) {
        gogo("checks", args);
    }

    @Descriptor("apply, reload or only parse an ldirectord.cf file")
    public void ldirectord(@Descriptor("load FILE | reload [FILE] | check FILE") String... args) {
        gogo("ldirectord", args);
    }

    @Descriptor("install or replace a scheduler bundle")
    public void deploy(@Descriptor("JAR") String... args) {
        gogo("deploy", args);
    }

    @Descriptor("remove a scheduler bundle")
    public void undeploy(@Descriptor("SCHEDULER|BUNDLE") String... args) {
        gogo("undeploy", args);
    }

    @Descriptor("list the bundles")
    public void bundles() {
        gogo("bundles");
    }

    @Descriptor("start, stop or update a bundle")
    public void bundle(@Descriptor("start|stop|update NAME [JAR]") String... args) {
        gogo("bundle", args);
    }

    @Descriptor("stop the director gracefully")
    public void stop() {
        gogo("stop");
    }

    @Descriptor("list the lvs commands")
    public void help() {
        gogo("help");
    }

    private void gogo(String verb, String... args) {
        String[] argv = new String[args.length + 1];
        argv[0] = verb;
        System.arraycopy(args, 0, argv, 1, args.length);
        int code = dispatch(Arrays.asList(argv), System.in, System.out, System.err);
        if (code != 0) {
            System.err.println("(exit " + code + ")");
        }
    }
}
