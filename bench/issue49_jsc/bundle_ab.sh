#!/bin/bash
set -f
R=$1
for i in $(seq $R); do for mode in modules bundle; do
  if [ $mode = bundle ]; then FP=/root/.cache/tph/runtime-1qmtvh56gwwx9-3my8dkgiapufg/preload.js; else FP=; fi
  r=$(cd /work/wt/jsc && PATH=/tmp/jsc/fake:$PATH FAKE_PRELOAD=$FP ROUNDS=4 timeout 300 node_modules/.bin/deno run -A cli.ts run --runtime bun --cache-dir /tmp/jsc/cache_fake --max-calls 50000000 --max-depth 100000 --include node_modules/marked/** bench/programs/marked_rounds.mjs 2>&1 >/dev/null | grep -E 'RENDERS|calls recorded' | sed 's/tph: \([0-9]*\) calls recorded.*/\1/' | tr '\n' ' ')
  echo "$mode $r"
done; done
uptime
