#!/bin/bash
# usage: rr.sh <runs> cfg... ; cfg = wt:OFF ; per run the min render ms of marked_rounds (renders 3..), ns a call over plain
set -f
R=$1; shift
out=/tmp/jsc/rr_$$.txt; : > $out
for i in $(seq $R); do for cfg in "$@"; do
  w=${cfg%%:*}; off=${cfg#*:}; [ "$off" = none ] && off=
  if [ $w = plain ]; then cmd="/work/wt/jsc/node_modules/.bin/bun bench/programs/marked_rounds.mjs"
  elif [ $w = bin ]; then cmd="${BIN:-/work/wt/jsc/dist/tph} run --cache-dir /tmp/jsc/cache_bin --max-calls 50000000 --max-depth 100000 --include node_modules/marked/** bench/programs/marked_rounds.mjs"
  else cmd="/work/wt/jsc/node_modules/.bin/bun /work/wt/$w/cli.ts run --cache-dir /tmp/jsc/cache_$w --max-calls 50000000 --max-depth 100000 --include node_modules/marked/** bench/programs/marked_rounds.mjs"; fi
  r=$(cd /work/wt/jsc && ROUNDS=8 TPH_JSC_OFF=$off timeout 300 $cmd 2>&1 >/dev/null | grep RENDERS)
  echo "$cfg $r" >> $out
done; done
node -e '
const l=require("fs").readFileSync(process.argv[1],"utf8").trim().split("\n").map(x=>x.split(" "));
const med=v=>{v=[...v].sort((a,b)=>a-b);return v[v.length>>1]};
const cf=[...new Set(l.map(x=>x[0]))];const res={};
for(const c of cf){const mins=l.filter(x=>x[0]===c).map(x=>Math.min(...x.slice(4).map(Number)));res[c]={m:med(mins),mins}}
const p=res["plain:none"]?.m;
for(const c of cf)console.log(c.padEnd(24),"min-render med",res[c].m.toFixed(1),p?("ns/call over plain "+((res[c].m-p)/255694*1e6).toFixed(0)):"","| mins",res[c].mins.join(" "))' $out
uptime
