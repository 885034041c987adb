// The limit's writer on the second core (bench/limit/recorder.mjs with LIMIT_WORKER=1): a worker
// thread that turns the program's rows and kept values into the run's records while the program
// runs, so that at the last line only the tail is left (issue 49, lever 3; docs/performance.md
// "What the open targets need").
//
// The program's thread records into typed chunks backed by SharedArrayBuffers and, each time a row
// chunk fills (65,536 rows), posts the new chunks and how far it has recorded (rows, values), with
// what only it can give: the strings interned since (each copied once, by the message), the
// functions registered since, and the first calls' values it described. This worker encodes what
// was published: each row's head (function, parent, start) in row order; each row's end (its
// duration, whether it threw) once the row is closed — rows still open (the stack: a handful) are
// kept aside and looked at again at the next message; each kept value (its row, kind and tag, a
// whole number as a varint, another number as 8 bytes, a string as its table index). The file is a
// sequence of blocks `[section u8][length u32 LE][bytes]` (sections: heads, ends, values, strings,
// described, meta last), each block written as it fills (256 kB), so the exit writes the tails
// alone. At the last message it encodes the tail, writes the meta block, closes and renames the
// file, and wakes the program's thread (Atomics on `ctl`), which waits for it in its exit hook.
//
// ctl (Int32Array over a SharedArrayBuffer): [0] done (1 when the file is closed), [1] the worker's
// CPU in the write's span (µs), [2] its CPU over its whole life (µs), [3] rows still open at the end.

import { parentPort, workerData } from "node:worker_threads";
import { closeSync, openSync, readFileSync, renameSync, writeSync } from "node:fs";

const SHIFT = 16;
const MASK = (1 << SHIFT) - 1;
const BLOCK = 256 << 10;
const HEADS = 1, ENDS = 2, VALUES = 3, STRINGS = 4, DESCRIBED = 5, META = 6;

const ctl = new Int32Array(workerData.ctl);
/** This thread's CPU, ns (schedstat: precise, this thread alone). */
const threadCpu = () => Number(readFileSync("/proc/thread-self/schedstat", "latin1").split(" ")[0]);
const cpuBorn = threadCpu();

const out = workerData.out;
const fd = openSync(out + ".tmp", "w");
const encoder = new TextEncoder();

/** One section's block being filled. */
function section(id) {
  return { id, buf: new Uint8Array(BLOCK), at: 5 };
}
const heads = section(HEADS), ends = section(ENDS), vals = section(VALUES);
const strs = section(STRINGS), descr = section(DESCRIBED);
const f64 = new Float64Array(1), f64b = new Uint8Array(f64.buffer);

function flush(s) {
  if (s.at === 5) return;
  const b = s.buf, n = s.at - 5;
  b[0] = s.id, b[1] = n & 255, b[2] = (n >>> 8) & 255, b[3] = (n >>> 16) & 255, b[4] = n >>> 24;
  writeSync(fd, b, 0, s.at);
  s.at = 5;
}
const room = (s, n) => {
  if (s.at + n > BLOCK) flush(s);
};

/** An unsigned whole number, 7 bits a byte (numbers past 2^31 without bit operations). */
function uvar(s, v) {
  const b = s.buf;
  let at = s.at;
  while (v > 0x7fffffff) b[at++] = (v % 128) | 128, v = Math.floor(v / 128);
  while (v > 127) b[at++] = (v & 127) | 128, v >>>= 7;
  b[at++] = v;
  s.at = at;
}
const zig = (v) => (v >= 0 ? v * 2 : -v * 2 - 1);

// What the program's thread has published.
const cFn = [], cParent = [], cStart = [], cEnd = [], cFlags = [];
const vRow = [], vTag = [], vNum = [];
let rows = 0, values = 0;
const fns = [];
let strings = 0;
// What this worker has encoded.
let doneRows = 0, doneValues = 0, prevStart = 0, prevEndRow = -1, prevValueRow = 0;
let pending = [];

function take(m) {
  for (const c of m.fn) cFn.push(new Int32Array(c));
  for (const c of m.parent) cParent.push(new Int32Array(c));
  for (const c of m.start) cStart.push(new Float64Array(c));
  for (const c of m.end) cEnd.push(new Float64Array(c));
  for (const c of m.flags) cFlags.push(new Uint8Array(c));
  for (const c of m.vRow) vRow.push(new Int32Array(c));
  for (const c of m.vTag) vTag.push(new Uint8Array(c));
  for (const c of m.vNum) vNum.push(new Float64Array(c));
  for (const f of m.fns) fns.push(f);
  rows = m.rows, values = m.values;
  for (const s of m.strings) {
    room(strs, s.length * 3 + 5);
    uvar(strs, 0);
    const at = strs.at - 1;
    const { written } = encoder.encodeInto(s, strs.buf.subarray(strs.at));
    // The byte length before the bytes: one byte when short, else moved over.
    if (written < 128) strs.buf[at] = written, strs.at += written;
    else {
      const bytes = strs.buf.slice(strs.at, strs.at + written);
      strs.at = at;
      uvar(strs, written);
      strs.buf.set(bytes, strs.at), strs.at += written;
    }
    strings++;
  }
  if (m.described.length > 0) {
    const bytes = encoder.encode(m.described);
    if (bytes.length + 5 > BLOCK) flush(descr), writeRaw(DESCRIBED, bytes);
    else room(descr, bytes.length), descr.buf.set(bytes, descr.at), descr.at += bytes.length;
  }
}

function writeRaw(id, bytes) {
  const h = new Uint8Array(5), n = bytes.length;
  h[0] = id, h[1] = n & 255, h[2] = (n >>> 8) & 255, h[3] = (n >>> 16) & 255, h[4] = n >>> 24;
  writeSync(fd, h), writeSync(fd, bytes);
}

/** A closed row's end: its row (a delta from the last end written), its duration (ns) and flag. */
function putEnd(r, end, start, flag) {
  room(ends, 20);
  uvar(ends, zig(r - prevEndRow - 1));
  prevEndRow = r;
  uvar(ends, Math.round((end - start) * 1e6) * 2 + flag);
}

function encodeRows() {
  const open = [];
  for (const r of pending) {
    const end = cEnd[r >>> SHIFT][r & MASK];
    if (end === 0) open.push(r);
    else putEnd(r, end, cStart[r >>> SHIFT][r & MASK], cFlags[r >>> SHIFT][r & MASK]);
  }
  pending = open;
  for (let r = doneRows; r < rows; r++) {
    const k = r >>> SHIFT, i = r & MASK;
    const start = cStart[k][i], end = cEnd[k][i];
    room(heads, 20);
    uvar(heads, zig(cFn[k][i]));
    uvar(heads, r - cParent[k][i]);
    uvar(heads, Math.round((start - prevStart) * 1e6));
    prevStart = start;
    if (end === 0) pending.push(r);
    else putEnd(r, end, start, cFlags[k][i]);
  }
  doneRows = rows;
}

function encodeValues() {
  for (let v = doneValues; v < values; v++) {
    const k = v >>> SHIFT, i = v & MASK;
    const row = vRow[k][i], tag = vTag[k][i], num = vNum[k][i];
    room(vals, 24);
    uvar(vals, zig(row - prevValueRow));
    prevValueRow = row;
    if ((tag & 7) === 2 && !(num === (num | 0))) {
      vals.buf[vals.at++] = tag | 32;
      f64[0] = num;
      vals.buf.set(f64b, vals.at), vals.at += 8;
      continue;
    }
    vals.buf[vals.at++] = tag;
    if ((tag & 7) === 1) uvar(vals, num);
    else if ((tag & 7) === 2) uvar(vals, zig(num));
  }
  doneValues = values;
}

function finish(m) {
  const cpuAt = threadCpu();
  for (const s of [heads, ends, vals, strs, descr]) flush(s);
  const meta = { rows, dropped: m.dropped, open: pending.length, strings, values, functions: fns };
  writeRaw(META, encoder.encode(JSON.stringify(meta)));
  closeSync(fd);
  renameSync(out + ".tmp", out);
  const cpuEnd = threadCpu();
  // Rows never closed (the program left from inside calls): their ends are not written.
  ctl[1] = Math.round((cpuEnd - cpuAt) / 1000) + m.tailCpu;
  ctl[2] = Math.round((cpuEnd - cpuBorn) / 1000);
  ctl[3] = pending.length;
  Atomics.store(ctl, 0, 1);
  Atomics.notify(ctl, 0);
}

// LIMIT_WORKER_DEFER=1 (a diagnostic): the posts taken as they come, the rows and values encoded
// only at the last one, so that the worker is idle while the program runs.
const defer = workerData.defer;
parentPort.on("message", (m) => {
  const cpuAt = m.last ? threadCpu() : 0;
  take(m);
  if (defer && !m.last) return;
  encodeRows();
  encodeValues();
  if (m.last) finish({ ...m, tailCpu: Math.round((threadCpu() - cpuAt) / 1000) });
});
