#!/usr/bin/env bash
# Runs a lab benchmark main as root, from the repository root:
#   lab/bench.sh CniAddBenchmark [adds]
#   lab/bench.sh dev.netfence.lab.LabBenchmark [nodes] [pods-per-node] [rounds]
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -q -pl lab -am test-compile dependency:build-classpath -Dmdep.outputFile=target/bench.cp
cp=lab/target/classes:enforcer-core/target/classes:policy/target/classes:crds/target/classes:operator-core/target/classes:cluster/target/classes
main="$1"
[[ "$main" == *.* ]] || main="dev.netfence.lab.cni.$main"
exec java -Xmx1g -cp "$cp:$(cat lab/target/bench.cp)" "$main" "${@:2}"
