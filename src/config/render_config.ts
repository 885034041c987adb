import { displayPath } from "../platform/display_path.ts";
import { CONFIG_KEYS, type TphConfig } from "./default_config.ts";
import type { LoadedConfig } from "./load_config.ts";

/** Options of {@linkcode renderConfig}. */
export interface RenderConfigOptions {
  /** Paths are shown relative to this folder when inside it. */
  cwd?: string;
  /** The cache folder in effect, shown for an unset `cache_dir`. */
  cacheDir?: string;
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
