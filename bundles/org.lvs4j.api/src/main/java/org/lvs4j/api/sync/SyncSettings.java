package org.lvs4j.api.sync;

import java.net.InetAddress;

/**
 * One sync daemon's settings, with ipvsadm's names. Zero or null means "the default" on the way in; a running
 * daemon's settings have every default filled in.
 *
 * @param role           master (sends) or backup (receives)
 * @param mcastInterface the interface the daemon sends or listens on ({@code --mcast-interface})
 * @param syncId         0..255; a backup with a non-zero id ignores messages of other ids ({@code --syncid})
 * @param maxLength      largest message payload ({@code --sync-maxlen}; default the interface's MTU less IP and UDP
 *                       headers)
 * @param group          multicast group (default 224.0.0.81, or ff02::8:8848 for IPv6); lvs4j also takes a unicast
 *                       address: the peer director's, where multicast is not available
 * @param port           UDP port (default 8848)
 * @param ttl            multicast TTL (default 1)
 * @param keyFile        lvs4j: a file (mode 0600) whose first line is a secret (or a heartbeat authkeys file, whose
 *                       key in use is taken); every message then carries an
 *                       HMAC-SHA256 trailer and a replay counter, and unsigned messages are refused. Null: plain IPVS
 *                       messages, readable by a kernel backup.
 */
public record SyncSettings(SyncControl.Role role, String mcastInterface, int syncId, int maxLength, InetAddress group,
                           int port, int ttl, String keyFile) {
}
