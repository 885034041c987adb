// Reads its whole stdin, counts words with lodash, and ends with exit code 3.
import { text } from "node:stream/consumers";
import _ from "lodash";

function summarize(input) {
  const words = input.toLowerCase().match(/[a-z']+/g) ?? [];
  const counts = _.countBy(words);
  return _.sortBy(Object.entries(counts), [([, n]) => -n, ([w]) => w]).slice(0, 5);
}

async function main() {
  const input = await text(process.stdin);
  console.log("lines:", input.split("\n").filter(Boolean).length, "chars:", input.length);
  for (const [w, n] of summarize(input)) console.log(`${w} ${n}`);
  console.log("stdin done");
  process.exitCode = 3;
}

await main();
