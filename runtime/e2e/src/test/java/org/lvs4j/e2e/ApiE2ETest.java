package org.lvs4j.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The JSON API through the appliance's Jetty: an account set with ./lvs4j passwd logs in, reads the services, drains
 * a real server with its CSRF token, and {@code ipvsadm -L -n} shows the weight 0; without the token nothing changes.
 */
class ApiE2ETest {

    static final String VIP = "127.7.141.1";
    static final int PORT = 18141;
    @TempDir
    Path tmp;
    private Appliance a;

    @AfterEach
    void stop() throws Exception {
        if (a != null) {
            a.close();
        }
    }

    /** The Weight column of the real server's line in {@code ipvsadm -L -n}. */
    static String weight(String listing) {
        Matcher m = Pattern.compile("-> 127\\.0\\.0\\.61:" + PORT + "\\s+FullNat\\s+(\\d+)\\s").matcher(listing);
        return m.find() ? m.group(1) : listing;
    }

    @Test
    void anOperatorDrainsARealServerAndIpvsadmAgrees() throws Exception {
        Path state = tmp.resolve("d");
        Appliance.passwd(state, "olga", "operator", "operator-password");
        int admin = Appliance.freePort();
        a = new Appliance(state).start(List.of("--admin-port", String.valueOf(admin)));
        a.ctl("ipvsadm", "-A", "-t", VIP + ":" + PORT, "-s", "rr").ok();
        a.ctl("ipvsadm", "-a", "-t", VIP + ":" + PORT, "-r", "127.0.0.61:" + PORT, "-b", "-w", "4").ok();

        String base = "http://127.0.0.1:" + admin + "/api/v1";
        HttpClient http = HttpClient.newBuilder().cookieHandler(new java.net.CookieManager()).build();
        HttpResponse<String> login = http.send(HttpRequest.newBuilder(URI.create(base + "/session"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"user\":\"olga\",\"password\":\"operator-password\"}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, login.statusCode(), login.body());
        String cookie = login.headers().firstValue("set-cookie").orElse("");
        assertTrue(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"), cookie);
        Matcher m = Pattern.compile("\"csrf\":\"([^\"]+)\"").matcher(login.body());
        assertTrue(m.find(), login.body());
        String csrf = m.group(1);

        HttpResponse<String> services = http.send(HttpRequest.newBuilder(URI.create(base + "/services")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, services.statusCode());
        assertTrue(services.body().contains("\"address\":\"127.0.0.61\",\"port\":" + PORT + ",\"method\":\"fullnat\","
                + "\"weight\":4"), services.body());
        assertEquals("application/json;charset=utf-8",
                services.headers().firstValue("content-type").orElse("").toLowerCase().replace(" ", ""));

        String server = base + "/services/tcp/" + VIP + ":" + PORT + "/servers/127.0.0.61:" + PORT;
        HttpResponse<String> forged = http.send(HttpRequest.newBuilder(URI.create(server))
                .POST(HttpRequest.BodyPublishers.ofString("{\"action\":\"drain\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(403, forged.statusCode(), "no CSRF token");
        assertEquals("4", weight(a.ctl("ipvsadm", "-L", "-n").ok().out()), "nothing changed");

        HttpResponse<String> drained = http.send(HttpRequest.newBuilder(URI.create(server))
                .header("X-CSRF-Token", csrf)
                .POST(HttpRequest.BodyPublishers.ofString("{\"action\":\"drain\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, drained.statusCode(), drained.body());
        assertTrue(drained.body().contains("\"weight\":0"), drained.body());
        assertEquals("0", weight(a.ctl("ipvsadm", "-L", "-n").ok().out()), "ipvsadm agrees");

        // a script with a bearer token: no cookie, no CSRF token
        Process t = new ProcessBuilder(Appliance.SCRIPT.toString(), "token", "--state-dir", state.toString(), "olga")
                .redirectErrorStream(true).start();
        String token = new String(t.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertTrue(t.waitFor(60, TimeUnit.SECONDS) && t.exitValue() == 0, token);
        HttpResponse<String> ready = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(server))
                .header("Authorization", "Bearer " + token)
                .POST(HttpRequest.BodyPublishers.ofString("{\"action\":\"ready\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, ready.statusCode(), ready.body());
        assertEquals("4", weight(a.ctl("ipvsadm", "-L", "-n").ok().out()), "ready brought the weight back");
    }

    /** A logged-in client: its cookie jar and its session's CSRF token. */
    record Login(HttpClient http, String csrf) {
    }

    /** Logs in with a fresh client. */
    static Login login(String base, String user, String password) throws Exception {
        HttpClient http = HttpClient.newBuilder().cookieHandler(new java.net.CookieManager()).build();
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/session"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"user\":\"" + user + "\",\"password\":\"" + password
                        + "\"}")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        Matcher m = Pattern.compile("\"csrf\":\"([^\"]+)\"").matcher(r.body());
        assertTrue(m.find(), r.body());
        return new Login(http, m.group(1));
    }

    @Test
    void theConfigurationIsShownToAdminsCheckedAndReloaded() throws Exception {
        Path state = tmp.resolve("c");
        Appliance.passwd(state, "ada", "admin", "admin-password");
        Appliance.passwd(state, "olga", "operator", "operator-password");
        Path cf = tmp.resolve("ldirectord.cf");
        Files.writeString(cf, """
                checktimeout=1
                checkinterval=1
                virtual=%s:%d
                        real=127.0.0.62:%d fullnat
                        checktype=on
                        scheduler=rr
                """.formatted(VIP, PORT + 1, PORT + 1));
        int admin = Appliance.freePort();
        a = new Appliance(state).start(List.of("--admin-port", String.valueOf(admin), "--config", cf.toString()));
        String base = "http://127.0.0.1:" + admin + "/api/v1";

        Login operator = login(base, "olga", "operator-password");
        HttpClient oh = operator.http();
        assertEquals(403, oh.send(HttpRequest.newBuilder(URI.create(base + "/config")).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode(), "an operator does not see the file (passwords)");
        Login adm = login(base, "ada", "admin-password");
        HttpClient ah = adm.http();
        HttpResponse<String> config = ah.send(HttpRequest.newBuilder(URI.create(base + "/config")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, config.statusCode(), config.body());
        assertTrue(config.body().contains("real=127.0.0.62"), config.body());

        HttpResponse<String> bad = oh.send(HttpRequest.newBuilder(URI.create(base + "/config/check"))
                .header("X-CSRF-Token", operator.csrf())
                .POST(HttpRequest.BodyPublishers.ofString("{\"text\":\"checktimeout=1\\nvirtual=nonsense\\n\"}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(400, bad.statusCode(), bad.body());
        assertTrue(bad.body().startsWith("{\"error\":\"ldirectord.cf:2: "), bad.body());

        Files.writeString(cf, Files.readString(cf).replace("real=127.0.0.62:" + (PORT + 1) + " fullnat",
                "real=127.0.0.62:" + (PORT + 1) + " fullnat\n        real=127.0.0.63:" + (PORT + 1) + " fullnat"));
        HttpResponse<String> reload = oh.send(HttpRequest.newBuilder(URI.create(base + "/config/reload"))
                .header("X-CSRF-Token", operator.csrf()).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, reload.statusCode(), reload.body());
        Appliance.poll(() -> a.ctl("ipvsadm", "-L", "-n").ok().out().contains("127.0.0.63:" + (PORT + 1)),
                "the reloaded file's new real server in the table");
        HttpResponse<String> table = oh.send(HttpRequest.newBuilder(URI.create(base + "/table")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertTrue(table.body().contains("-a -t " + VIP + ":" + (PORT + 1) + " -r 127.0.0.63:" + (PORT + 1)),
                table.body());
    }

    @Test
    void anAdminUploadsAPluginAndRemovesIt() throws Exception {
        Path state = tmp.resolve("p");
        Appliance.passwd(state, "ada", "admin", "admin-password");
        int admin = Appliance.freePort();
        a = new Appliance(state).start(List.of("--admin-port", String.valueOf(admin)));
        String base = "http://127.0.0.1:" + admin + "/api/v1";
        Login adm = login(base, "ada", "admin-password");
        HttpClient http = adm.http();
        Path jar;
        try (var files = Files.list(Appliance.HOME.resolve("runtime/target/export/lvs4j"))) {
            jar = files.filter(f -> f.getFileName().toString().startsWith("org.lvs4j.scheduler.mh-")).findFirst()
                    .orElseThrow();
        }
        // the built-in mh bundle, uploaded: it is updated in place, as lvs:deploy does
        HttpResponse<String> up = http.send(HttpRequest.newBuilder(URI.create(base + "/plugins"))
                .header("X-CSRF-Token", adm.csrf()).header("Content-Type", "application/java-archive")
                .POST(HttpRequest.BodyPublishers.ofFile(jar)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, up.statusCode(), up.body());
        assertTrue(up.body().contains("deployed org.lvs4j.scheduler.mh") && up.body().contains("scheduler mh"),
                up.body());
        HttpResponse<String> notAJar = http.send(HttpRequest.newBuilder(URI.create(base + "/plugins"))
                .header("X-CSRF-Token", adm.csrf()).POST(HttpRequest.BodyPublishers.ofString("hello")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(400, notAJar.statusCode(), notAJar.body());

        HttpResponse<String> removed = http.send(HttpRequest.newBuilder(URI.create(base + "/plugins/mh"))
                .header("X-CSRF-Token", adm.csrf()).DELETE().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, removed.statusCode(), removed.body());
        assertTrue(removed.body().contains("undeployed org.lvs4j.scheduler.mh"), removed.body());
        String list = http.send(HttpRequest.newBuilder(URI.create(base + "/plugins")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        assertTrue(!list.contains("\"name\":\"mh\"") && list.contains("\"name\":\"rr\""), list);
        assertEquals(404, http.send(HttpRequest.newBuilder(URI.create(base + "/plugins/nosuch"))
                .header("X-CSRF-Token", adm.csrf()).DELETE().build(), HttpResponse.BodyHandlers.ofString())
                .statusCode());
    }
}
