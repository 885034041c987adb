import { fileProblem, readText } from "../runtime/_files.ts";
import { type RunJSON, SCHEMA_VERSION } from "../types.ts";
import { displayPath } from "./display_path.ts";
import { StoreError } from "./store_error.ts";

/** Options of {@linkcode loadRun}. */
export interface LoadRunOptions {
  /** Messages show the path relative to this folder when the file is inside it. */
  cwd?: string;
}

const REQUIRED: [key: string, type: string][] = [
  ["schema", "number"],
  ["timestamp", "string"],
  ["call_count", "number"],
  ["trace", "array"],
];

function typeOf(v: unknown): string {
  return Array.isArray(v) ? "array" : v === null ? "null" : typeof v;
}

/** Where the first malformed call node is, e.g. `trace[0].children[2]`, or null. */
function badNode(trace: unknown[]): string | null {
  // Iterative: a deeply recursive trace must not overflow the stack here.
  const stack: [unknown, string][] = trace.map((n, i) => [n, `trace[${i}]`]);
  while (stack.length > 0) {
    const [n, where] = stack.pop()!;
    const node = n as { name?: unknown; children?: unknown } | null;
    if (node === null || typeof node !== "object") return `${where} is not an object`;
    if (typeof node.name !== "string") return `${where} has no "name"`;
    if (!Array.isArray(node.children)) return `${where} has no "children" list`;
    node.children.forEach((c, i) => stack.push([c, `${where}.children[${i}]`]));
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
 * import { validateRun } from "./src/store/load_run.ts";
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
  const missing = REQUIRED.filter(([k, t]) => typeOf(d[k]) !== t).map(([k]) => `"${k}"`);
  if (typeof d.schema !== "number") throw fail(`not a tph run (no ${missing.join(", ")})`);
  // Checked before the other fields: a newer schema may have renamed them.
  if ((d.schema as number) > SCHEMA_VERSION) {
    throw fail(
      `written by schema ${d.schema}, this tph reads up to ${SCHEMA_VERSION}; upgrade tph`,
    );
  }
  if (missing.length > 0) throw fail(`not a tph run (no ${missing.join(", ")})`);
  const bad = badNode(d.trace as unknown[]);
  if (bad !== null) throw fail(`not a tph run (${bad})`);
  return data as RunJSON;
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
 * import { loadRun } from "./src/store/load_run.ts";
 * const run = loadRun(".tracepatch_cache/run_20261122T081502_123_demo_3fa2c1.json");
 * console.log(run.call_count);
 * ```
 */
export function loadRun(path: string, options: LoadRunOptions = {}): RunJSON {
  const name = displayPath(path, options.cwd);
  let text: string;
  try {
    text = readText(path);
  } catch (e) {
    throw new StoreError(`Cannot read run "${name}": ${fileProblem(e)}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    const why = text.trim() === "" ? "the file is empty" : (e as Error).message.split("\n")[0];
    throw new StoreError(`Cannot read run "${name}": invalid JSON (${why})`);
  }
  return validateRun(data, name);
}
