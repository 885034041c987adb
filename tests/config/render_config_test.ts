import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadConfig } from "../../src/config/load_config.ts";
import { renderConfig } from "../../src/config/render_config.ts";
import { tempDir } from "../store/_cache.ts";

Deno.test("renderConfig() says only defaults apply and how to create a config", () => {
  const root = tempDir();
  const text = renderConfig(loadConfig({ cwd: root }), {
    cwd: root,
    cacheDir: join(root, ".tracepatch_cache"),
  });
  const lines = text.split("\n");
  assert.equal(
    lines[0],
    'Configuration: defaults (no tracepatch.toml, deno.json or package.json "tracepatch" key ' +
      `found in ${root} or above)`,
  );
  assert.match(text, /^ {2}max_depth +30 +\(default\)$/m);
  assert.match(text, /^ {2}cache_dir +none \(runs go to \.tracepatch_cache\) +\(default\)$/m);
  assert.match(text, /^ {2}tree_style +"unicode" +\(default\)$/m);
  assert.match(text, /^ {2}max_runs +none \(no bound\) +\(default\)$/m);
  assert.match(text, /^ {2}max_cache_mb +none \(no bound\) +\(default\)$/m);
  assert.match(text, /To configure tph, create tracepatch\.toml/);
  assert.match(text, /"tracepatch": \{ "max_depth": 50 \}/);
  // Every key is listed.
  for (
    const key of [
      "ignore_modules",
      "max_calls",
      "max_repr",
      "cache",
      "default_label",
      "show_args",
      "show_return",
      "scope",
      "include",
      "exclude",
      "external_calls",
    ]
  ) assert.match(text, new RegExp(`^  ${key} `, "m"));
});

Deno.test("renderConfig() names the file and marks the values it sets", () => {
  const root = tempDir();
  writeFileSync(
    join(root, "tracepatch.toml"),
    'max_depth = 50\nignore_modules = ["a", "b"]\ncache_dir = ".traces"\ndefault_label = "app"\n',
  );
  const text = renderConfig(loadConfig({ cwd: root }), { cwd: root });
  assert.equal(text.split("\n")[0], "Configuration: tracepatch.toml");
  assert.match(text, /^ {2}max_depth +50$/m);
  assert.match(text, /^ {2}ignore_modules +\["a", "b"\]$/m);
  assert.match(text, /^ {2}cache_dir +"\.traces"$/m);
  assert.match(text, /^ {2}default_label +"app"$/m);
  assert.match(text, /^ {2}max_calls +100000 +\(default\)$/m);
  assert.doesNotMatch(text, /To configure tph/);
});

Deno.test("renderConfig() names the JSON key a config came from", () => {
  const root = tempDir();
  writeFileSync(join(root, "deno.json"), '{ "tracepatch": { "show_args": false } }');
  const text = renderConfig(loadConfig({ cwd: root }), { cwd: root });
  assert.equal(text.split("\n")[0], 'Configuration: deno.json ("tracepatch" key)');
  assert.match(text, /^ {2}show_args +false$/m);
});

Deno.test("renderConfig() names the workspace the project is, and its members", () => {
  const root = tempDir();
  const members = Array.from({ length: 23 }, (_, i) => ({
    dir: join(root, "packages", `p${String(i).padStart(2, "0")}`),
    name: i === 1 ? null : `@x/p${i}`,
  }));
  const text = renderConfig(loadConfig({ cwd: root }), {
    cwd: root,
    workspace: {
      kind: "pnpm",
      root,
      manifest: join(root, "pnpm-workspace.yaml"),
      members,
      unmatched: ["apps/*"],
    },
  });
  const lines = text.split("\n");
  assert.equal(
    lines[1],
    `Workspace: pnpm (pnpm-workspace.yaml) at ${root}, 23 members, traced and stored as one project`,
  );
  assert.equal(lines[2], "  packages/p00  @x/p0");
  assert.equal(lines[3], "  packages/p01  (no name)");
  assert.equal(lines[21], "  packages/p19  @x/p19");
  assert.equal(lines[22], "  … and 3 more");
  assert.equal(lines[23], '  (no member folder matches "apps/*")');
  assert.equal(lines[24], "");
  // No workspace: no line of it.
  assert.doesNotMatch(renderConfig(loadConfig({ cwd: root }), { cwd: root }), /Workspace/);
});
