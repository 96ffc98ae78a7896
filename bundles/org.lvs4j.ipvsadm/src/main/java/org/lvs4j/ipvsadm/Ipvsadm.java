package org.lvs4j.ipvsadm;

import java.io.InputStream;
import java.io.PrintStream;
import java.util.List;

import org.lvs4j.api.AdminState;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Runs ipvsadm command lines against the director, with ipvsadm 1.31's grammar, output, messages and exit codes.
 */
@ProviderType
public interface Ipvsadm {

    /**
     * Runs one command line.
     *
     * @param args  the arguments after {@code ipvsadm}
     * @param stdin read by {@code -R}
     * @param out   what ipvsadm prints on standard output
     * @param err   what ipvsadm prints on standard error
     * @return ipvsadm's exit code: 0, 1 for a refused table edit, 2 for a bad argument, 255 for a usage error
     */
    int run(List<String> args, InputStream stdin, PrintStream out, PrintStream err);

    /**
     * Sets the admin state of one real server (lvs4j's {@code lvs:server} verb).
     *
     * @param args names the server with ipvsadm's syntax: {@code -t|-u VIP:port -r RIP[:port]}
     * @return 0, 1 if no such service or server, 2 for bad arguments
     */
    int setAdminState(AdminState state, List<String> args, PrintStream err);
}
