#!/usr/bin/env bash
# Runs a cli benchmark main (the demo's path: embedded API server, operator, enforcers in a lab) as root,
# from the repository root:
#   cli/bench.sh PodRulesBenchmark [rounds]
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -q -pl cli -am test-compile dependency:build-classpath -Dmdep.outputFile=target/bench.cp -Dmdep.includeScope=test
cp=cli/target/test-classes:cli/target/classes:lab/target/classes:enforcer-core/target/classes:policy/target/classes
cp=$cp:crds/target/classes:operator-core/target/classes:cluster/target/classes:webhook-core/target/classes
exec java -Xmx1g -cp "$cp:$(cat cli/target/bench.cp)" "dev.netfence.cli.demo.$1" "${@:2}"
