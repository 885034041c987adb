// The ids exports give runs and calls (src/cli/export/trace_ids.ts): span ids unique within a run
// and across runs, the same on every export; a run's W3C trace context (trace_context in its meta)
// checked strictly, its trace id and parent span on the run's spans in OTLP/JSON and in the
// protobuf requests sent to a collector (decoded by OpenTelemetry's own generated code); several
// runs in one trace.

import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openRun, type RunFile } from "../../../src/run_file/decode.ts";
import {
  firstTraceparent,
  parseTraceparent,
  readSentTrace,
  readTraceContext,
} from "../../../src/store/trace_context.ts";
import { SpanIds, traceRuns } from "../../../src/cli/export/trace_ids.ts";
import { writeOtlpJson } from "../../../src/cli/export/otlp.ts";
import { otlpTarget, sendOtlp } from "../../../src/cli/export/otlp_send.ts";
import { callersOf } from "../../_export_readers.ts";
import type { RunJSON } from "../../../src/types.ts";

const RUNS = join(import.meta.dirname!, "../../fixtures/runs");
const CHECKOUT = join(RUNS, "run_20261120T091500_042_checkout_a1b2c3.json");
const SERVER = join(RUNS, "run_20261122T081502_123_server_c0ffee.json");

const TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
const PARENT = "00f067aa0ba902b7";
const TRACEPARENT = `00-${TRACE}-${PARENT}-01`;

Deno.test("span ids: distinct within a run, never zero, the same every time", () => {
  const ids = new SpanIds("20261120T091500_042_checkout_a1b2c3\u00002026-11-20T09:15:00.042Z");
  const again = new SpanIds("20261120T091500_042_checkout_a1b2c3\u00002026-11-20T09:15:00.042Z");
  const seen = new Set<string>();
  for (let call = 1; call <= 200_000; call++) {
    const id = ids.hex(call);
    assert.match(id, /^[0-9a-f]{16}$/);
    assert.notEqual(id, "0".repeat(16));
    seen.add(id);
  }
  assert.equal(seen.size, 200_000, "no two calls share an id");
  for (const call of [1, 2, 77, 199_999, 2 ** 32, 2 ** 40 + 3]) {
    assert.equal(ids.hex(call), again.hex(call), `call ${call}`);
    const bytes = ids.bytes(call);
    assert.equal(bytes.length, 8);
    assert.equal([...bytes].map((b) => b.toString(16).padStart(2, "0")).join(""), ids.hex(call));
  }
  // Calls past 2^32 are not the ones below (the high half counts).
  assert.notEqual(ids.hex(1), ids.hex(2 ** 32 + 1));
});

Deno.test("span ids: two runs (started in the same ms, told apart by their ids) share none", () => {
  const a = new SpanIds("20261120T091500_042_a1b2c3\u00002026-11-20T09:15:00.042Z");
  const b = new SpanIds("20261120T091500_042_a1b2c4\u00002026-11-20T09:15:00.042Z");
  const seen = new Set<string>();
  for (let call = 1; call <= 100_000; call++) seen.add(a.hex(call));
  for (let call = 1; call <= 100_000; call++) {
    assert.ok(!seen.has(b.hex(call)), `call ${call} of b has an id of a`);
  }
  // Not a shift of each other: a's call 2 is not b's call 1 (ids of neighbouring seeds differ).
  assert.notEqual(a.hex(2), b.hex(1));
});

Deno.test("trace context: a W3C traceparent, strictly; anything else is a problem, not a crash", () => {
  assert.equal(readTraceContext(undefined), null);
  assert.equal(readTraceContext(null), null);
  assert.deepEqual(readTraceContext({ traceparent: TRACEPARENT, tracestate: "rojo=1,congo=t61" }), {
    traceId: TRACE,
    parentSpanId: PARENT,
    flags: 1,
    traceState: "rojo=1,congo=t61",
    traceparent: TRACEPARENT,
  });
  assert.equal(
    (readTraceContext({ traceparent: `00-${TRACE}-${PARENT}-00` }) as { traceState: null })
      .traceState,
    null,
  );
  const bad: [unknown, RegExp][] = [
    ["00-x", /not an object/],
    [[TRACEPARENT], /not an object/],
    [{}, /no traceparent/],
    [{ traceparent: 7 }, /no traceparent/],
    [{ traceparent: TRACEPARENT.toUpperCase() }, /not 00-<32 hex>-<16 hex>-<2 hex>/],
    [{ traceparent: `01-${TRACE}-${PARENT}-01` }, /not 00-/],
    [{ traceparent: `ff-${TRACE}-${PARENT}-01` }, /not 00-/],
    [{ traceparent: `00-${TRACE}-${PARENT}-01-extra` }, /not 00-/],
    [{ traceparent: ` ${TRACEPARENT}` }, /not 00-/],
    [{ traceparent: `00-${TRACE.slice(1)}-${PARENT}-01` }, /not 00-/],
    [{ traceparent: `00-${"0".repeat(32)}-${PARENT}-01` }, /trace id is all zeros/],
    [{ traceparent: `00-${TRACE}-${"0".repeat(16)}-01` }, /parent id is all zeros/],
    [{ traceparent: TRACEPARENT, tracestate: 3 }, /tracestate is not a text/],
    [{ traceparent: TRACEPARENT, tracestate: "a=\u0007" }, /tracestate is not/],
    [{ traceparent: TRACEPARENT, tracestate: "a=b,".repeat(3000) }, /8 kB at most/],
    [{ traceparent: "00-" + "\u001b[2J".repeat(40) }, /\\u001b\[2J.*…/],
  ];
  for (const [value, why] of bad) {
    const read = readTraceContext(value);
    assert.equal(typeof read, "string", JSON.stringify(value));
    assert.match(read as string, why);
  }
});

/** Runs in a temporary folder, copies of fixtures with their meta changed. */
function withRuns(
  runs: { from: string; name: string; meta?: Partial<RunJSON> | Record<string, unknown> }[],
  use: (files: RunFile[], dir: string) => Promise<void> | void,
): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "tph-trace-ids-"));
  const files: RunFile[] = [];
  const done = async () => {
    try {
      for (const r of runs) {
        const data = { ...JSON.parse(readFileSync(r.from, "utf8")), ...r.meta };
        writeFileSync(join(dir, r.name), JSON.stringify(data));
        files.push(openRun(join(dir, r.name)));
      }
      await use(files, dir);
    } finally {
      for (const f of files) f.close();
      rmSync(dir, { recursive: true, force: true });
    }
  };
  return done();
}

/** An OTLP/JSON export of runs, parsed: per resource, its spans' ids. */
function otlpJson(files: RunFile[], warn: (line: string) => void = () => {}) {
  const chunks: Uint8Array[] = [];
  writeOtlpJson(files, { write: (b, n) => void chunks.push(b.slice(0, n)) }, { warn });
  const text = new TextDecoder().decode(
    chunks.reduce((all, c) => {
      const out = new Uint8Array(all.length + c.length);
      out.set(all);
      out.set(c, all.length);
      return out;
    }, new Uint8Array()),
  );
  const doc = JSON.parse(text);
  return {
    text,
    resources: doc.resourceSpans.map((rs: Decoded) => ({
      service: rs.resource.attributes.find((a: Decoded) => a.key === "service.name").value
        .stringValue,
      spans: rs.scopeSpans[0].spans.map((s: Decoded) => ({
        traceId: s.traceId,
        spanId: s.spanId,
        parentSpanId: s.parentSpanId,
        traceState: s.traceState,
        name: s.name,
      })),
    })) as { service: string; spans: Span[] }[],
  };
}

interface Span {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  traceState?: string;
  name: string;
}

// deno-lint-ignore no-explicit-any
type Decoded = any;

/** Spans in stored order hold the run's tree: each parent is its caller's span (or `root`). */
function assertTree(spans: Span[], roots: RunJSON["trace"], root: string | undefined): void {
  const callers = callersOf(roots);
  assert.equal(spans.length, callers.length - 1);
  spans.forEach((s, k) => {
    const caller = callers[k + 1];
    assert.equal(s.parentSpanId, caller === 0 ? root : spans[caller - 1].spanId, s.name);
  });
}

Deno.test("otlp: a run's trace context names its trace and its roots' parent; others' ids are their own", async () => {
  await withRuns([
    { from: CHECKOUT, name: "run_20261120T091500_042_checkout_a1b2c3.json" },
    {
      from: CHECKOUT,
      name: "run_20261120T091500_042_checkout_a1b2c4.json",
      meta: { trace_context: { traceparent: TRACEPARENT, tracestate: "rojo=00f067aa0ba902b7" } },
    },
  ], (files) => {
    const plain = otlpJson([files[0]]).resources[0].spans;
    const joined = otlpJson([files[1]]).resources[0].spans;
    const roots = files[0].tree().roots;
    assertTree(plain, roots, undefined);
    assertTree(joined, roots, PARENT);
    for (const s of joined) {
      assert.equal(s.traceId, TRACE);
      assert.equal(s.traceState, "rojo=00f067aa0ba902b7");
    }
    assert.equal(new Set(plain.map((s) => s.traceId)).size, 1);
    assert.notEqual(plain[0].traceId, TRACE);
    assert.equal(plain[0].traceState, undefined);
    // The same calls in two runs: no span id in common.
    const ids = new Set(plain.map((s) => s.spanId));
    assert.ok(joined.every((s) => !ids.has(s.spanId)), "span ids unique across runs");
    // Exported again: the same bytes.
    assert.equal(otlpJson(files).text, otlpJson(files).text);
  });
});

Deno.test("otlp: several runs are one trace; a malformed trace context is one warning", async () => {
  await withRuns([
    { from: CHECKOUT, name: "run_20261120T091500_042_checkout_a1b2c3.json" },
    { from: SERVER, name: "run_20261122T081502_123_server_c0ffee.json" },
    {
      from: SERVER,
      name: "run_20261122T081502_123_server_c0ffef.json",
      meta: { trace_context: { traceparent: `00-${TRACE}-${"0".repeat(16)}-01` } },
    },
    {
      from: CHECKOUT,
      name: "run_20261120T091500_042_checkout_a1b2c5.json",
      meta: { trace_context: { traceparent: TRACEPARENT } },
    },
    {
      from: SERVER,
      name: "run_20261122T081502_123_server_c0fff0.json",
      meta: { trace_context: { traceparent: `00-${TRACE}-${"1".repeat(16)}-01` } },
    },
  ], (files) => {
    const warnings: string[] = [];
    const all = otlpJson(files, (line) => warnings.push(line)).resources;
    assert.deepEqual(warnings, [
      "20261122T081502_123_server_c0ffef: its trace_context is ignored: its traceparent's " +
      "parent id is all zeros",
    ]);
    assert.equal(all.length, 5, "a resource per run");
    const traces = all.map((r) => new Set(r.spans.map((s) => s.traceId)));
    for (const t of traces) assert.equal(t.size, 1, "one trace id per run");
    const [a, b, bad, ctx1, ctx2] = traces.map((t) => [...t][0]);
    // Runs without a (valid) context share one trace; those with one are in its trace.
    assert.equal(a, b);
    assert.equal(bad, a);
    assert.equal(ctx1, TRACE);
    assert.equal(ctx2, TRACE);
    assert.notEqual(a, TRACE);
    // Each run's roots under its context's span; none for the others.
    const rootsOf = (k: number) =>
      all[k].spans.filter((s) => !all[k].spans.some((p) => p.spanId === s.parentSpanId));
    assert.deepEqual(new Set(rootsOf(3).map((s) => s.parentSpanId)), new Set([PARENT]));
    assert.deepEqual(new Set(rootsOf(4).map((s) => s.parentSpanId)), new Set(["1".repeat(16)]));
    for (const k of [0, 1, 2]) assert.ok(rootsOf(k).every((s) => s.parentSpanId === undefined));
    // Span ids unique across the export.
    const ids = all.flatMap((r) => r.spans.map((s) => s.spanId));
    assert.equal(new Set(ids).size, ids.length);
    // Their trace is not any one run's, and is the same whatever the order.
    const alone = otlpJson([files[0]]).resources[0].spans[0].traceId;
    assert.notEqual(alone, a);
    const reversed = otlpJson([...files].reverse(), () => {}).resources;
    assert.equal(reversed[4].spans[0].traceId, a);
    assert.deepEqual(reversed[4].spans, all[0].spans, "a run's spans whatever comes with it");
    // The warning is told by each export that reads the contexts.
    assert.equal(traceRuns(files, () => {}).length, 5);
  });
});

Deno.test("traceparent headers: the first of a list, trimmed; checked as in runs", () => {
  assert.equal(
    firstTraceparent(` ${TRACEPARENT} ,00-${"a".repeat(32)}-${"b".repeat(16)}-00`),
    TRACEPARENT,
  );
  assert.equal(firstTraceparent(TRACEPARENT), TRACEPARENT);
  assert.deepEqual(parseTraceparent(TRACEPARENT), {
    traceId: TRACE,
    parentSpanId: PARENT,
    flags: 1,
  });
  for (
    const bad of [
      "",
      `01-${TRACE}-${PARENT}-01`,
      `00-${TRACE.toUpperCase()}-${PARENT}-01`,
      `00-${"0".repeat(32)}-${PARENT}-01`,
      `00-${TRACE}-${"0".repeat(16)}-01`,
      `00-${TRACE}-${PARENT}-01-extra`,
    ]
  ) assert.equal(parseTraceparent(bad), null, bad);
});

Deno.test("sent_trace: checked strictly; a malformed one is a problem, not a crash", () => {
  assert.equal(readSentTrace(undefined), null);
  const ok = readSentTrace({ trace_id: TRACE, spans: { "3": PARENT, "12": "1".repeat(16) } });
  assert.ok(ok !== null && typeof ok === "object");
  assert.equal(ok.traceId, TRACE);
  assert.deepEqual([...ok.spans], [[3, PARENT], [12, "1".repeat(16)]]);
  assert.deepEqual(readSentTrace({ trace_id: TRACE }), { traceId: TRACE, spans: new Map() });
  for (
    const bad of [
      "x",
      [],
      { trace_id: "0".repeat(32) },
      { trace_id: TRACE.toUpperCase() },
      { trace_id: TRACE, spans: [] },
      { trace_id: TRACE, spans: { "0": PARENT } },
      { trace_id: TRACE, spans: { "1.5": PARENT } },
      { trace_id: TRACE, spans: { "2": "0".repeat(16) } },
      { trace_id: TRACE, spans: { "2": 7 } },
    ]
  ) assert.equal(typeof readSentTrace(bad), "string", JSON.stringify(bad));
});

Deno.test("otlp: a run that sent context on is in that trace, its senders' spans the ids sent", async () => {
  const SENT_A = "0123456789abcdef", SENT_B = "fedcba9876543210";
  const OWN_TRACE = "5" + "0".repeat(30) + "7";
  await withRuns([
    {
      from: CHECKOUT,
      name: "run_20261120T091500_042_checkout_a1b2c3.json",
      meta: { sent_trace: { trace_id: OWN_TRACE, spans: { "2": SENT_A, "1": SENT_B } } },
    },
    { from: SERVER, name: "run_20261122T081502_123_server_c0ffee.json" },
    {
      from: SERVER,
      name: "run_20261122T081502_123_server_c0ffef.json",
      meta: {
        trace_context: { traceparent: TRACEPARENT },
        sent_trace: { trace_id: TRACE, spans: { "1": SENT_A.replace("0", "9") } },
      },
    },
    {
      from: SERVER,
      name: "run_20261122T081502_123_server_c0fff0.json",
      meta: { sent_trace: { trace_id: TRACE, spans: { "1": "nope" } } },
    },
  ], (files) => {
    const warnings: string[] = [];
    const all = otlpJson(files, (line) => warnings.push(line)).resources;
    assert.deepEqual(warnings, [
      "20261122T081502_123_server_c0fff0: its sent_trace is ignored: its sent_trace's span id " +
      "of call 1 is not 16 lowercase hex digits",
    ]);
    // The sender: in the trace it sent, calls 1 and 2 with the ids sent, their children under them.
    const sender = all[0].spans;
    assert.ok(sender.every((s) => s.traceId === OWN_TRACE));
    assert.equal(sender[0].spanId, SENT_B);
    assert.equal(sender[1].spanId, SENT_A);
    const calls = otlpJson([files[0]]).resources[0].spans;
    assert.deepEqual(calls, sender, "the same ids alone");
    const callers = callersOf(JSON.parse(readFileSync(CHECKOUT, "utf8")).trace);
    sender.forEach((s, k) => {
      const caller = callers[k + 1];
      assert.equal(s.parentSpanId, caller === 0 ? undefined : sender[caller - 1].spanId);
    });
    // The one without context nor a (valid) record of it is loose, in a trace of its own.
    assert.notEqual(all[1].spans[0].traceId, OWN_TRACE);
    assert.equal(all[1].spans[0].traceId, all[3].spans[0].traceId);
    // A run with a trace context stays in its trace, under its span.
    assert.ok(all[2].spans.every((s) => s.traceId === TRACE));
    assert.equal(all[2].spans[0].spanId, SENT_A.replace("0", "9"));
    assert.equal(all[2].spans[0].parentSpanId, PARENT);
    const ids = all.flatMap((r) => r.spans.map((s) => s.spanId));
    assert.equal(new Set(ids).size, ids.length);
  });
});

/** ExportTraceServiceRequest as @opentelemetry/otlp-transformer's generated code decodes it. */
function decodeTraceRequest(body: Uint8Array): Decoded {
  const require = createRequire(import.meta.url);
  const root = require(
    "../../../node_modules/@opentelemetry/otlp-transformer/build/src/generated/root.js",
  );
  const Request = root.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
  return Request.toObject(Request.decode(body), { longs: String });
}

const hexOf = (b: Uint8Array | undefined) =>
  b === undefined || b.length === 0
    ? undefined
    : [...b].map((x) => x.toString(16).padStart(2, "0")).join("");

Deno.test("otlp protobuf: the requests sent carry the same ids as the JSON export", async () => {
  await withRuns([
    { from: CHECKOUT, name: "run_20261120T091500_042_checkout_a1b2c3.json" },
    {
      from: SERVER,
      name: "run_20261122T081502_123_server_c0ffee.json",
      meta: { trace_context: { traceparent: TRACEPARENT, tracestate: "congo=t61rcWkgMzE" } },
    },
  ], async (files, dir) => {
    const bodies: Uint8Array[] = [];
    const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
      bodies.push(new Uint8Array(await req.arrayBuffer()));
      return new Response("");
    });
    try {
      const url = `http://127.0.0.1:${server.addr.port}`;
      const sent = await sendOtlp(files, otlpTarget(url), {
        spillPath: join(dir, "spill.tmp"),
        maxBytes: 2000,
      });
      assert.ok(sent.requests > 2, `${sent.requests} requests`);
      const spans: (Span & { service: string })[] = [];
      for (const body of bodies) {
        const rs = decodeTraceRequest(body).resourceSpans;
        assert.equal(rs.length, 1, "a request holds one run's spans");
        const service = rs[0].resource.attributes.find((a: Decoded) => a.key === "service.name")
          .value.stringValue;
        for (const s of rs[0].scopeSpans[0].spans) {
          spans.push({
            service,
            name: s.name,
            traceId: hexOf(s.traceId)!,
            spanId: hexOf(s.spanId)!,
            parentSpanId: hexOf(s.parentSpanId),
            traceState: s.traceState === "" ? undefined : s.traceState,
          });
        }
      }
      const json = otlpJson(files).resources.flatMap((r) =>
        r.spans.map((s) => ({ service: r.service, ...s }))
      );
      assert.deepEqual(spans, json);
      const joined = spans.filter((s) => s.traceId === TRACE);
      assert.equal(joined.length, files[1].meta.call_count);
      assert.ok(joined.every((s) => s.traceState === "congo=t61rcWkgMzE"));
      assert.ok(joined.some((s) => s.parentSpanId === PARENT));
    } finally {
      await server.shutdown();
    }
  });
});
