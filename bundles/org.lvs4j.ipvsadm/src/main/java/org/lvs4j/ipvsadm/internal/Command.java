package org.lvs4j.ipvsadm.internal;

import java.net.InetAddress;

import org.lvs4j.api.ForwardMethod;
import org.lvs4j.api.Protocol;
import org.lvs4j.api.ProxyProtocol;
import org.lvs4j.api.ServiceKey;
import org.lvs4j.api.TunnelConfig;
import org.lvs4j.api.sync.SyncControl;

/** One parsed ipvsadm command line (ipvsadm.c's {@code struct ipvs_command_entry} plus its format flags). */
final class Command {

    /** Commands, in ipvsadm's order, with the names its messages use. */
    enum Kind {
        ADD("add-service"), EDIT("edit-service"), DEL("delete-service"), FLUSH("flush"), LIST("list"),
        ADDDEST("add-server"), DELDEST("delete-server"), EDITDEST("edit-server"), TIMEOUT("set"),
        STARTDAEMON("start-daemon"), STOPDAEMON("stop-daemon"), RESTORE("restore"), SAVE("save"), ZERO("zero"),
        /** {@code -h}: usage on stdout. */
        HELP(null),
        /** {@code -v}: version on stdout. */
        VERSION(null);

        final String label;

        Kind(String label) {
            this.label = label;
        }

        /** Commands that change the table, the only ones a restore may hold. */
        boolean edits() {
            return switch (this) {
                case ADD, EDIT, DEL, FLUSH, ADDDEST, DELDEST, EDITDEST, TIMEOUT, ZERO -> true;
                default -> false;
            };
        }
    }

    /** Options, in the order of ipvsadm's OPTC_* constants and {@code optnames}; lvs4j's own come last. */
    enum Opt {
        NUMERIC("numeric"), CONNECTION("connection"), SERVICE("service-address"), SCHEDULER("scheduler"),
        PERSISTENT("persistent"), NETMASK("netmask"), SERVER("real-server"), FORWARD("forwarding-method"),
        WEIGHT("weight"), UTHRESHOLD("u-threshold"), LTHRESHOLD("l-threshold"), MCAST("mcast-interface"),
        TIMEOUT("timeout"), DAEMON("daemon"), STATS("stats"), RATE("rate"), THRESHOLDS("thresholds"),
        PERSISTENTCONN("persistent-conn"), NOSORT("nosort"), SYNCID("syncid"), EXACT("exact"), ONEPACKET("ops"),
        PE("pe"), SCHED_FLAGS("sched-flags"), MCAST_GROUP("mcast-group"), MCAST_PORT("mcast-port"),
        MCAST_TTL("mcast-ttl"), SYNC_MAXLEN("sync-maxlen"), TUN_INFO("tun-info"), TUN_TYPE("tun-type"),
        TUN_PORT("tun-port"), TUN_NOCSUM("tun-nocsum"), TUN_CSUM("tun-csum"), TUN_REMCSUM("tun-remcsum"),
        PROXY_PROTOCOL("proxy-protocol"), SYNC_KEY("sync-key");

        final String label;

        Opt(String label) {
            this.label = label;
        }

        long bit() {
            return 1L << ordinal();
        }
    }

    Kind kind;
    long options;

    // virtual service
    Protocol protocol = Protocol.TCP;
    boolean ipv6;
    InetAddress address;
    int port;
    String scheduler = "";
    int schedulerFlags;
    boolean persistent;
    int persistenceTimeout;
    /** IPv4: the 32-bit mask; IPv6: prefix length. */
    int netmask = 0xffffffff;
    boolean onePacket;
    String schedFlagsArg;

    // real server
    InetAddress serverAddress;
    boolean serverIpv6;
    int serverPort;
    ForwardMethod method = ForwardMethod.DROUTE;
    int weight = 1;
    int upperThreshold;
    int lowerThreshold;
    TunnelConfig.Type tunnelType = TunnelConfig.Type.IPIP;
    int tunnelPort;
    TunnelConfig.Checksum tunnelChecksum = TunnelConfig.Checksum.NOCSUM;
    ProxyProtocol proxyProtocol = ProxyProtocol.NONE;

    // --start-daemon, --stop-daemon
    SyncControl.Role daemonRole;
    String mcastInterface;
    int syncId;
    InetAddress mcastGroup;
    int mcastPort;
    int mcastTtl;
    int syncMaxLength;
    String syncKey;

    // --set
    int tcpTimeout;
    int tcpFinTimeout;
    int udpTimeout;

    boolean has(Opt o) {
        return (options & o.bit()) != 0;
    }

    ServiceKey key() {
        return new ServiceKey(protocol, address, port);
    }

    /** The -Z and -L forms without a service. */
    boolean hasService() {
        return has(Opt.SERVICE);
    }
}
