#!/bin/bash
# Issue 49, JavaScriptCore's warm-up: marked every call (bench/issue49_jsc/marked_cpu.mjs), the
# process CPU ms of each render, REF's tph and this worktree's alternating.
# usage: warm_ab.sh <pairs> <bun|bin|node|deno> [renders]   (REF=/work/wt/ref29 by default; bin:
# each worktree's dist/tph, built by `deno task compile`)
# Medians: python3 over the output, or by eye. Load printed beside each run.
here=$(cd "$(dirname "$0")/../.." && pwd)
ref=${REF:-/work/wt/ref29}
pairs=$1; eng=$2; export ROUNDS=${3:-3}
for i in $(seq 1 "$pairs"); do
  for wt in "$ref" "$here"; do
    cd "$wt" || exit 1
    case $eng in
      bun) cmd=(node_modules/.bin/bun cli.ts run);;
      bin) cmd=(dist/tph run);;
      node) cmd=(env "PATH=$wt/node_modules/node24/bin:$PATH" node lib/cli.js run);;
      deno) cmd=(node_modules/.bin/deno run -A cli.ts run);;
    esac
    out=$(timeout 300 "${cmd[@]}" --max-calls 50000000 --max-depth 100000 \
      --include 'node_modules/marked/**' "$here/bench/issue49_jsc/marked_cpu.mjs" 2>&1 >/dev/null | grep "^CPU")
    echo "$(basename "$wt") $out load $(cut -d' ' -f1 /proc/loadavg)"
  done
done
