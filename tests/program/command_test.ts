// The traced program's command line (src/program/command.ts): which runtime runs it when
// `--runtime` names another than tph's own, and the options the program sees as its own.

import assert from "node:assert/strict";
import {
  childCommand,
  nodeHasHooks,
  pickRuntime,
  RuntimeError,
  withoutPreload,
} from "../../src/program/command.ts";

Deno.test("Node has module.registerHooks from 22.15 on", () => {
  for (const v of ["v22.15.0", "22.15.1", "v22.23.3", "v23.0.0", "v24.21.0", "v30.1.0"]) {
    assert.ok(nodeHasHooks(v), v);
  }
  for (const v of ["v22.14.0", "v20.20.2", "v18.19.0", "", "not a version"]) {
    assert.ok(!nodeHasHooks(v), v);
  }
});

Deno.test("--runtime: the first one found, on PATH before tph's pinned one", () => {
  const found = [{ path: "/usr/bin/bun", invoked: "bun" }, {
    path: "/tph/bun",
    invoked: "/tph/bun",
  }];
  assert.deepEqual(pickRuntime("bun", found, () => ""), found[0]);
});

Deno.test("--runtime node: the first Node recent enough, else one line naming the one found", () => {
  const found = [
    { path: "/usr/bin/node", invoked: "node" },
    { path: "/tph/node_modules/.bin/node", invoked: "/tph/node_modules/.bin/node" },
  ];
  const versions: Record<string, string> = {
    "/usr/bin/node": "v20.20.2",
    "/tph/node_modules/.bin/node": "v22.23.3",
  };
  assert.deepEqual(pickRuntime("node", found, (exe) => versions[exe]), found[1]);
  assert.throws(
    () => pickRuntime("node", [found[0]], (exe) => versions[exe]),
    (e: Error) =>
      e instanceof RuntimeError &&
      e.message === "--runtime node: /usr/bin/node is Node 20.20.2; tph needs Node 22.15 or " +
          "newer (module.registerHooks): install it, or use --runtime deno or bun",
  );
});

Deno.test("--runtime: a runtime found nowhere is named, with the others to choose", () => {
  assert.throws(
    () => pickRuntime("deno", [], () => ""),
    (e: Error) =>
      e instanceof RuntimeError &&
      e.message === "--runtime deno: no deno found on PATH: install Deno, or choose another " +
          "runtime (bun, node)",
  );
});

Deno.test("the program's options are its own: tph's preload and stack size left out", () => {
  const path = "/opt/tph/src/program/preload.ts";
  assert.deepEqual(
    withoutPreload(["--stack-size=3444", "--require", path, "--trace-warnings"], [path]),
    ["--trace-warnings"],
  );
  assert.deepEqual(withoutPreload(["--preload", path, "--smol"], [path]), ["--smol"]);
  // Another module given to --require is the user's.
  assert.deepEqual(
    withoutPreload(["--require", "/other.js"], [path]),
    ["--require", "/other.js"],
  );
  // A stack size of the user's own, not before tph's preload, stays.
  assert.deepEqual(withoutPreload(["--stack-size=100"], [path]), ["--stack-size=100"]);
});

Deno.test("--runtime of tph's own runtime runs it as tph's runtime was invoked", () => {
  const own = childCommand("main.ts", ["a"], "/work", "deno");
  assert.equal(own.argv.at(-2), "/work/main.ts");
  assert.equal(own.argv.at(-1), "a");
  assert.ok(own.argv.includes("--preload"), own.argv.join(" "));
});
