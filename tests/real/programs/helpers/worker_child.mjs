// The worker of worker_threads.mjs: answers each message using semver.
import { parentPort, workerData } from "node:worker_threads";
import semver from "semver";

parentPort.on("message", (v) => {
  const valid = semver.valid(v);
  parentPort.postMessage(`${workerData.greeting} ${v}: ${valid ? semver.inc(valid, "minor") : "invalid"}`);
});
