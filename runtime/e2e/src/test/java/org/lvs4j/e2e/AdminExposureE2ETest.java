package org.lvs4j.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.FileInputStream;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where the admin server answers (RELIABILITY S1, issue 9): the launcher refuses to bind it beyond loopback without
 * TLS; with TLS it serves HTTPS only, its session cookie marked Secure, /metrics behind a bearer token; and a server
 * bound beyond loopback by hand without TLS answers 403 to every plain-text request from the network. The
 * network cases run the director inside a namespace the test creates, reached over a veth pair.
 */
class AdminExposureE2ETest {

    static final String NS = "lvs4j-adm" + ProcessHandle.current().pid();
    static final String HOST_IF = "lvadm" + ProcessHandle.current().pid() % 100000;
    static final String NS_IF = "lvadn" + ProcessHandle.current().pid() % 100000;
    static final String HOST_ADDR = "10.251.7.1";
    static final String NS_ADDR = "10.251.7.2";
    static final int PORT = 19443;
    static final String PASSWORD = "a pass\"phrase\\with quotes";

    @TempDir
    Path tmp;
    private Appliance a;
    private boolean namespace;

    @AfterEach
    void stop() throws Exception {
        if (a != null) {
            a.close();
        }
        if (namespace) {
            new ProcessBuilder("ip", "netns", "del", NS).start().waitFor(); // takes the veth pair with it
        }
    }

    /** {@code ./lvs4j run OPTIONS} that must refuse at once; returns its message. */
    private String refused(Path state, String... options) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Appliance.SCRIPT.toString(), "run", "--state-dir",
                state.toString(), "--no-console"));
        cmd.addAll(List.of(options));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the launcher did not end: " + out);
        assertNotEquals(0, p.exitValue(), out);
        assertFalse(Files.exists(state.resolve("ctl.sock")), "no director started");
        assertFalse(Files.exists(state.resolve("lvs4j.pid")), "no director started");
        return out;
    }

    /** A PKCS12 keystore with a self-signed key for {@code address}, and its password file (0600). */
    private Path[] keystore(String address) throws Exception {
        Path pw = tmp.resolve("admin.password");
        Files.writeString(pw, PASSWORD + "\r\n"); // written on Windows: the CR is not part of the password
        Files.setPosixFilePermissions(pw, PosixFilePermissions.fromString("rw-------"));
        Path ks = tmp.resolve("admin.p12");
        Topology.sh(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(), "-genkeypair",
                "-alias", "admin", "-keyalg", "EC", "-groupname", "secp256r1", "-storetype", "PKCS12",
                "-keystore", ks.toString(), "-storepass:file", pw.toString(), "-dname", "CN=lvs4j-test",
                "-ext", "SAN=ip:" + address, "-validity", "2");
        return new Path[] {ks, pw};
    }

    /** An HTTPS client that trusts the keystore's certificate only, and checks its address as usual. */
    private static HttpClient trusting(Path ks) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = new FileInputStream(ks.toFile())) {
            store.load(in, PASSWORD.toCharArray());
        }
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("admin", store.getCertificate("admin"));
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(null, tmf.getTrustManagers(), null);
        return HttpClient.newBuilder().sslContext(ssl).cookieHandler(new java.net.CookieManager()).build();
    }

    @Test
    void theLauncherRefusesToLeaveLoopbackWithoutTls() throws Exception {
        String out = refused(tmp.resolve("a"), "--admin-address", "192.0.2.10");
        assertTrue(out.contains("--admin-address 192.0.2.10 is beyond loopback") && out.contains("only over TLS"),
                out);
        out = refused(tmp.resolve("b"), "--admin-address", "0.0.0.0");
        assertTrue(out.contains("beyond loopback"), out);
        out = refused(tmp.resolve("b"), "--admin-address", "127.256.0.1"); // a name to the resolver, not loopback
        assertTrue(out.contains("127.256.0.1 is not an IPv4 address"), out);

        Path[] tls = keystore("127.0.0.1");
        Files.setPosixFilePermissions(tls[1], PosixFilePermissions.fromString("rw-r--r--"));
        out = refused(tmp.resolve("c"), "--admin-tls", tls[0].toString(), "--admin-tls-password",
                tls[1].toString());
        assertTrue(out.contains("is open to other users (mode 644); chmod 600 it"), out);

        Path wrong = tmp.resolve("wrong.password");
        Files.writeString(wrong, "not it\n");
        Files.setPosixFilePermissions(wrong, PosixFilePermissions.fromString("rw-------"));
        out = refused(tmp.resolve("d"), "--admin-tls", tls[0].toString(), "--admin-tls-password", wrong.toString());
        assertTrue(out.contains("does not open as a PKCS12 keystore") && out.contains("password"), out);

        out = refused(tmp.resolve("e"), "--admin-tls", tls[0].toString());
        assertTrue(out.contains("--admin-tls needs --admin-tls-password FILE"), out);
    }

    /** A veth pair into a fresh namespace: the host side HOST_ADDR, the namespace's NS_ADDR (and its loopback up). */
    private void network() throws Exception {
        Appliance.needRoot("creates a network namespace and a veth pair");
        Topology.sh("ip", "netns", "add", NS);
        namespace = true;
        Topology.sh("ip", "link", "add", HOST_IF, "type", "veth", "peer", "name", NS_IF, "netns", NS);
        Topology.sh("ip", "addr", "add", HOST_ADDR + "/30", "dev", HOST_IF);
        Topology.sh("ip", "link", "set", HOST_IF, "up");
        Topology.sh("ip", "netns", "exec", NS, "ip", "addr", "add", NS_ADDR + "/30", "dev", NS_IF);
        Topology.sh("ip", "netns", "exec", NS, "ip", "link", "set", NS_IF, "up");
        Topology.sh("ip", "netns", "exec", NS, "ip", "link", "set", "lo", "up");
    }

    @Test
    void byDefaultNoAdminPortIsReachableFromTheNetwork() throws Exception {
        network();
        Path state = tmp.resolve("default");
        a = new Appliance(state).start(List.of("ip", "netns", "exec", NS), List.of("--admin-port",
                String.valueOf(PORT)));
        // every listening TCP socket of the namespace (the director is alone there) is on loopback
        String listening = Topology.sh("ip", "netns", "exec", NS, "ss", "-ltnH");
        assertTrue(listening.matches("(?s).*127\\.0\\.0\\.1]?:" + PORT + "\\s.*"), listening);
        for (String line : listening.strip().split("\n")) {
            String local = line.trim().split("\\s+")[3];
            assertTrue(local.startsWith("127.") || local.startsWith("[::1]") || local.startsWith("[::ffff:127."),
                    "only loopback listens: " + line);
        }
        try (java.net.Socket s = new java.net.Socket()) {
            assertThrows(java.net.ConnectException.class, () -> s.connect(new java.net.InetSocketAddress(NS_ADDR,
                    PORT), 2000), "the admin port refuses connections from the network");
        }
        assertEquals("200", Topology.sh("ip", "netns", "exec", NS, "curl", "-s", "-o", "/dev/null", "-w",
                "%{http_code}", "http://127.0.0.1:" + PORT + "/").strip(), "and answers on loopback");
    }

    @Test
    void withTlsTheAdminServerAnswersBeyondLoopbackOverHttpsOnly() throws Exception {
        network();
        Path state = tmp.resolve("tls");
        Appliance.passwd(state, "olga", "operator", "operator-password");
        Path[] tls = keystore(NS_ADDR);
        a = new Appliance(state).start(List.of("ip", "netns", "exec", NS), List.of("--admin-port",
                String.valueOf(PORT), "--admin-address", NS_ADDR, "--admin-tls", tls[0].toString(),
                "--admin-tls-password", tls[1].toString()));
        String cmdline = Files.readString(Path.of("/proc", String.valueOf(a.pid()), "cmdline"));
        assertFalse(cmdline.contains("pass\"phrase"), "the keystore's password is not in the process list");
        try (var files = Files.walk(state)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                assertFalse(new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1).contains("pass\"phrase"),
                        "the password is not written into the state dir: " + f);
            }
        }
        // HTTPS on the address given, and nothing else of the admin server (no plain 9080 on loopback)
        String listening = Topology.sh("ip", "netns", "exec", NS, "ss", "-ltnH");
        assertTrue(listening.contains(NS_ADDR + "]:" + PORT) || listening.contains(NS_ADDR + ":" + PORT), listening);
        assertEquals(1, listening.strip().lines().count(), "only the admin server listens: " + listening);
        a.ctl("ipvsadm", "-A", "-t", "127.7.142.1:18142", "-s", "rr").ok();

        String base = "https://" + NS_ADDR + ":" + PORT;
        HttpClient https = trusting(tls[0]);
        HttpResponse<String> login = https.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/session"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"user\":\"olga\",\"password\":\"operator-password\"}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, login.statusCode(), login.body());
        String cookie = login.headers().firstValue("set-cookie").orElse("");
        assertTrue(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict") && cookie.contains("Secure"),
                cookie);
        assertTrue(login.headers().firstValue("strict-transport-security").orElse("").startsWith("max-age="));
        HttpResponse<String> services = https.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/services"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, services.statusCode(), services.body());
        assertTrue(services.body().contains("\"address\":\"127.7.142.1\""), services.body());

        // /metrics from the network: a bearer token, or 401
        HttpRequest metrics = HttpRequest.newBuilder(URI.create(base + "/metrics")).build();
        HttpResponse<String> anonymous = https.send(metrics, HttpResponse.BodyHandlers.ofString());
        assertEquals(401, anonymous.statusCode());
        assertTrue(anonymous.headers().firstValue("www-authenticate").orElse("").startsWith("Bearer"));
        Process t = new ProcessBuilder(Appliance.SCRIPT.toString(), "token", "--state-dir", state.toString(), "olga")
                .redirectErrorStream(true).start();
        String token = new String(t.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertTrue(t.waitFor(60, TimeUnit.SECONDS) && t.exitValue() == 0, token);
        HttpResponse<String> scraped = https.send(HttpRequest.newBuilder(URI.create(base + "/metrics"))
                .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, scraped.statusCode());
        assertTrue(scraped.body().contains("lvs4j_virtual_service_connections_total{protocol=\"tcp\",vip=\"127.7.142.1\""),
                scraped.body());
        assertEquals(401, https.send(HttpRequest.newBuilder(URI.create(base + "/metrics"))
                .header("Authorization", "Bearer lvs4j_forged").build(), HttpResponse.BodyHandlers.discarding())
                .statusCode());

        // no plain HTTP on the port
        HttpClient plain = HttpClient.newHttpClient();
        assertThrows(java.io.IOException.class, () -> plain.send(HttpRequest.newBuilder(
                URI.create("http://" + NS_ADDR + ":" + PORT + "/api/v1/services")).build(),
                HttpResponse.BodyHandlers.ofString()));
        // a client that does not trust the certificate does not get in either
        assertThrows(javax.net.ssl.SSLHandshakeException.class, () -> plain.send(HttpRequest.newBuilder(
                URI.create(base + "/api/v1/services")).build(), HttpResponse.BodyHandlers.ofString()));
    }

    @Test
    void plainHttpBeyondLoopbackIsRefusedEvenWhenBoundThereByHand() throws Exception {
        network();
        Path state = tmp.resolve("plain");
        Appliance.passwd(state, "olga", "operator", "operator-password");
        // framework properties set by hand get past the launcher's check: the server binds every address
        a = new Appliance(state).start(List.of("ip", "netns", "exec", NS, "env",
                "LVS4J_JAVA_OPTS=-Dorg.apache.felix.http.host=0.0.0.0"), List.of("--admin-port", String.valueOf(PORT)));
        HttpClient http = HttpClient.newHttpClient();
        String remote = "http://" + NS_ADDR + ":" + PORT;
        for (String path : List.of("/", "/ui/app.js", "/metrics", "/api/v1/services")) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(remote + path)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(403, r.statusCode(), path + ": " + r.body());
            assertTrue(r.body().contains("only over TLS"), r.body());
        }
        HttpResponse<String> login = http.send(HttpRequest.newBuilder(URI.create(remote + "/api/v1/session"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"user\":\"olga\",\"password\":\"operator-password\"}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(403, login.statusCode(), "no password accepted in clear from the network");
        assertTrue(login.headers().allValues("set-cookie").isEmpty());

        // inside the namespace, on its loopback, the same server answers as usual
        String local = Topology.sh("ip", "netns", "exec", NS, "curl", "-s", "-o", "/dev/null", "-w", "%{http_code}",
                "http://127.0.0.1:" + PORT + "/metrics");
        assertEquals("200", local.strip());
    }
}
