package org.lvs4j.ipvsadm;

import java.nio.file.Path;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The director's saved table ({@code STATE/ipvsadm.rules}). The service is registered only after the saved table
 * has been restored, so components that must not start before that (the ctl socket) depend on it.
 */
@ProviderType
public interface TableStore {

    /** The rules file, or null when no state dir is configured and the table is not kept. */
    Path file();

    /** Writes the table now (it is also written after every change and at shutdown). */
    void save();
}
