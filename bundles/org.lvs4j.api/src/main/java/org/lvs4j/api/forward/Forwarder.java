package org.lvs4j.api.forward;

import org.lvs4j.api.ForwardMethod;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * A forwarding method's plug-in. Register it as an OSGi service with {@link #METHOD} set to
 * {@link ForwardMethod#id()}.
 */
@ConsumerType
public interface Forwarder {

    /** Service property (String): the method this forwarder carries out, e.g. {@code fullnat}. */
    String METHOD = "lvs.forward.method";

    /** The method this forwarder carries out; its {@link ForwardMethod#engine()} says which engine it needs. */
    ForwardMethod method();
}
