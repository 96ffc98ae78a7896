#!/usr/bin/env bash
# ./lvs4j bench schedulers [JMH OPTIONS]: pick + bind + unbind for every scheduler at 10, 100, 1,000 and 10,000
# real servers (ns/op and B/op), beside the kernel's O(n) scan for the connection-count schedulers.
#
# Builds the appliance's bundles and bench/jmh, then runs JMH (default -f 1 -wi 3 -i 5 -w 1s -r 1s, with the GC
# profiler) and prints one table. Extra arguments replace the JMH options, e.g. -p scheduler=wlc -p servers=1000.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
LVS4J="${LVS4J:-$HERE/../lvs4j}"
JAVA="${JAVA_HOME:?JAVA_HOME must point at a JDK 25}/bin/java"

"$LVS4J" build >/dev/null
(cd "$HERE/.." && PATH="$JAVA_HOME/bin:$PATH" mvn -B -ntp -q -f bench/jmh/pom.xml package)
echo "lvs4j bench schedulers: $(nproc) cores, $("$JAVA" -version 2>&1 | head -n 1)"
exec "$JAVA" -jar "$HERE/jmh/target/benchmarks.jar" "$@"
