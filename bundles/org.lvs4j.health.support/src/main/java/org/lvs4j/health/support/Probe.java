package org.lvs4j.health.support;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.PortUnreachableException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import org.lvs4j.api.health.CheckResult;

/**
 * Runs a check written as straight-line blocking code on a virtual thread: thousands of checks in flight cost no
 * platform thread each, and a check that blocks past its deadline is the monitor's timeout, never a stuck thread of
 * its own (sockets are closed by the deadline-bound reads in {@link Wire}). Whatever the check throws becomes a
 * "down" result with the reason in words.
 */
public final class Probe {

    /** A blocking check. */
    @FunctionalInterface
    public interface Body {
        CheckResult run() throws Exception;
    }

    private Probe() {
    }

    public static CompletionStage<CheckResult> run(String name, Body body) {
        CompletableFuture<CheckResult> f = new CompletableFuture<>();
        Thread.ofVirtual().name("lvs4j-check-" + name).start(() -> {
            try {
                f.complete(body.run());
            } catch (Exception | StackOverflowError | OutOfMemoryError e) {
                f.complete(CheckResult.down(describe(e)));
            }
        });
        return f;
    }

    /** An exception in an operator's words. */
    public static String describe(Throwable e) {
        String m = e.getMessage();
        if (e instanceof SocketTimeoutException || e instanceof DeadlineException) {
            return m != null ? m : "timeout";
        }
        if (e instanceof ConnectException) {
            return m != null && m.toLowerCase().contains("refused") ? "connection refused"
                    : "cannot connect" + (m != null ? ": " + m : "");
        }
        if (e instanceof NoRouteToHostException) {
            return "no route to host";
        }
        if (e instanceof PortUnreachableException) {
            return "port unreachable";
        }
        if (e instanceof javax.net.ssl.SSLException) {
            return "TLS: " + (m != null ? m : e.getClass().getSimpleName());
        }
        if (e instanceof SocketException) {
            return m != null && m.toLowerCase().contains("reset") ? "connection reset" : "socket: " + m;
        }
        if (e instanceof StackOverflowError) {
            return "receive pattern too complex for the reply";
        }
        if (e instanceof OutOfMemoryError) {
            return "out of memory";
        }
        return e.getClass().getSimpleName() + (m != null ? ": " + m : "");
    }

    /** Milliseconds left before {@code deadline}, at least 1 (0 would mean "forever" to socket timeouts). */
    public static int millisLeft(Instant deadline) throws DeadlineException {
        long ms = Duration.between(Instant.now(), deadline).toMillis();
        if (ms <= 0) {
            throw new DeadlineException("timeout");
        }
        return (int) Math.min(Integer.MAX_VALUE, ms);
    }

    /** The deadline passed. */
    public static final class DeadlineException extends java.io.IOException {
        private static final long serialVersionUID = 1L;

        public DeadlineException(String message) {
            super(message);
        }
    }
}
