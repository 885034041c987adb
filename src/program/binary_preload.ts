// The traced program's preload in the standalone binary. `bun build --compile` embeds this file as
// a second entry point, bundled with the packages tph needs; the binary writes it to disk beside
// oxc's native addon (binary_runtime.ts) and runs the program as the `bun` CLI would
// (`BUN_BE_BUN=1 tph --preload <this file> script`), so that the program resolves its packages,
// tsconfig paths and `import.meta.main` exactly as under `bun script`.
//
// Runs in the program's process, before the program: no global it adds may stay visible.

import process from "../platform/node_process.ts";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as traceMapping from "@jridgewell/trace-mapping";
import * as sourcemapCodec from "@jridgewell/sourcemap-codec";
import * as smolToml from "smol-toml";
import { exitWhenNoParser, presetDepsLazily, presetToml } from "../deps.ts";
import { setupChild } from "./child.ts";
import { ADDON_FILE, BE_BUN_ENV, CHILD_ENV } from "./settings.ts";
import { isFollowed } from "./follow.ts";
import { verifiedPlanFile } from "./hand_off.ts";
import { withoutPreload } from "./command.ts";
import { standIn } from "./loader/original_text.ts";
import { keepBunSpawnEnv, keepBunWorkerArgv, startUpEnvWithout } from "./bun_children.ts";
import { Array, String } from "../platform/globals.ts";

const self = fileURLToPath(import.meta.url);
// Bun's require() in an ES module; the bundler resolves a literal one to the bundled package.
declare const require: (id: string) => typeof import("oxc-parser");

// The program must not see the variable that makes the binary behave as `bun`; but a process it
// starts from the same executable (`fork()`, `spawn(process.execPath, …)`) expects `bun`, as it
// would get without tph: such a command gets the variable back, and this preload, which hides it
// there in turn (and does nothing else in a process that `tph run` did not start). Node's
// child_process functions go through these two on Bun.
delete process.env[BE_BUN_ENV];
// deno-lint-ignore no-explicit-any
const bun = (globalThis as any).Bun;
const executable = process.execPath;
const reflectApply = Reflect.apply;
/** A shell command line whose first word is the executable, with this preload after it. */
function withOwnPreload(line: string): string | null {
  const start = line.length - line.trimStart().length;
  for (const word of [executable, `"${executable}"`, `'${executable}'`]) {
    const end = start + word.length;
    if (line.startsWith(word, start) && (end === line.length || /\s/.test(line[end]))) {
      return `${line.slice(0, end)} --preload '${self.replaceAll("'", "'\\''")}'${line.slice(end)}`;
    }
  }
  return null;
}

for (const name of ["spawn", "spawnSync"] as const) {
  const real = bun[name];
  // Printed as Bun's own (by tph's toString, once a traced run installs it), shaped as it is.
  bun[name] = standIn(real, {
    apply(_real, self_, args) {
      const [first, second] = args;
      const options = Array.isArray(first) ? second : first;
      const cmd: unknown = Array.isArray(first) ? first : first?.cmd;
      // exec(): a shell given a command line that starts with the executable.
      const line = Array.isArray(cmd) && cmd[1] === "-c" && typeof cmd[2] === "string" &&
          /(^|\/)sh$/.test(String(cmd[0]))
        ? withOwnPreload(cmd[2])
        : null;
      // Reflect.apply as it was: the program may have patched Function.prototype.apply.
      if (!Array.isArray(cmd) || (cmd[0] !== executable && line === null)) {
        return reflectApply(real, self_, args);
      }
      const env = { ...(options?.env ?? process.env), [BE_BUN_ENV]: "1" };
      const command = line !== null
        ? [cmd[0], "-c", line, ...cmd.slice(3)]
        : [executable, "--preload", self, ...cmd.slice(1)];
      return Array.isArray(first)
        ? reflectApply(real, self_, [command, { ...second, env }])
        : reflectApply(real, self_, [{ ...first, cmd: command, env }, second]);
    },
  });
}

// Traced when tph handed this process settings (hand_off.ts), not for a TPH_ variable the program
// set itself.
const handed = verifiedPlanFile(process.env[CHILD_ENV]) !== null || isFollowed();
if (!handed || !setUp()) {
  process.execArgv = withoutPreload(process.execArgv, [self]);
  // A process the program started from the binary: its own children and workers see no more of
  // tph than it does (the variable above is in the environment Bun started it with).
  keepBunSpawnEnv(startUpEnvWithout([]));
  keepBunWorkerArgv(process.execArgv);
}

/** Set up tracing in this process: false when its settings turn out not to be tph's. */
function setUp(): boolean {
  // oxc (bundled here) loads when a file is first parsed, not at each start (its native addon and
  // JS: ~5 ms): a run whose files all come from the transform cache never loads it. It finds its
  // native addon through napi-rs' override variable, read when the package loads (synchronously:
  // the program runs no code meanwhile).
  presetDepsLazily(() => {
    process.env.NAPI_RS_NATIVE_LIBRARY_PATH = join(dirname(self), ADDON_FILE);
    try {
      return { oxc: require("oxc-parser"), traceMapping, sourcemapCodec };
    } finally {
      delete process.env.NAPI_RS_NATIVE_LIBRARY_PATH;
    }
  });
  presetToml(smolToml);
  // The binary's own addon is the only parser it has: one that cannot be loaded (another
  // platform's) is one line and exit 1, not Bun's page of the bundle's code. (A program's process
  // on a runtime with tph's package has other ways to parse: deps.ts throws there.)
  exitWhenNoParser();
  return setupChild([self]);
}
