package org.lvs4j.api;

import java.net.InetAddress;

/**
 * One entry of the connection table as {@code ipvsadm -L -c} shows it.
 *
 * @param protocol       the connection's protocol; null for a template of a fwmark service ({@code IP})
 * @param client         client address (for a template: the masked client address)
 * @param clientPort     client port (0 for templates)
 * @param virtual        virtual IP
 * @param virtualPort    virtual port (0 for templates of port-0 services)
 * @param destination    real server address
 * @param destinationPort real server port
 * @param state          IPVS state name ({@code ESTABLISHED}, {@code FIN_WAIT}, ..., {@code UDP}, {@code NONE})
 * @param expiresSeconds whole seconds until expiry
 * @param template       a persistence template rather than a connection
 */
public record ConnectionEntry(Protocol protocol, InetAddress client, int clientPort, InetAddress virtual,
                              int virtualPort, InetAddress destination, int destinationPort, String state,
                              long expiresSeconds, boolean template) {
}
