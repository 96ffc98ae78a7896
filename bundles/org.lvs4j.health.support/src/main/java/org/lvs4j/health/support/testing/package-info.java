/**
 * For check bundles' tests: real servers (Debian's packages) started with a private configuration and stopped by
 * PID, and a check run to its result. Not embedded in check bundles.
 */
@org.osgi.annotation.versioning.Version("1.0.0")
package org.lvs4j.health.support.testing;
