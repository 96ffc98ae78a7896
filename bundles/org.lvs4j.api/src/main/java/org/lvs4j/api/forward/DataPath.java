package org.lvs4j.api.forward;

import java.util.Collection;
import java.util.concurrent.CompletionStage;

import org.lvs4j.api.ServiceKey;
import org.lvs4j.api.scheduler.Flow;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The director's side of the data path, used by engines: admission of new connections and flows through the
 * connection table, persistence and the scheduler. Implemented by the director and registered as a service. Every
 * method may be called on any thread and does not block.
 */
@ProviderType
public interface DataPath {

    /**
     * Admits a new connection (an accepted TCP connection) or flow (a UDP datagram with no entry): finds the virtual
     * service (exact port, else the port-0 service), applies IPVS's rules for a client port already in the table
     * (conn_reuse_mode, expire_nodest_conn), and else schedules a real server, through the client's persistence
     * template when the service is persistent.
     */
    Admission admit(Flow flow);

    /**
     * A new connection could not reach its real server (refused or timed out): ends that entry and schedules the
     * connection again, never onto a real server of {@code tried} (which includes {@code failed}). A persistence template
     * pointing at the failed server is replaced, so the client's next connections follow.
     */
    Admission redispatch(Entry failed, Flow flow, Collection<Entry> tried);

    /** Completes when the service has a scheduler: at once if it has one, exceptionally if the service is deleted. */
    CompletionStage<Void> schedulerReady(ServiceKey service);

    /** A director tunable ({@code plugin_wait_ms}, {@code expire_nodest_conn}, ...). */
    long sysctl(String name);

    /**
     * The packet engine's lookup of a client's packet: the live entry of {@code client:clientPort} talking to
     * {@code vaddr:vport} over {@code protocol} (an IP protocol number), or null. IPv4 addresses are ints in network
     * order. Allocates nothing, so it can run for every packet.
     */
    Entry find4(int protocol, int client, int clientPort, int vaddr, int vport);

    /**
     * The packet engine's lookup of a NAT real server's reply: the live masquerading entry whose real server
     * {@code server:serverPort} talks to {@code client:clientPort}, or null (IPVS's ip_vs_conn_out_get). Allocates
     * nothing.
     */
    Entry findReply4(int protocol, int server, int serverPort, int client, int clientPort);
}
