import { relative } from "node:path";
import { displayPath } from "../platform/display_path.ts";
import { CONFIG_KEYS, type TphConfig } from "./default_config.ts";
import type { LoadedConfig } from "./load_config.ts";

/** Options of {@linkcode renderConfig}. */
export interface RenderConfigOptions {
  /** Paths are shown relative to this folder when inside it. */
  cwd?: string;
  /** The cache folder in effect, shown for an unset `cache_dir`. */
  cacheDir?: string;
  /** The workspace the project is (src/store/workspace.ts), shown after where the config is. */
  workspace?: WorkspaceSummary | null;
}

/** What `tph config` says of a workspace. */
export interface WorkspaceSummary {
  /** `npm/yarn/Bun`, `pnpm` or `Deno`. */
  kind: string;
  /** Its root, absolute. */
  root: string;
  /** The manifest that declares it, absolute. */
  manifest: string;
  /** Its members' folders (absolute) and package names. */
  members: { dir: string; name: string | null }[];
  /** Globs that matched no member folder. */
  unmatched: string[];
}

/** The most members `tph config` lists one by one. */
const MEMBERS_SHOWN = 20;

function workspaceLines(ws: WorkspaceSummary): string[] {
  const n = ws.members.length;
  const lines = [
    `Workspace: ${ws.kind} (${relative(ws.root, ws.manifest)}) at ${ws.root}, ` +
    `${n} member${n === 1 ? "" : "s"}, traced and stored as one project`,
  ];
  // Members by their place in the workspace, as module names are.
  const shown = ws.members.slice(0, MEMBERS_SHOWN).map((m) => [
    relative(ws.root, m.dir),
    m.name ?? "(no name)",
  ]);
  const width = Math.max(0, ...shown.map(([d]) => d.length));
  for (const [d, name] of shown) lines.push(`  ${d.padEnd(width)}  ${name}`);
  if (n > MEMBERS_SHOWN) lines.push(`  … and ${n - MEMBERS_SHOWN} more`);
  for (const g of ws.unmatched) lines.push(`  (no member folder matches ${JSON.stringify(g)})`);
  return lines;
}

const EXAMPLE = [
  "  max_depth = 50",
  "  max_calls = 20000",
  '  ignore_modules = ["src/generated"]',
  '  default_label = "my-app"',
];

function show(key: keyof TphConfig, value: unknown, options: RenderConfigOptions): string {
  if (value === null) {
    if (key === "cache_dir") {
      const where = options.cacheDir === undefined
        ? "<project root>/.tracepatch_cache"
        : displayPath(options.cacheDir, options.cwd);
      return `none (runs go to ${where})`;
    }
    if (key === "max_runs" || key === "max_cache_mb") return "none (no bound)";
    return "none";
  }
  if (key === "cache_dir") return JSON.stringify(displayPath(value as string, options.cwd));
  if (key === "scope") {
    const dirs = value as string[];
    if (dirs.length === 0) return "[] (the project root of each script)";
    return JSON.stringify(dirs.map((d) => displayPath(d, options.cwd))).replaceAll('","', '", "');
  }
  return JSON.stringify(value).replaceAll('","', '", "');
}

/**
 * The text of `tph config`: where the configuration came from (or that only defaults apply, and
 * how to create a config), then every effective value and whether the file sets it.
 *
 * @param loaded What {@linkcode loadConfig} returned.
 * @param options Folder for relative paths; the cache folder in effect.
 * @returns The text, without a trailing newline.
 *
 * @example
 * ```ts
 * import { loadConfig } from "./src/config/load_config.ts";
 * import { renderConfig } from "./src/config/render_config.ts";
 * console.log(renderConfig(loadConfig({ cwd: "." }), { cwd: "." }));
 * ```
 */
export function renderConfig(loaded: LoadedConfig, options: RenderConfigOptions = {}): string {
  const lines: string[] = [];
  const from = loaded.source === null ? null : displayPath(loaded.source, options.cwd) +
    (loaded.section ? ` ("${loaded.section}" key)` : "");
  const ignored = (loaded.ignored ?? []).map((p) => displayPath(p, options.cwd));
  if (from === null && ignored.length > 0) {
    lines.push(
      `Configuration: defaults (not read, as other users could change it: ${ignored.join(", ")})`,
    );
  } else if (from === null) {
    lines.push(
      'Configuration: defaults (no tracepatch.toml, deno.json or package.json "tracepatch" key ' +
        `found in ${options.cwd ?? loaded.baseDir} or above)`,
    );
  } else lines.push(`Configuration: ${from}`);
  if (options.workspace) lines.push(...workspaceLines(options.workspace));
  lines.push("");
  const keys = Object.keys(CONFIG_KEYS) as (keyof TphConfig)[];
  const width = Math.max(...keys.map((k) => k.length));
  const rows = keys.map((k) => [k.padEnd(width), show(k, loaded.config[k], options)]);
  const valueWidth = Math.min(48, Math.max(...rows.map((r) => r[1].length)));
  rows.forEach(([k, v], i) => {
    const note = loaded.keys.includes(keys[i]) ? "" : "(default)";
    lines.push(`  ${k}  ${note ? `${v.padEnd(valueWidth)}  ${note}` : v}`);
  });
  if (from === null) {
    lines.push(
      "",
      "To configure tph, create tracepatch.toml in your project root, for example:",
      "",
      ...EXAMPLE,
      "",
      'or add a "tracepatch" object to deno.json or package.json: "tracepatch": { "max_depth": 50 }',
    );
  }
  return lines.join("\n");
}
