package org.lvs4j.api.health;

import java.net.InetSocketAddress;

import org.lvs4j.api.Protocol;

/**
 * What a check talks to.
 *
 * @param protocol the virtual service's protocol
 * @param server   the real server's address and check port
 * @param virtual  the virtual service's address and port (for checks that need it, like {@code external})
 */
public record CheckTarget(Protocol protocol, InetSocketAddress server, InetSocketAddress virtual) {
}
