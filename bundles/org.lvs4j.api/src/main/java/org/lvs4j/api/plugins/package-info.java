/**
 * Hot deployment of plug-in bundles as a service: {@link org.lvs4j.api.plugins.PluginDeployer}, provided by the shell
 * (the same work as {@code lvs:deploy} and {@code lvs:undeploy}) and used by the admin page's upload and removal.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package org.lvs4j.api.plugins;
