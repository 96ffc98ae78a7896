package org.lvs4j.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.lvs4j.api.Director;
import org.lvs4j.ipvsadm.Ipvsadm;
import org.lvs4j.ipvsadm.TableStore;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.test.common.annotation.InjectBundleContext;
import org.osgi.test.common.annotation.InjectService;

/** The appliance's bundles inside Felix: wiring, the lvs: shell, plug-ins coming and going, persistence. */
class ApplianceIT {

    @InjectBundleContext
    BundleContext context;

    @InjectService
    Director director;

    @InjectService
    Ipvsadm ipvsadm;

    @InjectService
    CommandProcessor gogo;

    @InjectService
    ConfigurationAdmin configurationAdmin;

    @InjectService
    TableStore store;

    record Output(String out, String err) {
    }

    private Output gogo(String line) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
        try (CommandSession session = gogo.createSession(new ByteArrayInputStream(new byte[0]), o, e)) {
            session.execute(line);
        }
        return new Output(out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private String list() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = ipvsadm.run(List.of("-L", "-n"), new ByteArrayInputStream(new byte[0]),
                new PrintStream(out, true, StandardCharsets.UTF_8), System.err);
        assertEquals(0, code);
        return out.toString(StandardCharsets.UTF_8);
    }

    private Bundle bundle(String bsn) {
        return Arrays.stream(context.getBundles()).filter(b -> b.getSymbolicName().equals(bsn)).findFirst()
                .orElseThrow(() -> new AssertionError("no bundle " + bsn));
    }

    @AfterEach
    void clear() throws Exception {
        Bundle rr = bundle("org.lvs4j.scheduler.rr");
        if (rr.getState() != Bundle.ACTIVE) {
            rr.start();
        }
        ipvsadm.run(List.of("-C"), new ByteArrayInputStream(new byte[0]), System.out, System.err);
    }

    @Test
    void everyBundleIsActive() {
        for (Bundle b : context.getBundles()) {
            boolean fragment = b.getHeaders().get(Constants.FRAGMENT_HOST) != null;
            if (!fragment) {
                assertEquals(Bundle.ACTIVE, b.getState(), b.getSymbolicName() + " is not active");
            }
        }
        assertTrue(director.schedulers().contains("rr"));
    }

    @Test
    void gogoShellRunsIpvsadm() throws Exception {
        gogo("lvs:ipvsadm -A -t 127.7.110.1:2323 -s rr");
        gogo("lvs:ipvsadm -a -t 127.7.110.1:2323 -r 127.0.0.11:23 -b -w 1");
        Output o = gogo("lvs:ipvsadm -L -n");
        assertEquals("IP Virtual Server version 1.2.1 (size=4096)\n"
                + "Prot LocalAddress:Port Scheduler Flags\n"
                + "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n"
                + "TCP  127.7.110.1:2323 rr\n"
                + "  -> 127.0.0.11:23                FullNat 1      0          0         \n", o.out());
        Output bad = gogo("lvs:ipvsadm -A -t 1.2.3.4:99999");
        assertTrue(bad.err().contains("illegal virtual server address[:port] specified"), bad.err());
        assertTrue(bad.err().contains("(exit 2)"), bad.err());
        assertEquals(1, director.services().size(), "the refused command changed nothing");
    }

    @Test
    void schedulerBundleStoppedMarksServicesAndStartedHealsThem() throws Exception {
        gogo("lvs:ipvsadm -A -t 127.7.110.1:2323 -s rr");
        Bundle rr = bundle("org.lvs4j.scheduler.rr");
        rr.stop();
        Poll.until(() -> list().contains("TCP  127.7.110.1:2323 rr [no scheduler]"), Duration.ofSeconds(5),
                "the service to be marked [no scheduler]");
        Output refused = gogo("lvs:ipvsadm -A -t 127.7.110.2:2323 -s rr");
        assertTrue(refused.err().contains("Scheduler or persistence engine not found"), refused.err());
        rr.start();
        Poll.until(() -> !list().contains("[no scheduler]"), Duration.ofSeconds(5), "the service to heal");
    }

    @Test
    void schedulerBundleUpdateHeals() throws Exception {
        gogo("lvs:ipvsadm -A -t 127.7.110.1:2323 -s rr");
        bundle("org.lvs4j.scheduler.rr").update();
        Poll.until(() -> director.schedulers().contains("rr") && !list().contains("[no scheduler]"),
                Duration.ofSeconds(5), "rr to come back after the update");
        assertFalse(director.services().get(0).schedulerMissing());
    }

    @Test
    void sysctlIsKeptInConfigurationAdmin() throws Exception {
        Output o = gogo("lvs:sysctl expire_nodest_conn 1");
        assertEquals("expire_nodest_conn = 1\n", o.out());
        Configuration c = configurationAdmin.getConfiguration("org.lvs4j.director", "?");
        Poll.until(() -> c.getProperties() != null && "1".equals(String.valueOf(c.getProperties()
                .get("expire_nodest_conn"))), Duration.ofSeconds(5), "the configuration to hold the value");
        Output bad = gogo("lvs:sysctl expire_nodest_conn 7");
        assertTrue(bad.err().contains("invalid value 7 for expire_nodest_conn (0..1)"), bad.err());
        assertEquals(1L, director.sysctls().get("expire_nodest_conn"));
        gogo("lvs:sysctl expire_nodest_conn 0");
    }

    @Test
    void adminStatesShowInListings() throws Exception {
        gogo("lvs:ipvsadm -A -t 127.7.110.1:2323 -s rr");
        gogo("lvs:ipvsadm -a -t 127.7.110.1:2323 -r 127.0.0.11:23 -b -w 1");
        gogo("lvs:server drain -t 127.7.110.1:2323 -r 127.0.0.11:23");
        assertTrue(list().contains("127.0.0.11:23                FullNat 1      0          0          [drain]"), list());
        gogo("lvs:server ready -t 127.7.110.1:2323 -r 127.0.0.11:23");
        assertFalse(list().contains("[drain]"));
    }

    @Test
    void tableIsSavedToTheStateDir() throws Exception {
        Path file = store.file();
        assertNotNull(file);
        gogo("lvs:ipvsadm -A -t 127.7.110.9:80 -s rr");
        Poll.until(() -> {
            try {
                return Files.exists(file) && Files.readString(file).contains("-A -t 127.7.110.9:80 -s rr");
            } catch (java.io.IOException e) {
                return false;
            }
        }, Duration.ofSeconds(5), "the rules file to hold the new service");
        assertTrue(Files.readString(file).startsWith("--set 900 120 300\n"));
    }
}
