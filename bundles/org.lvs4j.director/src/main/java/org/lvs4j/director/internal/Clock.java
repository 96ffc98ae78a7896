package org.lvs4j.director.internal;

/** Monotonic time for expiry and rates; tests drive a manual one. */
@FunctionalInterface
public interface Clock {

    Clock SYSTEM = System::nanoTime;

    long nanoTime();
}
