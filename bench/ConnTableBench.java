import java.net.InetAddress;
import java.util.Random;

import org.lvs4j.api.ConnectionState;
import org.lvs4j.api.ForwardMethod;
import org.lvs4j.api.Protocol;
import org.lvs4j.api.RealServerConfig;
import org.lvs4j.api.ServiceConfig;
import org.lvs4j.api.ServiceKey;
import org.lvs4j.api.TableChange;
import org.lvs4j.api.forward.Admission;
import org.lvs4j.api.scheduler.Flow;
import org.lvs4j.director.internal.Clock;
import org.lvs4j.director.internal.Table;
import org.lvs4j.scheduler.rr.RoundRobinScheduler;

/**
 * The director's connection table at scale, as the packet engine uses it: FLOWS concurrent TCP flows (established, so
 * none expires during the run) admitted to one direct-routing service of four real servers, then the heap they take
 * per flow (after full GCs) and the cost of the packet path's lookup (find4) of random live flows.
 *
 * <p>Run by bench/packet.sh: {@code java -Xmx6g -cp JARS ConnTableBench.java [FLOWS]}.
 */
public class ConnTableBench {

    record TcpFlow(Protocol protocol, InetAddress sourceAddress, int sourcePort, InetAddress destinationAddress,
                   int destinationPort) implements Flow {
    }

    static InetAddress v4(int a) throws Exception {
        return InetAddress.getByAddress(new byte[] {(byte) (a >>> 24), (byte) (a >>> 16), (byte) (a >>> 8), (byte) a});
    }

    static long usedAfterGc() throws InterruptedException {
        Runtime r = Runtime.getRuntime();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            System.gc();
            Thread.sleep(100);
            used = Math.min(used, r.totalMemory() - r.freeMemory());
        }
        return used;
    }

    public static void main(String[] args) throws Exception {
        int flows = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        int vip = (10 << 24) | (99 << 16) | 100;
        Table table = new Table(Clock.SYSTEM, a -> false);
        table.addScheduler("rr", new RoundRobinScheduler(), 0, 1);
        table.addForwarder(ForwardMethod.DROUTE);
        ServiceKey svc = new ServiceKey(Protocol.TCP, v4(vip), 80);
        table.apply(new TableChange.AddService(ServiceConfig.of(svc, "rr"), false));
        for (int rs = 1; rs <= 4; rs++) {
            table.apply(new TableChange.AddRealServer(svc,
                    RealServerConfig.of(v4((10 << 24) | (99 << 16) | (1 << 8) | 10 + rs), 80, ForwardMethod.DROUTE, 1)));
        }
        // clients 10.100.0.0/16 onwards, 16 ports each
        InetAddress vipAddress = v4(vip);
        long before = usedAfterGc();
        long t0 = System.nanoTime();
        for (int i = 0; i < flows; i++) {
            Admission a = table.admit(new TcpFlow(Protocol.TCP, v4(client(i)), port(i), vipAddress, 80));
            a.entry().state(ConnectionState.ESTABLISHED);
        }
        long admitNanos = System.nanoTime() - t0;
        long after = usedAfterGc();
        System.out.printf("connection table: %,d flows, %.0f bytes per flow (heap after GC), admission %.0f ns/flow%n",
                flows, (after - before) / (double) flows, admitNanos / (double) flows);

        Random rnd = new Random(1);
        int[] picks = new int[1 << 20];
        for (int i = 0; i < picks.length; i++) {
            picks[i] = rnd.nextInt(flows);
        }
        long found = 0;
        double best = Double.MAX_VALUE;
        for (int round = 0; round < 5; round++) { // the first rounds warm the JIT up; the best round counts
            long s = System.nanoTime();
            for (int k = 0; k < 10; k++) {
                for (int i : picks) {
                    if (table.find4(6, client(i), port(i), vip, 80) != null) {
                        found++;
                    }
                }
            }
            best = Math.min(best, (System.nanoTime() - s) / (10.0 * picks.length));
        }
        if (found != 5L * 10 * picks.length) {
            throw new AssertionError("lookups missed: " + found);
        }
        System.out.printf("lookup (find4) of a random live flow: %.1f ns%n", best);
    }

    static int client(int i) {
        return (10 << 24) | (100 << 16) + (i >>> 4);
    }

    static int port(int i) {
        return 10_000 + (i & 15);
    }
}
