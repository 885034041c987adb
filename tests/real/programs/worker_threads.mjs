// Starts a node:worker_threads Worker and does a message round trip.
import { Worker } from "node:worker_threads";

function ask(worker, value) {
  return new Promise((resolve, reject) => {
    worker.once("message", resolve);
    worker.once("error", reject);
    worker.postMessage(value);
  });
}

async function main() {
  const worker = new Worker(new URL("./helpers/worker_child.mjs", import.meta.url), {
    workerData: { greeting: "hello" },
  });
  console.log("reply 1:", await ask(worker, "1.2.3"));
  console.log("reply 2:", await ask(worker, "not a version"));
  await worker.terminate();
  console.log("worker_threads done");
}

await main();
