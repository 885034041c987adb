// A run per request (src/program/requests/): a server traced by `tph run` — node:http, Express 5
// and Hono's Node adapter, Deno.serve on Deno, Bun.serve on Bun — serves requests, some at once,
// and while it still runs `tph logs` lists one run per request, labelled with method, path and
// status, each holding its request's calls only; `tph tree last` is the last request; a request
// the client gives up on is stored as aborted; a request's W3C traceparent is its run's
// trace_context. Once the server is stopped, the process's run holds the calls outside requests
// (start-up, shutdown); with --one-run the process keeps one run of everything.

import assert from "node:assert/strict";
import { symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { RunJSON } from "../../../src/types.ts";
import {
  allCalls,
  assertCode,
  baseEnv,
  REPO,
  type Result,
  type Target,
  tempDir,
  tph,
} from "./_cli.ts";

const FIXTURES = join(REPO, "tests/fixtures/requests");
const TRACEPARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

/** A server started under tph: its port, and how to stop it (SIGTERM, then its result). */
interface Running {
  port: number;
  stop(): Promise<Result>;
}

/**
 * Start `argv` (a server that prints `port <n>` once it listens) in its own process group; every
 * process of it is killed past `timeoutMs`.
 */
async function startServer(argv: string[], cwd: string, timeoutMs = 90_000): Promise<Running> {
  const child = new Deno.Command(argv[0], {
    args: argv.slice(1),
    cwd,
    env: baseEnv(),
    clearEnv: true,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    detached: true,
  }).spawn();
  const killAll = () => {
    try {
      Deno.kill(-child.pid, "SIGKILL");
    } catch {
      // Ended already.
    }
  };
  const timer = setTimeout(killAll, timeoutMs);
  const d = new TextDecoder();
  let stdout = "", stderr = "";
  let sawPort: (port: number) => void = () => {};
  const port = new Promise<number>((resolve) => sawPort = resolve);
  const readOut = (async () => {
    for await (const chunk of child.stdout) {
      stdout += d.decode(chunk, { stream: true });
      const m = /port (\d+)/.exec(stdout);
      if (m) sawPort(Number(m[1]));
    }
  })();
  const readErr = (async () => {
    for await (const chunk of child.stderr) stderr += d.decode(chunk, { stream: true });
  })();
  const ended = child.status;
  const first = await Promise.race([port, ended.then(() => -1)]);
  if (first < 0) {
    clearTimeout(timer);
    await Promise.all([readOut, readErr]);
    throw new Error(`the server ended before listening:\n${stdout}\n${stderr}`);
  }
  return {
    port: first,
    async stop() {
      try {
        child.kill("SIGTERM");
      } catch {
        // Ended already.
      }
      // A server that does not stop on SIGTERM is killed (the test then fails on its result).
      const hard = setTimeout(killAll, 20_000);
      const status = await ended;
      clearTimeout(hard);
      clearTimeout(timer);
      await Promise.all([readOut, readErr]);
      return { code: status.code, signal: status.signal, stdout, stderr };
    },
  };
}

/** `tph logs --json`: the runs, newest first. */
async function logs(t: Target, cwd: string): Promise<(RunJSON & { id: string })[]> {
  const r = await tph(t, ["logs", "--json", "--limit", "100"], { cwd, timeoutMs: 60_000 });
  assertCode(r, 0, "tph logs --json");
  return JSON.parse(r.stdout);
}

/** A stored run, whole (`tph export --format json`). */
async function runOf(t: Target, cwd: string, ref: string): Promise<RunJSON> {
  const out = join(cwd, `run-${ref}.json`);
  const r = await tph(t, ["export", ref, "--format", "json", "-o", out], {
    cwd,
    timeoutMs: 60_000,
  });
  assertCode(r, 0, `tph export ${ref}`);
  return JSON.parse(Deno.readTextFileSync(out));
}

/** Wait until `tph logs` lists runs whose labels include each of `labels`. */
async function waitForRuns(
  t: Target,
  cwd: string,
  labels: string[],
): Promise<(RunJSON & { id: string })[]> {
  const until = Date.now() + 30_000;
  for (;;) {
    const runs = await logs(t, cwd);
    const have = new Set(runs.map((r) => r.label));
    if (labels.every((l) => have.has(l))) return runs;
    if (Date.now() > until) {
      assert.fail(`runs ${labels.join(", ")} not listed; listed: ${[...have].join(", ")}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The names of a run's calls, depth first. */
function names(run: RunJSON): string[] {
  return allCalls(run.trace).map((c) => c.name);
}

/** A project holding the server programs, with the checkout's packages (Express, Hono). */
function project(): ReturnType<typeof tempDir> {
  const dir = tempDir({ "app": FIXTURES });
  writeFileSync(join(dir.path, "package.json"), '{ "type": "module" }\n');
  symlinkSync(join(REPO, "node_modules"), join(dir.path, "node_modules"));
  // The cache in the project; node_modules out of the traced scope (the default).
  return dir;
}

/**
 * The request runs of a server under tph on `t`.
 *
 * @param t The target (its runtime runs the server).
 * @param servers The server programs (of tests/fixtures/requests) to run on it.
 */
export function requestTests(t: Target, servers: string[]): void {
  for (const server of servers) {
    Deno.test(`${t.name}: requests: ${server} gets a run per request while it serves`, async () => {
      await using dir = project();
      const cwd = dir.path;
      const running = await startServer([...t.tph, "run", `app/${server}`], cwd);
      let result: Result | null = null;
      try {
        const base = `http://127.0.0.1:${running.port}`;
        // Six at once: their calls interleave (each waits on a timer of its own length).
        const ids = [1, 2, 3, 4, 5, 6];
        const bodies = await Promise.all(
          ids.map((id) => fetch(`${base}/items/${id}`).then((r) => r.text())),
        );
        assert.deepEqual(bodies.map((b) => JSON.parse(b).id), ids);
        const missing = await fetch(`${base}/items/404`);
        assert.equal(missing.status, 404);
        await missing.text();
        const echo = await fetch(`${base}/echo`, {
          method: "POST",
          body: "hello",
          headers: { "content-type": "text/plain" },
        });
        assert.equal(await echo.text(), "hello");
        const traced = await fetch(`${base}/items/7`, {
          headers: { traceparent: TRACEPARENT, tracestate: "vendor=1" },
        });
        await traced.text();
        // The client gives up on a request the server takes long to answer.
        const gone = new AbortController();
        const slow = fetch(`${base}/slow`, { signal: gone.signal }).catch(() => null);
        await new Promise((r) => setTimeout(r, 300));
        gone.abort();
        await slow;
        const last = await fetch(`${base}/items/9`);
        await last.text();

        // Deno.serve tells no client gone (its run ends when the handler answers).
        const abortSeen = server !== "deno_serve.ts";
        const labels = [
          ...ids.map((id) => `GET /items/${id} → 200`),
          "GET /items/404 → 404",
          "POST /echo → 200",
          "GET /items/7 → 200",
          ...(abortSeen ? ["GET /slow → aborted"] : []),
          "GET /items/9 → 200",
        ];
        // Listed while the server still runs.
        const runs = await waitForRuns(t, cwd, labels);
        for (const id of ids) {
          const entry = runs.find((r) => r.label === `GET /items/${id} → 200`)!;
          assert.deepEqual(entry.run?.request, {
            method: "GET",
            path: `/items/${id}`,
            status: 200,
            aborted: false,
          });
          const run = await runOf(t, cwd, entry.id);
          // Its own calls only: the others' item() and load() are in their runs.
          const items = allCalls(run.trace).filter((c) => c.name === "item" || c.name === "load");
          assert.deepEqual(
            items.map((c) => `${c.name}(${c.args?.id})`).sort(),
            [`item(${id})`, `load(${id})`],
            `${entry.label}: ${names(run).join(", ")}`,
          );
          assert.ok(!names(run).includes("startup"), "no start-up call in a request's run");
        }
        const echoRun = await runOf(t, cwd, runs.find((r) => r.label === "POST /echo → 200")!.id);
        assert.ok(names(echoRun).includes("parse"), `the body's parse: ${names(echoRun)}`);
        const tracedEntry = runs.find((r) => r.label === "GET /items/7 → 200")!;
        assert.deepEqual(tracedEntry.trace_context, {
          traceparent: TRACEPARENT,
          tracestate: "vendor=1",
        });
        assert.equal(runs.find((r) => r.label === "GET /items/1 → 200")!.trace_context, undefined);
        if (abortSeen) {
          const aborted = runs.find((r) => r.label === "GET /slow → aborted")!;
          assert.equal(aborted.run?.request?.aborted, true);
        }
        // The last request is `last`.
        const tree = await tph(t, ["tree", "last"], { cwd, timeoutMs: 60_000 });
        assertCode(tree, 0, "tph tree last");
        assert.match(tree.stdout, /item\(id=9\)/);
        assert.doesNotMatch(tree.stdout, /item\(id=[1-7]\)/);
      } finally {
        result = await running.stop();
      }
      // Nothing but tph's own lines on stderr (Deno warns when a request's signal is read).
      assert.equal(
        result.stderr.split("\n").filter((l) => l !== "" && !l.startsWith("tph: ")).join("\n"),
        "",
      );
      assert.doesNotMatch(result.stderr, /warning/, result.stderr);
      assert.match(
        result.stderr,
        /^tph: 11 requests served, each stored as a run of its own: tph logs lists them$/m,
      );
      // The process's run: the calls outside requests.
      const runs = await logs(t, cwd);
      const outside = runs.filter((r) => r.run?.request === undefined);
      assert.equal(outside.length, 1, runs.map((r) => r.label).join(", "));
      assert.equal(outside[0].label, "outside requests");
      const whole = await runOf(t, cwd, outside[0].id);
      const outsideNames = names(whole);
      assert.ok(outsideNames.includes("startup"), outsideNames.join(", "));
      assert.ok(outsideNames.includes("shutdown"), outsideNames.join(", "));
      assert.ok(!outsideNames.includes("item"), outsideNames.join(", "));
    });
  }

  for (const how of ["--one-run", "run_per_request = false"]) {
    Deno.test(`${t.name}: requests: ${how} keeps one run for the whole process`, async () => {
      await using dir = project();
      const cwd = dir.path;
      const server = servers[0];
      const flag = how.startsWith("--") ? [how] : [];
      if (flag.length === 0) writeFileSync(join(cwd, "tracepatch.toml"), how + "\n");
      const running = await startServer([...t.tph, "run", ...flag, `app/${server}`], cwd);
      let result: Result;
      try {
        const base = `http://127.0.0.1:${running.port}`;
        for (const id of [1, 2]) await (await fetch(`${base}/items/${id}`)).text();
      } finally {
        result = await running.stop();
      }
      assert.doesNotMatch(result.stderr, /warning/, result.stderr);
      const runs = await logs(t, cwd);
      assert.equal(runs.length, 1, runs.map((r) => r.label).join(", "));
      const run = await runOf(t, cwd, runs[0].id);
      const n = names(run);
      for (const name of ["startup", "load", "item", "shutdown"]) {
        assert.ok(n.includes(name), `${n}`);
      }
      assert.equal(n.filter((x) => x === "item").length, 2);
    });
  }

  Deno.test(`${t.name}: requests: max_runs bounds a server's request runs`, async () => {
    await using dir = project();
    const cwd = dir.path;
    writeFileSync(join(cwd, "tracepatch.toml"), "max_runs = 3\n");
    const running = await startServer([...t.tph, "run", `app/${servers[0]}`], cwd);
    try {
      const base = `http://127.0.0.1:${running.port}`;
      for (const id of [1, 2, 3, 4, 5, 6]) await (await fetch(`${base}/items/${id}`)).text();
      // The newest three, while the server serves (older ones removed as newer are stored).
      const want = ["GET /items/4 → 200", "GET /items/5 → 200", "GET /items/6 → 200"];
      const until = Date.now() + 30_000;
      let labels: string[] = [];
      while (Date.now() < until) {
        labels = (await logs(t, cwd)).map((r) => r.label ?? "").sort();
        if (labels.join() === want.join()) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      assert.deepEqual(labels, want);
    } finally {
      await running.stop();
    }
  });
}

/** A node:http server whose handlers start processes and a worker (and one at start-up). */
const CHILD_SERVER = `import http from "node:http";
import cp from "node:child_process";
import wt from "node:worker_threads";
const exe = process.execPath;
const out = (b) => String(b).trimEnd();
function startup() { return out(cp.spawnSync(exe, ["child.js", "startup"]).stdout); }
function viaSpawn() { return out(cp.spawnSync(exe, ["child.js", "spawn"]).stdout); }
function viaFork() {
  return new Promise((resolve) => {
    const c = cp.fork("child.js", ["fork"], { silent: true });
    let text = "";
    c.stdout.on("data", (d) => text += d);
    c.on("exit", (code) => resolve(out(text) + " exit " + code));
  });
}
function viaWorker() {
  return new Promise((resolve) => {
    const w = new wt.Worker(new URL("./worker.js", import.meta.url), { workerData: 5, execArgv: [] });
    let said = "";
    w.on("message", (m) => said = m);
    w.on("exit", (code) => resolve(said + " exit " + code));
  });
}
let lateEnded = null;
function viaLate() {
  const c = cp.spawn(exe, ["child.js", "late"], { stdio: "ignore" });
  lateEnded = new Promise((resolve) => c.on("exit", (code) => resolve("late exit " + code)));
  return "started";
}
console.log(startup());
const server = http.createServer(async (req, res) => {
  const body = req.url === "/spawn"
    ? viaSpawn()
    : req.url === "/fork"
    ? await viaFork()
    : req.url === "/worker"
    ? await viaWorker()
    : req.url === "/late"
    ? viaLate()
    : req.url === "/wait"
    ? await lateEnded
    : "none";
  res.end(body);
});
server.listen(0, "127.0.0.1", () => console.log("port " + server.address().port));
process.on("SIGTERM", () => {
  server.close();
  server.closeAllConnections?.();
});
`;

const CHILD_SCRIPT = `import cp from "node:child_process";
function triple(x) { return x * 3; }
function grandchild() { return String(cp.spawnSync(process.execPath, ["child.js", "grand"]).stdout).trim(); }
if (process.argv[2] === "late") await new Promise((r) => setTimeout(r, 500));
const more = process.argv[2] === "spawn" ? " (" + grandchild() + ")" : "";
console.log("child", process.argv[2], triple(3) + more);
`;

const WORKER_SCRIPT = `import { parentPort, workerData } from "node:worker_threads";
function quad(x) { return x * 4; }
parentPort.postMessage("worker " + quad(workerData));
`;

/**
 * The processes and workers a request's handler starts belong to that request's run: each
 * child's run names it and the call that started it, the request's run lists it, `tph logs` lists
 * it under the request's run, `tph tree` names it, and the export of the request's run draws it
 * in the request's trace. One started outside requests stays the process run's.
 */
export function requestChildTests(t: Target): void {
  Deno.test(`${t.name}: requests: the processes and workers a request starts are its run's children`, async () => {
    await using dir = tempDir();
    const cwd = dir.path;
    writeFileSync(join(cwd, "package.json"), '{ "type": "module" }\n');
    writeFileSync(join(cwd, "server.js"), CHILD_SERVER);
    writeFileSync(join(cwd, "child.js"), CHILD_SCRIPT);
    writeFileSync(join(cwd, "worker.js"), WORKER_SCRIPT);
    const running = await startServer([...t.tph, "run", "server.js"], cwd);
    let result: Result;
    try {
      const base = `http://127.0.0.1:${running.port}`;
      const get = async (path: string, headers: Record<string, string> = {}) =>
        await (await fetch(base + path, { headers })).text();
      assert.equal(
        await get("/spawn", { traceparent: TRACEPARENT }),
        "child spawn 9 (child grand 9)",
      );
      assert.equal(await get("/fork"), "child fork 9 exit 0");
      assert.equal(await get("/worker"), "worker 20 exit 0");
      // A child that outlives its request (its run is stored once it ends).
      assert.equal(await get("/late"), "started");
      assert.equal(await get("/wait"), "late exit 0");
      const listed = await waitForRuns(t, cwd, [
        "GET /spawn → 200",
        "GET /fork → 200",
        "GET /worker → 200",
        "GET /late → 200",
        "GET /wait → 200",
      ]);
      // While the server runs, its request's run lists the child, whose run is stored at the end.
      const early = listed.find((r) => r.label === "GET /spawn → 200")!;
      const pending = await tph(t, ["tree", early.id], { cwd, timeoutMs: 60_000 });
      assertCode(pending, 0, "tph tree while the server runs");
      assert.match(pending.stderr, /^tph: process \d+ started at call \d+ has no run stored /m);
    } finally {
      result = await running.stop();
    }
    // The program's output is its own.
    assert.match(result.stdout, /^child startup 9\nport \d+\n$/);
    assert.doesNotMatch(result.stderr, /warning/, result.stderr);
    assert.match(
      result.stderr,
      /^tph: 6 processes and workers it started were recorded, each as a run of its own: tph logs lists them under the run that started each$/m,
    );
    const runs = await logs(t, cwd);
    const byLabel = (label: string) => {
      const run = runs.find((r) => r.label === label);
      assert.ok(run, `${label} in ${runs.map((r) => r.label).join(", ")}`);
      return run;
    };
    const children = runs.filter((r) => r.parent !== undefined);
    const childOf = (arg: string) => {
      const run = children.find((r) =>
        arg === "worker"
          ? r.parent?.kind === "worker"
          : r.run?.command.join(" ").endsWith(`child.js ${arg}`)
      );
      assert.ok(run, `${arg}'s run in ${children.map((r) => r.run?.command.join(" "))}`);
      return run;
    };
    // The process's run: its own child (started at start-up) alone.
    const outside = byLabel("outside requests");
    const outsideRun = await runOf(t, cwd, outside.id);
    assert.equal(outsideRun.children?.length, 1, JSON.stringify(outsideRun.children));
    const startup = childOf("startup");
    assert.equal(startup.parent?.run, outside.id);
    assert.equal(outsideRun.children![0].run, startup.id);
    // With the call that started it, as without requests.
    assert.equal(typeof startup.parent?.call, "number", JSON.stringify(startup.parent));
    assert.equal(outsideRun.children![0].call, startup.parent?.call);
    assert.match(allCalls(outsideRun.trace)[startup.parent!.call!].name, /spawnSync/);
    assert.equal(startup.trace_context, undefined);
    for (
      const [label, arg, starter] of [
        ["GET /spawn → 200", "spawn", /spawnSync/],
        ["GET /fork → 200", "fork", /fork/],
        ["GET /worker → 200", "worker", /Worker/],
        ["GET /late → 200", "late", /spawn/],
      ] as const
    ) {
      const request = byLabel(label);
      const child = childOf(arg);
      assert.equal(child.parent?.run, request.id, `${arg}: ${JSON.stringify(child.parent)}`);
      const call = child.parent?.call;
      assert.equal(typeof call, "number", `${arg}: ${JSON.stringify(child.parent)}`);
      const requestRun = await runOf(t, cwd, request.id);
      assert.equal(
        requestRun.children?.length,
        1,
        `${label}: ${JSON.stringify(requestRun.children)}`,
      );
      assert.equal(requestRun.children![0].run, child.id);
      assert.equal(requestRun.children![0].call, call);
      assert.match(allCalls(requestRun.trace)[call!].name, starter);
      // In the request's trace, under the span of the call that started it.
      const context = child.trace_context?.traceparent ?? "";
      const [, traceId, span] = context.split("-");
      assert.equal(requestRun.sent_trace?.spans?.[String(call! + 1)], span, `${arg}: ${context}`);
      assert.equal(traceId, requestRun.sent_trace?.trace_id);
      if (arg === "spawn") assert.equal(traceId, TRACEPARENT.split("-")[1]);
      // Listed under its request's run (with only runs of the same start between).
      const [at, under] = [runs.indexOf(request), runs.indexOf(child)];
      assert.ok(at < under, `${arg} listed under ${label}`);
      for (const r of runs.slice(at + 1, under)) {
        assert.equal(r.timestamp, request.timestamp, `${arg} listed under ${label}`);
      }
    }
    // `tph tree` of a request's run names its child's run.
    const spawned = byLabel("GET /spawn → 200");
    const tree = await tph(t, ["tree", spawned.id], { cwd, timeoutMs: 60_000 });
    assertCode(tree, 0, "tph tree");
    assert.match(
      tree.stderr,
      new RegExp(`^tph: process \\d+ started at call \\d+: tph tree ${childOf("spawn").id}$`, "m"),
    );
    // The child's own child: its run's, in the same trace, under the call that started it.
    const grand = childOf("grand");
    const spawnChild = childOf("spawn");
    assert.equal(grand.parent?.run, spawnChild.id);
    const spawnRun = await runOf(t, cwd, spawnChild.id);
    const [, grandTrace, grandSpan] = (grand.trace_context?.traceparent ?? "").split("-");
    assert.equal(grandTrace, TRACEPARENT.split("-")[1]);
    assert.equal(spawnRun.sent_trace?.spans?.[String(grand.parent!.call! + 1)], grandSpan);
    // Its export draws the children as processes of their own, in the request's one trace.
    const otlp = join(cwd, "spawn.otlp.json");
    const exported = await tph(t, ["export", spawned.id, "--format", "otlp", "-o", otlp], {
      cwd,
      timeoutMs: 60_000,
    });
    assertCode(exported, 0, "tph export --format otlp");
    const doc = JSON.parse(Deno.readTextFileSync(otlp)) as {
      resourceSpans: { scopeSpans: { spans: { traceId: string; name: string }[] }[] }[];
    };
    assert.equal(doc.resourceSpans.length, 3);
    const spans = doc.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans));
    assert.deepEqual([...new Set(spans.map((s) => s.traceId))], [TRACEPARENT.split("-")[1]]);
    assert.ok(spans.some((s) => /triple/.test(s.name)), spans.map((s) => s.name).join(", "));
  });
}
