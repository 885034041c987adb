// The plain program's own time in its process (bench/design_limit.ts): from this preload to the
// exit hook, written to LIMIT_OUT.times as the limit's recorder writes its own.
import { readFileSync, writeFileSync } from "node:fs";

const began = performance.now();
/** The main thread's own CPU, ms (schedstat), for bench/limit_worker.ts. */
const threadCpu = () =>
  Number(readFileSync("/proc/thread-self/schedstat", "latin1").split(" ")[0]) / 1e6;
const mainBegan = threadCpu();
const cpu = () => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
};
const cpuBegan = cpu();
process.on("exit", () => {
  const out = process.env.LIMIT_OUT;
  const ended = performance.now(), at = performance.timeOrigin;
  if (!out) return;
  // Epoch times and CPU too (bench/default_run.ts): the program's start and end.
  const times = { program: ended - began, began_at: at + began, ended_at: at + ended };
  // The process's CPU in the program (every thread: the compilers' too), ms.
  times.cpu_program = cpu() - cpuBegan;
  times.cpu_main_program = threadCpu() - mainBegan;
  writeFileSync(out + ".times", JSON.stringify({ ...times, saved_at: at + performance.now() }));
});
