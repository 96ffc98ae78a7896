/**
 * The health-check SPI: one protocol per plug-in, each a pure check. The monitor owns timing, retries, rise and fall,
 * and what a result does to a real server.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.2.0")
package org.lvs4j.api.health;
