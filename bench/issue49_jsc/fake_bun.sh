#!/bin/bash
# swap tph's source preload for the binary's bundled one when FAKE_PRELOAD is set
args=()
for a in "$@"; do
  if [ -n "$FAKE_PRELOAD" ] && [[ "$a" == */src/program/preload.ts ]]; then args+=("$FAKE_PRELOAD"); else args+=("$a"); fi
done
echo "fakebun ${args[*]:0:3}" >> /tmp/jsc/fake/log
exec /work/wt/jsc/node_modules/.bin/bun "${args[@]}"
