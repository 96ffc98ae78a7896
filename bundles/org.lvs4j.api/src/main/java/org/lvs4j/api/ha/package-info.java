/**
 * The director-HA SPI: an {@link org.lvs4j.api.ha.HaModule} runs the peer protocol and publishes its state;
 * {@link org.lvs4j.api.ha.HaResource} services are what a node acquires when it becomes master and releases when it
 * stops being master.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.2.0")
package org.lvs4j.api.ha;
