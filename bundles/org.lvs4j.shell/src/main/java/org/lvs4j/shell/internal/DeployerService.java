package org.lvs4j.shell.internal;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import org.lvs4j.api.plugins.PluginDeployer;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;

/** {@code lvs:deploy} and {@code lvs:undeploy} as a service, for the admin page. */
@Component(service = PluginDeployer.class)
public class DeployerService implements PluginDeployer {

    private final Deployer deployer;

    @Activate
    public DeployerService(BundleContext context) {
        this.deployer = new Deployer(context);
    }

    @Override
    public String deploy(Path jar) {
        return run((out, err) -> deployer.deploy(List.of(jar.toString()), out, err));
    }

    @Override
    public String undeploy(String name) {
        return run((out, err) -> deployer.undeploy(List.of(name), out, err));
    }

    private interface Action {
        int run(PrintStream out, PrintStream err);
    }

    /** Runs a shell action; its output is the answer, its error the exception (exit 2: bad input, 1: failure). */
    private static String run(Action action) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = action.run(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        String message = err.toString(StandardCharsets.UTF_8).strip().replaceFirst("^lvs4j: (un)?deploy: ", "");
        if (code == 0) {
            return out.toString(StandardCharsets.UTF_8).strip();
        }
        if (code == 2 || message.startsWith("no scheduler or bundle") || message.contains("is not a")) {
            throw new IllegalArgumentException(message);
        }
        throw new IllegalStateException(message);
    }
}
