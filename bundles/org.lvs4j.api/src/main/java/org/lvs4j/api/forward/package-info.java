/**
 * The forwarder SPI: a plug-in registers a {@link org.lvs4j.api.forward.Forwarder} for one forwarding method
 * ({@code fullnat}, {@code masq}, {@code droute}, {@code tunnel}). Real servers whose method has no forwarder are
 * listed {@code [no forwarder]} and take no new connections; the packet transform itself is an SPI of
 * {@code org.lvs4j.packet}.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.2.0")
package org.lvs4j.api.forward;
