// Passes 150 new 20 MB strings to a function (traced under `tph run`), then prints the peak
// resident memory of its process in bytes as JSON. Run by bench/memory_strings.ts.
import process from "node:process";
import { readFileSync } from "node:fs";

function take(s) {
  return s.length;
}

/** The process's peak resident set, from Linux's /proc (else what the runtime reports). */
function peak() {
  try {
    const line = readFileSync("/proc/self/status", "utf8").split("\n").find((l) =>
      l.startsWith("VmHWM:")
    );
    if (line !== undefined) return Number(line.split(/\s+/)[1]) * 1024;
  } catch {
    // Not Linux.
  }
  return process.resourceUsage().maxRSS * 1024;
}

let total = 0;
const bytes = new Uint8Array(20_000_000);
for (let i = 0; i < 150; i++) {
  // A flat new string each time (a repeat() would be a small rope on V8).
  total += take(new TextDecoder().decode(bytes.fill(97 + (i % 26))));
}
console.log(JSON.stringify({ total, peak: peak() }));
