// The register entry in a workspace member agrees with `tph run`: the workspace is one project,
// so a sibling package imported by name is traced (its calls inside the block's tree, not an
// external leaf) and the block is stored at the workspace root.

import assert from "node:assert/strict";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { REPO, runPlain, runRegistered, type RuntimeName } from "../_harness.ts";
import { listRuns, openRun } from "../../src/store/runs.ts";
import type { CallNodeJSON } from "../../src/types.ts";

const RUNTIMES: RuntimeName[] = ["deno", "bun", "node"];
const MOD = JSON.stringify(join(REPO, "mod.ts"));
const TMP = realpathSync(mkdtempSync(join(tmpdir(), "tph-register-ws-")));
globalThis.addEventListener("unload", () => rmSync(TMP, { recursive: true, force: true }));

/** An npm workspace: packages/shop (the program) imports @shop/pricing, linked as npm links it. */
function workspace(): string {
  const root = mkdtempSync(join(TMP, "ws-"));
  const files: Record<string, string> = {
    "package.json": JSON.stringify({ private: true, workspaces: ["packages/*"] }),
    "packages/shop/package.json": JSON.stringify({
      name: "@shop/shop",
      type: "module",
      dependencies: { "@shop/pricing": "*" },
    }),
    "packages/shop/main.ts": `import { trace } from ${MOD};
import { discount } from "@shop/pricing";
function total(price: number): number {
  return discount(price, 10);
}
const t = trace.run(() => total(30));
console.log("total", t.result, t.callCount);
`,
    "packages/pricing/package.json": JSON.stringify({
      name: "@shop/pricing",
      type: "module",
      exports: "./discount.ts",
    }),
    "packages/pricing/discount.ts": `function rate(pct: number): number {
  return pct / 100;
}
export function discount(price: number, pct: number): number {
  return price - price * rate(pct);
}
`,
  };
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  mkdirSync(join(root, "node_modules/@shop"), { recursive: true });
  symlinkSync("../../packages/pricing", join(root, "node_modules/@shop/pricing"));
  return root;
}

function shape(nodes: CallNodeJSON[]): unknown[] {
  return nodes.map((n) => [n.name, n.module, n.external ?? false, shape(n.children)]);
}

for (const rt of RUNTIMES) {
  Deno.test(`register entry in a workspace member: the sibling is traced, the block stored at the root (${rt})`, () => {
    const root = workspace();
    const shop = join(root, "packages/shop");
    const r = runRegistered(rt, join(shop, "main.ts"), { cwd: shop });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, "");
    assert.equal(r.stdout, "total 27 3\n");
    assert.equal(
      existsSync(join(shop, ".tracepatch_cache")),
      false,
      "nothing stored in the member",
    );
    const { entries } = listRuns(join(root, ".tracepatch_cache"));
    assert.equal(entries.length, 1);
    const file = openRun(entries[0].path);
    try {
      assert.deepEqual(shape(file.tree().roots), [
        ["total", "packages/shop/main.ts", false, [
          ["discount", "packages/pricing/discount.ts", false, [
            ["rate", "packages/pricing/discount.ts", false, []],
          ]],
        ]],
      ]);
    } finally {
      file.close();
    }
    // Without tph: the same output (no block records, so no calls).
    const p = runPlain(rt, join(shop, "main.ts"), { cwd: shop });
    assert.equal(p.code, 0, p.stderr);
    assert.equal(p.stdout, "total 27 0\n");
  });
}
