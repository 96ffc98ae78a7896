package org.lvs4j.ipvsadm.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

import org.lvs4j.api.Director;
import org.lvs4j.api.RealServerConfig;
import org.lvs4j.api.ServiceConfig;
import org.lvs4j.api.ServiceStatus;
import org.lvs4j.api.TableChange;
import org.lvs4j.api.TableException;
import org.lvs4j.api.Timeouts;
import org.lvs4j.api.TunnelConfig;
import org.lvs4j.api.sync.SyncControl;
import org.lvs4j.api.sync.SyncSettings;
import org.lvs4j.ipvsadm.internal.Command.Kind;
import org.lvs4j.ipvsadm.internal.Command.Opt;

/** Runs parsed ipvsadm commands against the director and reports as ipvsadm does. */
final class Execution {

    /** An exit code and the message printed on stderr. */
    record Outcome(int exitCode, String message) {
    }

    private final Director director;
    private final Parser parser;
    private final Listing listing;
    private final Rules rules;
    private final Supplier<SyncControl> sync;

    Execution(Director director, Names names) {
        this(director, names, () -> null);
    }

    /** With the sync daemons' control, which may come and go (null while org.lvs4j.sync is not running). */
    Execution(Director director, Names names, Supplier<SyncControl> sync) {
        this.director = director;
        this.sync = sync;
        this.parser = new Parser(names);
        this.listing = new Listing(names);
        this.rules = new Rules(parser);
    }

    Listing listing() {
        return listing;
    }

    Rules rules() {
        return rules;
    }

    int run(List<String> args, InputStream in, PrintStream out, PrintStream err) {
        if (args.isEmpty()) {
            out.print(listing.all(director.services(), Listing.Format.PLAIN));
            return 0;
        }
        Command ce;
        try {
            ce = parser.parse(args);
        } catch (IpvsadmException e) {
            err.println(e.getMessage());
            return e.exitCode();
        }
        return switch (ce.kind) {
            case HELP -> {
                out.print(Usage.TEXT);
                yield 0;
            }
            case VERSION -> {
                out.println(Usage.VERSION);
                yield 0;
            }
            case LIST -> list(ce, out, err);
            case SAVE -> {
                out.print(listing.all(director.services(), Listing.Format.rules(ce.has(Opt.NUMERIC))));
                yield 0;
            }
            case RESTORE -> restore(in, err);
            case STARTDAEMON, STOPDAEMON -> daemon(ce, err);
            default -> edit(ce, err);
        };
    }

    private int list(Command ce, PrintStream out, PrintStream err) {
        Listing.Format f = new Listing.Format(ce.has(Opt.NUMERIC), false, ce.has(Opt.STATS), ce.has(Opt.RATE),
                ce.has(Opt.THRESHOLDS), ce.has(Opt.PERSISTENTCONN), ce.has(Opt.NOSORT), ce.has(Opt.EXACT),
                ce.has(Opt.TUN_INFO));
        if (ce.has(Opt.CONNECTION)) {
            out.print(listing.connections(director.connections(), f));
        } else if (ce.has(Opt.SERVICE)) {
            Optional<ServiceStatus> s = director.service(ce.key());
            if (s.isEmpty()) {
                err.println("No such service");
                return 1;
            }
            out.print(listing.one(s.get(), f));
        } else if (ce.has(Opt.TIMEOUT)) {
            out.print(Listing.timeouts(director.timeouts()));
        } else if (ce.has(Opt.DAEMON)) {
            SyncControl control = sync.get();
            for (SyncSettings s : control == null ? List.<SyncSettings>of() : control.running()) {
                out.println(Listing.daemon(s));
            }
        } else {
            out.print(listing.all(director.services(), f));
        }
        return 0;
    }

    private int daemon(Command ce, PrintStream err) {
        SyncControl control = sync.get();
        if (control == null) {
            err.println("lvs4j: connection sync (bundle org.lvs4j.sync) is not running");
            return 1;
        }
        try {
            if (ce.kind == Kind.STARTDAEMON) {
                control.start(new SyncSettings(ce.daemonRole, ce.mcastInterface, ce.syncId, ce.syncMaxLength,
                        ce.mcastGroup, ce.mcastPort, ce.mcastTtl, ce.syncKey));
            } else {
                control.stop(ce.daemonRole);
            }
            return 0;
        } catch (IllegalStateException | IllegalArgumentException e) {
            err.println(e.getMessage());
            return 1;
        }
    }

    private int restore(InputStream in, PrintStream err) {
        try {
            rules.restore(new InputStreamReader(in, StandardCharsets.UTF_8), director, true);
            return 0;
        } catch (Rules.RestoreException e) {
            err.println("line " + e.line + ": " + e.getMessage() + " (nothing was restored)");
            return e.exitCode;
        } catch (IOException e) {
            err.println("cannot read the rules: " + e.getMessage());
            return 1;
        }
    }

    private int edit(Command ce, PrintStream err) {
        try {
            director.apply(change(ce, false));
            return 0;
        } catch (TableException e) {
            Outcome o = describe(ce.kind, e);
            err.println(o.message());
            return o.exitCode();
        }
    }

    /** lvs:server: the real server is named as for {@code ipvsadm -d}. */
    int setAdminState(org.lvs4j.api.AdminState state, List<String> args, PrintStream err) {
        List<String> delete = new java.util.ArrayList<>(List.of("-d"));
        delete.addAll(args);
        Command ce;
        try {
            ce = parser.parse(delete);
        } catch (IpvsadmException e) {
            err.println(e.getMessage().replace("'delete-server' command", "'server' command"));
            return e.exitCode();
        }
        try {
            director.apply(new TableChange.SetAdminState(ce.key(), ce.serverAddress, ce.serverPort, state));
            return 0;
        } catch (TableException e) {
            Outcome o = describe(Kind.DELDEST, e);
            err.println(o.message());
            return o.exitCode();
        }
    }

    /** The table edit a command stands for. */
    static TableChange change(Command ce, boolean lenientSchedulers) {
        return switch (ce.kind) {
            case ADD -> new TableChange.AddService(serviceConfig(ce), lenientSchedulers);
            case EDIT -> new TableChange.EditService(serviceConfig(ce), lenientSchedulers);
            case DEL -> new TableChange.DeleteService(ce.key());
            case FLUSH -> new TableChange.Flush();
            case ADDDEST -> new TableChange.AddRealServer(ce.key(), realServerConfig(ce));
            case EDITDEST -> new TableChange.EditRealServer(ce.key(), realServerConfig(ce));
            case DELDEST -> new TableChange.DeleteRealServer(ce.key(), ce.serverAddress, ce.serverPort);
            case ZERO -> new TableChange.Zero(ce.hasService() ? ce.key() : null);
            case TIMEOUT -> new TableChange.SetTimeouts(new Timeouts(ce.tcpTimeout, ce.tcpFinTimeout, ce.udpTimeout));
            default -> throw new IllegalArgumentException("not a table edit: " + ce.kind);
        };
    }

    private static ServiceConfig serviceConfig(Command ce) {
        return new ServiceConfig(ce.key(), ce.scheduler, ce.schedulerFlags, ce.persistent,
                ce.persistent ? ce.persistenceTimeout : 0, ce.netmask, null, ce.onePacket);
    }

    private static RealServerConfig realServerConfig(Command ce) {
        TunnelConfig tunnel = new TunnelConfig(ce.tunnelType, ce.tunnelPort, ce.tunnelChecksum);
        return new RealServerConfig(ce.serverAddress, ce.serverPort, ce.method, ce.weight, ce.upperThreshold,
                ce.lowerThreshold, tunnel, ce.proxyProtocol);
    }

    /** ipvs_strerror: the message libipvs gives for this command and errno, and the exit code. */
    static Outcome describe(Kind kind, TableException e) {
        boolean dest = kind == Kind.ADDDEST || kind == Kind.EDITDEST || kind == Kind.DELDEST;
        return switch (e.reason()) {
            case SERVICE_EXISTS -> new Outcome(1, "Service already exists");
            case SCHEDULER_NOT_FOUND -> new Outcome(1, "Scheduler or persistence engine not found");
            case NO_SUCH_SERVICE -> new Outcome(1, dest ? "Service not defined" : "No such service");
            case DESTINATION_EXISTS -> new Outcome(1, "Destination already exists");
            case NO_SUCH_DESTINATION -> new Outcome(1, "No such destination");
            case INVALID -> new Outcome(1,
                    "Invalid operation.  Possibly wrong module version, address not unicast, ...");
            case OUT_OF_RANGE -> new Outcome(1, "Numerical result out of range");
            case ENGINE_CONFLICT, UNSUPPORTED -> new Outcome(2, e.getMessage());
            case ENGINE_FAILED -> new Outcome(1, e.getMessage());
        };
    }
}
