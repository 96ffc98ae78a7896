/**
 * Schedulers outside a director, for tests, benchmarks and simulations: {@link
 * org.lvs4j.scheduler.support.sim.SimulatedService} drives a scheduler instance the way the director does, and {@link
 * org.lvs4j.scheduler.support.sim.Scans} holds the kernel's O(n) scans as the oracle and baseline. Scheduler bundles
 * do not embed this package.
 */
@org.osgi.annotation.versioning.Version("1.0.0")
package org.lvs4j.scheduler.support.sim;
