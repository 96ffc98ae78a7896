/**
 * Building blocks for authenticated messages between directors: {@link org.lvs4j.peer.support.ReplayGuard}, the
 * per-sender freshness window that the HA module and connection sync both apply after checking a message's HMAC.
 * Those bundles embed this package with bnd's {@code -conditionalpackage}; it is not exported.
 */
@org.osgi.annotation.versioning.Version("1.0.0")
package org.lvs4j.peer.support;
