// tph's command-line parser (src/cli/argv.ts) reads every command line as node:util's parseArgs
// does (the way tph parsed before it had its own): the same values, positionals and first
// problem, for thousands of command lines mixing every form, on Deno and on Bun.

import assert from "node:assert/strict";
import { parseArgs } from "node:util";
import { HELP_OPTION, type OptionSpec, parseArgv } from "../../../src/cli/argv.ts";
import { RUN_OPTIONS } from "../../../src/cli/launch/run_options.ts";
import { bunCheck } from "../../_harness.ts";

const TREE_OPTIONS: Record<string, OptionSpec> = {
  "max-depth": { type: "string", help: "" },
  filter: { type: "string", multiple: true, help: "" },
  "no-args": { type: "boolean", short: "a", help: "" },
};

/** The reference: parseArgs, lenient, and the first bad option token as tph words it. */
function reference(options: Record<string, OptionSpec>, argv: string[], stop: boolean) {
  const opts = Object.fromEntries(
    Object.entries(options).map(([k, o]) => [k, {
      type: o.type,
      ...(o.short ? { short: o.short } : {}),
      ...(o.multiple ? { multiple: true } : {}),
    }]),
  );
  const tokenize = (args: string[]) =>
    parseArgs({ args, options: opts, strict: false, allowPositionals: true, tokens: true });
  let args = argv;
  let rest: string[] = [];
  if (stop) {
    const first = tokenize(argv).tokens.find((t) =>
      t.kind === "positional" || t.kind === "option-terminator"
    );
    if (first !== undefined) {
      args = argv.slice(0, first.index);
      rest = argv.slice(first.kind === "option-terminator" ? first.index + 1 : first.index);
    }
  }
  const { values, positionals, tokens } = tokenize(args);
  let problem = null;
  for (const t of tokens) {
    if (t.kind !== "option" || problem !== null) continue;
    const spec = Object.hasOwn(opts, t.name) ? opts[t.name] : undefined;
    const known = spec !== undefined &&
      (t.rawName.startsWith("--") ? t.rawName === `--${t.name}` : spec.short === t.rawName[1]);
    if (!known) problem = { kind: "unknown", rawName: t.rawName };
    else if (spec.type === "string" && t.value === undefined) {
      problem = { kind: "needs-value", rawName: t.rawName };
    } else if (spec.type === "boolean" && t.inlineValue) {
      problem = { kind: "no-value", rawName: t.rawName };
    }
  }
  return { values: { ...values }, positionals: [...positionals, ...rest], problem };
}

// Not "--=a=b": Bun's parseArgs reads it as an option named "=a=b", Deno's (and Node's) as "" with
// the value "a=b"; tph reads it as Deno does, on both.
const WORDS = [
  "main.ts",
  "x",
  "-",
  "--",
  "-h",
  "--help",
  "-o",
  "out.json",
  "-ofile",
  "-oh",
  "-ho",
  "-hh",
  "--output",
  "--output=f",
  "--output=",
  "--label",
  "--label=a b",
  "--max-depth",
  "3",
  "-3",
  "--max-depth=5",
  "--no-redact",
  "--no-redact=1",
  "--bogus",
  "--bogus=1",
  "-x",
  "-xy",
  "-xo",
  "--include",
  "a/**",
  "--include=b",
  "--tree",
  "--tree=yes",
  "---x",
  "--=x",
  "-=",
  "--constructor",
  "--__proto__",
  "--__proto__=1",
  "-a",
  "-ao",
  "--filter",
  "f",
  "--filter=g",
  "--no-args",
  "--no-args=",
  "--max-depth=",
  "--cache-dir",
  ".",
];

/** Deterministic command lines: every pair and triple start, then random ones. */
function* commandLines(): Generator<string[]> {
  for (const a of WORDS) {
    yield [a];
    for (const b of WORDS) yield [a, b];
  }
  let seed = 42;
  const rand = (n: number) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  for (let i = 0; i < 20_000; i++) {
    yield Array.from({ length: rand(7) }, () => WORDS[rand(WORDS.length)]);
  }
}

/** Compare, and return how many command lines were compared. */
export function compareAll(): number {
  let n = 0;
  for (const [options, stop] of [[RUN_OPTIONS, true], [TREE_OPTIONS, false]] as const) {
    const all = { ...options, help: HELP_OPTION };
    for (const argv of commandLines()) {
      const got = parseArgv(all, argv, stop);
      assert.deepEqual(
        { ...got, values: { ...got.values } },
        reference(all, argv, stop),
        JSON.stringify(argv),
      );
      n++;
    }
  }
  return n;
}

if (import.meta.main) console.log(`ARGV_OK ${compareAll()}`);
else {
  Deno.test("tph's parser reads command lines as parseArgs does (deno)", () => {
    assert.ok(compareAll() > 40_000);
  });
  Deno.test("tph's parser reads command lines as parseArgs does (bun)", () => {
    assert.match(bunCheck(new URL(import.meta.url)), /ARGV_OK \d+/);
  });
}
