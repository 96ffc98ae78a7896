/**
 * Building blocks for scheduler bundles: {@link org.lvs4j.scheduler.support.LoadIndex}, which answers IPVS's
 * "least loaded server, first in list order on ties" in O(1) with O(log n) updates, and Linux's {@code hash_32}.
 * Schedulers embed this package privately with bnd's {@code -conditionalpackage}, so a scheduler jar needs only the
 * API; it is not exported.
 */
@org.osgi.annotation.versioning.Version("1.0.0")
package org.lvs4j.scheduler.support;
