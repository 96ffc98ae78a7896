/**
 * Building blocks for check bundles: {@link org.lvs4j.health.support.Probe} runs a blocking check on a virtual
 * thread against its deadline, {@link org.lvs4j.health.support.Wire} connects, reads a bounded amount and matches
 * patterns under the deadline. Check bundles embed this package with bnd's {@code -conditionalpackage}; it is not
 * exported.
 */
@org.osgi.annotation.versioning.Version("1.0.0")
package org.lvs4j.health.support;
