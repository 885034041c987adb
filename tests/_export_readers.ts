// Readers of tph's exports written for the tests alone (nothing of src/): each checks a file as
// the tool that opens it would, and gives back the calls it holds, in a shape to compare with the
// run's JSON.

import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { inflateSync } from "node:zlib";
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
  /** Flow arrows: id, the track it leaves (at its time), the track it reaches. */
  flows: { id: number; from: string; to: string; ts: number }[];
} {
  const doc = JSON.parse(text);
  assert.ok(Array.isArray(doc.traceEvents), "traceEvents is an array");
  assert.equal(doc.displayTimeUnit, "ns");
  const threads = new Map<number, string>();
  let process = "";
  const calls: ExportedCall[] = [];
  const byTid = new Map<number, { start: number; end: number; what: string }[]>();
  const open = new Map<string, number>();
  const flowEnds = new Map<
    number,
    { s?: { tid: number; ts: number }; f?: { tid: number; ts: number } }
  >();
  for (const e of doc.traceEvents) {
    assert.equal(e.pid, 1);
    if (e.ph === "M") {
      if (e.name === "process_name") process = e.args.name;
      if (e.name === "thread_name") threads.set(e.tid, e.args.name);
      continue;
    }
    if (e.ph === "s" || e.ph === "f") {
      const ends = flowEnds.get(e.id) ?? {};
      flowEnds.set(e.id, ends);
      assert.equal(ends[e.ph as "s" | "f"], undefined, `one ${e.ph} for flow ${e.id}`);
      ends[e.ph as "s" | "f"] = { tid: e.tid, ts: e.ts };
      if (e.ph === "f") assert.equal(e.bp, "e", "a flow ends in the slice that encloses it");
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
  const flows = [];
  for (const [id, { s, f }] of flowEnds) {
    assert.ok(s !== undefined && f !== undefined, `flow ${id} has both ends`);
    flows.push({ id, from: threads.get(s.tid)!, to: threads.get(f.tid)!, ts: s.ts });
  }
  return { calls, threads, process, other: doc.otherData, flows };
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

// Perfetto's messages as this reader knows them (from Perfetto's protos/perfetto/trace/*.proto;
// written here apart from src/ so that a wrong field number there shows as a wrong reading here).
const field = (type: string, id: number, repeated = false) =>
  repeated ? { type, id, rule: "repeated" } : { type, id };
const proto2 = (fields: Record<string, { type: string; id: number; rule?: string }>) => ({
  edition: "proto2",
  fields,
});
const PERFETTO = {
  nested: {
    Trace: proto2({ packet: field("TracePacket", 1, true) }),
    TracePacket: proto2({
      clock_snapshot: field("ClockSnapshot", 6),
      timestamp: field("uint64", 8),
      trusted_packet_sequence_id: field("uint32", 10),
      track_event: field("TrackEvent", 11),
      interned_data: field("InternedData", 12),
      sequence_flags: field("uint32", 13),
      compressed_packets: field("bytes", 50),
      timestamp_clock_id: field("uint32", 58),
      trace_packet_defaults: field("TracePacketDefaults", 59),
      track_descriptor: field("TrackDescriptor", 60),
    }),
    TracePacketDefaults: proto2({
      track_event_defaults: field("TrackEventDefaults", 11),
      timestamp_clock_id: field("uint32", 58),
    }),
    ClockSnapshot: proto2({ clocks: field("Clock", 1, true) }),
    Clock: proto2({
      clock_id: field("uint32", 1),
      timestamp: field("uint64", 2),
      is_incremental: field("bool", 3),
      unit_multiplier_ns: field("uint64", 4),
    }),
    TrackEventDefaults: proto2({ track_uuid: field("uint64", 11) }),
    TrackDescriptor: proto2({
      uuid: field("uint64", 1),
      name: field("string", 2),
      process: field("ProcessDescriptor", 3),
      thread: field("ThreadDescriptor", 4),
      parent_uuid: field("uint64", 5),
    }),
    ProcessDescriptor: proto2({
      pid: field("int32", 1),
      cmdline: field("string", 2, true),
      process_name: field("string", 6),
    }),
    ThreadDescriptor: proto2({
      pid: field("int32", 1),
      tid: field("int64", 2),
      thread_name: field("string", 5),
    }),
    TrackEvent: proto2({
      category_iids: field("uint64", 3, true),
      debug_annotations: field("DebugAnnotation", 4, true),
      type: field("int32", 9),
      name_iid: field("uint64", 10),
      track_uuid: field("uint64", 11),
      categories: field("string", 22, true),
      name: field("string", 23),
      source_location_iid: field("uint64", 34),
      flow_ids: field("fixed64", 47, true),
      terminating_flow_ids: field("fixed64", 48, true),
    }),
    DebugAnnotation: proto2({
      name_iid: field("uint64", 1),
      bool_value: field("bool", 2),
      uint_value: field("uint64", 3),
      int_value: field("int64", 4),
      string_value: field("string", 6),
      name: field("string", 10),
      dict_entries: field("DebugAnnotation", 11, true),
      string_value_iid: field("uint64", 17),
    }),
    InternedData: proto2({
      event_categories: field("Named", 1, true),
      event_names: field("Named", 2, true),
      debug_annotation_names: field("Named", 3, true),
      source_locations: field("SourceLocation", 4, true),
      debug_annotation_string_values: field("InternedString", 29, true),
    }),
    Named: proto2({ iid: field("uint64", 1), name: field("string", 2) }),
    SourceLocation: proto2({
      iid: field("uint64", 1),
      file_name: field("string", 2),
      function_name: field("string", 3),
      line_number: field("uint32", 4),
    }),
    InternedString: proto2({ iid: field("uint64", 1), str: field("bytes", 2) }),
  },
};

/** A decoded message, as protobufjs's toObject gives it. */
// deno-lint-ignore no-explicit-any
type Decoded = any;

/**
 * A Perfetto trace: decoded packet by packet as Perfetto's trace processor reads it (interned
 * data from earlier packets of the sequence, events sorted by time, ties in file order), each
 * track's begin and end events matched; the calls it holds, as readChrome gives them.
 */
export async function readPerfetto(bytes: Uint8Array): Promise<PerfettoProcess> {
  const packets = await decodePerfetto(bytes);
  for (const p of packets) assert.equal(p.trusted_packet_sequence_id, 1, "one packet sequence");
  return readSequence(packets);
}

/**
 * A Perfetto trace of several runs: each a packet sequence of its own (1, 2, …, interning apart)
 * describing a process of its own; each read as readPerfetto reads one, in sequence order.
 */
export async function readPerfettoRuns(bytes: Uint8Array): Promise<PerfettoProcess[]> {
  const bySequence = new Map<number, Decoded[]>();
  for (const p of await decodePerfetto(bytes)) {
    const id = p.trusted_packet_sequence_id;
    if (!bySequence.has(id)) bySequence.set(id, []);
    bySequence.get(id)!.push(p);
  }
  const ids = [...bySequence.keys()].sort((a, b) => a - b);
  assert.deepEqual(ids, ids.map((_, k) => k + 1), "sequences 1, 2, …");
  const runs = ids.map((id) => readSequence(bySequence.get(id)!));
  const uuids = new Set<string>();
  runs.forEach((r, k) => {
    assert.equal(r.pid, k + 1, "a process per run");
    for (const u of r.trackUuids) {
      assert.ok(!uuids.has(u), `track uuid ${u} is one run's`);
      uuids.add(u);
    }
  });
  return runs;
}

/** What readPerfetto gives. */
export interface PerfettoProcess {
  calls: ExportedCall[];
  threads: Map<number, string>;
  process: string;
  pid: number;
  trackUuids: string[];
  flows: { id: number; from: string; to: string; ts: number }[];
}

/**
 * A Perfetto trace's packets in file order, as Perfetto's trace processor reads them: bundles of
 * `compressed_packets` inflated in their place, and each packet's time resolved to ns of the
 * trace's clock (BOOTTIME) as `ns`: a time on a clock of its sequence (64–127, the packet's own
 * or the sequence's default) goes through that clock's last snapshot, a delta from the clock's
 * previous time when it is incremental. A clock used before its snapshot fails.
 */
export async function decodePerfetto(bytes: Uint8Array): Promise<Decoded[]> {
  const { default: protobuf } = await import("protobufjs/light.js");
  const Trace = protobuf.Root.fromJSON(PERFETTO).lookupType("Trace");
  const decode = (b: Uint8Array): Decoded[] =>
    Trace.toObject(Trace.decode(b), { longs: Number, bytes: String }).packet ?? [];
  const packets: Decoded[] = [];
  for (const p of decode(bytes)) {
    if (p.compressed_packets === undefined) {
      packets.push(p);
      continue;
    }
    assert.equal(Object.keys(p).length, 1, "a bundle of compressed packets holds nothing else");
    const inner = decode(inflateSync(Buffer.from(p.compressed_packets, "base64")));
    assert.ok(inner.every((q) => q.compressed_packets === undefined), "bundles do not nest");
    packets.push(...inner);
  }
  resolveTimes(packets);
  return packets;
}

/**
 * A Perfetto trace's bytes with its bundles inflated in their place, as latin1 text: what a search
 * of its texts must look through (a bundle's deflated bytes hide them).
 */
export async function perfettoText(bytes: Uint8Array): Promise<string> {
  const { default: protobuf } = await import("protobufjs/light.js");
  const Trace = protobuf.Root.fromJSON(PERFETTO).lookupType("Trace");
  const packets = Trace.toObject(Trace.decode(bytes), { bytes: Buffer }).packet ?? [];
  const parts = packets.map((p: Decoded) =>
    p.compressed_packets === undefined
      ? Trace.encode(Trace.fromObject({ packet: [p] })).finish()
      : inflateSync(p.compressed_packets)
  );
  return Buffer.concat(parts).toString("latin1");
}

/** A sequence's clock: where it was last, and the trace's clock's ns at its value 0. */
interface SequenceClock {
  unit: number;
  incremental: boolean;
  value: number;
  zero: number;
}

function resolveTimes(packets: Decoded[]): void {
  const clocks = new Map<string, SequenceClock>();
  const defaults = new Map<number, number | undefined>();
  for (const p of packets) {
    const seq: number = p.trusted_packet_sequence_id;
    if ((p.sequence_flags ?? 0) & 1) defaults.set(seq, undefined);
    const d = p.trace_packet_defaults;
    if (d !== undefined) defaults.set(seq, d.timestamp_clock_id);
    if (p.clock_snapshot !== undefined) {
      const all = p.clock_snapshot.clocks;
      const boot = all.find((c: Decoded) => c.clock_id === 6);
      assert.ok(boot !== undefined, "a snapshot holds the trace's clock (BOOTTIME)");
      for (const c of all) {
        if (c.clock_id === 6) continue;
        assert.ok(c.clock_id >= 64 && c.clock_id < 128, `clock ${c.clock_id} is a sequence's`);
        const unit = c.unit_multiplier_ns ?? 1;
        const value = c.timestamp ?? 0;
        const key = `${seq}:${c.clock_id}`;
        const known = clocks.get(key);
        if (known !== undefined) {
          assert.equal(known.unit, unit, "a clock keeps its unit");
          assert.ok(value >= known.value, `clock ${key} goes on, not back`);
        }
        const zero = (boot.timestamp ?? 0) - value * unit;
        clocks.set(key, { unit, incremental: c.is_incremental === true, value, zero });
      }
    }
    if (p.timestamp === undefined) continue;
    const id: number = p.timestamp_clock_id ?? defaults.get(seq) ?? 6;
    if (id === 6) {
      p.ns = p.timestamp;
      continue;
    }
    const clock = clocks.get(`${seq}:${id}`);
    assert.ok(clock !== undefined, `clock ${id} of sequence ${seq} is set before it is used`);
    clock.value = clock.incremental ? clock.value + p.timestamp : p.timestamp;
    p.ns = clock.zero + clock.value * clock.unit;
  }
}

/** One packet sequence's process, tracks and calls. */
function readSequence(packets: Decoded[]): PerfettoProcess {
  const names = new Map<number, string>();
  const events = new Map<number, string>();
  const cats = new Map<number, string>();
  const places = new Map<number, string>();
  const strings = new Map<number, string>();
  const tracks = new Map<number, string>();
  const threads = new Map<number, string>();
  let process = "";
  let pid = 0;
  let cleared = false;
  let defaultTrack: number | undefined;
  const flowStarts = new Map<number, { track: number; ts: number }>();
  const flowEnds = new Map<number, { track: number; ts: number }>();
  const timed: { ts: number; order: number; track: number; e: Record<string, unknown> }[] = [];
  const decoder = new TextDecoder();
  /** What an iid names, failing when the sequence did not intern it (since its last clear). */
  const look = <T>(table: Map<number, T>, iid: number, what: string): T => {
    assert.ok(table.has(iid), `${what} iid ${iid} is interned before it is used`);
    return table.get(iid)!;
  };
  packets.forEach((p: Decoded, order: number) => {
    if ((p.sequence_flags ?? 0) & 1) {
      // The incremental state starts over: what was interned before is gone.
      cleared = true;
      for (const table of [names, events, cats, places, strings]) table.clear();
      defaultTrack = undefined;
    }
    if ((p.sequence_flags ?? 0) & 2) assert.ok(cleared, "interned state cleared before it is used");
    const defaults = p.trace_packet_defaults?.track_event_defaults?.track_uuid;
    if (defaults !== undefined) defaultTrack = defaults;
    const i = p.interned_data;
    if (i !== undefined) {
      for (const n of i.debug_annotation_names ?? []) names.set(n.iid, n.name);
      for (const n of i.event_names ?? []) events.set(n.iid, n.name);
      for (const n of i.event_categories ?? []) cats.set(n.iid, n.name);
      for (const s of i.source_locations ?? []) {
        places.set(s.iid, `${s.file_name}:${s.line_number}`);
      }
      for (const s of i.debug_annotation_string_values ?? []) {
        strings.set(s.iid, decoder.decode(Uint8Array.from(atob(s.str), (c) => c.charCodeAt(0))));
      }
    }
    const d = p.track_descriptor;
    if (d !== undefined) {
      if (d.process !== undefined) {
        process = d.process.process_name;
        pid = d.process.pid;
      }
      if (d.thread !== undefined) {
        tracks.set(d.uuid, d.thread.thread_name);
        threads.set(Number(d.thread.tid), d.thread.thread_name);
      }
    }
    const e = p.track_event;
    if (e === undefined) return;
    // Resolved now: what an iid names is what the sequence had interned by this packet.
    const value = (a: Decoded): unknown =>
      a.string_value_iid !== undefined
        ? look(strings, a.string_value_iid, "string value")
        : a.dict_entries !== undefined && a.dict_entries.length > 0
        ? Object.fromEntries(
          a.dict_entries.map((
            x: Decoded,
          ) => [look(names, x.name_iid, "annotation name"), value(x)]),
        )
        : a.string_value ?? a.uint_value ?? a.bool_value;
    const annotations: Record<string, unknown> = {};
    const args: Record<string, unknown> = {};
    for (const a of e.debug_annotations ?? []) {
      const name = look(names, a.name_iid, "annotation name");
      if (name.startsWith("args.")) args[name.slice(5)] = value(a);
      else annotations[name] = value(a);
    }
    if (Object.keys(args).length > 0) annotations.args = args;
    const track = e.track_uuid ?? defaultTrack;
    assert.ok(typeof p.ns === "number", "a track event has a time");
    for (const id of e.flow_ids ?? []) flowStarts.set(id, { track, ts: p.ns });
    for (const id of e.terminating_flow_ids ?? []) flowEnds.set(id, { track, ts: p.ns });
    const category = (k: number) => look(cats, k, "category");
    if (e.type === 3) { // an instant: where an arrow leaves from
      if (e.name_iid !== undefined) look(events, e.name_iid, "event name");
      (e.category_iids ?? []).forEach(category);
      return;
    }
    const resolved = {
      type: e.type,
      name: e.name_iid === undefined ? undefined : look(events, e.name_iid, "event name"),
      cats: (e.category_iids ?? []).map(category),
      at: e.source_location_iid === undefined
        ? undefined
        : look(places, e.source_location_iid, "source location"),
      args: annotations,
    };
    assert.ok(tracks.has(track), "the track is described before its events");
    timed.push({ ts: p.ns, order, track, e: resolved });
  });
  timed.sort((a, b) => a.ts - b.ts || a.order - b.order);
  const open = new Map<number, { ts: number; e: Decoded }[]>();
  const calls: ExportedCall[] = [];
  for (const t of timed) {
    const stack = open.get(t.track) ?? [];
    open.set(t.track, stack);
    if (t.e.type === 1) {
      stack.push({ ts: t.ts, e: t.e });
      continue;
    }
    assert.equal(t.e.type, 2, "slice begin or end");
    const begin = stack.pop();
    assert.ok(begin !== undefined, `an end with nothing open on ${tracks.get(t.track)}`);
    const a = begin.e.args;
    calls.push({
      id: a.call,
      name: begin.e.name,
      start: begin.ts / 1000,
      end: t.ts / 1000,
      track: tracks.get(t.track)!,
      args: a.args ?? {},
      returned: a.return,
      error: a.error,
      parent: a.caller,
    });
  }
  for (const [track, stack] of open) {
    assert.equal(stack.length, 0, `every begin on ${tracks.get(track)} has its end`);
  }
  const flows = [];
  for (const [id, start] of flowStarts) {
    const end = flowEnds.get(id);
    assert.ok(end !== undefined, `flow ${id} ends`);
    flows.push({
      id,
      from: tracks.get(start.track)!,
      to: tracks.get(end.track)!,
      ts: start.ts / 1000,
    });
  }
  assert.equal(flowEnds.size, flowStarts.size, "every flow that ends starts");
  return { calls, threads, process, pid, trackUuids: [...tracks.keys()].map(String), flows };
}
