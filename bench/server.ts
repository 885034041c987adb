// A server under a bounded local load: requests per second served plainly, under `tph run
// --one-run` (one run for the whole process) and under `tph run` (a run per request, the
// default), with the default limits, in the same rounds; and the server's RSS under a run per
// request after 10,000 requests and twice after MANY / 2 more (it must stay bounded: the tapes of
// requests that ended are freed, and the cache keeps this process's newest request runs).
// Each request makes 36 traced calls. The load: CONCURRENCY clients on keep-alive connections
// (this process's fetch), for SECONDS seconds after a second of warm-up.
// Node serves with node:http, Deno with Deno.serve, Bun with Bun.serve.
// Run: deno run -A bench/server.ts [node|deno|bun ...]

import process from "node:process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { num, record, REPO } from "./_common.ts";

const CONCURRENCY = 8;
const SECONDS = Number(process.env.TPH_BENCH_SERVER_SECONDS ?? 4);
/** Requests between the two RSS readings of the memory check. */
const MANY = Number(process.env.TPH_BENCH_SERVER_REQUESTS ?? 40_000);
const TPH = [join(REPO, "node_modules/node24/bin/node"), join(REPO, "cli.ts")];
const RUNTIMES: Record<string, { run: string[]; file: string }> = {
  node: { run: [join(REPO, "node_modules/node24/bin/node")], file: "node_http.mjs" },
  deno: { run: [join(REPO, "node_modules/.bin/deno"), "run", "-A"], file: "deno_serve.mjs" },
  bun: { run: [join(REPO, "node_modules/.bin/bun")], file: "bun_serve.mjs" },
};
const asked = process.argv.slice(2).filter((a) => a in RUNTIMES);
const runtimes = asked.length > 0 ? asked : ["node", "deno", "bun"];

const WORK = `
export function step(i, acc) { return acc + (i % 7); }
export function handle(path) {
  let acc = 0;
  for (let i = 0; i < 35; i++) acc = step(i, acc);
  return path + " " + acc;
}
export function rss() {
  return String(globalThis.Deno ? Deno.memoryUsage().rss : process.memoryUsage().rss);
}
`;
const SERVERS: Record<string, string> = {
  "node_http.mjs": `import http from "node:http";
import { handle, rss } from "./work.mjs";
const server = http.createServer((req, res) => {
  res.end(req.url === "/rss" ? rss() : handle(req.url));
});
server.listen(0, "127.0.0.1", () => console.log("port " + server.address().port));
process.on("SIGTERM", () => { server.close(); server.closeAllConnections(); });
`,
  "deno_serve.mjs": `import { handle, rss } from "./work.mjs";
const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen: ({ port }) => console.log("port " + port) },
  (req) => { const path = new URL(req.url).pathname; return new Response(path === "/rss" ? rss() : handle(path)); });
Deno.addSignalListener("SIGTERM", () => server.shutdown());
`,
  "bun_serve.mjs": `import { handle, rss } from "./work.mjs";
const server = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch(req) {
  const path = new URL(req.url).pathname; return new Response(path === "/rss" ? rss() : handle(path)); } });
console.log("port " + server.port);
process.on("SIGTERM", () => server.stop(true));
`,
};

/** Start a server; its port once it listens; stop() ends it (killed past 20 s). */
async function start(
  argv: string[],
  cwd: string,
): Promise<{ port: number; stop(): Promise<void> }> {
  const child = new Deno.Command(argv[0], {
    args: argv.slice(1),
    cwd,
    stdout: "piped",
    stderr: "inherit",
    stdin: "null",
    detached: true,
    env: { NO_COLOR: "1" },
  }).spawn();
  const guard = setTimeout(() => Deno.kill(-child.pid, "SIGKILL"), 600_000);
  const reader = child.stdout.getReader();
  let text = "";
  const d = new TextDecoder();
  while (!/port \d+/.test(text)) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`${argv.join(" ")} ended before listening`);
    text += d.decode(value);
  }
  (async () => {
    while (!(await reader.read()).done);
  })();
  return {
    port: Number(/port (\d+)/.exec(text)![1]),
    async stop() {
      child.kill("SIGTERM");
      const hard = setTimeout(() => Deno.kill(-child.pid, "SIGKILL"), 20_000);
      await child.status;
      clearTimeout(hard);
      clearTimeout(guard);
    },
  };
}

/** Requests served in `ms` by CONCURRENCY clients (or until `count` requests were made). */
async function load(port: number, ms: number, count = Infinity): Promise<number> {
  let served = 0, started = 0;
  const until = performance.now() + ms;
  const client = async (c: number) => {
    while (performance.now() < until && started < count) {
      started++;
      const r = await fetch(`http://127.0.0.1:${port}/items/${c}`);
      await r.arrayBuffer();
      served++;
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, (_, c) => client(c)));
  return served;
}

async function rssOf(port: number): Promise<number> {
  return Number(await (await fetch(`http://127.0.0.1:${port}/rss`)).text()) / 1e6;
}

const root = mkdtempSync(join(tmpdir(), "tph-bench-server-"));
try {
  writeFileSync(join(root, "package.json"), '{ "type": "module" }\n');
  writeFileSync(join(root, "work.mjs"), WORK);
  for (const [name, text] of Object.entries(SERVERS)) writeFileSync(join(root, name), text);
  for (const rt of runtimes) {
    const { run, file } = RUNTIMES[rt];
    const modes: [string, string[]][] = [
      ["plain", [...run, file]],
      ["one run", [...TPH, "run", "--runtime", rt, "--one-run", file]],
      ["run per request", [...TPH, "run", "--runtime", rt, file]],
    ];
    const rates: Record<string, number> = {};
    for (const [mode, argv] of modes) {
      rmSync(join(root, ".tracepatch_cache"), { recursive: true, force: true });
      const server = await start(argv, root);
      try {
        await load(server.port, 1000);
        const served = await load(server.port, SECONDS * 1000);
        rates[mode] = served / SECONDS;
      } finally {
        await server.stop();
      }
      console.log(`${rt.padEnd(5)} ${mode.padEnd(16)} ${num(rates[mode], 0, 8)} req/s`);
      record({
        bench: "server",
        metric: `${mode} req/s`,
        value: rates[mode],
        unit: "req/s",
        runtime: rt,
      });
    }
    const ratio = rates["plain"] / rates["run per request"];
    console.log(`${rt.padEnd(5)} plain / run per request: ${num(ratio, 2)}×`);
    record({
      bench: "server",
      metric: "plain / run per request",
      value: ratio,
      unit: "×",
      runtime: rt,
    });
    // Memory: a run per request over MANY requests, read after a warm-up and twice after.
    rmSync(join(root, ".tracepatch_cache"), { recursive: true, force: true });
    const server = await start(modes[2][1], root);
    try {
      const readings: number[] = [];
      await load(server.port, 600_000, 10_000);
      readings.push(await rssOf(server.port));
      for (let i = 0; i < 2; i++) {
        await load(server.port, 600_000, MANY / 2);
        readings.push(await rssOf(server.port));
      }
      console.log(
        `${rt.padEnd(5)} RSS (run per request) after 10,000 requests ${num(readings[0], 0)} MB, ` +
          `+${MANY / 2} ${num(readings[1], 0)} MB, +${MANY / 2} more ${num(readings[2], 0)} MB`,
      );
      const names = ["10k", `${(10_000 + MANY / 2) / 1000}k`, `${(10_000 + MANY) / 1000}k`];
      for (let i = 0; i < 3; i++) {
        record({
          bench: "server",
          metric: `RSS after ${names[i]} requests`,
          value: readings[i],
          unit: "MB",
          runtime: rt,
        });
      }
    } finally {
      await server.stop();
    }
  }
} finally {
  rmSync(root, { recursive: true, force: true });
}
