/**
 * Netty for lvs4j's bundles: the shared event loops ({@link org.lvs4j.netty.EventLoops}) and the listening sockets of
 * virtual services ({@link org.lvs4j.netty.ListenerHub}).
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package org.lvs4j.netty;
