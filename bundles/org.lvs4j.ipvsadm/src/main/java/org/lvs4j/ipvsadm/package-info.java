/** ipvsadm as a service: run an ipvsadm command line against the director and get ipvsadm's output. */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package org.lvs4j.ipvsadm;
