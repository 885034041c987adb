// The JSON form of a run's calls, as the program writes it (src/program/recorder/to_json.ts) and
// tph writes it again from a run file (decode.ts): the fixed pieces and each
// function's, so that both give the same bytes.

import { bytesOf } from "./json_sink.ts";
import { type FunctionEntry } from "./format.ts";
import type { CALL_FIELDS } from "../types.ts";
import { FN_ASYNC } from "./call_state.ts";
import { stringify, strLastIndexOf, strSlice } from "../platform/intrinsics.ts";
import { Uint8Array } from "../platform/globals.ts";

/**
 * `module.Qualified.name`: a function's qualified name after its module's file name without
 * extension (`foo.Baz.call`), as value tracing names functions.
 */
export function qualifiedName(qualname: string, module: string): string {
  const slash = strLastIndexOf(module, "/");
  const file = slash < 0 ? module : strSlice(module, slash + 1);
  const dot = strLastIndexOf(file, ".");
  return (dot > 0 ? strSlice(file, 0, dot) : file) + "." + qualname;
}

/** `"field":`, for a field of a call (named by the format's table, types.ts). */
function key(field: keyof typeof CALL_FIELDS): string {
  return `"${field}":`;
}

/** The fixed pieces of a call's JSON (exported for the run exporter, which writes the same). */
export const JSON_PARTS = {
  RETURN_VALUE: bytesOf(`},${key("return_value")}`),
  NULL: bytesOf("null"),
  EXCEPTION: bytesOf(`,${key("exception")}`),
  START: bytesOf(`,${key("start_ms")}`),
  ELAPSED: bytesOf(`,${key("elapsed_ms")}`),
  AWAITED: bytesOf(`,${key("awaited_ms")}`),
  UNFINISHED: bytesOf(`,${key("unfinished")}true`),
  CHILDREN: bytesOf(`,${key("children")}[`),
  DROPPED: bytesOf(`,${key("dropped")}`),
  CLOSE: bytesOf("]}"),
  COMMA: bytesOf(","),
};
/** What a save writes the same for every call of one function. */
export interface FunctionBytes {
  external: boolean;
  /** `{"name":…,"kind":…,"args":{`. */
  head: Uint8Array;
  /** Each parameter's `"name":`, with a leading comma after the first. */
  keys: Uint8Array[];
  /** `,"async":true` and `,"external":true` as they apply. */
  tail: Uint8Array;
}

/** A function's JSON parts (see FunctionBytes), from its entry in a run file's table. */
export function functionParts(f: FunctionEntry): FunctionBytes {
  const [name, module, file, line, kind, params, flags] = f;
  const isAsync = (flags & FN_ASYNC) !== 0;
  const external = kind === "external";
  return {
    external,
    head: bytesOf(
      `{${key("name")}${stringify(name)},${key("module")}${stringify(module)},${key("file")}${
        stringify(file)
      },${key("line")}${line},${key("kind")}${stringify(kind)},${key("args")}{`,
    ),
    keys: external ? [] : paramKeys(params),
    tail: bytesOf(
      (isAsync ? `,${key("async")}true` : "") + (external ? `,${key("external")}true` : ""),
    ),
  };
}

/** Keys of external calls' arguments, by position. */
const positionKeys: Uint8Array[] = [];

/** Each parameter's `"name":` bytes, with a leading comma after the first. */
function paramKeys(params: string[]): Uint8Array[] {
  const keys: Uint8Array[] = [];
  for (let i = 0; i < params.length; i++) {
    keys[i] = bytesOf((i === 0 ? "" : ",") + stringify(params[i]) + ":");
  }
  return keys;
}

/** The key of an external call's argument `i` (`"0":`, `,"1":`…). */
export function positionKey(i: number): Uint8Array {
  let key = positionKeys[i];
  if (key === undefined) key = positionKeys[i] = bytesOf(`${i === 0 ? "" : ","}"${i}":`);
  return key;
}
