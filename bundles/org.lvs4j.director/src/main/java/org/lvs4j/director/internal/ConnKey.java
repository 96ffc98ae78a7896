package org.lvs4j.director.internal;

import java.net.InetAddress;

/**
 * The lookup key of a connection table entry: protocol number, client address and port, virtual address and port,
 * and whether it is a persistence template (templates have client port 0).
 */
record ConnKey(int protocol, InetAddress client, int clientPort, InetAddress virtual, int virtualPort,
               boolean template) {
}
