// Strings kept whole are scanned for secrets when the run is written (once per distinct string),
// longer ones when recorded, before they are clipped: either way every writer (the run file, the
// JSON document, the call tree) shows each stored string as its repr with its secrets redacted,
// the repr of the whole string the program passed, cut as repr cuts it.

import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { instrument } from "../../../src/program/instrument/instrument.ts";
import { runtime } from "../../../src/program/recorder/recorder.ts";
import { writeTraceRun } from "../../../src/program/recorder/run_writer.ts";
import { traceToJSON, writeTraceJSON } from "../../../src/program/recorder/to_json.ts";
import { Redaction } from "../../../src/program/recorder/redact.ts";
import { repr } from "../../../src/program/recorder/repr.ts";
import type { CallNodeJSON } from "../../../src/types.ts";
import { readRunFile } from "../../_run_file.ts";

const SOURCE = `
export function one(s) { return s; }
export function two(a, b) { return b; }
`;

const MAX_REPR = 40;
const SECRETS = [
  "AKIAIOSFODNN7EXAMPLE",
  "ghp_" + "a".repeat(36),
  "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3",
  "postgres://admin:hunter2@db.example.com/app",
  "pin=1234",
  "plain text, nothing secret",
];

/** Every string once and again: secrets at every place around the length a string is kept to. */
function strings(): string[] {
  const all: string[] = [];
  for (const s of SECRETS) {
    all.push(s);
    for (let at = 0; at <= 60; at += 3) all.push("x".repeat(at) + " " + s + " tail");
  }
  for (let n = 36; n <= 46; n++) all.push("pin=7 " + "y".repeat(n));
  return [...all, ...all];
}

function calls(nodes: CallNodeJSON[], out: CallNodeJSON[] = []): CallNodeJSON[] {
  for (const n of nodes) {
    out.push(n);
    calls(n.children, out);
  }
  return out;
}

Deno.test("every writer shows a stored string as its repr, secrets redacted, scanned when written or recorded", async () => {
  const dir = mkdtempSync(join(tmpdir(), "tph-scan-written-"));
  try {
    const file = join(dir, "m.mjs");
    writeFileSync(file, instrument(SOURCE, { filename: "/fixture/m.mjs", module: "m.mjs" }).code);
    // deno-lint-ignore no-explicit-any
    const m: any = await import(pathToFileURL(file).href);
    const rt = runtime();
    const limits = { maxRepr: MAX_REPR, maxCalls: 100_000, redactValues: ["pin=\\d+"] };
    const t = rt.startTrace(limits);
    rt.setProcessTrace(t);
    const passed = strings();
    for (const s of passed) {
      m.one(s);
      m.two(1, s);
    }
    t.active = false;
    rt.setProcessTrace(null);
    const redaction = new Redaction(limits);
    const want = passed.flatMap((s) => {
      const shown = repr(s, MAX_REPR, redaction);
      return [[shown, shown], [shown, shown]];
    });
    assert.ok(want.some(([s]) => s.includes("[redacted]")));
    const runFile = join(dir, "run.tph"), jsonFile = join(dir, "run.json");
    writeTraceRun(t, null, runFile);
    writeTraceJSON(t, null, jsonFile);
    const trees = {
      "run file": readRunFile(runFile).trace,
      "JSON": JSON.parse(readFileSync(jsonFile, "utf8")).trace,
      "call tree": traceToJSON(t, null).trace,
    };
    for (const [name, tree] of Object.entries(trees)) {
      const got = calls(tree).map((c) => [Object.values(c.args).at(-1), c.return_value]);
      assert.deepEqual(got, want, name);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
