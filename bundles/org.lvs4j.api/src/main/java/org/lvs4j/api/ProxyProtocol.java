package org.lvs4j.api;

/** Whether the socket engine announces the client's address to a real server with a PROXY protocol header. */
public enum ProxyProtocol {
    NONE, V1, V2
}
