package org.lvs4j.web.internal;

import java.io.IOException;
import java.io.InputStream;
import java.util.Map;

import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletPattern;

/**
 * The admin page: three files from this bundle, nothing fetched from elsewhere, served with a Content Security Policy
 * that allows scripts, styles and connections to this server only and forbids framing.
 */
@Component(service = Servlet.class)
@HttpWhiteboardServletPattern({"/", "/ui/*"})
public class UiServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;
    private static final Map<String, String> FILES = Map.of(
            "/", "index.html", "/ui/index.html", "index.html", "/ui/app.js", "app.js", "/ui/app.css", "app.css");
    private static final Map<String, String> TYPES = Map.of(
            "index.html", "text/html; charset=utf-8", "app.js", "text/javascript; charset=utf-8",
            "app.css", "text/css; charset=utf-8");
    static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            + "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        if (!Exposure.admit(req, resp)) {
            return;
        }
        String file = FILES.get(req.getRequestURI());
        if (file == null) {
            resp.sendError(HttpServletResponse.SC_NOT_FOUND);
            return;
        }
        byte[] body;
        try (InputStream in = UiServlet.class.getResourceAsStream("/ui/" + file)) {
            if (in == null) {
                resp.sendError(HttpServletResponse.SC_NOT_FOUND);
                return;
            }
            body = in.readAllBytes();
        }
        resp.setContentType(TYPES.get(file));
        resp.setHeader("Content-Security-Policy", CSP);
        resp.setHeader("X-Content-Type-Options", "nosniff");
        resp.setHeader("X-Frame-Options", "DENY");
        resp.setHeader("Referrer-Policy", "no-referrer");
        resp.setHeader("Cache-Control", "no-cache");
        resp.setContentLength(body.length);
        resp.getOutputStream().write(body);
    }
}
