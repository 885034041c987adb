// `tph find <run> [VALUE…]`: where values went. With no VALUE, the matches `tph run --find` found
// while the program ran (on the real values, calls left out of the tree included); with values,
// a search of the run's recorded calls — on their stored texts (reprs, cut at max_repr).

import { resolve } from "node:path";
import { FIND_FIELDS, type FindJSON, type FindMatchJSON } from "../../types.ts";
import { sectionProblem } from "../../run_file/json_run.ts";
import { safeText } from "../../render/safe_text.ts";
import { resolveRunRef } from "../../store/resolve_run_ref.ts";
import { openRun, type RunFile } from "../../run_file/decode.ts";
import { StoreError } from "../../run_file/store_error.ts";
import { fileProblem, writeOutputSync } from "../../platform/files.ts";
import { shownOf, SHOWS_RETURN, SHOWS_THROW } from "../../run_file/call_records.ts";
import { cacheDirFor } from "./cache_dir_for.ts";
import type { Context } from "./command.ts";
import type { FIND_OPTIONS } from "./options.ts";
import { CliError, usageError } from "./errors.ts";
import { qualifiedName } from "../../run_file/json_form.ts";

type Match = "equals" | "contains" | "regex";
type Where = FindMatchJSON["where"];

/** The live matches of a run, checked (a run file from elsewhere may hold anything). */
function liveMatches(file: RunFile, name: string): FindJSON {
  const f = file.meta.find as FindJSON | undefined;
  const fail = (why: string) => new StoreError(`Cannot read run "${name}": ${why}`);
  if (f === undefined) {
    throw new CliError(
      `Run "${name}" looked for no value: run the program with tph run --find VALUE, or give ` +
        `tph find values to search its recorded calls for`,
      2,
      "find",
      false,
    );
  }
  // The format's table (types.ts), then what it cannot say: a match names a target there is, and
  // a call by its whole number.
  const problem = sectionProblem(f, FIND_FIELDS, "find") ??
    f.matches.map((m, i) =>
      !Number.isInteger(m.target) || m.target < 0 || m.target >= f.targets.length
        ? `"find.matches[${i}].target" names no target`
        : !(m.call === null || Number.isInteger(m.call))
        ? `"find.matches[${i}].call" is no whole number`
        : null
    ).find((p) => p !== null) ?? null;
  if (problem !== null) throw fail(`not a tph run (its find section is damaged: ${problem})`);
  return f;
}

/** One recorded call as a search sees it: its place, names and values (text, where, argument). */
interface SearchedCall {
  call: number;
  func: string;
  module: string;
  /** The names from the root down to it: made when asked (a copy per call costs its depth). */
  stack: () => string[];
  values: [text: string, where: Where, arg: string | null][];
}

/** The recorded calls of a run, in pre-order. */
function forEachCall(file: RunFile, visit: (c: SearchedCall) => void): void {
  let ordinal = 0;
  const fns = file.functions;
  // The open calls' names, for the stack.
  const names: string[] = [];
  file.scan((r, depth) => {
    const f = fns[r.fn];
    const func = qualifiedName(f[0], f[1]);
    names.length = depth;
    names.push(func);
    const values: SearchedCall["values"] = [];
    for (let a = 0; a < r.args; a++) values.push([r.text(a), "arg", r.argNames[a]]);
    const shows = shownOf(r);
    if ((shows & SHOWS_THROW) !== 0) values.push([r.text(r.args), "throw", null]);
    else if ((shows & SHOWS_RETURN) !== 0) values.push([r.text(r.args), "return", null]);
    visit({ call: ordinal++, func, module: f[1], stack: () => [...names], values });
    return true;
  });
}

/** Matches a search keeps (as tph run --find keeps: the others are counted). */
const MAX_KEPT = 10_000;
/**
 * Names a match's stack keeps: the outermost and innermost halves of a deeper one, with one
 * `… N calls …` between (a run may recurse 100,000 calls deep: a stack per match would not fit).
 */
const MAX_STACK = 200;

function cutStack(names: string[]): string[] {
  if (names.length <= MAX_STACK) return names;
  const half = MAX_STACK / 2;
  return [
    ...names.slice(0, half),
    `\u2026 ${names.length - MAX_STACK} calls \u2026`,
    ...names.slice(names.length - half),
  ];
}

/** A search of the recorded calls: each value's stored text against the targets. */
function searchRecorded(
  file: RunFile,
  targets: { text: string; match: Match }[],
  where: Where | null,
): FindJSON {
  const tests = targets.map((t) => tester(t.text, t.match));
  const matches: FindMatchJSON[] = [];
  let count = 0;
  forEachCall(file, (c) => {
    for (const [text, w, arg] of c.values) {
      if (where !== null && w !== where) continue;
      tests.forEach((test, target) => {
        if (!test(text)) return;
        if (count++ >= MAX_KEPT) return;
        matches.push({
          target,
          func: c.func,
          module: c.module,
          where: w,
          arg_name: arg,
          path: "",
          value: text,
          type: "",
          timestamp: "",
          stack: cutStack(c.stack()),
          call: c.call,
        });
      });
    }
  });
  return {
    targets: targets.map((t) => ({ text: t.text, type: null, match: t.match })),
    count,
    matches,
  };
}

/**
 * A test of a stored text: `equals` compares with the value's text as tph stores it (a number's
 * digits, a string in double quotes; VALUE is JSON when it parses), `contains` and `regex` look
 * inside the text.
 */
function tester(value: string, match: Match): (text: string) => boolean {
  if (match === "contains") return (text) => text.includes(value);
  if (match === "regex") {
    const re = new RegExp(value);
    return (text) => re.test(text);
  }
  let stored = JSON.stringify(value);
  try {
    const parsed = JSON.parse(value);
    if (parsed === null || typeof parsed !== "object") stored = JSON.stringify(parsed);
  } catch {
    // a plain string
  }
  return (text) => text === stored;
}

/** The value tracer's traces.json: matches keyed by target, with its field names. */
function tracesJSON(f: FindJSON): Record<string, unknown[]> {
  const out: Record<string, unknown[]> = {};
  for (const t of f.targets) out[t.text] = [];
  for (const m of f.matches) {
    const t = f.targets[m.target];
    let value: unknown = m.value;
    try {
      value = JSON.parse(m.value);
    } catch {
      // a repr that is not JSON: kept as text
    }
    let target: unknown = t.text;
    try {
      target = JSON.parse(t.text);
    } catch {
      // text
    }
    out[t.text].push({
      target,
      func: m.func,
      where: m.where,
      arg_name: m.arg_name,
      value,
      type: m.type,
      timestamp: m.timestamp,
      matcher_type: t.match,
      stack: m.stack,
      path: m.path,
      module: m.module,
      call: m.call,
    });
  }
  return out;
}

/** One line a match: `foo.bar  arg val = 2  ← foo.foo ← <root>`. */
function matchLine(m: FindMatchJSON): string {
  const what = m.where === "arg" ? `arg ${m.arg_name ?? "?"}` : m.where;
  const path = m.path === "" ? "" : m.path;
  const callers = m.stack.slice(0, -1).reverse();
  return `${safeText(m.func)}  ${safeText(what + path)} = ${safeText(m.value)}  ← ` +
    [...callers.map((c) => safeText(c)), "<root>"].join(" ← ");
}

/** `tph find`'s work: its options and help are in the command table (commands.ts). */
export function run(ctx: Context<typeof FIND_OPTIONS>): number {
  const [ref, ...values] = ctx.positionals;
  const match = ctx.values.match ?? "equals";
  if (match !== "equals" && match !== "contains" && match !== "regex") {
    throw usageError(`--match takes equals, contains or regex, got "${match}"`, "find");
  }
  if (values.length === 0 && ctx.values.match !== undefined) {
    throw usageError("--match goes with values to search for", "find");
  }
  const where = ctx.values.where ?? null;
  if (where !== null && where !== "arg" && where !== "return" && where !== "throw") {
    throw usageError(`--where takes arg, return or throw, got "${where}"`, "find");
  }
  if (match === "regex") {
    for (const v of values) {
      try {
        new RegExp(v);
      } catch (e) {
        throw usageError(`"${v}" is not a regular expression: ${(e as Error).message}`, "find");
      }
    }
  }
  let found: FindJSON;
  try {
    const path = resolveRunRef(ref, cacheDirFor(ctx), { cwd: ctx.cwd, warn: (m) => ctx.warn(m) });
    const file = openRun(path, { cwd: ctx.cwd });
    try {
      found = values.length === 0
        ? liveMatches(file, ref)
        : searchRecorded(file, values.map((text) => ({ text, match })), where as Where | null);
    } finally {
      file.close();
    }
  } catch (e) {
    if (e instanceof StoreError) throw new CliError(e.message, 2, "find", false);
    throw e;
  }
  const matches = where === null ? found.matches : found.matches.filter((m) => m.where === where);
  const shown = { ...found, matches };
  if (ctx.values.json || ctx.values.output !== undefined) {
    const text = JSON.stringify(tracesJSON(shown), null, 2);
    if (typeof ctx.values.output === "string") {
      try {
        const bytes = new TextEncoder().encode(text + "\n");
        writeOutputSync(
          resolve(ctx.cwd, ctx.values.output),
          (out) => out.write(bytes, bytes.length),
        );
      } catch (e) {
        throw new CliError(
          `Cannot write "${ctx.values.output}": ${fileProblem(e, "its folder does not exist")}`,
          2,
          "find",
          false,
        );
      }
    } else ctx.out(text);
  } else {
    const lines = matches.map(matchLine);
    const more = found.count > found.matches.length
      ? [`… ${found.count - found.matches.length} more matches were counted, not kept`]
      : [];
    if (lines.length > 0) ctx.out([...lines, ...more].join("\n"));
  }
  return matches.length > 0 ? 0 : 1;
}
