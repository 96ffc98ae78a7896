package org.lvs4j.e2e;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/** A steady stream of HTTP requests with {@code Connection: close}, each recorded with its outcome. */
final class Load {

    private Load() {
    }

    /** Outcome of one request of a load run. */
    record Shot(long startNanos, long endNanos, boolean ok, String error) {
    }

    /**
     * Runs {@code threads} clients, each starting a request every {@code gapMillis} (paced, not synchronised: the
     * gap is the load's rate) until {@code endNanos}.
     */
    static List<Shot> run(String vip, int port, int threads, long gapMillis, long endNanos) throws Exception {
        return run(vip, port, threads, gapMillis, () -> System.nanoTime() >= endNanos);
    }

    /** As above, until {@code done} says so. */
    static List<Shot> run(String vip, int port, int threads, long gapMillis, java.util.function.BooleanSupplier done)
            throws Exception {
        return run(vip, port, threads, gapMillis, done, shots());
    }

    /** A list to pass to {@link #run(String, int, int, long, long, List)}, safe to read while the load runs. */
    static List<Shot> shots() {
        return Collections.synchronizedList(new ArrayList<>());
    }

    /**
     * As above, recording into {@code shots} as the requests finish, so a test can wait for load to have flowed
     * ({@code shots.size()}) before it injects a fault.
     */
    static List<Shot> run(String vip, int port, int threads, long gapMillis, long endNanos, List<Shot> shots)
            throws Exception {
        return run(vip, port, threads, gapMillis, () -> System.nanoTime() >= endNanos, shots);
    }

    private static List<Shot> run(String vip, int port, int threads, long gapMillis,
                                  java.util.function.BooleanSupplier done, List<Shot> shots) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<?>> fs = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            fs.add(pool.submit(() -> {
                long next = System.nanoTime();
                while (!done.getAsBoolean()) {
                    long start = System.nanoTime();
                    try {
                        Backends.get(vip, port);
                        shots.add(new Shot(start, System.nanoTime(), true, null));
                    } catch (IOException e) {
                        shots.add(new Shot(start, System.nanoTime(), false, e.toString()));
                    }
                    next += TimeUnit.MILLISECONDS.toNanos(gapMillis);
                    long wait = next - System.nanoTime();
                    if (wait > 0) {
                        Thread.sleep(TimeUnit.NANOSECONDS.toMillis(wait));
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : fs) {
            f.get();
        }
        pool.shutdown();
        return shots;
    }
}
