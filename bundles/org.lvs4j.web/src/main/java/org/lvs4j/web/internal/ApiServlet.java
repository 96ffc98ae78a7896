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

    @Activate
    public ApiServlet(@Reference Director director, BundleContext context) {
        String dir = context.getProperty("lvs4j.state.dir");
        Path users = Path.of(dir == null ? "." : dir).resolve("users");
        this.api = new Api(director, () -> ha, users, new Sessions(System::nanoTime));
    }

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        Map<String, String> headers = new HashMap<>();
        for (String name : Collections.list(req.getHeaderNames())) {
            headers.put(name.toLowerCase(Locale.ROOT), req.getHeader(name));
        }
        Map<String, String> query = new HashMap<>();
        req.getParameterMap().forEach((k, v) -> query.put(k, v.length == 0 ? "" : v[0]));
        byte[] raw = req.getInputStream().readNBytes(Json.MAX_BODY + 1);
        Api.Response r = api.handle(new Api.Request(req.getMethod(), req.getRequestURI(), query, headers,
                new String(raw, StandardCharsets.UTF_8), req.getRemoteAddr()));
        byte[] body = r.json().getBytes(StandardCharsets.UTF_8);
        resp.setStatus(r.status());
        resp.setContentType("application/json; charset=utf-8");
        resp.setHeader("Cache-Control", "no-store");
        resp.setHeader("X-Content-Type-Options", "nosniff");
        r.setCookies().forEach(c -> resp.addHeader("Set-Cookie", c));
        resp.setContentLength(body.length);
        resp.getOutputStream().write(body);
    }
}
