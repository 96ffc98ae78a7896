package org.lvs4j.web.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.lvs4j.api.Director;
import org.lvs4j.api.ha.HaModule;
import org.lvs4j.api.health.CheckStatus;
import org.lvs4j.api.health.HealthMonitor;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletPattern;

/**
 * {@code GET /metrics}: the director in the Prometheus text format. It is open to whoever reaches it on loopback;
 * beyond loopback (where the admin server answers only over TLS) a scraper shows a bearer token of any role
 * ({@code ./lvs4j token USER}; Prometheus's {@code authorization: credentials_file}), else 401.
 */
@Component(service = Servlet.class)
@HttpWhiteboardServletPattern("/metrics")
public class MetricsServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    @Reference
    private transient Director director;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private transient volatile HealthMonitor health;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private transient volatile HaModule ha;

    private boolean tokenShown(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return false;
        }
        try {
            return Tokens.load(tokens).find(authorization.substring(7).strip()).isPresent();
        } catch (IOException e) {
            return false;
        }
    }

    private final transient GcPauses pauses = new GcPauses();

    @Deactivate
    void deactivate() {
        pauses.close();
    }

    private transient Path tokens;

    @Activate
    void activate(BundleContext context) {
        String dir = context.getProperty("lvs4j.state.dir");
        tokens = Path.of(dir == null ? "." : dir).resolve("tokens");
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        if (!Exposure.admit(req, resp)) {
            return;
        }
        if (!Exposure.onLoopback(req) && !tokenShown(req.getHeader("Authorization"))) {
            resp.setHeader("WWW-Authenticate", "Bearer realm=\"lvs4j\"");
            resp.sendError(HttpServletResponse.SC_UNAUTHORIZED, "/metrics beyond loopback needs a bearer token");
            return;
        }
        HealthMonitor h = health;
        HaModule m = ha;
        List<CheckStatus> checks = h == null ? List.of() : h.checks();
        byte[] body = Metrics.render(director.services(), checks, m == null ? null : m.state(), pauses.snapshot())
                .getBytes(StandardCharsets.UTF_8);
        resp.setContentType("text/plain; version=0.0.4; charset=utf-8");
        resp.setContentLength(body.length);
        resp.getOutputStream().write(body);
    }
}
