// Processes and workers a traced program starts (issue 48): a process of a JavaScript runtime
// (child_process' spawnSync, execFileSync, execSync, fork; Deno.Command on Deno; Bun.spawnSync on
// Bun) and a worker (node:worker_threads'; the web's on Deno and Bun) are recorded, each as a run
// of its own linked to the program's run and to the call that started it; a command of another
// program (`sh -c echo`) is an external call only. The program's output and exit code are the
// plain run's, and no child sees a variable or an option of tph's. --no-follow and
// follow_children = false record the program alone.

import assert from "node:assert/strict";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { CallNodeJSON, ChildRunJSON, RunJSON } from "../../../src/types.ts";
import type { PageData } from "../../../src/run_file/page_data.ts";
import { decodePerfetto } from "../../_export_readers.ts";
import { assertCode, plain, type Target, tempDir, tph } from "./_cli.ts";

/** The program: its starts are in main(), so that each is a call of the run. */
function program(t: Target): string {
  const deno = t.runtime === "deno";
  return `import cp from "node:child_process";
import wt from "node:worker_threads";
const exe = process.execPath;
const out = (b) => String(b).trimEnd();
function viaSpawn() { return out(cp.spawnSync(exe, ["child.js", "spawn"]).stdout); }
function viaExecFile() { return out(cp.execFileSync(exe, ["child.js", "execFile"])); }
function viaExec() { return out(cp.execSync(JSON.stringify(exe) + (${deno} ? " run -A" : "") + " child.js exec")); }
function viaCallback() {
  return new Promise((resolve) => cp.execFile(exe, ["child.js", "callback"], (err, stdout) => resolve(String(err) + " " + out(stdout))));
}
function viaShell() { return out(cp.spawnSync("sh", ["-c", "echo not a runtime"]).stdout); }
function viaFork() {
  return new Promise((resolve) => {
    const c = cp.fork("child.js", ["fork"], { silent: true });
    let text = "";
    c.stdout.on("data", (d) => text += d);
    c.on("message", (m) => console.log("fork said", JSON.stringify(m)));
    // "close", not "exit": after the IPC channel too, so the message is always printed first (a
    // loaded machine delivered it after "exit", and the two lines came in either order).
    c.on("close", (code) => resolve(out(text) + " exit " + code));
  });
}
function viaWorker() {
  return new Promise((resolve) => {
    // Runtime options of its own: Node runs its --require modules only when given them.
    const w = new wt.Worker(new URL("./worker.js", import.meta.url), { workerData: 4, execArgv: [] });
    w.on("message", (m) => console.log("worker said", m));
    w.on("exit", (code) => resolve("worker exit " + code));
  });
}
function viaTerminated() {
  return new Promise((resolve) => {
    const w = new wt.Worker(new URL("./idle.js", import.meta.url));
    w.on("message", async (m) => { await w.terminate(); resolve("terminated worker said " + m); });
  });
}
function viaWebWorker() {
  if (globalThis.Bun === undefined && globalThis.Deno === undefined) return Promise.resolve("no web worker");
  return new Promise((resolve) => {
    const w = new Worker(new URL("./web.js", import.meta.url).href, { type: "module" });
    w.onmessage = (e) => resolve("web worker said " + e.data);
  });
}
function viaWebTerminated() {
  if (globalThis.Bun === undefined && globalThis.Deno === undefined) return Promise.resolve("no web worker");
  return new Promise((resolve) => {
    const w = new Worker(new URL("./web_idle.js", import.meta.url).href, { type: "module" });
    let n = 0;
    w.onmessage = (e) => {
      if (++n === 1) return w.postMessage("ping");
      w.terminate();
      resolve("web worker answered " + e.data);
    };
  });
}
function viaOwnApi() {
  if (globalThis.Deno !== undefined) {
    const r = new Deno.Command(Deno.execPath(), { args: ["run", "-A", "child.js", "command"] }).outputSync();
    return out(new TextDecoder().decode(r.stdout));
  }
  if (globalThis.Bun !== undefined) return out(Bun.spawnSync([exe, "child.js", "bun"]).stdout);
  return "no own api";
}
async function main() {
  console.log(viaSpawn());
  console.log(viaExecFile());
  console.log(viaExec());
  console.log(await viaCallback());
  console.log(viaShell());
  console.log(viaOwnApi());
  console.log(await viaFork());
  console.log(await viaWorker());
  console.log(await viaTerminated());
  console.log(await viaWebWorker());
  console.log(await viaWebTerminated());
  // The wrapped built-ins print, and are named, as plainly.
  const own = globalThis.Deno?.Command ?? globalThis.Bun?.spawn ?? cp.spawn;
  const web = globalThis.Worker ?? cp.fork;
  console.log(cp.fork.name, cp.spawnSync.length, String(cp.execSync), wt.Worker.name, String(wt.Worker).length);
  console.log(String(own), own.name, own.length, String(web).length, String(wt.Worker.prototype.terminate));
  process.exitCode = 3;
}
await main();
`;
}

const CHILD = `function triple(x) { return x * 3; }
const tph = Object.keys(process.env).filter((k) => k.startsWith("TPH"));
console.log("child", process.argv[2], triple(3), JSON.stringify(tph), JSON.stringify(process.execArgv));
if (process.send) process.send({ from: "fork" });
`;

const WORKER = `import { parentPort, workerData } from "node:worker_threads";
function quad(x) { return x * 4; }
const tph = Object.keys(process.env).filter((k) => k.startsWith("TPH"));
parentPort.postMessage(quad(workerData) + " " + JSON.stringify(tph) + " " + JSON.stringify(process.execArgv));
`;

const IDLE = `import { parentPort } from "node:worker_threads";
function idle(x) { return x + 1; }
parentPort.postMessage(idle(1));
setInterval(() => {}, 1000);
`;

const WEB_IDLE = `function eleven() { return 11; }
postMessage(eleven());
self.onmessage = (e) => postMessage("pong " + e.data);
`;

const WEB = `function seven() { return 7; }
postMessage(seven());
if (globalThis.Deno) self.close();
`;

/** The runs `tph logs --json` lists, newest family first. */
type Row = RunJSON & { id: string; n: number };

function walk(nodes: CallNodeJSON[], out: CallNodeJSON[] = []): CallNodeJSON[] {
  for (const n of nodes) {
    out.push(n);
    walk(n.children, out);
  }
  return out;
}

/** The children each target follows, by the command each one's run records. */
function expected(t: Target): string[] {
  const own = t.runtime === "deno"
    ? ["child.js command"]
    : t.runtime === "bun"
    ? ["child.js bun"]
    : [];
  const web = t.runtime === "node" ? [] : ["worker web.js", "worker web_idle.js"];
  return [
    "child.js spawn",
    "child.js execFile",
    "child.js exec",
    "child.js callback",
    ...own,
    "child.js fork",
    "worker worker.js",
    "worker idle.js",
    ...web,
  ];
}

export function write(dir: string, t: Target): void {
  writeFileSync(join(dir, "package.json"), '{ "type": "module" }\n');
  writeFileSync(join(dir, "main.js"), program(t));
  writeFileSync(join(dir, "child.js"), CHILD);
  writeFileSync(join(dir, "worker.js"), WORKER);
  writeFileSync(join(dir, "web.js"), WEB);
  writeFileSync(join(dir, "idle.js"), IDLE);
  writeFileSync(join(dir, "web_idle.js"), WEB_IDLE);
}

/**
 * A program that gives the processes and the worker it starts TPH_ variables of its own (issue
 * 74, 17): names tph uses, set to a file of the program's (`secret.txt`), to a folder made up to
 * look like a run's of tph's (private, named so, with a key, but no settings of tph's in it), to
 * settings made up (their key not the folder's; writing their run to `forged`), or to a value of
 * its own.
 */
const FORGING = `import cp from "node:child_process";
import fs from "node:fs";
import wt from "node:worker_threads";
const exe = process.execPath;
const deno = globalThis.Deno !== undefined;
const here = (name) => new URL("./" + name, import.meta.url).pathname;
const secret = here("secret.txt");
const fake = here("tph-run-fake");
fs.mkdirSync(fake, { recursive: true, mode: 0o700 });
fs.writeFileSync(fake + "/key", "0123456789abcdef0123456789abcdef", { mode: 0o600 });
fs.writeFileSync(fake + "/plan.json", fs.readFileSync(secret), { mode: 0o600 });
const forged = JSON.stringify({
  loader: { root: here(""), scope: [here("")] },
  limits: {},
  label: null,
  blocks: { only: false, label: null, cacheDir: null, keep: { maxRuns: null, maxCacheMb: null }, disabled: false },
  out: here("forged"),
  // A key made up: not the one in the folder.
  handOff: { dir: fake, key: "fedcba9876543210fedcba9876543210" },
  sub: { kind: "process" },
});
const cases = [
  ["TPH_CHILD_CONFIG", secret],
  ["TPH_CHILD_CONFIG", fake + "/plan.json"],
  ["TPH_FOLLOW", forged],
  ["TPH_DENO_DIR_WAS", "1" + secret],
  ["TPH_JSC_STACK_ADDED", "1"],
];
const args = (...a) => deno ? ["run", "-A", ...a] : a;
function start(name, value) {
  const r = cp.spawnSync(exe, args("child.js", name), { env: { ...process.env, [name]: value } });
  return r.status + " " + String(r.stdout).trimEnd() + String(r.stderr);
}
function viaOwnApi() {
  const env = { TPH_CHILD_CONFIG: secret, TPH_FOLLOW: forged };
  if (deno) {
    const r = new Deno.Command(Deno.execPath(), { args: args("child.js", "command"), env }).outputSync();
    return r.code + " " + new TextDecoder().decode(r.stdout).trimEnd() + new TextDecoder().decode(r.stderr);
  }
  if (globalThis.Bun !== undefined) {
    const r = Bun.spawnSync([exe, "child.js", "bun"], { env: { ...process.env, ...env } });
    return r.exitCode + " " + String(r.stdout).trimEnd() + String(r.stderr);
  }
  return "no own api";
}
function viaWorker() {
  process.env.TPH_FOLLOW = forged;
  const w = new wt.Worker(here("env_worker.js"), { env: { ...process.env, TPH_CHILD_CONFIG: secret } });
  delete process.env.TPH_FOLLOW;
  return new Promise((resolve) => {
    w.on("message", (m) => console.log("worker", m));
    w.on("error", (e) => console.log("worker error", String(e)));
    w.on("exit", (code) => resolve("worker exit " + code));
  });
}
async function main() {
  for (const [name, value] of cases) console.log(start(name, value));
  console.log(viaOwnApi());
  console.log(await viaWorker());
}
await main();
`;

/** What a child started by FORGING sees of tph's variables' names, and of the runtime's. */
const ENV_CHILD = `function triple(x) { return x * 3; }
const seen = Object.entries(process.env).filter(([k]) => /^(TPH|DENO_DIR$|BUN_JSC)/.test(k));
console.log("child", process.argv[2], triple(3), JSON.stringify(seen.sort()));
`;

const ENV_WORKER = `import { parentPort } from "node:worker_threads";
function quad(x) { return x * 4; }
const seen = Object.entries(process.env).filter(([k]) => /^(TPH|DENO_DIR$|BUN_JSC)/.test(k));
parentPort.postMessage(quad(1) + " " + JSON.stringify(seen.sort()));
`;

/** What the secret file holds: it must never be printed. */
const SECRET = "SECRET-CONTENT-XYZZY root:x:0:0";

export function childrenTests(t: Target): void {
  Deno.test(`tph run records the processes and workers a program starts, each a run of its own under the call that started it (${t.name})`, async () => {
    await using dir = tempDir();
    write(dir.path, t);
    const [p, r] = await Promise.all([
      plain(t, "main.js", [], { cwd: dir.path }),
      tph(t, ["run", "main.js"], { cwd: dir.path }),
    ]);
    assertCode(p, 3, "plain");
    assertCode(r, 3, "tph run");
    // What the program sees is what it sees plainly: no variable nor option of tph's anywhere.
    assert.equal(r.stdout, p.stdout);
    assert.match(p.stdout, /^child spawn 9 \[\] \[\]$/m);
    assert.match(p.stdout, /^not a runtime$/m);
    const want = expected(t);
    assert.match(
      r.stderr,
      new RegExp(`tph: ${want.length} processes and workers it started were recorded`),
    );
    const logs = await tph(t, ["logs", "--json"], { cwd: dir.path });
    assertCode(logs, 0, "tph logs");
    const rows = JSON.parse(logs.stdout) as Row[];
    const [main, ...children] = rows;
    assert.equal(main.run?.command.join(" "), "main.js");
    assert.equal(main.parent, undefined);
    const shown = children.map((c) =>
      c.parent?.kind === "worker"
        ? "worker " + c.run!.command[0].replace(/^.*\//, "")
        : c.run!.command.join(" ")
    );
    assert.deepEqual(shown.toSorted(), want.toSorted());
    // Listed under it in `tph logs`.
    const table = await tph(t, ["logs"], { cwd: dir.path });
    assert.match(table.stdout, /^\s*1 .* main\.js /m);
    assert.match(table.stdout, /^\s*2 .* └ /m);
    // The program's run lists them, each with the call that started it (a call of main's).
    const tree = await tph(t, ["export", "last", "--format", "json", "-o", "-"], { cwd: dir.path });
    assertCode(tree, 0, "tph export");
    const parentRun = JSON.parse(tree.stdout) as RunJSON;
    const calls = walk(parentRun.trace);
    assert.equal(parentRun.children?.length, want.length);
    for (const child of children) {
      assert.equal(child.parent?.run, main.id);
      const listed: ChildRunJSON | undefined = parentRun.children!.find((c) => c.run === child.id);
      assert.ok(listed, `${child.id} listed in the program's run`);
      assert.equal(listed.call, child.parent?.call);
      const starter = calls[listed.call!];
      assert.ok(starter, `the call that started ${shown[children.indexOf(child)]}`);
      assert.match(
        starter.name,
        /^(?:via\w+|Promise executor|.*spawnSync|.*execFile|.*execFileSync|.*execSync|.*fork|.*Worker|.*Command|.*outputSync)/,
      );
      // Each child's calls are its own run's.
      const own = await tph(t, ["export", child.id, "--format", "json", "-o", "-"], {
        cwd: dir.path,
      });
      const run = JSON.parse(own.stdout) as RunJSON;
      const names = walk(run.trace).map((c) => c.name);
      assert.ok(
        ["triple", "quad", "seven", "idle", "eleven"].some((n) => names.includes(n)),
        `${child.id}: ${names}`,
      );
      // A worker terminated saves as it is terminated.
      assert.equal(
        run.run?.ended,
        names.includes("idle") || names.includes("eleven")
          ? "terminated"
          : names.includes("seven")
          ? "completed"
          : run.run?.ended === "exit"
          ? "exit"
          : "completed",
      );
    }
    // `tph tree` names, beside the tree, the runs of the children, and a child's run its parent's.
    const parentTree = await tph(t, ["tree", "last"], { cwd: dir.path });
    assertCode(parentTree, 0, "tph tree last");
    assert.equal(
      parentTree.stderr.match(/^tph: (process|worker) .* started/gm)?.length,
      want.length,
    );
    const view = await tph(t, ["view", "last"], { cwd: dir.path });
    assert.equal(view.stdout.match(/^(process|worker) .* started/gm)?.length, want.length);
    const childTree = await tph(t, ["tree", children[0].id], { cwd: dir.path });
    assert.match(childTree.stderr, new RegExp(`^tph: started by run ${main.id} at call \\d+`, "m"));
    // The exports that hold several runs draw each child on a track of its own: a process a
    // process, a worker a thread of the program's process, named by the call that started it.
    const chrome = join(dir.path, "trace.json");
    const ex = await tph(t, ["export", "last", "--format", "chrome", "-o", chrome], {
      cwd: dir.path,
    });
    assertCode(ex, 0, "tph export --format chrome");
    const pids = (events: { pid: number }[]) => new Set(events.map((e) => e.pid)).size;
    const events = JSON.parse(readFileSync(chrome, "utf8")).traceEvents;
    const workers = want.filter((w) => w.startsWith("worker ")).length;
    assert.equal(pids(events), want.length - workers + 1);
    const threadNames = events.filter((e: { name: string }) => e.name === "thread_name")
      .map((e: { pid: number; args: { name: string } }) => [e.pid, e.args.name]);
    const workerThreads = threadNames.filter(([, name]: [number, string]) =>
      /^worker \S+ \(started by .+\)$/.test(name)
    );
    assert.equal(workerThreads.length, workers, JSON.stringify(threadNames));
    assert.ok(workerThreads.every(([pid]: [number]) => pid === 1), "in the program's process");
    const alone = await tph(t, [
      "export",
      "last",
      "--no-children",
      "--format",
      "chrome",
      "-o",
      chrome,
    ], { cwd: dir.path });
    assertCode(alone, 0, "tph export --no-children");
    assert.equal(pids(JSON.parse(readFileSync(chrome, "utf8")).traceEvents), 1);
    // Perfetto: a worker's threads are under the program's process track.
    const pf = join(dir.path, "trace.pftrace");
    assertCode(
      await tph(t, ["export", "last", "--format", "perfetto", "-o", pf], { cwd: dir.path }),
      0,
      "tph export --format perfetto",
    );
    // deno-lint-ignore no-explicit-any
    const descriptors: any[] = (await decodePerfetto(readFileSync(pf)))
      .map((p) => p.track_descriptor).filter((d) => d !== undefined);
    const programTrack = descriptors.find((d) => d.process?.pid === 1);
    const workerTracks = descriptors.filter((d) =>
      /^worker \S+ \(started by .+\)$/.test(d.thread?.thread_name ?? "")
    );
    assert.equal(workerTracks.length, workers);
    for (const d of workerTracks) {
      assert.equal(d.parent_uuid, programTrack.uuid);
      assert.equal(d.thread.pid, 1);
    }
    // The page holds each child's calls under the call that started it.
    const page = join(dir.path, "page.html");
    const html = await tph(t, ["view", "last", "--html", "-o", page], { cwd: dir.path });
    assertCode(html, 0, "tph view --html");
    const block = readFileSync(page, "utf8").match(/id="tph-data">([^]*?)<\/script>/)![1];
    const data = JSON.parse(block) as PageData;
    assert.equal(data.family?.children.length, want.length);
    for (const c of data.family!.children) {
      assert.ok(c.row > c.call && c.call >= 0, `${c.name}: its node under its call`);
      assert.ok(c.started_by !== null, `${c.name}: the function it was started in`);
      assert.equal(data.calls[c.row][1], data.calls[c.call][1] + 1, `${c.name}: one level down`);
    }
    // `sh -c echo` is an external call of viaShell's only.
    const shell = calls.find((c) => c.name === "viaShell");
    assert.ok(shell?.children.some((c) => /spawnSync/.test(c.name)));
  });

  Deno.test(`tph run --export holds the processes and workers the program started (${t.name})`, async () => {
    await using dir = tempDir();
    write(dir.path, t);
    writeFileSync(
      join(dir.path, "small.js"),
      `import cp from "node:child_process";
import wt from "node:worker_threads";
function runJob() {
  return new Promise((resolve) => {
    const w = new wt.Worker(new URL("./worker.js", import.meta.url), { workerData: 2, execArgv: [] });
    w.on("message", (m) => console.log("worker said", m));
    w.on("exit", resolve);
  });
}
function spawnJob() { return String(cp.spawnSync(process.execPath, ["child.js", "spawn"]).stdout).trimEnd(); }
await runJob();
console.log(spawnJob());
`,
    );
    const out = join(dir.path, "trace.json");
    const r = await tph(t, ["run", "--export", "chrome", "-o", out, "small.js"], { cwd: dir.path });
    assertCode(r, 0, "tph run --export chrome");
    const events = JSON.parse(readFileSync(out, "utf8")).traceEvents;
    const names = events.filter((e: { name: string }) => /_name$/.test(e.name))
      .map((e: { pid: number; name: string; args: { name: string } }) =>
        `${e.pid} ${e.name} ${e.args.name}`
      );
    assert.ok(
      names.some((n: string) => /^1 thread_name worker \S+ \(started by runJob\b.*\)$/.test(n)),
      names.join("\n"),
    );
    assert.ok(
      names.some((n: string) => /^2 process_name tph: child\.js spawn \(pid \d+\)$/.test(n)),
      names.join("\n"),
    );
    const calls = events.filter((e: { ph: string }) => e.ph === "X").map((e: { name: string }) =>
      e.name
    );
    for (const name of ["runJob", "quad", "triple"]) assert.ok(calls.includes(name), name);
  });

  Deno.test(`tph run records a cluster's workers, each a run of its own (${t.name})`, async () => {
    await using dir = tempDir();
    writeFileSync(join(dir.path, "package.json"), '{ "type": "module" }\n');
    writeFileSync(
      join(dir.path, "cluster.js"),
      `import cluster from "node:cluster";
function work(n) { return n * 10; }
if (cluster.isPrimary) {
  for (let i = 1; i <= 2; i++) cluster.fork({ N: String(i) }).on("exit", (c) => console.log("exit", c));
} else {
  console.log("worker", work(Number(process.env.N)));
  process.exit(0);
}
`,
    );
    const [p, r] = await Promise.all([
      plain(t, "cluster.js", [], { cwd: dir.path }),
      tph(t, ["run", "cluster.js"], { cwd: dir.path }),
    ]);
    assertCode(r, 0, "tph run cluster.js");
    const sorted = (text: string) => text.split("\n").sort().join("\n");
    assert.equal(sorted(r.stdout), sorted(p.stdout));
    assert.match(p.stdout, /^worker 20$/m);
    const rows = JSON.parse((await tph(t, ["logs", "--json"], { cwd: dir.path })).stdout) as Row[];
    // Deno never runs a cluster worker's module after a preload: its workers are not followed.
    const followed = rows.filter((row) => row.parent !== undefined);
    assert.equal(followed.length, t.runtime === "deno" ? 0 : 2);
    for (const row of followed) {
      const run = JSON.parse(
        (await tph(t, ["export", row.id, "--format", "json", "-o", "-"], { cwd: dir.path })).stdout,
      ) as RunJSON;
      assert.deepEqual(walk(run.trace).map((c) => c.name).filter((n) => n === "work"), ["work"]);
    }
  });

  Deno.test(`tph run --no-follow and follow_children = false record the program alone (${t.name})`, async () => {
    await using dir = tempDir();
    write(dir.path, t);
    const [p, r] = await Promise.all([
      plain(t, "main.js", [], { cwd: dir.path }),
      tph(t, ["run", "--no-follow", "main.js"], { cwd: dir.path }),
    ]);
    assertCode(r, 3, "tph run --no-follow");
    assert.equal(r.stdout, p.stdout);
    assert.doesNotMatch(r.stderr, /it started/);
    writeFileSync(join(dir.path, "tracepatch.toml"), "follow_children = false\n");
    const c = await tph(t, ["run", "main.js"], { cwd: dir.path });
    assertCode(c, 3, "tph run with follow_children = false");
    assert.equal(c.stdout, p.stdout);
    const logs = await tph(t, ["logs", "--json"], { cwd: dir.path });
    const rows = JSON.parse(logs.stdout) as Row[];
    assert.equal(rows.length, 2);
    assert.ok(rows.every((row) => row.parent === undefined && row.children === undefined));
  });

  Deno.test(`tph run: a child given TPH_ variables by the program runs as it does plainly, forged settings never read (${t.name})`, async () => {
    await using dir = tempDir();
    writeFileSync(join(dir.path, "package.json"), '{ "type": "module" }\n');
    writeFileSync(join(dir.path, "main.js"), FORGING);
    writeFileSync(join(dir.path, "child.js"), ENV_CHILD);
    writeFileSync(join(dir.path, "env_worker.js"), ENV_WORKER);
    writeFileSync(join(dir.path, "secret.txt"), SECRET + "\n");
    const p = await plain(t, "main.js", [], { cwd: dir.path });
    assertCode(p, 0, "plain");
    // Each child plainly: exit 0, and the variables the program gave it.
    assert.match(p.stdout, /^0 child TPH_CHILD_CONFIG 9 \[\["TPH_CHILD_CONFIG",".*secret\.txt"\]/m);
    assert.match(p.stdout, /^0 child TPH_FOLLOW 9 \[\["TPH_FOLLOW","\{/m);
    assert.match(p.stdout, /^worker 4 \[.*"TPH_CHILD_CONFIG"/m);
    for (const follow of [[], ["--no-follow"]]) {
      const r = await tph(t, ["run", ...follow, "main.js"], { cwd: dir.path });
      const what = `tph run ${follow.join(" ")}`;
      assertCode(r, 0, what);
      assert.equal(r.stdout, p.stdout, what);
      // Nothing of the file a variable names is read, let alone quoted; no made-up run written.
      assert.ok(!r.stdout.includes("XYZZY") && !r.stderr.includes("XYZZY"), `${what}: ${r.stderr}`);
      assert.deepEqual(
        readdirSync(dir.path).filter((f) => f.startsWith("forged")),
        [],
        `${what}: no run where forged settings say`,
      );
      if (follow.length > 0) assert.doesNotMatch(r.stderr, /it started/, what);
      else {
        // Followed all the same, by tph's own settings: each process and the worker.
        const n = 5 + (t.runtime === "node" ? 0 : 1) + 1;
        assert.match(
          r.stderr,
          new RegExp(`tph: ${n} processes and workers it started were recorded`),
        );
      }
    }
  });
}
