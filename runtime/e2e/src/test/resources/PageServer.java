import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A tiny HTTP server for tests that run in network namespaces: java PageServer.java ADDRESS PORT TEXT answers every
 * request with TEXT. Run with "ip netns exec NS java PageServer.java ..."; stopped by its PID.
 */
public class PageServer {
    public static void main(String[] args) throws Exception {
        byte[] body = (args[2] + "\n").getBytes(StandardCharsets.UTF_8);
        byte[] head = ("HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " + body.length
                + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        try (ServerSocket ss = new ServerSocket()) {
            ss.setReuseAddress(true);
            ss.bind(new InetSocketAddress(args[0], Integer.parseInt(args[1])), 128);
            System.out.println("listening");
            while (true) {
                Socket s = ss.accept();
                Thread.ofVirtual().start(() -> {
                    try (s) {
                        InputStream in = s.getInputStream();
                        int state = 0;
                        int c;
                        while (state < 4 && (c = in.read()) >= 0) {
                            state = (c == (state % 2 == 0 ? '\r' : '\n')) ? state + 1 : (c == '\r' ? 1 : 0);
                        }
                        OutputStream out = s.getOutputStream();
                        out.write(head);
                        out.write(body);
                    } catch (Exception e) {
                        // the client went away
                    }
                });
            }
        }
    }
}
