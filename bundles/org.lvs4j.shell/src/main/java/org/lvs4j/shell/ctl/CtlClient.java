package org.lvs4j.shell.ctl;

import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * {@code ./lvs4j ctl}: sends one command to a running director and exits with its exit code. Runs on a plain JVM
 * (no OSGi): {@code java -cp org.lvs4j.shell.jar org.lvs4j.shell.ctl.CtlClient SOCKET COMMAND [ARG...]}.
 */
public final class CtlClient {

    private CtlClient() {
    }

    public static void main(String[] argv) {
        if (argv.length < 2) {
            System.err.println("usage: CtlClient SOCKET COMMAND [ARG...]");
            System.exit(2);
        }
        Path socket = Path.of(argv[0]);
        List<String> args = Arrays.asList(argv).subList(1, argv.length);
        System.exit(run(socket, args, System.in, System.out, System.err, stdinIsTerminal()));
    }

    private static boolean stdinIsTerminal() {
        var console = System.console();
        return console != null && console.isTerminal();
    }

    /**
     * Runs one command; stdin is streamed unless it is a terminal.
     *
     * @return the command's exit code, or 255 when there is no director
     */
    public static int run(Path socket, List<String> args, InputStream stdin, PrintStream out, PrintStream err,
                          boolean stdinIsTerminal) {
        SocketChannel ch;
        try {
            ch = SocketChannel.open(StandardProtocolFamily.UNIX);
            ch.connect(UnixDomainSocketAddress.of(socket));
        } catch (IOException e) {
            err.println("no director at " + socket);
            return 255;
        }
        try (ch) {
            OutputStream toDirector = new BufferedOutputStream(Channels.newOutputStream(ch));
            synchronized (toDirector) {
                CtlProtocol.write(toDirector, CtlProtocol.ARGS, CtlProtocol.encodeArgs(args));
                if (stdinIsTerminal) {
                    CtlProtocol.write(toDirector, CtlProtocol.STDIN_END, new byte[0]);
                }
                toDirector.flush();
            }
            if (!stdinIsTerminal) {
                Thread pump = new Thread(() -> {
                    try {
                        CtlProtocol.pump(stdin, toDirector);
                    } catch (IOException ignored) {
                        // The director finished without reading all of stdin.
                    }
                }, "ctl-stdin");
                pump.setDaemon(true);
                pump.start();
            }
            DataInputStream in = new DataInputStream(Channels.newInputStream(ch));
            CtlProtocol.Frame f;
            while ((f = CtlProtocol.read(in)) != null) {
                switch (f.type()) {
                    case CtlProtocol.STDOUT -> out.write(f.payload());
                    case CtlProtocol.STDERR -> err.write(f.payload());
                    case CtlProtocol.EXIT -> {
                        out.flush();
                        err.flush();
                        return CtlProtocol.decodeInt(f.payload());
                    }
                    default -> throw new IOException("unexpected frame " + (char) f.type());
                }
            }
            err.println("lvs4j ctl: the director closed the connection without an exit code");
            return 255;
        } catch (IOException e) {
            err.println("lvs4j ctl: " + e.getMessage());
            return 255;
        }
    }
}
