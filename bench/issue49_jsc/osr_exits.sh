#!/bin/bash
# Issue 49, Bun: JavaScriptCore's OSR exits and optimizing compiles while marked renders (every
# call), up to the program's last render: their count, then the sites with 40 exits or more
# (function tier bytecode-index reason; with inlining the index is the inlined callee's: add
# BUN_JSC_maximumInliningDepth=0 to the environment to see each function's own).
# usage: osr_exits.sh <worktree>   (writes /tmp/osr_exits_<name>.txt)
cd "$1" || exit 1
f=/tmp/osr_exits_$(basename "$1").txt
ROUNDS=3 BUN_JSC_printEachOSRExit=1 BUN_JSC_reportCompileTimes=1 timeout 300 node_modules/.bin/bun cli.ts run \
  --max-calls 50000000 --max-depth 100000 --include 'node_modules/marked/**' \
  bench/issue49_jsc/marked_cpu.mjs > "$f" 2>&1
n=$(grep -n "^CPU" "$f" | cut -d: -f1)
echo "$(basename "$1") $(grep '^CPU' "$f") exits $(head -"$n" "$f" | grep -c '^Speculation failure')" \
  "compiles DFG $(head -"$n" "$f" | grep -c 'Optimized.*DFG') FTL $(head -"$n" "$f" | grep -c 'Optimized.*FTL')"
head -"$n" "$f" | grep "^Speculation failure" |
  sed -E 's/^Speculation failure in ([^#]*)#[^:]*:.*, (DFG|FTL)[A-Za-z]*, ([0-9]+) .*\(bc#([0-9]+), ([A-Za-z]+)\).*/\1 \2 bc\4 \5/' |
  sort | uniq -c | sort -rn | awk '$1>=40'
