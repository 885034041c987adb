// Starts a Web Worker (module type) and does a message round trip.
function ask(worker: Worker, value: number[]): Promise<string> {
  return new Promise((resolve, reject) => {
    worker.onmessage = (e: MessageEvent<string>) => resolve(e.data);
    worker.onerror = (e) => reject(new Error(`worker error: ${e.message}`));
    worker.postMessage(value);
  });
}

async function main(): Promise<void> {
  const worker = new Worker(new URL("./helpers/web_worker_child.ts", import.meta.url).href, {
    type: "module",
  });
  console.log("reply:", await ask(worker, [5, 3, 8, 1]));
  console.log("reply:", await ask(worker, []));
  worker.terminate();
  console.log("web_worker done");
}

await main();
