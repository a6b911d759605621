#!/usr/bin/env bash
# Runs an enforcer benchmark main (ApplyBenchmark, DatapathBenchmark) as root, from the repository root:
#   enforcer/bench.sh ApplyBenchmark
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -q -pl enforcer -am test-compile dependency:build-classpath -Dmdep.outputFile=target/bench.cp -Dmdep.includeScope=test
exec java -Xmx2g -cp "enforcer/target/test-classes:enforcer/target/classes:policy/target/classes:$(cat enforcer/target/bench.cp)" \
  "dev.netfence.enforcer.bench.$1" "${@:2}"
