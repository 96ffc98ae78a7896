/*
 * How two directors' tables differ, line by line, as ipvsadm -S -n prints them (one line per service and real
 * server, sorted, so the same table prints the same lines): lines only on this director are marked "-", lines only on
 * the peer "+", in the order each director lists them. Line order within a table does not count as a difference.
 */
package org.lvs4j.ha.heartbeat.internal;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

final class TableDiff {

    private TableDiff() {
    }

    static String of(String self, String mine, String peer, String theirs) {
        Set<String> here = lines(mine);
        Set<String> there = lines(theirs);
        List<String> onlyHere = here.stream().filter(l -> !there.contains(l)).toList();
        List<String> onlyThere = there.stream().filter(l -> !here.contains(l)).toList();
        if (onlyHere.isEmpty() && onlyThere.isEmpty()) {
            return self + " and " + peer + " have the same table (" + here.size() + " lines)\n";
        }
        StringBuilder b = new StringBuilder();
        b.append("--- ").append(self).append(" (this director)\n+++ ").append(peer).append('\n');
        onlyHere.forEach(l -> b.append("- ").append(l).append('\n'));
        onlyThere.forEach(l -> b.append("+ ").append(l).append('\n'));
        return b.toString();
    }

    private static Set<String> lines(String text) {
        Set<String> out = new LinkedHashSet<>();
        for (String l : text.split("\n")) {
            if (!l.isBlank()) {
                out.add(l.strip());
            }
        }
        return out;
    }
}
