/**
 * The connection-sync SPI. The director implements {@link org.lvs4j.api.sync.ConnectionSync}: it reports the entries a
 * backup director needs (in IPVS's terms, what {@code ip_vs_sync_conn} sends) and enters the ones a peer sent. A sync
 * daemon ({@code org.lvs4j.sync}) carries them between directors and implements
 * {@link org.lvs4j.api.sync.SyncControl}, which {@code ipvsadm --start-daemon} drives.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package org.lvs4j.api.sync;
