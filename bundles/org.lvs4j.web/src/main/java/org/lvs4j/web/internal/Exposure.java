package org.lvs4j.web.internal;

import java.io.IOException;
import java.net.InetAddress;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * Where the admin server may answer: on loopback, or over TLS. The launcher refuses to bind it beyond loopback
 * without TLS; this is the second line, for a server bound there by other means (framework properties set by hand):
 * a plain-text request that arrived on another address gets 403 and nothing else, so no password or session cookie
 * crosses a network in clear.
 */
final class Exposure {

    private Exposure() {
    }

    /** Whether the request arrived on a loopback address. */
    static boolean onLoopback(HttpServletRequest req) throws IOException {
        return InetAddress.getByName(req.getLocalAddr()).isLoopbackAddress();
    }

    /**
     * Answers 403 to a plain-text request from beyond loopback and returns false; otherwise returns true, having
     * told a browser that came over TLS from the network to keep to TLS.
     */
    static boolean admit(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        boolean loopback = onLoopback(req);
        if (req.isSecure()) {
            if (!loopback) { // on localhost it would pin every port of the host to HTTPS, the plain 9080 included
                resp.setHeader("Strict-Transport-Security", "max-age=31536000");
            }
            return true;
        }
        if (loopback) {
            return true;
        }
        resp.setStatus(HttpServletResponse.SC_FORBIDDEN);
        resp.setContentType("application/json; charset=utf-8");
        resp.getOutputStream().write("{\"error\":\"the admin server answers beyond loopback only over TLS\"}"
                .getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return false;
    }
}
