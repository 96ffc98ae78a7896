package org.lvs4j.api.ha;

/** States of a director in an HA pair. */
public enum HaState {
    /** Starting: waiting to hear from the peer (heartbeat's initdead). */
    INIT,
    /** The peer is master; resources are released, services kept warm. */
    BACKUP,
    /** This node holds the resources (the VIPs) and carries the traffic. */
    MASTER,
    /** This node cannot take part (bad configuration, failed resource); it holds nothing. */
    FAULT
}
