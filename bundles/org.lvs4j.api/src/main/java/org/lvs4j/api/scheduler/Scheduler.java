package org.lvs4j.api.scheduler;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A scheduling algorithm. Register one as an OSGi service with the property {@link #NAME}, the name operators give
 * to {@code ipvsadm -s}. While no scheduler of a service's name is registered, the service is listed
 * {@code [no scheduler]} and new connections wait; they go on as soon as one appears.
 */
@ConsumerType
public interface Scheduler {

    /** Service property (String): the scheduler's name, exactly as in ipvsadm ({@code rr}, {@code wlc}, ...). */
    String NAME = "lvs.scheduler.name";

    /**
     * Creates the per-service state (IPVS's {@code init_service}). The director then calls
     * {@link SchedulerInstance#update} with the service's real servers before the first pick.
     */
    SchedulerInstance newInstance(ServiceContext service);
}
