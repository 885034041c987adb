// A run written raw at the program's end (raw_run.ts) is made, when first read, into the very run
// file the writer makes directly (byte for byte, under Deno and Bun: _raw_run_check.ts); a raw
// run is read for its meta as it is; a damaged one is one line naming it, and nothing is lost.

import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { instrument } from "../../../src/program/instrument/instrument.ts";
import { bunCheck } from "../../_harness.ts";
import { checkRawRuns } from "./_raw_run_check.ts";
import { convertRawRun, writeRawRun } from "../../../src/program/recorder/raw_run.ts";
import { runtime } from "../../../src/program/recorder/recorder.ts";
import { addMeta, openRun, setRawConverter } from "../../../src/run_file/decode.ts";
import { StoreError } from "../../../src/run_file/store_error.ts";
import { RAW_FORMAT, RUN_FORMAT_VERSION } from "../../../src/run_file/format.ts";
import { FIXTURE_RUN_META } from "../../_run_file.ts";
import { mountTmpfs, ROOT, unmount } from "../../cli/commands/_disk.ts";
import { spawnSync } from "node:child_process";

/** `whole` with its raw header (where its trailer says) changed by `edit`, the offsets after it moved. */
function withHeader(whole: Uint8Array, edit: (h: Record<string, unknown>) => void): Uint8Array {
  const view = new DataView(whole.buffer, whole.byteOffset, whole.byteLength);
  const end = whole.length - 32;
  const headerAt = view.getFloat64(end, true), functionsAt = view.getFloat64(end + 8, true);
  const metaAt = view.getFloat64(end + 16, true);
  const h = JSON.parse(new TextDecoder().decode(whole.subarray(headerAt, functionsAt)));
  edit(h);
  const header = new TextEncoder().encode(JSON.stringify(h));
  const shift = header.length - (functionsAt - headerAt);
  const out = new Uint8Array(whole.length + shift);
  out.set(whole.subarray(0, headerAt));
  out.set(header, headerAt);
  out.set(whole.subarray(functionsAt), headerAt + header.length);
  const v = new DataView(out.buffer);
  v.setFloat64(out.length - 24, functionsAt + shift, true);
  v.setFloat64(out.length - 16, metaAt + shift, true);
  return out;
}

Deno.test("a raw run is made into the run file the writer makes directly (Deno)", async () => {
  await checkRawRuns();
});

Deno.test("a raw run is made into the run file the writer makes directly (Bun)", () => {
  assert.match(bunCheck(new URL("./raw_run_bun_check.ts", import.meta.url)), /RAW_OK/);
});

/** A small raw run at `dir`/run.tph, of a trace of a few calls. */
async function smallRawRun(dir: string): Promise<string> {
  const file = join(dir, "m.mjs");
  const source = "export function f(a, b) { return g(a) + b; }\nfunction g(x) { return x * 2; }\n";
  writeFileSync(file, instrument(source, { filename: "/fixture/m.mjs", module: "m.mjs" }).code);
  const m = await import(pathToFileURL(file).href);
  const rt = runtime();
  const t = rt.startTrace({});
  rt.setProcessTrace(t);
  for (let i = 0; i < 50; i++) m.f(i, "two");
  t.active = false;
  rt.setProcessTrace(null);
  const path = join(dir, "run.tph");
  writeRawRun(t, "small", path, { run: FIXTURE_RUN_META });
  return path;
}

Deno.test("a raw run: its meta read as it is, its calls once made a run file", async () => {
  const dir = mkdtempSync(join(tmpdir(), "tph-raw-"));
  try {
    const path = await smallRawRun(dir);
    assert.equal(readFileSync(path)[7], RAW_FORMAT);
    // The meta alone (tph logs, addMeta): the file is not made a run file.
    const meta = openRun(path, { metaFirst: true });
    assert.equal(meta.meta.label, "small");
    assert.throws(
      () => meta.tree(),
      (e) => e instanceof StoreError && /written raw/.test(e.message),
    );
    meta.close();
    assert.ok(addMeta(path, { extra_field: 1 }) !== null);
    assert.equal(readFileSync(path)[7], RAW_FORMAT);
    // Without a converter: one line, the file left as it was.
    setRawConverter(null);
    assert.throws(
      () => openRun(path),
      (e) => e instanceof StoreError && /written raw at the program's end/.test(e.message),
    );
    setRawConverter(convertRawRun);
    const run = openRun(path);
    try {
      assert.equal(run.meta.label, "small");
      assert.equal((run.meta as unknown as Record<string, unknown>).extra_field, 1);
      assert.equal(run.tree().roots.length, 50);
    } finally {
      run.close();
      setRawConverter(null);
    }
    assert.equal(readFileSync(path)[7], RUN_FORMAT_VERSION);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

Deno.test("a raw run of another tph's layout: its meta read, its calls one line, the file kept; 0x84's converted", async () => {
  const dir = mkdtempSync(join(tmpdir(), "tph-raw-"));
  setRawConverter(convertRawRun);
  try {
    const path = await smallRawRun(dir);
    const bytes = new Uint8Array(readFileSync(path));
    // The first raw layout (s38's: values by tag, not as int32 columns), and one yet to come.
    for (const byte of [0x83, 0xfe]) {
      bytes[7] = byte;
      writeFileSync(path, bytes);
      const meta = openRun(path, { metaFirst: true });
      assert.equal(meta.meta.label, "small");
      meta.close();
      // An older layout cannot be read again: run the program again; a newer one: upgrade tph.
      const why = byte < RAW_FORMAT
        ? /written raw by another version of tph.*run the program again$/
        : /: written raw by a newer tph \(raw layout 0xfe, this tph reads up to 0x85\); upgrade tph$/;
      assert.throws(
        () => openRun(path),
        (e) => e instanceof StoreError && !e.message.includes("\n") && why.test(e.message),
      );
      assert.deepEqual(new Uint8Array(readFileSync(path)), bytes, "kept");
    }
    // The layout before the functions' texts (0x84) is the same but for them: it is converted.
    bytes[7] = 0x84;
    writeFileSync(path, bytes);
    const run = openRun(path);
    try {
      assert.equal(run.tree().roots.length, 50);
    } finally {
      run.close();
    }
  } finally {
    setRawConverter(null);
    rmSync(dir, { recursive: true, force: true });
  }
});

Deno.test("a damaged raw run is one line naming it, and the file is kept", async () => {
  const dir = mkdtempSync(join(tmpdir(), "tph-raw-"));
  setRawConverter(convertRawRun);
  try {
    const whole = readFileSync(await smallRawRun(dir));
    const cases: [string, Uint8Array][] = [
      ["cut in its columns", whole.subarray(0, 40)],
      ["cut before its trailer", whole.subarray(0, whole.length - 3)],
      ["its middle zeroed", whole.map((b, i) => i > 16 && i < whole.length - 200 ? 0 : b)],
      ["a billion rows in its header", withHeader(whole, (h) => h.rows = 1e9)],
      ["a count that is not a number", withHeader(whole, (h) => h.strings = "many")],
      ["its functions not a list", withHeader(whole, (h) => h.functions = { a: 1 })],
      ["a function entry that is not one", withHeader(whole, (h) => h.functions = [[0, 5]])],
      ["a call's function not in its table", withHeader(whole, (h) => h.functions = [])],
      [
        "a function numbered past any",
        withHeader(whole, (h) => (h.functions as [number, unknown][])[0][0] = 2 ** 40),
      ],
      [
        "its header's place wrong",
        (() => {
          const b = new Uint8Array(whole);
          new DataView(b.buffer).setFloat64(b.length - 32, 9, true);
          return b;
        })(),
      ],
    ];
    for (const [what, bytes] of cases) {
      const path = join(dir, `${what.replace(/\W/g, "_")}.tph`);
      writeFileSync(path, bytes);
      assert.throws(() => {
        const run = openRun(path);
        try {
          run.tree();
        } finally {
          run.close();
        }
      }, (e) => {
        assert.ok(e instanceof StoreError, `${what}: ${e}`);
        assert.ok(!e.message.includes("\n"), `${what}: one line`);
        assert.match(e.message, /Cannot read run/);
        return true;
      });
      assert.deepEqual(new Uint8Array(readFileSync(path)), new Uint8Array(bytes), `${what}: kept`);
    }
  } finally {
    setRawConverter(null);
    rmSync(dir, { recursive: true, force: true });
  }
});

Deno.test({
  name: "a raw run in a folder that cannot be written is read through a temporary file",
  ignore: !ROOT,
  fn: async () => {
    const dir = mkdtempSync(join(tmpdir(), "tph-raw-"));
    const ro = join(dir, "ro");
    mountTmpfs(ro, "size=4m,mode=0700");
    setRawConverter(convertRawRun);
    try {
      const made = await smallRawRun(dir);
      const path = join(ro, "run.tph");
      writeFileSync(path, readFileSync(made));
      const r = spawnSync("mount", ["-o", "remount,ro", ro], { encoding: "utf8" });
      assert.equal(r.status, 0, r.stderr);
      // The temporary run file is private (0600) and gone once open.
      const dests: string[] = [];
      setRawConverter((raw, dest, fail) => {
        dests.push(dest);
        convertRawRun(raw, dest, fail);
        assert.equal(statSync(dest).mode & 0o777, 0o600, "private");
      });
      const run = openRun(path);
      try {
        assert.equal(run.tree().roots.length, 50);
      } finally {
        run.close();
      }
      assert.equal(dests.length, 2, "beside it (refused), then elsewhere");
      assert.ok(!existsSync(dests[1]), "the temporary run file is gone");
      assert.equal(readFileSync(path)[7], RAW_FORMAT, "left as it was");
    } finally {
      setRawConverter(null);
      unmount(ro);
      rmSync(dir, { recursive: true, force: true });
    }
  },
});

Deno.test("a raw run's bytes at any offset of their buffer are read as at its start", async () => {
  const dir = mkdtempSync(join(tmpdir(), "tph-raw-"));
  try {
    const bytes = readFileSync(await smallRawRun(dir));
    const aligned = join(dir, "aligned.tph"), shifted = join(dir, "shifted.tph");
    convertRawRun(new Uint8Array(bytes), aligned, (why) => new Error(why));
    // A view 3 bytes into a larger buffer (as a runtime's pooled reads can give).
    const larger = new Uint8Array(bytes.length + 3);
    larger.set(bytes, 3);
    convertRawRun(larger.subarray(3), shifted, (why) => new Error(why));
    assert.deepEqual(readFileSync(shifted), readFileSync(aligned));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
