// Forks a child with an IPC channel and does a message round trip.
import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";

const CHILD = fileURLToPath(new URL("./helpers/fork_child.mjs", import.meta.url));

function roundTrip(payload) {
  return new Promise((resolve, reject) => {
    const child = fork(CHILD, ["--from-parent"], { stdio: ["pipe", "pipe", "pipe", "ipc"] });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += `[stderr] ${d}`));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error("fork child timed out"));
    }, 60_000);
    let reply = null;
    child.on("message", (m) => {
      reply = m;
      child.disconnect();
    });
    child.on("error", reject);
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ reply, code, out });
    });
    child.send(payload);
  });
}

async function main() {
  const r = await roundTrip({ numbers: [1, 2, 3, 4], op: "sum" });
  console.log("reply:", JSON.stringify(r.reply), "exit:", r.code);
  console.log("child output:", JSON.stringify(r.out));
  console.log("fork done");
}

await main();
