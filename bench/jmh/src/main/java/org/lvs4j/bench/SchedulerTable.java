package org.lvs4j.bench;

import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;

import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * Runs SchedulerBench with the given JMH options (default {@code -f 1 -wi 3 -i 5 -w 1s -r 1s}) and the GC profiler, then
 * prints one table: per scheduler and server count, ns per pick + bind + unbind and bytes allocated per operation,
 * for lvs4j and, where there is one, the kernel's scan.
 */
public final class SchedulerTable {

    private SchedulerTable() {
    }

    public static void main(String[] args) throws Exception {
        String[] jmhArgs = args.length > 0 ? args : new String[] {"-f", "1", "-wi", "3", "-i", "5", "-w", "1s", "-r", "1s"};
        ChainedOptionsBuilder opts = new OptionsBuilder().parent(new CommandLineOptions(jmhArgs))
                .include(SchedulerBench.class.getName())
                .addProfiler(GCProfiler.class);
        Collection<RunResult> results = new Runner(opts.build()).run();
        // scheduler -> servers -> {lvs4j ns, lvs4j B, scan ns, scan B}
        Map<String, Map<Integer, double[]>> table = new TreeMap<>((a, b) -> order(a) - order(b));
        for (RunResult r : results) {
            var params = r.getParams();
            String scheduler = params.getParam("scheduler");
            int servers = Integer.parseInt(params.getParam("servers"));
            boolean scan = params.getBenchmark().endsWith("kernelScan");
            double ns = r.getPrimaryResult().getScore();
            var alloc = r.getSecondaryResults().get("gc.alloc.rate.norm");
            double bytes = alloc == null ? Double.NaN : alloc.getScore();
            double[] row = table.computeIfAbsent(scheduler, k -> new TreeMap<>())
                    .computeIfAbsent(servers, k -> new double[] {Double.NaN, Double.NaN, Double.NaN, Double.NaN});
            row[scan ? 2 : 0] = ns;
            row[scan ? 3 : 1] = bytes;
        }
        System.out.println();
        System.out.println("pick + bind + unbind, ns/op (B/op); kernel scan = the same scheduler as ip_vs_<name>.c"
                + " walks the list");
        System.out.printf("%-6s %8s %18s %18s%n", "sched", "servers", "lvs4j", "kernel scan");
        table.forEach((scheduler, rows) -> rows.forEach((servers, v) -> System.out.printf("%-6s %8d %18s %18s%n",
                scheduler, servers, cell(v[0], v[1]), cell(v[2], v[3]))));
    }

    private static int order(String scheduler) {
        return SchedulerBench.SCHEDULERS.keySet().stream().toList().indexOf(scheduler);
    }

    private static String cell(double ns, double bytes) {
        if (Double.isNaN(ns)) {
            return "-";
        }
        return String.format("%.1f (%.0f B)", ns, Double.isNaN(bytes) ? 0 : bytes);
    }
}
