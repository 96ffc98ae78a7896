package org.lvs4j.ipvsadm.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.lvs4j.ipvsadm.internal.Harness.golden;

import org.junit.jupiter.api.Test;

/** ipvsadm's print_largenum in every range (K, M, G, T and --exact), against generate.py's goldens. */
class LargeNumberTest {

    @Test
    void largeNumbersInEveryRange() {
        for (String line : golden("largenum.txt").lines().toList()) {
            String[] f = line.split("\\|");
            long n = Long.parseUnsignedLong(f[0]);
            assertEquals(f[1], Listing.largenum(n, false), "print_largenum(" + f[0] + ")");
            assertEquals(f[2], Listing.largenum(n, true), "print_largenum(" + f[0] + ", exact)");
        }
    }
}
