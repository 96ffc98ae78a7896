package org.lvs4j.ipvsadm.internal;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import org.lvs4j.api.AdminState;
import org.lvs4j.api.BatchException;
import org.lvs4j.api.Director;
import org.lvs4j.api.RealServerConfig;
import org.lvs4j.api.RealServerStatus;
import org.lvs4j.api.ServiceConfig;
import org.lvs4j.api.ServiceStatus;
import org.lvs4j.api.TableChange;
import org.lvs4j.api.Timeouts;

/**
 * Rules files: what {@code ipvsadm -R} reads and {@code ipvsadm -S} writes, and the director's saved table.
 *
 * <p>A restore reads every line first (whitespace-separated words, the word {@code ipvsadm} ignored anywhere as in
 * ipvsadm's config_stream, {@code #} to the end of the line a comment), checks each with ipvsadm's grammar and then
 * applies them as one all-or-nothing batch: one bad line changes nothing and is named. The saved table starts with a
 * {@code --set} line, and records admin states in comment lines ({@value #ADMIN_STATE}) that ipvsadm skips.
 */
final class Rules {

    /** Marks an admin-state line in a saved table: {@code #lvs4j-admin-state drain -t VIP:port -r RIP:port}. */
    static final String ADMIN_STATE = "#lvs4j-admin-state";

    /** A refused restore: the 1-based line, ipvsadm's message and exit code. */
    static final class RestoreException extends Exception {
        private static final long serialVersionUID = 1L;
        final int line;
        final int exitCode;

        RestoreException(int line, String message, int exitCode) {
            super(message);
            this.line = line;
            this.exitCode = exitCode;
        }
    }

    private record Line(int number, Command command, TableChange change) {
    }

    private final Parser parser;

    Rules(Parser parser) {
        this.parser = parser;
    }

    /**
     * Reads and applies a rules stream as one batch.
     *
     * @param lenientSchedulers accept services whose scheduler is not registered, marked {@code [no scheduler]}
     * @return the number of changes applied
     */
    int restore(Reader in, Director director, boolean lenientSchedulers) throws IOException, RestoreException {
        List<Line> lines = read(in, lenientSchedulers);
        try {
            director.apply(lines.stream().map(Line::change).toList());
        } catch (BatchException e) {
            Line bad = lines.get(e.index());
            Execution.Outcome o = Execution.describe(bad.command.kind, e);
            throw new RestoreException(bad.number, o.message(), o.exitCode());
        }
        return lines.size();
    }

    private List<Line> read(Reader in, boolean lenient) throws IOException, RestoreException {
        BufferedReader r = new BufferedReader(in);
        List<Line> out = new ArrayList<>();
        String text;
        int number = 0;
        while ((text = r.readLine()) != null) {
            number++;
            if (text.startsWith(ADMIN_STATE)) {
                out.add(adminState(number, text.substring(ADMIN_STATE.length())));
                continue;
            }
            List<String> words = words(text);
            if (words.isEmpty()) {
                continue;
            }
            Command ce;
            try {
                ce = parser.parse(words);
            } catch (IpvsadmException e) {
                throw new RestoreException(number, e.getMessage(), e.exitCode());
            }
            if (!ce.kind.edits()) {
                throw new RestoreException(number, "only table edits may be restored, not `"
                        + String.join(" ", words) + "'", 2);
            }
            out.add(new Line(number, ce, Execution.change(ce, lenient)));
        }
        return out;
    }

    private Line adminState(int number, String rest) throws RestoreException {
        List<String> words = words(rest);
        AdminState state = words.isEmpty() ? null : switch (words.get(0)) {
            case "ready" -> AdminState.READY;
            case "drain" -> AdminState.DRAIN;
            case "maint" -> AdminState.MAINT;
            default -> null;
        };
        if (state == null) {
            throw new RestoreException(number, "admin state must be ready, drain or maint", 2);
        }
        List<String> delete = new ArrayList<>(List.of("-d"));
        delete.addAll(words.subList(1, words.size()));
        try {
            Command ce = parser.parse(delete);
            return new Line(number, ce, new TableChange.SetAdminState(ce.key(), ce.serverAddress, ce.serverPort,
                    state));
        } catch (IpvsadmException e) {
            throw new RestoreException(number, e.getMessage(), e.exitCode());
        }
    }

    /** A line's words, as ipvsadm's config_stream splits them, without comments and the word "ipvsadm". */
    static List<String> words(String line) {
        int hash = line.indexOf('#');
        String s = hash >= 0 ? line.substring(0, hash) : line;
        return Arrays.stream(s.trim().split("[ \t\r]+")).filter(w -> !w.isEmpty() && !w.equals("ipvsadm"))
                .toList();
    }

    /** The saved table: a {@code --set} line, {@code ipvsadm -S -n}, then admin states. */
    static String save(Listing listing, List<ServiceStatus> services, Timeouts timeouts) {
        StringBuilder out = new StringBuilder();
        out.append("--set ").append(timeouts.tcp()).append(' ').append(timeouts.tcpFin()).append(' ')
                .append(timeouts.udp()).append('\n');
        out.append(listing.all(services, Listing.Format.rules(true)));
        for (ServiceStatus s : services) {
            ServiceConfig c = s.config();
            for (RealServerStatus d : s.realServers()) {
                if (d.adminState() != AdminState.READY) {
                    RealServerConfig rc = d.config();
                    out.append(ADMIN_STATE).append(' ').append(d.adminState().name().toLowerCase(Locale.ROOT))
                            .append(' ').append(c.key().protocol().option()).append(' ')
                            .append(listing.addrPort(c.key().address(), c.key().port(), c.key().protocol(), true))
                            .append(" -r ").append(listing.addrPort(rc.address(), rc.port(), null, true))
                            .append('\n');
                }
            }
        }
        return out.toString();
    }
}
