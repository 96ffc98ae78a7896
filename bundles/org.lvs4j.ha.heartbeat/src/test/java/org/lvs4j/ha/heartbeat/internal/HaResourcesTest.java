package org.lvs4j.ha.heartbeat.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.lvs4j.api.health.ConfigException;

/** haresources as the how-to and heartbeat write it. */
class HaResourcesTest {

    static final Path FILE = Path.of("haresources");

    @Test
    void theHowTosLineAndItsVariants() throws Exception {
        HaResources r = HaResources.parse(FILE, """
                # node  resources, started left to right
                dir1 IPaddr::10.99.0.100/24/eth0 \\
                     10.99.0.101 IPaddr2::10.99.0.102/32 ldirectord::ldirectord.cf notify::ops::now
                """);
        assertEquals("dir1", r.owner());
        assertEquals(List.of(new HaResources.Ip(InetAddress.getByName("10.99.0.100"), 24, "eth0"),
                new HaResources.Ip(InetAddress.getByName("10.99.0.101"), 0, null),
                new HaResources.Ip(InetAddress.getByName("10.99.0.102"), 32, null),
                new HaResources.Director(),
                new HaResources.Script("notify", List.of("ops", "now"))), r.resources());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            dir1                                  | haresources:1: usage: NODE RESOURCE [RESOURCE...]
            dir1 IPaddr::10.0.0.300               | haresources:1: "10.0.0.300" is not a unicast IPv4 address
            dir1 IPaddr::10.0.0.1/33              | haresources:1: prefix "33" is not 1 to 32
            dir1 IPaddr::10.0.0.1/24/eth0/x       | haresources:1: "10.0.0.1/24/eth0/x" is not IP[/PREFIX[/DEV]] (IPv4)
            dir1 IPaddr                           | haresources:1: IPaddr takes one argument: IPaddr::IP[/PREFIX[/DEV]]
            dir1 lvs4j ldirectord                 | haresources:1: the director (lvs4j or ldirectord) is named twice
            dir1 ../evil                          | haresources:1: "../evil" is not a resource name (a script in resource.d/)
            """)
    void badResourcesAreNamed(String line, String message) {
        assertEquals(message, assertThrows(ConfigException.class, () -> HaResources.parse(FILE, line)).getMessage());
    }

    @Test
    void exactlyOneResourceGroup() {
        assertEquals("haresources: no resource line (NODE RESOURCE...)",
                assertThrows(ConfigException.class, () -> HaResources.parse(FILE, "# none\n")).getMessage());
        assertEquals("haresources:2: a second resource line: lvs4j pairs two directors around one resource group",
                assertThrows(ConfigException.class,
                        () -> HaResources.parse(FILE, "dir1 lvs4j\ndir2 10.0.0.5\n")).getMessage());
    }
}
