// Hostile run files: a valid run file (tph's format, written by the writer) taken apart and put
// back together wrong — header fields, the trailer's offsets (NaN, fractions, huge, negative), the
// functions table's JSON types, counts beyond the file's size, records that claim too much, cuts
// at every section boundary, and seeded random damage — and JSON runs of the wrong types or nested
// 100,000 deep. Every reader must turn each into one line naming the file, in bounded memory and
// time. The layout follows src/run_file/format.ts, decoded here on its own (not with
// the reader under test).

/** One hostile file. */
export interface Hostile {
  /** What was done to it, for messages (and the file's name: `run_<name>.tph`). */
  name: string;
  bytes: Uint8Array;
  /** JSON or tph's format (for the file's extension). */
  json?: boolean;
}

interface Value {
  tag: number;
  bytes: Uint8Array;
}

/** A call record, its fields as numbers (start: its raw zigzag varint). */
interface Rec {
  fn: number;
  flags: number;
  desc: number;
  start: number;
  elapsed: number | null;
  argc: number | null;
  values: Value[];
  dropped: number | null;
  droppedBelow: number | null;
  awaited: number | null;
}

/** A run file taken apart. */
interface Model {
  head: Uint8Array;
  records: Rec[];
  skipRecords: number;
  /** Ordinal and (null: where that call's subtree ends, computed) offset. */
  /** Ordinal, offset (null: where that call's subtree ends), and bytes to move that offset by. */
  skips: [number, number | null, number?][];
  /** Raw bytes of the skip index instead of the computed one. */
  skipBytes?: Uint8Array;
  /** The values table's entries (format 3), or null (formats 1 and 2: none). */
  table: Value[] | null;
  /** Raw bytes of the values table instead of the computed one. */
  tableBytes?: Uint8Array;
  /** Raw bytes of the values table's block index (its length follows), instead of computed. */
  tableIndex?: Uint8Array;
  /** The block index's length as the table's last 4 bytes say it, instead of its own. */
  tableIndexLength?: number;
  functions: string;
  meta: string;
}

/** Entries of the values table in a block (format 3). */
const TABLE_BLOCK = 256;
const UNFINISHED = 2, HAS_DROPPED = 4, HAS_DROPPED_BELOW = 8, HAS_AWAITED = 16, FN_EXTERNAL = 2;
const enc = new TextEncoder();
const dec = new TextDecoder();

export function varint(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = n % 128;
    n = Math.floor(n / 128);
    if (n === 0) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

/** A u32, little-endian. */
function u32(n: number): number[] {
  return [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, n >>> 24];
}

/** The bytes of each block of a values table's entries (the block index, as numbers). */
export function blockSizes(table: Value[]): number[] {
  const sizes: number[] = [];
  table.forEach((v, e) => {
    if (e % TABLE_BLOCK === 0) sizes.push(0);
    sizes[sizes.length - 1] += varint(v.tag).length + v.bytes.length;
  });
  return sizes;
}

class Reader {
  readonly b: Uint8Array;
  public pos: number;
  constructor(b: Uint8Array, pos: number) {
    this.b = b;
    this.pos = pos;
  }
  varint(): number {
    let v = 0, scale = 1;
    for (;;) {
      const b = this.b[this.pos++];
      v += (b & 0x7f) * scale;
      if (b < 0x80) return v;
      scale *= 128;
    }
  }
  byte(): number {
    return this.b[this.pos++];
  }
}

/** Take a valid run file apart. */
export function parseRunFile(file: Uint8Array): Model {
  const view = new DataView(file.buffer, file.byteOffset + file.length - 32, 24);
  const [skipAt, functionsAt, metaAt] = [0, 8, 16].map((k) => view.getFloat64(k, true));
  const functions = dec.decode(file.subarray(functionsAt, metaAt));
  const meta = dec.decode(file.subarray(metaAt, file.length - 32));
  const fns: [string, string, string, number, string, string[], number][] = JSON.parse(functions);
  const r = new Reader(file, 8);
  const records: Rec[] = [];
  const v3 = file[7] >= 3;
  // A value's bytes: none for a whole number or (format 3) an entry of the values table.
  const valueLength = (tag: number) =>
    tag % 2 === 1 || (v3 && tag % 8 === 6)
      ? 0
      : v3 && tag % 8 === 2
      ? (tag - 2) / 8
      : Math.floor(tag / 4);
  while (r.pos < skipAt) {
    const fn = r.varint(), flags = r.byte(), desc = r.varint(), start = r.varint();
    const ended = (flags & 3) !== UNFINISHED;
    const elapsed = ended ? r.varint() : null;
    const external = (fns[fn][6] & FN_EXTERNAL) !== 0;
    const argc = external ? r.varint() : null;
    const n = (argc ?? fns[fn][5].length) + (ended ? 1 : 0);
    const values: Value[] = [];
    for (let k = 0; k < n; k++) {
      const tag = r.varint();
      const len = valueLength(tag);
      values.push({ tag, bytes: file.slice(r.pos, r.pos + len) });
      r.pos += len;
    }
    const dropped = flags & HAS_DROPPED ? r.varint() : null;
    const droppedBelow = flags & HAS_DROPPED_BELOW ? r.varint() : null;
    const awaited = flags & HAS_AWAITED ? r.varint() : null;
    records.push({ fn, flags, desc, start, elapsed, argc, values, dropped, droppedBelow, awaited });
  }
  const s = new Reader(file, skipAt);
  const skipRecords = s.varint();
  const skips: [number, number | null][] = [];
  for (let k = s.varint(); k > 0; k--) {
    const ordinal = s.varint();
    s.varint();
    skips.push([ordinal, null]);
  }
  let table: Value[] | null = null;
  if (v3) {
    // Its entries; the block index after them is computed again (buildRunFile).
    table = [];
    for (let k = s.varint(); k > 0; k--) {
      const tag = s.varint(), len = valueLength(tag);
      table.push({ tag, bytes: file.slice(s.pos, s.pos + len) });
      s.pos += len;
    }
  }
  return {
    head: file.slice(0, 8),
    records,
    skipRecords,
    skips,
    table,
    functions,
    meta,
  };
}

/** Put a model together again; `trailer` replaces the offsets it holds, `magic` its last 8 bytes. */
export function buildRunFile(
  m: Model,
  trailer: Partial<Record<"skipAt" | "functionsAt" | "metaAt", number>> = {},
  magic = "TPHEND01",
): Uint8Array {
  const parts: Uint8Array[] = [m.head];
  let length = m.head.length;
  const put = (b: Uint8Array | number[]) => {
    const bytes = b instanceof Uint8Array ? b : new Uint8Array(b);
    parts.push(bytes);
    length += bytes.length;
  };
  const at: number[] = [];
  for (const rec of m.records) {
    at.push(length);
    put([...varint(rec.fn), rec.flags & 0xff, ...varint(rec.desc), ...varint(rec.start)]);
    if (rec.elapsed !== null) put(varint(rec.elapsed));
    if (rec.argc !== null) put(varint(rec.argc));
    for (const v of rec.values) {
      put(varint(v.tag));
      put(v.bytes);
    }
    if (rec.dropped !== null) put(varint(rec.dropped));
    if (rec.droppedBelow !== null) put(varint(rec.droppedBelow));
    if (rec.awaited !== null) put(varint(rec.awaited));
  }
  const skipAt = length;
  at.push(skipAt);
  if (m.skipBytes !== undefined) put(m.skipBytes);
  else {
    put([...varint(m.skipRecords), ...varint(m.skips.length)]);
    for (const [ordinal, offset, shift = 0] of m.skips) {
      const end = Math.min(ordinal + (m.records[ordinal]?.desc ?? 0) + 1, m.records.length);
      put([...varint(ordinal), ...varint(offset ?? at[end] + shift)]);
    }
  }
  if (m.tableBytes !== undefined) put(m.tableBytes);
  else if (m.table !== null) {
    put(varint(m.table.length));
    // Entries in blocks of TABLE_BLOCK; then per block its bytes, and the index's bytes (u32 LE).
    for (const v of m.table) {
      put(varint(v.tag));
      put(v.bytes);
    }
    const index = m.tableIndex ?? new Uint8Array(blockSizes(m.table).flatMap(varint));
    put(index);
    put(u32(m.tableIndexLength ?? index.length));
  }
  const functionsAt = length;
  put(enc.encode(m.functions));
  const metaAt = length;
  put(enc.encode(m.meta));
  const t = new DataView(new ArrayBuffer(32));
  t.setFloat64(0, trailer.skipAt ?? skipAt, true);
  t.setFloat64(8, trailer.functionsAt ?? functionsAt, true);
  t.setFloat64(16, trailer.metaAt ?? metaAt, true);
  const tail = new Uint8Array(t.buffer);
  tail.set(enc.encode(magic), 24);
  put(tail);
  const out = new Uint8Array(length);
  let k = 0;
  for (const p of parts) {
    out.set(p, k);
    k += p.length;
  }
  return out;
}

const clone = (m: Model): Model => structuredClone(m);

/** A JSON text nested `depth` levels deep, arrays in arrays. */
export function deepArray(depth: number): string {
  return "[".repeat(depth) + "]".repeat(depth);
}

/** A call tree nested `depth` calls deep, as JSON (built as text: no recursion). */
export function deepTrace(depth: number): string {
  const open = '{"name":"f","module":"m","file":"m.ts","line":1,"args":{},"return_value":"1",' +
    '"start_ms":0,"elapsed_ms":1,"children":[';
  return "[" + open.repeat(depth) + "]}".repeat(depth) + "]";
}

/** A tiny PRNG (mulberry32), so the random damage is the same on every run. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** 2^45: a count far beyond any file's size. */
export const HUGE = 2 ** 45;

/**
 * Hostile variants of a valid run file in tph's format (it must have a function with parameters,
 * a call with at least 256 calls below it, and calls left out by a limit).
 *
 * @param valid The file as the writer wrote it.
 * @param randomCount How many files of seeded random damage to add.
 */
export function hostileRuns(valid: Uint8Array, randomCount = 60): Hostile[] {
  const m = parseRunFile(valid);
  const out: Hostile[] = [];
  const add = (name: string, bytes: Uint8Array) => out.push({ name, bytes });
  const model = (name: string, change: (c: Model) => void, trailer = {}, magic?: string) => {
    const c = clone(m);
    change(c);
    add(name, buildRunFile(c, trailer, magic));
  };
  const size = valid.length;
  const view = new DataView(valid.buffer, valid.byteOffset + size - 32, 24);
  const offsets = {
    skipAt: view.getFloat64(0, true),
    functionsAt: view.getFloat64(8, true),
    metaAt: view.getFloat64(16, true),
  };

  // The header.
  add("version-4", valid.slice().fill(4, 7, 8));
  // Format 3's entries and escaped texts read as format 2's.
  add("version-2", valid.slice().fill(2, 7, 8));
  add("version-255", valid.slice().fill(255, 7, 8));
  add("magic-only", valid.slice(0, 8));
  add("magic-7", valid.slice(0, 7));

  // The trailer's offsets.
  const bad = [NaN, Infinity, -Infinity, -8, -0.5, 0, 7, 8.5, 2 ** 45, 2 ** 53 + 2, 1e308, size];
  for (const [key, was] of Object.entries(offsets)) {
    for (const v of [...bad, was + 0.5, was - 0.5, was + 1, was - 1]) {
      model(`trailer-${key}-${v}`, () => {}, { [key]: v });
    }
  }
  model("trailer-order", () => {}, {
    skipAt: offsets.metaAt,
    functionsAt: offsets.skipAt,
    metaAt: offsets.functionsAt,
  });
  model("trailer-magic", () => {}, {}, "TPHEND02");

  // Truncation at every section boundary (the trailer then gone), and a calls section cut short
  // behind a trailer that adds up.
  const cuts = [8, 9, 10, offsets.skipAt - 1, offsets.skipAt, offsets.skipAt + 1];
  cuts.push(offsets.functionsAt, offsets.functionsAt + 1, offsets.metaAt, offsets.metaAt + 1);
  cuts.push(size - 32, size - 31, size - 8, size - 1);
  for (const cut of cuts) add(`cut-at-${cut}`, valid.slice(0, cut));
  for (const keep of [0, 1, 2, Math.floor(m.records.length / 2), m.records.length - 1]) {
    model(`calls-cut-to-${keep}`, (c) => (c.records.length = keep));
  }

  // The meta.
  const meta = JSON.parse(m.meta);
  const metaWith = (name: string, text: string) => model(`meta-${name}`, (c) => (c.meta = text));
  metaWith("not-json", m.meta.slice(0, -3));
  metaWith("array", "[1,2]");
  metaWith("null", "null");
  metaWith("empty", "");
  metaWith("call_count-string", JSON.stringify({ ...meta, call_count: "3" }));
  metaWith("call_count-huge", JSON.stringify({ ...meta, call_count: HUGE }));
  metaWith("call_count-negative-fraction", JSON.stringify({ ...meta, call_count: -1.5 }));
  metaWith("dropped-huge", JSON.stringify({ ...meta, dropped_calls: 1e308 }));
  metaWith("config-string", JSON.stringify({ ...meta, config: "x" }));
  metaWith("config-max_depth-huge", JSON.stringify({ ...meta, config: { max_depth: 1e300 } }));
  metaWith("find-number", JSON.stringify({ ...meta, find: 5 }));
  metaWith(
    "find-matches-string",
    JSON.stringify({ ...meta, find: { targets: [], count: 1, matches: "x" } }),
  );
  metaWith(
    "find-match-fields",
    JSON.stringify({
      ...meta,
      find: { targets: [{ text: 1 }], count: HUGE, matches: [{ target: 9, stack: 5, call: 1.5 }] },
    }),
  );
  const { config: _, ...noConfig } = meta;
  metaWith("no-config", JSON.stringify(noConfig));
  metaWith("config-empty", JSON.stringify({ ...meta, config: {} }));
  metaWith(
    "required-only",
    JSON.stringify({ schema: meta.schema, timestamp: meta.timestamp, call_count: 1 }),
  );
  metaWith("run-command-number", JSON.stringify({ ...meta, run: { ...meta.run, command: 5 } }));
  metaWith("with-trace", JSON.stringify({ ...meta, trace: 5 }));
  metaWith("deep-field", m.meta.slice(0, -1) + `,"x":${deepArray(100_000)}}`);
  metaWith(
    "deep-object",
    m.meta.slice(0, -1) + `,"x":${'{"a":'.repeat(100_000)}1${"}".repeat(100_000)}}`,
  );

  // The functions table.
  const fns = JSON.parse(m.functions) as unknown[][];
  const fnsWith = (name: string, text: string) =>
    model(`functions-${name}`, (c) => (c.functions = text));
  fnsWith("not-json", m.functions.slice(0, -2));
  fnsWith("object", "{}");
  fnsWith("empty", "[]");
  fnsWith("numbers", JSON.stringify(fns.map(() => 1)));
  fnsWith("short-entries", JSON.stringify(fns.map((f) => f.slice(0, 3))));
  fnsWith("deep", deepArray(100_000));
  fnsWith("deep-in-entry", JSON.stringify(fns).slice(0, -1) + `,${deepArray(100_000)}]`);
  const wrong: unknown[] = [null, 1, -1, 1.5, HUGE, "x", "", [], {}, [1], true];
  for (let field = 0; field < 7; field++) {
    for (const w of wrong) {
      fnsWith(
        `field-${field}-${JSON.stringify(w)}`,
        JSON.stringify(fns.map((f) => f.map((x, i) => (i === field ? w : x)))),
      );
    }
  }
  fnsWith(
    "params-huge",
    JSON.stringify(fns.map((f) => [...f.slice(0, 5), new Array(5000).fill("p"), f[6]])),
  );
  fnsWith("params-numbers", JSON.stringify(fns.map((f) => [...f.slice(0, 5), [1, 2], f[6]])));
  fnsWith(
    "all-external",
    JSON.stringify(fns.map((f) => [...f.slice(0, 4), "external", f[5], FN_EXTERNAL])),
  );
  fnsWith("external-flag-alone", JSON.stringify(fns.map((f) => [...f.slice(0, 6), FN_EXTERNAL])));
  fnsWith("none-external", JSON.stringify(fns.map((f) => [...f.slice(0, 6), 1])));
  fnsWith("flags-unknown", JSON.stringify(fns.map((f) => [...f.slice(0, 6), 0xf0])));

  // The skip index.
  const n = m.records.length;
  for (const v of [HUGE, 2 ** 53 - 1, n + 1, n - 1, 0, 1]) {
    model(`skip-records-${v}`, (c) => (c.skipRecords = v));
  }
  model("skip-count-huge", (c) => (c.skipBytes = new Uint8Array([...varint(n), ...varint(HUGE)])));
  model(
    "skip-varint-endless",
    (c) => (c.skipBytes = new Uint8Array([...new Array(40).fill(0xff), 1, 0])),
  );
  model(
    "skip-records-11-bytes",
    (c) => (c.skipBytes = new Uint8Array([...new Array(10).fill(0x80), 1, 0])),
  );
  model("skip-cut", (c) => (c.skipBytes = new Uint8Array([...varint(n), 3, 0])));
  if (m.skips.length > 0) {
    for (const offset of [0, 8, 9, offsets.skipAt + 1, offsets.metaAt, HUGE, 2 ** 53 - 1]) {
      model(`skip-offset-${offset}`, (c) => (c.skips = c.skips.map(([o]) => [o, offset])));
    }
    for (const shift of [-1, -2, 1, 3]) {
      model(
        `skip-offset-shifted-${shift}`,
        (c) => (c.skips = c.skips.map(([o]) => [o, null, shift])),
      );
    }
    model("skip-ordinal-huge", (c) => (c.skips = [[HUGE, 9]]));
    model("skip-every-ordinal-back", (c) => (c.skips = c.records.map((_, i) => [i, 8])));
  }

  // The records: each field of the first, a middle and the last one.
  const fieldValues: [keyof Rec, number[]][] = [
    ["fn", [fns.length, HUGE, 2 ** 53 - 1]],
    ["flags", [3, 0xff, 0x20, HAS_DROPPED | HAS_DROPPED_BELOW, HAS_AWAITED, UNFINISHED]],
    ["desc", [HUGE, n, n - 1, 1, 2 ** 53 - 1]],
    ["start", [HUGE, 2 ** 53 - 1, 2 ** 53 - 2]],
    ["elapsed", [HUGE, 2 ** 53 - 1]],
    ["dropped", [HUGE, 2 ** 53 - 1]],
    ["awaited", [HUGE, 2 ** 53 - 1]],
  ];
  const picks = [0, 1, Math.floor(n / 2), n - 1];
  for (const i of picks) {
    for (const [field, values] of fieldValues) {
      for (const v of values) {
        model(`record-${i}-${field}-${v}`, (c) => {
          const rec = c.records[i] as unknown as Record<string, number | null>;
          rec[field] = v;
          // A flag that says a count follows gets the count.
          if (field === "flags" && v & HAS_DROPPED) rec.dropped ??= 1;
          if (field === "flags" && v & HAS_DROPPED_BELOW) rec.droppedBelow ??= 1;
          if (field === "flags" && v & HAS_AWAITED) rec.awaited ??= 1;
        });
      }
    }
    const withValue = (name: string, tag: number, bytes: number[]) =>
      model(`record-${i}-value-${name}`, (c) => {
        const rec = c.records[i];
        if (rec.values.length === 0) rec.values.push({ tag: 1, bytes: new Uint8Array() });
        rec.values[0] = { tag, bytes: new Uint8Array(bytes) };
      });
    withValue("length-huge", HUGE * 4, []);
    withValue("length-past-end", 4 * 1_000_000, [0x41]);
    withValue("whole-huge", 2 ** 53 - 1, []);
    withValue("escaped-bad", 3 * 8 + 2, [0x61, 0x22, 0x62]);
    withValue("escaped-backslash", 1 * 8 + 2, [0x5c]);
    withValue("escaped-unicode", 6 * 8 + 2, [...enc.encode("\\u12G4")]);
    withValue("escaped-as-format-2", 3 * 4 + 2, [0x61, 0x62, 0x63]);
    withValue("entry-past-table", (m.table?.length ?? 0) * 8 + 6, []);
    withValue("entry-huge", HUGE * 8 + 6, []);
    withValue("bad-utf8", 3 * 4, [0xff, 0xfe, 0xc0]);
    withValue("tag-3", 3, []);
    model(`record-${i}-argc-huge`, (c) => {
      c.functions = JSON.stringify(
        fns.map((f, k) =>
          k === c.records[i].fn ? [...f.slice(0, 4), "external", f[5], FN_EXTERNAL] : f
        ),
      );
      c.records[i].argc = HUGE;
    });
  }
  // The values table: its count, its entries, its end.
  const entries = m.table?.length ?? 0;
  const tableOf = (values: Value[]) => (c: Model) => (c.table = values);
  const entry = (tag: number, bytes: number[] = []) => ({ tag, bytes: new Uint8Array(bytes) });
  model("table-none", (c) => (c.tableBytes = new Uint8Array()));
  model("table-count-huge", (c) => (c.tableBytes = new Uint8Array(varint(HUGE))));
  model("table-count-more", (c) => (c.tableBytes = new Uint8Array(varint(entries + 1))));
  model("table-count-endless", (c) => (c.tableBytes = new Uint8Array(new Array(20).fill(0xff))));
  model("table-trailing-byte", (c) => {
    c.tableBytes = new Uint8Array([...varint(0), 0, ...u32(0)]);
    c.table = [];
    for (const r of c.records) r.values = r.values.map((v) => v.tag % 8 === 6 ? entry(1) : v);
  });
  model("table-entry-reference", tableOf([entry(6), entry(14), entry(6)]));
  model("table-entry-self", tableOf(Array.from({ length: entries }, (_, e) => entry(e * 8 + 6))));
  model("table-entry-past-end", tableOf([entry(4 * 1_000_000, [0x41])]));
  model(
    "table-entry-bad-utf8",
    tableOf(Array.from({ length: entries }, () => entry(12, [0xff, 0xfe, 0xc0]))),
  );
  model(
    "table-entry-escaped-bad",
    tableOf(Array.from({ length: entries }, () => entry(26, [0x61, 0x22, 0x62]))),
  );
  model("table-entry-whole", tableOf(Array.from({ length: entries }, () => entry(2 ** 53 - 1))));
  model(
    "table-entry-varint-long",
    (c) => (c.tableBytes = new Uint8Array([1, ...new Array(12).fill(0x80), 1, 14, ...u32(1)])),
  );
  model("table-empty", tableOf([]));
  // Its block index: the length the table's last 4 bytes give it, its blocks' sizes. A table of
  // several blocks (the run's entries, then whole numbers no call refers to) reads as well; its
  // blocks are read as calls refer to them, so damage in one no call refers to goes unseen.
  const sizes = blockSizes(m.table ?? []);
  const index = (list: number[]) => (c: Model) => (c.tableIndex = new Uint8Array(list));
  for (const v of [0, 1, sizes.length + 1, 2 ** 32 - 1, 2 ** 31]) {
    model(`table-index-length-${v}`, (c) => (c.tableIndexLength = v));
  }
  model("table-index-none", index([]));
  model("table-index-extra", index([...sizes.flatMap(varint), 0]));
  model("table-index-endless", index(new Array(9 * Math.max(1, sizes.length)).fill(0xff)));
  if (sizes.length > 0) {
    model("table-index-first-short", index([...sizes.map((n, b) => b === 0 ? n - 1 : n)]));
    model("table-index-first-long", index([...sizes.map((n, b) => b === 0 ? n + 1 : n)]));
    model("table-index-first-huge", index([...varint(HUGE), ...sizes.slice(1).flatMap(varint)]));
    model("table-index-zero", index(sizes.map(() => 0)));
  }
  const padded = [
    ...(m.table ?? []),
    ...Array.from({ length: 3 * 256 }, (_, k) => entry(k * 2 + 1)),
  ];
  const paddedSizes = blockSizes(padded);
  model("table-blocks-4", tableOf(padded));
  model("table-blocks-shifted", (c) => {
    c.table = padded;
    c.tableIndex = new Uint8Array(
      paddedSizes.map((n, b) => b === 0 ? n + 2 : b === 1 ? n - 2 : n).flatMap(varint),
    );
  });
  model("table-blocks-last-damaged", (c) => {
    c.table = padded.map((v, e) => e === padded.length - 1 ? entry(6) : v);
  });
  model("table-blocks-last-overrun", (c) => {
    c.table = padded.map((v, e) => e === padded.length - 2 ? entry(9 * 4) : v);
  });
  // A child that claims more calls than its parent has, and calls without a parent.
  const parent = m.records.findIndex((r) => r.desc >= 2);
  if (parent >= 0) {
    model("child-beyond-parent", (c) => (c.records[parent + 1].desc = c.records[parent].desc));
    model("parent-short", (c) => (c.records[parent].desc = 1));
  }
  model("records-doubled", (c) => (c.records = [...c.records, ...c.records]));
  // A call chain 100,000 deep: a shape the format allows (a deep recursion recorded with a high
  // max_depth), which no reader may walk with recursion.
  model("chain-100000-deep", (c) => {
    const leaf = c.records.find((r) =>
      r.argc === null && r.values.length === 1 && r.dropped === null
    );
    const one = leaf ?? c.records[0];
    const n = 100_000;
    c.records = Array.from(
      { length: n },
      (_, i) => ({ ...one, desc: n - 1 - i, flags: one.flags & 3 }),
    );
    c.skipRecords = n;
    c.skips = [];
  });
  model("varint-10-bytes", (c) => (c.records[0].fn = 2 ** 62));

  // Seeded random damage: bytes of the calls section, then anywhere.
  const rnd = random(29);
  for (let k = 0; k < randomCount; k++) {
    const b = valid.slice();
    const anywhere = k % 3 === 2;
    const flips = 1 + Math.floor(rnd() * 4);
    for (let f = 0; f < flips; f++) {
      const span = anywhere ? size - 8 : offsets.skipAt - 8;
      const at = 8 + Math.floor(rnd() * span);
      b[at] = Math.floor(rnd() * 256);
    }
    add(`random-${k}`, b);
  }
  return out;
}

/** Hostile JSON runs: a call tree nested 100,000 deep, and calls whose fields have wrong types. */
export function hostileJsonRuns(): Hostile[] {
  const head = {
    schema: 1,
    tracepatch_version: "0.1.0",
    timestamp: "2026-11-24T10:00:00.000Z",
    label: null,
    call_count: 1,
    was_limited: false,
    limit_reason: null,
    dropped_calls: 0,
    config: {
      max_depth: 30,
      max_calls: 10000,
      max_repr: 120,
      ignore_modules: [],
      include: [],
      exclude: [],
    },
  };
  const call = {
    name: "f",
    module: "m",
    file: "m.ts",
    line: 1,
    kind: "function",
    args: { a: "1" },
    return_value: "2",
    start_ms: 0,
    elapsed_ms: 1,
    children: [],
  };
  const out: Hostile[] = [];
  const add = (name: string, text: string) =>
    out.push({ name, bytes: enc.encode(text), json: true });
  const prefix = JSON.stringify(head).slice(0, -1);
  add("json-deep-trace", `${prefix},"trace":${deepTrace(100_000)}}`);
  add(
    "json-deep-args",
    `${prefix},"trace":[${
      JSON.stringify({ ...call, args: "X" }).replace('"X"', `{"a":${deepArray(100_000)}}`)
    }]}`,
  );
  add("json-deep-field", `${prefix},"trace":[],"x":${deepArray(100_000)}}`);
  add("json-deep-top", deepArray(100_000));
  const wrong: [string, unknown[]][] = [
    ["module", [null, 5, {}]],
    ["file", [null, 5]],
    ["line", [null, "x", {}, -1, 1.5, 1e308]],
    ["kind", [5, {}]],
    ["args", [null, 5, "x", [], { a: 1 }, { a: null }, { a: {} }]],
    ["return_value", [5, {}, []]],
    ["exception", [5, null, {}]],
    ["start_ms", [null, "x", {}, 1e308, -1e308, -5, 0.0001, 2 ** 60]],
    ["elapsed_ms", ["x", {}, 1e308, -1e308, -5, 0.0001, 2 ** 60]],
    ["unfinished", ["yes", 1]],
    ["external", ["x", 1]],
    ["async", [1, "x"]],
    ["dropped", ["x", -1, 1.5, null, 1e308]],
  ];
  for (const [field, values] of wrong) {
    for (const v of values) {
      const node = { ...call, [field]: v };
      add(
        `json-call-${field}-${JSON.stringify(v)}`,
        JSON.stringify({ ...head, trace: [{ ...call, children: [node] }] }),
      );
    }
  }
  return out;
}

/** The commands, `R` standing for the hostile run and `G` for a good one. */
export const READING_COMMANDS: string[][] = [
  ["logs"],
  ["logs", "--json"],
  ["clean", "--keep", "100", "--dry-run"],
  ["view", "R"],
  ["view", "R", "--json"],
  ["view", "R", "--html", "-o", "out/page.html"],
  ["view", "R", "--html", "--filter", "fib", "--max-depth", "2", "-o", "out/page2.html"],
  ["tree", "R"],
  ["tree", "R", "--max-depth", "1"],
  ["tree", "R", "--max-depth", "3"],
  ["tree", "R", "--filter", "fib"],
  ["find", "R"],
  ["find", "R", "1", "--match", "contains"],
  ["find", "R", "--json", "-o", "out/traces.json"],
  ["diff", "R", "G"],
  ["diff", "G", "R", "--json"],
  ["diff", "R", "G", "--summary", "--max-depth", "2"],
  ["export", "R"],
  ["export", "R", "--format", "json", "-o", "out/x.json"],
  ["export", "R", "--format", "chrome", "-o", "out/x.chrome.json"],
  ["export", "R", "--format", "perfetto", "-o", "out/x.pftrace"],
  ["export", "R", "--format", "speedscope", "-o", "out/x.speedscope.json"],
  ["export", "R", "--format", "otlp", "-o", "out/x.otlp.json"],
  ["export", "R", "--format", "chrome", "--filter", "fib", "--max-depth", "2", "-o", "out/y.json"],
];

/** What a command did on a hostile file. */
export interface Outcome {
  file: string;
  argv: string[];
  code: number;
  err: string[];
  outLines: number;
  bytes: number;
  ms: number;
}

/** What a JavaScript error's message looks like: never shown for a run file. */
const ENGINE_MESSAGE =
  /is not a function|Cannot read propert|Maximum call stack|must be of type|is not iterable|of undefined|of null|undefined is not|null is not|Invalid (typed )?array length|out of memory|JSON at position|Unexpected token/;

/** What every outcome must be: a read, or one line naming the run. */
export function check(o: Outcome): string | null {
  const what = `${o.argv.join(" ")} on ${o.file}`;
  const all = o.err.join("\n");
  // The file's name says what was done to it ("null", "undefined"): not part of the message.
  const message = all.replaceAll(o.file, "FILE");
  if (o.code === -1 || /internal error|\n\s+at /.test(all)) return `${what}: ${all}`;
  if (o.ms > 20_000) return `${what}: took ${o.ms} ms`;
  const command = o.argv[0];
  if (command === "logs" || command === "clean") {
    if (o.code !== 0) return `${what}: exit ${o.code}: ${all}`;
    const warnings = o.err.filter((l) => l.startsWith("tph: warning"));
    if (warnings.length > 1) return `${what}: more than one warning: ${all}`;
    if (warnings.length === 1 && !warnings[0].startsWith(`tph: warning: Skipping "${o.file}": `)) {
      return `${what}: not a warning naming the file: ${all}`;
    }
    if (ENGINE_MESSAGE.test(message)) return `${what}: an engine's message: ${all}`;
    return null;
  }
  const trouble = command === "diff" || command === "find" ? 2 : 1;
  const ok = command === "diff" || command === "find" ? [0, 1] : [0];
  // A read: what the command says on success (the file it wrote), nothing that failed.
  if (ok.includes(o.code) && !o.err.some((l) => l.startsWith("tph: Cannot"))) return null;
  // An export whose --filter matched nothing says so, as for any run.
  if (o.code === 1 && /^tph: wrote 0 calls to /.test(all)) return null;
  if (o.code !== trouble) return `${what}: exit ${o.code}: ${all}`;
  if (o.err.length !== 1 || all.includes("\n")) return `${what}: not one line: ${all}`;
  if (!all.startsWith("tph: ") || all.startsWith("tph: Cannot write")) {
    return `${what}: does not blame the run: ${all}`;
  }
  if (all.startsWith("tph: Cannot read run") && !all.includes(o.file)) {
    return `${what}: does not name the run: ${all}`;
  }
  if (ENGINE_MESSAGE.test(message)) return `${what}: an engine's message: ${all}`;
  return null;
}

/**
 * The program whose run the hostile files are made from: a call with 256 calls below it (an
 * entry in the skip index), calls left out by max_depth, an async call, a throw, a method, and a
 * text with a lone surrogate.
 */
export const HOSTILE_PROGRAM = `
function fib(n: number): number {
  return n < 2 ? n : fib(n - 1) + fib(n - 2);
}
async function later(s: string): Promise<string> {
  await null;
  return s + "\\ud800";
}
function boom(x: { a: number }): never {
  throw new Error("no " + x.a);
}
class K {
  m(a: number, b: string) {
    return [a, b, JSON.stringify({ a })];
  }
}
function deep(n: number): number {
  return n === 0 ? 0 : deep(n - 1) + 1;
}
fib(13);
await later("x");
try {
  boom({ a: 1 });
} catch {
  // expected
}
new K().m(1, "\u00e9");
deep(40);
`;
