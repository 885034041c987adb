// Workspaces (src/store/workspace.ts): which manifests declare one, which folders are members,
// and that a member's project root is the workspace root (project_root.ts).

import assert from "node:assert/strict";
import { chmodSync, mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import {
  memberAliases,
  pnpmPackages,
  readWorkspace,
  type Workspace,
  workspaceWarnings,
} from "../../src/store/workspace.ts";
import {
  defaultScope,
  findProjectRoot,
  findWorkspace,
  scriptProjectRoot,
} from "../../src/store/project_root.ts";
import { tempDir } from "./_cache.ts";

/** Write files (path → text) under `root`, folders made. */
function files(root: string, tree: Record<string, string>): void {
  for (const [path, text] of Object.entries(tree)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
}

const pkg = (name: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ name, ...extra });

/** The members as paths relative to the root, with their names. */
const members = (ws: Workspace | null) =>
  ws?.members.map((m) => [m.dir.slice(ws.root.length + 1), m.name]);

Deno.test("readWorkspace(): package.json workspaces (npm, Bun), globs and negations", () => {
  const root = tempDir();
  files(root, {
    "package.json": pkg("root", {
      workspaces: ["packages/*", "apps/**", "!packages/internal", "tools/cli"],
    }),
    "packages/shop/package.json": pkg("@shop/shop"),
    "packages/pricing/package.json": pkg("@shop/pricing"),
    "packages/internal/package.json": pkg("internal"),
    // No manifest: not a package.
    "packages/notes/README.md": "",
    "apps/web/package.json": pkg("web"),
    "apps/web/deep/admin/package.json": pkg("admin"),
    // Never looked into.
    "apps/node_modules/dep/package.json": pkg("dep"),
    "apps/.cache/x/package.json": pkg("x"),
    "tools/cli/package.json": "{}",
  });
  const ws = readWorkspace(root);
  assert.equal(ws?.kind, "package.json");
  assert.equal(ws?.manifest, join(root, "package.json"));
  assert.deepEqual(members(ws), [
    ["apps/web", "web"],
    ["apps/web/deep/admin", "admin"],
    ["packages/pricing", "@shop/pricing"],
    ["packages/shop", "@shop/shop"],
    ["tools/cli", null],
  ]);
  assert.deepEqual(ws?.unmatched, []);
});

Deno.test("readWorkspace(): yarn's { packages } form; a glob matching nothing is kept to say", () => {
  const root = tempDir();
  files(root, {
    "package.json": pkg("root", { workspaces: { packages: ["./libs/*/", "missing/*"] } }),
    "libs/a/package.json": pkg("a"),
  });
  const ws = readWorkspace(root);
  assert.deepEqual(members(ws), [["libs/a", "a"]]);
  assert.deepEqual(ws?.unmatched, ["missing/*"]);
});

Deno.test("pnpmPackages() reads the packages list of pnpm-workspace.yaml, and nothing else", () => {
  assert.deepEqual(
    pnpmPackages(
      [
        "# the workspace",
        "packages:",
        "  # the apps",
        "  - 'apps/*'",
        '  - "packages/**"   # all of them',
        "  - tools/cli",
        "",
        "  - '!**/test/**'",
        "catalog:",
        "  react: ^18",
      ].join("\n"),
    ),
    ["apps/*", "packages/**", "tools/cli", "!**/test/**"],
  );
  assert.deepEqual(pnpmPackages("packages: ['a/*', \"b\"]\n"), ["a/*", "b"]);
  assert.deepEqual(pnpmPackages("packages:\n- a/*\n- b\nother: 1\n"), ["a/*", "b"]);
  assert.deepEqual(pnpmPackages("catalog:\n  packages: x\n"), null);
  assert.deepEqual(pnpmPackages(""), null);
  assert.deepEqual(pnpmPackages("packages: [unclosed\n"), null);
});

Deno.test("readWorkspace(): pnpm-workspace.yaml comes first, members need a package.json", () => {
  const root = tempDir();
  files(root, {
    "pnpm-workspace.yaml": "packages:\n  - 'packages/*'\n  - '!packages/skip'\n",
    // pnpm does not read this.
    "package.json": pkg("root", { workspaces: ["other/*"] }),
    "packages/a/package.json": pkg("a"),
    "packages/skip/package.json": pkg("skip"),
    "packages/deno-only/deno.json": pkg("deno-only"),
    "other/b/package.json": pkg("b"),
  });
  const ws = readWorkspace(root);
  assert.equal(ws?.kind, "pnpm");
  assert.deepEqual(members(ws), [["packages/a", "a"]]);
  assert.equal(findProjectRoot(join(root, "packages/a")), root);
  // Not a member of the workspace pnpm reads.
  assert.equal(findProjectRoot(join(root, "other/b")), join(root, "other/b"));
});

Deno.test("readWorkspace(): a Deno workspace in deno.json or deno.jsonc, named by deno.json", () => {
  const root = tempDir();
  files(root, {
    "deno.jsonc":
      '{\n  // members\n  "workspace": ["./packages/a", "./packages/b", "./gone"],\n}\n',
    "packages/a/deno.json": pkg("@x/a", { exports: "./mod.ts" }),
    "packages/b/deno.jsonc": '{ /* c */ "name": "@x/b", }',
    "packages/b/src/mod.ts": "",
  });
  const ws = readWorkspace(root);
  assert.equal(ws?.kind, "deno");
  assert.deepEqual(members(ws), [["packages/a", "@x/a"], ["packages/b", "@x/b"]]);
  assert.deepEqual(ws?.unmatched, ["./gone"]);
  assert.equal(findProjectRoot(join(root, "packages/b/src")), root);
  assert.equal(scriptProjectRoot(join(root, "packages/b/src/mod.ts")), root);
  assert.equal(findWorkspace(join(root, "packages/b/src"))?.root, root);
  assert.equal(findWorkspace(root)?.root, root);
});

Deno.test("findProjectRoot(): a member's root is the workspace's; other folders keep theirs", () => {
  const outer = tempDir();
  const root = join(outer, "repo");
  files(root, {
    "package.json": pkg("root", { workspaces: ["packages/*"] }),
    "packages/shop/package.json": pkg("shop"),
    "packages/shop/src/main.ts": "",
    "scripts/package.json": pkg("scripts"),
    // A package of its own inside a member, not one itself (a test fixture).
    "packages/shop/fixtures/app/package.json": pkg("app"),
    "packages/shop/fixtures/app/src/main.ts": "",
  });
  assert.equal(findProjectRoot(join(root, "packages/shop")), root);
  assert.equal(findProjectRoot(join(root, "packages/shop/src")), root);
  assert.equal(scriptProjectRoot(join(root, "packages/shop/src/main.ts")), root);
  assert.equal(findProjectRoot(root), root);
  // In the workspace's folder, but no member.
  assert.equal(findProjectRoot(join(root, "scripts")), join(root, "scripts"));
  assert.equal(findWorkspace(join(root, "scripts")), null);
  const app = join(root, "packages/shop/fixtures/app");
  assert.equal(scriptProjectRoot(join(app, "src/main.ts")), app);
  assert.equal(findProjectRoot(outer), outer);
});

Deno.test("findProjectRoot(): broken or odd manifests change nothing", () => {
  const root = tempDir();
  files(root, {
    "a/package.json": '{ "workspaces": ["packages/*"', // cut short
    "a/packages/x/package.json": pkg("x"),
    "b/package.json": pkg("b", { workspaces: "packages/*" }),
    "b/packages/x/package.json": pkg("x"),
    "c/deno.json": pkg("c", { workspace: [42, null, "../outside", "/abs"] }),
    "c/packages/x/deno.json": pkg("x"),
    "d/pnpm-workspace.yaml": "packages: {}\n",
    "d/packages/x/package.json": pkg("x"),
  });
  for (const p of ["a", "b", "c", "d"]) {
    assert.equal(findProjectRoot(join(root, p, "packages/x")), join(root, p, "packages/x"), p);
  }
  assert.equal(readWorkspace(join(root, "a")), null);
  assert.deepEqual(readWorkspace(join(root, "c"))?.members, []);
  // A manifest that is a folder.
  mkdirSync(join(root, "e/package.json/x"), { recursive: true });
  assert.equal(readWorkspace(join(root, "e")), null);
});

Deno.test("findProjectRoot(): a workspace manifest other users could replace is passed over", () => {
  const open = tempDir();
  files(open, {
    "package.json": pkg("root", { workspaces: ["packages/*"] }),
    "packages/x/package.json": pkg("x"),
  });
  chmodSync(open, 0o777);
  assert.equal(findProjectRoot(join(open, "packages/x")), join(open, "packages/x"));
  chmodSync(open, 0o700);
  assert.equal(findProjectRoot(join(open, "packages/x")), open);
});

Deno.test("memberAliases(): the node_modules links to members, and a member that is a link", () => {
  const root = tempDir();
  const elsewhere = tempDir();
  files(root, {
    "package.json": pkg("root", { workspaces: ["packages/*"] }),
    "packages/shop/package.json": pkg("@shop/shop"),
    "packages/pricing/package.json": pkg("@shop/pricing"),
    // An installed copy, not a link: not the member.
    "packages/shop/node_modules/@shop/shop/package.json": pkg("@shop/shop"),
  });
  files(elsewhere, { "package.json": pkg("ext") });
  mkdirSync(join(root, "node_modules/@shop"), { recursive: true });
  symlinkSync("../../packages/pricing", join(root, "node_modules/@shop/pricing"));
  // pnpm's way: in the member's own node_modules.
  mkdirSync(join(root, "packages/shop/node_modules/@shop"), { recursive: true });
  symlinkSync("../../../pricing", join(root, "packages/shop/node_modules/@shop/pricing"));
  // A link by a member's name to something else.
  symlinkSync(elsewhere, join(root, "node_modules/@shop/shop"));
  symlinkSync(elsewhere, join(root, "packages/ext"));
  const ws = readWorkspace(root)!;
  assert.deepEqual(members(ws), [
    ["packages/ext", "ext"],
    ["packages/pricing", "@shop/pricing"],
    ["packages/shop", "@shop/shop"],
  ]);
  assert.deepEqual(memberAliases(ws), [
    [elsewhere, join(root, "packages/ext")],
    [join(root, "node_modules/@shop/pricing"), join(root, "packages/pricing")],
    [join(root, "packages/shop/node_modules/@shop/pricing"), join(root, "packages/pricing")],
  ]);
  assert.deepEqual(defaultScope(root).folders, [root, ...memberAliases(ws).map(([f]) => f)]);
  assert.deepEqual(defaultScope(join(root, "packages/shop")), {
    folders: [join(root, "packages/shop")],
    aliases: [],
  });
});

Deno.test("readWorkspace(): `**` stays within its bounds", () => {
  const root = tempDir();
  let deep = "a";
  for (let i = 0; i < 12; i++) deep += "/d";
  files(root, {
    "package.json": pkg("root", { workspaces: ["**"] }),
    "a/d/package.json": pkg("shallow"),
    [`${deep}/package.json`]: pkg("too-deep"),
  });
  assert.deepEqual(members(readWorkspace(root)), [["a/d", "shallow"]]);
});

Deno.test("findProjectRoot(): a workspace within a workspace is one project with it", () => {
  const root = tempDir();
  files(root, {
    "package.json": pkg("outer", { workspaces: ["apps/*"] }),
    "apps/suite/package.json": pkg("suite", { workspaces: ["libs/*"] }),
    "apps/suite/libs/core/package.json": pkg("core"),
  });
  assert.equal(findProjectRoot(join(root, "apps/suite/libs/core")), root);
  assert.equal(findProjectRoot(join(root, "apps/suite")), root);
  assert.equal(findWorkspace(join(root, "apps/suite/libs/core"))?.root, root);
});

Deno.test("readWorkspace(): a glob tph cannot use is left out and said; braces may hold a slash", () => {
  const root = tempDir();
  const long = "p" + "a".repeat(200);
  files(root, {
    "package.json": pkg("root", {
      workspaces: [
        "packages/{a",
        "!{x",
        "{apps,libs/*}",
        "p*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b",
        "*".repeat(46) + "a",
      ],
    }),
    "apps/package.json": pkg("apps"),
    "libs/ui/package.json": pkg("ui"),
    // Matched by the last glob, missed by the one before at its very end.
    [`${long}/package.json`]: pkg("long"),
  });
  const ws = readWorkspace(root);
  assert.deepEqual(members(ws), [["apps", "apps"], ["libs/ui", "ui"], [long, "long"]]);
  assert.deepEqual(ws?.unusable, [
    { glob: "packages/{a", problem: 'a "{" is not closed' },
    { glob: "!{x", problem: 'a "{" is not closed' },
  ]);
  assert.deepEqual(ws?.unmatched, ["p*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b"]);
  assert.deepEqual(workspaceWarnings(ws), [
    `workspace glob "packages/{a" in ${join(root, "package.json")} cannot be used ` +
    '(a "{" is not closed): left out',
    `workspace glob "!{x" in ${join(root, "package.json")} cannot be used ` +
    '(a "{" is not closed): left out',
  ]);
  assert.deepEqual(workspaceWarnings(null), []);
});
