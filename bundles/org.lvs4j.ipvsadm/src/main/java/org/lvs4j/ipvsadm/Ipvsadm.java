package org.lvs4j.ipvsadm;

import java.io.InputStream;
import java.io.PrintStream;
import java.util.List;

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
}
