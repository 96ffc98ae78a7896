package org.lvs4j.api.plugins;

import java.nio.file.Path;

import org.osgi.annotation.versioning.ProviderType;

/** Installs, updates and removes plug-in bundles while the director runs. */
@ProviderType
public interface PluginDeployer {

    /**
     * Deploys the bundle in {@code jar} (kept across restarts; a built-in bundle of the same name is updated in place)
     * and waits until it is active and its schedulers are registered.
     *
     * @return what was done, e.g. "deployed org.example.scheduler.fair 1.0.0: scheduler fair"
     * @throws IllegalArgumentException the file is not an OSGi bundle, naming why
     * @throws IllegalStateException    it did not start, naming why
     */
    String deploy(Path jar);

    /**
     * Removes the bundle providing the scheduler {@code name}, or the bundle of that symbolic name.
     *
     * @return what was done
     * @throws IllegalArgumentException no such scheduler or bundle, or one that is not a plug-in
     * @throws IllegalStateException    it could not be removed
     */
    String undeploy(String name);
}
