// The perfetto export's interning, clocks and bundles, read back by the tests' own decoder
// (tests/_export_readers.ts: Perfetto's field numbers written apart from src/): interned texts
// resolve to the chrome export's values across start-overs of the interning, each track's clock
// gives the chrome export's times, and a trace whose iid or clock is missing is refused.

import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ByteSink } from "../../../src/run_file/json_sink.ts";
import { openRun, type RunFile } from "../../../src/run_file/decode.ts";
import { writeChrome } from "../../../src/cli/export/chrome.ts";
import {
  PERFETTO_MESSAGES,
  type PerfettoTuning,
  writePerfetto,
} from "../../../src/cli/export/perfetto.ts";
import { messageType } from "../../../src/cli/export/proto.ts";
import { decodePerfetto, perfettoText, readChrome, readPerfetto } from "../../_export_readers.ts";

// deno-lint-ignore no-explicit-any
type Any = any;

function sink(): ByteSink & { bytes(): Uint8Array; text(): string } {
  const chunks: Uint8Array[] = [];
  const bytes = () => {
    const all = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
    let at = 0;
    for (const c of chunks) all.set(c, at), at += c.length;
    return all;
  };
  return {
    write: (b, n) => void chunks.push(b.slice(0, n)),
    bytes,
    text: () => new TextDecoder().decode(bytes()),
  };
}

const node = (
  name: string,
  start: number,
  elapsed: number,
  args: Record<string, string>,
  ret: string,
  children: unknown[] = [],
  extra = {},
) => ({
  name,
  module: "main.js",
  file: `/p/${name.length % 3}.js`,
  line: name.length,
  kind: "function",
  args,
  return_value: ret,
  start_ms: start,
  elapsed_ms: elapsed,
  ...extra,
  children,
});

/**
 * A run with repeated and distinct texts (names, arguments, values, an error, long ones) and 80
 * async calls at once: more tracks than a sequence has clocks.
 */
function runWithTexts(): { file: RunFile; [Symbol.dispose](): void } {
  const children = [];
  for (let i = 0; i < 120; i++) {
    const start = 1 + i * 0.25;
    children.push(
      node(`step${i % 7}`, start, 0.1, { n: String(i % 5), label: `"item ${i}"` }, `${i * 3}`, [
        node("leaf", start + 0.01, 0.02, { x: `"${"é".repeat(i % 4)}ab"` }, "undefined"),
      ]),
    );
  }
  // Async calls running at once: each ends after its caller, so each is on a track of its own.
  for (let i = 0; i < 80; i++) {
    const start = 40 + i * 0.01;
    children.push(
      node(
        "fetchItem",
        start,
        50 - i * 0.3,
        { id: String(i) },
        "Promise {}",
        [node("parse", start + 1, 0.5, { text: `"row ${i % 9}"` }, `{ id: ${i} }`)],
        { async: true },
      ),
    );
  }
  // Long texts: nested lengths past one byte, and a value too long to intern (written inline).
  children.push(
    node("long", 44, 0.05, { a: `"${"ab".repeat(150)}"`, b: `"${"ü".repeat(70_000)}"` }, "1"),
  );
  children.push({
    ...node("fail", 45, 0.05, { amount: "-1" }, "undefined"),
    return_value: null,
    exception: "RangeError: bad amount -1",
  });
  const trace = [node("main", 0, 60, {}, "undefined", children)];
  const json = {
    schema: 1,
    tracepatch_version: "0.1.0",
    timestamp: "2026-11-26T10:00:00.000Z",
    label: null,
    call_count: JSON.stringify(trace).match(/"name"/g)!.length,
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
    run: {
      command: ["main.js"],
      cwd: "/p",
      runtime: "node",
      runtime_version: "24.0.0",
      ended: "completed",
      exit_code: 0,
      signal: null,
      duration_ms: 100,
    },
    trace,
  };
  const dir = mkdtempSync(join(tmpdir(), "tph-perfetto-export-"));
  const path = join(dir, "run_20261126T100000_000_aaaaaa.json");
  writeFileSync(path, JSON.stringify(json));
  const file = openRun(path);
  return {
    file,
    [Symbol.dispose]() {
      file.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function perfetto(file: RunFile, tuning: PerfettoTuning): Promise<Uint8Array> {
  const out = sink();
  await writePerfetto([file], out, {}, tuning);
  return out.bytes();
}

/** The perfetto export holds the chrome export's calls, values, tracks and arrows. */
async function assertSameAsChrome(file: RunFile, bytes: Uint8Array) {
  const out = sink();
  writeChrome([file], out, {});
  const chrome = readChrome(out.text());
  const pf = await readPerfetto(bytes);
  assert.equal(pf.process, chrome.process);
  assert.deepEqual([...pf.threads].sort(), [...chrome.threads].sort());
  const byId = new Map(pf.calls.map((c) => [c.id, c]));
  assert.equal(byId.size, chrome.calls.length);
  for (const c of chrome.calls) {
    assert.deepEqual(byId.get(c.id), { ...c, track: chrome.threads.get(Number(c.track)) });
  }
  const byFlow = (f: { id: number }, g: { id: number }) => f.id - g.id;
  assert.deepEqual([...pf.flows].sort(byFlow), [...chrome.flows].sort(byFlow));
  return { chrome, pf };
}

const clears = (packets: Any[]) =>
  packets.filter((p) => ((p.sequence_flags ?? 0) & 1) !== 0).length;

Deno.test("perfetto export: interned texts and each track's clock give the chrome export's calls", async () => {
  using run = runWithTexts();
  for (const compress of [true, false]) {
    const bytes = await perfetto(run.file, { compress });
    const { chrome } = await assertSameAsChrome(run.file, bytes);
    assert.ok(chrome.threads.size > 64, `${chrome.threads.size} tracks`);
    const packets = await decodePerfetto(bytes);
    // Interned once: the state is cleared only where the sequence starts.
    assert.equal(clears(packets), 1);
    const interned = packets.flatMap((p) => p.interned_data?.debug_annotation_string_values ?? []);
    const texts = interned.map((s: Any) => atob(s.str));
    assert.equal(new Set(texts).size, texts.length, "each value interned once");
    const inline = packets.flatMap((p) => p.track_event?.debug_annotations ?? [])
      .filter((a: Any) => a.string_value !== undefined);
    assert.deepEqual(inline.map((a: Any) => a.string_value.length), [70_002], "too long: inline");
    // Times: deltas on the main track's clock (the default), each async track's own (64 + its
    // number), and ns of the trace's clock past the sequence's 64 clocks.
    const clocks = new Set(packets.filter((p) => p.track_event).map((p) => p.timestamp_clock_id));
    assert.ok(clocks.has(undefined) && clocks.has(65) && clocks.has(127) && clocks.has(6));
    assert.ok(!clocks.has(128));
  }
  // Bundled: deflated, smaller than the packets as they are.
  const raw = await perfetto(run.file, { compress: false });
  const deflated = await perfetto(run.file, { compress: true });
  assert.ok(deflated.length < raw.length / 2, `${deflated.length} of ${raw.length} bytes`);
  // Its texts are not there to search but inflated (the privacy tests search them so).
  const latin1 = (b: Uint8Array) => Buffer.from(b).toString("latin1");
  assert.ok(latin1(raw).includes('"item 117"'));
  assert.ok(!latin1(deflated).includes('"item 117"'));
  assert.ok((await perfettoText(deflated)).includes('"item 117"'));
});

Deno.test("perfetto export: interning past its limits starts the sequence over, what is used again interned again", async () => {
  using run = runWithTexts();
  for (const compress of [true, false]) {
    const bytes = await perfetto(run.file, { compress, intern: { count: 12, chars: 80 } });
    await assertSameAsChrome(run.file, bytes);
    const packets = await decodePerfetto(bytes);
    assert.ok(clears(packets) > 10, `${clears(packets)} start-overs`);
    // After each clear, the track's defaults and every clock in use are set again.
    packets.forEach((p, k) => {
      if (k === 0 || ((p.sequence_flags ?? 0) & 1) === 0) return;
      assert.equal(p.trace_packet_defaults?.timestamp_clock_id, 64);
      assert.ok(packets[k + 1].clock_snapshot !== undefined, "the clocks set again");
    });
  }
});

Deno.test("the tests' reader refuses an iid or a clock the sequence did not set", async () => {
  using run = runWithTexts();
  const Trace = await messageType(PERFETTO_MESSAGES, "perfetto.Trace");
  const bytes = await perfetto(run.file, { compress: false, intern: { count: 12, chars: 80 } });
  const packets = await decodePerfetto(bytes);
  const encode = (list: Any[]) =>
    Trace.encode(Trace.fromObject({
      packet: list.map((p) => {
        const { ns: _, ...rest } = p;
        if (rest.interned_data?.debug_annotation_string_values) {
          for (const s of rest.interned_data.debug_annotation_string_values) {
            s.str = Uint8Array.from(atob(s.str), (c) => c.charCodeAt(0));
          }
        }
        return rest;
      }),
    })).finish();
  await readPerfetto(encode(structuredClone(packets))); // as written: read
  // A packet after a start-over that interns nothing: its values are not known there.
  const dropped = structuredClone(packets);
  const k = dropped.findIndex((p, i) =>
    i > 0 && p.interned_data?.debug_annotation_string_values !== undefined &&
    dropped.slice(0, i).some((q) => ((q.sequence_flags ?? 0) & 1) !== 0 && q !== dropped[0])
  );
  delete dropped[k].interned_data;
  await assert.rejects(readPerfetto(encode(dropped)), /is interned before it is used/);
  // A track's events without its clock's snapshot.
  const unset = structuredClone(packets);
  const s = unset.findIndex((p) => p.clock_snapshot?.clocks.some((c: Any) => c.clock_id === 70));
  unset.splice(s, 1);
  await assert.rejects(readPerfetto(encode(unset)), /clock 70 of sequence 1 is set before/);
});
