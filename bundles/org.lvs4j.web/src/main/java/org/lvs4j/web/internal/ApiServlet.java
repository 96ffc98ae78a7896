package org.lvs4j.web.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Collections;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.lvs4j.api.Director;
import org.lvs4j.api.ha.HaModule;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletPattern;

/** {@code /api/v1/*} on the admin server: the HTTP side of {@link Api}. */
@Component(service = Servlet.class)
@HttpWhiteboardServletPattern(Api.PREFIX + "/*")
public class ApiServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    private final transient Api api;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private transient volatile HaModule ha;

    /** Live streams open at once; more are refused (each holds a server thread). */
    static final int MAX_STREAMS = 16;
    private final transient java.util.concurrent.atomic.AtomicInteger streams =
            new java.util.concurrent.atomic.AtomicInteger();
    private final transient BundleContext context;

    @Activate
    public ApiServlet(@Reference Director director, BundleContext context) {
        this.context = context;
        String dir = context.getProperty("lvs4j.state.dir");
        Path users = Path.of(dir == null ? "." : dir).resolve("users");
        this.api = new Api(director, () -> ha, users, new Sessions(System::nanoTime), this::plugins);
        api.configuration(() -> health, this::rules);
        api.deployer(() -> deployer);
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private transient volatile org.lvs4j.api.plugins.PluginDeployer deployer;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private transient volatile org.lvs4j.api.health.HealthMonitor health;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private transient volatile org.lvs4j.ipvsadm.Ipvsadm ipvsadm;

    /** The table as {@code ipvsadm -S -n} prints it, or null without the ipvsadm bundle. */
    private String rules() {
        org.lvs4j.ipvsadm.Ipvsadm i = ipvsadm;
        if (i == null) {
            return null;
        }
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        java.io.PrintStream ps = new java.io.PrintStream(out, true, StandardCharsets.UTF_8);
        i.run(java.util.List.of("-S", "-n"), java.io.InputStream.nullInputStream(), ps, ps);
        return out.toString(StandardCharsets.UTF_8);
    }

    /** Schedulers, forwarders and checks as registered: name, kind, bundle and version. */
    private java.util.List<Map<String, Object>> plugins() {
        java.util.List<Map<String, Object>> out = new java.util.ArrayList<>();
        String[][] kinds = {{"scheduler", org.lvs4j.api.scheduler.Scheduler.class.getName(),
                org.lvs4j.api.scheduler.Scheduler.NAME}, {"forwarder", org.lvs4j.api.forward.Forwarder.class.getName(),
                org.lvs4j.api.forward.Forwarder.METHOD}, {"check", org.lvs4j.api.health.HealthCheck.class.getName(),
                org.lvs4j.api.health.HealthCheck.PROTOCOL}};
        for (String[] k : kinds) {
            try {
                org.osgi.framework.ServiceReference<?>[] refs = context.getAllServiceReferences(k[1], null);
                for (org.osgi.framework.ServiceReference<?> ref : refs == null
                        ? new org.osgi.framework.ServiceReference<?>[0] : refs) {
                    Map<String, Object> m = new java.util.LinkedHashMap<>();
                    m.put("kind", k[0]);
                    m.put("name", String.valueOf(ref.getProperty(k[2])));
                    m.put("bundle", ref.getBundle().getSymbolicName());
                    m.put("version", ref.getBundle().getVersion().toString());
                    out.add(m);
                }
            } catch (org.osgi.framework.InvalidSyntaxException e) {
                throw new IllegalStateException(e);
            }
        }
        out.sort(java.util.Comparator.comparing((Map<String, Object> m) -> (String) m.get("kind"))
                .thenComparing(m -> (String) m.get("name")));
        return out;
    }

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        if (!Exposure.admit(req, resp)) {
            return;
        }
        Map<String, String> headers = new HashMap<>();
        for (String name : Collections.list(req.getHeaderNames())) {
            headers.put(name.toLowerCase(Locale.ROOT), req.getHeader(name));
        }
        Map<String, String> query = new HashMap<>();
        req.getParameterMap().forEach((k, v) -> query.put(k, v.length == 0 ? "" : v[0]));
        boolean upload = req.getMethod().equals("POST") && req.getRequestURI().equals(Api.PREFIX + "/plugins");
        byte[] raw;
        try {
            raw = req.getInputStream().readNBytes((upload ? Api.MAX_JAR : Json.MAX_BODY) + 1);
        } catch (IOException | RuntimeException e) { // Jetty's BadMessageException: the body breaks HTTP's framing
            resp.setHeader("Connection", "close");
            send(req, resp, Api.Response.error(400, "malformed request body: " + e.getMessage()));
            return;
        }
        Api.Request request = new Api.Request(req.getMethod(), req.getRequestURI(), query, headers,
                upload ? "" : new String(raw, StandardCharsets.UTF_8), req.getRemoteAddr());
        if (upload) {
            send(req, resp, api.upload(request, raw));
            return;
        }
        if (req.getMethod().equals("GET") && req.getRequestURI().equals(Api.PREFIX + "/stats/stream")) {
            stream(request, req, resp);
            return;
        }
        send(req, resp, api.handle(request));
    }

    /**
     * Server-sent events: the table's counters and rates every second ("event: stats"), until the client goes or its
     * session ends.
     */
    private void stream(Api.Request request, HttpServletRequest req, HttpServletResponse resp) throws IOException {
        Api.Response refused = api.refuseReading(request);
        if (refused != null) {
            send(req, resp, refused);
            return;
        }
        if (streams.incrementAndGet() > MAX_STREAMS) {
            streams.decrementAndGet();
            send(req, resp, Api.Response.error(429, "too many live streams (" + MAX_STREAMS + ")"));
            return;
        }
        try {
            resp.setStatus(200);
            resp.setContentType("text/event-stream; charset=utf-8");
            resp.setHeader("Cache-Control", "no-store");
            resp.setHeader("X-Content-Type-Options", "nosniff");
            var out = resp.getOutputStream();
            while (api.alive(request)) {
                out.write(("event: stats\ndata: " + api.snapshot() + "\n\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
                Thread.sleep(1000); // the stream's pace
            }
        } catch (IOException e) {
            // the client went away
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            streams.decrementAndGet();
        }
    }

    private static void send(HttpServletRequest req, HttpServletResponse resp, Api.Response r) throws IOException {
        byte[] body = r.json().getBytes(StandardCharsets.UTF_8);
        resp.setStatus(r.status());
        resp.setContentType("application/json; charset=utf-8");
        resp.setHeader("Cache-Control", "no-store");
        resp.setHeader("X-Content-Type-Options", "nosniff");
        // over TLS the session cookie is never sent back in clear
        r.setCookies().forEach(c -> resp.addHeader("Set-Cookie", req.isSecure() ? c + "; Secure" : c));
        resp.setContentLength(body.length);
        resp.getOutputStream().write(body);
    }
}
