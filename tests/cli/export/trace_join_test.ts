// `tph export RUN…`: the runs of several services (or of one request's child processes) as one
// trace, end to end. A local OTLP/HTTP receiver decodes what `--otlp-endpoint` posts (protobuf,
// with OpenTelemetry's own generated code) and what the OTLP/JSON file holds (posted to it as a
// user would with curl), and the ids are checked on both: runs that recorded the request's trace
// context are in its trace, under its span; the others share one trace id; span ids are unique.

import assert from "node:assert/strict";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { Buffer } from "node:buffer";
import { join } from "node:path";
import {
  assertCode,
  DENO_TARGET,
  FIXTURES,
  lines,
  RUN_FIXTURES,
  tempDir,
  tph,
} from "../commands/_cli.ts";
import { callersOf } from "../../_export_readers.ts";
import { type Decoded, receiver, type Span } from "./_otlp_receiver.ts";
import { openRun, type RunFile } from "../../../src/run_file/decode.ts";
import type { RunJSON } from "../../../src/types.ts";

const t = DENO_TARGET;
const TRACE = "0af7651916cd43dd8448eb211c80319c";
const PARENT_B = "b7ad6b7169203331";
const PARENT_C = "00f067aa0ba902b7";

/** Three runs: A without a trace context, B and C in one trace under spans of their own. */
function threeRuns(dir: string): { names: string[]; runs: RunJSON[] } {
  const checkout = join(RUN_FIXTURES, "run_20261120T091500_042_checkout_a1b2c3.json");
  const server = join(RUN_FIXTURES, "run_20261122T081502_123_server_c0ffee.json");
  const made: [string, string, Record<string, unknown>][] = [
    ["run_20261120T091500_042_checkout_a1b2c3.json", checkout, {}],
    ["run_20261122T081502_123_server_c0ffee.json", server, {
      trace_context: { traceparent: `00-${TRACE}-${PARENT_B}-01`, tracestate: "rojo=1" },
    }],
    // The same calls as A, in another process of the same request.
    ["run_20261120T091500_042_checkout_d4e5f6.json", checkout, {
      trace_context: { traceparent: `00-${TRACE}-${PARENT_C}-00` },
    }],
  ];
  const runs = made.map(([name, from, meta]) => {
    const run = { ...JSON.parse(readFileSync(from, "utf8")), ...meta };
    writeFileSync(join(dir, name), JSON.stringify(run));
    return run as RunJSON;
  });
  return { names: made.map(([name]) => name), runs };
}

/** Each run's spans hold its tree: roots under `root`, the others under their caller's span. */
function assertRun(spans: Span[], run: RunJSON, root: string | undefined, trace: string) {
  const callers = callersOf(run.trace);
  assert.equal(spans.length, run.call_count);
  spans.forEach((s, k) => {
    assert.equal(s.traceId, trace);
    const caller = callers[k + 1];
    assert.equal(s.parentSpanId, caller === 0 ? root : spans[caller - 1].spanId, s.name);
  });
}

Deno.test("tph export of several runs: one trace, sent as protobuf and written as JSON", async () => {
  await using dir = tempDir();
  const cwd = dir.path;
  const { names, runs } = threeRuns(cwd);
  await using collector = receiver();
  const sent = await tph(t, ["export", ...names, "--otlp-endpoint", collector.url], { cwd });
  assertCode(sent, 0, "tph export A B C --otlp-endpoint");
  const total = runs.reduce((n, r) => n + r.call_count, 0);
  assert.match(lines(sent.stderr).at(-1)!, new RegExp(`^tph: sent ${total} spans in 3 requests`));
  const fromProtobuf = collector.spans.splice(0);

  const written = await tph(t, ["export", ...names, "-f", "otlp", "-o", "all.otlp.json"], { cwd });
  assertCode(written, 0, "tph export A B C --format otlp");
  const posted = await fetch(`${collector.url}/v1/traces`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: readFileSync(join(cwd, "all.otlp.json")),
  });
  assert.equal(posted.status, 200);
  await posted.body?.cancel();
  const fromJson = collector.spans.splice(0);
  assert.deepEqual([...collector.encodings].sort(), ["json", "protobuf"]);
  assert.deepEqual(fromJson, fromProtobuf, "the same spans in both encodings");

  // Per run, in the order given: A in a trace of its own making, B and C in the request's.
  const byRun: Span[][] = [];
  let at = 0;
  for (const r of runs) byRun.push(fromJson.slice(at, at += r.call_count));
  const own = byRun[0][0].traceId;
  assert.notEqual(own, TRACE);
  assertRun(byRun[0], runs[0], undefined, own);
  assertRun(byRun[1], runs[1], PARENT_B, TRACE);
  assertRun(byRun[2], runs[2], PARENT_C, TRACE);
  assert.ok(byRun[1].every((s) => s.traceState === "rojo=1"));
  assert.ok([...byRun[0], ...byRun[2]].every((s) => s.traceState === undefined));
  const ids = fromJson.map((s) => s.spanId);
  assert.equal(new Set(ids).size, ids.length, "span ids unique across the runs");

  // Exported again, alone and in another order: the same ids.
  const again = await tph(t, ["export", names[2], names[0], "-f", "otlp", "-o", "-"], { cwd });
  assertCode(again, 0, "tph export C A");
  const doc = JSON.parse(again.stdout);
  const spansOf = (k: number) => doc.resourceSpans[k].scopeSpans[0].spans;
  assert.deepEqual(spansOf(0).map((s: Span) => s.spanId), byRun[2].map((s) => s.spanId));
  assert.deepEqual(spansOf(1).map((s: Span) => s.spanId), byRun[0].map((s) => s.spanId));
  // A is the one run without a context there, as it is alone: the same trace id.
  const alone = await tph(t, ["export", names[0], "-f", "otlp", "-o", "-"], { cwd });
  assertCode(alone, 0, "tph export A");
  const aloneTrace = JSON.parse(alone.stdout).resourceSpans[0].scopeSpans[0].spans[0].traceId;
  assert.equal(aloneTrace, own);
});

Deno.test("tph export of several runs: chrome and perfetto draw each run as a process", async () => {
  await using dir = tempDir();
  const cwd = dir.path;
  const { names, runs } = threeRuns(cwd);
  const chrome = await tph(t, ["export", names[0], names[1], "-f", "chrome", "-o", "-"], { cwd });
  assertCode(chrome, 0, "tph export A B --format chrome");
  const doc = JSON.parse(chrome.stdout);
  const processes = doc.traceEvents.filter((e: Decoded) => e.name === "process_name");
  assert.deepEqual(
    processes.map((e: Decoded) => [e.pid, e.args.name]),
    [[1, "tph: checkout"], [2, "tph: server"]],
  );
  const calls = doc.traceEvents.filter((e: Decoded) => e.ph === "X");
  for (const [k, run] of runs.slice(0, 2).entries()) {
    const mine = calls.filter((e: Decoded) => e.pid === k + 1);
    assert.equal(mine.length, run.call_count);
    // One clock: µs from the earlier run's start.
    const shift = (Date.parse(run.timestamp) - Date.parse(runs[0].timestamp)) * 1000;
    assert.equal(mine[0].ts, Math.round(run.trace[0].start_ms * 1000) + shift);
  }
  assert.equal(doc.otherData.runs.length, 2);
  assert.equal(doc.otherData.runs[1].traceparent, `00-${TRACE}-${PARENT_B}-01`);
  assert.equal(doc.otherData.runs[1].trace_id, TRACE);
  assert.match(doc.otherData.runs[0].trace_id, /^[0-9a-f]{32}$/);

  const pf = await tph(t, ["export", ...names, "-f", "perfetto", "-o", "t.pftrace"], { cwd });
  assertCode(pf, 0, "tph export A B C --format perfetto");
  const { readPerfettoRuns } = await import("../../_export_readers.ts");
  const perfetto = await readPerfettoRuns(readFileSync(join(cwd, "t.pftrace")));
  assert.deepEqual(perfetto.map((p) => p.process), [
    "tph: checkout",
    "tph: server",
    "tph: checkout",
  ]);
  perfetto.forEach((p, k) => {
    assert.equal(p.calls.length, runs[k].call_count);
    assert.deepEqual(
      p.calls.map((c) => c.name).sort(),
      calls.filter((e: Decoded) => e.pid === (k === 2 ? 1 : k + 1)).map((e: Decoded) => e.name)
        .sort(),
    );
  });
});

Deno.test("tph export of several runs: formats of one run, no file, bad contexts: one line", async () => {
  await using dir = tempDir();
  const cwd = dir.path;
  const { names } = threeRuns(cwd);
  const noFormat = await tph(t, ["export", names[0], names[1]], { cwd });
  assertCode(noFormat, 2, "no --format");
  assert.match(
    noFormat.stderr,
    /several runs export as one trace: --format otlp, chrome, perfetto or speedscope/,
  );
  const one = await tph(t, ["export", names[0], names[1], "-f", "json", "-o", "x"], { cwd });
  assertCode(one, 2, "json");
  assert.match(
    one.stderr,
    /the json export takes one run; otlp, chrome, perfetto and speedscope take/,
  );
  const noFile = await tph(t, ["export", names[0], names[1], "-f", "chrome"], { cwd });
  assertCode(noFile, 2, "no -o");
  assert.match(noFile.stderr, /several runs export to one file: name it with -o FILE/);
  // The same run twice is one run.
  const twice = await tph(t, ["export", names[0], `./${names[0]}`, "-f", "otlp", "-o", "-"], {
    cwd,
  });
  assertCode(twice, 0, "the same run twice");
  assert.equal(JSON.parse(twice.stdout).resourceSpans.length, 1);
  // A malformed trace context: left out, with one warning line; the export goes on.
  const bad = JSON.parse(readFileSync(join(cwd, names[1]), "utf8"));
  bad.trace_context = { traceparent: `00-${TRACE}-${PARENT_B}-01\u001b[31m` };
  writeFileSync(join(cwd, names[1]), JSON.stringify(bad));
  const warned = await tph(t, ["export", names[1], "-f", "otlp", "-o", "-"], { cwd });
  assertCode(warned, 0, "a malformed trace context");
  const warnings = lines(warned.stderr).filter((l) => l.includes("trace_context"));
  assert.equal(warnings.length, 1, warned.stderr);
  assert.match(
    warnings[0],
    /^tph: warning: run 20261122T081502_123_server_c0ffee: its trace_context is ignored: its traceparent is not 00-<32 hex>-<16 hex>-<2 hex> \(".*\\u001b\[31m"\)$/,
  );
  const spans = JSON.parse(warned.stdout).resourceSpans[0].scopeSpans[0].spans;
  assert.ok(spans.every((s: Span) => s.traceId !== TRACE && s.traceState === undefined));
});

Deno.test("tph export: a run in tph's format with a trace context is in its trace", async () => {
  await using dir = tempDir({ p: join(FIXTURES, "exports") });
  const cwd = join(dir.path, "p");
  assertCode(await tph(t, ["run", "main.ts"], { cwd }), 0, "tph run main.ts");
  const cache = join(cwd, ".tracepatch_cache");
  const name = readdirSync(cache).find((f) => f.endsWith(".tph"))!;
  const path = join(cache, name);
  // The meta written again with trace_context, as tph writes `run` there (addRunInfo).
  const file = openRun(path) as RunFile & { metaAt: number; trailer: Uint8Array };
  const meta = { ...file.meta, trace_context: { traceparent: `00-${TRACE}-${PARENT_B}-01` } };
  file.close();
  const bytes = new TextEncoder().encode(JSON.stringify(meta));
  const all = readFileSync(path);
  writeFileSync(
    path,
    Buffer.concat([all.subarray(0, file.metaAt), bytes, file.trailer]),
  );
  const exported = await tph(t, ["export", "last", "-f", "otlp", "-o", "-"], { cwd });
  assertCode(exported, 0, "tph export last");
  const spans: Span[] = JSON.parse(exported.stdout).resourceSpans[0].scopeSpans[0].spans;
  assert.ok(spans.length > 20);
  assert.ok(spans.every((s) => s.traceId === TRACE));
  const ids = new Set(spans.map((s) => s.spanId));
  const roots = spans.filter((s) => !ids.has(s.parentSpanId!));
  assert.ok(roots.length > 0 && roots.every((s) => s.parentSpanId === PARENT_B));
  // The JSON export keeps the field.
  const json = await tph(t, ["export", "last"], { cwd });
  assertCode(json, 0, "tph export last (JSON)");
  assert.deepEqual(JSON.parse(json.stdout).trace_context, meta.trace_context);
});
