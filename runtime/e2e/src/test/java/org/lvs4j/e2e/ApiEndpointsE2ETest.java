package org.lvs4j.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every endpoint of {@code /api/v1} through the appliance's Jetty, with each refusal the README promises: no session
 * (401), a role too low (403), a missing or foreign CSRF token or a foreign Origin (403), malformed JSON (400), an
 * unknown service or server (404), a wrong method (405); and the HTTP-level attacks of RELIABILITY S5 (duplicate or
 * conflicting lengths, an overflowing chunk size, encoded dot segments), none of which gets past the login.
 */
class ApiEndpointsE2ETest {

    static final String VIP = "127.7.143.1";
    static final int PORT = 18143;
    static final String SERVICE = "/services/tcp/" + VIP + ":" + PORT;
    static final String SERVER = SERVICE + "/servers/127.0.0.81:" + PORT;

    @TempDir
    static Path tmp;
    static Appliance a;
    static int admin;
    static String base;

    @BeforeAll
    static void start() throws Exception {
        Path state = tmp.resolve("d");
        Appliance.passwd(state, "vera", "viewer", "viewer-password");
        Appliance.passwd(state, "olga", "operator", "operator-password");
        Appliance.passwd(state, "ada", "admin", "admin-password");
        admin = Appliance.freePort();
        a = new Appliance(state).start(List.of("--admin-port", String.valueOf(admin)));
        a.ctl("ipvsadm", "-A", "-t", VIP + ":" + PORT, "-s", "rr").ok();
        a.ctl("ipvsadm", "-a", "-t", VIP + ":" + PORT, "-r", "127.0.0.81:" + PORT, "-b", "-w", "2").ok();
        base = "http://127.0.0.1:" + admin + "/api/v1";
    }

    @AfterAll
    static void stop() throws Exception {
        if (a != null) {
            a.close();
        }
    }

    /** The real server's weight in {@code ipvsadm -L -n}. */
    static String weight() throws Exception {
        String listing = a.ctl("ipvsadm", "-L", "-n").ok().out();
        Matcher m = Pattern.compile("-> 127\\.0\\.0\\.81:" + PORT + "\\s+FullNat\\s+(\\d+)\\s").matcher(listing);
        assertTrue(m.find(), listing);
        return m.group(1);
    }

    static ApiE2ETest.Login login(String user, String password) throws Exception {
        return ApiE2ETest.login(base, user, password);
    }

    /** METHOD PATH [BODY], with extra headers as name, value pairs. */
    static HttpResponse<String> call(HttpClient http, String method, String path, String body, String... headers)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).method(method,
                body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static void expect(int status, HttpResponse<String> r, String what) {
        assertEquals(status, r.statusCode(), what + ": " + r.body());
        assertTrue(r.body().startsWith("{") || r.body().startsWith("["), what + " answers JSON: " + r.body());
        if (status >= 400) {
            assertTrue(r.body().startsWith("{\"error\":\""), what + " names the problem: " + r.body());
        }
    }

    static final List<String> READS = List.of("/session", "/services", SERVICE, SERVICE + "/servers", SERVER,
            "/connections?offset=0&limit=10", "/plugins", "/ha", "/table", "/config");
    static final List<String[]> CHANGES = List.of(new String[] {"POST", SERVER, "{\"action\":\"weight\",\"weight\":3}"},
            new String[] {"POST", "/config/check", "{\"text\":\"checktimeout=1\\n\"}"},
            new String[] {"POST", "/config/reload", "{}"}, new String[] {"POST", "/plugins", "not a jar"},
            new String[] {"DELETE", "/plugins/no-such-plugin", null}, new String[] {"DELETE", "/session", null});

    @Test
    void withoutASessionEveryEndpointAnswers401() throws Exception {
        HttpClient anonymous = HttpClient.newHttpClient();
        for (String path : READS) {
            expect(401, call(anonymous, "GET", path, null), "GET " + path);
        }
        expect(401, call(anonymous, "GET", "/stats/stream", null), "GET /stats/stream");
        for (String[] c : CHANGES) {
            expect(401, call(anonymous, c[0], c[1], c[2]), c[0] + " " + c[1]);
        }
        expect(401, call(anonymous, "POST", "/session", "{\"user\":\"vera\",\"password\":\"wrong\"}"), "bad login");
        expect(400, call(anonymous, "POST", "/session", "{\"user\":"), "malformed login");
    }

    @Test
    void aViewerReadsEverythingButTheFileAndChangesNothing() throws Exception {
        var v = login("vera", "viewer-password");
        String before = weight();
        for (String path : READS) {
            expect(path.equals("/config") ? 403 : 200, call(v.http(), "GET", path, null), "viewer GET " + path);
        }
        HttpResponse<InputStream> stream = v.http().send(HttpRequest.newBuilder(URI.create(base + "/stats/stream"))
                .build(), HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, stream.statusCode());
        assertEquals("text/event-stream;charset=utf-8", stream.headers().firstValue("content-type").orElse("")
                .toLowerCase().replace(" ", ""));
        try (InputStream in = stream.body()) {
            byte[] first = in.readNBytes(64);
            assertTrue(new String(first, StandardCharsets.UTF_8).startsWith("event: stats\ndata: {"),
                    new String(first, StandardCharsets.UTF_8));
        }
        for (String[] c : CHANGES) {
            if (!c[1].equals("/session")) {
                HttpResponse<String> r = call(v.http(), c[0], c[1], c[2], "X-CSRF-Token", v.csrf());
                expect(403, r, "viewer " + c[0] + " " + c[1]);
                assertTrue(r.body().contains("vera's role is viewer"), r.body());
            }
        }
        assertEquals(before, weight(), "nothing changed");
        expect(200, call(v.http(), "DELETE", "/session", null, "X-CSRF-Token", v.csrf()), "logout");
        expect(401, call(v.http(), "GET", "/services", null), "after logout");
    }

    @Test
    void anOperatorsChangesNeedTheTokenTheOriginAndAWellFormedBody() throws Exception {
        var o = login("olga", "operator-password");
        String before = weight();
        String weight3 = "{\"action\":\"weight\",\"weight\":3}";
        expect(403, call(o.http(), "POST", SERVER, weight3), "no CSRF token");
        expect(403, call(o.http(), "POST", SERVER, weight3, "X-CSRF-Token", "forged"), "a foreign CSRF token");
        expect(403, call(o.http(), "POST", SERVER, weight3, "X-CSRF-Token", login("olga", "operator-password").csrf()),
                "another session's CSRF token");
        expect(403, call(o.http(), "POST", SERVER, weight3, "X-CSRF-Token", o.csrf(), "Origin",
                "http://evil.example"), "a foreign Origin");
        expect(400, call(o.http(), "POST", SERVER, "{\"action\":", "X-CSRF-Token", o.csrf()), "malformed JSON");
        expect(400, call(o.http(), "POST", SERVER, "{\"action\":\"explode\"}", "X-CSRF-Token", o.csrf()),
                "an unknown action");
        expect(400, call(o.http(), "POST", SERVER, "{\"action\":\"weight\",\"weight\":-1}", "X-CSRF-Token",
                o.csrf()), "a negative weight");
        expect(404, call(o.http(), "GET", "/services/tcp/127.9.9.9:1", null), "an unknown service");
        expect(404, call(o.http(), "POST", "/services/tcp/127.9.9.9:1/servers/127.0.0.81:" + PORT, weight3,
                "X-CSRF-Token", o.csrf()), "a server of an unknown service");
        expect(404, call(o.http(), "GET", SERVICE + "/servers/127.0.0.99:1", null), "an unknown server");
        expect(400, call(o.http(), "GET", "/services/tcp/not-an-address", null), "a malformed service");
        expect(405, call(o.http(), "PUT", "/services", "{}", "X-CSRF-Token", o.csrf()), "a wrong method");
        expect(404, call(o.http(), "GET", "/nothing", null), "an unknown path");
        expect(403, call(o.http(), "POST", "/plugins", "not a jar", "X-CSRF-Token", o.csrf()), "an upload");
        assertEquals(before, weight(), "nothing changed");

        expect(200, call(o.http(), "POST", SERVER, weight3, "X-CSRF-Token", o.csrf()), "the change itself");
        assertEquals("3", weight());
        HttpResponse<String> check = call(o.http(), "POST", "/config/check", "{\"text\":\"virtual=nowhere\\n\"}",
                "X-CSRF-Token", o.csrf());
        expect(400, check, "a bad ldirectord.cf");
        assertTrue(check.body().contains("ldirectord.cf:1: "), check.body());
        expect(409, call(o.http(), "POST", "/config/reload", "{}", "X-CSRF-Token", o.csrf()), "reload without a file");
    }

    @Test
    void anAdminsUploadsAreCheckedAndUnknownPluginsAreNotFound() throws Exception {
        var ad = login("ada", "admin-password");
        HttpResponse<String> junk = call(ad.http(), "POST", "/plugins", "not a jar", "X-CSRF-Token", ad.csrf());
        assertTrue(junk.statusCode() == 400 || junk.statusCode() == 409, junk.statusCode() + " " + junk.body());
        expect(404, call(ad.http(), "DELETE", "/plugins/no-such-plugin", null, "X-CSRF-Token", ad.csrf()),
                "an unknown plug-in");
        expect(200, call(ad.http(), "GET", "/config", null), "the admin reads the file");
    }

    /** A raw request on a fresh connection; returns everything the server sent before closing or 2 s of silence. */
    static String raw(String request) throws Exception {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), admin)) {
            s.setSoTimeout((int) Appliance.scaled(java.time.Duration.ofSeconds(2)).toMillis());
            OutputStream out = s.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            java.io.ByteArrayOutputStream got = new java.io.ByteArrayOutputStream();
            try {
                s.getInputStream().transferTo(got);
            } catch (java.net.SocketTimeoutException e) {
                // the server kept the connection open: what it sent so far is the answer
            }
            return got.toString(StandardCharsets.ISO_8859_1);
        }
    }

    @Test
    void malformedHttpIsRefusedBeforeAnyHandler() throws Exception {
        // every request below carries a live session's cookie: were any of them served, its answer would be a 200
        HttpResponse<String> login = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(base + "/session")).POST(HttpRequest.BodyPublishers.ofString(
                "{\"user\":\"vera\",\"password\":\"viewer-password\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, login.statusCode(), login.body());
        String cookie = "Cookie: " + login.headers().firstValue("set-cookie").orElseThrow().split(";")[0] + "\r\n";
        String smuggled = "GET /ui/app.js HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"; // open to all: 200 if served
        String read = "GET /api/v1/services HTTP/1.1\r\nHost: 127.0.0.1\r\n" + cookie + "\r\n";
        List<String> attacks = List.of(
                // two lengths: which one frames the body decides where a smuggled request would start
                "POST /api/v1/config/check HTTP/1.1\r\nHost: 127.0.0.1\r\n" + cookie + "Content-Length: 0\r\n"
                        + "Content-Length: " + smuggled.length() + "\r\n\r\n" + smuggled,
                // a length and chunked framing at once
                "POST /api/v1/config/check HTTP/1.1\r\nHost: 127.0.0.1\r\n" + cookie + "Content-Length: 5\r\n"
                        + "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + smuggled,
                // a chunk size beyond 64 bits
                "POST /api/v1/config/check HTTP/1.1\r\nHost: 127.0.0.1\r\n" + cookie
                        + "Transfer-Encoding: chunked\r\n\r\n1FFFFFFFFFFFFFFFFFF\r\n{}\r\n0\r\n\r\n" + smuggled,
                // encoded dot segments that would climb from the page into the API
                read.replace("GET /api/v1/services", "GET /ui/%2e%2e/api/v1/services"),
                read.replace("GET /api/v1/services", "GET /%2e/api/v1/services"),
                read.replace("GET /api/v1/services", "GET /ui/..%2fapi/v1/services"));
        for (String attack : attacks) {
            String answer = raw(attack);
            List<String> statuses = answer.lines().filter(l -> l.startsWith("HTTP/1.1 ")).toList();
            assertEquals(1, statuses.size(), "one answer, nothing smuggled served: " + attack + "\n->\n" + answer);
            assertTrue(statuses.get(0).startsWith("HTTP/1.1 400 "), "refused: " + attack + "\n->\n" + answer);
        }
        // the same session, well formed, is served
        assertTrue(raw(read.replace("\r\n\r\n", "\r\nConnection: close\r\n\r\n")).startsWith("HTTP/1.1 200 "));
    }
}
