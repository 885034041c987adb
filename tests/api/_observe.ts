// Run the API fixture programs (tests/fixtures/api/*.ts) traced, once per runtime, and read
// what they observed: each prints one JSON line last. Plus helpers to look into call trees.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { REPO, type RuntimeName, runTraced, type TracedResult } from "../_harness.ts";
import type { CallNodeJSON, RunJSON } from "../../src/types.ts";

export type { CallNodeJSON, RunJSON };

/** Folder of the fixture programs. */
export const FIXTURES = join(REPO, "tests/fixtures/api");
/** The runtimes every API test runs on. */
export const RUNTIMES: RuntimeName[] = ["deno", "bun", "node"];
/** What a fixture printed, and the process-wide trace the harness recorded. */
export interface Observed {
  // deno-lint-ignore no-explicit-any
  out: any;
  run: TracedResult;
}

const cache = new Map<string, Observed>();

/**
 * Run a fixture traced (memoized per runtime and arguments) and parse its last output line.
 *
 * @param rt The runtime.
 * @param name The fixture's file name without `.ts`.
 * @param args Arguments for the program.
 * @returns What it printed, parsed, and the run.
 */
export function observe(rt: RuntimeName, name: string, args: string[] = []): Observed {
  const key = [rt, name, ...args].join(" ");
  let seen = cache.get(key);
  if (seen === undefined) {
    const run = runTraced(rt, join(FIXTURES, name + ".ts"), { args });
    assert.equal(run.code, 0, `${name}.ts failed on ${rt}:\n${run.stderr}`);
    const last = run.stdout.trim().split("\n").at(-1) ?? "";
    seen = { out: JSON.parse(last), run };
    cache.set(key, seen);
  }
  return seen;
}

/** The 1-based line of the first line of a fixture containing `text`. */
export function lineOf(name: string, text: string): number {
  const lines = readFileSync(join(FIXTURES, name + ".ts"), "utf8").split("\n");
  const i = lines.findIndex((l) => l.includes(text));
  assert.ok(i >= 0, `${text} not in ${name}.ts`);
  return i + 1;
}

/** Calls into traced code only: external (untraced) callees such as timers are left out. */
export function own(nodes: CallNodeJSON[]): CallNodeJSON[] {
  return nodes.filter((n) => !n.external);
}

/** Every node of a tree, depth first in call order. */
export function allNodes(nodes: CallNodeJSON[]): CallNodeJSON[] {
  return nodes.flatMap((n) => [n, ...allNodes(n.children)]);
}

/** The first node (depth first) that matches. */
export function find(
  nodes: CallNodeJSON[],
  match: (n: CallNodeJSON) => boolean,
): CallNodeJSON {
  const hit = allNodes(nodes).find(match);
  assert.ok(hit !== undefined, "no such call in the tree");
  return hit;
}

/** A node by name and, optionally, one argument's repr. */
export function call(nodes: CallNodeJSON[], name: string, arg?: [string, string]): CallNodeJSON {
  return find(nodes, (n) => n.name === name && (arg === undefined || n.args[arg[0]] === arg[1]));
}

/**
 * A tree of own calls as text: `a, b(c, d)`. `label` names a node (default: its name).
 *
 * @param nodes The nodes.
 * @param label How a node is shown.
 * @returns The outline.
 */
export function outline(
  nodes: CallNodeJSON[],
  label: (n: CallNodeJSON) => string = (n) => n.name,
): string {
  return own(nodes).map((n) => {
    const inner = outline(n.children, label);
    return label(n) + (inner === "" ? "" : `(${inner})`);
  }).join(", ");
}

/**
 * The calls a `trace.run(cb)` made: its roots. The callback's own call is left out of the tree
 * (its calls take its place), so no root may be an anonymous function of the fixture.
 */
export function body(json: RunJSON): CallNodeJSON[] {
  for (const root of json.trace) {
    // The callbacks are arrows written as trace.run's argument: named `run callback` by place.
    assert.ok(
      !/(?:^|› )run callback(?: #\d+)?$/.test(root.name),
      `the callback itself is not a root: ${root.name}`,
    );
  }
  return json.trace;
}

const TIME = /\[(\d+)µs\]|\[(\d+\.\d\d)ms\]/g;

/**
 * Take the times out of a rendered tree.
 *
 * @param tree Text from `t.tree()`.
 * @returns The text with each time replaced by `[T]`, and the times in ms.
 */
export function splitTimes(tree: string): { shape: string; times: number[] } {
  const times = [...tree.matchAll(TIME)].map((m) => m[1] ? Number(m[1]) / 1000 : Number(m[2]));
  return { shape: tree.replace(TIME, "[T]"), times };
}
