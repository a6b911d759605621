#!/usr/bin/env bash
# Runs an enforcer benchmark main (ApplyBenchmark, DatapathBenchmark) as root, from the repository root:
#   enforcer-core/bench.sh ApplyBenchmark
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -q -pl enforcer-core -am test-compile dependency:build-classpath -Dmdep.outputFile=target/bench.cp -Dmdep.includeScope=test
exec java -Xmx2g ${BENCH_JAVA_OPTS:-} -cp "enforcer-core/target/test-classes:enforcer-core/target/classes:policy/target/classes:$(cat enforcer-core/target/bench.cp)" \
  "dev.netfence.enforcer.bench.$1" "${@:2}"
