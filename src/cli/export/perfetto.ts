// `tph export --format perfetto`: Perfetto's own trace format, a protobuf `Trace` of TracePackets
// holding TrackEvents, encoded with protobufjs from the messages below (the subset tph writes,
// with the field numbers of Perfetto's published protos/perfetto/trace/*.proto). The same content
// as the chrome export — the same tracks, calls and values — but names, files, argument names and
// values are interned (written once per packet sequence, then referred to by number), times are
// deltas in µs on an incremental clock of the sequence, each call is a begin and an end packet of
// a few bytes, and the packets are deflated in bundles (`compressed_packets`, which Perfetto's
// trace processor and UI inflate): far smaller than the chrome JSON.

import type * as Zlib from "node:zlib";
import type { ByteSink } from "../../run_file/json_sink.ts";
import type { RunFile } from "../../run_file/decode.ts";
import { type ExportCall, inTurn, walkCalls, type WalkOptions, type WalkResult } from "./calls.ts";
import { placeOf } from "./out.ts";
import { type Fields, message, messageType } from "./proto.ts";
import { categoriesOf, type ExportStats } from "./summary.ts";
import { placeRuns, type RunPlace } from "./family.ts";

// node:zlib when a bundle is first deflated: the standalone binary's CLI is one bundle whose
// built-ins all load as it starts, and node:zlib (with Bun's streams) cost every command ~7 ms.
let zlib: typeof Zlib | null = null;

const proto2 = (fields: Fields) => message(fields, "proto2");
const named = proto2({ iid: { type: "uint64", id: 1 }, name: { type: "string", id: 2 } });

/** The messages, from Perfetto's protos (proto2: explicit presence, repeated scalars unpacked). */
export const PERFETTO_MESSAGES = {
  nested: {
    perfetto: {
      nested: {
        Trace: proto2({ packet: { rule: "repeated", type: "TracePacket", id: 1 } }),
        TracePacket: proto2({
          clock_snapshot: { type: "ClockSnapshot", id: 6 },
          timestamp: { type: "uint64", id: 8 },
          trusted_packet_sequence_id: { type: "uint32", id: 10 },
          track_event: { type: "TrackEvent", id: 11 },
          interned_data: { type: "InternedData", id: 12 },
          sequence_flags: { type: "uint32", id: 13 },
          compressed_packets: { type: "bytes", id: 50 },
          timestamp_clock_id: { type: "uint32", id: 58 },
          trace_packet_defaults: { type: "TracePacketDefaults", id: 59 },
          track_descriptor: { type: "TrackDescriptor", id: 60 },
        }),
        TracePacketDefaults: proto2({
          track_event_defaults: { type: "TrackEventDefaults", id: 11 },
          timestamp_clock_id: { type: "uint32", id: 58 },
        }),
        ClockSnapshot: proto2({ clocks: { rule: "repeated", type: "Clock", id: 1 } }),
        Clock: proto2({
          clock_id: { type: "uint32", id: 1 },
          timestamp: { type: "uint64", id: 2 },
          is_incremental: { type: "bool", id: 3 },
          unit_multiplier_ns: { type: "uint64", id: 4 },
        }),
        TrackEventDefaults: proto2({ track_uuid: { type: "uint64", id: 11 } }),
        TrackDescriptor: proto2({
          uuid: { type: "uint64", id: 1 },
          name: { type: "string", id: 2 },
          process: { type: "ProcessDescriptor", id: 3 },
          thread: { type: "ThreadDescriptor", id: 4 },
          parent_uuid: { type: "uint64", id: 5 },
        }),
        ProcessDescriptor: proto2({
          pid: { type: "int32", id: 1 },
          cmdline: { rule: "repeated", type: "string", id: 2 },
          process_name: { type: "string", id: 6 },
        }),
        ThreadDescriptor: proto2({
          pid: { type: "int32", id: 1 },
          tid: { type: "int64", id: 2 },
          thread_name: { type: "string", id: 5 },
        }),
        TrackEvent: proto2({
          category_iids: { rule: "repeated", type: "uint64", id: 3 },
          debug_annotations: { rule: "repeated", type: "DebugAnnotation", id: 4 },
          type: { type: "int32", id: 9 },
          name_iid: { type: "uint64", id: 10 },
          track_uuid: { type: "uint64", id: 11 },
          source_location_iid: { type: "uint64", id: 34 },
          flow_ids: { rule: "repeated", type: "fixed64", id: 47 },
          terminating_flow_ids: { rule: "repeated", type: "fixed64", id: 48 },
        }),
        DebugAnnotation: proto2({
          name_iid: { type: "uint64", id: 1 },
          bool_value: { type: "bool", id: 2 },
          uint_value: { type: "uint64", id: 3 },
          string_value: { type: "string", id: 6 },
          dict_entries: { rule: "repeated", type: "DebugAnnotation", id: 11 },
          string_value_iid: { type: "uint64", id: 17 },
        }),
        InternedData: proto2({
          event_categories: { rule: "repeated", type: "EventCategory", id: 1 },
          event_names: { rule: "repeated", type: "EventName", id: 2 },
          debug_annotation_names: { rule: "repeated", type: "DebugAnnotationName", id: 3 },
          source_locations: { rule: "repeated", type: "SourceLocation", id: 4 },
          debug_annotation_string_values: { rule: "repeated", type: "InternedString", id: 29 },
        }),
        EventCategory: named,
        EventName: named,
        DebugAnnotationName: named,
        SourceLocation: proto2({
          iid: { type: "uint64", id: 1 },
          file_name: { type: "string", id: 2 },
          function_name: { type: "string", id: 3 },
          line_number: { type: "uint32", id: 4 },
        }),
        InternedString: proto2({
          iid: { type: "uint64", id: 1 },
          str: { type: "bytes", id: 2 },
        }),
      },
    },
  },
};

/** TrackEvent.Type and TracePacket.SequenceFlags, as Perfetto numbers them. */
const SLICE_BEGIN = 1, SLICE_END = 2, INSTANT = 3;
const SEQ_INCREMENTAL_STATE_CLEARED = 1, SEQ_NEEDS_INCREMENTAL_STATE = 2;
/**
 * The clocks: the trace's (BOOTTIME, ns) and each sequence's own (ids 64–127 are a sequence's),
 * incremental in µs — a packet's timestamp is the µs since the sequence's previous one.
 */
const BOOTTIME = 6, SEQUENCE_CLOCK = 64, CLOCK_UNIT_NS = 1000;
/** Tracks with a clock of their own (a sequence has 64: ids 64–127). */
const CLOCKS = 64;
/**
 * Each run is a packet sequence of its own (1, 2, …: interned strings are per sequence) and a
 * process of its own (a followed worker's: threads of its parent's), whose track uuids are the
 * process, then its tracks (main first), from `(run - 1) * 2^32 + 1`.
 */
const RUN_UUIDS = 0x100000000;
const processUuid = (run: number) => (run - 1) * RUN_UUIDS + 1;
const trackUuid = (run: number, track: number) => (run - 1) * RUN_UUIDS + track + 2;
/** Values up to this long are interned (stored once per distinct value); longer ones inline. */
const INTERN_MAX = 1 << 16;
/** How many strings, of how many characters in all, a sequence interns before it starts over. */
export interface InternLimits {
  count: number;
  chars: number;
}
const INTERN_LIMITS: InternLimits = { count: 1 << 17, chars: 8 << 20 };
/** Encoded packets deflated together (bytes before deflating), and the most a bundle may hold. */
const BUNDLE = 128 << 10;
const BUNDLE_MAX = 500_000;
/**
 * zlib's level: 2 deflates 3–4× faster than the default 6 for 10–30% more bytes (fib's 1M calls
 * 4.9 MB against 3.8; 81,500 async calls 2.2 MB against 2.0).
 */
const DEFLATE_LEVEL = 2;

// deno-lint-ignore no-explicit-any
type Packet = Record<string, any>;

/** How the trace is written, for tests: deflated bundles (the default) and interning limits. */
export interface PerfettoTuning {
  compress?: boolean;
  intern?: InternLimits;
}

/**
 * Write runs as a Perfetto trace: for each run, its process and main track, then each call as a
 * begin and an end packet (with the strings it interns first), batched into the target. Several
 * runs are processes apart (pid 1, 2, … in the order given) on one clock (from the earliest
 * run's start), but for a followed worker's, which is threads of its parent's process
 * (family.ts).
 *
 * @param files The runs.
 * @param target Where the bytes go.
 * @param options Depth and name filters.
 * @param tuning Compression and interning limits (tests).
 */
export async function writePerfetto(
  files: readonly RunFile[],
  target: ByteSink,
  options: WalkOptions,
  tuning: PerfettoTuning = {},
): Promise<ExportStats> {
  const out = new Packets(
    await messageType(PERFETTO_MESSAGES, "perfetto.Trace"),
    target,
    tuning.compress ?? true,
  );
  const starts = files.map((f) => {
    const ms = Date.parse(f.meta.timestamp);
    return Number.isFinite(ms) ? ms : 0;
  });
  const first = Math.min(...starts);
  const walks = inTurn(files.map((f) => f.meta.call_count), options);
  const stats: ExportStats = { calls: 0, tracks: 0 };
  let flowBase = 0;
  const places = placeRuns(files);
  const arrows = new Set<number>();
  files.forEach((file, k) => {
    const run = new RunSequence(
      k + 1,
      (starts[k] - first) * 1000,
      flowBase,
      places[k],
      tuning.intern ?? INTERN_LIMITS,
      out,
    );
    run.arrows = arrows;
    const result = writeRun(out, file, run, walks[k]);
    flowBase += file.meta.call_count;
    stats.calls += result.calls;
    stats.tracks += result.tracks;
  });
  out.flush();
  return stats;
}

/** Where a run goes in the trace: its sequence and process, its clock's shift (µs), its flows'. */
class RunSequence {
  readonly strings: Interned;
  readonly framesSeen: boolean[] = [];
  readonly run: number;
  readonly shift: number;
  readonly flowBase: number;
  readonly place: RunPlace;
  /** The arrows to children that left their calls (shared by the runs of the trace). */
  arrows = new Set<number>();
  /**
   * Each track's clock's time (µs of the trace) at its last packet: the walk gives a track's
   * packets in time order, not the run's (a call on another track starts before the last one's
   * end), so each of the first CLOCKS tracks counts on a clock of its own (64 + track; the main
   * track's is the sequence's default), later ones in ns of the trace's clock.
   */
  readonly #clocks: number[] = [];
  readonly #out: Packets;
  constructor(
    run: number,
    shift: number,
    flowBase: number,
    place: RunPlace,
    limits: InternLimits,
    out: Packets,
  ) {
    this.run = run;
    this.shift = shift;
    this.flowBase = flowBase;
    this.place = place;
    this.strings = new Interned(limits);
    this.strings.sequence = run;
    this.#out = out;
  }
  /** A track's uuid. */
  track(track: number): number {
    return trackUuid(this.run, track);
  }
  /** The time of the next packet (see `time`): its timestamp and clock (0: the default). */
  timestamp = 0;
  clock = 0;
  /**
   * Take the time of a packet on a track (µs of the run): µs since the track's previous packet
   * on its clock (started where its first packet is), or ns of the trace's clock. Comes before
   * the packet is written: a track's first time sets its clock first.
   */
  time(us: number, track: number): void {
    const t = us + this.shift;
    if (track < CLOCKS && Number.isSafeInteger(t)) {
      const last = this.#clocks[track];
      if (last === undefined) {
        this.#clocks[track] = t;
        this.#out.put(this.clockPacket(track));
      }
      if (last === undefined || t >= last) {
        this.timestamp = t - this.#clocks[track];
        this.#clocks[track] = t;
        this.clock = track === 0 ? 0 : SEQUENCE_CLOCK + track;
        return;
      }
    }
    // A run file may hold any number (a hostile one 1e308, whose ns are Infinity): a uint64 holds
    // what it can.
    const ns = Math.round(t * CLOCK_UNIT_NS);
    this.timestamp = ns > 0 ? Math.min(ns, MAX_UINT64) : 0;
    this.clock = BOOTTIME;
  }
  /** Write the packet's sequence and time (after `time`). */
  writeHead(w: ProtoWriter): void {
    w.uint(PACKET_SEQUENCE, this.run);
    w.uint(PACKET_TIMESTAMP, this.timestamp);
    if (this.clock !== 0) w.uint(PACKET_CLOCK, this.clock);
  }
  /** The packet that sets a track's clock where it is now, against the trace's clock. */
  clockPacket(track: number): Packet {
    const at = this.#clocks[track];
    return {
      trusted_packet_sequence_id: this.run,
      clock_snapshot: {
        clocks: [
          { clock_id: BOOTTIME, timestamp: at * CLOCK_UNIT_NS },
          {
            clock_id: SEQUENCE_CLOCK + track,
            timestamp: at,
            is_incremental: true,
            unit_multiplier_ns: CLOCK_UNIT_NS,
          },
        ],
      },
    };
  }
  /**
   * Start the sequence's incremental state over when its interned strings reached their limit
   * (memory stays bounded on a run of millions of distinct values): what is used next is
   * interned again.
   */
  startOverIfFull(out: Packets): void {
    if (!this.strings.full) return;
    this.strings.clear();
    this.framesSeen.length = 0;
    out.put(firstPacket(this.run));
    // Perfetto's writers set their sequence's clocks again after a clear (its reader keeps them).
    this.#clocks.forEach((_, track) => out.put(this.clockPacket(track)));
  }
}

/** One run's packets. */
function writeRun(
  out: Packets,
  file: RunFile,
  run: RunSequence,
  options: WalkOptions,
): WalkResult {
  const sequence = run.run;
  const place = run.place;
  const thread = (track: number) => out.put(threadPacket(track, place, sequence));
  if (place.thread) {
    // A worker's run is threads of its parent's process: its first packet is its main thread's.
    out.put({ ...firstPacket(sequence), ...threadPacket(0, place, sequence) });
  } else {
    out.put(processPacket(file, place, sequence));
    thread(0);
  }
  // The arrow from the call that started this run, if it was drawn.
  let arrowIn = place.startedBy !== null && run.arrows.has(place.startedBy.arrow)
    ? place.startedBy.arrow
    : 0;
  return walkCalls(file, options, {
    track: thread,
    open(call: ExportCall) {
      putCallBegin(out, run, call, call.depth === 0 ? arrowIn : 0);
      if (call.depth === 0) arrowIn = 0;
      for (const child of place.starts.get(call.id) ?? []) {
        run.arrows.add(child.arrow);
        putArrow(out, run, call, child.at, child.arrow);
      }
    },
    close(track, _id, _frame, end) {
      run.time(end, track);
      const w = out.w;
      const packet = w.begin(TRACE_PACKET);
      run.writeHead(w);
      const event = w.begin(PACKET_TRACK_EVENT);
      w.uint(EVENT_TYPE, SLICE_END);
      if (track !== 0) w.uint(EVENT_TRACK, run.track(track));
      w.end(event);
      w.end(packet);
      out.done();
    },
  });
}

/**
 * The trace's bytes: the packets of calls written by hand into a buffer (`w`), the others (tracks,
 * clocks, the sequence's defaults) encoded by protobufjs; written to the target in bundles of about
 * BUNDLE bytes, each deflated into a packet of `compressed_packets` (Perfetto's trace processor
 * inflates them and reads what they hold as if it stood there), or as they are.
 */
class Packets {
  readonly w = new ProtoWriter(BUNDLE * 2);
  // deno-lint-ignore no-explicit-any
  private readonly trace: any;
  private readonly target: ByteSink;
  private readonly compress: boolean;
  // deno-lint-ignore no-explicit-any
  constructor(trace: any, target: ByteSink, compress: boolean) {
    this.trace = trace;
    this.target = target;
    this.compress = compress;
  }

  /** A packet other than a call's, encoded from its object. */
  put(p: Packet): void {
    const bytes = this.trace.encode(this.trace.fromObject({ packet: [p] })).finish();
    this.w.raw(bytes);
    this.done();
  }

  /** A packet was written: the bundle goes when it is full. */
  done(): void {
    if (this.w.pos >= BUNDLE) this.flush();
  }

  flush(): void {
    const w = this.w;
    if (w.pos === 0) return;
    const raw = w.buf.subarray(0, w.pos);
    w.pos = 0;
    // deno-lint-ignore no-explicit-any
    if (this.compress) zlib ??= (globalThis as any).process.getBuiltinModule("node:zlib");
    const deflated = this.compress ? zlib!.deflateSync(raw, { level: DEFLATE_LEVEL }) : null;
    if (deflated === null || deflated.length > BUNDLE_MAX) {
      // Not deflated, or past what a bundle may hold (Perfetto's limit is 512 KiB): as they are.
      this.target.write(raw, raw.length);
      return;
    }
    const bytes = this.trace.encode(
      this.trace.fromObject({ packet: [{ compressed_packets: deflated }] }),
    ).finish();
    this.target.write(bytes, bytes.length);
  }
}

/** Field numbers of what the calls' packets hold (see PERFETTO_MESSAGES). */
const TRACE_PACKET = 1;
const PACKET_TIMESTAMP = 8, PACKET_SEQUENCE = 10, PACKET_TRACK_EVENT = 11, PACKET_INTERNED = 12;
const PACKET_FLAGS = 13, PACKET_CLOCK = 58;
const EVENT_CATEGORY = 3, EVENT_ANNOTATION = 4, EVENT_TYPE = 9, EVENT_NAME = 10, EVENT_TRACK = 11;
const EVENT_SOURCE = 34, EVENT_FLOW = 47, EVENT_FLOW_END = 48;
const ANNOTATION_NAME = 1, ANNOTATION_BOOL = 2, ANNOTATION_UINT = 3, ANNOTATION_STRING = 6;
const ANNOTATION_STRING_IID = 17;
const INTERNED_CATEGORIES = 1, INTERNED_EVENT_NAMES = 2, INTERNED_ANNOTATION_NAMES = 3;
const INTERNED_SOURCES = 4, INTERNED_VALUES = 29;
const ENTRY_IID = 1, ENTRY_NAME = 2;
const SOURCE_FILE = 2, SOURCE_FUNCTION = 3, SOURCE_LINE = 4;

/** The largest double a uint64 holds (2^64 − 2048). */
const MAX_UINT64 = 18446744073709549568;

/** Bytes of a varint. */
function varintSize(v: number): number {
  let n = 1;
  while (v >= 128) {
    v = Math.floor(v / 128);
    n++;
  }
  return n;
}

/**
 * Protobuf written by hand, for the packets of calls (most of a trace): no object per packet. A
 * nested message reserves one byte for its length and moves over when it needs more.
 */
class ProtoWriter {
  buf: Uint8Array;
  pos = 0;
  readonly #encoder = new TextEncoder();
  constructor(size: number) {
    this.buf = new Uint8Array(size);
  }

  #room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const bigger = new Uint8Array(Math.max(this.buf.length * 2, this.pos + n));
    bigger.set(this.buf.subarray(0, this.pos));
    this.buf = bigger;
  }

  varint(v: number): void {
    this.#room(10);
    // Ten bytes hold a uint64: anything larger (or not a number) would loop or overrun.
    if (!(v <= MAX_UINT64)) v = MAX_UINT64;
    const b = this.buf;
    let p = this.pos;
    while (v > 0x7fffffff) {
      b[p++] = (v % 128) | 128;
      v = Math.floor(v / 128);
    }
    while (v > 127) {
      b[p++] = (v & 127) | 128;
      v >>>= 7;
    }
    b[p++] = v;
    this.pos = p;
  }

  /** A varint field (uint32, uint64, int32 ≥ 0, bool). */
  uint(field: number, v: number): void {
    this.varint(field << 3);
    this.varint(v);
  }

  /** A fixed64 field. */
  fixed64(field: number, v: number): void {
    this.varint((field << 3) | 1);
    this.#room(8);
    const lo = v % 0x100000000, hi = Math.floor(v / 0x100000000);
    const b = this.buf, p = this.pos;
    for (let k = 0; k < 4; k++) b[p + k] = (lo >>> (8 * k)) & 255;
    for (let k = 0; k < 4; k++) b[p + 4 + k] = (hi >>> (8 * k)) & 255;
    this.pos = p + 8;
  }

  /** A string field, in UTF-8. */
  string(field: number, s: string): void {
    this.varint((field << 3) | 2);
    const most = s.length * 3;
    const room = varintSize(most);
    this.#room(room + most);
    const at = this.pos;
    const { written } = this.#encoder.encodeInto(s, this.buf.subarray(at + room));
    const size = varintSize(written);
    if (size < room) this.buf.copyWithin(at + size, at + room, at + room + written);
    this.varint(written);
    this.pos += written;
  }

  /** Bytes as they are. */
  raw(bytes: Uint8Array): void {
    this.#room(bytes.length);
    this.buf.set(bytes, this.pos);
    this.pos += bytes.length;
  }

  /** Start a nested message: where its length goes. */
  begin(field: number): number {
    this.varint((field << 3) | 2);
    this.#room(1);
    return this.pos++;
  }

  /** End the nested message begun at `at`. */
  end(at: number): void {
    const length = this.pos - at - 1;
    if (length < 128) {
      this.buf[at] = length;
      return;
    }
    const size = varintSize(length);
    this.#room(size - 1);
    this.buf.copyWithin(at + size, at + 1, this.pos);
    const end = this.pos + size - 1;
    this.pos = at;
    this.varint(length);
    this.pos = end;
  }
}

/** Interned strings: each kind numbered from 1; what a packet interns first rides with it. */
class Interned {
  /** The packet sequence (the run) it interns for. */
  sequence = 1;
  #pending: Packet | null = null;
  #names = new Map<string, number>();
  #argNames = new Map<string, string>();
  #values = new Map<string, number>();
  #valueChars = 0;
  #categories = new Map<string, number>();
  readonly #limits: InternLimits;
  constructor(limits: InternLimits) {
    this.#limits = limits;
  }

  /** Whether it holds as many strings as it may: the sequence should start over. */
  get full(): boolean {
    return this.#names.size + this.#values.size + this.#categories.size >= this.#limits.count ||
      this.#valueChars >= this.#limits.chars;
  }

  /** Forget every string (the sequence's incremental state is cleared). */
  clear(): void {
    this.#pending = null;
    this.#names.clear();
    this.#values.clear();
    this.#valueChars = 0;
    this.#categories.clear();
  }

  /** The interned data the next packet carries. */
  data(): Packet {
    return (this.#pending ??= {});
  }

  /** Write what was interned since the last packet into this one. */
  writePending(w: ProtoWriter): void {
    const d = this.#pending;
    if (d === null) return;
    this.#pending = null;
    const data = w.begin(PACKET_INTERNED);
    const named = (field: number, list: { iid: number; name: string }[] | undefined) => {
      for (const { iid, name } of list ?? []) {
        const entry = w.begin(field);
        w.uint(ENTRY_IID, iid);
        w.string(ENTRY_NAME, name);
        w.end(entry);
      }
    };
    named(INTERNED_CATEGORIES, d.event_categories);
    named(INTERNED_EVENT_NAMES, d.event_names);
    named(INTERNED_ANNOTATION_NAMES, d.debug_annotation_names);
    named(INTERNED_VALUES, d.debug_annotation_string_values);
    for (const s of d.source_locations ?? []) {
      const entry = w.begin(INTERNED_SOURCES);
      w.uint(ENTRY_IID, s.iid);
      w.string(SOURCE_FILE, s.file_name);
      w.string(SOURCE_FUNCTION, s.function_name);
      w.uint(SOURCE_LINE, s.line_number);
      w.end(entry);
    }
    w.end(data);
  }

  nameIid(name: string): number {
    let iid = this.#names.get(name);
    if (iid === undefined) {
      iid = this.#names.size + 1;
      this.#names.set(name, iid);
      this.#valueChars += name.length;
      (this.data().debug_annotation_names ??= []).push({ iid, name });
    }
    return iid;
  }

  argName(name: string): string {
    let full = this.#argNames.get(name);
    if (full === undefined) {
      if (this.#argNames.size >= this.#limits.count) this.#argNames.clear();
      this.#argNames.set(name, full = `args.${name}`);
    }
    return full;
  }

  /** A value's iid, or 0 for one too long to intern. */
  valueIid(value: string): number {
    if (value.length > INTERN_MAX) return 0;
    let iid = this.#values.get(value);
    if (iid === undefined) {
      this.#valueChars += value.length;
      iid = this.#values.size + 1;
      this.#values.set(value, iid);
      (this.data().debug_annotation_string_values ??= []).push({ iid, name: value });
    }
    return iid;
  }

  categoryIid(name: string): number {
    let iid = this.#categories.get(name);
    if (iid === undefined) {
      iid = this.#categories.size + 1;
      this.#categories.set(name, iid);
      (this.data().event_categories ??= []).push({ iid, name });
    }
    return iid;
  }
}

/**
 * What the first packet of a run's sequence holds (and of each start over): it clears the
 * sequence's incremental state (interning starts there); events name no track when they are on
 * the main one, and their times are on the sequence's clock.
 */
function firstPacket(run: number): Packet {
  return {
    trusted_packet_sequence_id: run,
    sequence_flags: SEQ_INCREMENTAL_STATE_CLEARED,
    trace_packet_defaults: {
      track_event_defaults: { track_uuid: trackUuid(run, 0) },
      timestamp_clock_id: SEQUENCE_CLOCK,
    },
  };
}

/** The first packet of a run drawn as a process: it describes the process. */
function processPacket(file: RunFile, place: RunPlace, run: number): Packet {
  return {
    ...firstPacket(run),
    track_descriptor: {
      uuid: processUuid(run),
      process: {
        pid: place.pid,
        process_name: place.processName,
        ...(file.meta.run ? { cmdline: file.meta.run.command } : {}),
      },
    },
  };
}

/** A track of the run, as a thread of its process (its own, or its parent's for a worker). */
function threadPacket(track: number, place: RunPlace, run: number): Packet {
  return {
    trusted_packet_sequence_id: run,
    track_descriptor: {
      uuid: trackUuid(run, track),
      parent_uuid: processUuid(place.processRun + 1),
      thread: {
        pid: place.pid,
        tid: place.tidBase + track + 1,
        thread_name: place.trackName(track),
      },
    },
  };
}

/**
 * An arrow from `call` to the first call of a process or worker it started: an instant on the
 * call's track when the child started (µs of the run, inside the call).
 */
function putArrow(out: Packets, run: RunSequence, call: ExportCall, at: number, id: number) {
  run.startOverIfFull(out);
  putInstant(out, run, call, call.track, Math.min(Math.max(at, call.start), call.end), "child", id);
}

/** An instant named as `call`, on a track at a time, where an arrow (`flow`) leaves from. */
function putInstant(
  out: Packets,
  run: RunSequence,
  call: ExportCall,
  track: number,
  us: number,
  category: string,
  flow: number,
): void {
  run.time(us, track);
  const w = out.w;
  const packet = w.begin(TRACE_PACKET);
  run.writeHead(w);
  w.uint(PACKET_FLAGS, SEQ_NEEDS_INCREMENTAL_STATE);
  const event = w.begin(PACKET_TRACK_EVENT);
  w.uint(EVENT_TYPE, INSTANT);
  w.uint(EVENT_NAME, call.frame + 1);
  w.uint(EVENT_CATEGORY, run.strings.categoryIid(category));
  if (track !== 0) w.uint(EVENT_TRACK, run.track(track));
  w.fixed64(EVENT_FLOW, flow);
  w.end(event);
  run.strings.writePending(w);
  w.end(packet);
  out.done();
}

/**
 * A call's begin packet (after its caller's arrow when it starts a context of its own); `arrowIn`
 * is the arrow it ends, from the call that started its run, if any.
 */
function putCallBegin(
  out: Packets,
  run: RunSequence,
  call: ExportCall,
  arrowIn: number,
): void {
  run.startOverIfFull(out);
  const { strings, framesSeen } = run;
  const f = call.fn;
  if (framesSeen[call.frame] !== true) {
    framesSeen[call.frame] = true;
    const iid = call.frame + 1;
    (strings.data().event_names ??= []).push({ iid, name: f.name });
    const place = placeOf(f.file, f.line);
    if (place !== "") {
      (strings.data().source_locations ??= []).push({
        iid,
        file_name: f.file,
        function_name: f.name,
        line_number: f.line,
      });
    }
  }
  // An arrow from the caller to where the call went: an instant on the caller's track when
  // the call starts, flowing into the call's slice.
  const flow = call.startsContext && call.parent !== 0 ? run.flowBase + call.id : 0;
  if (flow !== 0) putInstant(out, run, call, call.callerTrack, call.start, "async", flow);
  run.time(call.start, call.track);
  const w = out.w;
  const packet = w.begin(TRACE_PACKET);
  run.writeHead(w);
  w.uint(PACKET_FLAGS, SEQ_NEEDS_INCREMENTAL_STATE);
  const event = w.begin(PACKET_TRACK_EVENT);
  w.uint(EVENT_TYPE, SLICE_BEGIN);
  w.uint(EVENT_NAME, call.frame + 1);
  // A traced call with nothing more to say has no category (the chrome format's "call"):
  // the commonest event is two bytes shorter.
  for (const cat of categoriesOf(call)) {
    if (cat !== "call") w.uint(EVENT_CATEGORY, strings.categoryIid(cat));
  }
  if (f.file !== "") w.uint(EVENT_SOURCE, call.frame + 1);
  if (call.track !== 0) w.uint(EVENT_TRACK, run.track(call.track));
  if (arrowIn !== 0) w.fixed64(EVENT_FLOW_END, arrowIn);
  else if (flow !== 0) w.fixed64(EVENT_FLOW_END, flow);
  writeAnnotations(w, strings, call);
  w.end(event);
  strings.writePending(w);
  w.end(packet);
  out.done();
}

/** What a call's slice shows: its id, arguments, result and what was left out below it. */
function writeAnnotations(w: ProtoWriter, strings: Interned, call: ExportCall): void {
  const number = (name: string, v: number, field = ANNOTATION_UINT) => {
    const a = w.begin(EVENT_ANNOTATION);
    w.uint(ANNOTATION_NAME, strings.nameIid(name));
    w.uint(field, v);
    w.end(a);
  };
  const text = (name: string, value: string) => {
    const a = w.begin(EVENT_ANNOTATION);
    w.uint(ANNOTATION_NAME, strings.nameIid(name));
    const iid = strings.valueIid(value);
    if (iid === 0) w.string(ANNOTATION_STRING, value);
    else w.uint(ANNOTATION_STRING_IID, iid);
    w.end(a);
  };
  number("call", call.id);
  // Named `args.<name>` as Perfetto shows the chrome export's nested `args`.
  for (let k = 0; k < call.argValues.length; k++) {
    text(strings.argName(call.argNames[k]), call.argValues[k]);
  }
  if (call.returned !== null) text("return", call.returned);
  if (call.threw !== null) text("error", call.threw);
  if (call.unfinished) number("unfinished", 1, ANNOTATION_BOOL);
  if (call.dropped > 0) number("calls_left_out", call.dropped);
  if (call.hiddenBelow > 0) number("calls_below", call.hiddenBelow);
  if (call.startsContext && call.parent !== 0) number("caller", call.parent);
}
