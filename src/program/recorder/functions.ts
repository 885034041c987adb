// The process-wide table of instrumented functions. Each instrumented module registers its
// metadata once, on its first recorded call, and gets the base of a contiguous id range.

import type { ModuleMeta } from "../../abi.ts";
import { strIndexOf, strSlice, strSplit } from "../../platform/intrinsics.ts";

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
  /** For an external `ns.key(…)` call site: `key`, the method it calls. */
  key?: string;
}

const table: FunctionRecord[] = [];

/**
 * Register a module's function table; returns the id of its first function.
 *
 * @param meta The table emitted by the instrumenter: file, module and one row per function.
 * @returns The base id: function `k` of the module has id `base + k`.
 */
export function registerModule(meta: ModuleMeta): number {
  const base = table.length;
  // Modules register while the program runs: no iterator protocol, captured built-ins only.
  const file = meta[0], module = meta[1], rows = meta[2];
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i];
    const qualname = row[0], kind = row[1], line = row[2], column = row[3], flags = row[4];
    const params = row[5];
    const external = kind === "external";
    table[table.length] = {
      qualname,
      kind,
      file,
      // An external row's last field is the package it calls into.
      module: external ? params : module,
      line,
      column,
      flags,
      params: external || params === "" ? [] : strSplit(params, ","),
      key: external ? strSlice(qualname, strIndexOf(qualname, ".") + 1) : undefined,
    };
  }
  return base;
}

/**
 * The method an external call site `ns.key(…)` calls.
 *
 * @param id The site's function id.
 * @returns `key`.
 */
export function externalKey(id: number): string {
  return table[id].key!;
}

/**
 * The record of a function id.
 *
 * @param id A function id from {@linkcode registerModule}.
 * @returns Its record.
 */
export function functionRecord(id: number): FunctionRecord {
  return table[id];
}
