// Compiled code through its own source maps: a tsc build (maps in files beside it, and inline), a
// minified bundle (Bun's bundler, which writes no `names`), a bundle holding a package, and maps
// that cannot be had. Built in the test with the pinned tools, so what is checked is what they
// write today. The run records each function at its place in the TypeScript source, under the
// name it was written with; the program's output and exit are as plain.

import assert from "node:assert/strict";
import { mkdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { CallNodeJSON } from "../../../src/types.ts";
import {
  allCalls,
  assertCode,
  BUN,
  exec,
  lines,
  NODE,
  plain,
  readRun,
  REPO,
  splitStderr,
  type Target,
  tempDir,
  tph,
} from "./_cli.ts";

const TSC = join(REPO, "node_modules/typescript/bin/tsc");
const ESBUILD = join(REPO, "node_modules/esbuild/bin/esbuild");
/** esbuild bundling and minifying src/main.ts into out/main.js, with its map beside it. */
const ESBUILD_BUNDLE = [
  ESBUILD,
  "src/main.ts",
  "--bundle",
  "--minify",
  "--sourcemap",
  "--format=esm",
  "--platform=node",
  "--outfile=out/main.js",
];
// Run by the pinned Node (its launcher names `node` from the PATH).
const VITE = join(REPO, "node_modules/vite/bin/vite.js");

const PRICE = `export interface Item { name: string; cents: number }

export function discount(total: number, percent: number): number {
  return Math.round(total * (100 - percent) / 100);
}

export class Cart {
  items: Item[] = [];
  add(item: Item): this {
    this.items.push(item);
    return this;
  }
  total(): number {
    return this.items.reduce((sum, item) => sum + item.cents, 0);
  }
}
`;

// No call in tail position nor callback of a built-in: Bun leaves out such frames where tph's
// rewritten functions keep them (compatibility.md).
const BOOM = `type Box = { value: number };

function check(box: Box): number {
  if (box.value > 2) throw new RangeError(\`too big: \${box.value}\`);
  return box.value;
}

export function run(values: number[]): number {
  let sum = 0;
  for (const v of values) sum += check({ value: v });
  return sum;
}

try {
  run([1, 2, 3]);
} catch (e) {
  console.log((e as Error).stack);
}
run([5]);
`;

// A package's source: its error is thrown two calls deep.
const ROWS = `export class RowError extends Error {
  constructor(message: string, readonly row: number) {
    super(message);
  }
}

function fail(row: number, text: string): never {
  const message = \`no colon in row \${row}: \${JSON.stringify(text)}\`;
  // Nothing inserted on the line: Node's excerpt of a rejection shows the line as it ran.
  throw new RowError(message, row);
}

export function parse(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const rows = text.split("\\n");
  for (let i = 0; i < rows.length; i++) {
    const at = rows[i].indexOf(":");
    if (at < 0) fail(i + 1, rows[i]);
    out[rows[i].slice(0, at)] = rows[i].slice(at + 1).trim();
  }
  return out;
}
`;

const MAIN = `import { Cart, discount } from "./price.js";

type Order = { id: number };

async function checkout(order: Order): Promise<number> {
  const cart = new Cart().add({ name: "tea", cents: 300 }).add({ name: "cake", cents: 450 });
  await Promise.resolve();
  return discount(cart.total(), order.id);
}

console.log(await checkout({ id: 10 }));
`;

/** A TypeScript project (src/main.ts, src/price.ts), not yet built. */
function project() {
  const dir = tempDir();
  const root = realpathSync(dir.path);
  mkdirSync(join(root, "src"));
  writeFileSync(join(root, "src/price.ts"), PRICE);
  writeFileSync(join(root, "src/main.ts"), MAIN);
  writeFileSync(join(root, "package.json"), '{ "name": "shop", "type": "module" }\n');
  return Object.assign(dir, { root });
}

/** Build it with tsc into dist/: maps beside the files, or inline. */
async function tsc(root: string, inline: boolean): Promise<void> {
  const options = {
    target: "es2022",
    module: "nodenext",
    outDir: "dist",
    rootDir: "src",
    strict: true,
    ...(inline ? { inlineSourceMap: true } : { sourceMap: true }),
  };
  writeFileSync(join(root, "tsconfig.json"), JSON.stringify({ compilerOptions: options }));
  const r = await exec([NODE, TSC, "-p", "."], { cwd: root });
  assertCode(r, 0, "tsc");
}

/** The project's functions, as a run recorded them: name → [module, line, params]. */
function places(calls: CallNodeJSON[]): Map<string, [string, number, string[]]> {
  const out = new Map<string, [string, number, string[]]>();
  for (const c of allCalls(calls)) {
    if (c.kind !== "external") out.set(c.name, [c.module, c.line, Object.keys(c.args)]);
  }
  return out;
}

/** What every form must record: the TypeScript places and names. */
const EXPECTED: [string, [string, number, string[]]][] = [
  ["checkout", ["src/main.ts", 5, ["order"]]],
  ["Cart.add", ["src/price.ts", 9, ["item"]]],
  ["Cart.total", ["src/price.ts", 13, []]],
  ["Cart.total › reduce callback", ["src/price.ts", 14, ["sum", "item"]]],
  ["discount", ["src/price.ts", 3, ["total", "percent"]]],
];

/** `tph run -o run.json <script>`, checked against plain; the run. */
async function traced(t: Target, root: string, script: string, flags: string[] = []) {
  const [p, r] = await Promise.all([
    plain(t, script, [], { cwd: root }),
    tph(t, ["run", "--no-cache", "-o", "run.json", ...flags, script], { cwd: root }),
  ]);
  assertCode(p, 0, `plain ${script}`);
  assertCode(r, 0, `tph run ${script}`);
  assert.equal(r.stdout, p.stdout, "the program's output is as plain");
  return { r, run: readRun(join(root, "run.json")) };
}

export function compiledTests(t: Target): void {
  Deno.test(
    `tph run records a tsc build's functions at their TypeScript places, maps beside and inline (${t.name})`,
    async () => {
      for (const inline of [false, true]) {
        await using dir = project();
        await tsc(dir.root, inline);
        const { r, run } = await traced(t, dir.root, "dist/main.js");
        assert.deepEqual(splitStderr(r.stderr).tph.filter((l) => l.includes("warning")), []);
        const found = places(run.trace);
        for (const [name, where] of EXPECTED) {
          assert.deepEqual(found.get(name), where, `${name} (${inline ? "inline" : "beside"})`);
        }
        const discount = allCalls(run.trace).find((c) => c.name === "discount")!;
        assert.equal(discount.file, join(dir.root, "src/price.ts"));
      }
    },
  );

  Deno.test(
    `tph run reads a minified bundle's map for its functions' places and names: esbuild, Bun (${t.name})`,
    async () => {
      const bundlers = {
        // esbuild writes the original names in the map's `names`.
        esbuild: ESBUILD_BUNDLE,
        // Bun's bundler writes none: tph reads each name where the map places it.
        bun: [
          BUN,
          "build",
          "src/main.ts",
          "--minify",
          "--sourcemap=linked",
          "--target=node",
          "--outdir=out",
        ],
      };
      for (const [bundler, argv] of Object.entries(bundlers)) {
        await using dir = project();
        const b = await exec(argv, { cwd: dir.root });
        assertCode(b, 0, bundler);
        const code = readFileSync(join(dir.root, "out/main.js"), "utf8");
        assert.ok(!code.includes("discount"), `the ${bundler} bundle is minified`);
        const { run } = await traced(t, dir.root, "out/main.js");
        const found = places(run.trace);
        for (const [name, where] of EXPECTED) {
          assert.deepEqual(found.get(name), where, `${name} (${bundler})`);
        }
        const tree = await tph(t, ["tree", "run.json", "--no-return"], { cwd: dir.root });
        assertCode(tree, 0, "tph tree");
        assert.match(tree.stdout, /discount\(total=750, percent=10\)/, bundler);
      }
    },
  );

  Deno.test(
    `tph run leaves a bundle's copy of a package untraced, and --exclude names sources (${t.name})`,
    async () => {
      await using dir = project();
      const lib = join(dir.root, "node_modules/roundlib");
      mkdirSync(lib, { recursive: true });
      writeFileSync(join(lib, "package.json"), '{ "name": "roundlib", "main": "index.js" }\n');
      writeFileSync(
        join(lib, "index.js"),
        "function half(n) { return n / 2; }\nexports.halve = function halve(n) { return half(n); };\n",
      );
      writeFileSync(
        join(dir.root, "src/price.ts"),
        PRICE.replace(
          "export function discount",
          'import { halve } from "roundlib";\nexport const half = (n: number) => halve(n);\nexport function discount',
        ),
      );
      writeFileSync(
        join(dir.root, "src/main.ts"),
        MAIN.replace("./price.js", "./price.ts").replace(
          "console.log(",
          'import { half } from "./price.ts";\nconsole.log(half(8));\nconsole.log(',
        ),
      );
      const b = await exec(
        [BUN, "build", "src/main.ts", "--sourcemap=linked", "--target=node", "--outdir=out"],
        { cwd: dir.root },
      );
      assertCode(b, 0, "bun build");
      const { run } = await traced(t, dir.root, "out/main.js");
      const names = allCalls(run.trace).filter((c) => c.kind !== "external").map((c) => c.name);
      assert.ok(names.includes("half") && names.includes("discount"), `${names}`);
      assert.ok(!names.includes("halve"), `the bundled package's functions: ${names}`);
      const excluded = await traced(t, dir.root, "out/main.js", ["--exclude", "src/price.ts"]);
      const left = allCalls(excluded.run.trace).filter((c) => c.kind !== "external");
      assert.ok(left.some((c) => c.name === "checkout"), "src/main.ts is traced");
      assert.deepEqual(left.filter((c) => c.module === "src/price.ts"), [], "src/price.ts is not");
    },
  );

  Deno.test(
    `tph run ignores a source map it cannot use, with one warning line (${t.name})`,
    async () => {
      await using dir = project();
      await tsc(dir.root, false);
      writeFileSync(join(dir.root, "dist/price.js.map"), "{ not json");
      writeFileSync(
        join(dir.root, "dist/main.js"),
        readFileSync(join(dir.root, "dist/main.js"), "utf8").replace(
          "main.js.map",
          "missing.js.map",
        ),
      );
      const { r, run } = await traced(t, dir.root, "dist/main.js");
      const warnings = splitStderr(r.stderr).tph.filter((l) => l.includes("source map"));
      assert.equal(warnings.length, 1, lines(r.stderr).join("\n"));
      assert.match(
        warnings[0],
        /^tph: warning: the source map "(missing|price)\.js\.map" that dist\/(main|price)\.js names (is not a file that can be read|is not JSON): its functions are shown at their places in dist\/(main|price)\.js$/,
      );
      const found = places(run.trace);
      assert.deepEqual(found.get("discount"), ["dist/price.js", 1, ["total", "percent"]]);
      assert.deepEqual(found.get("checkout")?.slice(0, 1), ["dist/main.js"]);
    },
  );

  Deno.test(
    `tph run --scope names sources: the compiled files whose maps point into it are traced (${t.name})`,
    async () => {
      await using dir = project();
      await tsc(dir.root, false);
      const all = await traced(t, dir.root, "dist/main.js", ["--scope", "src"]);
      const found = places(all.run.trace);
      for (const [name, where] of EXPECTED) assert.deepEqual(found.get(name), where, name);
      // One source: its compiled file only; dist/price.js is not the scope's.
      const one = await traced(t, dir.root, "dist/main.js", ["--scope", "src/main.ts"]);
      const names = allCalls(one.run.trace).filter((c) => c.kind !== "external");
      assert.deepEqual(names.map((c) => [c.name, c.module]), [["checkout", "src/main.ts"]]);
      // A scope holding neither the sources nor the compiled files traces nothing of them.
      mkdirSync(join(dir.root, "other"));
      const none = await traced(t, dir.root, "dist/main.js", ["--scope", "other"]);
      assert.deepEqual(allCalls(none.run.trace).filter((c) => c.kind !== "external"), []);
    },
  );

  Deno.test(
    `a compiled program's stack traces under tph are as plain: ES module and CommonJS, map beside and inline (${t.name})`,
    async () => {
      for (const module of ["nodenext", "commonjs"]) {
        for (const inline of [false, true]) {
          await using dir = project();
          writeFileSync(join(dir.root, "src/boom.ts"), BOOM);
          if (module === "commonjs") {
            writeFileSync(join(dir.root, "package.json"), `{ "type": "commonjs" }\n`);
          }
          const options = {
            target: "es2022",
            module,
            outDir: "dist",
            rootDir: "src",
            ...(inline ? { inlineSourceMap: true } : { sourceMap: true }),
          };
          writeFileSync(
            join(dir.root, "tsconfig.json"),
            JSON.stringify({ compilerOptions: options }),
          );
          await exec([NODE, TSC, "-p", "."], { cwd: dir.root });
          const what = `${module}, ${inline ? "inline" : "beside"}`;
          const [p, r] = await Promise.all([
            plain(t, "dist/boom.js", [], { cwd: dir.root }),
            tph(t, ["run", "--no-cache", "-o", "run.json", "dist/boom.js"], { cwd: dir.root }),
          ]);
          assert.notEqual(p.code, 0, `plain fails (${what})`);
          assert.equal(r.code, p.code, `exit code (${what})`);
          // Deno's frames of node:module under a loading CommonJS module differ under tph
          // (compatibility.md): the program's own frames are compared, down to those.
          const own = (text: string) =>
            text.split(/\n(?= {4}at node:module| {4}at \S+ \(node:module)/)[0];
          assert.equal(own(r.stdout), own(p.stdout), `the stack the program prints (${what})`);
          // Bun's report of an uncaught error under tph names a module's top-level frame without
          // `<anonymous>` (compatibility.md): every other frame is compared as it is.
          const report = (text: string) =>
            own(t.runtime === "bun" ? text.replace(/at <anonymous> \((.*)\)$/gm, "at $1") : text);
          assert.equal(
            report(splitStderr(r.stderr).program),
            report(p.stderr),
            `the uncaught error (${what})`,
          );
        }
      }
    },
  );

  Deno.test(
    `a package's compiled files show the plain stacks under tph: maps beside and inline, naming sources it does not ship (${t.name})`,
    async () => {
      // Deno maps a file of node_modules through a map beside it, but shows it by its own name
      // where the source the map names (../src/index.ts) is not there; it reads no inline map of
      // such a file at all. Node (without source maps) and Bun map none of them.
      await using dir = project();
      const variants: [string, string, boolean][] = [
        ["beside", "--sourcemap", false],
        ["shipped", "--sourcemap", true],
        ["inline", "--sourcemap=inline", false],
      ];
      for (const [name, sourcemap, shipped] of variants) {
        const pkg = join(dir.root, "node_modules", `rows-${name}`);
        mkdirSync(join(pkg, "src"), { recursive: true });
        writeFileSync(
          join(pkg, "package.json"),
          `{ "name": "rows-${name}", "type": "module", "exports": "./dist/index.mjs" }\n`,
        );
        writeFileSync(join(pkg, "src/index.ts"), ROWS);
        const b = await exec(
          [ESBUILD, "src/index.ts", sourcemap, "--format=esm", "--outfile=dist/index.mjs"],
          { cwd: pkg },
        );
        assertCode(b, 0, "esbuild");
        if (!shipped) rmSync(join(pkg, "src"), { recursive: true });
      }
      writeFileSync(
        join(dir.root, "main.mjs"),
        [
          ...variants.map(([name]) => `import { parse as ${name} } from "rows-${name}";`),
          ...variants.map(([name]) =>
            `try { ${name}("a: 1\\nb"); } catch (e) { console.log(e.stack); }`
          ),
          'beside("a: 1\\n\\nc");',
          "",
        ].join("\n"),
      );
      const [p, r] = await Promise.all([
        plain(t, "main.mjs", [], { cwd: dir.root }),
        tph(
          t,
          ["run", "--no-cache", "-o", "run.json", "--include", "node_modules/**", "main.mjs"],
          {
            cwd: dir.root,
          },
        ),
      ]);
      assert.equal(p.code, 1, `plain fails: ${p.stderr}`);
      assert.match(p.stdout, /rows-beside\/dist\/index\.mjs:\d+:\d+\)/, p.stdout);
      if (t.runtime === "deno") {
        assert.match(p.stdout, /rows-shipped\/src\/index\.ts:\d+:\d+\)/, p.stdout);
      }
      const context =
        `--- plain ---\n${p.stdout}${p.stderr}\n--- traced ---\n${r.stdout}${r.stderr}`;
      assert.equal(r.stdout, p.stdout, `the stacks the program prints: ${context}`);
      const report = (text: string) =>
        t.runtime === "bun" ? text.replace(/at <anonymous> \((.*)\)$/gm, "at $1") : text;
      assert.equal(
        report(splitStderr(r.stderr).program),
        report(p.stderr),
        `the uncaught error: ${context}`,
      );
      assert.equal(r.code, p.code, context);
      const calls = allCalls(readRun(join(dir.root, "run.json")).trace);
      assert.ok(calls.some((c) => c.name === "fail"), "the packages are traced");
    },
  );

  Deno.test(
    `tph diff matches a tsc build's calls with a minified bundle's by their names as written; exports name the TypeScript places (${t.name})`,
    async () => {
      await using dir = project();
      await tsc(dir.root, false);
      const b = await exec(
        ESBUILD_BUNDLE,
        { cwd: dir.root },
      );
      assertCode(b, 0, "esbuild");
      const cwd = dir.root;
      for (const [script, out] of [["dist/main.js", "a.json"], ["out/main.js", "b.json"]]) {
        assertCode(await tph(t, ["run", "--no-cache", "-o", out, script], { cwd }), 0, script);
      }
      const diff = await tph(t, ["diff", "a.json", "b.json"], { cwd });
      // The same calls; only a value's class name is the minified one (limitations).
      assert.match(diff.stdout, /, 0 added, 0 removed; /, diff.stdout);
      const exported = await tph(t, ["export", "b.json", "--format", "speedscope", "-o", "-"], {
        cwd,
      });
      assertCode(exported, 0, "tph export");
      const frames = JSON.parse(exported.stdout).shared.frames as {
        name: string;
        file: string;
        line: number;
      }[];
      assert.deepEqual(
        frames.find((f) => f.name.startsWith("discount ")),
        { name: "discount (src/price.ts:3)", file: join(dir.root, "src/price.ts"), line: 3 },
      );
    },
  );

  Deno.test(
    `tph run --include reads a minified package's own map: its functions by their names, in its sources (${t.name})`,
    async () => {
      await using dir = project();
      const pkg = join(dir.root, "node_modules/slugs");
      mkdirSync(join(pkg, "src"), { recursive: true });
      writeFileSync(
        join(pkg, "package.json"),
        '{ "name": "slugs", "type": "module", "exports": "./dist/index.js" }\n',
      );
      writeFileSync(
        join(pkg, "src/index.ts"),
        [
          "function lowerWords(text: string): string[] {",
          "  return text.toLowerCase().split(/\\s+/);",
          "}",
          'export function slugify(title: string, separator = "-"): string {',
          "  return lowerWords(title).join(separator);",
          "}",
          "",
        ].join("\n"),
      );
      const b = await exec(
        [
          ESBUILD,
          "src/index.ts",
          "--minify",
          "--sourcemap",
          "--format=esm",
          "--outfile=dist/index.js",
        ],
        { cwd: pkg },
      );
      assertCode(b, 0, "esbuild");
      writeFileSync(
        join(dir.root, "main.js"),
        'import { slugify } from "slugs";\nconsole.log(slugify("Hello Big World"));\n',
      );
      const { run } = await traced(t, dir.root, "main.js", ["--include", "node_modules/slugs/**"]);
      const calls = allCalls(run.trace).filter((c) => c.kind !== "external");
      assert.deepEqual(
        calls.map((c) => [c.name, c.module, c.line, Object.keys(c.args)]),
        [
          ["slugify", "node_modules/slugs/src/index.ts", 4, ["title", "separator"]],
          ["lowerWords", "node_modules/slugs/src/index.ts", 1, ["text"]],
        ],
      );
    },
  );

  Deno.test(
    `tph run traces Vite's SSR build by its sources (${t.name})`,
    async () => {
      await using dir = project();
      writeFileSync(
        join(dir.root, "src/server.ts"),
        [
          'import { Cart, discount } from "./price.ts";',
          "",
          "export function render(url: string): string {",
          "  const cart = new Cart().add({ name: url, cents: 300 });",
          "  return `<p>${discount(cart.total(), 10)}</p>`;",
          "}",
          "",
          'console.log(render("/tea"));',
          "",
        ].join("\n"),
      );
      const b = await exec(
        [
          VITE,
          "build",
          "--ssr",
          "src/server.ts",
          "--sourcemap",
          "--outDir",
          "dist",
          "--logLevel",
          "warn",
        ],
        { cwd: dir.root },
      );
      assertCode(b, 0, "vite build --ssr");
      const { run } = await traced(t, dir.root, "dist/server.js");
      const found = places(run.trace);
      assert.deepEqual(found.get("render"), ["src/server.ts", 3, ["url"]]);
      assert.deepEqual(found.get("discount"), ["src/price.ts", 3, ["total", "percent"]]);
      assert.deepEqual(found.get("Cart.add"), ["src/price.ts", 9, ["item"]]);
    },
  );
}
