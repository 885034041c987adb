// Workspaces (monorepos): one root folder whose manifest lists member packages, which import
// each other by name. tph takes the workspace as one project (project_root.ts): a member's
// project root is the workspace root, so its runs are stored there and the default scope (the
// root) covers every member. Four manifests declare one, first found first taken in a folder:
//   pnpm-workspace.yaml   `packages:` a list of globs (pnpm)
//   package.json          `"workspaces": [globs]` or `{ "packages": [globs] }` (npm, yarn, Bun)
//   deno.json(c)          `"workspace": [folders or globs]` or `{ "members": […] }` (Deno)
// A glob starting with `!` takes folders out. A member is a folder a glob matches that holds a
// manifest of its own (package.json; deno.json or deno.jsonc too for Deno). Only the globs given
// are expanded, never into node_modules or hidden folders, and the work is bounded. A glob tph
// cannot use (glob.ts: a `{` not closed, too many alternatives) is left out, and said.

import { basename, dirname, join, relative, resolve } from "node:path";
import {
  entryKind,
  exists,
  isDirectory,
  isSpecialFile,
  readDir,
  readText,
  realPath,
  stat,
} from "../platform/files.ts";
import { parseJsonc } from "../config/_jsonc.ts";
import { configTrustProblem } from "../config/trust.ts";
import { compileGlob, globAlternatives } from "../project/glob.ts";
import { Array, JSON, Map, Set } from "../platform/globals.ts";

/** Which manifest declares a workspace. */
export type WorkspaceKind = "pnpm" | "package.json" | "deno";

/** One member package of a workspace. */
export interface WorkspaceMember {
  /** Its folder, absolute. */
  dir: string;
  /** Its package name (`name` in package.json, or in deno.json for Deno), or null. */
  name: string | null;
}

/** A workspace: its root, the manifest that declares it, and its members. */
export interface Workspace {
  kind: WorkspaceKind;
  /** The root folder, absolute. */
  root: string;
  /** The manifest that declares it, absolute. */
  manifest: string;
  /** The members, in the order of their folders' paths (the root itself is not one). */
  members: WorkspaceMember[];
  /** The globs as written that matched no member folder (said by `tph config`). */
  unmatched: string[];
  /** The globs as written that tph cannot use, each with why: left out (see workspaceWarnings). */
  unusable: { glob: string; problem: string }[];
}

/** Manifests larger than this are not read (a real one is a few kB). */
const MAX_MANIFEST_BYTES = 1 << 20;
/** The most folders one workspace's globs may list, and the deepest a `**` goes. */
const MAX_FOLDERS = 5000;
const MAX_DEPTH = 8;
/** The most `node_modules/<name>` entries looked at for links to members. */
const MAX_LINK_CHECKS = 4000;

/** A manifest's text, or null when it is not a plain-sized file that can be read. */
function manifestText(path: string): string | null {
  try {
    if (!exists(path) || isDirectory(path) || isSpecialFile(path)) return null;
    if (stat(path).size > MAX_MANIFEST_BYTES) return null;
    return readText(path);
  } catch {
    return null;
  }
}

function readJson(path: string): Record<string, unknown> | null {
  const text = manifestText(path);
  if (text === null) return null;
  try {
    const data = parseJsonc(text);
    return data !== null && typeof data === "object" && !Array.isArray(data)
      ? data as Record<string, unknown>
      : null;
  } catch {
    return null;
  }
}

function stringList(value: unknown): string[] | null {
  if (!Array.isArray(value)) return null;
  return value.filter((v): v is string => typeof v === "string" && v.trim() !== "");
}

/** A YAML scalar as pnpm-workspace.yaml writes one: quoted or plain, a comment after it gone. */
function yamlScalar(text: string): string {
  const t = text.trim();
  const q = t[0];
  if ((q === "'" || q === '"') && t.indexOf(q, 1) > 0) return t.slice(1, t.indexOf(q, 1));
  return t.replace(/\s+#.*$/, "").trim();
}

/**
 * The `packages:` list of a pnpm-workspace.yaml: a block list (`- "packages/*"` lines) or a flow
 * list (`packages: [a, b]`). Not a YAML reader: only that one key at the top level, as pnpm's
 * own documentation writes it; anything else there is left alone.
 *
 * @param text The file's text.
 * @returns The globs; null when the file has no `packages:` list.
 *
 * @example
 * ```ts
 * import { pnpmPackages } from "./src/store/workspace.ts";
 * pnpmPackages("packages:\n  - 'packages/*'\n  - '!**\/test/**'\n"); // ["packages/*", "!**\/test/**"]
 * ```
 */
export function pnpmPackages(text: string): string[] | null {
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  const at = lines.findIndex((l) => /^packages\s*:/.test(l));
  if (at < 0) return null;
  const rest = lines[at].replace(/^packages\s*:/, "").replace(/(^|\s)#.*$/, "").trim();
  if (rest.startsWith("[")) {
    // A flow list, possibly over several lines.
    let flow = rest;
    for (let i = at + 1; !flow.includes("]") && i < lines.length; i++) flow += " " + lines[i];
    const end = flow.indexOf("]");
    if (end < 0) return null;
    return flow.slice(1, end).split(",").map(yamlScalar).filter((s) => s !== "");
  }
  if (rest !== "") return null;
  const out: string[] = [];
  for (let i = at + 1; i < lines.length; i++) {
    const line = lines[i];
    if (/^\s*(?:#.*)?$/.test(line)) continue;
    if (!/^\s/.test(line) && !line.startsWith("-")) break;
    const item = /^\s*-\s*(.*)$/.exec(line);
    if (item === null) break;
    const value = yamlScalar(item[1]);
    if (value !== "") out.push(value);
  }
  return out;
}

/** The member globs a folder's manifests declare, with the manifest; null when none does. */
function declared(dir: string): { kind: WorkspaceKind; manifest: string; globs: string[] } | null {
  const pnpm = join(dir, "pnpm-workspace.yaml");
  const yaml = manifestText(pnpm);
  if (yaml !== null) {
    const globs = pnpmPackages(yaml);
    if (globs !== null) return { kind: "pnpm", manifest: pnpm, globs };
  }
  const pkg = join(dir, "package.json");
  // Most folders' manifests declare no workspace: read, not parsed, unless the word is there.
  if (manifestText(pkg)?.includes('"workspaces"')) {
    const ws = readJson(pkg)?.workspaces;
    const globs = stringList(ws) ??
      (ws !== null && typeof ws === "object"
        ? stringList((ws as { packages?: unknown }).packages)
        : null);
    if (globs !== null) return { kind: "package.json", manifest: pkg, globs };
  }
  for (const name of ["deno.json", "deno.jsonc"]) {
    const path = join(dir, name);
    if (!manifestText(path)?.includes('"workspace"')) continue;
    const ws = readJson(path)?.workspace;
    const globs = stringList(ws) ??
      (ws !== null && typeof ws === "object"
        ? stringList((ws as { members?: unknown }).members)
        : null);
    if (globs !== null) return { kind: "deno", manifest: path, globs };
  }
  return null;
}

/** A glob's parts, `./` and trailing slashes gone; null for one that leaves the root. */
function globParts(glob: string): string[] | null {
  const parts = glob.replace(/\\/g, "/").split("/").filter((p) => p !== "" && p !== ".");
  if (parts.length === 0 || parts.includes("..") || glob.startsWith("/")) return null;
  return parts;
}

const WILD = /[*?{[]/;

/** A folder worth looking into for members: not node_modules, not hidden. */
function walkable(name: string): boolean {
  return name !== "node_modules" && !name.startsWith(".");
}

/** The subfolders of a folder (links to folders included), sorted; none when unreadable. */
function subfolders(dir: string, budget: { left: number }): string[] {
  if (budget.left <= 0) return [];
  let names: string[];
  try {
    names = readDir(dir);
  } catch {
    return [];
  }
  budget.left -= names.length;
  return names.filter((n) => walkable(n) && isDirectory(join(dir, n))).sort();
}

/** The folders under `root` a glob's parts match (bounded by `budget`). */
function expand(root: string, parts: string[], budget: { left: number }): string[] {
  const out: string[] = [];
  const step = (dir: string, i: number, depth: number) => {
    if (budget.left <= 0) return;
    if (i === parts.length) {
      out.push(dir);
      return;
    }
    const part = parts[i];
    if (part === "**") {
      // Zero folders, or one more and `**` again.
      step(dir, i + 1, depth);
      if (depth >= MAX_DEPTH) return;
      for (const n of subfolders(dir, budget)) step(join(dir, n), i, depth + 1);
    } else if (WILD.test(part)) {
      // One segment's pattern (braces expanded before): matched without a RegExp.
      const matches = compileGlob("/" + part).test;
      for (const n of subfolders(dir, budget)) {
        if (matches("/" + n)) step(join(dir, n), i + 1, depth);
      }
    } else if (isDirectory(join(dir, part))) step(join(dir, part), i + 1, depth);
  };
  step(root, 0, 0);
  return out;
}

const MEMBER_MANIFESTS: Record<WorkspaceKind, string[]> = {
  pnpm: ["package.json"],
  "package.json": ["package.json"],
  deno: ["deno.json", "deno.jsonc", "package.json"],
};

/** A member's package name, from the first of its manifests that names it. */
function memberName(dir: string, kind: WorkspaceKind): string | null {
  for (const m of MEMBER_MANIFESTS[kind]) {
    const name = readJson(join(dir, m))?.name;
    if (typeof name === "string" && name !== "") return name;
  }
  return null;
}

/**
 * The workspace a folder's manifests declare, members found; null when they declare none (or
 * one that could not be read: a malformed manifest is the package manager's to report).
 *
 * @param root The folder, absolute.
 * @returns The workspace, or null.
 *
 * @example
 * ```ts
 * import { readWorkspace } from "./src/store/workspace.ts";
 * console.log(readWorkspace("/repo")?.members.map((m) => m.name));
 * ```
 */
export function readWorkspace(root: string): Workspace | null {
  const decl = declared(root);
  if (decl === null) return null;
  const budget = { left: MAX_FOLDERS };
  const found = new Map<string, string>();
  const unmatched: string[] = [];
  const unusable: { glob: string; problem: string }[] = [];
  const negated: ((path: string) => boolean)[] = [];
  for (const glob of decl.globs) {
    const neg = glob.startsWith("!");
    const positive = neg ? glob.slice(1) : glob;
    const problem = compileGlob(positive).problem;
    if (problem !== null) {
      unusable.push({ glob, problem });
      continue;
    }
    if (neg) {
      const parts = globParts(positive);
      if (parts !== null) negated.push(compileGlob("/" + parts.join("/")).test);
      continue;
    }
    let any = false;
    // Braces first: an alternative may hold a slash (`{apps,libs/*}`).
    for (const alternative of globAlternatives(positive)) {
      const parts = globParts(alternative);
      if (parts === null) continue;
      for (const dir of expand(root, parts, budget)) {
        if (dir === root || !MEMBER_MANIFESTS[decl.kind].some((m) => exists(join(dir, m)))) {
          continue;
        }
        found.set(dir, dir);
        any = true;
      }
    }
    if (!any) unmatched.push(glob);
  }
  const members: WorkspaceMember[] = [];
  for (const dir of [...found.keys()].sort()) {
    const rel = "/" + relative(root, dir).split("\\").join("/");
    if (negated.some((matches) => matches(rel))) continue;
    members.push({ dir, name: memberName(dir, decl.kind) });
  }
  return { kind: decl.kind, root, manifest: decl.manifest, members, unmatched, unusable };
}

/**
 * What tph says of a workspace's globs it cannot use, one line each: the glob, its manifest and
 * why; the glob is left out, the rest of the workspace taken.
 *
 * @param ws The workspace, or null.
 * @returns The warnings (without `tph: warning: `).
 *
 * @example
 * ```ts
 * import { readWorkspace, workspaceWarnings } from "./src/store/workspace.ts";
 * workspaceWarnings(readWorkspace("/repo")); // ['workspace glob "packages/{a" in /repo/package.json …']
 * ```
 */
export function workspaceWarnings(ws: Workspace | null): string[] {
  return (ws?.unusable ?? []).map(({ glob, problem }) =>
    `workspace glob ${JSON.stringify(glob)} in ${ws!.manifest} cannot be used (${problem}): ` +
    "left out"
  );
}

/** Whether `dir` is `base` or inside it. */
function within(dir: string, base: string): boolean {
  return dir === base || dir.startsWith(base.endsWith("/") ? base : base + "/");
}

/**
 * The workspace a package folder is a member of: the nearest folder above it whose manifest
 * declares a workspace with the folder among its members. A package inside a member that is not
 * one itself (a test fixture with a package.json of its own) is in none. Manifests others could
 * have written (trust.ts: a parent folder such as /tmp) are passed over.
 *
 * @param dir The package's folder, absolute.
 * @returns The workspace, or null when the folder is a member of none (a workspace root itself
 *   too: see {@linkcode readWorkspace}).
 *
 * @example
 * ```ts
 * import { enclosingWorkspace } from "./src/store/workspace.ts";
 * console.log(enclosingWorkspace("/repo/packages/shop")?.root); // "/repo"
 * ```
 */
export function enclosingWorkspace(dir: string): Workspace | null {
  const start = resolve(dir);
  if (dirname(start) === start) return null;
  for (let up = dirname(start);; up = dirname(up)) {
    const ws = readWorkspace(up);
    if (
      ws !== null && ws.members.some((m) => m.dir === start) &&
      configTrustProblem(ws.manifest) === null
    ) return ws;
    if (dirname(up) === up) return null;
  }
}

/**
 * Other paths by which the runtime may load a member's files, each with the member's folder:
 * `node_modules/<name>` of the root and of the members where it is a link to that member (npm,
 * yarn and Bun link members into the root's node_modules, pnpm into each member's), and the
 * member's real path where its folder is itself a link. The runtimes load a module by its real
 * path unless told to keep links (`node --preserve-symlinks`); a member's files reached by these
 * paths are traced too, and named as the member's.
 *
 * @param ws The workspace.
 * @returns Pairs of a folder and the member folder it stands for.
 */
export function memberAliases(ws: Workspace): [string, string][] {
  const out: [string, string][] = [];
  const real = new Map<string, string>();
  for (const m of ws.members) {
    try {
      const r = realPath(m.dir);
      real.set(m.dir, r);
      if (r !== m.dir && !within(r, ws.root)) out.push([r, m.dir]);
    } catch {
      // Gone meanwhile.
    }
  }
  const named = ws.members.filter((m) =>
    m.name !== null && /^(?:@[^/]+\/)?[^/@.][^/]*$/.test(m.name)
  );
  const seen = new Set<string>();
  let left = MAX_LINK_CHECKS;
  for (const base of [ws.root, ...ws.members.map((m) => m.dir)]) {
    const nm = join(base, "node_modules");
    if (named.length === 0 || !isDirectory(nm)) continue;
    for (const m of named) {
      if (left-- <= 0) return out;
      const link = join(nm, m.name!);
      if (seen.has(link) || entryKind(link) !== "link") continue;
      seen.add(link);
      try {
        if (realPath(link) === real.get(m.dir)) out.push([link, m.dir]);
      } catch {
        // A link that leads nowhere.
      }
    }
  }
  return out;
}

/** How `tph config` names a workspace's kind. */
export function workspaceKindName(ws: Workspace): string {
  return ws.kind === "pnpm" ? "pnpm" : ws.kind === "deno" ? "Deno" : "npm/yarn/Bun";
}

/** The manifest's file name (for messages). */
export function manifestName(ws: Workspace): string {
  return basename(ws.manifest);
}
