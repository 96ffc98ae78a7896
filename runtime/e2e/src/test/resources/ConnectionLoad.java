import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A client for namespace tests, run with {@code java ConnectionLoad.java HOST PORT COUNT CONCURRENCY [SOURCE]}: opens
 * COUNT new TCP connections, at most CONCURRENCY at a time, each sending one HTTP/1.0 GET and reading the whole
 * answer. Prints one line: {@code ok N failed M servers {name=count...} first-error ...}; a connection fails on any
 * error, timeout (5 s connect, 10 s read) or an answer that is not HTTP 200.
 */
public class ConnectionLoad {
    public static void main(String[] args) throws Exception {
        InetSocketAddress target = new InetSocketAddress(InetAddress.getByName(args[0]), Integer.parseInt(args[1]));
        int count = Integer.parseInt(args[2]);
        Semaphore slots = new Semaphore(Integer.parseInt(args[3]));
        InetAddress source = args.length > 4 ? InetAddress.getByName(args[4]) : null;
        AtomicInteger ok = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        AtomicReference<String> firstError = new AtomicReference<>("none");
        Map<String, AtomicInteger> servers = new ConcurrentHashMap<>();
        byte[] request = ("GET / HTTP/1.0\r\nHost: " + args[0] + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < count; i++) {
                slots.acquire();
                pool.execute(() -> {
                    try (Socket s = new Socket()) {
                        if (source != null) {
                            s.bind(new InetSocketAddress(source, 0));
                        }
                        s.connect(target, 5000);
                        s.setSoTimeout(10_000);
                        s.getOutputStream().write(request);
                        InputStream in = s.getInputStream();
                        String text = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
                        int body = text.indexOf("\r\n\r\n");
                        if (!text.startsWith("HTTP/1.0 200") && !text.startsWith("HTTP/1.1 200") || body < 0) {
                            throw new java.io.IOException("bad answer: " + text.lines().findFirst().orElse(""));
                        }
                        servers.computeIfAbsent(text.substring(body + 4).trim(), k -> new AtomicInteger())
                                .incrementAndGet();
                        ok.incrementAndGet();
                    } catch (Exception e) {
                        failed.incrementAndGet();
                        firstError.compareAndSet("none", e.toString());
                    } finally {
                        slots.release();
                    }
                });
            }
        }
        Map<String, Integer> seen = new TreeMap<>();
        servers.forEach((k, v) -> seen.put(k, v.get()));
        System.out.println("ok " + ok + " failed " + failed + " servers " + seen + " first-error " + firstError);
    }
}
