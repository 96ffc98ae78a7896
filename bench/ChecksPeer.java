import java.net.InetSocketAddress;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/**
 * The real servers of ./lvs4j bench checks: N TCP listeners on 127.10.x.y:PORT in one process, one selector
 * thread, each accepted connection closed at once. java ChecksPeer.java N PORT
 */
public class ChecksPeer {
    public static void main(String[] args) throws Exception {
        int n = Integer.parseInt(args[0]);
        int port = Integer.parseInt(args[1]);
        Selector sel = Selector.open();
        for (int i = 0; i < n; i++) {
            ServerSocketChannel s = ServerSocketChannel.open();
            s.bind(new InetSocketAddress("127.10." + (i >>> 8) + "." + (i & 0xff), port), 64);
            s.configureBlocking(false);
            s.register(sel, SelectionKey.OP_ACCEPT);
        }
        System.out.println("listening " + n);
        while (true) {
            sel.select();
            for (SelectionKey k : sel.selectedKeys()) {
                SocketChannel c;
                while ((c = ((ServerSocketChannel) k.channel()).accept()) != null) {
                    c.close();
                }
            }
            sel.selectedKeys().clear();
        }
    }
}
