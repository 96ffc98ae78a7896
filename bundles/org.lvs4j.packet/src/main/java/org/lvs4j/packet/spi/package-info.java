/**
 * The packet-transform SPI: how a forwarding method ({@code masq}, {@code droute}, {@code tunnel}) rewrites a frame
 * on its way to a real server, and a NAT reply on its way back. The packet engine owns everything else: intake,
 * parsing and validation, the connection lookup, TCP states and counters, neighbour resolution, ICMP generation and
 * batched sending. Transforms are stateless, so a transform bundle can be updated while its flows pause and resume.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package org.lvs4j.packet.spi;
