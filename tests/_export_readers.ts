// Readers of tph's exports written for the tests alone (nothing of src/): each checks a file as
// the tool that opens it would, and gives back the calls it holds, in a shape to compare with the
// run's JSON.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv } from "ajv";
import type { CallNodeJSON } from "../src/types.ts";

/** A call as an export shows it. */
export interface ExportedCall {
  id: number;
  name: string;
  start: number;
  end: number;
  track: string;
  args: Record<string, string>;
  returned?: string;
  error?: string;
  parent?: number;
}

/** The recorded calls in stored order (depth first): id k is the k-th, from 1. */
export function callsInOrder(roots: CallNodeJSON[]): CallNodeJSON[] {
  const out: CallNodeJSON[] = [];
  const walk = (n: CallNodeJSON) => {
    out.push(n);
    n.children.forEach(walk);
  };
  roots.forEach(walk);
  return out;
}

/** The caller of each call by id (0: none), from the tree. */
export function callersOf(roots: CallNodeJSON[]): number[] {
  const parents = [0];
  let next = 1;
  const walk = (n: CallNodeJSON, parent: number) => {
    const id = next++;
    parents[id] = parent;
    n.children.forEach((c) => walk(c, id));
  };
  roots.forEach((r) => walk(r, 0));
  return parents;
}

/** Slices on one track must be disjoint or nested, as a trace viewer draws them. */
export function assertNests(slices: { start: number; end: number; what: string }[], track: string) {
  const sorted = [...slices].sort((a, b) => a.start - b.start || b.end - a.end);
  const open: { start: number; end: number; what: string }[] = [];
  for (const s of sorted) {
    assert.ok(s.end >= s.start, `${s.what} ends before it starts`);
    while (open.length > 0 && open[open.length - 1].end <= s.start) open.pop();
    const top = open[open.length - 1];
    assert.ok(
      top === undefined || s.end <= top.end,
      `on track ${track}, ${s.what} [${s.start}, ${s.end}] overlaps ${top?.what} [${top?.start}, ${top?.end}]`,
    );
    open.push(s);
  }
}

/** A Trace Event Format file: checked, with its calls. */
export function readChrome(text: string): {
  calls: ExportedCall[];
  threads: Map<number, string>;
  process: string;
  other: Record<string, unknown>;
} {
  const doc = JSON.parse(text);
  assert.ok(Array.isArray(doc.traceEvents), "traceEvents is an array");
  assert.equal(doc.displayTimeUnit, "ns");
  const threads = new Map<number, string>();
  let process = "";
  const calls: ExportedCall[] = [];
  const byTid = new Map<number, { start: number; end: number; what: string }[]>();
  const open = new Map<string, number>();
  for (const e of doc.traceEvents) {
    assert.equal(e.pid, 1);
    if (e.ph === "M") {
      if (e.name === "process_name") process = e.args.name;
      if (e.name === "thread_name") threads.set(e.tid, e.args.name);
      continue;
    }
    if (e.ph === "b" || e.ph === "e") {
      const key = `${e.cat}:${e.id}`;
      open.set(key, (open.get(key) ?? 0) + (e.ph === "b" ? 1 : -1));
      continue;
    }
    assert.equal(e.ph, "X", `event kind ${e.ph}`);
    assert.equal(typeof e.ts, "number");
    assert.equal(typeof e.dur, "number");
    assert.equal(typeof e.cat, "string");
    const slices = byTid.get(e.tid) ?? [];
    byTid.set(e.tid, slices);
    slices.push({ start: e.ts, end: e.ts + e.dur, what: `${e.name} #${e.args.call}` });
    calls.push({
      id: e.args.call,
      name: e.name,
      start: e.ts,
      end: e.ts + e.dur,
      track: String(e.tid),
      args: e.args.args ?? {},
      returned: e.args.return,
      error: e.args.error,
      parent: e.args.caller,
    });
  }
  for (const [key, n] of open) assert.equal(n, 0, `b/e of ${key} balanced`);
  for (const [tid, slices] of byTid) {
    assert.ok(threads.has(tid), `track ${tid} has a thread_name`);
    assertNests(slices, String(tid));
  }
  return { calls, threads, process, other: doc.otherData };
}

const SCHEMA = JSON.parse(
  readFileSync(
    join(import.meta.dirname!, "../node_modules/speedscope/dist/release/file-format-schema.json"),
    "utf8",
  ),
);

/** A speedscope file: valid against speedscope's published schema, each profile's events in
 * time order and balanced; the calls it holds (by profile, as opens and closes). */
export function readSpeedscope(text: string): {
  profiles: {
    name: string;
    opens: number;
    slices: { start: number; end: number; frame: string }[];
  }[];
  frames: { name: string; file?: string; line?: number }[];
} {
  const doc = JSON.parse(text) as {
    shared: { frames: { name: string; file?: string; line?: number }[] };
    profiles: {
      type: string;
      name: string;
      endValue: number;
      events: { type: "O" | "C"; frame: number; at: number }[];
    }[];
  };
  const ajv = new Ajv({ allErrors: true, strict: false });
  const valid = ajv.validate(SCHEMA, structuredClone(doc));
  assert.ok(valid, `speedscope schema: ${ajv.errorsText(ajv.errors)}`);
  const frames = doc.shared.frames;
  const profiles = [];
  for (const p of doc.profiles) {
    assert.equal(p.type, "evented");
    const stack: { frame: number; at: number }[] = [];
    const slices: { start: number; end: number; frame: string }[] = [];
    let at = -Infinity;
    let opens = 0;
    for (const e of p.events) {
      assert.ok(e.at >= at, `${p.name}: events in time order (${e.at} after ${at})`);
      at = e.at;
      assert.ok(e.frame >= 0 && e.frame < frames.length, "frame in the table");
      if (e.type === "O") {
        stack.push({ frame: e.frame, at: e.at });
        opens++;
      } else {
        const top = stack.pop();
        assert.ok(top !== undefined, `${p.name}: a close with nothing open`);
        assert.equal(top.frame, e.frame, `${p.name}: closes the frame opened last`);
        slices.push({ start: top.at, end: e.at, frame: frames[e.frame].name });
      }
    }
    assert.equal(stack.length, 0, `${p.name}: every open is closed`);
    assert.ok(at <= p.endValue, `${p.name}: events within the profile`);
    profiles.push({ name: p.name, opens, slices });
  }
  return { profiles, frames };
}

/** An OTLP/JSON traces document: the encoding's rules checked; its spans. */
export function readOtlpJson(text: string): {
  service: string;
  spans: {
    spanId: string;
    parentSpanId?: string;
    name: string;
    start: bigint;
    end: bigint;
    attributes: Record<string, unknown>;
    status?: { code: number; message?: string };
  }[];
} {
  const doc = JSON.parse(text);
  assert.equal(doc.resourceSpans.length, 1, "one resourceSpans per run");
  const rs = doc.resourceSpans[0];
  const attr = (list: { key: string; value: Record<string, unknown> }[]) => {
    const out: Record<string, unknown> = {};
    for (const a of list) {
      const [kind, v] = Object.entries(a.value)[0];
      out[a.key] = kind === "intValue" ? (assert.match(String(v), /^-?\d+$/), Number(v)) : v;
    }
    return out;
  };
  const service = attr(rs.resource.attributes)["service.name"] as string;
  const spans = [];
  let trace: string | null = null;
  for (const ss of rs.scopeSpans) {
    for (const s of ss.spans) {
      assert.match(s.traceId, /^[0-9a-f]{32}$/);
      assert.notEqual(s.traceId, "0".repeat(32));
      trace ??= s.traceId;
      assert.equal(s.traceId, trace, "one trace id per run");
      assert.match(s.spanId, /^[0-9a-f]{16}$/);
      if (s.parentSpanId !== undefined) assert.match(s.parentSpanId, /^[0-9a-f]{16}$/);
      assert.equal(typeof s.kind, "number", "enums are integers");
      assert.match(s.startTimeUnixNano, /^\d+$/, "nanoseconds as a string");
      assert.match(s.endTimeUnixNano, /^\d+$/);
      if (s.status !== undefined) assert.equal(typeof s.status.code, "number");
      spans.push({
        spanId: s.spanId,
        parentSpanId: s.parentSpanId,
        name: s.name,
        start: BigInt(s.startTimeUnixNano),
        end: BigInt(s.endTimeUnixNano),
        attributes: attr(s.attributes),
        status: s.status,
      });
    }
  }
  const ids = new Set(spans.map((s) => s.spanId));
  assert.equal(ids.size, spans.length, "span ids are unique");
  for (const s of spans) {
    if (s.parentSpanId !== undefined) assert.ok(ids.has(s.parentSpanId), "the parent is a span");
    assert.ok(s.start <= s.end, `${s.name} ends after it starts`);
  }
  return { service, spans };
}
