// The JSON run format is declared once (src/types.ts's tables): its types, the reader's checks
// and the documentation come from there, and what tph writes holds no field the tables lack.

import assert from "node:assert/strict";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { sectionProblem, validateRun } from "../../src/run_file/json_run.ts";
import { openRun } from "../../src/run_file/decode.ts";
import {
  CALL_FIELDS,
  type CallNodeJSON,
  type ChildRunJSON,
  type FieldSpec,
  type FieldTable,
  FIND_FIELDS,
  type FindJSON,
  RUN_FIELDS,
  type RunInfo,
  type RunJSON,
  type TestInfo,
} from "../../src/types.ts";
import { assertCode, NODE_TARGET, REPO, tempDir, tph } from "../cli/commands/_cli.ts";
import "../_run_file.ts"; // raw runs made run files when read

// The types made from the tables are the format's (checked by `deno task check`).
type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true
  : false;
const same = <T extends true>(): T | undefined => undefined;
same<Same<RunJSON["label"], string | null>>();
same<Same<RunJSON["dropped_at_root"], number | undefined>>();
same<Same<RunJSON["config"]["details"], number | "all" | undefined>>();
same<Same<RunJSON["config"]["include"], string[]>>();
same<Same<RunJSON["trace"], CallNodeJSON[]>>();
same<Same<RunJSON["children"], ChildRunJSON[] | undefined>>();
same<Same<CallNodeJSON["children"], CallNodeJSON[]>>();
same<Same<CallNodeJSON["args"], Record<string, string>>>();
same<Same<CallNodeJSON["exception"], string | undefined>>();
same<Same<RunInfo["test"], TestInfo | undefined>>();
same<Same<TestInfo["outcome"], "passed" | "failed" | "skipped" | "timed out">>();
same<Same<FindJSON["targets"][number]["match"], "equals" | "contains" | "regex" | "same">>();
same<Same<ChildRunJSON["kind"], "process" | "worker">>();

const isText = (spec: FieldSpec): spec is string => typeof spec === "string";
const kindsOf = (spec: string) => spec.replace(/[?*]$/, "").split("|");
const mayBeAbsent = (spec: FieldSpec) =>
  isText(spec) ? /[?*]$/.test(spec) : spec.optional !== undefined;

/** A value of a kind of a text spec. */
function sampleOf(kind: string): unknown {
  if (kind.startsWith("'")) return kind.slice(1, -1);
  return ({
    string: "s",
    number: 1,
    boolean: false,
    true: true,
    null: null,
    texts: { a: "1" },
    strings: ["x"],
    calls: [],
  } as Record<string, unknown>)[kind];
}

/** An object holding every field of a table, each with a value of its first kind. */
function sample(fields: FieldTable): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(fields)) {
    if (isText(spec)) out[key] = sampleOf(kindsOf(spec)[0]);
    else out[key] = spec.list ? [sample(spec.fields)] : sample(spec.fields);
  }
  return out;
}

/** Every field the reader checks: its path, and the table's spec. */
function checkedFields(
  fields: FieldTable,
  at: string[] = [],
): { path: string[]; spec: FieldSpec }[] {
  const out: { path: string[]; spec: FieldSpec }[] = [];
  for (const [key, spec] of Object.entries(fields)) {
    if (!isText(spec) && spec.lenient) continue;
    out.push({ path: [...at, key], spec });
    if (!isText(spec) && !spec.list) {
      out.push(...checkedFields(spec.fields, [...at, key]));
    }
  }
  return out;
}

function withField(run: Record<string, unknown>, path: string[], value: unknown) {
  const copy = structuredClone(run);
  let o = copy as Record<string, unknown>;
  for (const k of path.slice(0, -1)) o = o[k] as Record<string, unknown>;
  if (value === undefined) delete o[path.at(-1)!];
  else o[path.at(-1)!] = value;
  return copy;
}

Deno.test("the run format's tables: a run with every field is read; each field of the wrong type, or missing, is named", () => {
  const run = sample(RUN_FIELDS);
  run.schema = 1;
  run.trace = [sample(CALL_FIELDS)];
  validateRun(run, "all.json");
  let checked = 0;
  for (const { path, spec } of checkedFields(RUN_FIELDS)) {
    const name = path.join(".");
    // Of a kind the field does not take (an object where it takes none, else a number).
    const wrong = isText(spec) && !kindsOf(spec).includes("texts") ? { x: 1 } : 5;
    assert.throws(() => validateRun(withField(run, path, wrong), "w.json"), {
      message: new RegExp(`^Cannot read run "w\\.json": not a tph run \\(.*"${name}"`),
    }, name);
    const absent = withField(run, path, undefined);
    if (mayBeAbsent(spec) || path.length > 1 && path[0] === "config") {
      validateRun(absent, "a.json");
    } else {
      assert.throws(() => validateRun(absent, "a.json"), { message: /not a tph run/ }, name);
    }
    checked++;
  }
  assert.ok(checked >= 40, `${checked} fields checked`);
});

Deno.test("the run format's tables: values a field does not take are named with what it takes", () => {
  const run = sample(RUN_FIELDS);
  run.schema = 1;
  run.trace = [sample(CALL_FIELDS)];
  const refused = (path: string[], value: unknown) => {
    try {
      validateRun(withField(run, path, value), "r.json");
    } catch (e) {
      return (e as Error).message.replace(/^Cannot read run "r\.json": not a tph run \(|\)$/g, "");
    }
    assert.fail(`${path.join(".")} = ${JSON.stringify(value)} was read`);
  };
  assert.equal(
    refused(["run", "test", "outcome"], "flaky"),
    '"run.test.outcome" is "flaky", not "passed" or "failed" or "skipped" or "timed out"',
  );
  assert.equal(
    refused(["config", "details"], "some"),
    '"config.details" is "some", not number or "all"',
  );
  assert.equal(refused(["run", "command"], ["a", 1]), '"run.command" is not a list of strings');
  assert.equal(refused(["config", "include"], [1]), '"config.include" is not a list of strings');
  assert.equal(
    refused(["run", "request", "status"], "200"),
    '"run.request.status" is string, not number or null',
  );
  // Lenient: left to what uses them, which checks them (tph find, by the same table) or copes.
  for (const [key, value] of [["children", [null, 5]], ["parent", null], ["find", 5]] as const) {
    validateRun(withField(run, [key], value), "l.json");
  }
  const findProblem = (f: unknown) => sectionProblem(f, FIND_FIELDS, "find");
  const find = run.find as Record<string, unknown>;
  assert.equal(findProblem(find), null);
  assert.equal(findProblem(5), '"find" is number, not an object');
  assert.equal(findProblem({ ...find, targets: {} }), '"find.targets" is object, not a list');
  assert.equal(
    findProblem({ ...find, matches: [7] }),
    '"find.matches[0]" is number, not an object',
  );
  assert.equal(
    findProblem({ ...find, matches: [{ ...(find.matches as object[])[0], where: "arg2" }] }),
    '"find.matches[0].where" is "arg2", not "arg" or "return" or "throw"',
  );
  // Runs of tracepatch and older tph lack what `*` marks.
  for (const key of ["tracepatch_version", "label", "was_limited", "config"]) {
    validateRun(withField(run, [key], undefined), "old.json");
  }
});

Deno.test("docs/json_format.md describes every field of the run format", () => {
  const doc = readFileSync(join(REPO, "docs/json_format.md"), "utf8");
  const rows = doc.split("\n").filter((l) => l.startsWith("| `"));
  const rowOf = (field: string) => rows.find((r) => r.split("|")[1].includes(`\`${field}\``));
  const missing: string[] = [];
  const walk = (fields: FieldTable, row: string | null, at: string) => {
    for (const [key, spec] of Object.entries(fields)) {
      const own = row === null ? rowOf(key) : row;
      if (own === undefined || (row !== null && !row.includes(`\`${key}\``))) {
        missing.push(at + key);
        continue;
      }
      if (!isText(spec)) walk(spec.fields, own, `${at}${key}.`);
    }
  };
  walk(RUN_FIELDS, null, "");
  walk(CALL_FIELDS, null, "call.");
  assert.deepEqual(missing, []);
});

/** Fields of a written run (at any depth) that the tables do not declare. */
function undeclared(value: unknown, fields: FieldTable, at: string, out: string[]): void {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return;
  for (const [key, v] of Object.entries(value)) {
    const spec = fields[key];
    if (spec === undefined) out.push(at + key);
    else if (spec === "calls") {
      for (const c of v as unknown[]) undeclared(c, CALL_FIELDS, `${at}${key}[].`, out);
    } else if (!isText(spec)) {
      for (const item of spec.list ? v as unknown[] : [v]) {
        undeclared(item, spec.fields, `${at}${key}${spec.list ? "[]" : ""}.`, out);
      }
    }
  }
}

Deno.test({
  name:
    "what tph run writes holds no field the format's tables lack (a found value, a child's run)",
  sanitizeResources: false,
  fn: async () => {
    await using dir = tempDir();
    writeFileSync(
      join(dir.path, "main.mjs"),
      `import { spawnSync } from "node:child_process";
function price(sku, count) { return count * 3; }
function child() {
  return spawnSync(process.execPath, ["child.mjs"], { stdio: "inherit" }).status;
}
console.log(price("plum", 5), child());
`,
    );
    writeFileSync(join(dir.path, "child.mjs"), "function hi(x) { return x + 1; }\nhi(1);\n");
    const r = await tph(NODE_TARGET, ["run", "--find", "plum", "-o", "out.json", "main.mjs"], {
      cwd: dir.path,
    });
    assertCode(r, 0, "tph run");
    const written = JSON.parse(readFileSync(join(dir.path, "out.json"), "utf8"));
    const found: string[] = [];
    undeclared(written, RUN_FIELDS, "", found);
    assert.ok(written.find?.count > 0 && written.children?.length === 1, "a match and a child");
    // The cache's runs (the program's and its child's, which names its parent) likewise.
    const cache = join(dir.path, ".tracepatch_cache");
    const files = readdirSync(cache).filter((f) => /^run_.*\.(tph|json)$/.test(f));
    assert.equal(files.length, 2, files.join(", "));
    for (const f of files) {
      const run = openRun(join(cache, f));
      try {
        undeclared(run.meta, RUN_FIELDS, `${f}: `, found);
      } finally {
        run.close();
      }
    }
    assert.deepEqual(found, []);
  },
});
