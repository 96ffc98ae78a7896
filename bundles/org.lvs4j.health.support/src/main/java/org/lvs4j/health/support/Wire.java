package org.lvs4j.health.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * Socket work under a deadline: connect, read at most a given number of bytes, match a pattern. A server that
 * accepts and never answers, trickles a byte a second, or sends a 64 KiB status line costs the check its deadline and
 * the bounded read, nothing more.
 */
public final class Wire {

    /** The most a check reads from a server (RELIABILITY.md F10). */
    public static final int MAX_READ = 8192;

    private Wire() {
    }

    /**
     * A TCP connection made within the deadline. It is closed with a reset, as HAProxy closes its checks: a check
     * every second to thousands of servers would otherwise leave hundreds of thousands of TIME_WAIT sockets behind.
     */
    public static Socket connect(InetSocketAddress to, Instant deadline) throws IOException {
        Socket s = new Socket();
        try {
            s.setSoLinger(true, 0);
            s.connect(to, Probe.millisLeft(deadline));
            return s;
        } catch (SocketTimeoutException e) {
            s.close();
            throw new Probe.DeadlineException("timeout connecting");
        } catch (IOException e) {
            s.close();
            throw e;
        }
    }

    /** TLS over a connected socket, any certificate accepted (as ldirectord and keepalived do), SNI if given. */
    public static SSLSocket tls(Socket plain, String sniHost, Instant deadline) throws IOException {
        SSLSocket s;
        try {
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, new TrustManager[] {TRUST_ALL}, null);
            InetSocketAddress peer = (InetSocketAddress) plain.getRemoteSocketAddress();
            s = (SSLSocket) ctx.getSocketFactory().createSocket(plain,
                    sniHost != null ? sniHost : peer.getAddress().getHostAddress(), peer.getPort(), true);
        } catch (java.security.GeneralSecurityException e) {
            throw new IOException("TLS unavailable: " + e.getMessage(), e);
        }
        SSLParameters p = s.getSSLParameters();
        if (sniHost != null && !sniHost.isEmpty() && !sniHost.matches("[0-9.]+|.*:.*")) {
            p.setServerNames(List.of(new SNIHostName(sniHost)));
        }
        s.setSSLParameters(p);
        s.setSoTimeout(Probe.millisLeft(deadline));
        try {
            s.startHandshake();
        } catch (SocketTimeoutException e) {
            s.close();
            throw new Probe.DeadlineException("timeout in the TLS handshake");
        }
        return s;
    }

    private static final X509TrustManager TRUST_ALL = new X509TrustManager() {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    };

    /**
     * Reads until the peer closes, {@code limit} bytes have come, or {@code enough} says the bytes so far suffice.
     * Each read waits at most until the deadline.
     *
     * @throws Probe.DeadlineException when the deadline passes first, saying how much had come
     */
    public static byte[] read(Socket s, int limit, Instant deadline, java.util.function.Predicate<byte[]> enough)
            throws IOException {
        InputStream in = s.getInputStream();
        ByteArrayOutputStream got = new ByteArrayOutputStream(Math.min(limit, 1024));
        byte[] buf = new byte[Math.min(limit, 4096)];
        while (got.size() < limit) {
            s.setSoTimeout(Probe.millisLeft(deadline));
            int n;
            try {
                n = in.read(buf, 0, Math.min(buf.length, limit - got.size()));
            } catch (SocketTimeoutException e) {
                throw new Probe.DeadlineException("timeout" + (got.size() == 0 ? ", no reply"
                        : " after " + got.size() + " bytes"));
            }
            if (n < 0) {
                break;
            }
            got.write(buf, 0, n);
            if (enough != null && enough.test(got.toByteArray())) {
                break;
            }
            Probe.millisLeft(deadline); // a trickle that keeps each read short still ends at the deadline
        }
        return got.toByteArray();
    }

    /**
     * Whether {@code pattern} is found in {@code text}, giving up at the deadline: matching runs over a sequence that
     * checks the clock, so a pattern that backtracks badly on a hostile reply cannot hold the check past it.
     */
    public static boolean find(Pattern pattern, CharSequence text, Instant deadline) throws Probe.DeadlineException {
        long end = deadline.toEpochMilli();
        CharSequence guarded = new Clocked(text, end);
        try {
            Matcher m = pattern.matcher(guarded);
            return m.find();
        } catch (Clocked.Expired e) {
            throw new Probe.DeadlineException("timeout matching the receive pattern");
        }
    }

    /** A CharSequence that throws once the deadline passes (checked every 4096 reads). */
    private static final class Clocked implements CharSequence {
        static final class Expired extends RuntimeException {
            private static final long serialVersionUID = 1L;

            Expired() {
                super(null, null, false, false);
            }
        }

        private final CharSequence text;
        private final long end;
        private int reads;

        Clocked(CharSequence text, long end) {
            this.text = text;
            this.end = end;
        }

        @Override
        public int length() {
            return text.length();
        }

        @Override
        public char charAt(int index) {
            if ((++reads & 4095) == 0 && System.currentTimeMillis() > end) {
                throw new Expired();
            }
            return text.charAt(index);
        }

        @Override
        public CharSequence subSequence(int start, int end) {
            return new Clocked(text.subSequence(start, end), this.end);
        }

        @Override
        public String toString() {
            return text.toString();
        }
    }
}
