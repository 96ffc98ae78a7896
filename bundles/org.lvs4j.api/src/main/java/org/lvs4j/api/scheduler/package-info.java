/**
 * The scheduler SPI, after IPVS's {@code struct ip_vs_scheduler}: a plug-in registers a {@link
 * org.lvs4j.api.scheduler.Scheduler} service named by {@code lvs.scheduler.name}; the director asks it for one
 * {@link org.lvs4j.api.scheduler.SchedulerInstance} per virtual service, tells the instance about every change of
 * the real-server list, calls {@code pick} for each new connection, and (since 1.1) tells it when a server's
 * connection counters change.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.1.0")
package org.lvs4j.api.scheduler;
