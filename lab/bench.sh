#!/usr/bin/env bash
# Runs a lab benchmark main as root, from the repository root:
#   lab/bench.sh CniAddBenchmark [adds]
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -q -pl lab -am test-compile dependency:build-classpath -Dmdep.outputFile=target/bench.cp
cp=lab/target/classes:enforcer-core/target/classes:policy/target/classes:crds/target/classes:operator-core/target/classes:cluster/target/classes
exec java -Xmx1g -cp "$cp:$(cat lab/target/bench.cp)" "dev.netfence.lab.cni.$1" "${@:2}"
