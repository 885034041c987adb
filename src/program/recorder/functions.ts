// The process-wide table of instrumented functions. Each instrumented module registers its
// metadata once, on its first recorded call, and gets the base of a contiguous id range.

import type { ModuleMeta } from "../../abi.ts";
import { ownArray, strIndexOf, strSlice, strSplit } from "../../platform/intrinsics.ts";

/** Static facts about one function, looked up by id when a trace is rendered. */
export interface FunctionRecord {
  qualname: string;
  kind: string;
  file: string;
  module: string;
  line: number;
  column: number;
  flags: number;
  params: string[];
  /** How many lines follow its first in its source, -1 when not known (ModuleMeta's texts). */
  span: number;
  /** The hash of its lines (spanHash), 0 when not known. */
  textHash: number;
  /** For an external `ns.key(…)` call site: `key`, the method it calls. */
  key?: string;
  /** For the function of a test a test file registers: the test's full name as written. */
  test?: string;
}

/**
 * Records made so far, by function id, null where not made yet (see functionRecord): never a
 * hole, since reading one would look the index up on Array.prototype, where a program may have
 * put a getter.
 */
const table: (FunctionRecord | null)[] = ownArray([]);
/** The registered modules' tables, and the id of each one's first function, in id order. */
const metas: ModuleMeta[] = ownArray([]);
const bases: number[] = ownArray([]);
/** Function ids given out so far. */
let count = 0;

/**
 * Register a module's function table; returns the id of its first function. A function's record
 * is made when it is first asked for: a module registers all its functions when its first one is
 * called, and most of a library's are never called (Babel's 111 modules: ~20 ms on Bun to make
 * every record).
 *
 * @param meta The table emitted by the instrumenter: file, module and one row per function.
 * @returns The base id: function `k` of the module has id `base + k`.
 */
export function registerModule(meta: ModuleMeta): number {
  const base = count;
  // Modules register while the program runs: no iterator protocol, captured built-ins only.
  metas[metas.length] = meta;
  bases[bases.length] = base;
  count += meta[2].length;
  for (let id = base; id < count; id++) table[id] = null;
  return base;
}

/** Function ids given out so far: ids below this are functions' (functionRecord). */
export function functionCount(): number {
  return count;
}

/** The record of function `id`, made from its module's table row. */
function makeRecord(id: number): FunctionRecord {
  // The last module whose first id is at most `id`.
  let lo = 0, hi = bases.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (bases[mid] <= id) lo = mid;
    else hi = mid - 1;
  }
  const meta = metas[lo];
  const k = id - bases[lo];
  let file = meta[0], module = meta[1];
  const row = meta[2][k];
  // A compiled file's map may place the function in another source (its src/*.ts).
  if (meta.length > 3) {
    const places = meta[3]!;
    const place = places === null ? -1 : places[2][k];
    if (place >= 0) {
      file = places![0][place];
      module = places![1][place];
    }
  }
  // Read only when there, as below.
  const texts = meta.length > 4 ? meta[4]! : null;
  const qualname = row[0], kind = row[1], line = row[2], column = row[3], flags = row[4];
  const params = row[5];
  const external = kind === "external";
  const record: FunctionRecord = {
    qualname,
    kind,
    file,
    // An external row's last field is the package it calls into.
    module: external ? params : module,
    line,
    column,
    flags,
    params: external || params === "" ? [] : strSplit(params, ","),
    span: texts === null ? -1 : texts[2 * k],
    textHash: texts === null ? 0 : texts[2 * k + 1],
    key: external ? strSlice(qualname, strIndexOf(qualname, ".") + 1) : undefined,
    // Read only when there: a missing index would be looked up on Array.prototype.
    test: row.length > 6 ? row[6] : undefined,
  };
  table[id] = record;
  return record;
}

/**
 * The method an external call site `ns.key(…)` calls.
 *
 * @param id The site's function id.
 * @returns `key`.
 */
export function externalKey(id: number): string {
  return (table[id] ?? makeRecord(id)).key!;
}

/**
 * The record of a function id.
 *
 * @param id A function id from {@linkcode registerModule}.
 * @returns Its record.
 */
export function functionRecord(id: number): FunctionRecord {
  return table[id] ?? makeRecord(id);
}
