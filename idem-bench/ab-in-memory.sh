#!/usr/bin/env bash
# CPU per in-memory lifecycle: this checkout's idem-core (build it first: ./mvnw -B -q install -DskipTests) against
# the idem-core of an older revision, in alternating JVMs (InMemoryCpuLoop; docs/benchmarks.md). About 45 s a JVM.
#   idem-bench/ab-in-memory.sh OLD_REVISION [steady|all] [pairs]
set -euo pipefail
old=${1:?usage: idem-bench/ab-in-memory.sh OLD_REVISION [steady|all] [pairs]}
mode=${2:-steady}
pairs=${3:-2}
root=$(git rev-parse --show-toplevel)
work=$(mktemp -d)
git -C "$root" worktree add -q --detach "$work/old" "$old"
trap 'git -C "$root" worktree remove --force "$work/old"; rm -rf "$work"' EXIT
slf4j=$(find "$HOME/.m2/repository/org/slf4j/slf4j-api" -name 'slf4j-api-2*.jar' | sort | tail -1)
mkdir -p "$work/old-classes" "$work/loop"
javac -nowarn -cp "$slf4j" -d "$work/old-classes" $(find "$work/old/idem-core/src/main/java" -name '*.java')
javac -cp "$root/idem-core/target/classes:$slf4j" -d "$work/loop" \
    "$root/idem-bench/src/main/java/dev/idem/bench/InMemoryCpuLoop.java"
for ((i = 1; i <= pairs; i++)); do
    for side in old new; do
        classes="$root/idem-core/target/classes"
        [ "$side" = old ] && classes="$work/old-classes"
        printf '%s (%s) ' "$side" "$([ "$side" = old ] && echo "$old" || git -C "$root" rev-parse --short HEAD)"
        java -Xms1g -Xmx1g -cp "$classes:$slf4j:$work/loop" dev.idem.bench.InMemoryCpuLoop "$mode" 2> >(grep -v SLF4J >&2)
    done
done
