// bench/limit_worker.ts, session 31 (run by hand: `<runtime> this.mjs none|worker`, 5 rounds each,
// raw output beside it): the CPU of starting one node:worker_threads Worker (a module that posts once) until it answered.
import { readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
const threadCpu = () =>
  Number(readFileSync("/proc/thread-self/schedstat", "latin1").split(" ")[0]) / 1e6;
const cpu = () => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
};
const mode = process.argv[2];
const t0 = performance.now(), c0 = cpu(), m0 = threadCpu();
if (mode === "worker") {
  const { Worker } = process.getBuiltinModule("node:worker_threads");
  const file = join(tmpdir(), "tph-boot-worker.mjs");
  writeFileSync(
    file,
    "import {parentPort} from 'node:worker_threads'; parentPort.postMessage(1);\n",
  );
  const w = new Worker(pathToFileURL(file), { execArgv: [] });
  const m1 = threadCpu();
  w.once("message", () => {
    console.log(
      JSON.stringify({
        wall: performance.now() - t0,
        cpu: cpu() - c0,
        main_new: m1 - m0,
        main: threadCpu() - m0,
      }),
    );
    w.terminate();
  });
} else {console.log(
    JSON.stringify({ wall: performance.now() - t0, cpu: cpu() - c0, main: threadCpu() - m0 }),
  );}
