// The design's own limit (bench/design_limit.ts): a recorder as lean as the design allows, for the
// very code tph's rewriter emits (the same `__tph` calls), loaded before the program as a preload.
// It does what tph promises of a run, no less: every call a row (its function, its parent, when it
// started and ended, whether it threw), external calls too; the arguments and the value returned
// or thrown of the first 20 calls of each function, described when the run is written; the stack
// given back and taken again around await and yield; and at exit the run written to a file
// (LIMIT_OUT) and renamed into place. It does not do what no user sees in a benchmark: limits,
// redaction, find targets, tests, async trees across concurrent tasks (resumed calls simply
// become current again), iterator bookkeeping.
//
// LIMIT_MAX_CALLS=N (tph's default settings: max_calls 100,000): rows for the first N calls as
// above, then each call only counted (tph's quick count past its limit: a compare and a count), the
// count written with the run.
//
// Rows live in fixed chunks of typed arrays that are never copied; values in one flat array of
// (row, kind, value) triples.
//
// LIMIT_WORKER=1 (issue 49's lever 3, bench/limit_worker.ts): the write done on the second core
// while the program runs. It keeps what LIMIT_PRIMITIVES=3 keeps (every call's primitives, strings
// interned when kept); the row and value chunks are backed by SharedArrayBuffers, and each time a
// row chunk fills the program's thread posts the new chunks, how far it has recorded, the strings
// interned and functions registered since, and the first calls' values described, to a worker
// (bench/limit/writer_worker.mjs) that encodes the run's records and writes them as blocks. At exit
// the program's thread posts the tail and waits (Atomics) until the worker has closed the file.
// LIMIT_OUT.times then also holds the worker's CPU (`cpu_worker`, its whole life; `cpu_worker_tail`,
// after the last line). Every variant writes the main thread's own CPU in the program
// (`cpu_main_program`, /proc/thread-self/schedstat) beside the process's. The worker starts when
// the first row chunk is full (a run of fewer rows is written at exit as LIMIT_PRIMITIVES=3 does);
// LIMIT_WORKER_AT=0 starts it with the program. LIMIT_WORKER=2: the program's side alone (shared
// chunks, the first calls' values described and the posts' arrays made, posted nowhere), the run
// written at exit as LIMIT_PRIMITIVES=3 does: what the design costs the program's thread itself.
// LIMIT_WORKER_DEFER=1 (a diagnostic): the worker encodes nothing until the last post (idle while
// the program runs, all its work after the last line).

import { readFileSync, renameSync, writeFileSync } from "node:fs";

const CHUNK = 1 << 16;
const SHIFT = 16;
const MASK = CHUNK - 1;
const FIRST_CALLS = 20;

const fns = [];
let callsOf = new Int32Array(1024);
const chunkFn = [], chunkParent = [], chunkStart = [], chunkEnd = [], chunkFlags = [];
let rows = 0;
let fn, parent, start, end, flags;
let cur = -1;
const values = [];
const ext = [];
const MAX_CALLS = Number(process.env.LIMIT_MAX_CALLS) > 0
  ? Number(process.env.LIMIT_MAX_CALLS)
  : Infinity;
/** Calls past MAX_CALLS, counted. */
let dropped = 0;
// LIMIT_PRIMITIVES=1 (issue 49's writer, notes perf49_dump.md §6): past the first 20 calls, every
// call's primitive arguments and result are kept too (strings clipped as a run shows them), as tph
// keeps them — the limit of a writer that stores what tph stores. Off by default.
// LIMIT_PRIMITIVES=2: the same values typed when kept (a row, a tag and a number in typed chunks;
// strings alone in a JS array), so that the exit touches only the strings.
// LIMIT_PRIMITIVES=3: typed as 2, and each string interned as it is kept (a Map to its id), so the
// program's strings are not held past the call and the exit writes numbers alone.
// LIMIT_PRIMITIVES=4: as 3, and an object or function past the first 20 calls kept as the id of
// its prototype (a Map from the prototype, named once at exit), as tph keeps its class for the
// summary it shows past the detail budget.
const WORKER = process.env.LIMIT_WORKER === "1" || process.env.LIMIT_WORKER === "2";
/** LIMIT_WORKER=2: the program's side alone (shared chunks, the posts made), no worker; written at exit. */
const STUB = process.env.LIMIT_WORKER === "2";
/** LIMIT_WORKER keeps values as LIMIT_PRIMITIVES=3 does (its worker reads no class ids). */
const MODE = WORKER ? "3" : process.env.LIMIT_PRIMITIVES;
/** A typed chunk: over a SharedArrayBuffer for LIMIT_WORKER, as before otherwise. */
const chunk = WORKER
  ? (T, n) => new T(new SharedArrayBuffer(n * T.BYTES_PER_ELEMENT))
  : (T, n) => new T(n);
const EVERY = MODE === "1" || MODE === "2" || MODE === "3" || MODE === "4";
const TYPED = MODE === "2" || MODE === "3" || MODE === "4";
const INTERNED = MODE === "3" || MODE === "4";
const CLASSES = MODE === "4";
const internIds = new Map(), internTable = [];
const classIds = new Map(), classTable = [];
const prims = [];
const pRow = [], pTag = [], pNum = [], pStr = [];
let pn = 0, pr, pt, pv;
function keepTyped(c, kind, v) {
  const t = typeof v;
  let tag, num = 0;
  if (t === "string") {
    tag = 1;
    const kept = v.length > 81 ? v.slice(0, 81) : v;
    if (INTERNED) {
      num = internIds.get(kept);
      if (num === undefined) internIds.set(kept, num = internTable.length), internTable.push(kept);
    } else {
      num = pStr.length;
      pStr.push(kept);
    }
  } else if (t === "number") tag = 2, num = v;
  else if (t === "undefined") tag = 3;
  else if (v === null) tag = 4;
  else if (t === "boolean") tag = v ? 5 : 6;
  else if (t === "bigint" || t === "symbol") tag = 7;
  else if (CLASSES) {
    tag = 0;
    const p = Object.getPrototypeOf(v);
    num = classIds.get(p);
    if (num === undefined) classIds.set(p, num = classTable.length), classTable.push(p);
  } else return;
  const k = pn & MASK;
  if (k === 0) {
    pRow.push(pr = chunk(Int32Array, CHUNK)), pTag.push(pt = chunk(Uint8Array, CHUNK));
    pNum.push(pv = chunk(Float64Array, CHUNK));
  }
  pr[k] = c, pt[k] = tag + kind * 8, pv[k] = num;
  pn++;
}
function keepPrim(c, kind, v) {
  if (TYPED) return keepTyped(c, kind, v);
  const t = typeof v;
  if (t === "string") prims.push(c, kind, v.length > 81 ? v.slice(0, 81) : v);
  else if ((t !== "object" && t !== "function") || v === null) prims.push(c, kind, v);
}

/** LIMIT_PRIMITIVES=2's dump: the typed chunks as they are; the strings interned (ids in place). */
function typedBytes() {
  const ids = new Map(), table = INTERNED ? internTable : [], parts = [];
  const strId = new Int32Array(pStr.length);
  for (let i = 0; i < pStr.length; i++) {
    const v = pStr[i];
    let id = ids.get(v);
    if (id === undefined) ids.set(v, id = table.length), table.push(v);
    strId[i] = id;
  }
  for (let k = 0; k < pRow.length; k++) {
    const n = Math.min(CHUNK, pn - k * CHUNK);
    parts.push(new Uint8Array(pRow[k].buffer, 0, n * 4), new Uint8Array(pTag[k].buffer, 0, n));
    parts.push(new Uint8Array(pNum[k].buffer, 0, n * 8));
  }
  parts.push(new Uint8Array(strId.buffer), new TextEncoder().encode(JSON.stringify(table)));
  if (CLASSES) {
    // Each class named once (a prototype's own constructor's name).
    const names = classTable.map((p) => {
      if (p === null) return "null";
      const c = Object.getOwnPropertyDescriptor(p, "constructor")?.value;
      return typeof c === "function" ? c.name : "Object";
    });
    parts.push(new TextEncoder().encode(JSON.stringify(names)));
  }
  return parts;
}

/** The kept primitives as a dump: rows, kinds, a tag and a number each; strings interned. */
function primBytes() {
  if (TYPED) return typedBytes();
  const n = prims.length / 3;
  const row = new Int32Array(n), tag = new Uint8Array(n), num = new Float64Array(n);
  const ids = new Map(), table = [];
  for (let i = 0, k = 0; k < n; i += 3, k++) {
    row[k] = prims[i];
    const v = prims[i + 2];
    switch (typeof v) {
      case "string": {
        let id = ids.get(v);
        if (id === undefined) ids.set(v, id = table.length), table.push(v);
        tag[k] = 1 + prims[i + 1] * 8;
        num[k] = id;
        break;
      }
      case "number":
        tag[k] = 2 + prims[i + 1] * 8;
        num[k] = v;
        break;
      default:
        tag[k] = (v === undefined ? 3 : v === null ? 4 : v === true ? 5 : v === false ? 6 : 7) +
          prims[i + 1] * 8;
    }
  }
  const strings = new TextEncoder().encode(JSON.stringify(table));
  return [new Uint8Array(row.buffer), tag, new Uint8Array(num.buffer), strings];
}

function grow() {
  fn = chunk(Int32Array, CHUNK);
  parent = chunk(Int32Array, CHUNK);
  start = chunk(Float64Array, CHUNK);
  end = chunk(Float64Array, CHUNK);
  flags = chunk(Uint8Array, CHUNK);
  chunkFn.push(fn), chunkParent.push(parent), chunkStart.push(start);
  chunkEnd.push(end), chunkFlags.push(flags);
  if (WORKER && chunkFn.length > 1 && (writer ??= startWriter())) publish(false);
}

const now = () => performance.now();
/** The calling thread's CPU, ms (schedstat: this thread alone, ns precise). */
const threadCpu = () =>
  Number(readFileSync("/proc/thread-self/schedstat", "latin1").split(" ")[0]) / 1e6;
const mainBegan = threadCpu();

// LIMIT_WORKER: the writer thread, started when the first row chunk is full (a run of fewer rows
// is written at exit as LIMIT_PRIMITIVES=3 writes it), and what has been posted to it.
const ctl = WORKER ? new Int32Array(new SharedArrayBuffer(16)) : null;
let writer = null;
function startWriter() {
  if (STUB) return { postMessage() {}, stub: true };
  const { Worker, isMainThread } = process.getBuiltinModule("node:worker_threads");
  if (!isMainThread || !process.env.LIMIT_OUT) return null;
  const w = new Worker(new URL("./writer_worker.mjs", import.meta.url), {
    workerData: {
      ctl: ctl.buffer,
      out: process.env.LIMIT_OUT,
      defer: process.env.LIMIT_WORKER_DEFER === "1",
    },
    execArgv: [],
  });
  w.unref();
  return w;
}
// LIMIT_WORKER_AT=0: the worker started with the program (its boot before the first line).
if (WORKER && process.env.LIMIT_WORKER_AT === "0") writer = startWriter();
const sent = { rows: 0, values: 0, fns: 0, strings: 0, described: 0 };
/** The new chunks of each column since the last post, as their buffers. */
const since = (chunks, from) => chunks.slice(from).map((c) => c.buffer);
/** Posts to the writer what the program's thread has recorded since the last post. */
function publish(last) {
  const rc = sent.rows, vc = sent.values;
  let described = "";
  for (let i = sent.described; i < values.length; i += 3) {
    described += `${values[i]} ${values[i + 1]} ${textOf(values[i + 2])}\n`;
  }
  writer.postMessage({
    last,
    rows,
    values: pn,
    dropped,
    fn: since(chunkFn, rc),
    parent: since(chunkParent, rc),
    start: since(chunkStart, rc),
    end: since(chunkEnd, rc),
    flags: since(chunkFlags, rc),
    vRow: since(pRow, vc),
    vTag: since(pTag, vc),
    vNum: since(pNum, vc),
    fns: fns.slice(sent.fns),
    strings: internTable.slice(sent.strings),
    described,
  });
  sent.rows = chunkFn.length, sent.values = pRow.length, sent.fns = fns.length;
  sent.strings = internTable.length, sent.described = values.length;
}
grow();
/** When the program began (this preload ran) and ended (the exit hook), for LIMIT_OUT.times. */
const began = now();
/** The process's CPU time, ms (every thread), for LIMIT_OUT.times. */
const cpu = () => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
};
const cpuBegan = cpu();

// An external call's row that is not opened: its callee is rewritten code.
const SKIP = -2;
const kinds = new WeakMap();
const fnSource = Function.prototype.toString;
function rewritten(f) {
  if (typeof f !== "function") return false;
  let k = kinds.get(f);
  if (k === undefined) {
    try {
      k = fnSource.call(f).includes("__tph_c");
    } catch {
      k = false;
    }
    kinds.set(f, k);
  }
  return k;
}

function open(id) {
  if ((rows & MASK) === 0 && rows > 0) grow();
  const row = rows++;
  const i = row & MASK;
  fn[i] = id;
  parent[i] = cur;
  start[i] = now();
  cur = row;
  return row;
}

/** An external call's row, or past MAX_CALLS only counted (SKIP: never closed). */
function openExt(d) {
  if (rows >= MAX_CALLS) return dropped++, SKIP;
  return open(-1 - d);
}

function enter(id) {
  if (id >= callsOf.length) {
    const more = new Int32Array(callsOf.length * 2 + id);
    more.set(callsOf);
    callsOf = more;
  }
  return callsOf[id]++ < FIRST_CALLS;
}

function close(c) {
  chunkEnd[c >>> SHIFT][c & MASK] = now();
  cur = chunkParent[c >>> SHIFT][c & MASK];
}

const recorder = {
  on: true,
  lib: undefined,
  rj: null,
  re: () => false,
  reg(meta) {
    const base = fns.length;
    for (const row of meta[2]) fns.push([meta[0], row[0], row[2]]);
    return base;
  },
  e0(b, k) {
    if (rows >= MAX_CALLS) return dropped++, -1;
    const id = b + k;
    enter(id);
    return open(id);
  },
  e1(b, k, a) {
    if (rows >= MAX_CALLS) return dropped++, -1;
    const id = b + k;
    const keep = enter(id);
    const c = open(id);
    if (keep) values.push(c, 0, kv(a));
    else if (EVERY) keepPrim(c, 0, a);
    return c;
  },
  e2(b, k, a, a2) {
    if (rows >= MAX_CALLS) return dropped++, -1;
    const id = b + k;
    const keep = enter(id);
    const c = open(id);
    if (keep) values.push(c, 0, kv(a), c, 0, kv(a2));
    else if (EVERY) keepPrim(c, 0, a), keepPrim(c, 0, a2);
    return c;
  },
  e3(b, k, a, a2, a3) {
    if (rows >= MAX_CALLS) return dropped++, -1;
    const id = b + k;
    const keep = enter(id);
    const c = open(id);
    if (keep) values.push(c, 0, kv(a), c, 0, kv(a2), c, 0, kv(a3));
    else if (EVERY) keepPrim(c, 0, a), keepPrim(c, 0, a2), keepPrim(c, 0, a3);
    return c;
  },
  en(b, k, args) {
    if (rows >= MAX_CALLS) return dropped++, -1;
    const id = b + k;
    const keep = enter(id);
    const c = open(id);
    if (keep) { for (let i = 0; i < args.length; i++) values.push(c, 0, kv(args[i])); }
    else if (EVERY) { for (let i = 0; i < args.length; i++) keepPrim(c, 0, args[i]); }
    return c;
  },
  r(c, v) {
    if (c >= 0 && callsOf[chunkFn[c >>> SHIFT][c & MASK]] <= FIRST_CALLS) values.push(c, 1, kv(v));
    else if (EVERY && c >= 0) keepPrim(c, 1, v);
    return v;
  },
  ra(c, v) {
    return recorder.r(c, v);
  },
  t(c, e) {
    if (c < 0) return;
    chunkFlags[c >>> SHIFT][c & MASK] = 1;
    if (callsOf[chunkFn[c >>> SHIFT][c & MASK]] <= FIRST_CALLS) values.push(c, 2, kv(e));
  },
  x: close,
  xa: close,
  rc() {},
  s(c, v) {
    if (c >= 0) cur = chunkParent[c >>> SHIFT][c & MASK];
    return v;
  },
  w(c, v) {
    if (c >= 0) cur = c;
    return v;
  },
  // External calls: a row of their own (function id -1 - site), started when its last argument is
  // in, ended at its result.
  // A callee that is itself rewritten records its own row (tph's notExternal): the site opens none.
  k(c, d, f) {
    if (c >= 0) ext.push(c, d, rewritten(f) ? SKIP : -1);
    return f;
  },
  k0(c, d, f) {
    if (c >= 0) ext.push(c, d, rewritten(f) ? SKIP : openExt(d));
    return f;
  },
  km(c, d, obj) {
    if (c >= 0) ext.push(c, d, -1);
    return obj;
  },
  km0(c, d, obj) {
    if (c >= 0) ext.push(c, d, openExt(d));
    return obj;
  },
  ka: (_c, v) => v,
  ks: (_c, v) => v,
  kl(c, v) {
    const n = ext.length;
    if (c >= 0 && n > 0 && ext[n - 1] === -1) ext[n - 1] = openExt(ext[n - 2]);
    return v;
  },
  ksl(c, v) {
    return recorder.kl(c, v);
  },
  kx(c, v) {
    if (c >= 0 && ext.length > 0) {
      const row = ext[ext.length - 1];
      ext.length -= 3;
      if (row >= 0) close(row);
    }
    return v;
  },
  kc(c) {
    if (c >= 0) { while (ext.length > 0 && ext[ext.length - 3] === c) ext.length -= 3; }
  },
  ku(c) {
    recorder.kc(c);
  },
  kf() {},
  fa: (_c, it) => it,
  yd: (_c, it) => it,
  ya: (_c, it) => it,
};
globalThis.__tph = recorder;

// LIMIT_AT_CALL=1: the first calls' values described when kept (as tph describes them, before the
// program can change them), not when the run is written.
const AT_CALL = process.env.LIMIT_AT_CALL === "1";
/** A value as kept: itself, or with LIMIT_AT_CALL its description (a Described). */
const kv = AT_CALL ? (v) => new Described(describe(v, 0)) : (v) => v;
class Described {
  constructor(text) {
    this.text = text;
  }
}
/** A kept value's description, made now unless made when kept. */
const textOf = (v) => (v instanceof Described ? v.text : describe(v, 0));

/** A value described as a run shows it: short, bounded, never a getter run. */
function describe(v, depth) {
  switch (typeof v) {
    case "string":
      return JSON.stringify(v.length > 80 ? v.slice(0, 80) + "…" : v);
    case "number":
    case "boolean":
    case "undefined":
    case "bigint":
    case "symbol":
      return String(v);
    case "function":
      return `<function ${v.name}>`;
  }
  if (v === null) return "null";
  if (depth > 1) return Array.isArray(v) ? `[…${v.length}]` : "{…}";
  if (Array.isArray(v)) {
    const parts = [];
    for (let i = 0; i < v.length && i < 5; i++) parts.push(describe(v[i], depth + 1));
    return `[${parts.join(", ")}${v.length > 5 ? ", …" : ""}]`;
  }
  const parts = [];
  const keys = Object.keys(v);
  for (let i = 0; i < keys.length && i < 5; i++) {
    const d = Object.getOwnPropertyDescriptor(v, keys[i]);
    parts.push(`${keys[i]}: ${d && "value" in d ? describe(d.value, depth + 1) : "<getter>"}`);
  }
  const name = Object.getPrototypeOf(v)?.constructor?.name;
  return `${name && name !== "Object" ? name + " " : ""}{ ${parts.join(", ")} }`;
}

// Written at exit: the columns as they are, the function table, and the described values.
process.on("exit", () => {
  const out = process.env.LIMIT_OUT;
  if (!out) return;
  recorder.on = false;
  const ended = now();
  const cpuEnded = cpu();
  const mainEnded = threadCpu();
  if (writer && !writer.stub) return awaitWriter(out, ended, cpuEnded, mainEnded);
  const used = (chunks, bytes) => {
    const parts = [];
    for (let k = 0; k < chunks.length; k++) {
      const n = Math.min(CHUNK, rows - k * CHUNK);
      if (n > 0) parts.push(new Uint8Array(chunks[k].buffer, 0, n * bytes));
    }
    return parts;
  };
  const described = [];
  for (let i = 0; i < values.length; i += 3) {
    described.push(`${values[i]} ${values[i + 1]} ${textOf(values[i + 2])}`);
  }
  const head = JSON.stringify({ rows, dropped, functions: fns, values: described.length }) + "\n";
  const body = [
    ...used(chunkFn, 4),
    ...used(chunkParent, 4),
    ...used(chunkStart, 8),
    ...used(chunkEnd, 8),
    ...used(chunkFlags, 1),
    ...(EVERY ? primBytes() : []),
  ];
  let size = 0;
  for (const p of body) size += p.length;
  const all = new Uint8Array(size);
  let at = 0;
  for (const p of body) all.set(p, at), at += p.length;
  writeFileSync(out + ".tmp", head + described.join("\n") + "\n");
  writeFileSync(out + ".tmp", all, { flag: "a" });
  renameSync(out + ".tmp", out);
  writeTimes(out, ended, cpuEnded, mainEnded, {});
});

/**
 * The run's times beside it (`.times`), epoch times too (bench/default_run.ts): the program's
 * start and end, the run saved, CPU of the process and of the main thread; `more` added.
 */
function writeTimes(out, ended, cpuEnded, mainEnded, more) {
  const origin = performance.timeOrigin, saved = now();
  writeFileSync(
    out + ".times",
    JSON.stringify({
      program: ended - began,
      write: saved - ended,
      began_at: origin + began,
      ended_at: origin + ended,
      saved_at: origin + saved,
      dropped,
      cpu_program: cpuEnded - cpuBegan,
      cpu_write: cpu() - cpuEnded,
      cpu_main_program: mainEnded - mainBegan,
      cpu_main_write: threadCpu() - mainEnded,
      ...more,
    }),
  );
}

/** LIMIT_WORKER's exit: the tail posted, then waiting until the worker has closed the file. */
function awaitWriter(out, ended, cpuEnded, mainEnded) {
  publish(true);
  // A minute at most: a worker that never answers (it failed) leaves no run file, not a hang.
  for (let i = 0; i < 60 && Atomics.load(ctl, 0) === 0; i++) Atomics.wait(ctl, 0, 0, 1000);
  writeTimes(out, ended, cpuEnded, mainEnded, {
    cpu_worker: ctl[2] / 1000,
    cpu_worker_tail: ctl[1] / 1000,
    open_at_end: ctl[3],
  });
}
