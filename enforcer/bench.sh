#!/usr/bin/env bash
# Runs an enforcer app benchmark main (MetricsScrapeBenchmark), from the repository root:
#   enforcer/bench.sh MetricsScrapeBenchmark
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -q -pl enforcer -am test-compile dependency:build-classpath -Dmdep.outputFile=target/bench.cp -Dmdep.includeScope=test
exec java -Xmx1g -cp "enforcer/target/test-classes:enforcer/target/classes:enforcer-core/target/classes:policy/target/classes:$(cat enforcer/target/bench.cp)" \
  "dev.netfence.enforcer.app.$1" "${@:2}"
