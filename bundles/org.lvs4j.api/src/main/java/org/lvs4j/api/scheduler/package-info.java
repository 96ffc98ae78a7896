/**
 * The scheduler SPI, after IPVS's {@code struct ip_vs_scheduler}: a plug-in registers a {@link
 * org.lvs4j.api.scheduler.Scheduler} service named by {@code lvs.scheduler.name}; the director asks it for one
 * {@link org.lvs4j.api.scheduler.SchedulerInstance} per virtual service, tells the instance about every change of
 * the real-server list, and calls {@code pick} for each new connection.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package org.lvs4j.api.scheduler;
