package org.lvs4j.ipvsadm.internal;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.lvs4j.api.ForwardMethod;
import org.lvs4j.api.Protocol;
import org.lvs4j.api.ProxyProtocol;
import org.lvs4j.api.ServiceConfig;
import org.lvs4j.api.TunnelConfig;
import org.lvs4j.api.sync.SyncControl;
import org.lvs4j.ipvsadm.internal.Command.Kind;
import org.lvs4j.ipvsadm.internal.Command.Opt;

/**
 * ipvsadm 1.31's command-line grammar, as its popt-based {@code parse_options} and {@code process_options} read it:
 * the first option must be the command; short options may be clustered ({@code -Ln}) and take their argument glued
 * or as the next word; {@code -p} takes an optional argument; every check and message is ipvsadm's, in ipvsadm's
 * order. lvs4j's differences: {@code -b} on {@code -a}/{@code -e} selects full-NAT and takes no argument (on
 * {@code -A}/{@code -E} it is still {@code --sched-flags}), {@code --proxy-protocol v1|v2} exists, and options for
 * features lvs4j lacks fail with {@code lvs4j: option --X is not supported}.
 */
final class Parser {

    /** Upper bound of timeouts, as ipvsadm's MAX_TIMEOUT (31 days). */
    static final int MAX_TIMEOUT = 86400 * 31;
    static final String TRY_HELP = "Try `ipvsadm -h' or 'ipvsadm --help' for more information.";

    private enum Arg { NONE, REQUIRED, OPTIONAL }

    private record Def(String longName, char shortName, Arg arg, String tag) {
    }

    private static final List<Def> DEFS = List.of(
            new Def("add-service", 'A', Arg.NONE, "A"),
            new Def("edit-service", 'E', Arg.NONE, "E"),
            new Def("delete-service", 'D', Arg.NONE, "D"),
            new Def("clear", 'C', Arg.NONE, "C"),
            new Def("list", 'L', Arg.NONE, "L"),
            new Def(null, 'l', Arg.NONE, "L"),
            new Def("zero", 'Z', Arg.NONE, "Z"),
            new Def("add-server", 'a', Arg.NONE, "a"),
            new Def("edit-server", 'e', Arg.NONE, "e"),
            new Def("delete-server", 'd', Arg.NONE, "d"),
            new Def("set", '\0', Arg.NONE, "set"),
            new Def("help", 'h', Arg.NONE, "h"),
            new Def("version", 'v', Arg.NONE, "v"),
            new Def("restore", 'R', Arg.NONE, "R"),
            new Def("save", 'S', Arg.NONE, "S"),
            new Def("start-daemon", '\0', Arg.REQUIRED, "start-daemon"),
            new Def("stop-daemon", '\0', Arg.REQUIRED, "stop-daemon"),
            new Def("tcp-service", 't', Arg.REQUIRED, "t"),
            new Def("udp-service", 'u', Arg.REQUIRED, "u"),
            new Def("sctp-service", '\0', Arg.REQUIRED, "sctp-service"),
            new Def("fwmark-service", 'f', Arg.REQUIRED, "f"),
            new Def("scheduler", 's', Arg.REQUIRED, "s"),
            new Def("persistent", 'p', Arg.OPTIONAL, "p"),
            new Def("netmask", 'M', Arg.REQUIRED, "M"),
            new Def("real-server", 'r', Arg.REQUIRED, "r"),
            new Def("masquerading", 'm', Arg.NONE, "m"),
            new Def("ipip", 'i', Arg.NONE, "i"),
            new Def("gatewaying", 'g', Arg.NONE, "g"),
            new Def("weight", 'w', Arg.REQUIRED, "w"),
            new Def("u-threshold", 'x', Arg.REQUIRED, "x"),
            new Def("l-threshold", 'y', Arg.REQUIRED, "y"),
            new Def("numeric", 'n', Arg.NONE, "n"),
            new Def("connection", 'c', Arg.NONE, "c"),
            new Def("mcast-interface", '\0', Arg.REQUIRED, "mcast-interface"),
            new Def("syncid", '\0', Arg.REQUIRED, "syncid"),
            new Def("timeout", '\0', Arg.NONE, "timeout"),
            new Def("daemon", '\0', Arg.NONE, "daemon"),
            new Def("stats", '\0', Arg.NONE, "stats"),
            new Def("rate", '\0', Arg.NONE, "rate"),
            new Def("thresholds", '\0', Arg.NONE, "thresholds"),
            new Def("persistent-conn", '\0', Arg.NONE, "persistent-conn"),
            new Def("nosort", '\0', Arg.NONE, "nosort"),
            new Def("sort", '\0', Arg.NONE, "sort"),
            new Def("exact", 'X', Arg.NONE, "X"),
            new Def("ipv6", '6', Arg.NONE, "6"),
            new Def("ops", 'o', Arg.NONE, "o"),
            new Def("pe", '\0', Arg.REQUIRED, "pe"),
            new Def("sched-flags", 'b', Arg.REQUIRED, "b"),
            new Def("mcast-group", '\0', Arg.REQUIRED, "mcast-group"),
            new Def("mcast-port", '\0', Arg.REQUIRED, "mcast-port"),
            new Def("mcast-ttl", '\0', Arg.REQUIRED, "mcast-ttl"),
            new Def("sync-maxlen", '\0', Arg.REQUIRED, "sync-maxlen"),
            new Def("tun-info", '\0', Arg.NONE, "tun-info"),
            new Def("tun-type", '\0', Arg.REQUIRED, "tun-type"),
            new Def("tun-port", '\0', Arg.REQUIRED, "tun-port"),
            new Def("tun-nocsum", '\0', Arg.NONE, "tun-nocsum"),
            new Def("tun-csum", '\0', Arg.NONE, "tun-csum"),
            new Def("tun-remcsum", '\0', Arg.NONE, "tun-remcsum"),
            new Def("proxy-protocol", '\0', Arg.REQUIRED, "proxy-protocol"),
            new Def("fullnat", '\0', Arg.NONE, "fullnat"),
            new Def("sync-key", '\0', Arg.REQUIRED, "sync-key"));

    private static final Map<String, Def> LONG = new HashMap<>();
    private static final Map<Character, Def> SHORT = new HashMap<>();

    static {
        for (Def d : DEFS) {
            if (d.longName != null) {
                LONG.put(d.longName, d);
            }
            if (d.shortName != '\0') {
                SHORT.put(d.shortName, d);
            }
        }
    }

    /** Options ipvsadm has and lvs4j does not offer (yet), by the long name the message uses. */
    private static final Map<String, String> UNSUPPORTED = Map.ofEntries(
            Map.entry("sctp-service", "sctp-service"), Map.entry("f", "fwmark-service"), Map.entry("6", "ipv6"),
            Map.entry("pe", "pe"));

    /**
     * Table of legal combinations of commands and options (ipvsadm.c {@code commands_v_options}), with a last column
     * for lvs4j's {@code --proxy-protocol}: '+' compulsory, 'x' illegal, '1' exclusive, ' ' optional.
     */
    private static final String[] COMMANDS_V_OPTIONS = {
        /*              -n-c svc-s-p-M-r fwd-w-x-y-mc tot dmn -st -rt thr -pc srt sid -ex ops -pe -b grp port ttl size tinf type tprt nocs csum remc proxy key */
        /* ADD      */ "xx+   xxxxxxxxxxxxxxx   xxxxxxxxxxxx",
        /* EDIT     */ "xx+   xxxxxxxxxxxxxxx   xxxxxxxxxxxx",
        /* DEL      */ "xx+xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
        /* FLUSH    */ "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
        /* LIST     */ " 11xxxxxxxxx11       xxxxxxx xxxxxxx",
        /* ADDSRV   */ "xx+xxx+    xxxxxxxxxxxxxxxxxx      x",
        /* DELSRV   */ "xx+xxx+xxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
        /* EDITSRV  */ "xx+xxx+    xxxxxxxxxxxxxxxxxx      x",
        /* TIMEOUT  */ "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
        /* STARTD   */ "xxxxxxxxxxx xxxxxxx xxxx    xxxxxxx ",
        /* STOPD    */ "xxxxxxxxxxxxxxxxxxx xxxxxxxxxxxxxxxx",
        /* RESTORE  */ "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
        /* SAVE     */ " xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
        /* ZERO     */ "xx xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
    };

    private final Names names;

    Parser(Names names) {
        this.names = names;
    }

    /**
     * Parses and checks one command line.
     *
     * @throws IpvsadmException with ipvsadm's message and exit code
     */
    Command parse(List<String> args) throws IpvsadmException {
        Command ce = new Command();
        List<String> positional = new ArrayList<>();
        int i = 0;
        boolean first = true;
        while (i < args.size()) {
            String a = args.get(i++);
            if (a.equals("--")) {
                positional.addAll(args.subList(i, args.size()));
                break;
            }
            if (a.startsWith("--")) {
                String name = a.substring(2);
                String value = null;
                int eq = name.indexOf('=');
                if (eq >= 0) {
                    value = name.substring(eq + 1);
                    name = name.substring(0, eq);
                }
                Def d = LONG.get(name);
                if (d == null || (d.arg == Arg.NONE && value != null)) {
                    throw poptError(first, a, "unknown option");
                }
                if (value == null && d.arg == Arg.REQUIRED) {
                    if (i >= args.size()) {
                        throw poptError(first, a, "missing argument");
                    }
                    value = args.get(i++);
                } else if (value == null && d.arg == Arg.OPTIONAL && i < args.size()
                        && !args.get(i).startsWith("-")) {
                    value = args.get(i++);
                }
                handle(ce, d, a, value, first);
                first = false;
            } else if (a.startsWith("-") && a.length() > 1) {
                for (int j = 1; j < a.length(); j++) {
                    char c = a.charAt(j);
                    Def d = SHORT.get(c);
                    String shown = "-" + c;
                    if (d == null) {
                        throw poptError(first, shown, "unknown option");
                    }
                    Arg argType = d.arg;
                    if (c == 'b' && (ce.kind == Kind.ADDDEST || ce.kind == Kind.EDITDEST)) {
                        argType = Arg.NONE; // lvs4j: -b on a real server selects full-NAT
                    }
                    if (argType == Arg.NONE) {
                        handle(ce, d, shown, null, first);
                        first = false;
                        continue;
                    }
                    String value = j + 1 < a.length() ? a.substring(j + 1) : null;
                    if (value == null) {
                        if (argType == Arg.REQUIRED) {
                            if (i >= args.size()) {
                                throw poptError(first, shown, "missing argument");
                            }
                            value = args.get(i++);
                        } else if (i < args.size() && !args.get(i).startsWith("-")) {
                            value = args.get(i++);
                        }
                    }
                    handle(ce, d, shown, value, first);
                    first = false;
                    break;
                }
            } else {
                positional.add(a);
            }
        }
        if (first) {
            throw new IpvsadmException(255, TRY_HELP);
        }
        if (ce.kind == Kind.TIMEOUT) {
            if (positional.size() < 3) {
                throw fail("--set option requires 3 timeout values");
            }
            ce.tcpTimeout = parseTimeout(positional.remove(0), 0, MAX_TIMEOUT);
            ce.tcpFinTimeout = parseTimeout(positional.remove(0), 0, MAX_TIMEOUT);
            ce.udpTimeout = parseTimeout(positional.remove(0), 0, MAX_TIMEOUT);
        }
        if (!positional.isEmpty()) {
            throw fail("unexpected argument " + positional.get(0));
        }
        if (ce.schedFlagsArg != null) {
            ce.schedulerFlags = parseSchedFlags(ce.scheduler, ce.schedFlagsArg);
        }
        if (ce.kind == Kind.HELP || ce.kind == Kind.VERSION) {
            return ce;
        }
        process(ce);
        return ce;
    }

    private static IpvsadmException poptError(boolean first, String option, String what) {
        // popt errors on the first option end in the "Try ..." hint; later ones print "opt: reason" (both exit 255).
        return new IpvsadmException(255, first ? TRY_HELP : option + ": " + what);
    }

    static IpvsadmException fail(String message) {
        return new IpvsadmException(2, message);
    }

    private void handle(Command ce, Def d, String shown, String value, boolean first) throws IpvsadmException {
        String tag = d.tag;
        if (first) {
            switch (tag) {
                case "A" -> ce.kind = Kind.ADD;
                case "E" -> ce.kind = Kind.EDIT;
                case "D" -> ce.kind = Kind.DEL;
                case "a" -> ce.kind = Kind.ADDDEST;
                case "e" -> ce.kind = Kind.EDITDEST;
                case "d" -> ce.kind = Kind.DELDEST;
                case "C" -> ce.kind = Kind.FLUSH;
                case "L" -> ce.kind = Kind.LIST;
                case "Z" -> ce.kind = Kind.ZERO;
                case "set" -> ce.kind = Kind.TIMEOUT;
                case "R" -> ce.kind = Kind.RESTORE;
                case "S" -> ce.kind = Kind.SAVE;
                case "h" -> ce.kind = Kind.HELP;
                case "v" -> ce.kind = Kind.VERSION;
                case "start-daemon", "stop-daemon" -> {
                    boolean start = tag.equals("start-daemon");
                    ce.kind = start ? Kind.STARTDAEMON : Kind.STOPDAEMON;
                    ce.daemonRole = switch (value) {
                        case "master" -> SyncControl.Role.MASTER;
                        case "backup" -> SyncControl.Role.BACKUP;
                        default -> throw fail("illegal " + tag + " parameter specified");
                    };
                }
                default -> throw new IpvsadmException(255, TRY_HELP);
            }
            return;
        }
        if (UNSUPPORTED.containsKey(tag)) {
            throw unsupported(tag);
        }
        switch (tag) {
            case "t", "u" -> {
                set(ce, Opt.SERVICE);
                ce.protocol = tag.equals("t") ? Protocol.TCP : Protocol.UDP;
                Endpoint e = parseService(value, ce.protocol, ce.ipv6);
                if (e == null || e.address == null) {
                    throw fail("illegal virtual server address[:port] specified");
                }
                ce.address = e.address;
                ce.ipv6 = e.address instanceof Inet6Address;
                if (ce.ipv6) {
                    ce.netmask = 128;
                }
                if (e.port >= 0) {
                    ce.port = e.port;
                }
            }
            case "s" -> {
                set(ce, Opt.SCHEDULER);
                ce.scheduler = value.length() > 15 ? value.substring(0, 15) : value;
            }
            case "p" -> {
                set(ce, Opt.PERSISTENT);
                ce.persistent = true;
                ce.persistenceTimeout = value == null ? ServiceConfig.DEFAULT_PERSISTENCE_TIMEOUT
                        : parseTimeout(value, 1, MAX_TIMEOUT);
            }
            case "M" -> {
                set(ce, Opt.NETMASK);
                if (!ce.ipv6) {
                    Long m = InetParse.atonValue(value);
                    if (m == null) {
                        InetAddress h = names.resolve(value);
                        if (h == null) {
                            throw fail("illegal virtual server persistent mask specified");
                        }
                        m = (long) org.lvs4j.api.Addresses.ipv4(h);
                    }
                    ce.netmask = (int) (long) m;
                } else {
                    int prefix = atoi(value);
                    if (prefix < 1 || prefix > 128) {
                        throw fail("illegal ipv6 netmask specified");
                    }
                    ce.netmask = prefix;
                }
            }
            case "r" -> {
                set(ce, Opt.SERVER);
                Endpoint e = parseService(value, ce.protocol, ce.ipv6);
                if (e == null || e.address == null) {
                    throw fail("illegal real server address[:port] specified");
                }
                ce.serverAddress = e.address;
                ce.serverIpv6 = e.address instanceof Inet6Address;
                ce.serverPort = e.port >= 0 ? e.port : ce.port;
            }
            case "i" -> forward(ce, ForwardMethod.TUNNEL);
            case "g" -> forward(ce, ForwardMethod.DROUTE);
            case "m" -> forward(ce, ForwardMethod.MASQ);
            case "fullnat" -> forward(ce, ForwardMethod.FULLNAT);
            case "w" -> {
                set(ce, Opt.WEIGHT);
                ce.weight = number(value, 0, Integer.MAX_VALUE, "illegal weight specified");
            }
            case "x" -> {
                set(ce, Opt.UTHRESHOLD);
                ce.upperThreshold = number(value, 0, 65535, "illegal u_threshold specified");
            }
            case "y" -> {
                set(ce, Opt.LTHRESHOLD);
                ce.lowerThreshold = number(value, 0, 65535, "illegal l_threshold specified");
            }
            case "c" -> set(ce, Opt.CONNECTION);
            case "n" -> set(ce, Opt.NUMERIC);
            case "timeout" -> set(ce, Opt.TIMEOUT);
            case "daemon" -> set(ce, Opt.DAEMON);
            case "stats" -> set(ce, Opt.STATS);
            case "rate" -> set(ce, Opt.RATE);
            case "thresholds" -> set(ce, Opt.THRESHOLDS);
            case "persistent-conn" -> set(ce, Opt.PERSISTENTCONN);
            case "nosort" -> set(ce, Opt.NOSORT);
            case "sort" -> {
                // the default; accepted for compatibility
            }
            case "X" -> set(ce, Opt.EXACT);
            case "o" -> {
                set(ce, Opt.ONEPACKET);
                ce.onePacket = true;
            }
            case "b" -> {
                if (ce.kind == Kind.ADDDEST || ce.kind == Kind.EDITDEST) {
                    forward(ce, ForwardMethod.FULLNAT);
                } else {
                    set(ce, Opt.SCHED_FLAGS);
                    ce.schedFlagsArg = value;
                }
            }
            case "tun-info" -> set(ce, Opt.TUN_INFO);
            case "tun-type" -> {
                set(ce, Opt.TUN_TYPE);
                ce.tunnelType = switch (value) {
                    case "ipip" -> TunnelConfig.Type.IPIP;
                    case "gue" -> TunnelConfig.Type.GUE;
                    case "gre" -> TunnelConfig.Type.GRE;
                    default -> throw fail("illegal tunnel type specified");
                };
            }
            case "tun-port" -> {
                set(ce, Opt.TUN_PORT);
                ce.tunnelPort = number(value, 1, 65535, "illegal tunnel port specified");
            }
            case "tun-nocsum" -> set(ce, Opt.TUN_NOCSUM);
            case "tun-csum" -> {
                set(ce, Opt.TUN_CSUM);
                ce.tunnelChecksum = TunnelConfig.Checksum.CSUM;
            }
            case "tun-remcsum" -> {
                set(ce, Opt.TUN_REMCSUM);
                ce.tunnelChecksum = TunnelConfig.Checksum.REMCSUM;
            }
            case "mcast-interface" -> {
                set(ce, Opt.MCAST);
                ce.mcastInterface = value;
            }
            case "syncid" -> {
                set(ce, Opt.SYNCID);
                ce.syncId = number(value, 0, 255, "illegal syncid specified");
            }
            case "mcast-group" -> {
                set(ce, Opt.MCAST_GROUP);
                ce.mcastGroup = mcastGroup(value);
            }
            case "mcast-port" -> {
                set(ce, Opt.MCAST_PORT);
                ce.mcastPort = number(value, 1, 65535, "illegal mcast-port specified");
            }
            case "mcast-ttl" -> {
                set(ce, Opt.MCAST_TTL);
                ce.mcastTtl = number(value, 1, 255, "illegal mcast-ttl specified");
            }
            case "sync-maxlen" -> {
                set(ce, Opt.SYNC_MAXLEN);
                ce.syncMaxLength = number(value, 1, 65535 - 20 - 8, "illegal sync-maxlen specified");
            }
            case "sync-key" -> {
                set(ce, Opt.SYNC_KEY);
                ce.syncKey = value;
            }
            case "proxy-protocol" -> {
                set(ce, Opt.PROXY_PROTOCOL);
                ce.proxyProtocol = switch (value) {
                    case "v1" -> ProxyProtocol.V1;
                    case "v2" -> ProxyProtocol.V2;
                    default -> throw fail("lvs4j: illegal proxy-protocol version `" + value + "' (v1 or v2)");
                };
            }
            // A second command after the first is an invalid option, as in ipvsadm.
            default -> throw fail("invalid option `" + shown + "'");
        }
    }

    /**
     * ipvsadm takes multicast groups only; lvs4j also takes a unicast address, the peer director's, for networks
     * without multicast.
     */
    private static InetAddress mcastGroup(String value) throws IpvsadmException {
        boolean v6 = value.indexOf(':') >= 0;
        InetAddress a = v6 ? InetParse.inetPton6(value) : InetParse.numeric(value);
        if (a == null) {
            throw fail("invalid IPv" + (v6 ? 6 : 4) + " mcast-group `" + value + "'");
        }
        return a;
    }

    private static IpvsadmException unsupported(String tag) {
        String why = "f".equals(tag) ? " (the packet engine reads frames before netfilter, where no mark is set yet;"
                + " use a service per address and port)" : "";
        return fail("lvs4j: option --" + UNSUPPORTED.get(tag) + " is not supported" + why);
    }

    private static void forward(Command ce, ForwardMethod m) throws IpvsadmException {
        set(ce, Opt.FORWARD);
        ce.method = m;
    }

    private static void set(Command ce, Opt o) throws IpvsadmException {
        if (ce.has(o)) {
            throw fail("multiple '" + o.label + "' options specified");
        }
        ce.options |= o.bit();
    }

    /** string_to_number: a whole decimal number in [min, max], else the given error. */
    static int number(String s, int min, int max, String error) throws IpvsadmException {
        long v = strtol(s);
        if (v == Long.MIN_VALUE || v < min || v > max) {
            throw fail(error);
        }
        return (int) v;
    }

    /** strtol(s, &end, 10) that must consume the whole string; Long.MIN_VALUE when it does not. */
    private static long strtol(String s) {
        String t = s.stripLeading();
        if (t.isEmpty()) {
            return Long.MIN_VALUE;
        }
        int k = 0;
        if (t.charAt(0) == '+' || t.charAt(0) == '-') {
            k = 1;
        }
        if (k == t.length()) {
            return Long.MIN_VALUE;
        }
        for (int j = k; j < t.length(); j++) {
            if (!Character.isDigit(t.charAt(j)) || t.charAt(j) > '9') {
                return Long.MIN_VALUE;
            }
        }
        try {
            return Long.parseLong(t);
        } catch (NumberFormatException e) {
            return Long.MIN_VALUE; // ERANGE
        }
    }

    private static int atoi(String s) {
        String t = s.stripLeading();
        int j = 0;
        boolean neg = false;
        if (j < t.length() && (t.charAt(j) == '+' || t.charAt(j) == '-')) {
            neg = t.charAt(j) == '-';
            j++;
        }
        long v = 0;
        while (j < t.length() && t.charAt(j) >= '0' && t.charAt(j) <= '9' && v < Integer.MAX_VALUE) {
            v = v * 10 + (t.charAt(j++) - '0');
        }
        return (int) (neg ? -v : Math.min(v, Integer.MAX_VALUE));
    }

    static int parseTimeout(String s, int min, int max) throws IpvsadmException {
        return number(s, min, max, "invalid timeout value `" + s + "' specified");
    }

    private record Endpoint(InetAddress address, int port) {
    }

    /**
     * parse_service: {@code host[:port]} or {@code [v6]:port}; a pure number is no address; the port is a number or a
     * service name from /etc/services. Null when invalid; port -1 when absent.
     */
    private Endpoint parseService(String buf, Protocol protocol, boolean ipv6Context) {
        if (buf == null || buf.isEmpty() || buf.chars().allMatch(Character::isDigit)) {
            return null;
        }
        String host = buf;
        String port = null;
        if (buf.charAt(0) == '[') {
            int close = buf.indexOf(']');
            if (close < 0 || close + 1 >= buf.length() || buf.charAt(close + 1) != ':') {
                return null;
            }
            host = buf.substring(1, close);
            port = buf.substring(close + 2);
        }
        InetAddress addr = InetParse.inetPton6(host);
        if (addr == null) {
            if (port == null) {
                int colon = host.lastIndexOf(':');
                if (colon >= 0) {
                    port = host.substring(colon + 1);
                    host = host.substring(0, colon);
                }
            }
            addr = InetParse.inetAton(host);
            if (addr == null) {
                addr = names.resolve(host);
            }
            if (addr == null) {
                return null;
            }
        }
        if (port == null) {
            return new Endpoint(addr, -1);
        }
        long n = strtol(port);
        if (n != Long.MIN_VALUE && n >= 0 && n <= 65535) {
            return new Endpoint(addr, (int) n);
        }
        int p = names.port(port, protocol);
        return p < 0 ? null : new Endpoint(addr, p);
    }

    /** parse_sched_flags: comma-separated names, sh-* only with sh, mh-* only with mh. */
    static int parseSchedFlags(String sched, String arg) throws IpvsadmException {
        String s = sched == null || sched.isEmpty() ? ServiceConfig.DEFAULT_SCHEDULER : sched;
        int flags = 0;
        String[] parts = arg.split(",");
        boolean any = false;
        for (String flag : parts) {
            if (flag.isEmpty()) {
                continue;
            }
            any = true;
            switch (flag) {
                case "flag-1" -> flags |= ServiceConfig.SCHED_FLAG_1;
                case "flag-2" -> flags |= ServiceConfig.SCHED_FLAG_2;
                case "flag-3" -> flags |= ServiceConfig.SCHED_FLAG_3;
                case "sh-fallback", "mh-fallback" -> {
                    flags |= ServiceConfig.SCHED_FLAG_1;
                    if (!s.equals(flag.substring(0, 2))) {
                        throw fail("incompatible scheduler flag `" + flag + "'");
                    }
                }
                case "sh-port", "mh-port" -> {
                    flags |= ServiceConfig.SCHED_FLAG_2;
                    if (!s.equals(flag.substring(0, 2))) {
                        throw fail("incompatible scheduler flag `" + flag + "'");
                    }
                }
                default -> throw fail("invalid scheduler flag `" + flag + "'");
            }
        }
        if (!any) {
            throw fail("invalid scheduler flag `" + arg + "'");
        }
        return flags;
    }

    /** process_options after parsing: generic_opt_check and the per-command checks, in ipvsadm's order. */
    private static void process(Command ce) throws IpvsadmException {
        genericOptCheck(ce);
        if (ce.kind == Kind.ADD || ce.kind == Kind.EDIT) {
            if (ce.port == 0 && !ce.persistent) {
                throw fail("Zero port specified for non-persistent service");
            }
            if (ce.onePacket && ce.protocol != Protocol.UDP) {
                throw fail("One-Packet Scheduling is only for UDP virtual services");
            }
            if (ce.scheduler.isEmpty()) {
                ce.scheduler = ServiceConfig.DEFAULT_SCHEDULER;
            }
        }
        if (ce.kind == Kind.ADDDEST || ce.kind == Kind.EDITDEST) {
            if (ce.method == ForwardMethod.TUNNEL || ce.method == ForwardMethod.DROUTE) {
                ce.serverPort = ce.port;
            }
            if (ce.serverIpv6 != ce.ipv6 && ce.method != ForwardMethod.TUNNEL) {
                throw fail("Different address family is allowed only for tunneling servers");
            }
            long tunOpts = Opt.TUN_TYPE.bit() | Opt.TUN_PORT.bit() | Opt.TUN_NOCSUM.bit() | Opt.TUN_CSUM.bit()
                    | Opt.TUN_REMCSUM.bit();
            if ((ce.options & tunOpts) != 0 && ce.method != ForwardMethod.TUNNEL) {
                throw fail("Tunnel options conflict with forward method");
            }
            tunnelOptCheck(ce);
            if (ce.has(Opt.PROXY_PROTOCOL) && ce.method != ForwardMethod.FULLNAT) {
                throw fail("lvs4j: --proxy-protocol needs the full-NAT method (-b)");
            }
        }
        if (ce.kind == Kind.LIST) {
            boolean connOrMeta = ce.has(Opt.CONNECTION) || ce.has(Opt.TIMEOUT) || ce.has(Opt.DAEMON);
            boolean figures = ce.has(Opt.STATS) || ce.has(Opt.RATE) || ce.has(Opt.THRESHOLDS);
            if ((connOrMeta && figures)
                    || ((ce.has(Opt.TIMEOUT) || ce.has(Opt.DAEMON)) && ce.has(Opt.PERSISTENTCONN))) {
                throw fail("options conflicts in the list command");
            }
        }
    }

    private static void genericOptCheck(Command ce) throws IpvsadmException {
        String row = COMMANDS_V_OPTIONS[ce.kind.ordinal()];
        Opt last = null;
        int count = 0;
        for (Opt o : Opt.values()) {
            char rule = row.charAt(o.ordinal());
            if (!ce.has(o)) {
                if (rule == '+') {
                    throw fail("You need to supply the '" + o.label + "' option for the '" + ce.kind.label
                            + "' command");
                }
            } else {
                if (rule == 'x') {
                    throw fail("Illegal '" + o.label + "' option with the '" + ce.kind.label + "' command");
                }
                if (rule == '1') {
                    count++;
                    if (count == 1) {
                        last = o;
                        continue;
                    }
                    throw fail("The option '" + o.label + "' conflicts with the '" + last.label
                            + "' option in the '" + ce.kind.label + "' command");
                }
            }
        }
    }

    /** tunnel_types_v_options: ipip takes none of port and checksum options; gue needs a port; gre no port. */
    private static void tunnelOptCheck(Command ce) throws IpvsadmException {
        String[] table = {"xxxx", "+111", "x11x"};
        Opt[] opts = {Opt.TUN_PORT, Opt.TUN_NOCSUM, Opt.TUN_CSUM, Opt.TUN_REMCSUM};
        String row = table[ce.tunnelType.ordinal()];
        String type = ce.tunnelType.word();
        Opt last = null;
        int count = 0;
        for (int j = 0; j < opts.length; j++) {
            Opt o = opts[j];
            char rule = row.charAt(j);
            if (!ce.has(o)) {
                if (rule == '+') {
                    throw fail("You need to supply the '" + o.label + "' option for the '" + type + "' tunnel type");
                }
            } else {
                if (rule == 'x') {
                    throw fail("Illegal '" + o.label + "' option with the '" + type + "' tunnel type");
                }
                if (rule == '1') {
                    count++;
                    if (count == 1) {
                        last = o;
                        continue;
                    }
                    throw fail("The option '" + o.label + "' conflicts with the '" + last.label + "' option in the '"
                            + type + "' tunnel type");
                }
            }
        }
    }
}
