// The values table (run format 3) is read as the calls use it: a block of entries when a call read
// refers to one of it, the whole table for an export. A block no call read refers to is not read
// (its damage unseen by `tree --max-depth`); one that is read is checked, and a damaged block or
// block index is one line saying so. The file is the format 3 fixture, its table grown by blocks of
// whole numbers no call refers to (tests/_hostile_runs.ts takes it apart and puts it together).

import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { blockSizes, buildRunFile, parseRunFile, varint } from "../_hostile_runs.ts";
import { openRun, type RunFile } from "../../src/run_file/decode.ts";
import { StoreError } from "../../src/run_file/store_error.ts";
import { FIXTURE_RUN_META } from "../_run_file.ts";

const FIXTURE = resolve(import.meta.dirname!, "../fixtures/run_file/encoded.tph");
type Model = ReturnType<typeof parseRunFile>;
const RUN = FIXTURE_RUN_META;

/** The JSON export of a run, as text. */
function exported(run: RunFile): string {
  const parts: Uint8Array[] = [];
  run.writeJSON({ write: (b, n) => parts.push(b.slice(0, n)) });
  return new TextDecoder().decode(new Uint8Array(parts.flatMap((p) => [...p])));
}

/** Open the fixture with `change` made to it, and read it with `use`. */
function withRun(change: (m: Model) => void, use: (run: RunFile) => void): void {
  const dir = mkdtempSync(join(tmpdir(), "tph-values-table-"));
  try {
    const m = parseRunFile(new Uint8Array(readFileSync(FIXTURE)));
    // The fixture's meta has no `run.command`, which a reader requires.
    m.meta = JSON.stringify({ ...JSON.parse(m.meta), run: RUN });
    change(m);
    const path = join(dir, "run.tph");
    writeFileSync(path, buildRunFile(m));
    const run = openRun(path);
    try {
      use(run);
    } finally {
      run.close();
    }
  } finally {
    rmSync(dir, { recursive: true });
  }
}

const whole = (n: number) => ({ tag: n * 4 + 1, bytes: new Uint8Array() });
/** The fixture's table and three blocks of whole numbers after it. */
const padded = (m: Model) => {
  m.table = [...m.table!, ...Array.from({ length: 3 * 256 }, (_, k) => whole(k))];
};

let wholeJSON = "", top = "";
withRun(() => {}, (run) => {
  wholeJSON = exported(run);
  top = JSON.stringify(run.tree(1).roots);
});

/** Whether `f` throws the one-line values table error. */
function damagedTable(f: () => unknown, why: RegExp): void {
  assert.throws(f, (e) => {
    assert.ok(e instanceof StoreError);
    assert.match(e.message, /the run file is damaged \(its values table /);
    assert.match(e.message, why);
    assert.ok(!e.message.includes("\n"));
    return true;
  });
}

Deno.test("a values table of several blocks reads as the same calls", () => {
  assert.ok(top.length > 100 && wholeJSON.length > top.length);
  withRun(padded, (run) => {
    assert.equal(JSON.stringify(run.tree(1).roots), top);
    assert.equal(exported(run), wholeJSON);
  });
});

Deno.test("a damaged block no call read refers to is not read; an export reads it", () => {
  const lastDamaged = (m: Model) => {
    padded(m);
    m.table![m.table!.length - 1] = { tag: 6, bytes: new Uint8Array() };
  };
  withRun(lastDamaged, (run) => assert.equal(JSON.stringify(run.tree(1).roots), top));
  withRun(lastDamaged, (run) => damagedTable(() => exported(run), /holds a reference/));
});

Deno.test("a block index that does not fit its blocks is one line", () => {
  // Bytes moved from the second block to the first: the first's entries do not fill it.
  withRun((m) => {
    padded(m);
    const sizes = blockSizes(m.table!);
    sizes[0] += 2;
    sizes[1] -= 2;
    m.tableIndex = new Uint8Array(sizes.flatMap(varint));
  }, (run) => damagedTable(() => exported(run), /block 0/));
  withRun((m) => {
    padded(m);
    m.tableIndexLength = 2 ** 32 - 1;
  }, (run) => damagedTable(() => run.tree(1), /index of 4294967295 bytes/));
  withRun((m) => {
    padded(m);
    m.tableIndex = new Uint8Array();
  }, (run) => damagedTable(() => run.tree(1), /index of 0 bytes for \d+ blocks/));
});

Deno.test("a reference past the table is refused where it is read", () => {
  withRun((m) => {
    const r = m.records.find((r) => r.values.some((v) => v.tag % 8 === 6))!;
    const k = r.values.findIndex((v) => v.tag % 8 === 6);
    r.values[k] = { tag: m.table!.length * 8 + 6, bytes: new Uint8Array() };
  }, (run) => assert.throws(() => exported(run), /truncated or damaged/));
});
