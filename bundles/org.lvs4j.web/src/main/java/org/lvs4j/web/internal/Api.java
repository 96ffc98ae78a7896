/*
 * The versioned JSON API (/api/v1), independent of the servlet container so that every rule is tested directly.
 *
 * Every endpoint but the login needs a session; reading needs the viewer role, changing a real server the operator
 * role. A state change (POST, PUT, DELETE with a session) must carry the session's CSRF token in X-CSRF-Token, and a
 * request whose Origin header names another site is refused: together they stop another site's page from acting
 * with the operator's cookie. Errors are JSON objects {"error": "..."} with 400 (malformed), 401 (no session), 403
 * (role, CSRF, origin), 404 (no such thing), 405 (method), 409 (the table refused the change) or 429 (login limit).
 *
 * Real-server actions follow the operator's habits: "drain" sets the weight to 0 (LVS's quiescing: no new clients,
 * persistent ones still served, ipvsadm shows weight 0) and remembers the weight, "ready" brings the remembered
 * weight back and the admin state to ready, "maint" takes the server out of scheduling altogether, "weight" sets one.
 */
package org.lvs4j.web.internal;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import org.lvs4j.api.AdminState;
import org.lvs4j.api.ConnectionEntry;
import org.lvs4j.api.Director;
import org.lvs4j.api.Protocol;
import org.lvs4j.api.RealServerStatus;
import org.lvs4j.api.ServiceKey;
import org.lvs4j.api.ServiceStatus;
import org.lvs4j.api.TableChange;
import org.lvs4j.api.TableException;
import org.lvs4j.api.ha.HaModule;
import org.lvs4j.api.health.CheckStatus;

final class Api {

    static final String PREFIX = "/api/v1";
    static final String COOKIE = "lvs4j_session";

    /** One request, as much of it as the API looks at; header names in lower case. */
    record Request(String method, String path, Map<String, String> query, Map<String, String> headers, String body,
                   String remoteAddress) {
        String header(String name) {
            return headers.get(name);
        }

        String cookie(String name) {
            String c = header("cookie");
            if (c == null) {
                return null;
            }
            for (String part : c.split(";")) {
                String p = part.strip();
                if (p.startsWith(name + "=")) {
                    return p.substring(name.length() + 1);
                }
            }
            return null;
        }
    }

    /** The answer: status, JSON body, and cookies to set. */
    record Response(int status, String json, List<String> setCookies) {
        static Response of(int status, Object body) {
            return new Response(status, Json.write(body), List.of());
        }

        static Response error(int status, String message) {
            return of(status, Map.of("error", message));
        }
    }

    /** A refusal on the way, turned into an error response. */
    private static final class Refused extends Exception {
        final int status;

        Refused(int status, String message) {
            super(message, null, false, false);
            this.status = status;
        }
    }

    private final Director director;
    private final Supplier<HaModule> ha;
    private final Path usersFile;
    private final Path tokensFile;
    private final Sessions sessions;
    private final Map<String, Integer> drainedWeights = new ConcurrentHashMap<>();

    private final Supplier<List<Map<String, Object>>> plugins;
    private volatile Supplier<org.lvs4j.api.health.HealthMonitor> health = () -> null;
    private volatile Supplier<String> rules = () -> null;

    private volatile Supplier<org.lvs4j.api.plugins.PluginDeployer> deployer = () -> null;
    static final int MAX_JAR = 16 * 1024 * 1024;

    /** Where uploaded plug-ins go (the shell's deployer), when it runs. */
    void deployer(Supplier<org.lvs4j.api.plugins.PluginDeployer> deployer) {
        this.deployer = deployer;
    }

    /** {@code POST /api/v1/plugins}: the body is a plug-in bundle's jar; admins only. */
    Response upload(Request r, byte[] jar) {
        try {
            sameOrigin(r);
            changing(r, Users.Role.ADMIN);
            if (jar.length == 0) {
                throw new IllegalArgumentException("the body must be the plug-in's jar");
            }
            if (jar.length > MAX_JAR) {
                throw new IllegalArgumentException("a plug-in jar may have at most " + MAX_JAR + " bytes");
            }
            org.lvs4j.api.plugins.PluginDeployer d = deployer.get();
            if (d == null) {
                throw new Refused(409, "plug-in deployment (org.lvs4j.shell) is not running");
            }
            Path tmp = java.nio.file.Files.createTempFile("upload-", ".jar");
            try {
                java.nio.file.Files.write(tmp, jar);
                return Response.of(200, Map.of("message", d.deploy(tmp)));
            } catch (IllegalStateException e) {
                throw new Refused(409, e.getMessage());
            } finally {
                java.nio.file.Files.deleteIfExists(tmp);
            }
        } catch (Refused e) {
            return Response.error(e.status, e.getMessage());
        } catch (IllegalArgumentException e) {
            return Response.error(400, e.getMessage());
        } catch (IOException e) {
            return Response.error(409, "cannot keep the upload: " + e.getMessage());
        }
    }

    /** The check monitor (ldirectord.cf) and the table as {@code ipvsadm -S -n} prints it, where available. */
    void configuration(Supplier<org.lvs4j.api.health.HealthMonitor> health, Supplier<String> rules) {
        this.health = health;
        this.rules = rules;
    }

    Api(Director director, Supplier<HaModule> ha, Path usersFile, Sessions sessions) {
        this(director, ha, usersFile, sessions, List::of);
    }

    /** With the plug-ins' list (schedulers, forwarders, checks: name, kind, bundle, version). */
    Api(Director director, Supplier<HaModule> ha, Path usersFile, Sessions sessions,
        Supplier<List<Map<String, Object>>> plugins) {
        this.director = director;
        this.ha = ha;
        this.usersFile = usersFile;
        this.tokensFile = usersFile.resolveSibling("tokens");
        this.sessions = sessions;
        this.plugins = plugins;
    }

    /** For the live stream: null when the request may read, else the refusal to send instead. */
    Response refuseReading(Request r) {
        try {
            reading(r);
            return null;
        } catch (Refused e) {
            return Response.error(e.status, e.getMessage());
        }
    }

    /** Whether the request's session is still alive (a stream ends with its session). */
    boolean alive(Request r) {
        return sessions.find(r.cookie(COOKIE)).isPresent();
    }

    /** One tick of the live stream: every service and real server with counters and rates, and the HA state. */
    String snapshot() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("time", System.currentTimeMillis());
        List<Object> out = new ArrayList<>();
        Map<String, CheckStatus> checks = checks();
        director.services().forEach(s -> out.add(service(s, checks)));
        m.put("services", out);
        HaModule h = ha.get();
        m.put("ha", h == null ? "none" : h.state().name().toLowerCase(Locale.ROOT));
        return Json.write(m);
    }

    Response handle(Request r) {
        try {
            return route(r);
        } catch (Refused e) {
            return Response.error(e.status, e.getMessage());
        } catch (IllegalArgumentException e) {
            return Response.error(400, e.getMessage());
        }
    }

    private Response route(Request r) throws Refused {
        String path = r.path().length() > PREFIX.length() ? r.path().substring(PREFIX.length()) : "/";
        String m = r.method();
        sameOrigin(r);
        if (path.equals("/session")) {
            return switch (m) {
                case "POST" -> login(r);
                case "GET" -> Response.of(200, session(sessionOf(r)));
                case "DELETE" -> {
                    Sessions.Session s = changing(r, Users.Role.VIEWER);
                    if (s.id() != null) {
                        sessions.close(s.id());
                    }
                    yield new Response(200, Json.write(Map.of("user", s.user(), "loggedIn", false)),
                            List.of(COOKIE + "=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict"));
                }
                default -> throw new Refused(405, "method " + m + " not allowed on " + r.path());
            };
        }
        List<String> parts = new ArrayList<>(List.of(path.substring(1).split("/", -1)));
        if (m.equals("GET")) {
            reading(r);
            if (path.equals("/services")) {
                List<Object> out = new ArrayList<>();
                Map<String, CheckStatus> checks = checks();
                director.services().forEach(s -> out.add(service(s, checks)));
                return Response.of(200, out);
            }
            if (parts.size() >= 3 && parts.get(0).equals("services")) {
                ServiceStatus s = service(parts.get(1), parts.get(2));
                if (parts.size() == 3) {
                    return Response.of(200, service(s, checks()));
                }
                if (parts.size() == 4 && parts.get(3).equals("servers")) {
                    return Response.of(200, servers(s, checks()));
                }
                if (parts.size() == 5 && parts.get(3).equals("servers")) {
                    return Response.of(200, server(s.key(), realServer(s, parts.get(4)), checks()));
                }
            }
            if (path.equals("/connections")) {
                return Response.of(200, connections(r));
            }
            if (path.equals("/config")) {
                Sessions.Session viewer = reading(r);
                if (!viewer.role().allows(Users.Role.ADMIN)) {
                    // an ldirectord.cf may hold the checks' database and mail passwords
                    throw new Refused(403, viewer.user() + "'s role is " + viewer.role().name().toLowerCase(Locale.ROOT)
                            + "; this needs admin");
                }
                return Response.of(200, config());
            }
            if (path.equals("/table")) {
                String text = rules.get();
                if (text == null) {
                    throw new Refused(404, "the table's rules are not available (no ipvsadm bundle)");
                }
                return Response.of(200, Map.of("rules", text));
            }
            if (path.equals("/plugins")) {
                return Response.of(200, plugins.get());
            }
            if (path.equals("/ha")) {
                HaModule h = ha.get();
                Map<String, Object> out = new LinkedHashMap<>();
                out.put("state", h == null ? "none" : h.state().name().toLowerCase(Locale.ROOT));
                out.put("transitions", h == null ? List.of() : h.transitions());
                return Response.of(200, out);
            }
            throw new Refused(404, "no such resource: " + r.path());
        }
        if (m.equals("DELETE") && parts.size() == 2 && parts.get(0).equals("plugins")) {
            changing(r, Users.Role.ADMIN);
            org.lvs4j.api.plugins.PluginDeployer d = deployer.get();
            if (d == null) {
                throw new Refused(409, "plug-in deployment (org.lvs4j.shell) is not running");
            }
            try {
                return Response.of(200, Map.of("message", d.undeploy(parts.get(1))));
            } catch (IllegalArgumentException e) {
                throw new Refused(e.getMessage().startsWith("no scheduler or bundle") ? 404 : 400, e.getMessage());
            } catch (IllegalStateException e) {
                throw new Refused(409, e.getMessage());
            }
        }
        if (m.equals("POST") && (path.equals("/config/check") || path.equals("/config/reload"))) {
            changing(r, Users.Role.OPERATOR);
            return Response.of(200, checkOrReload(path.endsWith("reload"), r.body()));
        }
        if (m.equals("POST") && parts.size() == 5 && parts.get(0).equals("services") && parts.get(3).equals("servers")) {
            changing(r, Users.Role.OPERATOR);
            ServiceStatus s = service(parts.get(1), parts.get(2));
            RealServerStatus rs = realServer(s, parts.get(4));
            Map<String, Object> body = Json.parseObject(r.body());
            act(s.key(), rs, body);
            ServiceStatus now = director.service(s.key()).orElseThrow(() -> new Refused(404, "the service is gone"));
            return Response.of(200, server(now.key(), realServer(now, parts.get(4)), checks()));
        }
        boolean known = path.equals("/services") || path.startsWith("/services/") || path.equals("/connections")
                || path.equals("/ha") || path.equals("/plugins") || path.startsWith("/plugins/") || path.startsWith("/config")
                || path.equals("/table");
        throw known ? new Refused(405, "method " + m + " not allowed on " + r.path())
                : new Refused(404, "no such resource: " + r.path());
    }

    // ------------------------------------------------------------------------------------------------------------
    // Sessions and the checks every request passes

    private Response login(Request r) throws Refused {
        long wait = sessions.lockedFor(r.remoteAddress());
        if (wait > 0) {
            throw new Refused(429, "too many failed logins from " + r.remoteAddress() + "; try again in " + wait
                    + " s");
        }
        Map<String, Object> body = Json.parseObject(r.body());
        Object user = body.get("user");
        Object password = body.get("password");
        if (!(user instanceof String u) || !(password instanceof String p)) {
            throw new IllegalArgumentException("a login needs \"user\" and \"password\" strings");
        }
        Users users;
        try {
            users = Users.load(usersFile);
        } catch (IOException e) {
            throw new Refused(401, "logins are unavailable: " + e.getMessage());
        }
        if (users.isEmpty()) {
            throw new Refused(401, "no account exists yet: set one with ./lvs4j passwd USER --role ROLE");
        }
        Optional<Users.Account> a = users.verify(u, p.toCharArray());
        if (a.isEmpty()) {
            sessions.failed(r.remoteAddress());
            throw new Refused(401, "wrong user or password");
        }
        Sessions.Session s = sessions.open(a.get().name(), a.get().role());
        return new Response(200, Json.write(session(s)),
                List.of(COOKIE + "=" + s.id() + "; Path=/; HttpOnly; SameSite=Strict"));
    }

    private static Map<String, Object> session(Sessions.Session s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("user", s.user());
        m.put("role", s.role().name().toLowerCase(Locale.ROOT));
        m.put("csrf", s.csrf());
        return m;
    }

    private Sessions.Session sessionOf(Request r) throws Refused {
        String auth = r.header("authorization");
        if (auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
            Tokens.Token t;
            try {
                t = Tokens.load(tokensFile).find(auth.substring(7).strip())
                        .orElseThrow(() -> new Refused(401, "unknown bearer token"));
            } catch (IOException e) {
                throw new Refused(401, "tokens are unavailable: " + e.getMessage());
            }
            return new Sessions.Session(null, t.user(), t.role(), null, 0, 0); // a script's: no cookie, no CSRF
        }
        return sessions.find(r.cookie(COOKIE))
                .orElseThrow(() -> new Refused(401, "no session: log in with POST " + PREFIX + "/session"));
    }

    private Sessions.Session reading(Request r) throws Refused {
        return sessionOf(r); // every role may read
    }

    /** A state change: a session with the role, and its CSRF token in X-CSRF-Token. */
    private Sessions.Session changing(Request r, Users.Role needed) throws Refused {
        Sessions.Session s = sessionOf(r);
        String token = r.header("x-csrf-token");
        // a bearer token (csrf null) has no cookie a foreign page could ride on, so it needs no CSRF token
        if (s.csrf() != null
                && (token == null || !java.security.MessageDigest.isEqual(token.getBytes(), s.csrf().getBytes()))) {
            throw new Refused(403, token == null ? "missing CSRF token (X-CSRF-Token)" : "foreign CSRF token");
        }
        if (!s.role().allows(needed)) {
            throw new Refused(403, s.user() + "'s role is " + s.role().name().toLowerCase(Locale.ROOT)
                    + "; this needs " + needed.name().toLowerCase(Locale.ROOT));
        }
        return s;
    }

    /** A request a browser sent from another site's page carries that site's Origin: refused. */
    private static void sameOrigin(Request r) throws Refused {
        String origin = r.header("origin");
        if (origin == null || r.method().equals("GET")) {
            return;
        }
        String host = r.header("host");
        if (host == null || !(origin.equals("http://" + host) || origin.equals("https://" + host))) {
            throw new Refused(403, "cross-origin request refused (Origin " + origin + ")");
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // Resources

    private ServiceStatus service(String proto, String endpoint) throws Refused {
        Protocol p = switch (proto) {
            case "tcp" -> Protocol.TCP;
            case "udp" -> Protocol.UDP;
            default -> throw new IllegalArgumentException("protocol must be tcp or udp, not \"" + proto + "\"");
        };
        Endpoint e = endpoint(endpoint);
        return director.service(new ServiceKey(p, e.address, e.port))
                .orElseThrow(() -> new Refused(404, "no service " + proto + " " + endpoint));
    }

    private static RealServerStatus realServer(ServiceStatus s, String endpoint) throws Refused {
        Endpoint e = endpoint(endpoint);
        return s.realServers().stream()
                .filter(r -> r.config().address().equals(e.address) && r.config().port() == e.port).findFirst()
                .orElseThrow(() -> new Refused(404, "no real server " + endpoint + " in " + s.key()));
    }

    private record Endpoint(InetAddress address, int port) {
    }

    /** "10.0.0.1:80" or "[2001:db8::1]:80": numeric addresses only, no name lookups. */
    private static Endpoint endpoint(String text) {
        int colon = text.lastIndexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("an address and port are expected, not \"" + text + "\"");
        }
        String host = text.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(text.substring(colon + 1));
        } catch (NumberFormatException e) {
            port = -1;
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("an address and port are expected, not \"" + text + "\"");
        }
        return new Endpoint(literal(host), port);
    }

    /**
     * A numeric address, never looked up (a name here would cost a DNS query on a server thread): IPv4 as four
     * dotted decimals, or IPv6.
     */
    private static InetAddress literal(String text) {
        if (text.matches("\\d{1,3}(\\.\\d{1,3}){3}|[0-9a-fA-F:.]*:[0-9a-fA-F:.]*")) {
            try {
                return InetAddress.ofLiteral(text);
            } catch (IllegalArgumentException e) {
                // reported below
            }
        }
        throw new IllegalArgumentException("not a numeric address: \"" + text + "\"");
    }

    private void act(ServiceKey key, RealServerStatus rs, Map<String, Object> body) throws Refused {
        Object action = body.get("action");
        InetAddress a = rs.config().address();
        int port = rs.config().port();
        String id = key + " " + a.getHostAddress() + ":" + port;
        try {
            switch (String.valueOf(action)) {
                case "drain" -> {
                    if (rs.config().weight() > 0) {
                        drainedWeights.put(id, rs.config().weight());
                    }
                    director.apply(new TableChange.EditRealServer(key, rs.config().withWeight(0)));
                }
                case "ready" -> {
                    List<TableChange> changes = new ArrayList<>();
                    changes.add(new TableChange.SetAdminState(key, a, port, AdminState.READY));
                    Integer w = drainedWeights.remove(id);
                    if (w != null && rs.config().weight() == 0) {
                        changes.add(new TableChange.EditRealServer(key, rs.config().withWeight(w)));
                    }
                    director.apply(changes);
                }
                case "maint" -> director.apply(new TableChange.SetAdminState(key, a, port, AdminState.MAINT));
                case "weight" -> {
                    if (!(body.get("weight") instanceof Long w) || w < 0 || w > Integer.MAX_VALUE) {
                        throw new IllegalArgumentException("\"weight\" must be a whole number from 0 to "
                                + Integer.MAX_VALUE);
                    }
                    drainedWeights.remove(id);
                    director.apply(new TableChange.EditRealServer(key, rs.config().withWeight((int) (long) w)));
                }
                default -> throw new IllegalArgumentException("\"action\" must be drain, ready, maint or weight");
            }
        } catch (TableException e) { // BatchException included
            throw new Refused(409, e.getMessage());
        }
    }

    /** The ldirectord.cf in use: its path and text (at most 256 KiB), or no file. */
    private Map<String, Object> config() throws Refused {
        org.lvs4j.api.health.HealthMonitor h = health.get();
        Map<String, Object> m = new LinkedHashMap<>();
        Optional<Path> file = h == null ? Optional.empty() : h.configFile();
        m.put("file", file.map(Path::toString).orElse(null));
        if (file.isPresent()) {
            try {
                if (java.nio.file.Files.size(file.get()) > 256 * 1024) {
                    throw new Refused(409, file.get() + " is over 256 KiB; read it on the director");
                }
                m.put("text", java.nio.file.Files.readString(file.get()));
            } catch (IOException e) {
                throw new Refused(409, "cannot read " + file.get() + ": " + e.getMessage());
            }
            m.put("checks", h.statistics());
        }
        return m;
    }

    /**
     * Checks an ldirectord.cf text ({"text": ...}; an error names the line) or reloads the file in use. A rejected
     * file changes nothing that runs.
     */
    private Map<String, Object> checkOrReload(boolean reload, String body) throws Refused {
        org.lvs4j.api.health.HealthMonitor h = health.get();
        if (h == null) {
            throw new Refused(409, "the check monitor (org.lvs4j.health) is not running");
        }
        try {
            if (reload) {
                Path file = h.configFile().orElseThrow(() -> new Refused(409,
                        "no ldirectord.cf is in use (./lvs4j run --config FILE, or lvs:ldirectord load FILE)"));
                return Map.of("file", file.toString(), "summary", h.load(file, false));
            }
            Object text = Json.parseObject(body).get("text");
            if (!(text instanceof String t)) {
                throw new IllegalArgumentException("a check needs the file's text in \"text\"");
            }
            Path tmp = java.nio.file.Files.createTempFile("ldirectord", ".cf");
            try {
                java.nio.file.Files.writeString(tmp, t);
                return Map.of("summary", h.load(tmp, true));
            } catch (org.lvs4j.api.health.ConfigException e) {
                // the temporary file's name means nothing to the operator
                throw new IllegalArgumentException(e.getMessage().replace(tmp.toString(), "ldirectord.cf"));
            } finally {
                java.nio.file.Files.deleteIfExists(tmp);
            }
        } catch (org.lvs4j.api.health.ConfigException e) {
            throw new IllegalArgumentException(e.getMessage());
        } catch (IOException e) {
            throw new Refused(409, e.getMessage());
        }
    }

    /** The monitor's checks by service and real server (empty without the monitor), for the servers' health. */
    private Map<String, CheckStatus> checks() {
        org.lvs4j.api.health.HealthMonitor h = health.get();
        Map<String, CheckStatus> out = new java.util.HashMap<>();
        if (h != null) {
            try {
                h.checks().forEach(c -> out.put(c.service() + " " + c.address().getHostAddress() + " " + c.port(), c));
            } catch (IllegalStateException stopping) {
                // the monitor is stopping: no health to show
            }
        }
        return out;
    }

    private static Map<String, Object> service(ServiceStatus s, Map<String, CheckStatus> checks) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("protocol", s.key().protocol().name().toLowerCase(Locale.ROOT));
        m.put("address", s.key().address().getHostAddress());
        m.put("port", s.key().port());
        m.put("scheduler", s.config().scheduler());
        m.put("persistent", s.config().persistent() ? s.config().persistenceTimeout() : null);
        m.put("schedulerMissing", s.schedulerMissing());
        m.put("stats", counters(s.stats()));
        m.put("rates", counters(s.rates()));
        m.put("servers", servers(s, checks));
        return m;
    }

    private static List<Object> servers(ServiceStatus s, Map<String, CheckStatus> checks) {
        List<Object> out = new ArrayList<>();
        s.realServers().forEach(r -> out.add(server(s.key(), r, checks)));
        return out;
    }

    private static Map<String, Object> server(ServiceKey key, RealServerStatus r, Map<String, CheckStatus> checks) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("address", r.config().address().getHostAddress());
        m.put("port", r.config().port());
        m.put("method", r.config().method().id());
        m.put("weight", r.config().weight());
        m.put("admin", r.adminState().name().toLowerCase(Locale.ROOT));
        m.put("activeConns", r.activeConns());
        m.put("inactiveConns", r.inactiveConns());
        m.put("persistentConns", r.persistentConns());
        CheckStatus c = checks.get(key + " " + r.config().address().getHostAddress() + " " + r.config().port());
        Map<String, Object> health = null; // not checked: a server outside ldirectord.cf
        if (c != null) {
            health = new LinkedHashMap<>();
            health.put("check", c.check());
            health.put("state", c.state());
            health.put("reason", c.reason());
            health.put("since", c.since().toString());
            health.put("failures", c.failures());
            health.put("lastCheckMs", c.latency().count() == 0 ? null : c.latency().lastNanos() / 1e6);
        }
        m.put("health", health);
        m.put("stats", counters(r.stats()));
        m.put("rates", counters(r.rates()));
        return m;
    }

    private static Map<String, Object> counters(org.lvs4j.api.Counters c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("conns", c.conns());
        m.put("inPackets", c.inPackets());
        m.put("outPackets", c.outPackets());
        m.put("inBytes", c.inBytes());
        m.put("outBytes", c.outBytes());
        return m;
    }

    /**
     * A page of the connection table, after the filters: {@code virtual}, {@code destination} and {@code client}
     * match an address or an address:port ({@code [v6]:port}), {@code state} a state (any case), {@code q} a piece of
     * any of them; {@code total} counts the matching entries.
     */
    private Map<String, Object> connections(Request r) {
        int offset = number(r.query().get("offset"), 0, "offset");
        int limit = number(r.query().get("limit"), 100, "limit");
        if (limit < 1 || limit > 1000) {
            throw new IllegalArgumentException("limit must be from 1 to 1000");
        }
        var virtual = addressFilter("virtual", r.query().get("virtual"));
        var destination = addressFilter("destination", r.query().get("destination"));
        var client = addressFilter("client", r.query().get("client"));
        String state = r.query().get("state");
        String q = r.query().get("q");
        int total = 0;
        List<Object> page = new ArrayList<>();
        for (ConnectionEntry c : director.connections()) {
            String cl = endpointText(c.client(), c.clientPort());
            String vi = endpointText(c.virtual(), c.virtualPort());
            String de = endpointText(c.destination(), c.destinationPort());
            if (!virtual.test(c.virtual(), c.virtualPort()) || !destination.test(c.destination(), c.destinationPort())
                    || !client.test(c.client(), c.clientPort()) || state != null && !state.isEmpty()
                    && !state.equalsIgnoreCase(c.state()) || q != null && !q.isEmpty()
                    && !(cl + " " + vi + " " + de + " " + c.state()).toLowerCase(Locale.ROOT)
                    .contains(q.toLowerCase(Locale.ROOT))) {
                continue;
            }
            if (total++ < offset || page.size() >= limit) {
                continue;
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("protocol", c.protocol() == null ? "ip" : c.protocol().name().toLowerCase(Locale.ROOT));
            m.put("client", cl);
            m.put("virtual", vi);
            m.put("destination", de);
            m.put("state", c.state());
            m.put("expires", c.expiresSeconds());
            m.put("template", c.template());
            page.add(m);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("total", total);
        out.put("offset", offset);
        out.put("limit", limit);
        out.put("connections", page);
        return out;
    }

    private static String endpointText(InetAddress a, int port) {
        String host = a.getHostAddress();
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    /**
     * An address filter from the query: null or empty matches all; else an address (any port) or an address:port
     * ({@code [v6]:port}), compared as addresses, so any spelling of an IPv6 address matches.
     */
    private static java.util.function.BiPredicate<InetAddress, Integer> addressFilter(String name, String text) {
        if (text == null || text.isEmpty()) {
            return (a, p) -> true;
        }
        try { // an address alone: "10.0.0.1", "2001:db8::1" (IPv6 with a port is written [addr]:port)
            InetAddress only = literal(text);
            return (a, p) -> a.equals(only);
        } catch (IllegalArgumentException e) {
            // perhaps address:port
        }
        try {
            Endpoint e = endpoint(text);
            return (a, p) -> a.equals(e.address) && p == e.port;
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(name + " must be an address or address:port, not \"" + text + "\"");
        }
    }

    private static int number(String v, int fallback, String name) {
        if (v == null) {
            return fallback;
        }
        try {
            int n = Integer.parseInt(v);
            if (n < 0) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a whole number, not \"" + v + "\"");
        }
    }
}
