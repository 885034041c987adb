#!/bin/sh
# usage: dump27_probe.sh <rt> <rounds> <out.jsonl> ; marked every call, probe after the write
cd /work/wt/dump27
rt=$1; n=$2; out=$3
for i in $(seq 1 $n); do
  load=$(cut -d' ' -f1 /proc/loadavg)
  PATH=$PWD/node_modules/node24/bin:$PATH TPH_DUMP_PROBE=$out.tmp TPH_DUMP_PROBE_FIRST=${FIRST:-0} timeout 300 node_modules/.bin/deno run -A cli.ts run --runtime $rt --include 'node_modules/marked/**' --max-calls 50000000 --max-depth 100000 bench/programs/marked_render.mjs > /dev/null 2>&1
  sed "s/^{/{\"rt\":\"$rt\",\"load\":$load,/" $out.tmp >> $out; rm -f $out.tmp
done
