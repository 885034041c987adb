// Workspaces are one project: in an npm/Bun workspace (package.json "workspaces") and a Deno one
// (deno.json "workspace"), a program in one member that imports a sibling by its package name
// traces the sibling's functions (not an external leaf), stores its run at the workspace root,
// from the root or from the member's folder, and prints what it prints without tph. A workspace
// that does not hold (a glob matching nothing, a member folder missing, a malformed manifest)
// leaves tph as it is without one. `tph config` names the workspace; `tph test` in a member
// stores its runs at the root too.

import assert from "node:assert/strict";
import {
  existsSync,
  mkdirSync,
  readdirSync,
  realpathSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { dirname, join } from "node:path";
import type { RunJSON } from "../../../src/types.ts";
import {
  allCalls,
  assertCode,
  callNamed,
  lines,
  plain,
  type Target,
  type TempDir,
  tempDir,
  tph,
} from "./_cli.ts";

const DISCOUNT = `function rate(pct: number): number {
  return pct / 100;
}
export function discount(price: number, pct: number): number {
  return price - price * rate(pct);
}
`;

const MAIN = `import { discount } from "@shop/pricing";
function total(price: number): number {
  return discount(price, 10);
}
console.log("total", total(30));
`;

/** A temporary folder holding these files (folders made). */
function project(files: Record<string, string>): TempDir {
  const dir = tempDir();
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir.path, path)), { recursive: true });
    writeFileSync(join(dir.path, path), text);
  }
  return dir;
}

const json = (value: unknown) => JSON.stringify(value, null, 2) + "\n";

/** The member packages' files, as npm and Bun lay them out. */
function npmMembers(rootManifest: unknown): Record<string, string> {
  return {
    "package.json": json(rootManifest),
    "packages/shop/package.json": json({
      name: "@shop/shop",
      type: "module",
      dependencies: { "@shop/pricing": "*" },
    }),
    "packages/shop/main.ts": MAIN,
    "packages/pricing/package.json": json({
      name: "@shop/pricing",
      type: "module",
      exports: "./src/index.ts",
    }),
    "packages/pricing/src/index.ts": 'export { discount } from "./discount.ts";\n',
    "packages/pricing/src/discount.ts": DISCOUNT,
  };
}

/** An npm (or Bun) workspace: the members, and the link npm install makes to the library. */
export function npmWorkspace(
  rootManifest: unknown = { name: "shop-repo", private: true, workspaces: ["packages/*"] },
): TempDir {
  const dir = project(npmMembers(rootManifest));
  mkdirSync(join(dir.path, "node_modules/@shop"), { recursive: true });
  symlinkSync("../../packages/pricing", join(dir.path, "node_modules/@shop/pricing"));
  return dir;
}

/** A Deno workspace: members named in their deno.json, importing each other by those names. */
function denoWorkspace(): TempDir {
  return project({
    "deno.json": json({ workspace: ["./packages/shop", "./packages/pricing"] }),
    "packages/shop/deno.json": json({ name: "@shop/shop", version: "0.1.0", exports: "./main.ts" }),
    "packages/shop/main.ts": MAIN,
    "packages/pricing/deno.json": json({
      name: "@shop/pricing",
      version: "0.1.0",
      exports: "./src/index.ts",
    }),
    "packages/pricing/src/index.ts": 'export { discount } from "./discount.ts";\n',
    "packages/pricing/src/discount.ts": DISCOUNT,
  });
}

/** The last run stored, as `tph export last` gives it from `cwd`. */
async function lastRun(t: Target, cwd: string): Promise<RunJSON> {
  const r = await tph(t, ["export", "last", "-o", "-"], { cwd });
  assertCode(r, 0, "tph export last");
  return JSON.parse(r.stdout);
}

/** The `.tph` runs stored in a folder's .tracepatch_cache. */
function storedRuns(folder: string): string[] {
  const cache = join(folder, ".tracepatch_cache");
  return existsSync(cache) ? readdirSync(cache).filter((n) => n.endsWith(".tph")) : [];
}

/** The sibling's functions are traced, named by their place in the workspace. */
function assertSiblingTraced(run: RunJSON, what: string): void {
  const total = callNamed(run.trace, "total");
  assert.equal(total.module, "packages/shop/main.ts", what);
  const discount = callNamed(run.trace, "discount");
  assert.equal(discount.external, undefined, `${what}: discount is traced, not external`);
  assert.equal(discount.module, "packages/pricing/src/discount.ts", what);
  assert.deepEqual(discount.args, { price: "30", pct: "10" }, what);
  assert.deepEqual(discount.children.map((c) => [c.name, c.module]), [
    ["rate", "packages/pricing/src/discount.ts"],
  ], what);
  assert.deepEqual(total.children.map((c) => c.name), ["discount"], what);
  assert.deepEqual(allCalls(run.trace).filter((c) => c.external), [], what);
}

/**
 * `tph run` of the shop's main.ts from the workspace root and from the shop's folder: the same
 * output as without tph, each run stored at the root, the pricing package traced.
 */
async function runBothWays(t: Target, root: string, what: string): Promise<void> {
  const shop = join(root, "packages/shop");
  const p = await plain(t, "main.ts", [], { cwd: shop });
  assertCode(p, 0, `${what}: plain main.ts`);
  assert.equal(p.stdout, "total 27\n");
  for (const [cwd, script] of [[root, "packages/shop/main.ts"], [shop, "main.ts"]]) {
    const from = cwd === root ? "the root" : "the member";
    const before = storedRuns(root).length;
    const r = await tph(t, ["run", script], { cwd });
    assertCode(r, 0, `${what}: tph run from ${from}`);
    assert.equal(r.stdout, p.stdout, `${what}: the program's output from ${from}`);
    assert.equal(storedRuns(root).length, before + 1, `${what}: stored at the root (${r.stderr})`);
    assert.deepEqual(storedRuns(shop), [], `${what}: nothing stored in the member`);
    // The run is where every command looks for it, from the member's folder too.
    const run = await lastRun(t, shop);
    assertSiblingTraced(run, `${what} from ${from}`);
    const tree = await tph(t, ["tree", "last", "--no-args"], { cwd });
    assertCode(tree, 0, "tph tree last");
    assert.deepEqual(lines(tree.stdout).map((l) => l.replace(/ {2}\[[^\]]*\]$/, "")), [
      "└── total() -> 27",
      "    └── discount() -> 27",
      "        └── rate() -> 0.1",
    ]);
  }
}

export function workspaceTests(t: Target): void {
  Deno.test(
    `tph run in an npm${
      t.runtime === "bun" ? "/Bun" : ""
    } workspace traces the sibling package and stores at the root (${t.name})`,
    async () => {
      await using dir = npmWorkspace();
      await runBothWays(t, realpathSync(dir.path), "npm workspace");
    },
  );

  // A glob that makes no RegExp, one a backtracking matcher takes minutes over beside a long
  // folder name: the first is said and left out, the second matches nothing, quickly; the
  // program runs, its workspace as the other glob makes it.
  Deno.test(`tph run and tph config: a workspace glob tph cannot use is said once and left out (${t.name})`, async () => {
    const hostile = "p*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b";
    await using dir = npmWorkspace({
      name: "shop-repo",
      private: true,
      workspaces: ["packages/*", "packages/{a", hostile],
    });
    const root = realpathSync(dir.path);
    const long = join(root, "p" + "a".repeat(80));
    mkdirSync(long);
    writeFileSync(join(long, "package.json"), json({ name: "long" }));
    const warning = `tph: warning: workspace glob "packages/{a" in ${
      join(root, "package.json")
    } cannot be used (a "{" is not closed): left out`;
    // The runtime may say what it makes of the globs too (Deno reads package.json workspaces).
    const said = (stderr: string) => lines(stderr).filter((l) => l.startsWith("tph: warning:"));
    const r = await tph(t, ["run", "packages/shop/main.ts"], { cwd: root });
    assertCode(r, 0, "tph run");
    assert.equal(r.stdout, "total 27\n");
    assert.deepEqual(said(r.stderr), [warning], r.stderr);
    assertSiblingTraced(await lastRun(t, root), "with a glob left out");
    const config = await tph(t, ["config"], { cwd: root });
    assertCode(config, 0, "tph config");
    assert.deepEqual(said(config.stderr), [warning], config.stderr);
    assert.match(config.stdout, /Workspace: .* 2 members/);
    assert.match(config.stdout, /no member folder matches "p\*a\*a/);
  });
}

/** What a program in a member does where the workspace does not hold: as without one. */
async function assertPlainProject(t: Target, root: string, what: string): Promise<void> {
  const shop = join(root, "packages/shop");
  const r = await tph(t, ["run", "main.ts"], { cwd: shop });
  assertCode(r, 0, `${what}: tph run`);
  assert.equal(r.stdout, "total 27\n", what);
  assert.equal(storedRuns(shop).length, 1, `${what}: stored in the member (${r.stderr})`);
  assert.deepEqual(storedRuns(root), [], what);
  const run = await lastRun(t, shop);
  assert.equal(callNamed(run.trace, "discount").external, true, `${what}: discount is external`);
  assert.equal(allCalls(run.trace).some((c) => c.name === "rate"), false, what);
}

/**
 * Workspaces that do not hold, on Node (which reads no workspace itself, so a malformed manifest
 * is tph's alone to cope with): the program is traced as a project of its own.
 */
export function brokenWorkspaceTests(t: Target): void {
  Deno.test(
    `tph run: a workspace glob matching nothing, a missing member, a malformed manifest change nothing (${t.name})`,
    async () => {
      const cases: [string, unknown | string][] = [
        ["a glob matching nothing", { workspaces: ["apps/*"] }],
        ["a missing member", { workspaces: ["packages/gone", "packages/pricing"] }],
        ["a malformed manifest", '{ "workspaces": ["packages/*"], }}'],
        ["workspaces of the wrong type", { workspaces: "packages/*" }],
      ];
      for (const [what, manifest] of cases) {
        await using dir = npmWorkspace({});
        const root = realpathSync(dir.path);
        writeFileSync(
          join(root, "package.json"),
          typeof manifest === "string" ? manifest : json(manifest),
        );
        await assertPlainProject(t, root, what);
        const config = await tph(t, ["config"], { cwd: join(root, "packages/shop") });
        assertCode(config, 0, `${what}: tph config`);
        assert.doesNotMatch(config.stdout, /Workspace/, what);
      }
    },
  );
}

/** The Deno-only tests: Deno workspaces, workspaces that do not hold, tph config, tph test. */
export function denoWorkspaceTests(t: Target): void {
  Deno.test(
    `tph run in a Deno workspace traces the sibling package and stores at the root (${t.name})`,
    async () => {
      await using dir = denoWorkspace();
      await runBothWays(t, realpathSync(dir.path), "Deno workspace");
    },
  );

  Deno.test(`tph config names the workspace, its root and members (${t.name})`, async () => {
    await using dir = npmWorkspace({
      private: true,
      workspaces: ["packages/*", "apps/*", "!packages/internal"],
    });
    const root = realpathSync(dir.path);
    mkdirSync(join(root, "packages/internal"));
    writeFileSync(join(root, "packages/internal/package.json"), json({ name: "internal" }));
    writeFileSync(join(root, "tracepatch.toml"), "max_depth = 12\n");
    const r = await tph(t, ["config"], { cwd: join(root, "packages/shop") });
    assertCode(r, 0, "tph config");
    assert.deepEqual(lines(r.stdout).slice(0, 6), [
      // The root's config applies in its members.
      `Configuration: ${join(root, "tracepatch.toml")}`,
      `Workspace: npm/yarn/Bun (package.json) at ${root}, 2 members, traced and stored as one project`,
      "  packages/pricing  @shop/pricing",
      "  packages/shop     @shop/shop",
      '  (no member folder matches "apps/*")',
      "",
    ]);
    assert.match(r.stdout, /^ {2}max_depth +12$/m);
    assert.ok(
      lines(r.stdout).some((l) =>
        /^ {2}cache_dir +none \(runs go to (.*)\) +\(default\)$/.exec(l)?.[1] ===
          join(root, ".tracepatch_cache")
      ),
      r.stdout,
    );
  });

  Deno.test(`tph test in a Deno workspace member stores at the root, the sibling traced (${t.name})`, async () => {
    await using dir = denoWorkspace();
    const root = realpathSync(dir.path);
    const shop = join(root, "packages/shop");
    writeFileSync(
      join(shop, "shop_test.ts"),
      'import { discount } from "@shop/pricing";\n' +
        'Deno.test("discount", () => {\n  if (discount(30, 10) !== 27) throw new Error("bad");\n});\n',
    );
    const r = await tph(t, ["test", "--", "shop_test.ts"], { cwd: shop });
    assertCode(r, 0, "tph test");
    assert.match(r.stderr, /stored each test's run in \.\.\/\.\.\/\.tracepatch_cache/);
    assert.equal(storedRuns(root).length, 1);
    assert.deepEqual(storedRuns(shop), []);
    const run = await lastRun(t, root);
    const discount = callNamed(run.trace, "discount");
    assert.equal(discount.external, undefined);
    assert.equal(discount.module, "packages/pricing/src/discount.ts");
    assert.deepEqual(discount.children.map((c) => c.name), ["rate"]);
  });
}

/**
 * On Node with --preserve-symlinks, the sibling's modules keep the path of the link npm made to it
 * (node_modules/@shop/pricing/…): traced still, and named by the member's folder.
 */
export function preservedLinkTests(t: Target): void {
  Deno.test(`tph run: a member loaded through its node_modules link is traced as the member (${t.name})`, async () => {
    await using dir = npmWorkspace();
    const root = realpathSync(dir.path);
    const lib = join(root, "packages/pricing");
    // JavaScript: Node strips no types under node_modules.
    writeFileSync(
      join(lib, "package.json"),
      json({ name: "@shop/pricing", type: "module", exports: "./src/index.js" }),
    );
    writeFileSync(join(lib, "src/index.js"), 'export { discount } from "./discount.js";\n');
    writeFileSync(join(lib, "src/discount.js"), DISCOUNT.replaceAll(": number", ""));
    const env = { NODE_OPTIONS: "--preserve-symlinks" };
    const shop = join(root, "packages/shop");
    const p = await plain(t, "main.ts", [], { cwd: shop, env });
    assertCode(p, 0, "plain main.ts");
    const r = await tph(t, ["run", "main.ts"], { cwd: shop, env });
    assertCode(r, 0, "tph run");
    assert.equal(r.stdout, p.stdout);
    const discount = callNamed((await lastRun(t, shop)).trace, "discount");
    assert.equal(discount.external, undefined, "discount is traced");
    assert.equal(discount.module, "packages/pricing/src/discount.js");
    assert.equal(discount.file, join(root, "node_modules/@shop/pricing/src/discount.js"));
    assert.deepEqual(discount.children.map((c) => c.module), ["packages/pricing/src/discount.js"]);
  });
}
