package org.lvs4j.demo;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

import org.lvs4j.api.Director;
import org.lvs4j.api.ForwardMethod;
import org.lvs4j.api.Protocol;
import org.lvs4j.api.RealServerConfig;
import org.lvs4j.api.ServiceConfig;
import org.lvs4j.api.ServiceKey;
import org.lvs4j.api.TableChange;
import org.lvs4j.api.TableException;
import org.lvs4j.api.forward.ServiceBinder;
import org.lvs4j.api.scheduler.Scheduler;
import org.lvs4j.netty.EventLoops;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code ./lvs4j demo}: when the framework property {@value #PROPERTY} is true, starts the demo backends, sets up the
 * wrr service in front of them and prints what to try.
 */
@Component(immediate = true)
public class Demo {

    public static final String PROPERTY = "lvs4j.demo";
    static final int VIP_PORT = 8080;
    static final int[] WEIGHTS = {3, 2, 1};
    private static final Logger LOG = LoggerFactory.getLogger(Demo.class);

    private final List<DemoBackend> backends = new ArrayList<>();

    /**
     * The scheduler and the engine are required so the service is set up whole, without passing through
     * {@code [no scheduler]}.
     */
    @Activate
    public Demo(BundleContext context, @Reference Director director, @Reference EventLoops loops,
                @Reference(target = "(" + Scheduler.NAME + "=wrr)") Scheduler wrr,
                @Reference(target = "(" + ServiceBinder.ENGINE + "=socket)") ServiceBinder engine) throws Exception {
        if (!Boolean.parseBoolean(context.getProperty(PROPERTY))) {
            return;
        }
        InetAddress lo = InetAddress.getByName("127.0.0.1");
        for (int i = 0; i < WEIGHTS.length; i++) {
            backends.add(new DemoBackend(loops, new InetSocketAddress(lo, VIP_PORT + 1 + i), "demo-" + (i + 1)));
        }
        ServiceKey vip = new ServiceKey(Protocol.TCP, lo, VIP_PORT);
        if (director.service(vip).isEmpty()) {
            List<TableChange> changes = new ArrayList<>();
            changes.add(new TableChange.AddService(ServiceConfig.of(vip, "wrr"), true));
            for (int i = 0; i < WEIGHTS.length; i++) {
                changes.add(new TableChange.AddRealServer(vip,
                        RealServerConfig.of(lo, VIP_PORT + 1 + i, ForwardMethod.FULLNAT, WEIGHTS[i])));
            }
            try {
                director.apply(changes);
            } catch (TableException e) {
                LOG.error("demo: cannot set up 127.0.0.1:{}: {}", VIP_PORT, e.getMessage());
            }
        }
        String dir = context.getProperty("lvs4j.state.dir");
        System.out.print("""

                lvs4j demo: backends demo-1, demo-2, demo-3 on 127.0.0.1:8081-8083,
                a wrr service on 127.0.0.1:8080 in front of them with weights 3, 2 and 1.

                Try:
                  curl http://127.0.0.1:8080/
                  for i in $(seq 12); do curl -s http://127.0.0.1:8080/; done | sort | uniq -c
                  ./lvs4j ctl --state-dir %1$s ipvsadm -L -n --stats
                  ./lvs4j ctl --state-dir %1$s server drain -t 127.0.0.1:8080 -r 127.0.0.1:8081
                  ./lvs4j ctl --state-dir %1$s ipvsadm -e -t 127.0.0.1:8080 -r 127.0.0.1:8083 -b -w 3
                  curl -s http://127.0.0.1:9080/metrics | grep lvs4j_real_server_connections_total
                In the console (g! prompt): lvs:ipvsadm -L -n, lvs:help. Stop with lvs:stop or Ctrl-C.

                """.formatted(dir));
    }

    @Deactivate
    void deactivate() {
        backends.forEach(DemoBackend::close);
    }
}
