package org.lvs4j.web.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lvs4j.api.ForwardMethod;
import org.lvs4j.api.Protocol;
import org.lvs4j.api.RealServerConfig;
import org.lvs4j.api.ServiceConfig;
import org.lvs4j.api.ServiceKey;
import org.lvs4j.api.TableChange.AddRealServer;
import org.lvs4j.api.TableChange.AddService;
import org.lvs4j.director.internal.Table;
import org.lvs4j.director.internal.TableDirector;
import org.lvs4j.scheduler.rr.RoundRobinScheduler;

/** Every endpoint of this part of the API against a real director table, with each refusal it must make. */
class ApiTest {

    @TempDir
    Path dir;
    private Table table;
    private Api api;
    private final long[] now = {0};
    private static final String SVC = "/api/v1/services/tcp/10.0.0.100:80";
    private static final String RS = SVC + "/servers/10.0.0.11:80";

    @BeforeEach
    void setUp() throws Exception {
        table = new Table(System::nanoTime, a -> false);
        table.addScheduler("rr", new RoundRobinScheduler(), 0, 1);
        ServiceKey vip = new ServiceKey(Protocol.TCP, InetAddress.getByName("10.0.0.100"), 80);
        table.apply(new AddService(ServiceConfig.of(vip, "rr")));
        table.apply(new AddRealServer(vip, RealServerConfig.of(InetAddress.getByName("10.0.0.11"), 80,
                ForwardMethod.DROUTE, 5)));
        Users users = Users.load(dir.resolve("users"));
        users.set("olga", Users.Role.OPERATOR, "operator-password".toCharArray());
        users.set("vic", Users.Role.VIEWER, "viewer-password".toCharArray());
        api = new Api(new TableDirector(table), () -> null, dir.resolve("users"), new Sessions(() -> now[0]),
                () -> List.of(Map.of("kind", "scheduler", "name", "rr", "bundle", "org.lvs4j.scheduler.rr",
                        "version", "0.1.0")));
    }

    private Api.Response call(String method, String path, String body, Map<String, String> headers) {
        Map<String, String> h = new HashMap<>(headers);
        h.putIfAbsent("host", "127.0.0.1:9080");
        return api.handle(new Api.Request(method, path, Map.of(), h, body, "127.0.0.1"));
    }

    /** Logs in; returns the cookie header and the CSRF token. */
    private String[] login(String user, String password) {
        Api.Response r = call("POST", "/api/v1/session", "{\"user\":\"" + user + "\",\"password\":\"" + password
                + "\"}", Map.of());
        assertEquals(200, r.status(), r.json());
        String cookie = r.setCookies().get(0);
        assertTrue(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"), cookie);
        String csrf = (String) Json.parseObject(r.json()).get("csrf");
        return new String[] {cookie.substring(0, cookie.indexOf(';')), csrf};
    }

    @Test
    void aLoggedInViewerReadsTheTable() {
        assertEquals(401, call("GET", "/api/v1/services", "", Map.of()).status(), "no session");
        String[] s = login("vic", "viewer-password");
        Api.Response services = call("GET", "/api/v1/services", "", Map.of("cookie", s[0]));
        assertEquals(200, services.status());
        assertTrue(services.json().startsWith("[{\"protocol\":\"tcp\",\"address\":\"10.0.0.100\",\"port\":80,"),
                services.json());
        assertEquals(200, call("GET", SVC, "", Map.of("cookie", s[0])).status());
        assertTrue(call("GET", SVC + "/servers", "", Map.of("cookie", s[0])).json()
                .contains("\"address\":\"10.0.0.11\",\"port\":80,\"method\":\"droute\",\"weight\":5"));
        assertEquals(404, call("GET", "/api/v1/services/tcp/10.0.0.100:81", "", Map.of("cookie", s[0])).status());
        assertEquals(404, call("GET", SVC + "/servers/10.0.0.99:80", "", Map.of("cookie", s[0])).status());
        assertEquals(400, call("GET", "/api/v1/services/sctp/10.0.0.100:80", "", Map.of("cookie", s[0])).status());
        assertEquals(200, call("GET", "/api/v1/connections", "", Map.of("cookie", s[0])).status());
        assertEquals("{\"state\":\"none\",\"transitions\":[]}",
                call("GET", "/api/v1/ha", "", Map.of("cookie", s[0])).json());
        assertEquals(404, call("GET", "/api/v1/nothing", "", Map.of("cookie", s[0])).status());
        assertTrue(call("GET", "/api/v1/plugins", "", Map.of("cookie", s[0])).json()
                .contains("\"name\":\"rr\""));
        assertTrue(api.snapshot().contains("\"services\":[{\"protocol\":\"tcp\""), api.snapshot());
        assertEquals(null, api.refuseReading(new Api.Request("GET", "/api/v1/stats/stream", Map.of(),
                Map.of("cookie", s[0]), "", "127.0.0.1")));
        assertEquals(401, api.refuseReading(new Api.Request("GET", "/api/v1/stats/stream", Map.of(), Map.of(), "",
                "127.0.0.1")).status(), "the stream needs a session");
    }

    record TestFlow(Protocol protocol, InetAddress sourceAddress, int sourcePort, InetAddress destinationAddress,
                    int destinationPort) implements org.lvs4j.api.scheduler.Flow {
    }

    @Test
    void theConnectionTableIsFilteredAndPagedByTheDirector() throws Exception {
        ServiceKey vip = new ServiceKey(Protocol.TCP, InetAddress.getByName("10.0.0.100"), 80);
        for (int i = 1; i <= 5; i++) {
            var c = table.schedule(table.virtualService(vip), new TestFlow(Protocol.TCP,
                    InetAddress.getByName("192.0.2." + i), 40000 + i, vip.address(), 80)).connection();
            c.tcpSegment(true, 0x02); // SYN
            if (i <= 3) {
                c.tcpSegment(true, 0x10); // ACK: established
            }
        }
        String[] s = login("vic", "viewer-password");
        java.util.function.Function<Map<String, String>, Map<String, Object>> page = q -> {
            Api.Response r = api.handle(new Api.Request("GET", "/api/v1/connections", q,
                    Map.of("cookie", s[0], "host", "127.0.0.1:9080"), "", "127.0.0.1"));
            assertEquals(200, r.status(), r.json());
            return Json.parseObject(r.json());
        };
        assertEquals(5L, page.apply(Map.of()).get("total"));
        assertEquals(3L, page.apply(Map.of("state", "established")).get("total"));
        Map<String, Object> one = page.apply(Map.of("client", "192.0.2.4"));
        assertEquals(1L, one.get("total"));
        assertTrue(one.toString().contains("client=192.0.2.4:40004") && one.toString().contains("state=SYN_RECV"),
                one.toString());
        assertEquals(1L, page.apply(Map.of("client", "192.0.2.4:40004")).get("total"));
        assertEquals(0L, page.apply(Map.of("client", "192.0.2.4:1")).get("total"));
        assertEquals(5L, page.apply(Map.of("virtual", "10.0.0.100:80", "destination", "10.0.0.11")).get("total"));
        assertEquals(2L, page.apply(Map.of("q", "syn_recv")).get("total"), "q matches any field, in any case");
        // a page of the matching entries, and the total of them all
        Map<String, Object> second = page.apply(Map.of("state", "ESTABLISHED", "offset", "2", "limit", "2"));
        assertEquals(3L, second.get("total"));
        assertEquals(1, ((List<?>) second.get("connections")).size());
        Api.Response bad = api.handle(new Api.Request("GET", "/api/v1/connections", Map.of("client", "nowhere"),
                Map.of("cookie", s[0], "host", "127.0.0.1:9080"), "", "127.0.0.1"));
        assertEquals(400, bad.status());
        assertEquals("{\"error\":\"client must be an address or address:port, not \\\"nowhere\\\"\"}", bad.json());
    }

    @Test
    void anOperatorDrainsAndReadiesARealServerWithItsCsrfToken() throws Exception {
        String[] s = login("olga", "operator-password");
        Map<String, String> ok = Map.of("cookie", s[0], "x-csrf-token", s[1], "origin", "http://127.0.0.1:9080");
        Api.Response drained = call("POST", RS, "{\"action\":\"drain\"}", ok);
        assertEquals(200, drained.status(), drained.json());
        assertTrue(drained.json().contains("\"weight\":0"), drained.json());
        assertEquals(0, table.services().get(0).realServers().get(0).config().weight(), "the table agrees");
        Api.Response ready = call("POST", RS, "{\"action\":\"ready\"}", ok);
        assertTrue(ready.json().contains("\"weight\":5,\"admin\":\"ready\""), ready.json());
        assertTrue(call("POST", RS, "{\"action\":\"maint\"}", ok).json().contains("\"admin\":\"maint\""));
        assertTrue(call("POST", RS, "{\"action\":\"weight\",\"weight\":7}", ok).json().contains("\"weight\":7"));
    }

    @Test
    void changesAreRefusedWithoutTheRightRoleTokenOriginOrBody() {
        String[] viewer = login("vic", "viewer-password");
        Api.Response role = call("POST", RS, "{\"action\":\"drain\"}", Map.of("cookie", viewer[0], "x-csrf-token",
                viewer[1]));
        assertEquals(403, role.status());
        assertEquals("{\"error\":\"vic's role is viewer; this needs operator\"}", role.json());

        String[] s = login("olga", "operator-password");
        assertEquals("{\"error\":\"missing CSRF token (X-CSRF-Token)\"}",
                call("POST", RS, "{\"action\":\"drain\"}", Map.of("cookie", s[0])).json());
        assertEquals("{\"error\":\"foreign CSRF token\"}", call("POST", RS, "{\"action\":\"drain\"}",
                Map.of("cookie", s[0], "x-csrf-token", viewer[1])).json());
        Api.Response origin = call("POST", RS, "{\"action\":\"drain\"}", Map.of("cookie", s[0], "x-csrf-token",
                s[1], "origin", "http://evil.example"));
        assertEquals(403, origin.status());
        assertEquals("{\"error\":\"cross-origin request refused (Origin http://evil.example)\"}", origin.json());
        Map<String, String> ok = Map.of("cookie", s[0], "x-csrf-token", s[1]);
        Api.Response malformed = call("POST", RS, "{\"action\":", ok);
        assertEquals(400, malformed.status());
        assertTrue(malformed.json().startsWith("{\"error\":\"malformed JSON at character 11"), malformed.json());
        assertEquals(400, call("POST", RS, "{\"action\":\"explode\"}", ok).status());
        assertEquals(400, call("POST", RS, "{\"action\":\"weight\",\"weight\":-1}", ok).status());
        assertEquals(404, call("POST", SVC + "/servers/10.0.0.12:80", "{\"action\":\"drain\"}", ok).status());
        assertEquals(405, call("DELETE", SVC, "", ok).status());
        assertEquals(5, table.services().get(0).realServers().get(0).config().weight(), "nothing changed");
    }

    @Test
    void loginsAreCheckedLimitedAndEnd() {
        assertEquals(401, call("POST", "/api/v1/session", "{\"user\":\"olga\",\"password\":\"guess\"}", Map.of())
                .status());
        for (int i = 0; i < 4; i++) {
            call("POST", "/api/v1/session", "{\"user\":\"olga\",\"password\":\"guess\"}", Map.of());
        }
        Api.Response limited = call("POST", "/api/v1/session",
                "{\"user\":\"olga\",\"password\":\"operator-password\"}", Map.of());
        assertEquals(429, limited.status(), "even the right password waits after 5 failures in a minute");
        now[0] += Sessions.FAILURE_WINDOW + 1;
        String[] s = login("olga", "operator-password");
        Api.Response logout = call("DELETE", "/api/v1/session", "", Map.of("cookie", s[0], "x-csrf-token", s[1]));
        assertEquals(200, logout.status());
        assertEquals(401, call("GET", "/api/v1/services", "", Map.of("cookie", s[0])).status(), "the session ended");
        String[] t = login("olga", "operator-password");
        now[0] += Sessions.IDLE + 1;
        assertEquals(401, call("GET", "/api/v1/session", "", Map.of("cookie", t[0])).status(), "idle too long");
        assertEquals(400, call("POST", "/api/v1/session", "[1]", Map.of()).status());
    }

    @Test
    void aScriptActsWithABearerTokenAndNoCsrfToken() throws Exception {
        String token = Tokens.load(dir.resolve("tokens")).create("olga", Users.Role.OPERATOR);
        assertTrue(token.startsWith("lvs4j_"));
        assertTrue(!java.nio.file.Files.readString(dir.resolve("tokens")).contains(token), "kept as a hash only");
        Api.Response drained = call("POST", RS, "{\"action\":\"drain\"}", Map.of("authorization", "Bearer " + token));
        assertEquals(200, drained.status(), drained.json());
        assertEquals(0, table.services().get(0).realServers().get(0).config().weight());
        assertEquals(401, call("GET", "/api/v1/services", "", Map.of("authorization", "Bearer lvs4j_forged"))
                .status());
        String viewer = Tokens.load(dir.resolve("tokens")).create("vic", Users.Role.VIEWER);
        assertEquals(403, call("POST", RS, "{\"action\":\"ready\"}", Map.of("authorization", "Bearer " + viewer))
                .status(), "a token has its account's role");
        assertEquals(1, Tokens.load(dir.resolve("tokens")).revoke("olga"));
        assertEquals(401, call("GET", "/api/v1/services", "", Map.of("authorization", "Bearer " + token)).status(),
                "a revoked token is refused");
    }

    @Test
    void uploadsAndRemovalsNeedAnAdminAndADeployer() {
        String[] operator = login("olga", "operator-password");
        Map<String, String> op = Map.of("cookie", operator[0], "x-csrf-token", operator[1]);
        Api.Request upload = new Api.Request("POST", "/api/v1/plugins", Map.of(), op, "", "127.0.0.1");
        assertEquals("{\"error\":\"olga's role is operator; this needs admin\"}", api.upload(upload, new byte[10]).json());
        assertEquals(403, call("DELETE", "/api/v1/plugins/rr", "", op).status());
        String[] admin = adminLogin();
        Map<String, String> ad = Map.of("cookie", admin[0], "x-csrf-token", admin[1]);
        Api.Request mine = new Api.Request("POST", "/api/v1/plugins", Map.of(), ad, "", "127.0.0.1");
        assertEquals(400, api.upload(mine, new byte[0]).status(), "an empty body");
        assertEquals("{\"error\":\"plug-in deployment (org.lvs4j.shell) is not running\"}",
                api.upload(mine, new byte[10]).json());
        assertEquals(409, call("DELETE", "/api/v1/plugins/rr", "", ad).status());
    }

    private String[] adminLogin() {
        try {
            Users.load(dir.resolve("users")).set("ada", Users.Role.ADMIN, "admin-password".toCharArray());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return login("ada", "admin-password");
    }
}
