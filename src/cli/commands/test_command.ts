// `tph test`: the project's tests under its own test runner, each test's calls stored as a run of
// its own (its name, file and outcome with it), and a line per failing test naming its run.

import { dirname, join } from "node:path";
import { exists, readText, remove } from "../../platform/files.ts";
import { prepareVitest } from "./vitest_runner.ts";
import { prepareJest } from "./jest_runner.ts";
import type { TEST_OPTIONS } from "../launch/run_options.ts";
import type { Context } from "./command.ts";
import { runTests } from "./run_command.ts";
import { runnerFromImports } from "./runner_from_imports.ts";
import { ownRuntime } from "../../program/command.ts";

/** A runner tph test runs (every one `--runner` takes). */
type HeldRunner = Parameters<typeof runTests>[1];

/** How each runner is started, as tph says it. */
const RUNNER_COMMANDS: Record<HeldRunner, string> = {
  deno: "deno test",
  bun: "bun test",
  node: "node --test",
  vitest: "vitest",
  jest: "jest",
};

/** A test runner, and what in the project says it is the one. */
interface Runner {
  name: HeldRunner;
  why: string;
  /** The runner's arguments in the project's test script (`node --test test/`), when simple. */
  args?: string[];
  /** The test script, when it runs the runner but is more than one plain command. */
  script?: string;
  /** Only a package.json says (no test script, no runner in it, no runner's config). */
  guessed?: boolean;
}

/**
 * The words of a test script that is one plain command: null when the shell would do more than
 * split it (operators, variables, escapes, an environment assignment).
 */
export function scriptWords(script: string): string[] | null {
  if (/[&|;<>$`\\(){}\n]/.test(script)) return null;
  const words: string[] = [];
  for (const m of script.matchAll(/'([^']*)'|"([^"]*)"|(\S+)/g)) {
    const word = m[1] ?? m[2] ?? m[3];
    if (m[3] !== undefined && /['"=]/.test(m[3]) && !m[3].startsWith("-")) return null;
    words.push(word);
  }
  return words;
}

/** The arguments `node --test` is given in a plain test script, but `--test` itself. */
function nodeTestArgs(script: string): string[] | undefined {
  const words = scriptWords(script);
  if (words === null || words[0] !== "node" || !words.includes("--test")) return undefined;
  return words.slice(1).filter((w) => w !== "--test");
}

/**
 * The arguments a runner is given in a plain test script (`vitest run --project unit`), also
 * through a package manager (`yarn jest`, `npx vitest run`, `pnpm exec jest`).
 */
function runnerArgs(script: string, runner: string): string[] | undefined {
  let words = scriptWords(script);
  if (words === null) return undefined;
  if (["npx", "yarn", "pnpm", "bunx"].includes(words[0])) {
    words = words.slice(words[1] === "exec" || words[1] === "run" ? 2 : 1);
  }
  return words[0] === runner ? words.slice(1) : undefined;
}

/** What a package.json's test script or dependencies say about its runner; null: nothing. */
function packageRunner(file: string): Runner | null {
  let pkg: { scripts?: Record<string, unknown>; devDependencies?: object; dependencies?: object };
  try {
    pkg = JSON.parse(readText(file));
  } catch {
    return null;
  }
  const script = typeof pkg.scripts?.test === "string" ? pkg.scripts.test : "";
  const why = `the test script of ${file}`;
  for (const name of ["vitest", "jest"] as const) {
    if (!new RegExp(`\\b${name}\\b`).test(script)) continue;
    const args = runnerArgs(script.trim(), name);
    return { name, why, ...(args !== undefined ? { args } : { script }) };
  }
  if (/\bbun\s+test\b/.test(script)) return { name: "bun", why };
  if (/\bnode\b.*--test\b/.test(script)) {
    const args = nodeTestArgs(script.trim());
    return { name: "node", why, ...(args !== undefined ? { args } : { script }) };
  }
  if (/\bdeno\s+test\b/.test(script)) return { name: "deno", why };
  const deps = { ...pkg.dependencies, ...pkg.devDependencies };
  if ("vitest" in deps) return { name: "vitest", why: `vitest in ${file}` };
  if ("jest" in deps) return { name: "jest", why: `jest in ${file}` };
  return null;
}

/**
 * The project's test runner, from the nearest folder up from `cwd` that says: its package.json's
 * test script or dependencies, a deno.json, a bunfig.toml, else a package.json (Node's).
 *
 * @param cwd Where tph test runs.
 * @returns The runner, or null when no folder up to the root says.
 */
export function detectRunner(cwd: string): Runner | null {
  for (let dir = cwd;; dir = dirname(dir)) {
    const pkg = join(dir, "package.json");
    const fromPackage = exists(pkg) ? packageRunner(pkg) : null;
    if (fromPackage !== null) return fromPackage;
    for (const name of ["deno.json", "deno.jsonc"]) {
      if (exists(join(dir, name))) return { name: "deno", why: join(dir, name) };
    }
    if (exists(join(dir, "bunfig.toml"))) return { name: "bun", why: join(dir, "bunfig.toml") };
    if (exists(pkg)) return { name: "node", why: pkg, guessed: true };
    if (dirname(dir) === dir) return null;
  }
}

/** `tph test`'s work: its options and help are in the command table (commands.ts). */
export async function run(ctx: Context<typeof TEST_OPTIONS>): Promise<number> {
  const given = ctx.values.runner;
  let runner: Runner | null = given !== undefined
    ? { name: given as HeldRunner, why: "--runner" } // one of its choices (run_options.ts)
    : detectRunner(ctx.cwd);
  if (runner === null || runner.guessed === true) {
    // Nothing names the runner: the test files' imports may.
    const fromImports = runnerFromImports(ctx.cwd, ownRuntime());
    if (fromImports !== null) {
      runner = fromImports;
      ctx.err(
        `tph: running the tests with ${RUNNER_COMMANDS[runner.name]}: ${runner.why} ` +
          "(no test script nor runner's config says; choose with --runner)",
      );
    }
  }
  runner ??= { name: "deno", why: "no deno.json or package.json says otherwise" };
  // The project's own arguments to its runner, unless some are given.
  const args = ctx.positionals.length === 0 && runner.args !== undefined
    ? runner.args
    : ctx.positionals;
  if (ctx.positionals.length === 0 && "script" in runner && runner.script !== undefined) {
    ctx.warn(
      `the test script (${JSON.stringify(runner.script)}) is more than one plain command: ` +
        `${runner.name} runs without its arguments there; give them after --`,
    );
  }
  const plan = runner.name === "vitest"
    ? prepareVitest(ctx.cwd, args)
    : runner.name === "jest"
    ? prepareJest(ctx.cwd, args)
    : undefined;
  try {
    return await runTests(
      // deno-lint-ignore no-explicit-any
      ctx as any,
      runner.name,
      plan?.args ?? args,
      ctx.values["failed-only"] === true,
      plan,
    );
  } finally {
    if (plan !== undefined) remove(plan.folder);
  }
}
