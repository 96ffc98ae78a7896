/*
 * ldirectord.cf, read as ldirectord reads it (ClusterLabs resource-agents, ldirectord.in read_config).
 *
 * A line whose first character is not blank is a global directive or starts a virtual service
 * ("virtual=ip:port", "virtual6=[ip6]:port"); the blank-indented lines after it are that service's directives, up to
 * the next unindented line. Lines whose first non-blank character is '#' are comments, blank lines are skipped.
 * A directive is "name = value" (spaces around '=' optional, the value optionally in double quotes).
 *
 * Per-service directives fall back to the global ones and then to ldirectord's defaults, taken from its code rather
 * than its manual where they differ: checkinterval 10 s, checktimeout 5 s and negotiatetimeout 30 s (when only one of
 * the two timeouts is set, the other takes its value), failurecount 1, quiescent no, scheduler wrr, checktype
 * negotiate, httpmethod GET, protocol tcp (udp for port 53), service from the port (80 http, 443 https, ...).
 * lvs4j adds rise (default 1), slowstart (seconds, default 0) and the forwarding word fullnat (ipvsadm's -b).
 *
 * Every error names the file and line; nothing is returned for a file with an error, so a caller never applies half
 * a file. Directives ldirectord has but lvs4j does not implement are refused as unsupported rather than ignored, so
 * an operator is never surprised by a setting that silently does nothing.
 */
package org.lvs4j.health.internal;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.lvs4j.api.ForwardMethod;
import org.lvs4j.api.Protocol;
import org.lvs4j.api.ServiceConfig;
import org.lvs4j.api.ServiceKey;
import org.lvs4j.api.health.ConfigException;

/** Reads ldirectord.cf files. */
final class LdirectordParser {

    /** The largest file read; a bigger one is refused before it is parsed. */
    static final int MAX_BYTES = 4 << 20;
    /** The most addresses one {@code ip->ip} range may stand for. */
    static final int MAX_RANGE = 4096;

    static final Map<Integer, String> SERVICE_BY_PORT = Map.ofEntries(
            Map.entry(21, "ftp"), Map.entry(25, "smtp"), Map.entry(53, "dns"), Map.entry(80, "http"),
            Map.entry(110, "pop"), Map.entry(119, "nntp"), Map.entry(143, "imap"), Map.entry(389, "ldap"),
            Map.entry(443, "https"), Map.entry(587, "submission"), Map.entry(636, "ldaps"), Map.entry(993, "imaps"),
            Map.entry(995, "pops"), Map.entry(1521, "oracle"), Map.entry(1812, "radius"),
            Map.entry(3128, "http_proxy"), Map.entry(3306, "mysql"), Map.entry(5060, "sip"),
            Map.entry(5432, "pgsql"));

    static final Set<String> SERVICES = Set.of("none", "ftp", "smtp", "submission", "dns", "http", "https",
            "http_proxy", "pop", "pops", "nntp", "imap", "imaps", "ldap", "ldaps", "oracle", "radius", "mysql",
            "sip", "pgsql", "simpletcp");

    /** Directives that may appear at the top level. */
    private static final Set<String> GLOBAL = Set.of("checktimeout", "negotiatetimeout", "checkinterval",
            "failurecount", "quiescent", "fallback", "fallbackcommand", "autoreload", "rise", "slowstart");

    /** Directives that may appear in a virtual block. */
    private static final Set<String> VIRTUAL = Set.of("real", "fallback", "fallbackcommand", "checktype",
            "checktimeout", "negotiatetimeout", "checkinterval", "failurecount", "quiescent", "rise", "slowstart",
            "service", "request", "receive", "virtualhost", "httpmethod", "scheduler", "persistent", "netmask",
            "protocol", "checkport", "login", "passwd", "database", "secret", "checkcommand");

    /** ldirectord directives lvs4j does not implement. */
    private static final Set<String> UNSUPPORTED = Set.of("checkcount", "callback", "logfile", "execute", "fork",
            "supervised", "readdquiescent", "emailalert", "emailalertfreq", "emailalertstatus", "emailalertfrom",
            "smtp", "cleanstop", "maintenancedir", "fallback6", "monitorfile", "cleanup");

    private static final Set<String> SCHEDULERS = Set.of("rr", "wrr", "lc", "wlc", "lblc", "lblcr", "dh", "sh",
            "sed", "nq", "mh", "fo", "ovf", "twos");

    private static final Pattern DIRECTIVE = Pattern.compile("([A-Za-z0-9_]+)\\s*=\\s*(.*)");
    private static final Pattern THRESHOLD = Pattern.compile("<([lu]):(\\d{1,9})>");

    private final Path file;
    private int line;

    private LdirectordParser(Path file) {
        this.file = file;
    }

    /** Reads and checks a whole file. */
    static LdirectordConfig read(Path file) throws ConfigException {
        String text;
        try {
            if (Files.size(file) > MAX_BYTES) {
                throw new ConfigException(file, 0, "larger than " + (MAX_BYTES >> 20) + " MiB");
            }
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (java.nio.charset.MalformedInputException e) {
            throw new ConfigException(file, 0, "not UTF-8 text");
        } catch (IOException e) {
            throw new ConfigException(file, 0, "cannot read: " + e.getMessage());
        }
        return parse(file, text);
    }

    /** Parses file contents; {@code file} only names the source in errors. */
    static LdirectordConfig parse(Path file, String text) throws ConfigException {
        return new LdirectordParser(file).run(text);
    }

    private ConfigException error(String message) {
        return new ConfigException(file, line, message);
    }

    /** A directive as written, with the line it came from. */
    private record Setting(int line, String value) {
    }

    private LdirectordConfig run(String text) throws ConfigException {
        Map<String, Setting> globals = new HashMap<>();
        List<int[]> blockStarts = new ArrayList<>();
        List<List<String[]>> blocks = new ArrayList<>();
        String[] lines = text.split("\r?\n", -1);
        List<String[]> current = null;
        for (int i = 0; i < lines.length; i++) {
            line = i + 1;
            String raw = lines[i];
            if (raw.indexOf('\0') >= 0) {
                throw error("NUL character");
            }
            String trimmed = raw.strip();
            if (trimmed.isEmpty() || trimmed.startsWith("#")) {
                continue;
            }
            boolean indented = Character.isWhitespace(raw.charAt(0));
            Matcher m = DIRECTIVE.matcher(trimmed);
            if (!m.matches()) {
                throw error("expected name=value, found \"" + shorten(trimmed) + "\"");
            }
            String name = m.group(1).toLowerCase(Locale.ROOT);
            String value = m.group(2).strip();
            if (indented) {
                if (current == null) {
                    throw error("indented directive \"" + name + "\" outside a virtual= block");
                }
                checkKnown(name, VIRTUAL, "in a virtual= block");
                current.add(new String[] {name, value, Integer.toString(line)});
            } else if (name.equals("virtual") || name.equals("virtual6")) {
                current = new ArrayList<>();
                blocks.add(current);
                blockStarts.add(new int[] {line, name.equals("virtual6") ? 6 : 4});
                current.add(new String[] {name, value, Integer.toString(line)});
            } else {
                current = null;
                checkKnown(name, GLOBAL, "at the top level");
                if (globals.containsKey(name)) {
                    throw error("\"" + name + "\" is set twice (first on line " + globals.get(name).line + ")");
                }
                globals.put(name, new Setting(line, value));
            }
        }
        boolean autoreload = false;
        if (globals.containsKey("autoreload")) {
            line = globals.get("autoreload").line;
            autoreload = yesNo("autoreload", globals.get("autoreload").value);
        }
        List<LdirectordConfig.Virtual> virtuals = new ArrayList<>();
        Map<ServiceKey, Integer> seen = new HashMap<>();
        for (int b = 0; b < blocks.size(); b++) {
            LdirectordConfig.Virtual v = virtual(blocks.get(b), blockStarts.get(b)[1] == 6, globals);
            Integer before = seen.putIfAbsent(v.key(), v.line());
            if (before != null) {
                line = v.line();
                throw error("virtual service " + v.key() + " is defined twice (first on line " + before + ")");
            }
            virtuals.add(v);
        }
        return new LdirectordConfig(file, autoreload, List.copyOf(virtuals));
    }

    private void checkKnown(String name, Set<String> allowed, String where) throws ConfigException {
        if (allowed.contains(name)) {
            return;
        }
        if (UNSUPPORTED.contains(name)) {
            throw error("unsupported directive \"" + name + "\" (lvs4j does not implement it)");
        }
        if (GLOBAL.contains(name) || VIRTUAL.contains(name) || name.equals("virtual") || name.equals("virtual6")) {
            throw error("directive \"" + name + "\" is not allowed " + where);
        }
        throw error("unknown directive \"" + name + "\"");
    }

    private static String shorten(String s) {
        return s.length() > 60 ? s.substring(0, 57) + "..." : s;
    }

    private LdirectordConfig.Virtual virtual(List<String[]> block, boolean v6, Map<String, Setting> globals)
            throws ConfigException {
        String[] head = block.get(0);
        int start = Integer.parseInt(head[2]);
        line = start;
        Endpoint vip = endpoint(unquote(head[1]), v6, true);
        Map<String, Setting> local = new LinkedHashMap<>();
        List<String[]> realLines = new ArrayList<>();
        for (String[] d : block.subList(1, block.size())) {
            line = Integer.parseInt(d[2]);
            if (d[0].equals("real")) {
                realLines.add(d);
                continue;
            }
            if (local.containsKey(d[0])) {
                throw error("\"" + d[0] + "\" is set twice in this virtual block (first on line "
                        + local.get(d[0]).line + ")");
            }
            local.put(d[0], new Setting(line, d[1]));
        }
        Resolver r = new Resolver(local, globals);

        Protocol protocol = vip.port == 53 ? Protocol.UDP : Protocol.TCP;
        if (r.has("protocol")) {
            line = r.line("protocol");
            protocol = switch (r.text("protocol").toLowerCase(Locale.ROOT)) {
                case "tcp" -> Protocol.TCP;
                case "udp" -> Protocol.UDP;
                case "fwm" -> throw error("protocol fwm (fwmark services) is not supported");
                default -> throw error("protocol must be tcp or udp, not \"" + r.text("protocol") + "\"");
            };
        }
        ServiceKey key = new ServiceKey(protocol, vip.address, vip.port);

        String scheduler = "wrr";
        if (r.has("scheduler")) {
            line = r.line("scheduler");
            scheduler = r.text("scheduler");
            if (!SCHEDULERS.contains(scheduler) && !scheduler.matches("[a-z][a-z0-9_]{0,15}")) {
                throw error("bad scheduler name \"" + shorten(scheduler) + "\"");
            }
        }
        ServiceConfig service = ServiceConfig.of(key, scheduler);
        if (r.has("persistent")) {
            line = r.line("persistent");
            int timeout = integer("persistent", r.text("persistent"), 1, ServiceConfig.MAX_PERSISTENCE_TIMEOUT);
            int mask = ServiceConfig.defaultNetmask(key);
            if (r.has("netmask")) {
                line = r.line("netmask");
                mask = netmask(r.text("netmask"), key.isIpv6());
            }
            service = service.withPersistence(timeout, mask);
        } else if (r.has("netmask")) {
            line = r.line("netmask");
            netmask(r.text("netmask"), key.isIpv6()); // checked, and as in ldirectord without effect
        }

        String checkType = "negotiate";
        int connects = 0;
        if (r.has("checktype")) {
            line = r.line("checktype");
            checkType = r.text("checktype").toLowerCase(Locale.ROOT);
            if (checkType.matches("\\d{1,6}")) {
                connects = integer("checktype", checkType, 1, 1_000_000);
                checkType = "combined";
            } else if (!Set.of("connect", "negotiate", "external", "ping", "on", "off").contains(checkType)) {
                throw error("checktype must be connect, negotiate, external, ping, on, off or a number, not \""
                        + shorten(checkType) + "\"");
            }
        }
        String svc = SERVICE_BY_PORT.getOrDefault(vip.port, "none");
        if (r.has("service")) {
            line = r.line("service");
            svc = r.text("service").toLowerCase(Locale.ROOT);
            if (!SERVICES.contains(svc)) {
                throw error("unknown service \"" + shorten(svc) + "\" (known: " + String.join(", ",
                        new java.util.TreeSet<>(SERVICES)) + ")");
            }
        }
        int checkPort = 0;
        if (r.has("checkport")) {
            line = r.line("checkport");
            checkPort = integer("checkport", r.text("checkport"), 1, 65535);
        }
        Duration interval = r.seconds(this, "checkinterval", Duration.ofSeconds(10));
        Duration checkTimeout = r.has("checktimeout") ? r.seconds(this, "checktimeout", null) : null;
        Duration negotiateTimeout = r.has("negotiatetimeout") ? r.seconds(this, "negotiatetimeout", null) : null;
        if (checkTimeout == null && negotiateTimeout == null) {
            checkTimeout = Duration.ofSeconds(5);
            negotiateTimeout = Duration.ofSeconds(30);
        } else if (checkTimeout == null) {
            checkTimeout = negotiateTimeout;
        } else if (negotiateTimeout == null) {
            negotiateTimeout = checkTimeout;
        }
        int failureCount = r.has("failurecount") ? r.integer(this, "failurecount", 1, 1_000_000) : 1;
        int rise = r.has("rise") ? r.integer(this, "rise", 1, 1_000_000) : 1;
        Duration slowStart = r.has("slowstart") ? r.seconds(this, "slowstart", Duration.ZERO) : Duration.ZERO;
        boolean quiescent = false;
        if (r.has("quiescent")) {
            line = r.line("quiescent");
            quiescent = yesNo("quiescent", r.text("quiescent"));
        }
        Map<String, String> params = new LinkedHashMap<>();
        for (String p : List.of("request", "receive", "virtualhost", "httpmethod", "login", "passwd", "database",
                "secret", "checkcommand")) {
            if (r.has(p)) {
                params.put(p, r.text(p));
            }
        }
        String method = params.getOrDefault("httpmethod", "GET").toUpperCase(Locale.ROOT);
        if (!method.equals("GET") && !method.equals("HEAD")) {
            line = r.line("httpmethod");
            throw error("httpmethod must be GET or HEAD, not \"" + shorten(method) + "\"");
        }
        params.put("httpmethod", method);
        if (params.containsKey("receive")) {
            line = r.line("receive");
            try {
                Pattern.compile(params.get("receive"));
            } catch (java.util.regex.PatternSyntaxException e) {
                throw error("receive is not a valid regular expression: " + e.getDescription());
            }
        }
        if (checkType.equals("external") && !params.containsKey("checkcommand")) {
            line = r.has("checktype") ? r.line("checktype") : start;
            throw error("checktype external needs checkcommand");
        }

        List<LdirectordConfig.Real> reals = new ArrayList<>();
        Map<String, Integer> realSeen = new HashMap<>();
        for (String[] d : realLines) {
            line = Integer.parseInt(d[2]);
            for (LdirectordConfig.Real real : reals(d[1], key, v6)) {
                String id = real.address().getHostAddress() + ":" + real.port();
                Integer before = realSeen.putIfAbsent(id, line);
                if (before != null) {
                    throw error("real server " + id + " appears twice (first on line " + before + ")");
                }
                reals.add(real);
            }
        }
        LdirectordConfig.Real fallback = null;
        if (r.has("fallback")) {
            line = r.line("fallback");
            fallback = fallback(r.text("fallback"), key, v6);
        }
        String fallbackCommand = r.has("fallbackcommand") ? r.text("fallbackcommand") : null;

        LdirectordConfig.Check check = new LdirectordConfig.Check(checkType, connects, svc, checkPort, interval,
                checkTimeout, negotiateTimeout, failureCount, rise, slowStart, quiescent, Map.copyOf(params));
        return new LdirectordConfig.Virtual(start, service, List.copyOf(reals), fallback, fallbackCommand, check);
    }

    /** A virtual block's directives over the global ones. */
    private static final class Resolver {
        final Map<String, Setting> local;
        final Map<String, Setting> globals;

        Resolver(Map<String, Setting> local, Map<String, Setting> globals) {
            this.local = local;
            this.globals = globals;
        }

        Setting get(String name) {
            Setting s = local.get(name);
            return s != null ? s : globals.get(name);
        }

        boolean has(String name) {
            return get(name) != null;
        }

        int line(String name) {
            return get(name).line;
        }

        String text(String name) {
            return unquote(get(name).value);
        }

        Duration seconds(LdirectordParser p, String name, Duration otherwise) throws ConfigException {
            Setting s = get(name);
            if (s == null) {
                return otherwise;
            }
            p.line = s.line;
            String v = unquote(s.value);
            if (!v.matches("\\d{1,7}(\\.\\d{1,3})?")) {
                throw p.error(name + " must be a number of seconds, not \"" + shorten(v) + "\"");
            }
            Duration d = Duration.ofMillis(Math.round(Double.parseDouble(v) * 1000));
            if (d.isZero() && !name.equals("slowstart")) {
                throw p.error(name + " must be above 0");
            }
            return d;
        }

        int integer(LdirectordParser p, String name, int min, int max) throws ConfigException {
            p.line = line(name);
            return p.integer(name, text(name), min, max);
        }
    }

    static String unquote(String v) {
        String s = v.strip();
        if (s.length() >= 2 && s.startsWith("\"") && s.endsWith("\"")) {
            return s.substring(1, s.length() - 1);
        }
        return s;
    }

    private boolean yesNo(String name, String value) throws ConfigException {
        return switch (unquote(value).toLowerCase(Locale.ROOT)) {
            case "yes" -> true;
            case "no" -> false;
            default -> throw error(name + " must be yes or no, not \"" + shorten(value) + "\"");
        };
    }

    private int integer(String name, String value, int min, int max) throws ConfigException {
        if (!value.matches("\\d{1,10}")) {
            throw error(name + " must be a whole number, not \"" + shorten(value) + "\"");
        }
        long n = Long.parseLong(value);
        if (n < min || n > max) {
            throw error(name + " must be between " + min + " and " + max + ", not " + n);
        }
        return (int) n;
    }

    private int netmask(String value, boolean v6) throws ConfigException {
        if (v6) {
            if (value.matches("\\d{1,3}")) {
                return integer("netmask", value, 1, 128);
            }
            throw error("netmask of an IPv6 service is a prefix length 1..128, not \"" + shorten(value) + "\"");
        }
        InetAddress a = numeric(value, false);
        if (!(a instanceof Inet4Address)) {
            throw error("netmask must be a dotted quad, not \"" + shorten(value) + "\"");
        }
        int m = a.hashCode();
        int host = ~m;
        if ((host & (host + 1)) != 0) {
            throw error("netmask " + value + " is not a contiguous mask");
        }
        return m;
    }

    private record Endpoint(InetAddress address, int port) {
    }

    /** {@code ip:port}, {@code [ip6]:port}, or without port when {@code portRequired} is false (port 0). */
    private Endpoint endpoint(String text, boolean v6, boolean portRequired) throws ConfigException {
        String host;
        String port = null;
        if (text.startsWith("[")) {
            int close = text.indexOf(']');
            if (close < 0) {
                throw error("missing ] in \"" + shorten(text) + "\"");
            }
            host = text.substring(1, close);
            String rest = text.substring(close + 1);
            if (!rest.isEmpty()) {
                if (!rest.startsWith(":")) {
                    throw error("expected :port after ] in \"" + shorten(text) + "\"");
                }
                port = rest.substring(1);
            }
        } else {
            int colon = text.lastIndexOf(':');
            if (colon >= 0 && text.indexOf(':') == colon) {
                host = text.substring(0, colon);
                port = text.substring(colon + 1);
            } else if (colon >= 0) {
                throw error("an IPv6 address goes in brackets: [" + shorten(text) + "]");
            } else {
                host = text;
            }
        }
        InetAddress a = numeric(host, v6);
        if (v6 != (a instanceof Inet6Address)) {
            throw error(v6 ? "virtual6 needs an IPv6 address, not " + host
                    : "an IPv6 address needs virtual6 (or the service is IPv4), not " + host);
        }
        if (port == null) {
            if (portRequired) {
                throw error("missing :port in \"" + shorten(text) + "\"");
            }
            return new Endpoint(a, 0);
        }
        return new Endpoint(a, port(port));
    }

    private int port(String text) throws ConfigException {
        if (text.matches("\\d{1,5}")) {
            return integer("port", text, 1, 65535);
        }
        for (Map.Entry<Integer, String> e : SERVICE_BY_PORT.entrySet()) {
            if (e.getValue().equals(text) && !text.contains("_")) {
                return e.getKey();
            }
        }
        if (text.equals("telnet")) {
            return 23;
        }
        throw error("bad port \"" + shorten(text) + "\" (a number, or a service name such as http)");
    }

    private InetAddress numeric(String text, boolean v6) throws ConfigException {
        boolean ok = v6 ? text.matches("[0-9A-Fa-f:.]{2,45}") && text.contains(":")
                : text.matches("\\d{1,3}(\\.\\d{1,3}){3}");
        if (!ok) {
            throw error("\"" + shorten(text) + "\" is not a numeric " + (v6 ? "IPv6" : "IPv4")
                    + " address (host names are not looked up)");
        }
        try {
            if (!v6) {
                for (String part : text.split("\\.")) {
                    if (Integer.parseInt(part) > 255) {
                        throw error("\"" + text + "\" is not an IPv4 address");
                    }
                }
            }
            return InetAddress.getByName(text);
        } catch (java.net.UnknownHostException e) {
            throw error("\"" + shorten(text) + "\" is not an address");
        }
    }

    private static final Pattern REAL = Pattern.compile(
            "(\\[[^\\]]*\\]|[0-9.]+)(?:->(\\[[^\\]]*\\]|[0-9.]+))?(?::(\\w+))?\\s+(\\w+)(.*)");
    private static final Pattern REQUEST_RECEIVE = Pattern.compile("\"([^\"]*)\"\\s*,?\\s*\"([^\"]*)\"");

    private List<LdirectordConfig.Real> reals(String value, ServiceKey key, boolean v6) throws ConfigException {
        Matcher m = REAL.matcher(value.strip());
        if (!m.matches()) {
            throw error("real= needs ip[->ip][:port] gate|masq|ipip|fullnat [weight] [\"request\", \"receive\"]"
                    + " [<l:N>] [<u:N>], found \"" + shorten(value) + "\"");
        }
        String first = stripBrackets(m.group(1));
        InetAddress from = numeric(first, v6);
        InetAddress to = m.group(2) == null ? from : numeric(stripBrackets(m.group(2)), v6);
        int port = m.group(3) == null ? key.port() : port(m.group(3));
        ForwardMethod method = method(m.group(4));
        String rest = m.group(5).strip();
        int weight = 1;
        int lower = 0;
        int upper = 0;
        String request = null;
        String receive = null;
        Matcher t = THRESHOLD.matcher(rest);
        StringBuilder remaining = new StringBuilder();
        while (t.find()) {
            int n = integer(t.group(1).equals("l") ? "<l:N>" : "<u:N>", t.group(2), 0, 65535);
            if (t.group(1).equals("l")) {
                lower = n;
            } else {
                upper = n;
            }
            t.appendReplacement(remaining, " ");
        }
        t.appendTail(remaining);
        rest = remaining.toString().strip();
        Matcher w = Pattern.compile("^(\\d{1,10})(.*)").matcher(rest);
        if (w.matches()) {
            weight = integer("weight", w.group(1), 0, Integer.MAX_VALUE);
            rest = w.group(2).strip();
        }
        if (!rest.isEmpty()) {
            Matcher rr = REQUEST_RECEIVE.matcher(rest);
            if (!rr.matches()) {
                throw error("after the weight a real= line takes \"request\", \"receive\" and <l:N> <u:N> only,"
                        + " found \"" + shorten(rest) + "\"");
            }
            request = rr.group(1);
            receive = rr.group(2);
        }
        List<LdirectordConfig.Real> out = new ArrayList<>();
        for (InetAddress a : range(from, to)) {
            out.add(new LdirectordConfig.Real(line, a, port, method, weight, lower, upper, request, receive));
        }
        return out;
    }

    private LdirectordConfig.Real fallback(String value, ServiceKey key, boolean v6) throws ConfigException {
        String[] parts = value.strip().split("\\s+");
        if (parts.length > 2) {
            throw error("fallback= takes ip[:port] [gate|masq|ipip|fullnat], found \"" + shorten(value) + "\"");
        }
        Endpoint e = endpoint(parts[0], v6, false);
        ForwardMethod method = parts.length == 2 ? method(parts[1]) : ForwardMethod.DROUTE; // ipvsadm's default
        return new LdirectordConfig.Real(line, e.address, e.port == 0 ? key.port() : e.port, method, 1, 0, 0,
                null, null);
    }

    private static String stripBrackets(String s) {
        return s.startsWith("[") ? s.substring(1, s.length() - 1) : s;
    }

    private ForwardMethod method(String word) throws ConfigException {
        return switch (word.toLowerCase(Locale.ROOT)) {
            case "gate" -> ForwardMethod.DROUTE;
            case "masq" -> ForwardMethod.MASQ;
            case "ipip" -> ForwardMethod.TUNNEL;
            case "fullnat" -> ForwardMethod.FULLNAT;
            default -> throw error("forwarding method must be gate, masq, ipip or fullnat, not \""
                    + shorten(word) + "\"");
        };
    }

    private List<InetAddress> range(InetAddress from, InetAddress to) throws ConfigException {
        if (from.equals(to)) {
            return List.of(from);
        }
        java.math.BigInteger a = new java.math.BigInteger(1, from.getAddress());
        java.math.BigInteger b = new java.math.BigInteger(1, to.getAddress());
        if (a.compareTo(b) > 0) {
            throw error("range " + from.getHostAddress() + "->" + to.getHostAddress() + " runs backwards");
        }
        if (b.subtract(a).compareTo(java.math.BigInteger.valueOf(MAX_RANGE - 1)) > 0) {
            throw error("range " + from.getHostAddress() + "->" + to.getHostAddress() + " has more than "
                    + MAX_RANGE + " addresses");
        }
        List<InetAddress> out = new ArrayList<>();
        int len = from.getAddress().length;
        for (java.math.BigInteger x = a; x.compareTo(b) <= 0; x = x.add(java.math.BigInteger.ONE)) {
            byte[] raw = x.toByteArray();
            byte[] bytes = new byte[len];
            System.arraycopy(raw, Math.max(0, raw.length - len), bytes, Math.max(0, len - raw.length),
                    Math.min(len, raw.length));
            try {
                out.add(InetAddress.getByAddress(bytes));
            } catch (java.net.UnknownHostException e) {
                throw new IllegalStateException(e);
            }
        }
        return out;
    }
}
