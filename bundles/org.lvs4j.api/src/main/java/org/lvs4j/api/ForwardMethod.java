package org.lvs4j.api;

/** How packets or connections reach a real server; chosen per real server, as in IPVS. */
public enum ForwardMethod {
    /** NAT (masquerading), {@code -m}. */
    MASQ("masq", "Masq", "-m", Engine.PACKET),
    /** IP-in-IP tunnelling, {@code -i}. */
    TUNNEL("tunnel", "Tunnel", "-i", Engine.PACKET),
    /** Direct routing (gatewaying), {@code -g}; ipvsadm's default. */
    DROUTE("droute", "Route", "-g", Engine.PACKET),
    /** Full NAT through the socket engine, {@code -b} on {@code -a}/{@code -e}; lvs4j's own method. */
    FULLNAT("fullnat", "FullNat", "-b", Engine.SOCKET);

    private final String id;
    private final String display;
    private final String flag;
    private final Engine engine;

    ForwardMethod(String id, String display, String flag, Engine engine) {
        this.id = id;
        this.display = display;
        this.flag = flag;
        this.engine = engine;
    }

    /** The name a {@link org.lvs4j.api.forward.Forwarder} registers under ({@code lvs.forward.method}). */
    public String id() {
        return id;
    }

    /** The word in the Forward column of {@code ipvsadm -L}. */
    public String display() {
        return display;
    }

    /** The ipvsadm switch that selects this method, as {@code ipvsadm -S} prints it. */
    public String flag() {
        return flag;
    }

    /** The engine that carries this method. */
    public Engine engine() {
        return engine;
    }

    /** The method registered under {@code id}, or null. */
    public static ForwardMethod byId(String id) {
        for (ForwardMethod m : values()) {
            if (m.id.equals(id)) {
                return m;
            }
        }
        return null;
    }
}
