package org.lvs4j.itest;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waits for a condition with a deadline scaled by TEST_SLACK (CI: 1.5). */
final class Poll {

    private Poll() {
    }

    static double slack() {
        String s = System.getenv("TEST_SLACK");
        try {
            return s == null ? 1.0 : Math.max(1.0, Double.parseDouble(s));
        } catch (NumberFormatException e) {
            return 1.0;
        }
    }

    static void until(BooleanSupplier condition, Duration timeout, String what) throws InterruptedException {
        long deadline = System.nanoTime() + (long) (timeout.toNanos() * slack());
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout + " waiting for " + what);
            }
            Thread.sleep(10);
        }
    }
}
