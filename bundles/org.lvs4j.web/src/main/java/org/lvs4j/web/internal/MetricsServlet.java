package org.lvs4j.web.internal;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;

import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.lvs4j.api.Director;
import org.lvs4j.api.ha.HaModule;
import org.lvs4j.api.health.CheckStatus;
import org.lvs4j.api.health.HealthMonitor;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletPattern;

/**
 * {@code GET /metrics}: the director in the Prometheus text format. It is open to whoever reaches it while the
 * admin server is bound to loopback; a request that arrived on another address is refused (403), as scraping from
 * the network needs the login that a later part of the admin server brings.
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

    private final transient GcPauses pauses = new GcPauses();

    @Deactivate
    void deactivate() {
        pauses.close();
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        if (!InetAddress.getByName(req.getLocalAddr()).isLoopbackAddress()) {
            resp.sendError(HttpServletResponse.SC_FORBIDDEN, "/metrics is open on loopback only");
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
