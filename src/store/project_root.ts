import { exists } from "../platform/files.ts";
import { dirname, join, resolve } from "node:path";
import { enclosingWorkspace, memberAliases, readWorkspace, type Workspace } from "./workspace.ts";

const MARKERS = ["deno.json", "deno.jsonc", "package.json", ".git"];

/** The nearest folder at or above `start` with a marker; `start` when there is none. */
function nearestMarked(start: string): string {
  for (let dir = start;; dir = dirname(dir)) {
    if (MARKERS.some((m) => exists(join(dir, m)))) return dir;
    if (dirname(dir) === dir) return start;
  }
}

/**
 * The project root of a folder: the nearest folder at or above it holding deno.json,
 * deno.jsonc, package.json or .git; the folder itself when there is none. A member package of a
 * workspace (workspace.ts) is not a project of its own: its root is the workspace's root.
 *
 * @param startDir Where to start looking.
 * @returns An absolute path.
 *
 * @example
 * ```ts
 * import { findProjectRoot } from "./src/store/project_root.ts";
 * console.log(findProjectRoot(Deno.cwd()));
 * ```
 */
export function findProjectRoot(startDir: string): string {
  const near = nearestMarked(resolve(startDir));
  return outermostWorkspace(near)?.root ?? near;
}

/** How many workspaces within workspaces are followed up. */
const MAX_NESTING = 8;

/**
 * The workspace a folder is a member of, or, when that workspace's root is itself a member of
 * another (a workspace within a workspace), that one, and so on up: the whole is one project.
 */
function outermostWorkspace(dir: string): Workspace | null {
  let found: Workspace | null = null;
  for (let i = 0; i < MAX_NESTING; i++) {
    const up = enclosingWorkspace(found?.root ?? dir);
    if (up === null) break;
    found = up;
  }
  return found;
}

/**
 * The workspace the project of a folder is (see {@linkcode findProjectRoot}): the one its root
 * declares, or the one it is a member of; null when it is no workspace.
 *
 * @param startDir Where to start looking.
 * @returns The workspace, members found, or null.
 *
 * @example
 * ```ts
 * import { findWorkspace } from "./src/store/project_root.ts";
 * console.log(findWorkspace(Deno.cwd())?.members.length ?? "no workspace");
 * ```
 */
export function findWorkspace(startDir: string): Workspace | null {
  const near = nearestMarked(resolve(startDir));
  return outermostWorkspace(near) ?? readWorkspace(near);
}

/**
 * The project root of a script: {@linkcode findProjectRoot} of its folder or, for a script inside
 * a `node_modules` folder (a test runner's bin: `tph run node_modules/mocha/bin/mocha.js`), of the
 * folder that holds the outermost `node_modules`. A package's own package.json there is not the
 * project's, and since `node_modules` is never in scope, a root inside it traces nothing.
 *
 * @param script The script's absolute path.
 * @returns An absolute path.
 *
 * @example
 * ```ts
 * import { scriptProjectRoot } from "./src/store/project_root.ts";
 * console.log(scriptProjectRoot("/app/node_modules/tape/bin/tape")); // "/app" when it has a marker
 * ```
 */
export function scriptProjectRoot(script: string): string {
  return findProjectRoot(scriptFolder(script));
}

/** The folder a script's project root is looked for from (see {@linkcode scriptProjectRoot}). */
export function scriptFolder(script: string): string {
  const dir = dirname(resolve(script));
  const parts = dir.split(/[\\/]/);
  const at = parts.indexOf("node_modules");
  return at > 0 ? parts.slice(0, at).join("/") || "/" : dir;
}

/**
 * What a project root's default scope is: the root, and the other paths by which the runtime may
 * load a workspace member's files (see memberAliases), each with the member folder it stands for.
 *
 * @param root A project root (see {@linkcode findProjectRoot}).
 * @returns The scope folders, and the aliases the loader names modules by.
 *
 * @example
 * ```ts
 * import { defaultScope } from "./src/store/project_root.ts";
 * console.log(defaultScope("/repo").folders); // ["/repo", "/repo/node_modules/@shop/pricing"]
 * ```
 */
export function defaultScope(root: string): { folders: string[]; aliases: [string, string][] } {
  const ws = readWorkspace(root);
  const aliases = ws === null ? [] : memberAliases(ws);
  return { folders: [root, ...aliases.map(([from]) => from)], aliases };
}
