package org.lvs4j.api;

/**
 * The operator's state for a real server, kept apart from health: the health monitor never overrides it.
 */
public enum AdminState {
    /** Takes new connections as its weight says. */
    READY,
    /** No new connections except those of clients whose persistence template points here; existing ones go on. */
    DRAIN,
    /** No new connections at all, persistence ignored; existing connections go on. */
    MAINT;

    /** The lower-case word used by the shell and listings. */
    public String word() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
