// `tph lsp`: the base protocol's framing, where a function stands in an edited file, and the server
// itself driven over stdio as an editor drives it — on a project with a stored run, on Deno, Bun
// and Node: hints, hover (a function's and a parameter's), diagnostics where a call threw, a code
// lens and its tree, the runs listed and switched, a new run followed, an edit, shutdown and exit.

import assert from "node:assert/strict";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import {
  digestRaw,
  digestRun,
  DISTINCT_COUNTED,
  resultsOf,
  setRawReader,
} from "../../src/cli/lsp/run_digest.ts";
import { setRawConverter } from "../../src/run_file/decode.ts";
import { RUN_FORMAT_VERSION } from "../../src/run_file/format.ts";
import { rawConverter, rawReader } from "../../src/program/read_runs.ts";

setRawConverter(await rawConverter());
setRawReader(await rawReader());

const readText = (path: string) => readFileSync(path, "utf8");
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import {
  frame,
  MAX_MESSAGE_BYTES,
  type Message,
  MessageReader,
} from "../../src/cli/lsp/protocol.ts";
import {
  functionHover,
  hintText,
  locate,
  pathOfUri,
  pickRun,
  placeText,
  whoseRun,
} from "../../src/cli/lsp/server.ts";
import { lineHash, spanHash } from "../../src/platform/hash.ts";
import {
  BUN_TARGET,
  DENO_TARGET,
  exec,
  NODE,
  NODE_TARGET,
  REPO,
  start,
  type Target,
  tph,
} from "../cli/commands/_cli.ts";

const enc = new TextEncoder();

Deno.test("lsp protocol: messages split anywhere, several in a chunk, and broken streams", () => {
  const a = frame({ id: 1, method: "initialize", params: { x: "é" } });
  const b = frame({ method: "initialized", params: {} });
  const both = new Uint8Array(a.length + b.length);
  both.set(a, 0);
  both.set(b, a.length);
  // Byte by byte.
  const r1 = new MessageReader();
  const got: Message[] = [];
  for (const byte of both) {
    for (const m of r1.push(new Uint8Array([byte]))) got.push((m as { message: Message }).message);
  }
  assert.deepEqual(got.map((m) => m.method), ["initialize", "initialized"]);
  assert.equal((got[0].params as { x: string }).x, "é");
  // Both at once.
  const r2 = new MessageReader();
  assert.equal(r2.push(both).length, 2);
  // A body that is no JSON: that message is refused, the next one read.
  const bad = enc.encode("Content-Length: 3\r\n\r\n{x}");
  const r3 = new MessageReader();
  const reads = r3.push(new Uint8Array([...bad, ...b]));
  assert.deepEqual(reads[0], { invalid: "its body is not JSON" });
  assert.equal((reads[1] as { message: Message }).message.method, "initialized");
  // No Content-Length, a huge one, a header with no end: the stream stops, once.
  for (
    const [header, problem] of [
      ["Content-Type: x\r\n\r\n", /without a Content-Length/],
      [`Content-Length: ${MAX_MESSAGE_BYTES + 1}\r\n\r\n`, /at most/],
      ["Content-Length: 1x\r\n\r\n", /not a number/],
    ] as const
  ) {
    const r = new MessageReader();
    const out = r.push(enc.encode(header));
    assert.equal(out.length, 1);
    assert.match((out[0] as { problem: string }).problem, problem);
    assert.deepEqual(r.push(a), []);
  }
  const endless = new MessageReader();
  const out = endless.push(enc.encode("X-Long: " + "a".repeat(9000)));
  assert.match((out[0] as { problem: string }).problem, /longer than 8 KB/);
});

Deno.test("lsp: a function is found where it stands now, or not at all", () => {
  const lines = ["// a", "function total(a) {", "  return a;", "}"];
  assert.equal(locate(lines, "total", 1), 1);
  // Moved down by two lines, or up.
  assert.equal(locate(["", "", ...lines], "total", 1), 3);
  assert.equal(locate(lines.slice(1), "total", 1), 0);
  // A method, an arrow bound to a name, a property.
  assert.equal(locate(["class A {", "  total(x) {}", "}"], "total", 1), 1);
  assert.equal(locate(["const total = (x) => x;"], "total", 0), 0);
  // Renamed: no place, so no values are shown there.
  assert.equal(locate(["function sum(a) {", "}"], "total", 0), -1);
  // A name inside another's is not it.
  assert.equal(locate(["function subtotal(a) {}"], "total", 0), -1);
  assert.equal(pathOfUri("file:///a/b%20c.ts"), "/a/b c.ts");
  assert.equal(pathOfUri("untitled:Untitled-1"), null);
});

Deno.test("lsp: a function whose text the run knows is placed by its text, or marked stale", () => {
  const lines = ["// a", "function total(a) {", "  return a;", "}", "function other() {}"];
  const hashOf = (ls: string[]) => ls.map((l) => lineHash(l));
  const at = 1, span = 2;
  const hash = spanHash(hashOf(lines), at, span);
  const place = (ls: string[], name = "total", from = at) =>
    placeText(ls, hashOf(ls), name, from, span, hash);
  assert.deepEqual(place(lines), { line: 1, stale: false });
  // Moved: found by its text, even where a nearer line names it (a call of it).
  const moved = ["total(1);", "", "", ...lines];
  assert.deepEqual(place(moved), { line: 4, stale: false });
  // Trailing spaces added or trimmed by an editor change nothing.
  assert.deepEqual(place(lines.map((l) => l + "  ")), { line: 1, stale: false });
  // Its body changed: stale where it is named, never shown with the run's values.
  const changed = ["// a", "function total(a) {", "  return a + 1;", "}"];
  assert.deepEqual(place(changed), { line: 1, stale: true });
  // Its last line changed (a statement added before the brace).
  assert.deepEqual(place(["// a", "function total(a) {", "  return a;", "  }"]), {
    line: 1,
    stale: true,
  });
  // Renamed: no place.
  assert.equal(place(lines.map((l) => l.replace("total", "sum"))), null);
  // A function without a name of its own: found by its text near its place, else nothing.
  const anon = ["", "list.map((x) => {", "  return x * 2;", "});"];
  const anonHash = spanHash(hashOf(anon), 1, 2);
  assert.deepEqual(
    placeText(["", "", ...anon], hashOf(["", "", ...anon]), "map › arrow", 1, 2, anonHash),
    {
      line: 3,
      stale: false,
    },
  );
  const anonChanged = ["", "list.map((x) => {", "  return x * 3;", "});"];
  assert.equal(placeText(anonChanged, hashOf(anonChanged), "map › arrow", 1, 2, anonHash), null);
  // Lines past the document's end: not its text.
  assert.deepEqual(place(lines.slice(0, 3)), { line: 1, stale: true });
});

/** A client of the server over its stdio, with a time limit on everything it waits for. */
class Client {
  readonly #child: Deno.ChildProcess;
  readonly #writer: WritableStreamDefaultWriter<Uint8Array>;
  readonly #reader = new MessageReader();
  #got: Message[] = [];
  #waiting: (() => void) | null = null;
  #nextId = 1;
  readonly stderr: Promise<string>;
  readonly status: Promise<Deno.CommandStatus>;

  constructor(t: Target, cwd: string, cache: string) {
    const child = start([...t.tph, "lsp", "--cache-dir", cache], { cwd, env: t.env });
    this.#child = child;
    this.#writer = child.stdin.getWriter();
    this.status = child.status;
    this.stderr = new Response(child.stderr).text();
    (async () => {
      for await (const chunk of child.stdout) {
        for (const r of this.#reader.push(chunk)) {
          if ("message" in r) this.#got.push(r.message);
        }
        this.#waiting?.();
      }
    })();
  }

  async send(m: Message): Promise<void> {
    await this.#writer.write(frame(m));
  }

  /** Write bytes as they are (a message in pieces). */
  async sendBytes(bytes: Uint8Array): Promise<void> {
    await this.#writer.write(bytes);
  }

  /** Send a request; its response. */
  async request(method: string, params: unknown): Promise<Message> {
    const id = this.#nextId++;
    await this.send({ id, method, params });
    return await this.wait((m) => m.id === id && m.method === undefined, method);
  }

  /** The first message (not seen before) that `test` accepts, within 30 s. */
  /** The last message received so far that passes `test` (all such are taken), or undefined. */
  latest(test: (m: Message) => boolean): Message | undefined {
    const taken = this.#got.filter(test);
    this.#got = this.#got.filter((m) => !test(m));
    return taken[taken.length - 1];
  }

  async wait(test: (m: Message) => boolean, what: string): Promise<Message> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const i = this.#got.findIndex(test);
      if (i >= 0) return this.#got.splice(i, 1)[0];
      if (Date.now() > deadline) {
        this.kill();
        throw new Error(`no ${what} from tph lsp within 30 s; stderr: ${await this.stderr}`);
      }
      await new Promise<void>((r) => {
        const timer = setTimeout(r, 200);
        this.#waiting = () => (clearTimeout(timer), r());
      });
    }
  }

  async close(): Promise<void> {
    try {
      await this.#writer.close();
    } catch {
      // Gone already.
    }
  }

  /** Shut the server down as a client does (shutdown, exit): it exits 0. */
  async shutDown(): Promise<void> {
    await this.request("shutdown", null);
    await this.send({ method: "exit" });
    assert.equal((await this.status).code, 0);
  }

  kill(): void {
    try {
      Deno.kill(-this.#child.pid, "SIGKILL");
    } catch {
      // Ended.
    }
  }
}

/** A temporary folder holding a copy of examples/shop, and the cache folder tph run is given. */
function shopFolder(prefix: string): { dir: string; cache: string } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  cpSync(join(REPO, "examples/shop"), join(dir, "shop"), { recursive: true });
  return { dir, cache: join(dir, "cache") };
}

/** The inlay hints of a document's first 1,000 lines. */
async function hintsOf(
  client: Client,
  uri: string,
): Promise<{ position: { line: number; character: number }; label: string }[]> {
  const r = await client.request("textDocument/inlayHint", {
    textDocument: { uri },
    range: { start: { line: 0, character: 0 }, end: { line: 1000, character: 0 } },
  });
  return r.result as { position: { line: number; character: number }; label: string }[];
}

const diagnosticsOf = (uri: string) => (m: Message) =>
  m.method === "textDocument/publishDiagnostics" && (m.params as { uri: string }).uri === uri;

for (const t of [DENO_TARGET, BUN_TARGET, NODE_TARGET]) {
  Deno.test(`tph lsp shows a stored run at the code, follows new runs, and ends cleanly (${t.name})`, async () => {
    const dir = mkdtempSync(join(tmpdir(), "tph-lsp-"));
    const cache = join(dir, "cache");
    let client: Client | null = null;
    try {
      cpSync(join(REPO, "examples/shop"), join(dir, "shop"), { recursive: true });
      const ran = await tph(t, ["run", "--cache-dir", cache, "shop/main.ts"], { cwd: dir });
      assert.equal(ran.code, 0, ran.stderr);
      const file = join(dir, "shop/inventory.ts");
      const uri = pathToFileURL(file).href;
      const text = Deno.readTextFileSync(file);
      const reserveLine = text.split("\n").findIndex((l) => l.includes("reserve(sku"));

      client = new Client(t, dir, cache);
      const init = await client.request("initialize", {
        processId: null,
        rootUri: pathToFileURL(dir).href,
        capabilities: { workspace: { inlayHint: { refreshSupport: true } } },
        initializationOptions: { hintWidth: 200 },
      });
      const caps = (init.result as { capabilities: Record<string, unknown> }).capabilities;
      assert.equal(caps.inlayHintProvider, true);
      assert.equal(caps.hoverProvider, true);
      await client.send({ method: "initialized", params: {} });
      await client.send({
        method: "textDocument/didOpen",
        params: { textDocument: { uri, languageId: "typescript", version: 1, text } },
      });

      // The call that threw, as a diagnostic at the function.
      const diag = await client.wait(diagnosticsOf(uri), "diagnostics");
      const diags = (diag.params as {
        diagnostics: { range: { start: { line: number } }; severity: number; message: string }[];
      }).diagnostics;
      assert.equal(diags.length, 1);
      assert.equal(diags[0].range.start.line, reserveLine);
      assert.equal(diags[0].severity, 3);
      assert.match(
        diags[0].message,
        /^1 of 4 calls threw: RangeError: Not enough plum: wanted 5, have 1$/,
      );

      // Inlay hints: reserve's failing call; the constructor's call.
      const hints = await hintsOf(client, uri);
      const reserve = hints.find((h) => h.position.line === reserveLine);
      assert.ok(reserve, JSON.stringify(hints));
      assert.equal(
        reserve.label,
        '×4 · (sku="plum", count=5) !! RangeError: Not enough plum: wanted 5, have 1',
      );
      assert.equal(reserve.position.character, text.split("\n")[reserveLine].length);
      assert.ok(
        hints.some((h) => h.label.startsWith("×1 · (initial={ apple: 10")),
        JSON.stringify(hints),
      );

      // Hover on the function: its calls, timing, callers; on a parameter: its values.
      const col = text.split("\n")[reserveLine].indexOf("reserve");
      const hover = (await client.request("textDocument/hover", {
        textDocument: { uri },
        position: { line: reserveLine, character: col + 2 },
      })).result as { contents: { value: string } };
      assert.match(hover.contents.value, /\*\*Inventory\.reserve\*\* — 4 calls, 1 threw/);
      assert.match(hover.contents.value, /Inventory\.reserve\(sku="apple", count=3\) → 7/);
      assert.match(
        hover.contents.value,
        /Failing calls:\n```text\nInventory\.reserve\(sku="plum", count=5\) !! RangeError/,
      );
      assert.match(hover.contents.value, /Called by: placeOrder ×4/);
      assert.match(
        hover.contents.value,
        /Results \(4 different\):[^]*×1 {2}!! RangeError: Not enough plum/,
      );
      assert.match(hover.contents.value, /total [\d.]+ (µs|ms) · self/);
      const skuCol = text.split("\n")[reserveLine].indexOf("sku");
      const param = (await client.request("textDocument/hover", {
        textDocument: { uri },
        position: { line: reserveLine, character: skuCol + 1 },
      })).result as { contents: { value: string } };
      assert.match(
        param.contents.value,
        /\*\*sku\*\* of Inventory\.reserve took:\n\n```text\n"apple"\n"pear"\n"plum"\n```/,
      );

      // A code lens and the tree of its call.
      const lenses = (await client.request("textDocument/codeLens", { textDocument: { uri } }))
        .result as {
          range: { start: { line: number } };
          command: { command: string; arguments: unknown[] };
        }[];
      const lens = lenses.find((l) => l.range.start.line === reserveLine)!;
      assert.equal(lens.command.command, "tph.showTree");
      const tree = (await client.request("workspace/executeCommand", {
        command: lens.command.command,
        arguments: lens.command.arguments,
      })).result as { title: string; text: string };
      assert.match(
        tree.text,
        /^└── Inventory\.reserve\(sku="plum", count=5\) !! RangeError: Not enough plum/,
      );

      // An edit: two lines above move the hint down; a rename takes it away.
      const moved = "// one\n// two\n" + text;
      await client.send({
        method: "textDocument/didChange",
        params: { textDocument: { uri, version: 2 }, contentChanges: [{ text: moved }] },
      });
      const movedHints = await hintsOf(client, uri);
      assert.ok(
        movedHints.some((h) =>
          h.position.line === reserveLine + 2 && h.label.startsWith("×4 · (sku=")
        ),
      );
      // Its body edited: stale where it stands, its calls not shown; no diagnostic there.
      const edited = moved.replace("have - count;\n  }", "have - count; // edited\n  }");
      assert.notEqual(edited, moved);
      await client.send({
        method: "textDocument/didChange",
        params: { textDocument: { uri, version: 5 }, contentChanges: [{ text: edited }] },
      });
      const staleHints = await hintsOf(client, uri);
      const staleOne = staleHints.find((h) => h.position.line === reserveLine + 2);
      assert.equal(staleOne?.label, "×4 · changed since this run: run it again");
      const staleHover = (await client.request("textDocument/hover", {
        textDocument: { uri },
        position: { line: reserveLine + 2, character: col + 2 },
      })).result as { contents: { value: string } };
      assert.match(staleHover.contents.value, /its text has changed since/);
      assert.doesNotMatch(staleHover.contents.value, /plum/);
      // Published before the hints were answered: no diagnostic at the stale function.
      const staleDiags = client.latest(diagnosticsOf(uri))!.params as { diagnostics: unknown[] };
      assert.deepEqual(staleDiags.diagnostics, []);
      // The constructor, not edited, keeps its hint.
      assert.ok(
        staleHints.some((h) => h.label.startsWith("×1 · (initial=")),
        JSON.stringify(staleHints),
      );
      const renamed = moved.replace("reserve(sku", "take(sku");
      await client.send({
        method: "textDocument/didChange",
        params: { textDocument: { uri, version: 3 }, contentChanges: [{ text: renamed }] },
      });
      const afterRename = await hintsOf(client, uri);
      assert.ok(!afterRename.some((h) => h.label.startsWith("×4")), JSON.stringify(afterRename));
      await client.send({
        method: "textDocument/didChange",
        params: { textDocument: { uri, version: 4 }, contentChanges: [{ text }] },
      });

      // A new run is followed: the server asks the editor to refresh its hints.
      writeFileSync(
        join(dir, "shop/main.ts"),
        Deno.readTextFileSync(join(dir, "shop/main.ts")).replace("count: 5", "count: 6"),
      );
      const again = await tph(t, ["run", "--cache-dir", cache, "shop/main.ts"], { cwd: dir });
      assert.equal(again.code, 0, again.stderr);
      await client.wait((m) => m.method === "workspace/inlayHint/refresh", "a hint refresh");
      const newer = await hintsOf(client, uri);
      assert.match(
        newer.find((h) => h.position.line === reserveLine)!.label,
        /count=6\) !! RangeError: Not enough plum: wanted 6/,
      );

      // The function's calls against the run before, as tph diff shows them; the run's page.
      const lensesNow = (await client.request("textDocument/codeLens", { textDocument: { uri } }))
        .result as {
          range: { start: { line: number } };
          command: { command: string; arguments: unknown[] };
        }[];
      const compare = lensesNow.find((l) =>
        l.range.start.line === reserveLine && l.command.command === "tph.compareRuns"
      )!;
      const diff = (await client.request("workspace/executeCommand", {
        command: compare.command.command,
        arguments: compare.command.arguments,
      })).result as { title: string; text: string };
      assert.equal(diff.title, "tph diff --filter Inventory.reserve");
      assert.match(diff.text, /^~ .*Inventory\.reserve\(sku="plum", count=5 → 6\) !! RangeError/m);
      const page = (await client.request("workspace/executeCommand", {
        command: "tph.openPage",
        arguments: [],
      })).result as { path: string; uri: string };
      assert.match(page.path, /\.html$/);
      assert.match(Deno.readTextFileSync(page.path), /^<!doctype html>/i);

      // The runs, and the older one chosen again.
      const runs = (await client.request("workspace/executeCommand", {
        command: "tph.listRuns",
        arguments: [],
      }))
        .result as { n: number; shown: boolean }[];
      assert.deepEqual(runs.map((r) => [r.n, r.shown]), [[1, true], [2, false]]);
      await client.request("workspace/executeCommand", { command: "tph.useRun", arguments: [2] });
      const older = await hintsOf(client, uri);
      assert.match(older.find((h) => h.position.line === reserveLine)!.label, /count=5\)/);
      const unknown = await client.request("workspace/executeCommand", {
        command: "tph.useRun",
        arguments: ["nope"],
      });
      assert.equal(unknown.error?.code, -32602);
      assert.match(unknown.error!.message, /no stored run "nope"/);
      const noMethod = await client.request("textDocument/definition", {
        textDocument: { uri },
        position: { line: 0, character: 0 },
      });
      assert.equal(noMethod.error?.code, -32601);

      // Shutdown, exit: code 0.
      await client.request("shutdown", null);
      await client.send({ method: "exit" });
      await client.close();
      const status = await Promise.race([
        client.status,
        new Promise<never>((_, no) =>
          setTimeout(() => no(new Error("tph lsp did not exit")), 30_000)
        ),
      ]);
      assert.equal(status.code, 0, await client.stderr);
      client = null;
    } finally {
      client?.kill();
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

Deno.test("tph lsp says there is no run yet, shows the first one stored, and exits 1 when the client goes without shutdown", async () => {
  const dir = mkdtempSync(join(tmpdir(), "tph-lsp-none-"));
  const client = new Client(DENO_TARGET, dir, join(dir, "cache"));
  try {
    await client.request("initialize", {
      processId: null,
      rootUri: null,
      capabilities: { workspace: { inlayHint: { refreshSupport: true } } },
    });
    await client.send({ method: "initialized", params: {} });
    const uri = pathToFileURL(join(dir, "a.ts")).href;
    await client.send({
      method: "textDocument/didOpen",
      params: { textDocument: { uri, languageId: "typescript", version: 1, text: "export {};\n" } },
    });
    const hover = (await client.request("textDocument/hover", {
      textDocument: { uri },
      position: { line: 0, character: 0 },
    })).result as { contents: { value: string } };
    assert.match(hover.contents.value, /no stored runs yet: record one with tph run/);
    // The cache folder made by the first run, and the run in it: followed.
    writeFileSync(join(dir, "a.ts"), "function one(x: number) {\n  return x;\n}\none(7);\n");
    const ran = await tph(DENO_TARGET, ["run", "--cache-dir", join(dir, "cache"), "a.ts"], {
      cwd: dir,
    });
    assert.equal(ran.code, 0, ran.stderr);
    await client.wait((m) => m.method === "workspace/inlayHint/refresh", "a hint refresh");
    await client.send({
      method: "textDocument/didChange",
      params: {
        textDocument: { uri, version: 2 },
        contentChanges: [{ text: readText(join(dir, "a.ts")) }],
      },
    });
    // The folder's first refresh may come as it is made, before the run is in it: the next one
    // shows it.
    const hints = await hintsUntil(client, uri, (labels) => labels.length > 0);
    assert.deepEqual(hints, ["×1 · (x=7) → 7"]);
    // Digested in full once the client is quiet (its digest kept beside it).
    const cache = join(dir, "cache");
    const run = join(cache, readdirSync(cache).find((n) => n.endsWith(".tph"))!);
    const deadline = Date.now() + 20_000;
    while (!readdirSync(cache).some((n) => n.endsWith(".lsp.json"))) {
      assert.ok(Date.now() < deadline, "no full digest within 20 s of quiet");
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(readFileSync(run)[7], RUN_FORMAT_VERSION, "made a run file");
    await client.close();
    const status = await client.status;
    assert.equal(status.code, 1);
  } finally {
    client.kill();
    rmSync(dir, { recursive: true, force: true });
  }
});

Deno.test("lsp: a diagnostic names the test or request whose run it is", () => {
  // deno-lint-ignore no-explicit-any
  const of = (meta: any) => whoseRun({ meta });
  assert.equal(
    of({ run: { test: { name: "cart › totals", outcome: "failed" } } }),
    "test cart › totals, failed",
  );
  assert.equal(
    of({ run: { request: { method: "GET", path: "/users/0", status: 500, aborted: false } } }),
    "request GET /users/0, 500",
  );
  assert.equal(
    of({ run: { request: { method: "POST", path: "/x", status: null, aborted: true } } }),
    "request POST /x, aborted",
  );
  assert.equal(of({ label: "nightly", run: {} }), "run nightly");
  assert.equal(of({ label: null }), "");
});

Deno.test("lsp: the run shown first is the newest, or after tph test a failing test's", () => {
  // deno-lint-ignore no-explicit-any
  const entry = (id: string, test?: { outcome: string }): any => ({
    id,
    path: `/c/${id}.tph`,
    size: 1,
    run: { run: test === undefined ? {} : { test: { name: id, ...test } } },
  });
  assert.equal(pickRun([]), undefined);
  assert.equal(pickRun([entry("a"), entry("b", { outcome: "failed" })])?.id, "a");
  assert.equal(
    pickRun([entry("t1", { outcome: "passed" }), entry("t2", { outcome: "failed" }), entry("r")])
      ?.id,
    "t2",
  );
  // Only the newest test runs count: a failure before a plain run is an older story.
  assert.equal(
    pickRun([entry("t1", { outcome: "passed" }), entry("r"), entry("t0", { outcome: "failed" })])
      ?.id,
    "t1",
  );
});

Deno.test("tph lsp escapes what a run recorded: control and bidi characters in hints and hovers", async () => {
  const dir = mkdtempSync(join(tmpdir(), "tph-lsp-hostile-"));
  const cache = join(dir, "cache");
  const client = { c: null as Client | null };
  try {
    const file = join(dir, "main.ts");
    writeFileSync(
      file,
      'function greet(name: string) {\n  return "hi " + name;\n}\ngreet("a\\u202eb\\u001b[2Jc");\n',
    );
    const ran = await tph(DENO_TARGET, ["run", "--cache-dir", cache, "main.ts"], { cwd: dir });
    assert.equal(ran.code, 0, ran.stderr);
    client.c = new Client(DENO_TARGET, dir, cache);
    await client.c.request("initialize", { processId: null, rootUri: null, capabilities: {} });
    await client.c.send({ method: "initialized", params: {} });
    const uri = pathToFileURL(file).href;
    await client.c.send({
      method: "textDocument/didOpen",
      params: {
        textDocument: { uri, languageId: "typescript", version: 1, text: readText(file) },
      },
    });
    const hints = await hintsOf(client.c!, uri);
    assert.equal(hints.length, 1);
    // deno-lint-ignore no-control-regex
    assert.ok(!/[\u0000-\u001f\u202a-\u202e]/.test(hints[0].label), hints[0].label);
    assert.match(hints[0].label, /\\u202e/);
    const hover = (await client.c.request("textDocument/hover", {
      textDocument: { uri },
      position: { line: 0, character: 10 },
    })).result as { contents: { value: string } };
    // deno-lint-ignore no-control-regex
    assert.ok(!/[\u0000-\u0009\u000b-\u001f\u202a-\u202e]/.test(hover.contents.value));
    await client.c.request("shutdown", null);
    await client.c.send({ method: "exit" });
    assert.equal((await client.c.status).code, 0);
    client.c = null;
  } finally {
    client.c?.kill();
    rmSync(dir, { recursive: true, force: true });
  }
});

Deno.test("lsp: a run's digest is kept beside it, read back while the run is unchanged, else made again", async () => {
  const { dir, cache } = shopFolder("tph-lsp-kept-");
  try {
    const ran = await tph(DENO_TARGET, ["run", "--cache-dir", cache, "shop/main.ts"], { cwd: dir });
    assert.equal(ran.code, 0, ran.stderr);
    const run = readdirSync(cache).find((n) => n.endsWith(".tph"))!;
    const path = join(cache, run);
    const side = path.replace(/\.tph$/, ".lsp.json");
    const reserveCalls = (d: ReturnType<typeof digestRun>) => {
      const fn = d.functions.findIndex((f) => f[0] === "Inventory.reserve");
      return d.byFn[fn]!.calls;
    };
    let d = digestRun(path);
    assert.equal(reserveCalls(d), 4);
    d.file.close();
    // Private as the run is.
    assert.equal(Deno.statSync(side).mode! & 0o777, 0o600);
    // Read back: what the kept file says (changed here, to tell it from a scan).
    const kept = JSON.parse(readText(side));
    // deno-lint-ignore no-explicit-any
    const row = kept.fns.find((f: any) => d.functions[f[0]][0] === "Inventory.reserve");
    row[1] = 99;
    writeFileSync(side, JSON.stringify(kept));
    d = digestRun(path);
    assert.equal(reserveCalls(d), 99);
    d.file.close();
    // Of another size of the run, or damaged: scanned again, and kept anew.
    for (const bad of [{ ...kept, size: kept.size + 1 }, { ...kept, fns: [[1, 2]] }, "{"]) {
      writeFileSync(side, typeof bad === "string" ? bad : JSON.stringify(bad));
      d = digestRun(path);
      assert.equal(reserveCalls(d), 4);
      d.file.close();
      assert.equal(JSON.parse(readText(side)).size, kept.size);
    }
    // A FIFO or a link in its place is not read (nor waited on): replaced by the digest.
    rmSync(side);
    const fifo = new Deno.Command("mkfifo", { args: [side] }).outputSync();
    assert.equal(fifo.code, 0);
    d = digestRun(path);
    assert.equal(reserveCalls(d), 4);
    d.file.close();
    assert.ok(Deno.lstatSync(side).isFile);
    const elsewhere = join(dir, "elsewhere.json");
    writeFileSync(elsewhere, JSON.stringify({ ...kept, fns: [] }));
    rmSync(side);
    Deno.symlinkSync(elsewhere, side);
    d = digestRun(path);
    assert.equal(reserveCalls(d), 4);
    d.file.close();
    assert.ok(Deno.lstatSync(side).isFile);
    assert.deepEqual(JSON.parse(readText(elsewhere)).fns, []);
    // Kept by a server on one runtime, read by one on another (file times in whole ms on Deno,
    // with fractions on Node and Bun): the hints come from it, and it is not made again.
    const marked = JSON.parse(readText(side));
    const reserveRow = marked.fns.find(
      (f: number[]) => d.functions[f[0]][0] === "Inventory.reserve",
    );
    reserveRow[1] = 77;
    writeFileSync(side, JSON.stringify(marked));
    for (const t of [NODE_TARGET, BUN_TARGET]) {
      const client = new Client(t, dir, cache);
      try {
        await client.request("initialize", { processId: null, rootUri: null, capabilities: {} });
        await client.send({ method: "initialized", params: {} });
        const file = join(dir, "shop/inventory.ts");
        const uri = pathToFileURL(file).href;
        await client.send({
          method: "textDocument/didOpen",
          params: {
            textDocument: { uri, languageId: "typescript", version: 1, text: readText(file) },
          },
        });
        const hints = await hintsOf(client, uri);
        assert.ok(
          hints.some((h) => h.label.startsWith("×77 ·")),
          `${t.name}: ${JSON.stringify(hints)}`,
        );
        await client.shutDown();
      } finally {
        client.kill();
      }
    }
    // Not a run: tph logs lists one run; tph clean removes its digest with it.
    const logs = await tph(DENO_TARGET, ["logs", "--cache-dir", cache, "--json"], { cwd: dir });
    assert.equal(JSON.parse(logs.stdout).length, 1, logs.stderr);
    const clean = await tph(DENO_TARGET, ["clean", "--cache-dir", cache, "--all"], { cwd: dir });
    assert.equal(clean.code, 0, clean.stderr);
    assert.deepEqual(readdirSync(cache).filter((n) => n.startsWith("run_")), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

Deno.test("lsp: a function's results are counted over all its calls, the most frequent first", async () => {
  const dir = mkdtempSync(join(tmpdir(), "tph-lsp-results-"));
  const cache = join(dir, "cache");
  try {
    writeFileSync(
      join(dir, "main.ts"),
      [
        "function parity(n: number) {",
        '  if (n === 7) throw new RangeError("seven");',
        '  return n % 3 === 0 ? "three" : n % 2 === 0 ? "even" : "odd";',
        "}",
        "function same(n: number) { return n; }",
        "for (let i = 0; i < 30; i++) { try { parity(i); } catch {} }",
        `for (let i = 0; i < ${DISTINCT_COUNTED + 200}; i++) same(i);`,
        "",
      ].join("\n"),
    );
    const ran = await tph(
      DENO_TARGET,
      ["run", "--cache-dir", cache, "--max-calls", "5000", "main.ts"],
      { cwd: dir },
    );
    assert.equal(ran.code, 0, ran.stderr);
    const run = readdirSync(cache).find((n) => n.endsWith(".tph"))!;
    const d = digestRun(join(cache, run));
    try {
      const fnOf = (name: string) => d.functions.findIndex((f) => f[0] === name);
      // 0..29 but 7: 10 multiples of 3, of the rest 10 even and 9 odd; 7 threw.
      assert.deepEqual(resultsOf(d, fnOf("parity"), 3), {
        top: [
          { text: '→ "three"', count: 10 },
          { text: '→ "even"', count: 10 },
          { text: '→ "odd"', count: 9 },
        ],
        others: 1,
        distinct: 4,
      });
      // Past the different results told apart: the rest are others, "over" the count.
      const same = resultsOf(d, fnOf("same"));
      assert.equal(same.top.length, 5);
      assert.equal(same.others, DISTINCT_COUNTED + 200 - 5);
      assert.equal(same.distinct, DISTINCT_COUNTED + 1);
      const hover = functionHover(d, fnOf("parity"));
      assert.match(
        hover,
        /Results \(4 different\):\n```text\n×10 {2}→ "three"\n×10 {2}→ "even"\n×9 {2}→ "odd"\n×1 {2}!! RangeError: seven\n```/,
      );
      assert.match(
        functionHover(d, fnOf("same")),
        /Results \(over 1000 different\):[^]*×1195 {2}\(996 or more other results\)/,
      );
    } finally {
      d.file.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

Deno.test("lsp: a raw run just stored, and a run file's first scan, give at once the hints its full digest gives", async () => {
  const { dir, cache } = shopFolder("tph-lsp-raw-");
  try {
    // Values of every kind, an external call, a secret redacted, a call that threw.
    writeFileSync(
      join(dir, "kinds.ts"),
      [
        "function login(user: string, password: string) { return { user, ok: password.length > 3 }; }",
        "function parse(text: string) { return JSON.parse(text); }",
        "function fails(n: number): number { if (n > 1) throw new TypeError(`no ${n}`); return n; }",
        'login("ana", "hunter22");',
        'parse(\'{"a":[1,2,{"b":null}]}\');',
        "for (let i = 0; i < 3; i++) { try { fails(i); } catch {} }",
        "",
      ].join("\n"),
    );
    for (const program of ["shop/main.ts", "kinds.ts"]) {
      // Written raw and left so (TPH_RAW_WRITE=1), as a run of many calls is until tph makes it
      // a run file after the program's end.
      const ran = await tph(DENO_TARGET, ["run", "--cache-dir", cache, program], {
        cwd: dir,
        env: { TPH_RAW_WRITE: "1" },
      });
      assert.equal(ran.code, 0, ran.stderr);
    }
    for (const run of readdirSync(cache).filter((n) => n.endsWith(".tph"))) {
      const path = join(cache, run);
      const raw = digestRaw(path);
      assert.ok(raw !== null, "a run just stored is raw");
      const full = digestRun(path);
      try {
        assert.equal(digestRaw(path), null, "made a run file: no more raw");
        const seen = (d: NonNullable<typeof raw>) => {
          const out: Record<string, unknown> = {};
          d.byFn.forEach((f, fn) => {
            if (f === undefined) return;
            out[d.functions[fn][0]] = {
              calls: f.calls,
              threw: f.threw,
              hint: hintText(d, fn, 500),
              file: d.functions[fn][2],
            };
          });
          return out;
        };
        // Without the digest the full one kept beside the run: a first scan.
        rmSync(path.replace(/\.tph$/, ".lsp.json"));
        const first = digestRun(path, { first: true });
        const fromFile = seen(full);
        try {
          assert.ok(raw!.partial && first.partial && !full.partial);
          assert.deepEqual(seen(raw!), fromFile);
          assert.deepEqual(seen(first), fromFile);
        } finally {
          first.file.close();
        }
        assert.ok(Object.keys(fromFile).length >= 3);
      } finally {
        full.file.close();
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

Deno.test("tph lsp shows a compiled program's run at its TypeScript source (tsc, with and without the sources in its map)", async () => {
  const dir = mkdtempSync(join(tmpdir(), "tph-lsp-tsc-"));
  try {
    const source = [
      "export function add(a: number, b: number): number {",
      "  return a + b;",
      "}",
      "",
      "export function twice(x: number): number {",
      "  return add(x, x);",
      "}",
      "",
      "console.log(twice(21));",
      "",
    ].join("\n");
    for (const inlineSources of [true, false]) {
      const root = join(dir, `p-${inlineSources}`);
      mkdirSync(join(root, "src"), { recursive: true });
      writeFileSync(join(root, "src/calc.ts"), source);
      writeFileSync(join(root, "package.json"), '{"name":"calc","version":"1.0.0"}');
      writeFileSync(
        join(root, "tsconfig.json"),
        JSON.stringify({
          compilerOptions: {
            outDir: "dist",
            rootDir: "src",
            sourceMap: true,
            inlineSources,
            module: "commonjs",
            target: "es2020",
          },
        }),
      );
      const tsc = await exec([NODE, join(REPO, "node_modules/typescript/bin/tsc"), "-p", "."], {
        cwd: root,
      });
      assert.equal(tsc.code, 0, tsc.stdout + tsc.stderr);
      const cache = join(root, "cache");
      const ran = await tph(NODE_TARGET, ["run", "--cache-dir", cache, "dist/calc.js"], {
        cwd: root,
      });
      assert.equal(ran.code, 0, ran.stderr);
      const client = new Client(NODE_TARGET, root, cache);
      try {
        await client.request("initialize", { processId: null, rootUri: null, capabilities: {} });
        await client.send({ method: "initialized", params: {} });
        const file = join(root, "src/calc.ts");
        const uri = pathToFileURL(file).href;
        const open = async (text: string, version: number) => {
          await client.send({
            method: version === 1 ? "textDocument/didOpen" : "textDocument/didChange",
            params: version === 1
              ? { textDocument: { uri, languageId: "typescript", version, text } }
              : { textDocument: { uri, version }, contentChanges: [{ text }] },
          });
          return (await hintsOf(client, uri)).map((h) => `${h.position.line}: ${h.label}`);
        };
        assert.deepEqual(
          (await open(source, 1)).sort(),
          ["0: ×1 · (a=21, b=21) → 42", "4: ×1 · (x=21) → 42"],
        );
        // Its body edited: stale where the map gave the run its text; by name alone without.
        const edited = await open(source.replace("return a + b;", "return b + a;"), 2);
        const add = edited.find((h) => h.startsWith("0: "));
        assert.equal(
          add,
          inlineSources
            ? "0: ×1 · changed since this run: run it again"
            : "0: ×1 · (a=21, b=21) → 42",
        );
        await client.shutDown();
      } finally {
        client.kill();
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

Deno.test("tph lsp shows nothing the run recorded inside a function changed since: not an external call's hint, hover, lens or diagnostic", async () => {
  const dir = mkdtempSync(join(tmpdir(), "tph-lsp-external-"));
  const cache = join(dir, "cache");
  let client: Client | null = null;
  try {
    const source = [
      "export function load(text: string): number {",
      "  const v = JSON.parse(text);",
      "  return v.n * 2;",
      "}",
      "",
      "console.log(load('{\"n\": 21}'));",
      "try {",
      '  load("{oops");',
      "} catch {",
      '  console.log("bad");',
      "}",
      "",
    ].join("\n");
    const file = join(dir, "load.ts");
    writeFileSync(file, source);
    const ran = await tph(DENO_TARGET, ["run", "--cache-dir", cache, "load.ts"], { cwd: dir });
    assert.equal(ran.code, 0, ran.stderr);
    client = await opened(DENO_TARGET, dir, cache, file);
    const uri = pathToFileURL(file).href;
    const shown = async (text: string, version: number) => {
      await client!.send({
        method: "textDocument/didChange",
        params: { textDocument: { uri, version }, contentChanges: [{ text }] },
      });
      const hints = (await hintsOf(client!, uri)).map((h) => `${h.position.line}: ${h.label}`);
      const hover = (line: number) =>
        client!.request("textDocument/hover", {
          textDocument: { uri },
          position: { line, character: text.split("\n")[line].indexOf("parse") + 1 },
        });
      const lenses = (await client!.request("textDocument/codeLens", { textDocument: { uri } }))
        .result as { range: { start: { line: number } } }[];
      const diags = (client!.latest(diagnosticsOf(uri))!.params as {
        diagnostics: { range: { start: { line: number } }; message: string }[];
      }).diagnostics.map((d) => `${d.range.start.line}: ${d.message}`);
      return { hints: hints.sort(), hover, lenses: lenses.map((l) => l.range.start.line), diags };
    };
    // As run: JSON.parse's failing call at its line, with a diagnostic, a hover and lenses.
    const asRun = await shown(source, 2);
    // (Cut at 60 characters: the error is kept, the arguments cut.)
    assert.equal(asRun.hints.length, 2, asRun.hints.join("\n"));
    assert.match(asRun.hints[0], /^0: ×2 · \(.*\) !! SyntaxError: /);
    assert.match(asRun.hints[1], /^1: ×2 · \(.*\) !! SyntaxError: /);
    assert.ok(asRun.diags.some((d) => d.startsWith("1: 1 of 2 calls threw: SyntaxError")));
    assert.match(
      ((await asRun.hover(1)).result as { contents: { value: string } }).contents.value,
      /\*\*JSON\.parse\*\* — 2 calls, 1 threw/,
    );
    assert.ok(asRun.lenses.includes(1), JSON.stringify(asRun.lenses));
    // Moved down two lines, not changed: the external call moves with its function.
    const moved = await shown("// one\n// two\n" + source, 3);
    assert.deepEqual(moved.hints, asRun.hints.map((h) => `${Number(h[0]) + 2}${h.slice(1)}`));
    // Its function's body edited: the function says it changed; nothing the run recorded in it.
    const edited = source.replace("v.n * 2", "v.n * 3");
    const changed = await shown(edited, 4);
    assert.deepEqual(changed.hints, ["0: ×2 · changed since this run: run it again"]);
    assert.ok(!changed.hints.some((h) => /oops|21|SyntaxError/.test(h)), changed.hints.join("\n"));
    assert.deepEqual(changed.diags, []);
    assert.deepEqual(changed.lenses, []);
    assert.equal((await changed.hover(1)).result, null);
    await client.shutDown();
  } finally {
    client?.kill();
    rmSync(dir, { recursive: true, force: true });
  }
});

/** Start a client, initialize it and open `file` in it. */
async function opened(t: Target, dir: string, cache: string, file: string): Promise<Client> {
  const client = new Client(t, dir, cache);
  await client.request("initialize", {
    processId: null,
    rootUri: null,
    capabilities: { workspace: { inlayHint: { refreshSupport: true } } },
  });
  await client.send({ method: "initialized", params: {} });
  await client.send({
    method: "textDocument/didOpen",
    params: {
      textDocument: {
        uri: pathToFileURL(file).href,
        languageId: "typescript",
        version: 1,
        text: readText(file),
      },
    },
  });
  return client;
}

/** The hints of a file until one passes `test` (asked again as refreshes come), within 30 s. */
async function hintsUntil(
  client: Client,
  uri: string,
  test: (labels: string[]) => boolean,
): Promise<string[]> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const labels = (await hintsOf(client, uri)).map((h) => h.label);
    if (test(labels)) return labels;
    if (Date.now() > deadline) {
      client.kill();
      throw new Error(`hints still ${JSON.stringify(labels)} after 30 s: ${await client.stderr}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

Deno.test("lsp: a hint cut at its width keeps a call's error: its arguments are cut first, the error only when it alone is too long", async () => {
  const { dir, cache } = shopFolder("tph-lsp-cut-");
  try {
    const ran = await tph(DENO_TARGET, ["run", "--cache-dir", cache, "shop/main.ts"], { cwd: dir });
    assert.equal(ran.code, 0, ran.stderr);
    const d = digestRun(join(cache, readdirSync(cache).find((n) => n.endsWith(".tph"))!));
    try {
      const reserve = d.functions.findIndex((f) => f[0] === "Inventory.reserve");
      const error = " !! RangeError: Not enough plum: wanted 5, have 1";
      const hint = (width: number) => {
        const text = hintText(d, reserve, width);
        assert.ok(text.length <= width, `${text}: over ${width}`);
        return text;
      };
      assert.equal(hint(200), `×4 · (sku="plum", count=5)${error}`);
      assert.equal(hint(75), `×4 · (sku="plum", count=5)${error}`);
      assert.equal(hint(72), `×4 · (sku="plum", cou…)${error}`);
      assert.equal(hint(58), `×4 · (s…)${error}`);
      assert.equal(hint(57), `×4 · (…)${error}`);
      // The error alone is too long: it is cut, the arguments shown as (…).
      assert.equal(hint(30), "×4 · (…) !! RangeError: Not e…");
      // A call that returned is cut at its end, as before.
      const ctor = d.functions.findIndex((f) => f[0] === "Inventory.constructor");
      assert.equal(hintText(d, ctor, 16), "×1 · (initial={…");
    } finally {
      d.file.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

Deno.test("lsp: a kept digest with places or function numbers out of range, or larger than the run could need, is made again from the run", async () => {
  const { dir, cache } = shopFolder("tph-lsp-kept-range-");
  try {
    const ran = await tph(DENO_TARGET, ["run", "--cache-dir", cache, "shop/main.ts"], { cwd: dir });
    assert.equal(ran.code, 0, ran.stderr);
    const path = join(cache, readdirSync(cache).find((n) => n.endsWith(".tph"))!);
    const side = path.replace(/\.tph$/, ".lsp.json");
    let d = digestRun(path);
    const reserve = d.functions.findIndex((f) => f[0] === "Inventory.reserve");
    const good = hintText(d, reserve, 500);
    d.file.close();
    const kept = JSON.parse(readText(side));
    const rowOf = (k: typeof kept) =>
      // deno-lint-ignore no-explicit-any
      k.fns.find((f: any) => f[0] === reserve);
    // Each damage keeps the stamps: the run is unchanged, only its digest is wrong.
    const damages: [string, (k: typeof kept) => void][] = [
      ["a place past the run's end", (k) => (rowOf(k)[7] = [1e12, 0])],
      ["a failing call's place below the calls", (k) => (rowOf(k)[8] = [0, 0])],
      ["a negative start", (k) => (rowOf(k)[6][1] = -5)],
      ["a caller that is no function", (k) => (rowOf(k)[9] = [99_999, 4])],
      ["a callee that is no function", (k) => (rowOf(k)[10] = [-7, 1])],
      ["more threw than calls", (k) => (rowOf(k)[2] = 1000)],
      ["a call that threw without its place", (k) => (rowOf(k)[8] = [])],
      ["no last call", (k) => (rowOf(k)[7] = [])],
      ["an odd list of places", (k) => (rowOf(k)[6] = [rowOf(k)[6][0]])],
      // Valid, and marked (99 calls), but past what the run could need: not read.
      ["a digest larger than the run could need", (k) => {
        rowOf(k)[1] = 99;
        k.pad = " ".repeat(4 << 20);
      }],
    ];
    for (const [what, damage] of damages) {
      const bad = structuredClone(kept);
      damage(bad);
      writeFileSync(side, JSON.stringify(bad));
      d = digestRun(path);
      try {
        assert.equal(d.byFn[reserve]!.calls, 4, what);
        assert.equal(hintText(d, reserve, 500), good, what);
        // Every function's hover reads back its calls and names its callers and callees.
        d.byFn.forEach((f, fn) => f !== undefined && functionHover(d, fn));
      } finally {
        d.file.close();
      }
      // Made again beside the run.
      assert.deepEqual(JSON.parse(readText(side)), kept, what);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

Deno.test("lsp: a 2 GB sparse file in a digest's place is not read (the reading process's peak memory stays small)", async () => {
  if (!existsSync("/proc/self/status")) return;
  const { dir, cache } = shopFolder("tph-lsp-kept-sparse-");
  try {
    const ran = await tph(DENO_TARGET, ["run", "--cache-dir", cache, "shop/main.ts"], { cwd: dir });
    assert.equal(ran.code, 0, ran.stderr);
    const path = join(cache, readdirSync(cache).find((n) => n.endsWith(".tph"))!);
    const side = path.replace(/\.tph$/, ".lsp.json");
    digestRun(path).file.close();
    rmSync(side);
    // Sparse: no disk taken.
    const made = await exec(["truncate", "-s", "2G", side], { cwd: dir });
    assert.equal(made.code, 0, made.stderr);
    const script = join(dir, "digest.ts");
    writeFileSync(
      script,
      [
        `import { digestRun } from ${JSON.stringify(join(REPO, "src/cli/lsp/run_digest.ts"))};`,
        `const d = digestRun(${JSON.stringify(path)});`,
        'const fn = d.functions.findIndex((f) => f[0] === "Inventory.reserve");',
        "d.file.close();",
        'const hwm = /VmHWM:\\s*(\\d+) kB/.exec(Deno.readTextFileSync("/proc/self/status"))![1];',
        "console.log(JSON.stringify({ calls: d.byFn[fn].calls, peakKb: Number(hwm) }));",
      ].join("\n"),
    );
    const r = await exec([join(REPO, "node_modules/.bin/deno"), "run", "-A", script], {
      cwd: dir,
    });
    assert.equal(r.code, 0, r.stderr);
    const { calls, peakKb } = JSON.parse(r.stdout);
    assert.equal(calls, 4);
    assert.ok(peakKb < 512 * 1024, `peak memory ${peakKb} kB: the 2 GB file was read`);
    // Replaced by the digest made from the run.
    assert.ok(Deno.statSync(side).size < 1 << 20);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

for (const t of [DENO_TARGET, BUN_TARGET, NODE_TARGET]) {
  Deno.test(`tph lsp keeps following new runs when the cache folder is removed and made again (${t.name})`, async () => {
    const dir = mkdtempSync(join(tmpdir(), "tph-lsp-recreated-"));
    const cache = join(dir, "cache");
    const file = join(dir, "a.ts");
    const uri = pathToFileURL(file).href;
    const program = (n: number) => `function one(x: number) {\n  return x;\n}\none(${n});\n`;
    let client: Client | null = null;
    try {
      writeFileSync(file, program(1));
      const ran = await tph(t, ["run", "--cache-dir", cache, "a.ts"], { cwd: dir });
      assert.equal(ran.code, 0, ran.stderr);
      client = await opened(t, dir, cache, file);
      assert.deepEqual((await hintsOf(client, uri)).map((h) => h.label), ["×1 · (x=1) → 1"]);
      for (const n of [2, 3]) {
        // Removed; made again empty (the second time by the run itself); a run stored in it.
        rmSync(cache, { recursive: true, force: true });
        await new Promise((r) => setTimeout(r, 300));
        if (n === 2) {
          mkdirSync(cache);
          await new Promise((r) => setTimeout(r, 300));
        }
        writeFileSync(file, program(n));
        const again = await tph(t, ["run", "--cache-dir", cache, "a.ts"], { cwd: dir });
        assert.equal(again.code, 0, again.stderr);
        await client.send({
          method: "textDocument/didChange",
          params: { textDocument: { uri, version: n }, contentChanges: [{ text: program(n) }] },
        });
        await hintsUntil(client, uri, (labels) => labels[0] === `×1 · (x=${n}) → ${n}`);
      }
      await client.shutDown();
      client = null;
    } finally {
      client?.kill();
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

/**
 * The strings in a value (deep) that hold a character safeText escapes, line breaks allowed in a
 * `text` or `value`; but what the client sends back as it is (a command's `arguments`, a `uri`).
 */
function unsafeStrings(value: unknown, lineBreaks = false): string[] {
  // deno-lint-ignore no-control-regex
  const unsafe = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
  if (typeof value === "string") {
    return unsafe.test(value) || (!lineBreaks && value.includes("\n")) ? [value] : [];
  }
  if (value === null || typeof value !== "object") return [];
  return Object.entries(value).flatMap(([k, v]) =>
    k === "arguments" || k === "uri"
      ? []
      : unsafeStrings(v, lineBreaks || k === "text" || k === "value")
  );
}

Deno.test("tph lsp escapes control and bidi characters in every text it sends: a tree's and a comparison's titles and texts, the runs' labels", async () => {
  const dir = mkdtempSync(join(tmpdir(), "tph-lsp-hostile-titles-"));
  const cache = join(dir, "cache");
  const file = join(dir, "main.ts");
  let client: Client | null = null;
  try {
    const program = (v: string) =>
      [
        "const o = {",
        '  "bad\\u202ename\\u001b[2J\\u0007"(x: string) {',
        '    return x + "!";',
        "  },",
        "};",
        `o["bad\\u202ename\\u001b[2J\\u0007"]("${v}\\u202e\\u001b[31m");`,
        "",
      ].join("\n");
    for (const [v, label] of [["a", "one\u202eeno"], ["b", "two\u001b]0;owned\u0007\u2066"]]) {
      writeFileSync(file, program(v));
      const ran = await tph(
        DENO_TARGET,
        ["run", "--cache-dir", cache, "--label", label, "main.ts"],
        { cwd: dir },
      );
      assert.equal(ran.code, 0, ran.stderr);
    }
    client = await opened(DENO_TARGET, dir, cache, file);
    const uri = pathToFileURL(file).href;
    const lenses = (await client.request("textDocument/codeLens", { textDocument: { uri } }))
      .result as { command: { title: string; command: string; arguments: unknown[] } }[];
    assert.deepEqual(lenses.map((l) => l.command.command), ["tph.showTree", "tph.compareRuns"]);
    const sent: unknown[] = [lenses];
    for (const lens of lenses) {
      const r = await client.request("workspace/executeCommand", {
        command: lens.command.command,
        arguments: lens.command.arguments,
      });
      const result = r.result as { title: string; text: string };
      assert.ok(result !== null && typeof result.title === "string", JSON.stringify(r));
      assert.match(result.title, /bad\\u202ename\\u001b\[2J\\u0007/);
      sent.push(result);
    }
    const runs = (await client.request("workspace/executeCommand", {
      command: "tph.listRuns",
      arguments: [],
    })).result as { label: string | null }[];
    assert.deepEqual(runs.map((r) => r.label), [
      "two\\u001b]0;owned\\u0007\\u2066",
      "one\\u202eeno",
    ]);
    sent.push(runs);
    // Hints, hover, the answers to a command the server does not run and to a run not stored.
    sent.push(await hintsOf(client, uri));
    sent.push(
      (await client.request("textDocument/hover", {
        textDocument: { uri },
        position: { line: 1, character: 4 },
      })).result,
    );
    for (const [command, args] of [["tph.\u202eno", []], ["tph.useRun", ["r\u202eun\u001b"]]]) {
      const r = await client.request("workspace/executeCommand", { command, arguments: args });
      assert.equal(r.error?.code, -32602);
      sent.push(r.error);
    }
    assert.deepEqual(unsafeStrings(sent), []);
    await client.shutDown();
    client = null;
  } finally {
    client?.kill();
    rmSync(dir, { recursive: true, force: true });
  }
});

Deno.test("lsp protocol: a 32 MB message in 1 kB pieces is read in time linear in its size", async () => {
  // Copying what came so far at each piece (32,768 pieces of a message growing to 32 MB: over
  // 500 GB copied) would take hours: far past the subprocess's time limit.
  const dir = mkdtempSync(join(tmpdir(), "tph-lsp-framing-"));
  try {
    const script = join(dir, "framing.ts");
    writeFileSync(
      script,
      [
        `import { frame, MessageReader } from ${
          JSON.stringify(join(REPO, "src/cli/lsp/protocol.ts"))
        };`,
        'const bytes = frame({ id: 1, method: "big", params: { text: "a".repeat(32 << 20) } });',
        "const two = new Uint8Array(bytes.length * 2);",
        "two.set(bytes, 0);",
        "two.set(bytes, bytes.length);",
        "const reader = new MessageReader();",
        "const got = [];",
        "for (let i = 0; i < two.length; i += 1024) got.push(...reader.push(two.subarray(i, i + 1024)));",
        "console.log(JSON.stringify(got.map((r) => r.message.params.text.length)));",
      ].join("\n"),
    );
    const r = await exec([join(REPO, "node_modules/.bin/deno"), "run", "-A", script], {
      cwd: dir,
      timeoutMs: 120_000,
    });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), [32 << 20, 32 << 20]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

Deno.test("tph lsp answers after a 60 MB document sent in 64 kB pieces", async () => {
  const dir = mkdtempSync(join(tmpdir(), "tph-lsp-large-"));
  const cache = join(dir, "cache");
  let client: Client | null = null;
  try {
    cpSync(join(REPO, "examples/shop"), join(dir, "shop"), { recursive: true });
    const ran = await tph(DENO_TARGET, ["run", "--cache-dir", cache, "shop/main.ts"], { cwd: dir });
    assert.equal(ran.code, 0, ran.stderr);
    const file = join(dir, "shop/inventory.ts");
    const uri = pathToFileURL(file).href;
    const text = readText(file);
    const reserveLine = text.split("\n").findIndex((l) => l.includes("reserve(sku"));
    client = await opened(DENO_TARGET, dir, cache, file);
    const big = text + ("// " + "x".repeat(96) + "\n").repeat(600_000);
    const bytes = frame({
      method: "textDocument/didChange",
      params: { textDocument: { uri, version: 2 }, contentChanges: [{ text: big }] },
    });
    assert.ok(bytes.length > 60_000_000);
    // The whole exchange within the time limit of the test's subprocesses: 2 minutes.
    const timer = setTimeout(() => client?.kill(), 120_000);
    try {
      for (let i = 0; i < bytes.length; i += 65_536) {
        await client.sendBytes(bytes.subarray(i, i + 65_536));
      }
      const hover = (await client.request("textDocument/hover", {
        textDocument: { uri },
        position: {
          line: reserveLine,
          character: text.split("\n")[reserveLine].indexOf("reserve"),
        },
      })).result as { contents: { value: string } };
      assert.match(hover.contents.value, /\*\*Inventory\.reserve\*\* — 4 calls, 1 threw/);
    } finally {
      clearTimeout(timer);
    }
    await client.shutDown();
    client = null;
  } finally {
    client?.kill();
    rmSync(dir, { recursive: true, force: true });
  }
});

Deno.test("tph lsp names the malformed field of a message's params: an error answered to a request, one log line for a notification", async () => {
  const dir = mkdtempSync(join(tmpdir(), "tph-lsp-params-"));
  const cache = join(dir, "cache");
  const file = join(dir, "a.ts");
  let client: Client | null = null;
  try {
    writeFileSync(file, "function one(x: number) {\n  return x;\n}\none(1);\n");
    const ran = await tph(DENO_TARGET, ["run", "--cache-dir", cache, "a.ts"], { cwd: dir });
    assert.equal(ran.code, 0, ran.stderr);
    client = await opened(DENO_TARGET, dir, cache, file);
    const uri = pathToFileURL(file).href;
    // Notifications: nothing to answer, a line in the log each.
    const notifications: [string, unknown][] = [
      ["textDocument/didOpen", { textDocument: { uri: "file:///b.ts", text: 5 } }],
      ["textDocument/didOpen", { textDocument: "file:///b.ts" }],
      ["textDocument/didChange", { textDocument: { uri }, contentChanges: "x" }],
      ["textDocument/didChange", { textDocument: { uri }, contentChanges: [{ text: null }] }],
      ["textDocument/didClose", { textDocument: { uri: 7 } }],
      ["textDocument/didOpen", [1, 2]],
    ];
    for (const [method, params] of notifications) await client.send({ method, params });
    // Requests: an invalid params error naming the field.
    const requests: [string, unknown, RegExp][] = [
      [
        "textDocument/hover",
        { textDocument: { uri }, position: { line: "1", character: 0 } },
        /position\.line/,
      ],
      [
        "textDocument/hover",
        { textDocument: { uri }, position: { line: 0, character: -1 } },
        /position\.character/,
      ],
      ["textDocument/hover", { textDocument: { uri } }, /position/],
      ["textDocument/inlayHint", { textDocument: { uri: 3 } }, /textDocument\.uri/],
      ["textDocument/codeLens", "x", /params/],
      ["workspace/executeCommand", { command: 5 }, /command/],
      ["workspace/executeCommand", { command: "tph.listRuns", arguments: {} }, /arguments/],
    ];
    for (const [method, params, field] of requests) {
      const r = await client.request(method, params);
      assert.equal(r.error?.code, -32602, `${method} ${JSON.stringify(r)}`);
      assert.match(r.error!.message, field);
    }
    // Still serving the document as it was opened.
    assert.deepEqual((await hintsOf(client, uri)).map((h) => h.label), ["×1 · (x=1) → 1"]);
    await client.shutDown();
    const log = (await client.stderr).split("\n").filter((l) => l !== "");
    client = null;
    assert.doesNotMatch(log.join("\n"), /is not a function|Cannot read prop|undefined/);
    const expected = [
      /textDocument\/didOpen: params\.textDocument\.text is not a string/,
      /textDocument\/didOpen: params\.textDocument is not an object/,
      /textDocument\/didChange: params\.contentChanges is not an array/,
      /textDocument\/didChange: params\.contentChanges\[0\]\.text is not a string/,
      /textDocument\/didClose: params\.textDocument\.uri is not a string/,
      /textDocument\/didOpen: params is not an object/,
    ];
    assert.equal(log.length, expected.length, log.join("\n"));
    expected.forEach((re, i) => assert.match(log[i], re));
  } finally {
    client?.kill();
    rmSync(dir, { recursive: true, force: true });
  }
});
