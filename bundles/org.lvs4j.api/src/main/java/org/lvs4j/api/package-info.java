/**
 * The director's model and management API: virtual services, real servers, the connection table and the
 * changes that edit them, as ipvsadm knows them.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.1.0")
package org.lvs4j.api;
