package org.lvs4j.api;

/** Transport protocol of a virtual service, with the names ipvsadm prints. */
public enum Protocol {
    TCP("-t", 6),
    UDP("-u", 17);

    private final String option;
    private final int number;

    Protocol(String option, int number) {
        this.option = option;
        this.number = number;
    }

    /** The ipvsadm option that names a service of this protocol ({@code -t} or {@code -u}). */
    public String option() {
        return option;
    }

    /** The IP protocol number (6 or 17). */
    public int number() {
        return number;
    }

    /** The lower-case name used by /etc/services ("tcp", "udp"). */
    public String servicesName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
