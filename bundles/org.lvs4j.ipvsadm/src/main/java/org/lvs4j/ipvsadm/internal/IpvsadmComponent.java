package org.lvs4j.ipvsadm.internal;

import java.io.InputStream;
import java.io.PrintStream;
import java.util.List;

import org.lvs4j.api.AdminState;
import org.lvs4j.api.Director;
import org.lvs4j.api.sync.SyncControl;
import org.lvs4j.ipvsadm.Ipvsadm;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/** The {@link Ipvsadm} service: ipvsadm's grammar and listings over the director. */
@Component(service = Ipvsadm.class)
public class IpvsadmComponent implements Ipvsadm {

    private final Execution execution;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile SyncControl sync;

    @Activate
    public IpvsadmComponent(@Reference Director director) {
        this.execution = new Execution(director, Names.system(), () -> sync);
    }

    @Override
    public int run(List<String> args, InputStream stdin, PrintStream out, PrintStream err) {
        return execution.run(args, stdin, out, err);
    }

    @Override
    public int setAdminState(AdminState state, List<String> args, PrintStream err) {
        return execution.setAdminState(state, args, err);
    }
}
