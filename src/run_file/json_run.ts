import { fileProblem, isSpecialFile, readAt, readText } from "../platform/files.ts";
import {
  CALL_FIELDS,
  type FieldSpec,
  type FieldTable,
  RUN_FIELDS,
  type RunJSON,
  SCHEMA_VERSION,
} from "../types.ts";
import { displayPath } from "../platform/display_path.ts";
import { StoreError } from "./store_error.ts";
import { Array, Error, JSON, Map, Object, Set, String, Uint8Array } from "../platform/globals.ts";

/** Options of {@linkcode loadRun}. */
export interface LoadRunOptions {
  /** Messages show the path relative to this folder when the file is inside it. */
  cwd?: string;
}

function typeOf(v: unknown): string {
  return Array.isArray(v) ? "array" : v === null ? "null" : typeof v;
}

/** A field's text spec (types.ts) read: the kinds it takes, and whether it may be absent. */
interface TextSpec {
  kinds: string[];
  mayBeAbsent: boolean;
}
const textSpecs = new Map<string, TextSpec>();

function textSpec(spec: string): TextSpec {
  let read = textSpecs.get(spec);
  if (read === undefined) {
    const last = spec[spec.length - 1];
    const mayBeAbsent = last === "?" || last === "*";
    read = { kinds: (mayBeAbsent ? spec.slice(0, -1) : spec).split("|"), mayBeAbsent };
    textSpecs.set(spec, read);
  }
  return read;
}

/** Whether a value is of a kind of a text spec (types.ts). */
function isKind(v: unknown, kind: string): boolean {
  switch (kind) {
    case "true":
      return v === true;
    case "texts":
      return typeOf(v) === "object" &&
        Object.values(v as object).every((x) => typeof x === "string");
    case "strings":
      return Array.isArray(v) && v.every((x) => typeof x === "string");
    case "calls":
      return Array.isArray(v); // their nodes: badNode
    default:
      return kind.startsWith("'") ? v === kind.slice(1, -1) : typeOf(v) === kind;
  }
}

/** How a message names what a text spec takes: `number or null`, `"passed" or "failed"`. */
function kindsText(kinds: string[]): string {
  return kinds.map((k) => k.startsWith("'") ? JSON.stringify(k.slice(1, -1)) : k).join(" or ");
}

/** What is wrong with a field of a text spec's value, or null. */
function textProblem(v: unknown, spec: string, name: string): string | null {
  const { kinds, mayBeAbsent } = textSpec(spec);
  if (v === undefined) return mayBeAbsent ? null : `no "${name}"`;
  if (kinds.some((k) => isKind(v, k))) return null;
  if (kinds.length === 1 && kinds[0] === "texts") return `"${name}" is not an object of texts`;
  if (kinds.length === 1 && kinds[0] === "strings") return `"${name}" is not a list of strings`;
  const literal = typeof v === "string" && kinds.some((k) => k.startsWith("'"));
  return `"${name}" is ${literal ? JSON.stringify(v) : typeOf(v)}, not ${kindsText(kinds)}`;
}

/**
 * What is wrong with a part of a run the reader leaves to what uses it (a `lenient` field of the
 * format, types.ts), checked by its table when it is used; null when nothing is.
 *
 * @param value The part (`run.find`).
 * @param fields Its table (FIND_FIELDS).
 * @param where How messages name it (`find`).
 *
 * @example
 * ```ts
 * import { sectionProblem } from "./src/run_file/json_run.ts";
 * import { FIND_FIELDS } from "./src/types.ts";
 * console.log(sectionProblem({ targets: [], count: "2", matches: [] }, FIND_FIELDS, "find"));
 * // "find.count" is string, not number
 * ```
 */
export function sectionProblem(value: unknown, fields: FieldTable, where: string): string | null {
  if (typeOf(value) !== "object") return `"${where}" is ${typeOf(value)}, not an object`;
  return fieldProblem(value as Record<string, unknown>, fields, where + ".");
}

/**
 * The first field of an object whose value is not what the format's table says (types.ts), or
 * null: nested tables field by field, but for lenient ones (left to what uses them).
 */
function fieldProblem(
  obj: Record<string, unknown>,
  fields: FieldTable,
  where: string,
): string | null {
  for (const key in fields) {
    const spec = fields[key];
    const v = obj[key];
    if (typeof spec === "string") {
      const p = textProblem(v, spec, where + key);
      if (p !== null) return p;
      continue;
    }
    if (v === undefined) {
      if (spec.optional !== undefined) continue;
      return `no "${where}${key}"`;
    }
    if (spec.lenient) continue;
    const items = spec.list ? v : [v];
    if (!Array.isArray(items)) return `"${where}${key}" is ${typeOf(v)}, not a list`;
    for (let i = 0; i < items.length; i++) {
      const item = items[i];
      const name = spec.list ? `${where}${key}[${i}]` : `${where}${key}`;
      if (typeOf(item) !== "object") return `"${name}" is ${typeOf(item)}, not an object`;
      const p = fieldProblem(item as Record<string, unknown>, spec.fields, name + ".");
      if (p !== null) return p;
    }
  }
  return null;
}

/** The fields a run must have to be taken for one (then its schema is read, then the rest). */
const REQUIRED = Object.keys(RUN_FIELDS).filter((k) => {
  const spec: FieldSpec = RUN_FIELDS[k as keyof typeof RUN_FIELDS];
  return typeof spec === "string" && !textSpec(spec).mayBeAbsent;
});

const KNOWN_CALL_FIELDS = new Set(Object.keys(CALL_FIELDS));

/**
 * Levels below the top of a run's fields other than its calls (and of fields a call has beyond
 * those of the format): tph's own go 4 deep (find.matches[i].stack[j]); anything far deeper is
 * not a run (and would overflow the stack of whatever writes it out again).
 */
const MAX_FIELD_DEPTH = 64;

/** Whether a JSON value nests deeper than `limit` levels (iterative: no stack to overflow). */
function nestsDeeper(value: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== "object") continue;
    if (depth >= limit) return true;
    for (const x of Array.isArray(v) ? v : Object.values(v)) {
      if (x !== null && typeof x === "object") stack.push([x, depth + 1]);
    }
  }
  return false;
}

/** Where the first malformed call node is, e.g. `trace[0].children[2]`, and what is wrong, or null. */
function badNode(trace: unknown[]): string | null {
  // Iterative: a deeply recursive trace must not overflow the stack here. Children are named by
  // their index alone until one is wrong (a path per call would cost its depth each).
  type Link = { up: Link | null; where: string };
  const path = (l: Link) => {
    const parts: string[] = [];
    for (let x: Link | null = l; x !== null; x = x.up) parts.push(x.where);
    return parts.reverse().join(".");
  };
  const stack: Link[] = [];
  const nodes: unknown[] = [];
  for (let i = trace.length - 1; i >= 0; i--) {
    stack.push({ up: null, where: `trace[${i}]` });
    nodes.push(trace[i]);
  }
  while (stack.length > 0) {
    const link = stack.pop()!;
    const node = nodes.pop() as Record<string, unknown> | null;
    if (node === null || typeof node !== "object" || Array.isArray(node)) {
      return `${path(link)} is not an object`;
    }
    if (typeof node.name !== "string") return `${path(link)} has no "name"`;
    if (!Array.isArray(node.children)) return `${path(link)} has no "children" list`;
    const field = fieldProblem(node, CALL_FIELDS, "");
    if (field !== null) return `${path(link)}: ${field}`;
    for (const key in node) {
      if (!KNOWN_CALL_FIELDS.has(key) && nestsDeeper(node[key], MAX_FIELD_DEPTH)) {
        return `${path(link)}: "${key}" nests deeper than ${MAX_FIELD_DEPTH} levels`;
      }
    }
    const children = node.children as unknown[];
    for (let i = children.length - 1; i >= 0; i--) {
      stack.push({ up: link, where: `children[${i}]` });
      nodes.push(children[i]);
    }
  }
  return null;
}

/**
 * Check that parsed JSON is a run this version of tph can read.
 *
 * @param data The parsed JSON.
 * @param name How messages name the file.
 * @returns The same value, typed.
 * @throws {StoreError} `not a tph run (…)` for foreign JSON, `written by schema N` for newer runs.
 *
 * @example
 * ```ts
 * import { validateRun } from "./src/run_file/json_run.ts";
 * try {
 *   validateRun({ hello: 1 }, "x.json");
 * } catch (e) {
 *   console.log((e as Error).message); // Cannot read run "x.json": not a tph run (…)
 * }
 * ```
 */
export function validateRun(data: unknown, name: string): RunJSON {
  const fail = (why: string) => new StoreError(`Cannot read run "${name}": ${why}`);
  if (data === null || typeof data !== "object" || Array.isArray(data)) {
    throw fail(`not a tph run (the file holds ${typeOf(data)}, not an object)`);
  }
  const d = data as Record<string, unknown>;
  const missing = REQUIRED.filter((k) => textProblem(d[k], RUN_FIELDS[k as "schema"], k) !== null)
    .map((k) => `"${k}"`);
  if (typeof d.schema !== "number") throw fail(`not a tph run (no ${missing.join(", ")})`);
  // Checked before the other fields: a newer schema may have renamed them.
  if ((d.schema as number) > SCHEMA_VERSION) {
    throw fail(
      `written by schema ${d.schema}, this tph reads up to ${SCHEMA_VERSION}; upgrade tph`,
    );
  }
  if (missing.length > 0) throw fail(`not a tph run (no ${missing.join(", ")})`);
  const wrong = fieldProblem(d, RUN_FIELDS, "");
  if (wrong !== null) throw fail(`not a tph run (${wrong})`);
  for (const key in d) {
    if (key !== "trace" && nestsDeeper(d[key], MAX_FIELD_DEPTH)) {
      throw fail(`not a tph run ("${key}" nests deeper than ${MAX_FIELD_DEPTH} levels)`);
    }
  }
  const bad = badNode(d.trace as unknown[]);
  if (bad !== null) throw fail(`not a tph run (${bad})`);
  return data as RunJSON;
}

const HEAD_BYTES = 64 << 10;

/**
 * Where a file's first bytes stop being JSON text (its first byte is none that starts a value, or
 * a NUL byte, which JSON never holds), or null: a sparse file's zeros or a binary are not read
 * whole.
 */
function notJsonAt(head: Uint8Array): number | null {
  let i = 0;
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) i = 3;
  while (
    i < head.length &&
    (head[i] === 0x20 || head[i] === 0x0a || head[i] === 0x0d || head[i] === 0x09)
  ) i++;
  if (i === head.length) return null;
  // { [ " - digits t f n
  if (!/[{["\-0-9tfn]/.test(String.fromCharCode(head[i]))) return i;
  const nul = head.indexOf(0, i);
  return nul < 0 ? null : nul;
}

/**
 * Read and check a run file.
 *
 * @param path The file.
 * @param options Folder that messages show paths relative to.
 * @returns The run.
 * @throws {StoreError} One line naming the file: missing, unreadable, invalid JSON, not a tph run,
 * or written by a newer schema.
 *
 * @example
 * ```ts
 * import { loadRun } from "./src/run_file/json_run.ts";
 * const run = loadRun(".tracepatch_cache/run_20261122T081502_123_demo_3fa2c1.json");
 * console.log(run.call_count);
 * ```
 */
export function loadRun(path: string, options: LoadRunOptions = {}): RunJSON {
  const name = displayPath(path, options.cwd);
  let text: string;
  try {
    // Only a regular file: a FIFO would block, a device never end.
    if (isSpecialFile(path)) {
      throw new StoreError(`Cannot read run "${name}": not a regular file`);
    }
    const bad = notJsonAt(readAt(path, 0, HEAD_BYTES));
    if (bad !== null) {
      throw new StoreError(
        `Cannot read run "${name}": invalid JSON (${bad === 0 ? "not JSON" : `at byte ${bad}`})`,
      );
    }
    text = readText(path);
  } catch (e) {
    if (e instanceof StoreError) throw e;
    throw new StoreError(`Cannot read run "${name}": ${fileProblem(e)}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    // The engine's message quotes the text: never shown (the file may be anything).
    const at = /position (\d+)/.exec((e as Error).message);
    const why = text.trim() === "" ? "the file is empty" : at ? `at byte ${at[1]}` : "not JSON";
    throw new StoreError(`Cannot read run "${name}": invalid JSON (${why})`);
  }
  return validateRun(data, name);
}
